//! `h1:` hashes of file trees, module zips and go.mod files, mirroring
//! `golang.org/x/mod/sumdb/dirhash` (`hash.go`: `Hash1`, `HashDir`,
//! `DirFiles`, `HashZip`).
//!
//! Contents are streamed through SHA-256 with 64 KiB buffers, never held
//! whole. Names are byte strings, as Go strings are: sorting is byte-wise and
//! non-UTF-8 names are hashed as they are.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::ziparchive::{self as reader, ArchiveError};

/// `h1:` of an empty file list (also of an empty module zip).
pub const EMPTY_H1: &str = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

/// `h1:` of an empty go.mod; cmd/go drops go.sum lines with this hash (an old bug wrote them).
pub const EMPTY_GO_MOD_H1: &str = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=";

/// Why a hash could not be computed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirHashError {
    /// A file name contains `\n`, which the summary format cannot represent.
    #[error("dirhash: filenames with newlines are not supported")]
    NewlineInName {
        /// The offending name.
        name: Vec<u8>,
    },
    /// Opening or reading a file failed.
    #[error("{}: {source}", String::from_utf8_lossy(name))]
    Io {
        /// The file name as hashed.
        name: Vec<u8>,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The root given to [`hash_dir`] is not a directory.
    #[error("{} is not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// The zip archive could not be read, or an entry failed its checks.
    #[error("{}{}", .name.as_ref().map(|n| format!("{}: ", String::from_utf8_lossy(n))).unwrap_or_default(), .source)]
    Zip {
        /// The entry being read, if the error is about one entry.
        name: Option<Vec<u8>>,
        /// The reader's error.
        #[source]
        source: ArchiveError,
    },
}

/// Streams `r` through SHA-256.
fn sha256_reader<R: Read>(mut r: R, buf: &mut [u8]) -> io::Result<[u8; 32]> {
    let mut h = Sha256::new();
    loop {
        match r.read(buf) {
            Ok(0) => return Ok(h.finalize().into()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Builds the `h1:` value from (name, SHA-256 of content) pairs: sorts by
/// name (byte order, duplicates kept), rejects names with `\n`, and hashes
/// the `sha256sum`-style summary. This is Hash1 when the contents were
/// already hashed, e.g. in one pass over a zip.
pub fn hash1_from_digests(mut files: Vec<(Vec<u8>, [u8; 32])>) -> Result<String, DirHashError> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = Sha256::new();
    for (name, digest) in &files {
        if name.contains(&b'\n') {
            return Err(DirHashError::NewlineInName { name: name.clone() });
        }
        summary.update(hex_lower(digest).as_bytes());
        summary.update(b"  ");
        summary.update(name);
        summary.update(b"\n");
    }
    Ok(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(summary.finalize())
    ))
}

fn hex_lower(d: &[u8; 32]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(64);
    for b in d {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// Go's `dirhash.Hash1`: `names` in any order; `open` is called once per
/// name, in sorted order, and its reader is streamed through SHA-256.
pub fn hash1<N, R, F>(names: &[N], mut open: F) -> Result<String, DirHashError>
where
    N: AsRef<[u8]>,
    R: Read,
    F: FnMut(&[u8]) -> io::Result<R>,
{
    let mut sorted: Vec<&[u8]> = names.iter().map(|n| n.as_ref()).collect();
    sorted.sort();
    let mut buf = vec![0u8; reader::BUF_SIZE];
    let mut files = Vec::with_capacity(sorted.len());
    for name in sorted {
        if name.contains(&b'\n') {
            return Err(DirHashError::NewlineInName {
                name: name.to_vec(),
            });
        }
        let io_err = |source| DirHashError::Io {
            name: name.to_vec(),
            source,
        };
        let r = open(name).map_err(io_err)?;
        let digest = sha256_reader(r, &mut buf).map_err(io_err)?;
        files.push((name.to_vec(), digest));
    }
    hash1_from_digests(files)
}

/// Hash1 over in-memory (name, content) pairs.
pub fn hash1_bytes<N: AsRef<[u8]>, C: AsRef<[u8]>>(
    files: &[(N, C)],
) -> Result<String, DirHashError> {
    let digests = files
        .iter()
        .map(|(n, c)| (n.as_ref().to_vec(), Sha256::digest(c.as_ref()).into()))
        .collect();
    hash1_from_digests(digests)
}

/// The go.sum `/go.mod` hash: Hash1 over one file named `go.mod` with these bytes.
pub fn hash_go_mod(data: &[u8]) -> String {
    let line = format!("{}  go.mod\n", hex_lower(&Sha256::digest(data).into()));
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(line.as_bytes()))
    )
}

fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        s.as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        s.to_string_lossy().into_owned().into_bytes()
    }
}

/// Go's `filepath.Join(prefix, rel)` for slash paths: join, then clean.
fn join_clean(prefix: &[u8], rel: &[u8]) -> Vec<u8> {
    if prefix.is_empty() {
        return crate::path::clean_bytes(rel);
    }
    let mut j = prefix.to_vec();
    j.push(b'/');
    j.extend_from_slice(rel);
    crate::path::clean_bytes(&j)
}

/// Go's `dirhash.DirFiles`: every non-directory under `dir` (symbolic links
/// are listed, not followed), named `prefix/relative/path`, in walk order.
pub fn dir_files(dir: &Path, prefix: &str) -> Result<Vec<Vec<u8>>, DirHashError> {
    let meta = fs::symlink_metadata(dir).map_err(|source| DirHashError::Io {
        name: os_bytes(dir.as_os_str()),
        source,
    })?;
    if !meta.is_dir() {
        return Err(DirHashError::NotADirectory(dir.to_path_buf()));
    }
    let mut out = Vec::new();
    walk(dir, &[], prefix.as_bytes(), &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, rel: &[u8], prefix: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), DirHashError> {
    let io_err = |p: &Path| {
        let name = os_bytes(p.as_os_str());
        move |source| DirHashError::Io { name, source }
    };
    let mut ents = Vec::new();
    for ent in fs::read_dir(dir).map_err(io_err(dir))? {
        let ent = ent.map_err(io_err(dir))?;
        ents.push((os_bytes(&ent.file_name()), ent.path()));
    }
    ents.sort();
    for (name, path) in ents {
        let mut r = rel.to_vec();
        if !r.is_empty() {
            r.push(b'/');
        }
        r.extend_from_slice(&name);
        let meta = fs::symlink_metadata(&path).map_err(io_err(&path))?;
        if meta.is_dir() {
            walk(&path, &r, prefix, out)?;
        } else {
            out.push(join_clean(prefix, &r));
        }
    }
    Ok(())
}

/// Go's `dirhash.HashDir`: Hash1 over [`dir_files`], reading each file from
/// `dir` joined with its name minus `prefix`.
pub fn hash_dir(dir: &Path, prefix: &str) -> Result<String, DirHashError> {
    let files = dir_files(dir, prefix)?;
    hash1(&files, |name| {
        let rel = name.strip_prefix(prefix.as_bytes()).unwrap_or(name);
        let mut p = dir.to_path_buf();
        for part in rel.split(|&b| b == b'/').filter(|s| !s.is_empty()) {
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStrExt;
                p.push(std::ffi::OsStr::from_bytes(part));
            }
            #[cfg(not(unix))]
            p.push(String::from_utf8_lossy(part).as_ref());
        }
        fs::File::open(p)
    })
}

/// Go's `dirhash.HashZip`: Hash1 over every central-directory entry of the
/// zip (directories included, with empty content), names exactly as stored.
/// A name stored twice is listed twice and both lines hash the content of
/// the last entry with that name, as in Go. Reading an entry applies
/// `archive/zip`'s checks: declared size, CRC-32, compression method.
pub fn hash_zip<R: Read + Seek>(r: &mut R) -> Result<String, DirHashError> {
    let archive =
        reader::read_archive(r).map_err(|source| DirHashError::Zip { name: None, source })?;
    let mut last: HashMap<&[u8], usize> = HashMap::new();
    for (i, e) in archive.entries.iter().enumerate() {
        last.insert(&e.name, i);
    }
    let mut order: Vec<&[u8]> = archive.entries.iter().map(|e| &e.name[..]).collect();
    order.sort();
    let mut buf = Vec::new();
    let mut memo: HashMap<usize, [u8; 32]> = HashMap::new();
    let mut files = Vec::with_capacity(order.len());
    for name in order {
        if name.contains(&b'\n') {
            return Err(DirHashError::NewlineInName {
                name: name.to_vec(),
            });
        }
        let i = last[name];
        let digest = match memo.get(&i) {
            Some(d) => *d,
            None => {
                let e = &archive.entries[i];
                let mut h = Sha256::new();
                reader::stream_entry(r, e, &mut buf, &mut |c| h.update(c)).map_err(|source| {
                    DirHashError::Zip {
                        name: Some(name.to_vec()),
                        source,
                    }
                })?;
                let d: [u8; 32] = h.finalize().into();
                memo.insert(i, d);
                d
            }
        };
        files.push((name.to_vec(), digest));
    }
    hash1_from_digests(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        let h = hash1_bytes(&[("xyz", "data for xyz"), ("abc", "data for abc")]).unwrap();
        assert_eq!(h, "h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8=");
        let h = hash1_bytes(&[
            ("prefix/xyz", "data for xyz"),
            ("prefix/abc", "data for abc"),
        ])
        .unwrap();
        assert_eq!(h, "h1:rLyfpGMAgqOnGE2aKOY5Xb6cOc0/YQhPjHBHBwkblhs=");
        assert_eq!(hash1_bytes::<&str, &str>(&[]).unwrap(), EMPTY_H1);
        assert!(matches!(
            hash1_bytes(&[("a\nb", "")]),
            Err(DirHashError::NewlineInName { .. })
        ));
        for (m, h) in [
            ("", EMPTY_GO_MOD_H1),
            (
                "module example.com/m\n",
                "h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k=",
            ),
            (
                "module rsc.io/quote\n",
                "h1:XlB+e70VC7gDa0v7/5nngb/cb1VWDr292yT8rt7ya4k=",
            ),
            (
                "module example.com/m\n\ngo 1.21\n",
                "h1:ONeDgCa5UF/jJRjGzpOKmUiezgFEk4IPFZ96frvroW0=",
            ),
            (
                "module \"rsc.io/quote\"\n\nrequire \"rsc.io/sampler\" v1.3.0\n",
                "h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=",
            ),
            (
                "module \"rsc.io/sampler\"\n\nrequire \"golang.org/x/text\" v0.0.0-20170915032832-14c0d48ead0c\n",
                "h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=",
            ),
        ] {
            assert_eq!(hash_go_mod(m.as_bytes()), h, "{m:?}");
        }
        let p = "example.com/m@v1.0.0/";
        let h = hash1_bytes(&[
            (format!("{p}go.mod"), "module example.com/m\n"),
            (format!("{p}m.go"), "package m\n"),
            (format!("{p}LICENSE"), "MIT\n"),
        ])
        .unwrap();
        assert_eq!(h, "h1:5lNmWtLLdgk7RJ783GlZWNFjTWZPf/cS1KAK7Z/TDpE=");
    }

    #[test]
    fn hash1_reports_open_errors() {
        let r = hash1(&["a"], |_| -> io::Result<&[u8]> {
            Err(io::Error::other("boom"))
        });
        assert!(matches!(r, Err(DirHashError::Io { .. })));
    }
}
