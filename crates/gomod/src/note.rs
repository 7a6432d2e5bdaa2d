//! Signed notes and their keys, as `golang.org/x/mod/sumdb/note` (`note.go`).
//!
//! A note is UTF-8 text followed by a blank line and one or more signature
//! lines `— <name> <base64(key hash ‖ signature)>`. The checksum database signs
//! its tree heads this way (note.go `Sign`, `Open`). Keys are strings:
//!
//! * verifier: `<name>+<hash>+<base64(0x01 ‖ Ed25519 public key)>`
//! * signer: `PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ Ed25519 seed)>`
//!
//! where `<hash>` is [`key_hash`] as eight hex digits.
//!
//! Errors display exactly Go's texts (they are compared with x/mod's in the
//! tests); the variants carry the details Go drops.

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signer as _, Verifier as _};
use sha2::{Digest, Sha256};

pub(crate) mod b64;

/// The algorithm byte of an Ed25519 key, the only algorithm Go defines.
pub const ALG_ED25519: u8 = 1;

/// At most this many signature lines are read from one note, as Go: a note
/// with more is malformed (it bounds the verification work per note).
pub const MAX_SIGNATURES: usize = 100;

/// The prefix of every signature line: an em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// An error from parsing keys, opening or signing notes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// A verifier key string is not `name+hash+base64` with a valid name,
    /// eight hex digits and a 32-byte key.
    #[error("malformed verifier id")]
    MalformedVerifierKey {
        /// The key string (public, so safe to carry).
        key: String,
    },
    /// The key's algorithm byte is not [`ALG_ED25519`].
    #[error("unknown verifier algorithm")]
    UnknownAlgorithm {
        /// The algorithm byte found.
        alg: u8,
    },
    /// The key hash in a key string does not match its name and key.
    #[error("invalid verifier hash")]
    KeyHashMismatch {
        /// The key name.
        name: String,
        /// The hash written in the key string.
        claimed: u32,
        /// The hash computed from the name and key.
        actual: u32,
    },
    /// A signer key string is malformed. Go reuses the verifier texts for
    /// signer keys; the key itself is secret and deliberately not carried.
    #[error("malformed verifier id")]
    MalformedSignerKey,
    /// No configured verifier has this name and key hash.
    #[error("unknown key {name}+{hash:08x}")]
    UnknownKey {
        /// Key name.
        name: String,
        /// Key hash.
        hash: u32,
    },
    /// Two configured verifiers share a name and key hash.
    #[error("ambiguous key {name}+{hash:08x}")]
    AmbiguousKey {
        /// Key name.
        name: String,
        /// Key hash.
        hash: u32,
    },
    /// The message is not a well-formed note.
    #[error("malformed note")]
    MalformedNote {
        /// Which rule was broken (not part of Go's text).
        reason: MalformedReason,
    },
    /// A known key's signature does not verify over the note text.
    #[error("invalid signature for key {name}+{hash:08x}")]
    InvalidSignature {
        /// Key name.
        name: String,
        /// Key hash.
        hash: u32,
    },
    /// The note parsed but no known key signed it. The parsed note (with its
    /// unverified signatures) is kept for diagnostics.
    #[error("note has no verifiable signatures")]
    UnverifiedNote {
        /// The note, with every signature in `unverified_sigs`.
        note: Box<Note>,
    },
    /// A signer's name is not a valid key name.
    #[error("invalid signer")]
    InvalidSigner {
        /// The offending name.
        name: String,
    },
}

/// Why a note was rejected as malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedReason {
    /// Not UTF-8, or an ASCII control character other than `\n`.
    BadEncoding,
    /// No blank line before a signature block.
    NoSignatureBlock,
    /// The signature block is empty or does not end in `\n`.
    UnterminatedSignatures,
    /// A line of the signature block does not start with `— `.
    NotASignatureLine,
    /// A signature line's name or base64 is invalid, or it is shorter than 5 bytes.
    BadSignatureLine,
    /// More than [`MAX_SIGNATURES`] signature lines.
    TooManySignatures,
    /// The text to sign does not end in `\n`.
    TextNotTerminated,
    /// An existing signature to re-emit has a bad name or a base64 that does
    /// not start with its key hash.
    BadExistingSignature,
}

fn malformed(reason: MalformedReason) -> NoteError {
    NoteError::MalformedNote { reason }
}

/// Reports whether `name` may name a key: non-empty, no Unicode white space
/// (Go's `unicode.IsSpace`, the same White_Space property as Rust's), no `+`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The key hash of a key: the first four bytes, big-endian, of
/// SHA-256(`name` ‖ `"\n"` ‖ `key`), where `key` includes the algorithm byte.
pub fn key_hash(name: &str, key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(key);
    let sum = h.finalize();
    u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]])
}

/// Splits at the first `sep`; without one, everything is before (Go's `chop`).
fn chop(s: &str, sep: char) -> (&str, &str) {
    match s.split_once(sep) {
        Some((a, b)) => (a, b),
        None => (s, ""),
    }
}

/// Parses the key-hash field: exactly eight hex digits, either case
/// (Go checks the length and `strconv.ParseUint(s, 16, 32)`).
fn parse_hash_field(s: &str) -> Option<u32> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// A public key that verifies signatures of one named server.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    hash: u32,
    /// Raw public key bytes. They are decoded as a curve point only when
    /// verifying, as Go does: a key that is not a valid point parses but
    /// never verifies anything.
    key: [u8; 32],
}

impl Verifier {
    /// Parses a verifier key string `name+hash+base64(0x01 ‖ public key)`
    /// (Go's `NewVerifier`). The base64 part may itself contain `+`.
    pub fn new(vkey: &str) -> Result<Verifier, NoteError> {
        let bad = || NoteError::MalformedVerifierKey {
            key: vkey.to_owned(),
        };
        let (name, rest) = chop(vkey, '+');
        let (hash16, key64) = chop(rest, '+');
        let hash = parse_hash_field(hash16);
        let key = b64::decode(key64.as_bytes());
        let (Some(hash), Some(key)) = (hash, key) else {
            return Err(bad());
        };
        if !is_valid_name(name) || key.is_empty() {
            return Err(bad());
        }
        let actual = key_hash(name, &key);
        if hash != actual {
            return Err(NoteError::KeyHashMismatch {
                name: name.to_owned(),
                claimed: hash,
                actual,
            });
        }
        if key[0] != ALG_ED25519 {
            return Err(NoteError::UnknownAlgorithm { alg: key[0] });
        }
        let key: [u8; 32] = key[1..].try_into().map_err(|_| bad())?;
        Ok(Verifier {
            name: name.to_owned(),
            hash,
            key,
        })
    }

    /// A verifier for `name` with the raw 32-byte Ed25519 public key `key`
    /// (Go's `NewEd25519VerifierKey`, without the string round trip).
    pub fn from_ed25519(name: &str, key: &[u8; 32]) -> Result<Verifier, NoteError> {
        if !is_valid_name(name) {
            return Err(NoteError::InvalidSigner {
                name: name.to_owned(),
            });
        }
        Ok(Verifier {
            name: name.to_owned(),
            hash: key_hash(name, &alg_key(key)),
            key: *key,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key hash.
    pub fn key_hash(&self) -> u32 {
        self.hash
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> &[u8; 32] {
        &self.key
    }

    /// Reports whether `sig` is a valid Ed25519 signature of `msg` (cofactorless
    /// verification rejecting non-canonical `s`, as Go's `ed25519.Verify`).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(&self.key) else {
            return false;
        };
        let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
            return false;
        };
        vk.verify(msg, &sig).is_ok()
    }
}

impl FromStr for Verifier {
    type Err = NoteError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Verifier::new(s)
    }
}

/// Formats the verifier key string `name+hash+base64`.
impl fmt::Display for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.hash,
            b64::encode(&alg_key(&self.key))
        )
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Verifier({self})")
    }
}

fn alg_key(key: &[u8; 32]) -> [u8; 33] {
    let mut out = [0u8; 33];
    out[0] = ALG_ED25519;
    out[1..].copy_from_slice(key);
    out
}

/// A private key that signs notes for one named server.
///
/// Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct Signer {
    name: String,
    hash: u32,
    key: ed25519_dalek::SigningKey,
}

impl Signer {
    /// Parses a signer key string `PRIVATE+KEY+name+hash+base64(0x01 ‖ seed)`
    /// (Go's `NewSigner`). The hash must be that of the derived public key.
    pub fn new(skey: &str) -> Result<Signer, NoteError> {
        let (priv1, rest) = chop(skey, '+');
        let (priv2, rest) = chop(rest, '+');
        let (name, rest) = chop(rest, '+');
        let (hash16, key64) = chop(rest, '+');
        let hash = parse_hash_field(hash16);
        let key = b64::decode(key64.as_bytes());
        let (Some(hash), Some(key)) = (hash, key) else {
            return Err(NoteError::MalformedSignerKey);
        };
        if priv1 != "PRIVATE" || priv2 != "KEY" || !is_valid_name(name) || key.is_empty() {
            return Err(NoteError::MalformedSignerKey);
        }
        if key[0] != ALG_ED25519 {
            return Err(NoteError::UnknownAlgorithm { alg: key[0] });
        }
        let seed: [u8; 32] = key[1..]
            .try_into()
            .map_err(|_| NoteError::MalformedSignerKey)?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let actual = key_hash(name, &alg_key(key.verifying_key().as_bytes()));
        if hash != actual {
            return Err(NoteError::KeyHashMismatch {
                name: name.to_owned(),
                claimed: hash,
                actual,
            });
        }
        Ok(Signer {
            name: name.to_owned(),
            hash,
            key,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key hash (of the public key).
    pub fn key_hash(&self) -> u32 {
        self.hash
    }

    /// The Ed25519 signature of `msg` (RFC 8032, deterministic).
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            hash: self.hash,
            key: self.key.verifying_key().to_bytes(),
        }
    }
}

impl FromStr for Signer {
    type Err = NoteError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Signer::new(s)
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({}+{:08x}, <private>)", self.name, self.hash)
    }
}

/// Generates the key pair `(signer key, verifier key)` for `name` from a
/// 32-byte Ed25519 seed (Go's `GenerateKey` reads exactly this seed from its
/// random source, so equal seeds give equal keys in both).
///
/// Unlike Go, an invalid name is refused (Go would return keys that its own
/// parsers reject).
pub fn generate_key(seed: &[u8; 32], name: &str) -> Result<(String, String), NoteError> {
    if !is_valid_name(name) {
        return Err(NoteError::InvalidSigner {
            name: name.to_owned(),
        });
    }
    let sk = ed25519_dalek::SigningKey::from_bytes(seed);
    let public = alg_key(sk.verifying_key().as_bytes());
    let private = alg_key(seed);
    let h = key_hash(name, &public);
    Ok((
        format!("PRIVATE+KEY+{name}+{h:08x}+{}", b64::encode(&private)),
        format!("{name}+{h:08x}+{}", b64::encode(&public)),
    ))
}

/// A set of known verifiers (Go's `VerifierList`).
#[derive(Debug, Clone, Default)]
pub struct Verifiers {
    list: Vec<Verifier>,
}

impl Verifiers {
    /// The set of the given verifiers. Duplicates are kept: looking one of
    /// them up is an [`NoteError::AmbiguousKey`] error, as in Go.
    pub fn new(list: Vec<Verifier>) -> Verifiers {
        Verifiers { list }
    }

    /// The verifier with this name and key hash.
    pub fn verifier(&self, name: &str, hash: u32) -> Result<&Verifier, NoteError> {
        let mut found = self
            .list
            .iter()
            .filter(|v| v.name == name && v.hash == hash);
        match (found.next(), found.next()) {
            (Some(v), None) => Ok(v),
            (Some(_), Some(_)) => Err(NoteError::AmbiguousKey {
                name: name.to_owned(),
                hash,
            }),
            (None, _) => Err(NoteError::UnknownKey {
                name: name.to_owned(),
                hash,
            }),
        }
    }
}

impl From<Vec<Verifier>> for Verifiers {
    fn from(list: Vec<Verifier>) -> Self {
        Verifiers::new(list)
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Key name.
    pub name: String,
    /// Key hash.
    pub hash: u32,
    /// The base64 of key hash ‖ signature, as written in the note.
    pub base64: String,
}

/// A note: text and signatures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Note {
    /// The signed text, ending in `\n`.
    pub text: String,
    /// Signatures verified by known keys.
    pub sigs: Vec<Signature>,
    /// Signatures by unknown keys (not verified).
    pub unverified_sigs: Vec<Signature>,
}

/// Reports whether `msg` is UTF-8 without ASCII control bytes other than `\n`.
pub(crate) fn is_note_text(msg: &[u8]) -> bool {
    std::str::from_utf8(msg).is_ok() && !msg.iter().any(|&b| b < 0x20 && b != b'\n')
}

/// Parses the message `msg` and checks its signatures against `known`
/// (Go's `Open`).
///
/// Signatures by unknown keys go to [`Note::unverified_sigs`] (identical lines
/// once); a known key whose signature fails is an error; at least one
/// verified signature is required ([`NoteError::UnverifiedNote`] otherwise).
pub fn open(msg: &[u8], known: &Verifiers) -> Result<Note, NoteError> {
    if !is_note_text(msg) {
        return Err(malformed(MalformedReason::BadEncoding));
    }
    // Checked above: UTF-8.
    let msg = std::str::from_utf8(msg).map_err(|_| malformed(MalformedReason::BadEncoding))?;
    let Some(split) = msg.rfind("\n\n") else {
        return Err(malformed(MalformedReason::NoSignatureBlock));
    };
    let (text, mut sigs) = (&msg[..split + 1], &msg[split + 2..]);
    if !sigs.ends_with('\n') {
        return Err(malformed(MalformedReason::UnterminatedSignatures));
    }
    let mut note = Note {
        text: text.to_owned(),
        ..Note::default()
    };
    let mut seen: Vec<(&str, u32)> = Vec::new();
    let mut seen_unverified: Vec<&str> = Vec::new();
    let mut count = 0usize;
    while let Some((line, rest)) = sigs.split_once('\n') {
        sigs = rest;
        let Some(line) = line.strip_prefix(SIG_PREFIX) else {
            return Err(malformed(MalformedReason::NotASignatureLine));
        };
        let (name, b64) = chop(line, ' ');
        let raw = b64::decode(b64.as_bytes());
        let raw = match raw {
            Some(raw) if is_valid_name(name) && !b64.is_empty() && raw.len() >= 5 => raw,
            _ => return Err(malformed(MalformedReason::BadSignatureLine)),
        };
        let hash = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let sig = &raw[4..];
        count += 1;
        if count > MAX_SIGNATURES {
            return Err(malformed(MalformedReason::TooManySignatures));
        }
        let signature = Signature {
            name: name.to_owned(),
            hash,
            base64: b64.to_owned(),
        };
        match known.verifier(name, hash) {
            Err(NoteError::UnknownKey { .. }) => {
                if !seen_unverified.contains(&line) {
                    seen_unverified.push(line);
                    note.unverified_sigs.push(signature);
                }
            }
            Err(e) => return Err(e),
            Ok(v) => {
                if seen.contains(&(name, hash)) {
                    continue;
                }
                seen.push((name, hash));
                if !v.verify(text.as_bytes(), sig) {
                    return Err(NoteError::InvalidSignature {
                        name: name.to_owned(),
                        hash,
                    });
                }
                note.sigs.push(signature);
            }
        }
    }
    if note.sigs.is_empty() {
        return Err(NoteError::UnverifiedNote {
            note: Box::new(note),
        });
    }
    Ok(note)
}

/// Signs `note` with `signers` and returns the encoded message (Go's `Sign`).
///
/// The text must end in `\n`. Existing signatures in `note.sigs` and
/// `note.unverified_sigs` are kept, except those by a key among `signers`;
/// the new signatures come last, in the order of `signers`.
pub fn sign(note: &Note, signers: &[Signer]) -> Result<Vec<u8>, NoteError> {
    if !note.text.ends_with('\n') {
        return Err(malformed(MalformedReason::TextNotTerminated));
    }
    let mut new_sigs = String::new();
    for s in signers {
        if !is_valid_name(&s.name) {
            return Err(NoteError::InvalidSigner {
                name: s.name.clone(),
            });
        }
        let mut raw = Vec::with_capacity(68);
        raw.extend_from_slice(&s.hash.to_be_bytes());
        raw.extend_from_slice(&s.sign(note.text.as_bytes()));
        new_sigs.push_str(SIG_PREFIX);
        new_sigs.push_str(&s.name);
        new_sigs.push(' ');
        new_sigs.push_str(&b64::encode(&raw));
        new_sigs.push('\n');
    }
    let mut out = String::with_capacity(note.text.len() + 1 + new_sigs.len());
    out.push_str(&note.text);
    out.push('\n');
    for sig in note.sigs.iter().chain(&note.unverified_sigs) {
        if !is_valid_name(&sig.name) {
            return Err(malformed(MalformedReason::BadExistingSignature));
        }
        if signers
            .iter()
            .any(|s| s.name == sig.name && s.hash == sig.hash)
        {
            continue;
        }
        match b64::decode(sig.base64.as_bytes()) {
            Some(raw) if raw.len() >= 4 && raw[..4] == sig.hash.to_be_bytes() => {}
            _ => return Err(malformed(MalformedReason::BadExistingSignature)),
        }
        out.push_str(SIG_PREFIX);
        out.push_str(&sig.name);
        out.push(' ');
        out.push_str(&sig.base64);
        out.push('\n');
    }
    out.push_str(&new_sigs);
    Ok(out.into_bytes())
}

/// Signs `text` (which must end in `\n`) with `signers`: a shorthand for
/// [`sign`] on a note without existing signatures.
pub fn sign_text(text: &str, signers: &[Signer]) -> Result<Vec<u8>, NoteError> {
    sign(
        &Note {
            text: text.to_owned(),
            ..Note::default()
        },
        signers,
    )
}

#[cfg(test)]
mod tests;
