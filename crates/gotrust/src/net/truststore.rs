//! Go's effective trust store, read the way `crypto/x509` reads it, with every CA classified
//! against a public-root reference.
//!
//! Reading follows `loadSystemRoots` in `crypto/x509/root_unix.go` with the Linux lists of
//! `root_linux.go`: the first readable bundle file (`SSL_CERT_FILE` replaces the list), then
//! every file of every directory (`SSL_CERT_DIR`, colon-separated, replaces the list), skipping
//! the symlinks that point inside the same directory (`readUniqueDirectoryEntries`), which is
//! how the hashed `c_rehash` links of `/etc/ssl/certs` are not read twice.
//!
//! The reference is Mozilla's root program as shipped by the `webpki-roots` crate
//! ([`PUBLIC_ROOTS_REFERENCE`]): a CA is public when its subject and public key are those of
//! one of its trust anchors (a re-issued root with the same key is the same root). A CA that
//! is not in it but is one of the distribution's own copies of Mozilla's list
//! ([`DISTRIBUTION_MOZILLA_DIR`], what `ca-certificates` installs) is *retired*: a public CA
//! Mozilla has since removed or distrusted for TLS (the distribution's bundle is older than
//! the reference). Only the rest, CAs nobody published, are "not public": an intercepting
//! proxy's CA, a private CA.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls_pki_types::pem::PemObject;
use serde::Serialize;

use super::tls::{CertSummary, summarize};
use crate::settings::tls::{LINUX_CERT_DIRS, LINUX_CERT_FILES, TlsRoots};

/// The version of the `webpki-roots` crate built in (a test keeps it equal to Cargo.lock).
pub const WEBPKI_ROOTS_VERSION: &str = "1.0.10";

/// How reports name the reference public CAs are classified against.
pub const PUBLIC_ROOTS_REFERENCE: &str = "Mozilla's root program, webpki-roots 1.0.10";

/// Where Debian, Ubuntu and Alpine keep the certificates of Mozilla's list that
/// `ca-certificates` installs (`update-ca-certificates` adds local CAs from elsewhere).
pub const DISTRIBUTION_MOZILLA_DIR: &str = "/usr/share/ca-certificates/mozilla";

/// Largest file read as a certificate bundle (Debian's is about 220 KiB).
const MAX_BUNDLE_BYTES: u64 = 16 << 20;

/// Most files read from one certificate directory.
const MAX_DIR_FILES: usize = 20_000;

/// Subjects and public keys of the reference anchors (DER contents, without the outer
/// SEQUENCE header, as webpki stores them).
static PUBLIC_ANCHORS: LazyLock<HashSet<(Vec<u8>, Vec<u8>)>> = LazyLock::new(|| {
    webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .map(|a| (a.subject.to_vec(), a.subject_public_key_info.to_vec()))
        .collect()
});

/// Subjects of the reference anchors alone (to tell whether a certificate names a public
/// root as its issuer).
static PUBLIC_SUBJECTS: LazyLock<HashSet<Vec<u8>>> = LazyLock::new(|| {
    webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .map(|a| a.subject.to_vec())
        .collect()
});

/// A verifier trusting exactly the reference anchors.
static PUBLIC_VERIFIER: LazyLock<Option<Arc<WebPkiServerVerifier>>> = LazyLock::new(|| {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::new(rustls::crypto::ring::default_provider()),
    )
    .build()
    .ok()
});

/// SHA-256 fingerprints (hex) and DER of the distribution's copies of Mozilla's list.
static DISTRIBUTION_MOZILLA: LazyLock<(HashSet<String>, Vec<CertificateDer<'static>>)> =
    LazyLock::new(|| {
        let mut hashes = HashSet::new();
        let mut ders = Vec::new();
        if let Ok(entries) = std::fs::read_dir(DISTRIBUTION_MOZILLA_DIR) {
            for e in entries.flatten().take(MAX_DIR_FILES) {
                let Some(data) = read_bounded(&e.path()) else {
                    continue;
                };
                for der in CertificateDer::pem_slice_iter(&data).flatten() {
                    hashes.insert(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&der)));
                    ders.push(der);
                }
            }
        }
        (hashes, ders)
    });

/// A verifier trusting the distribution's copies of Mozilla's list (`None`: none found).
static RETIRED_VERIFIER: LazyLock<Option<Arc<WebPkiServerVerifier>>> = LazyLock::new(|| {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(DISTRIBUTION_MOZILLA.1.iter().cloned());
    if roots.is_empty() {
        return None;
    }
    WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::new(rustls::crypto::ring::default_provider()),
    )
    .build()
    .ok()
});

/// How a CA relates to the public-root reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RootClass {
    /// A root of the reference (Mozilla's program today).
    Public,
    /// Not in the reference, but one of the distribution's copies of Mozilla's list: a
    /// public CA since removed or distrusted.
    Retired,
    /// Published by no root program: a private or intercepting CA.
    NotPublic,
}

/// Classifies a DER CA certificate.
pub fn classify(der: &[u8]) -> RootClass {
    if is_public_root(der) {
        RootClass::Public
    } else if DISTRIBUTION_MOZILLA
        .0
        .contains(&hex::encode(<sha2::Sha256 as sha2::Digest>::digest(der)))
    {
        RootClass::Retired
    } else {
        RootClass::NotPublic
    }
}

/// Number of CAs in the reference.
pub fn public_root_count() -> usize {
    webpki_roots::TLS_SERVER_ROOTS.len()
}

/// Whether the DER certificate is one of the reference's public roots (same subject and
/// public key).
pub fn is_public_root(der: &[u8]) -> bool {
    let cert = CertificateDer::from(der);
    match webpki::anchor_from_trusted_cert(&cert) {
        Ok(a) => PUBLIC_ANCHORS.contains(&(a.subject.to_vec(), a.subject_public_key_info.to_vec())),
        Err(_) => false,
    }
}

/// How a presented chain relates to the public roots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainRoot {
    /// The chain verifies up to a public root (names and expiry aside).
    Public,
    /// The chain verifies up to a retired public root ([`RootClass::Retired`]).
    Retired,
    /// The chain ends in a CA that is not a public root.
    NotPublic,
}

/// Judges whether `chain` (leaf first, DER) ends in a public root, for a server called
/// `host`. A chain whose signatures lead to a reference anchor is public even when its
/// names or dates are wrong (those are reported separately); a chain whose top names a
/// public root as issuer but is not signed by it is not.
pub fn chain_root(chain: &[CertificateDer<'_>], host: &str) -> ChainRoot {
    let Some((leaf, rest)) = chain.split_first() else {
        return ChainRoot::NotPublic;
    };
    let Some(top) = chain.last() else {
        return ChainRoot::NotPublic;
    };
    if is_public_root(top) {
        return ChainRoot::Public;
    }
    let names_public_issuer = issuer_content(top).is_some_and(|i| PUBLIC_SUBJECTS.contains(&i));
    let Some(verifier) = PUBLIC_VERIFIER.as_ref() else {
        return ChainRoot::NotPublic;
    };
    let name = ServerName::try_from(host.to_string())
        .unwrap_or_else(|_| ServerName::try_from("invalid.invalid").expect("valid name"));
    let unknown = |r: &Result<_, rustls::Error>| {
        matches!(
            r,
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer | rustls::CertificateError::BadSignature,
            ))
        )
    };
    let public = verifier.verify_server_cert(leaf, rest, &name, &[], UnixTime::now());
    if public.is_ok() {
        return ChainRoot::Public;
    }
    if !unknown(&public) && names_public_issuer {
        // Name or date errors stop webpki before it finds the issuer: the issuer's name
        // decides.
        return ChainRoot::Public;
    }
    if classify(top) == RootClass::Retired {
        return ChainRoot::Retired;
    }
    if let Some(retired) = RETIRED_VERIFIER.as_ref() {
        let r = retired.verify_server_cert(leaf, rest, &name, &[], UnixTime::now());
        if r.is_ok() {
            return ChainRoot::Retired;
        }
    }
    ChainRoot::NotPublic
}

/// The content of a certificate's issuer Name (without the SEQUENCE header).
fn issuer_content(der: &[u8]) -> Option<Vec<u8>> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    strip_header(cert.issuer().as_raw()).map(<[u8]>::to_vec)
}

/// The contents of one DER TLV.
fn strip_header(tlv: &[u8]) -> Option<&[u8]> {
    let (&l0, rest) = tlv.get(1..)?.split_first()?;
    if l0 < 0x80 {
        return rest.get(..usize::from(l0));
    }
    let n = usize::from(l0 & 0x7f);
    let len = rest
        .get(..n)?
        .iter()
        .fold(0usize, |a, &b| (a << 8) | usize::from(b));
    rest.get(n..n + len)
}

/// One CA of the trust store.
#[derive(Debug, Clone, Serialize)]
pub struct StoreCa {
    /// The file it was read from.
    pub file: PathBuf,
    /// Its position among the certificates of that file (1-based).
    pub position: usize,
    /// Subject, issuer, dates, SHA-256 fingerprint.
    pub cert: CertSummary,
    /// Public, retired or not public.
    pub class: RootClass,
    /// Name constraints, when the CA carries them (what it may issue for is limited).
    pub name_constraints: bool,
}

impl StoreCa {
    /// `file:position`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.position)
    }
}

/// Go's effective trust store.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrustStore {
    /// Every distinct CA, in the order go reads them (duplicates by fingerprint dropped).
    pub cas: Vec<StoreCa>,
    /// The files certificates were read from.
    pub files: Vec<PathBuf>,
    /// Whether the locations are the platform's defaults (SSL_CERT_FILE / SSL_CERT_DIR unset,
    /// or set to what go would read anyway).
    pub default_location: bool,
    /// Whether the OS verifier is used instead (macOS, iOS, Windows): no files to read.
    pub platform_verifier: bool,
    /// Certificate blocks that could not be decoded.
    pub undecodable: usize,
    /// Files that could not be read (with the reason).
    pub unreadable: Vec<String>,
}

impl TrustStore {
    /// Reads the store go uses for `roots` (from the effective GOOS and the two variables).
    pub fn load(roots: &TlsRoots) -> TrustStore {
        let (files, dirs) = match roots {
            TlsRoots::Platform { .. } => {
                return TrustStore {
                    platform_verifier: true,
                    default_location: true,
                    ..TrustStore::default()
                };
            }
            TlsRoots::Files { files, dirs, .. } => (files, dirs),
            #[allow(unreachable_patterns)]
            _ => return TrustStore::default(),
        };
        let mut store = TrustStore {
            default_location: is_default_location(roots),
            ..TrustStore::default()
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        // root_unix.go: the first file that reads wins.
        if let Some((file, data)) = files.iter().find_map(|f| read_bounded(f).map(|d| (f, d))) {
            store.add_file(file, &data, &mut seen);
        }
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<PathBuf> = entries
                .flatten()
                .filter(|e| !is_same_dir_symlink(&e.path()))
                .map(|e| e.path())
                .take(MAX_DIR_FILES)
                .collect();
            names.sort();
            for p in names {
                match read_bounded(&p) {
                    Some(data) => store.add_file(&p, &data, &mut seen),
                    None if p.is_file() => store.unreadable.push(p.display().to_string()),
                    None => {}
                }
            }
        }
        store
    }

    fn add_file(&mut self, file: &Path, data: &[u8], seen: &mut HashMap<String, usize>) {
        let mut any = false;
        for (i, der) in CertificateDer::pem_slice_iter(data).enumerate() {
            let Ok(der) = der else {
                self.undecodable += 1;
                continue;
            };
            let Some(cert) = summarize(&der) else {
                self.undecodable += 1;
                continue;
            };
            any = true;
            if seen.contains_key(&cert.sha256) {
                continue;
            }
            seen.insert(cert.sha256.clone(), self.cas.len());
            self.cas.push(StoreCa {
                file: file.to_path_buf(),
                position: i + 1,
                class: classify(&der),
                name_constraints: has_name_constraints(&der),
                cert,
            });
        }
        if any {
            self.files.push(file.to_path_buf());
        }
    }

    /// The CAs that no root program published.
    pub fn non_public(&self) -> impl Iterator<Item = &StoreCa> {
        self.cas.iter().filter(|c| c.class == RootClass::NotPublic)
    }

    /// How many CAs are of this class.
    pub fn count(&self, class: RootClass) -> usize {
        self.cas.iter().filter(|c| c.class == class).count()
    }

    /// One short line: how many CAs of each class.
    pub fn summary(&self) -> String {
        let retired = self.count(RootClass::Retired);
        let n = self.cas.len();
        let mut s = format!(
            "{n} CA{}: {} public roots of {PUBLIC_ROOTS_REFERENCE}",
            if n == 1 { "" } else { "s" },
            self.count(RootClass::Public)
        );
        if retired > 0 {
            s.push_str(&format!(
                ", {retired} retired from Mozilla's program (still in the distribution's copy, {DISTRIBUTION_MOZILLA_DIR})"
            ));
        }
        s.push_str(&format!(
            ", {} not public",
            self.count(RootClass::NotPublic)
        ));
        s
    }

    /// The CA whose subject is `subject` (RFC 4514, as [`CertSummary::subject`]).
    pub fn by_subject(&self, subject: &str) -> Option<&StoreCa> {
        self.cas.iter().find(|c| c.cert.subject == subject)
    }
}

/// Whether the locations are what go reads when neither variable is set: SSL_CERT_FILE
/// naming the bundle go would pick anyway, SSL_CERT_DIR naming the default directories.
fn is_default_location(roots: &TlsRoots) -> bool {
    let TlsRoots::Files {
        files,
        file_from_env,
        dirs,
        dirs_from_env,
    } = roots
    else {
        return true;
    };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let file_ok = !file_from_env || {
        let default = TlsRoots::from_vars("linux", "", "");
        match (default.effective_file(), files.first()) {
            (Some(d), Some(f)) => canon(d) == canon(f),
            _ => false,
        }
    };
    let dirs_ok = !dirs_from_env || {
        let mut want: Vec<PathBuf> = LINUX_CERT_DIRS
            .iter()
            .map(|d| canon(Path::new(d)))
            .filter(|d| d.is_dir())
            .collect();
        let mut got: Vec<PathBuf> = dirs
            .iter()
            .map(|d| canon(d))
            .filter(|d| d.is_dir())
            .collect();
        want.sort();
        want.dedup();
        got.sort();
        got.dedup();
        want == got
    };
    // LINUX_CERT_FILES is only consulted through `TlsRoots::from_vars`.
    let _ = LINUX_CERT_FILES;
    file_ok && dirs_ok
}

/// `isSameDirSymlink` of root_unix.go: a symlink whose target has no slash.
fn is_same_dir_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::read_link(p).is_ok_and(|t| !t.to_string_lossy().contains('/'))
}

/// Reads a regular file of at most [`MAX_BUNDLE_BYTES`].
fn read_bounded(p: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(p).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut data = Vec::new();
    f.take(MAX_BUNDLE_BYTES).read_to_end(&mut data).ok()?;
    Some(data)
}

fn has_name_constraints(der: &[u8]) -> bool {
    use x509_parser::prelude::*;
    X509Certificate::from_der(der)
        .ok()
        .and_then(|(_, c)| c.name_constraints().ok().flatten().map(|_| ()))
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webpki_roots_version_matches_the_lock_file() {
        let lock =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock"))
                .expect("Cargo.lock");
        let want = format!("name = \"webpki-roots\"\nversion = \"{WEBPKI_ROOTS_VERSION}\"");
        assert!(lock.contains(&want), "Cargo.lock has another webpki-roots");
        assert!(PUBLIC_ROOTS_REFERENCE.contains(WEBPKI_ROOTS_VERSION));
    }

    fn ca(name: &str) -> (String, Vec<u8>) {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.distinguished_name.push(rcgen::DnType::CommonName, name);
        let key = rcgen::KeyPair::generate().unwrap();
        let c = p.self_signed(&key).unwrap();
        (c.pem(), c.der().to_vec())
    }

    #[test]
    fn a_private_ca_is_not_public_and_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let (a, a_der) = ca("Corp Root A");
        let (b, _) = ca("Corp Root B");
        let file = dir.path().join("bundle.pem");
        // The same CA twice: listed once, at its first position.
        std::fs::write(&file, format!("{a}{b}{a}")).unwrap();
        assert!(!is_public_root(&a_der));
        let roots = TlsRoots::from_vars("linux", file.to_str().unwrap(), "/nonexistent-dir");
        let store = TrustStore::load(&roots);
        assert!(!store.default_location);
        assert_eq!(store.cas.len(), 2);
        assert_eq!(store.non_public().count(), 2);
        assert_eq!(store.cas[1].position, 2);
        assert_eq!(store.cas[1].cert.subject, "CN=Corp Root B");
        assert_eq!(store.by_subject("CN=Corp Root A").unwrap().position, 1);
    }

    #[test]
    fn same_dir_symlinks_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = ca("Corp Root");
        std::fs::write(dir.path().join("corp.pem"), a).unwrap();
        std::os::unix::fs::symlink("corp.pem", dir.path().join("abcd1234.0")).unwrap();
        let roots = TlsRoots::from_vars("linux", "/nonexistent.pem", dir.path().to_str().unwrap());
        let store = TrustStore::load(&roots);
        assert_eq!(store.files, vec![dir.path().join("corp.pem")]);
    }

    #[test]
    fn platform_verifier_reads_nothing() {
        let store = TrustStore::load(&TlsRoots::from_vars("darwin", "/x.pem", ""));
        assert!(store.platform_verifier && store.cas.is_empty());
    }
}
