//! Base64 exactly as Go's `encoding/base64.StdEncoding`, which the note and
//! tlog formats use.
//!
//! Go's decoder is not the `base64` crate's default: it requires canonical
//! padding but accepts non-zero trailing bits, and it skips `\r` and `\n`
//! anywhere in the input. Matching it matters: a key, signature or hash that
//! Go accepts must be accepted here and vice versa.

use base64::Engine as _;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

/// Encodes as Go's `base64.StdEncoding.EncodeToString`.
pub(crate) fn encode(data: &[u8]) -> String {
    GO_STD.encode(data)
}

/// Decodes as Go's `base64.StdEncoding.DecodeString`; `None` where Go errs.
pub(crate) fn decode(s: &[u8]) -> Option<Vec<u8>> {
    if s.iter().any(|&b| b == b'\r' || b == b'\n') {
        let cleaned: Vec<u8> = s
            .iter()
            .copied()
            .filter(|&b| b != b'\r' && b != b'\n')
            .collect();
        return GO_STD.decode(cleaned).ok();
    }
    GO_STD.decode(s).ok()
}
