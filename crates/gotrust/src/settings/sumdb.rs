//! GOSUMDB parsing, as cmd/go/internal/modfetch/sumdb.go (dbDial) and golang.org/x/mod/sumdb/note (NewVerifier) accept it.
//!
//! Mirrors `dbDial` in cmd/go/internal/modfetch/sumdb.go and `note.NewVerifier` in
//! golang.org/x/mod/sumdb/note (verifier key syntax and key hash).

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use sha2::{Digest, Sha256};

use super::url::GoUrl;

/// The checksum database cmd/go knows by name.
pub const SUM_GOLANG_ORG: &str = "sum.golang.org";
/// Its built-in verifier key (§4.2).
pub const SUM_GOLANG_ORG_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
/// The alias that means "sum.golang.org via https://sum.golang.google.cn" (whole value only).
pub const SUM_GOLANG_GOOGLE_CN: &str = "sum.golang.google.cn";

/// Go's base64.StdEncoding: padding required, non-zero trailing bits tolerated.
const STD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

/// Why a verifier key is rejected (x/mod note errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifierKeyError {
    /// Syntax: not `name+hash8+base64`, bad name, empty or wrong-length key.
    #[error("malformed verifier id")]
    Malformed,
    /// The hash field does not match the name and key.
    #[error("invalid verifier hash")]
    Hash,
    /// The key's algorithm byte is not 1 (Ed25519).
    #[error("unknown verifier algorithm")]
    Algorithm,
}

/// A parsed Ed25519 verifier key `name+hash+key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    /// Server name.
    pub name: String,
    /// Key hash (first 4 bytes of SHA-256(name "\n" 0x01 key)).
    pub hash: u32,
    /// Ed25519 public key.
    pub public_key: [u8; 32],
}

/// The note key hash of `name` and the algorithm-prefixed key bytes.
pub fn key_hash(name: &str, key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

impl VerifierKey {
    /// `note.NewVerifier`.
    pub fn parse(vkey: &str) -> Result<VerifierKey, VerifierKeyError> {
        let (name, rest) = vkey.split_once('+').unwrap_or((vkey, ""));
        let (hash16, key64) = rest.split_once('+').unwrap_or((rest, ""));
        let hash = (hash16.len() == 8 && hash16.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(hash16, 16).ok())
            .flatten();
        let key = STD.decode(key64).ok();
        let valid_name = !name.is_empty() && !name.chars().any(char::is_whitespace);
        let (Some(hash), Some(key), true) = (hash, key, valid_name) else {
            return Err(VerifierKeyError::Malformed);
        };
        if key.is_empty() {
            return Err(VerifierKeyError::Malformed);
        }
        if hash != key_hash(name, &key) {
            return Err(VerifierKeyError::Hash);
        }
        if key[0] != 1 {
            return Err(VerifierKeyError::Algorithm);
        }
        let public_key: [u8; 32] = key[1..]
            .try_into()
            .map_err(|_| VerifierKeyError::Malformed)?;
        Ok(VerifierKey {
            name: name.to_string(),
            hash,
            public_key,
        })
    }
}

/// A GOSUMDB configuration error, with go's exact text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SumDbError {
    /// Empty or white space only.
    #[error("missing GOSUMDB")]
    Missing,
    /// More than two fields.
    #[error("invalid GOSUMDB: too many fields")]
    TooManyFields,
    /// The key is rejected.
    #[error("invalid GOSUMDB: {0}")]
    Key(VerifierKeyError),
    /// The key's name is not `host[/path]`. `dump` is Go's `%+v` of the parsed URL; `None`
    /// when `https://⟨name⟩` does not even parse, in which case cmd/go crashes (nil
    /// dereference) instead of printing an error.
    #[error("invalid sumdb name (must be host[/path]): {name} {}", dump.as_deref().unwrap_or("<go crashes: URL does not parse>"))]
    BadName {
        /// The name.
        name: String,
        /// Go's dump of the parsed URL.
        dump: Option<String>,
    },
    /// The explicit URL does not parse.
    #[error("invalid GOSUMDB URL: {message}")]
    BadUrl {
        /// Go's url.Parse error text.
        message: String,
    },
}

/// A parsed GOSUMDB.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SumDb {
    /// `off`: the database is not consulted (except for toolchain downloads, §4.3).
    Off,
    /// A database.
    Db(Box<SumDbConfig>),
}

/// An enabled checksum database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumDbConfig {
    /// The verifier key text in use (the built-in one for `sum.golang.org`).
    pub key_text: String,
    /// The parsed key.
    pub key: VerifierKey,
    /// True if the built-in sum.golang.org key was substituted for a bare name.
    pub builtin_key: bool,
    /// Explicit base URL (second field, or the google.cn alias): proxies are bypassed. Go does
    /// not check its scheme (`http://`, `file://` accepted).
    pub url: Option<GoUrl>,
    /// The URL text as written.
    pub url_text: Option<String>,
    /// `https://⟨name⟩`, used when no proxy serves the database.
    pub direct_url: String,
}

impl SumDbConfig {
    /// The database name.
    pub fn name(&self) -> &str {
        &self.key.name
    }
}

impl SumDb {
    /// Parses an effective GOSUMDB value.
    pub fn parse(gosumdb: &str) -> Result<SumDb, SumDbError> {
        let g = if gosumdb == SUM_GOLANG_GOOGLE_CN {
            "sum.golang.org https://sum.golang.google.cn"
        } else {
            gosumdb
        };
        if g == "off" {
            return Ok(SumDb::Off);
        }
        let mut fields: Vec<&str> = g.split_whitespace().collect();
        let mut builtin_key = false;
        if fields.first() == Some(&SUM_GOLANG_ORG) {
            fields[0] = SUM_GOLANG_ORG_KEY;
            builtin_key = true;
        }
        match fields.len() {
            0 => return Err(SumDbError::Missing),
            1 | 2 => {}
            _ => return Err(SumDbError::TooManyFields),
        }
        let key = VerifierKey::parse(fields[0]).map_err(SumDbError::Key)?;
        let name = key.name.clone();
        let direct = GoUrl::parse(&format!("https://{name}"));
        let ok = match &direct {
            Ok(d) => {
                !name.ends_with('/')
                    && d.opaque.is_empty()
                    && d.userinfo.is_none()
                    && !d.omit_host
                    && !d.force_query
                    && d.raw_query.is_empty()
                    && d.fragment.is_empty()
                    && d.raw_fragment_input.is_empty()
                    && d.escaped_path_is_raw()
                    && !d.host.is_empty()
            }
            Err(_) => false,
        };
        if !ok {
            return Err(SumDbError::BadName {
                name,
                dump: direct.ok().map(|d| d.go_dump()),
            });
        }
        let (url, url_text) = match fields.get(1) {
            Some(u) => (
                Some(GoUrl::parse(u).map_err(|e| SumDbError::BadUrl { message: e.message })?),
                Some(u.to_string()),
            ),
            None => (None, None),
        };
        Ok(SumDb::Db(Box::new(SumDbConfig {
            key_text: fields[0].to_string(),
            key,
            builtin_key,
            url,
            url_text,
            direct_url: format!("https://{name}"),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(g: &str) -> String {
        SumDb::parse(g).unwrap_err().to_string()
    }

    #[test]
    fn builtin_key_vectors() {
        let k = VerifierKey::parse(SUM_GOLANG_ORG_KEY).unwrap();
        assert_eq!(k.name, "sum.golang.org");
        assert_eq!(k.hash, 0x033de0ae);
        assert_eq!(
            hex(&k.public_key),
            "ce3372d75ad1ee5ecdaf8727293d4b111d87eb37531d7c86d4d3003f0eb809fc"
        );
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Accepted forms of GOSUMDB (cmd/go/internal/modfetch/sumdb.go, dbDial).
    #[test]
    fn accepted() {
        let SumDb::Db(d) = SumDb::parse("sum.golang.org").unwrap() else {
            panic!()
        };
        assert!(d.builtin_key && d.url.is_none());
        assert_eq!(d.direct_url, "https://sum.golang.org");
        let SumDb::Db(d) = SumDb::parse("sum.golang.google.cn").unwrap() else {
            panic!()
        };
        assert_eq!(d.name(), "sum.golang.org");
        assert_eq!(d.url_text.as_deref(), Some("https://sum.golang.google.cn"));
        let SumDb::Db(d) =
            SumDb::parse("sum.golang.org https://example.com/sumdb/sum.golang.org").unwrap()
        else {
            panic!()
        };
        assert_eq!(d.url.unwrap().host, "example.com");
        let SumDb::Db(d) = SumDb::parse(SUM_GOLANG_ORG_KEY).unwrap() else {
            panic!()
        };
        assert!(!d.builtin_key);
        // Go does not check the URL's scheme.
        assert!(SumDb::parse("sum.golang.org file:///x").is_ok());
        assert!(SumDb::parse("\tsum.golang.org   http://127.0.0.1:1 ").is_ok());
        assert_eq!(SumDb::parse("off").unwrap(), SumDb::Off);
    }

    /// Rejected forms of GOSUMDB (dbDial's errors, and cmd/go's script tests).
    #[test]
    fn rejected() {
        let mal = "invalid GOSUMDB: malformed verifier id";
        for g in [
            "sum.golang.org+insecure",
            "sum.golang.org+033de0ae",
            "sum.golang.google.cn https://x",
            "https://sum.golang.org",
            "sum.example.com",
            "Off",
            "OFF",
            "false",
            "0",
            "example.com",
        ] {
            assert_eq!(err(g), mal, "{g:?}");
        }
        assert_eq!(
            err("sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"),
            "invalid GOSUMDB: invalid verifier hash"
        );
        assert_eq!(err("a b c"), "invalid GOSUMDB: too many fields");
        assert_eq!(err(""), "missing GOSUMDB");
        assert_eq!(err(" "), "missing GOSUMDB");
        assert_eq!(
            err("sum.golang.org ://invalid"),
            "invalid GOSUMDB URL: parse \"://invalid\": missing protocol scheme"
        );
        assert_eq!(
            err("example.com/+1a6413ba+AW5WXiP8oUq7RI2AuI4Wh14FJrMqJqnAplQ0kcLbnbqK"),
            "invalid sumdb name (must be host[/path]): example.com/ {Scheme:https Opaque: User: Host:example.com Path:/ Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}"
        );
    }

    #[test]
    fn algorithm_byte() {
        // A key whose algorithm byte is 2, with a correct hash.
        let key: Vec<u8> = std::iter::once(2u8).chain([7u8; 32]).collect();
        let h = key_hash("x.example", &key);
        let k = format!("x.example+{h:08x}+{}", STD.encode(&key));
        assert_eq!(
            SumDb::parse(&k).unwrap_err().to_string(),
            "invalid GOSUMDB: unknown verifier algorithm"
        );
        let key: Vec<u8> = std::iter::once(1u8).chain([7u8; 31]).collect();
        let h = key_hash("x.example", &key);
        let k = format!("x.example+{h:08x}+{}", STD.encode(&key));
        assert_eq!(
            SumDb::parse(&k).unwrap_err().to_string(),
            "invalid GOSUMDB: malformed verifier id"
        );
    }
}
