//! TLS trust roots used by the go command's own HTTPS requests (`crypto/x509`).
//!
//! Mirrors crypto/x509 `loadSystemRoots` (root_unix.go with the Linux lists of root_linux.go):
//! `SSL_CERT_FILE` replaces the list of bundle files, `SSL_CERT_DIR` (colon-separated) the
//! list of directories. macOS and Windows use the platform verifier and ignore both. Other
//! Unix systems have their own default lists; the Linux ones are used here for all of them.

use std::path::{Path, PathBuf};

/// Bundle files Go tries on Linux, first readable one wins.
pub const LINUX_CERT_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// Directories Go loads on Linux (every file in each).
pub const LINUX_CERT_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// Where the roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsRoots {
    /// The OS verifier (macOS, iOS, Windows): SSL_CERT_FILE/SSL_CERT_DIR are ignored.
    Platform {
        /// True if SSL_CERT_FILE or SSL_CERT_DIR is set although it has no effect.
        env_ignored: bool,
    },
    /// PEM files and directories.
    Files {
        /// Candidate bundle files in order (first readable wins).
        files: Vec<PathBuf>,
        /// True if SSL_CERT_FILE replaced the defaults.
        file_from_env: bool,
        /// Directories whose files are all loaded.
        dirs: Vec<PathBuf>,
        /// True if SSL_CERT_DIR replaced the defaults.
        dirs_from_env: bool,
    },
}

impl TlsRoots {
    /// Computes the configuration for `goos` from the two variables ("" = unset).
    pub fn from_vars(goos: &str, ssl_cert_file: &str, ssl_cert_dir: &str) -> TlsRoots {
        if matches!(goos, "darwin" | "ios" | "windows") {
            return TlsRoots::Platform {
                env_ignored: !ssl_cert_file.is_empty() || !ssl_cert_dir.is_empty(),
            };
        }
        let (files, file_from_env) = if ssl_cert_file.is_empty() {
            (LINUX_CERT_FILES.iter().map(PathBuf::from).collect(), false)
        } else {
            (vec![PathBuf::from(ssl_cert_file)], true)
        };
        let (dirs, dirs_from_env) = if ssl_cert_dir.is_empty() {
            (LINUX_CERT_DIRS.iter().map(PathBuf::from).collect(), false)
        } else {
            (ssl_cert_dir.split(':').map(PathBuf::from).collect(), true)
        };
        TlsRoots::Files {
            files,
            file_from_env,
            dirs,
            dirs_from_env,
        }
    }

    /// The bundle file Go would load (first readable candidate), if any.
    pub fn effective_file(&self) -> Option<&Path> {
        match self {
            TlsRoots::Files { files, .. } => files
                .iter()
                .find(|f| {
                    std::fs::File::open(f).is_ok_and(|h| h.metadata().is_ok_and(|m| m.is_file()))
                })
                .map(PathBuf::as_path),
            TlsRoots::Platform { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides() {
        match TlsRoots::from_vars("linux", "/x.pem", "/a:/b") {
            TlsRoots::Files {
                files,
                file_from_env,
                dirs,
                dirs_from_env,
            } => {
                assert_eq!(files, vec![PathBuf::from("/x.pem")]);
                assert!(file_from_env && dirs_from_env);
                assert_eq!(dirs, vec![PathBuf::from("/a"), PathBuf::from("/b")]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            TlsRoots::from_vars("darwin", "/x.pem", ""),
            TlsRoots::Platform { env_ignored: true }
        );
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ca.pem");
        std::fs::write(&f, "x").unwrap();
        let roots = TlsRoots::from_vars("linux", f.to_str().unwrap(), "");
        assert_eq!(roots.effective_file(), Some(f.as_path()));
        let none = TlsRoots::from_vars("linux", "/nonexistent.pem", "");
        assert_eq!(none.effective_file(), None);
    }
}
