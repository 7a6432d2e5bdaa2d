//! Opening arbitrary bytes as a signed note, and parsing them as keys, never
//! panics; a note that opens re-signs to a message that opens the same way.
#![no_main]

use gomod::note::{self, Signer, Verifier, Verifiers};
use libfuzzer_sys::fuzz_target;

const SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

fuzz_target!(|data: &[u8]| {
    let known = Verifiers::new(vec![Verifier::new(VKEY).unwrap()]);
    if let Ok(n) = note::open(data, &known) {
        assert!(n.text.ends_with('\n'));
        assert!(!n.sigs.is_empty());
    }
    // The unverified path keeps every parsed signature.
    let _ = note::open(data, &Verifiers::default());
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = Verifier::new(s);
        let _ = Signer::new(s);
        // Any text ending in a newline and without a blank line signs and opens.
        if s.ends_with('\n') && !s.contains("\n\n") {
            let signer = Signer::new(SKEY).unwrap();
            let msg = note::sign_text(s, &[signer]).unwrap();
            let valid_text = !s.starts_with('\n') && s.bytes().all(|b| b >= 0x20 || b == b'\n');
            if valid_text {
                let n = note::open(&msg, &known).unwrap();
                assert_eq!(n.text, s);
            }
        }
    }
});
