//! Vectors from x/mod's sumdb/note/note_test.go and example_test.go.

use super::*;

const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const ENOCH_SKEY: &str =
    "PRIVATE+KEY+EnochRoot+af0cfe78+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";
const TEST_VKEY: &str =
    "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";
const TEST_SKEY: &str =
    "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk";

fn hex32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

fn peter() -> Signature {
    Signature {
        name: "PeterNeumann".into(),
        hash: 0xc74f20a3,
        base64: "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=".into(),
    }
}

fn enoch() -> Signature {
    Signature {
        name: "EnochRoot".into(),
        hash: 0xaf0cfe78,
        base64: "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=".into(),
    }
}

fn vs(keys: &[&str]) -> Verifiers {
    Verifiers::new(keys.iter().map(|k| Verifier::new(k).unwrap()).collect())
}

#[test]
fn peter_keys_match_their_seed_and_hash() {
    let v = Verifier::new(PETER_VKEY).unwrap();
    assert_eq!(v.name(), "PeterNeumann");
    assert_eq!(v.key_hash(), 0xc74f20a3);
    assert_eq!(
        v.public_key(),
        &hex32("1a5cd907143c384c41e830c5bce12aa8817ec5649aaabf2c31388b35b2d744d6")
    );
    assert_eq!(v.to_string(), PETER_VKEY);
    let s = Signer::new(PETER_SKEY).unwrap();
    assert_eq!(s.verifier(), v);
    let seed = hex32("810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173");
    assert_eq!(
        generate_key(&seed, "PeterNeumann").unwrap(),
        (PETER_SKEY.to_owned(), PETER_VKEY.to_owned())
    );
    let mut key = vec![ALG_ED25519];
    key.extend_from_slice(v.public_key());
    assert_eq!(key_hash("PeterNeumann", &key), 0xc74f20a3);
    assert!(
        !format!("{s:?}").contains("AYEKF"),
        "Debug must hide the key"
    );
}

#[test]
fn enoch_and_test_keys_from_seeds() {
    assert_eq!(
        generate_key(&[0; 32], "EnochRoot").unwrap(),
        (ENOCH_SKEY.to_owned(), ENOCH_VKEY.to_owned())
    );
    assert_eq!(
        Verifier::new(ENOCH_VKEY).unwrap().public_key(),
        &hex32("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29")
    );
    let seed = hex32("7bbafa869568e62e40e16b7f5579f492b5a30705949707c305c70df0c6c523e4");
    assert_eq!(
        generate_key(&seed, "localhost.localdev/sumdb").unwrap(),
        (TEST_SKEY.to_owned(), TEST_VKEY.to_owned())
    );
    let v = Verifier::new(TEST_VKEY).unwrap();
    assert_eq!(v.key_hash(), 0x00000c67);
    assert_eq!(
        v.public_key(),
        &hex32("c4eb9e46d403e4d4e21798de1923892112fc34909e206a21e43f629a4052d2ba")
    );
    assert_eq!(Signer::new(TEST_SKEY).unwrap().verifier(), v);
}

#[test]
fn verifier_manglings_rejected() {
    let b = PETER_VKEY.as_bytes();
    let mut checked = 0;
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                let k = std::str::from_utf8(&b[i..j]).unwrap();
                assert!(Verifier::new(k).is_err(), "{k}");
                checked += 1;
            }
        }
    }
    let mut m = b.to_vec();
    for i in 0..m.len() {
        m[i] += 1;
        let k = std::str::from_utf8(&m).unwrap();
        assert!(Verifier::new(k).is_err(), "{k}");
        m[i] -= 1;
        checked += 1;
    }
    assert!(checked > 2000);
    // Wrong key length and unknown algorithm, each with a matching hash.
    assert!(matches!(
        Verifier::new("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="),
        Err(NoteError::MalformedVerifierKey { .. })
    ));
    let e = Verifier::new("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        .unwrap_err();
    assert_eq!(e, NoteError::UnknownAlgorithm { alg: 0x65 });
    assert_eq!(e.to_string(), "unknown verifier algorithm");
    let e = Verifier::new("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        .unwrap_err();
    assert_eq!(e.to_string(), "invalid verifier hash");
    // Upper-case hex is accepted.
    assert!(
        Verifier::new("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_ok()
    );
}

#[test]
fn signer_manglings_rejected() {
    let b = PETER_SKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                let k = std::str::from_utf8(&b[i..j]).unwrap();
                assert!(Signer::new(k).is_err(), "{k}");
            }
        }
    }
    let mut m = b.to_vec();
    for i in 0..m.len() {
        m[i] += 1;
        let k = std::str::from_utf8(&m).unwrap();
        assert!(Signer::new(k).is_err(), "{k}");
        m[i] -= 1;
    }
}

#[test]
fn verifier_lookup_errors() {
    let list = vs(&[PETER_VKEY, ENOCH_VKEY, ENOCH_VKEY]);
    assert_eq!(
        list.verifier("PeterNeumann", 0xc74f20a4)
            .unwrap_err()
            .to_string(),
        "unknown key PeterNeumann+c74f20a4"
    );
    assert_eq!(
        list.verifier("PeterNeuman", 0xc74f20a3)
            .unwrap_err()
            .to_string(),
        "unknown key PeterNeuman+c74f20a3"
    );
    assert_eq!(
        list.verifier("EnochRoot", 0xaf0cfe78)
            .unwrap_err()
            .to_string(),
        "ambiguous key EnochRoot+af0cfe78"
    );
    assert_eq!(
        list.verifier("PeterNeumann", 0xc74f20a3).unwrap().name(),
        "PeterNeumann"
    );
}

#[test]
fn sign_peter_and_replace_existing() {
    let signer = Signer::new(PETER_SKEY).unwrap();
    let want = format!("{TEXT}\n{PETER_SIG}");
    assert_eq!(
        sign_text(TEXT, std::slice::from_ref(&signer)).unwrap(),
        want.as_bytes()
    );
    let note = Note {
        text: TEXT.into(),
        sigs: vec![Signature {
            name: "PeterNeumann".into(),
            hash: 0xc74f20a3,
            base64: "BADSIGN=".into(),
        }],
        unverified_sigs: vec![],
    };
    assert_eq!(
        sign(&note, std::slice::from_ref(&signer)).unwrap(),
        want.as_bytes()
    );
    // Doubly signed message (ExampleSign_add_signatures): Peter first, then Enoch.
    let enoch = Signer::new(ENOCH_SKEY).unwrap();
    let once = open(want.as_bytes(), &vs(&[PETER_VKEY])).unwrap();
    let twice = sign(&once, &[enoch]).unwrap();
    assert_eq!(twice, format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}").as_bytes());
}

#[test]
fn sign_rejects_bad_inputs() {
    let signer = Signer::new(PETER_SKEY).unwrap();
    let e = sign_text("abc", std::slice::from_ref(&signer)).unwrap_err();
    assert_eq!(e.to_string(), "malformed note");
    let bad_name = Note {
        text: TEXT.into(),
        sigs: vec![Signature {
            name: "a+b".into(),
            hash: 0,
            base64: "ABCD".into(),
        }],
        unverified_sigs: vec![],
    };
    assert_eq!(
        sign(&bad_name, &[]).unwrap_err().to_string(),
        "malformed note"
    );
    let bad_hash = Note {
        text: TEXT.into(),
        sigs: vec![Signature {
            name: "PeterNeumann".into(),
            hash: 0xc74f20a3,
            base64: "BADHASH=".into(),
        }],
        unverified_sigs: vec![],
    };
    assert_eq!(
        sign(&bad_hash, &[]).unwrap_err().to_string(),
        "malformed note"
    );
    let mut bad_signer = signer;
    bad_signer.name = "bad name".into();
    assert_eq!(
        sign_text(TEXT, &[bad_signer]).unwrap_err().to_string(),
        "invalid signer"
    );
}

#[test]
fn open_verified_and_unverified() {
    let msg = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    let n = open(msg.as_bytes(), &vs(&[PETER_VKEY])).unwrap();
    assert_eq!(n.text, TEXT);
    assert_eq!(n.sigs, vec![peter()]);
    assert_eq!(n.unverified_sigs, vec![enoch()]);

    let n = open(msg.as_bytes(), &vs(&[PETER_VKEY, ENOCH_VKEY])).unwrap();
    assert_eq!(n.sigs, vec![peter(), enoch()]);
    assert!(n.unverified_sigs.is_empty());

    let e = open(msg.as_bytes(), &vs(&[])).unwrap_err();
    assert_eq!(e.to_string(), "note has no verifiable signatures");
    let NoteError::UnverifiedNote { note } = e else {
        panic!("want UnverifiedNote")
    };
    assert!(note.sigs.is_empty());
    assert_eq!(note.unverified_sigs, vec![peter(), enoch()]);
}

#[test]
fn open_duplicate_verifiers() {
    let list = vs(&[ENOCH_VKEY, PETER_VKEY, ENOCH_VKEY]);
    let e = open(format!("{TEXT}\n{ENOCH_SIG}").as_bytes(), &list).unwrap_err();
    assert_eq!(e.to_string(), "ambiguous key EnochRoot+af0cfe78");
    // The duplicated verifier is not used by this note.
    assert!(open(format!("{TEXT}\n{PETER_SIG}").as_bytes(), &list).is_ok());
}

#[test]
fn open_too_many_signatures() {
    let msg = format!("{TEXT}\n{}", PETER_SIG.repeat(101));
    for list in [vs(&[PETER_VKEY]), vs(&[])] {
        let e = open(msg.as_bytes(), &list).unwrap_err();
        assert_eq!(
            e,
            NoteError::MalformedNote {
                reason: MalformedReason::TooManySignatures
            }
        );
    }
    // 100 is still fine.
    let msg = format!("{TEXT}\n{}", PETER_SIG.repeat(100));
    assert_eq!(
        open(msg.as_bytes(), &vs(&[PETER_VKEY])).unwrap().sigs.len(),
        1
    );
}

#[test]
fn open_invalid_signature() {
    let forged = format!("{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    let e = open(format!("{TEXT}\n{forged}").as_bytes(), &vs(&[PETER_VKEY])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid signature for key PeterNeumann+c74f20a3"
    );
}

#[test]
fn open_drops_duplicate_signatures() {
    let enoch_abcd = format!("{}ABCD{}", &ENOCH_SIG[..60], &ENOCH_SIG[60..]);
    let msg = format!("{TEXT}\n{PETER_SIG}{PETER_SIG}{ENOCH_SIG}{ENOCH_SIG}{enoch_abcd}");
    let n = open(msg.as_bytes(), &vs(&[PETER_VKEY])).unwrap();
    assert_eq!(n.sigs, vec![peter()]);
    let mut abcd = enoch();
    abcd.base64 = "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5nABCD2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=".into();
    assert_eq!(n.unverified_sigs, vec![enoch(), abcd]);
}

#[test]
fn open_malformed_messages() {
    let bad = [
        TEXT.to_owned(),
        format!("{TEXT}\n"),
        format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
        format!("\x01{TEXT}\n{PETER_SIG}"),
        format!(
            "{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
        ),
        format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
    ];
    let list = vs(&[PETER_VKEY]);
    for msg in &bad {
        let e = open(msg.as_bytes(), &list).unwrap_err();
        assert!(
            matches!(e, NoteError::MalformedNote { .. }),
            "{msg:?}: {e:?}"
        );
        assert_eq!(e.to_string(), "malformed note");
    }
    let mut ff = vec![0xffu8];
    ff.extend_from_slice(format!("{TEXT}\n{PETER_SIG}").as_bytes());
    assert_eq!(
        open(&ff, &list).unwrap_err(),
        NoteError::MalformedNote {
            reason: MalformedReason::BadEncoding
        }
    );
}

#[test]
fn open_hostile_inputs_without_panic() {
    let list = vs(&[PETER_VKEY]);
    let huge_line = format!("{TEXT}\n— PeterNeumann {}\n", "A".repeat(1 << 20));
    assert!(open(huge_line.as_bytes(), &list).is_err());
    // A signature field of exactly 4 bytes (no signature) is malformed.
    let short = format!("{TEXT}\n— PeterNeumann x08gow==\n");
    assert!(matches!(
        open(short.as_bytes(), &list),
        Err(NoteError::MalformedNote { .. })
    ));
    // 5 bytes: parsed, then rejected by the verifier.
    let five = format!("{TEXT}\n— PeterNeumann x08go/8=\n");
    assert_eq!(
        open(five.as_bytes(), &list).unwrap_err().to_string(),
        "invalid signature for key PeterNeumann+c74f20a3"
    );
    for msg in [
        &b""[..],
        b"\n\n",
        b"\n\n\n",
        b"\n\n\xe2\x80\x94 \n",
        b"\xe2\x80",
    ] {
        assert!(open(msg, &list).is_err());
    }
}

#[test]
fn signed_tree_notes_by_test_key() {
    let s = Signer::new(TEST_SKEY).unwrap();
    let cases = [
        (
            "go.sum database tree\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "AAAMZzeybl/qTECvKQXeTNx0I2JsE1iBXNeIn3E5HhIXI2NJ/unquiIlfvWv+/YCc/yR3VLhsUFQ7S1nblWdSsyAWA4=",
        ),
        (
            "go.sum database tree\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
            "AAAMZ/DYMkzSW52hoDqxis3bTlq+choRCUcn0IlvXa2eX5tFdOFSvFjaSNHLaD0dxpPNnSBKFbyLGFh1f+1+9UQJmAs=",
        ),
        (
            "go.sum database tree\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "AAAMZ0cJ4tBFSXY/e3QQrbLt4O3MkSJy3V6OMaIQXudR64msbMsluz/hcxvRoS06N981NJv5J7M9Hyj1KO2cKBRHbQ0=",
        ),
    ];
    for (text, sig) in cases {
        let want = format!("{text}\n— localhost.localdev/sumdb {sig}\n");
        assert_eq!(
            sign_text(text, std::slice::from_ref(&s)).unwrap(),
            want.as_bytes()
        );
        assert!(open(want.as_bytes(), &vs(&[TEST_VKEY])).is_ok());
    }
}

#[test]
fn go_base64_leniencies() {
    // Go's StdEncoding ignores \r and \n and accepts non-zero trailing bits.
    assert_eq!(b64::decode(b"QQ=\n=").unwrap(), b"A");
    assert_eq!(b64::decode(b"QR==").unwrap(), b"A");
    assert!(b64::decode(b"QQ").is_none());
    assert!(b64::decode(b"QQ==QQ==").is_none());
    let split = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4iz\nWy10TW";
    assert!(Verifier::new(split).is_ok());
}
