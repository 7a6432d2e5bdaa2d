//! The module cache's layout (`src/cmd/go/internal/modfetch/cache.go`): the walk of
//! `cache/download/ESCPATH/@v` and of the extracted trees `ESCPATH@ESCVER`, the files each
//! module version has, the leftovers of interrupted downloads, the `.ziphash` reader, and
//! the module versions a project names (`--project`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use gomod::gosum::{self, GoSum};
use gomod::modfile;
use gomod::module;

use super::{CacheError, CacheOptions, io_err};
use crate::verify::{ItemKind, ItemResult, VerifyStatus};

/// Largest `.ziphash` read (a valid one is 47 bytes; go trims white space).
pub(super) const MAX_ZIPHASH: u64 = 4096;

/// What the cache holds for one module version.
#[derive(Debug, Default)]
pub(super) struct Entry {
    /// `cache/download/ESCPATH/@v`, when it exists.
    pub(super) vdir: Option<PathBuf>,
    /// Escaped version (file stem in `@v`).
    pub(super) escver: String,
    pub(super) zip: bool,
    pub(super) ziphash: bool,
    pub(super) modfile: bool,
    pub(super) partial: bool,
    pub(super) lock: bool,
    /// The extracted tree, when it exists.
    pub(super) dir: Option<PathBuf>,
}

/// The project's go.sum, with its path for locations.
pub(super) struct SumRef {
    pub(super) path: PathBuf,
    pub(super) sum: GoSum,
}

/// What the walk found before any hashing.
pub(super) struct Collected {
    pub(super) entries: BTreeMap<(String, String), Entry>,
    pub(super) items: Vec<ItemResult>,
    pub(super) sum: Option<SumRef>,
    pub(super) notes: Vec<String>,
}

pub(super) fn collect(opts: &CacheOptions<'_>) -> Result<Collected, CacheError> {
    let meta = fs::metadata(&opts.modcache).map_err(io_err(&opts.modcache))?;
    if !meta.is_dir() {
        return Err(CacheError::NotADirectory(opts.modcache.clone()));
    }
    let download = opts.modcache.join("cache").join("download");
    if !fs::symlink_metadata(&download).is_ok_and(|m| m.is_dir()) {
        return Err(CacheError::NotAModuleCache(opts.modcache.clone()));
    }
    let mut entries: BTreeMap<(String, String), Entry> = BTreeMap::new();
    let mut items = Vec::new();
    let mut notes = Vec::new();
    scan_download(opts, &mut entries, &mut items)?;
    scan_trees(opts, &mut entries, &mut items)?;

    let mut sum = None;
    if let Some(project) = &opts.project {
        let (wanted, s) = project_modules(project)?;
        notes.push(format!(
            "--project {}: {} module versions (go.mod requires and their replacements, and every go.sum line); the module graph is not walked",
            project.display(),
            wanted.len()
        ));
        entries.retain(|k, _| wanted.contains(k));
        items.retain(|i: &ItemResult| match (&i.module, &i.version) {
            (Some(m), Some(v)) => wanted.contains(&(m.clone(), v.clone())),
            _ => false,
        });
        for (m, v) in wanted {
            if !entries.contains_key(&(m.clone(), v.clone())) {
                let mut item = ItemResult::new(
                    ItemKind::Module,
                    VerifyStatus::NotCached,
                    "nothing in the module cache",
                );
                item.module = Some(m);
                item.version = Some(v);
                items.push(item);
            }
        }
        sum = s;
    } else {
        notes.push("go.sum not consulted (no --project given)".to_owned());
    }
    Ok(Collected {
        entries,
        items,
        sum,
        notes,
    })
}

/// Splits `STEM.EXT` for the extensions the download cache uses.
pub(super) fn split_cache_name(name: &str) -> Option<(&str, &str)> {
    for ext in ["ziphash", "zip", "mod", "info", "lock", "partial"] {
        if let Some(stem) = name
            .strip_suffix(ext)
            .and_then(|s| s.strip_suffix('.'))
            .filter(|s| !s.is_empty())
        {
            return Some((stem, ext));
        }
    }
    None
}

pub(super) fn leftover(
    path: PathBuf,
    module: Option<String>,
    version: Option<String>,
    why: &str,
) -> ItemResult {
    let mut item = ItemResult::new(ItemKind::Leftover, VerifyStatus::Leftover, why);
    item.module = module;
    item.version = version;
    item.path = Some(path);
    item
}

/// A symbolic link or special file where go writes only directories and regular files: named
/// as a finding, never followed or opened (a FIFO would block the walk, a link could point at
/// any file of the system).
pub(super) fn unexpected_file(path: PathBuf, kind: ItemKind, ft: fs::FileType) -> ItemResult {
    let why = if ft.is_symlink() {
        "symbolic link in the module cache (go never writes one): not followed"
    } else {
        "not a regular file (FIFO, socket or device) in the module cache: skipped without opening it"
    };
    let mut item = ItemResult::new(kind, VerifyStatus::Error, why);
    item.path = Some(path);
    item
}

/// Walks `cache/download` for `@v` directories (skipping `sumdb`, the database's own cache).
pub(super) fn scan_download(
    opts: &CacheOptions<'_>,
    entries: &mut BTreeMap<(String, String), Entry>,
    items: &mut Vec<ItemResult>,
) -> Result<(), CacheError> {
    let root = opts.modcache.join("cache").join("download");
    if !root.is_dir() {
        return Ok(());
    }
    let mut stack = vec![(root.clone(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let mut names = Vec::new();
        for ent in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let ent = ent.map_err(io_err(&dir))?;
            let ft = ent.file_type().map_err(io_err(&ent.path()))?;
            names.push((ent.file_name(), ft));
        }
        for (name, ft) in names {
            let Some(name) = name.to_str() else { continue };
            if ft.is_symlink() {
                items.push(unexpected_file(dir.join(name), ItemKind::Leftover, ft));
                continue;
            }
            if !ft.is_dir() {
                continue;
            }
            if rel.is_empty() && name == "sumdb" {
                continue;
            }
            if name == "@v" {
                scan_versions(&dir.join("@v"), &rel, entries, items)?;
            } else {
                let r = if rel.is_empty() {
                    name.to_owned()
                } else {
                    format!("{rel}/{name}")
                };
                stack.push((dir.join(name), r));
            }
        }
    }
    Ok(())
}

pub(super) fn scan_versions(
    vdir: &Path,
    escpath: &str,
    entries: &mut BTreeMap<(String, String), Entry>,
    items: &mut Vec<ItemResult>,
) -> Result<(), CacheError> {
    let module = module::unescape_path(escpath).ok();
    for ent in fs::read_dir(vdir).map_err(io_err(vdir))? {
        let ent = ent.map_err(io_err(vdir))?;
        let ft = ent.file_type().map_err(io_err(&ent.path()))?;
        let Some(name) = ent.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !ft.is_file() && !ft.is_dir() {
            let kind = match split_cache_name(&name) {
                Some((_, "zip")) => ItemKind::Zip,
                Some((_, "mod")) => ItemKind::Mod,
                Some((_, "ziphash")) => ItemKind::Ziphash,
                _ => ItemKind::Leftover,
            };
            let mut item = unexpected_file(ent.path(), kind, ft);
            item.module = module.clone();
            item.version =
                split_cache_name(&name).and_then(|(stem, _)| module::unescape_version(stem).ok());
            items.push(item);
            continue;
        }
        if name.ends_with(".tmp") {
            // fetch.go's tempFile names: `V.zip<random>.tmp`; renameio: `V.info<random>.tmp`.
            let version = name
                .split_once(".zip")
                .or_else(|| name.split_once(".mod"))
                .or_else(|| name.split_once(".info"))
                .and_then(|(s, _)| module::unescape_version(s).ok());
            items.push(leftover(
                ent.path(),
                module.clone(),
                version,
                "temporary file of an interrupted download",
            ));
            continue;
        }
        let Some((stem, ext)) = split_cache_name(&name) else {
            continue;
        };
        let Some(module) = &module else {
            let mut item = ItemResult::new(
                ItemKind::Leftover,
                VerifyStatus::Error,
                format!("{escpath:?} is not a valid escaped module path"),
            );
            item.path = Some(ent.path());
            items.push(item);
            continue;
        };
        let Ok(version) = module::unescape_version(stem) else {
            continue;
        };
        let e = entries.entry((module.clone(), version)).or_default();
        e.vdir = Some(vdir.to_path_buf());
        e.escver = stem.to_owned();
        match ext {
            "zip" => e.zip = true,
            "ziphash" => e.ziphash = true,
            "mod" => e.modfile = true,
            "partial" => e.partial = true,
            "lock" => e.lock = true,
            _ => {}
        }
    }
    Ok(())
}

/// Walks the cache outside `cache/` for extracted trees (`ESCPATH@ESCVER`), and attaches
/// them to entries; partial files and orphan locks become leftover items.
pub(super) fn scan_trees(
    opts: &CacheOptions<'_>,
    entries: &mut BTreeMap<(String, String), Entry>,
    items: &mut Vec<ItemResult>,
) -> Result<(), CacheError> {
    let mut stack = vec![(opts.modcache.clone(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        for ent in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let ent = ent.map_err(io_err(&dir))?;
            let ft = ent.file_type().map_err(io_err(&ent.path()))?;
            let Some(name) = ent.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if ft.is_symlink() {
                items.push(unexpected_file(ent.path(), ItemKind::Dir, ft));
                continue;
            }
            if !ft.is_dir() || (rel.is_empty() && name == "cache") {
                continue;
            }
            // Module path elements cannot contain '@', so the first one splits path and version.
            if let Some((last, escver)) = name.split_once('@') {
                let escpath = if rel.is_empty() {
                    last.to_owned()
                } else {
                    format!("{rel}/{last}")
                };
                let (Ok(m), Ok(v)) = (
                    module::unescape_path(&escpath),
                    module::unescape_version(escver),
                ) else {
                    continue;
                };
                let e = entries.entry((m, v)).or_default();
                if e.escver.is_empty() {
                    e.escver = escver.to_owned();
                }
                e.dir = Some(ent.path());
            } else {
                let r = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                stack.push((ent.path(), r));
            }
        }
    }
    for ((m, v), e) in entries.iter() {
        let Some(vdir) = &e.vdir else { continue };
        if e.partial {
            items.push(leftover(
                vdir.join(format!("{}.partial", e.escver)),
                Some(m.clone()),
                Some(v.clone()),
                "extraction was interrupted; go re-extracts this module on next use, so its tree was not judged",
            ));
        }
        if e.lock && !e.zip && !e.ziphash && e.dir.is_none() {
            items.push(leftover(
                vdir.join(format!("{}.lock", e.escver)),
                Some(m.clone()),
                Some(v.clone()),
                "lock file with no zip, .ziphash or extracted tree: an interrupted download",
            ));
        }
    }
    Ok(())
}

/// The module versions of a project: go.mod requires (and their replacements), go.sum keys.
#[allow(clippy::type_complexity)]
pub(super) fn project_modules(
    project: &Path,
) -> Result<(BTreeSet<(String, String)>, Option<SumRef>), CacheError> {
    let mut wanted = BTreeSet::new();
    let gomod = project.join("go.mod");
    let data = fs::read(&gomod).map_err(io_err(&gomod))?;
    let mf =
        modfile::parse(&gomod.to_string_lossy(), &data).map_err(|errors| CacheError::GoMod {
            path: gomod.clone(),
            errors,
        })?;
    for r in &mf.require {
        let replaced = mf.replace.iter().find(|rep| {
            rep.old_path == r.path && rep.old_version.as_ref().is_none_or(|v| *v == r.version)
        });
        match replaced {
            // A directory replacement has nothing in the cache.
            Some(rep) => {
                if let Some(v) = &rep.new_version {
                    wanted.insert((rep.new_path.clone(), v.clone()));
                }
            }
            None => {
                wanted.insert((r.path.clone(), r.version.clone()));
            }
        }
    }
    let sum_path = project.join("go.sum");
    let sum = match fs::read(&sum_path) {
        Ok(data) => {
            let sum = gosum::parse(&sum_path.to_string_lossy(), &data)?;
            for l in &sum.lines {
                wanted.insert((l.module.clone(), l.version.clone()));
            }
            Some(SumRef {
                path: sum_path,
                sum,
            })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(&sum_path)(e)),
    };
    Ok((wanted, sum))
}

/// Why a `.ziphash` gave no hash.
pub(super) enum ZiphashError {
    /// It could not be read.
    Unreadable(io::Error),
    /// It was read but holds no `h1:` hash (garbage, binary, truncated).
    Undecodable(String),
}

/// Reads a `.ziphash`: only a regular file (never a link or a FIFO), bounded, white space
/// trimmed as go does (`modfetch.checkMod` reads it with `strings.TrimSpace`), and it must
/// hold an `h1:` hash of 32 bytes.
pub(super) fn read_ziphash(path: &Path) -> Result<String, ZiphashError> {
    let meta = fs::symlink_metadata(path).map_err(ZiphashError::Unreadable)?;
    if !meta.is_file() {
        return Err(ZiphashError::Undecodable(
            "not a regular file (not opened)".to_owned(),
        ));
    }
    let mut data = Vec::new();
    File::open(path)
        .and_then(|f| f.take(MAX_ZIPHASH).read_to_end(&mut data))
        .map_err(ZiphashError::Unreadable)?;
    let text = std::str::from_utf8(&data)
        .map_err(|_| ZiphashError::Undecodable("not UTF-8 text".to_owned()))?
        .trim();
    let valid = text.strip_prefix("h1:").is_some_and(|b64| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .is_ok_and(|d| d.len() == 32)
    });
    if !valid {
        return Err(ZiphashError::Undecodable(format!(
            "holds {:?}, not an h1: hash",
            crate::redact::escape_controls(&text.chars().take(60).collect::<String>())
        )));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_names() {
        assert_eq!(split_cache_name("v1.0.0.zip"), Some(("v1.0.0", "zip")));
        assert_eq!(
            split_cache_name("v1.0.0.ziphash"),
            Some(("v1.0.0", "ziphash"))
        );
        assert_eq!(
            split_cache_name("v1.0.0-!r!c1.mod"),
            Some(("v1.0.0-!r!c1", "mod"))
        );
        assert_eq!(split_cache_name("list"), None);
        assert_eq!(split_cache_name(".zip"), None);
    }
}
