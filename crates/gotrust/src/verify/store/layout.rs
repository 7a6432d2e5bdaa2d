//! Store layouts: which stored files make up one module version.
//!
//! Two layouts are read, from the same sorted stream of file keys:
//!
//! * the GOPROXY protocol layout, `<escaped path>/@v/<escaped version>.{info,mod,zip}`: what a
//!   `file://` GOPROXY serves and what go keeps in `GOMODCACHE/cache/download`
//!   (`src/cmd/go/internal/modfetch/cache.go`, `CachePath`); go's own extras there (`list`,
//!   `*.lock`, `*.ziphash`) belong to no check, and its interrupted downloads (`*.tmp`, written
//!   by `renameio`/`os.CreateTemp` and renamed when complete, and `*.partial`) are leftovers;
//! * Athens's storage: its disk backend keeps `<path>/<version>/{go.mod,source.zip,<version>.info}`
//!   (gomods/athens `pkg/storage/fs/saver.go`), its object backends
//!   `<path>/@v/<version>.{info,mod,zip}` (`pkg/config/paths.go`, `PackageVersionedName`), both
//!   with the module path and version as given, not case-escaped.
//!
//! Files are grouped by their directory: a sorted listing gives every `@v/` or version
//! directory as one consecutive run, so a group is complete when the next key leaves it.

use std::collections::BTreeMap;

use gomod::module;

/// Which layout the store is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Layout {
    /// Each directory is read as whichever layout it matches (escaped paths first).
    #[default]
    Auto,
    /// The GOPROXY protocol layout (go's `cache/download`, a `file://` GOPROXY).
    Goproxy,
    /// Athens's storage: its disk layout and its object-store layout (paths not escaped).
    Athens,
}

impl Layout {
    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Auto => "auto",
            Layout::Goproxy => "goproxy",
            Layout::Athens => "athens",
        }
    }

    /// Parses a name of [`Layout::as_str`].
    pub fn parse(s: &str) -> Option<Layout> {
        match s {
            "auto" => Some(Layout::Auto),
            "goproxy" => Some(Layout::Goproxy),
            "athens" => Some(Layout::Athens),
            _ => None,
        }
    }
}

/// One stored file: its key relative to the store root (`/`-separated) and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Key relative to the store root.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
}

impl Entry {
    /// The last element of the key.
    pub fn name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or(&self.key)
    }

    /// Everything before the last `/` (empty at the root).
    pub fn dir(&self) -> &str {
        self.key.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

/// The files directly in one directory, as listed consecutively.
#[derive(Debug, Clone, Default)]
pub struct Group {
    /// The directory (no trailing `/`; empty for the root).
    pub dir: String,
    /// Its files, in listing order.
    pub files: Vec<Entry>,
}

impl Group {
    /// The last key of the group: where a resumed run continues after.
    pub fn last_key(&self) -> &str {
        self.files.last().map_or("", |e| e.key.as_str())
    }
}

/// What a group of files holds: module versions, and files that belong to none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Module path, when the directory names one.
    pub module: Option<String>,
    /// Version, when the file names one.
    pub version: Option<String>,
    /// Which layout the unit was read as.
    pub layout: Layout,
    /// The module zip.
    pub zip: Option<Entry>,
    /// The go.mod file.
    pub gomod: Option<Entry>,
    /// The `.info` file.
    pub info: Option<Entry>,
    /// Files of interrupted writes (`*.tmp`, `*.partial`).
    pub leftovers: Vec<Entry>,
    /// Set for a file that belongs to no module version: why.
    pub orphan: Option<String>,
}

impl Unit {
    fn new(module: Option<String>, version: Option<String>, layout: Layout) -> Unit {
        Unit {
            module,
            version,
            layout,
            zip: None,
            gomod: None,
            info: None,
            leftovers: Vec::new(),
            orphan: None,
        }
    }

    fn orphan(e: Entry, module: Option<String>, why: String) -> Unit {
        Unit {
            orphan: Some(why),
            zip: None,
            gomod: None,
            info: Some(e),
            ..Unit::new(module, None, Layout::Auto)
        }
    }

    /// Every file of the unit.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.zip
            .iter()
            .chain(&self.gomod)
            .chain(&self.info)
            .chain(&self.leftovers)
    }
}

/// The module path a group's files belong to, if any: the key used for `--shard`.
pub fn group_module(g: &Group, layout: Layout) -> Option<String> {
    if let Some(text) = g.dir.strip_suffix("/@v") {
        return at_v_module(text, layout);
    }
    athens_disk(g, layout).map(|(m, _)| m)
}

/// The module path of `<text>/@v`: escaped (GOPROXY layout) or as is (Athens).
fn at_v_module(text: &str, layout: Layout) -> Option<String> {
    if layout != Layout::Athens
        && let Ok(m) = module::unescape_path(text)
    {
        return Some(m);
    }
    if layout != Layout::Goproxy && module::check_path(text).is_ok() {
        return Some(text.to_owned());
    }
    None
}

/// `(module, version)` when the group is an Athens disk version directory.
fn athens_disk(g: &Group, layout: Layout) -> Option<(String, String)> {
    if layout == Layout::Goproxy {
        return None;
    }
    let (m, v) = g.dir.rsplit_once('/')?;
    if !module::semver::is_valid(v) || module::check(m, v).is_err() {
        return None;
    }
    let info = format!("{v}.info");
    g.files
        .iter()
        .any(|e| matches!(e.name(), "go.mod" | "source.zip") || e.name() == info)
        .then(|| (m.to_owned(), v.to_owned()))
}

/// Splits a group into module versions and orphans, versions in the order of their first
/// file.
pub fn units(g: Group, layout: Layout) -> Vec<Unit> {
    if let Some(text) = g.dir.strip_suffix("/@v") {
        return at_v_units(text, g.files, layout);
    }
    if let Some((m, v)) = athens_disk(&g, layout) {
        let mut u = Unit::new(Some(m.clone()), Some(v.clone()), Layout::Athens);
        let mut out = Vec::new();
        let info = format!("{v}.info");
        for e in g.files {
            let name = e.name();
            if name == "go.mod" {
                u.gomod = Some(e);
            } else if name == "source.zip" {
                u.zip = Some(e);
            } else if name == info {
                u.info = Some(e);
            } else if name.ends_with(".tmp") || name.ends_with(".partial") {
                u.leftovers.push(e);
            } else {
                out.push(Unit::orphan(
                    e,
                    Some(m.clone()),
                    format!("not a file of Athens's version directory for {m}@{v}"),
                ));
            }
        }
        out.insert(0, u);
        return out;
    }
    g.files
        .into_iter()
        .map(|e| {
            Unit::orphan(
                e,
                None,
                "not in a module version directory of the layout".to_owned(),
            )
        })
        .collect()
}

fn at_v_units(text: &str, files: Vec<Entry>, layout: Layout) -> Vec<Unit> {
    let escaped = layout != Layout::Athens && module::unescape_path(text).is_ok();
    let Some(m) = at_v_module(text, layout) else {
        return files
            .into_iter()
            .map(|e| {
                Unit::orphan(
                    e,
                    None,
                    format!("{text:?} is not a module path (escaped or not)"),
                )
            })
            .collect();
    };
    let unit_layout = if escaped {
        Layout::Goproxy
    } else {
        Layout::Athens
    };
    let mut versions: BTreeMap<String, (usize, Unit)> = BTreeMap::new();
    let mut orphans = Vec::new();
    for (i, e) in files.into_iter().enumerate() {
        let name = e.name().to_owned();
        // go's bookkeeping beside the downloads: the version list, lock files and the
        // .ziphash that `go mod verify` reads; none is module content.
        if name == "list" || name.ends_with(".lock") || name.ends_with(".ziphash") {
            continue;
        }
        let leftover = name.ends_with(".tmp") || name.ends_with(".partial");
        let split = if leftover {
            // `v1.0.0.zip123456.tmp` (go's temporary download name) or `v1.0.0.partial`.
            [".zip", ".mod", ".info"]
                .iter()
                .filter_map(|ext| name.rfind(ext).map(|at| (&name[..at], *ext)))
                .max_by_key(|(stem, _)| stem.len())
                .or_else(|| name.strip_suffix(".partial").map(|stem| (stem, ".partial")))
        } else {
            name.rsplit_once('.')
                .map(|(stem, ext)| (stem, &name[stem.len()..stem.len() + 1 + ext.len()]))
                .filter(|(_, ext)| matches!(*ext, ".zip" | ".mod" | ".info"))
        };
        let Some((stem, ext)) = split else {
            orphans.push((
                i,
                Unit::orphan(e, Some(m.clone()), "not a .info, .mod or .zip file".into()),
            ));
            continue;
        };
        let version = if escaped {
            module::unescape_version(stem).ok()
        } else {
            Some(stem.to_owned())
        };
        let Some(version) = version.filter(|v| {
            module::canonical_version(v).as_deref() == Some(v.as_str())
                && module::check(&m, v).is_ok()
        }) else {
            orphans.push((
                i,
                Unit::orphan(
                    e,
                    Some(m.clone()),
                    format!("{stem:?} is not a canonical version of {m}"),
                ),
            ));
            continue;
        };
        let slot = &mut versions
            .entry(version.clone())
            .or_insert_with(|| (i, Unit::new(Some(m.clone()), Some(version), unit_layout)))
            .1;
        match (leftover, ext) {
            (true, _) => slot.leftovers.push(e),
            (false, ".zip") => slot.zip = Some(e),
            (false, ".mod") => slot.gomod = Some(e),
            _ => slot.info = Some(e),
        }
    }
    let mut all: Vec<(usize, Unit)> = versions.into_values().chain(orphans).collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, u)| u).collect()
}

/// Accumulates a sorted stream of entries into [`Group`]s.
#[derive(Debug, Default)]
pub struct Grouper {
    current: Group,
    /// Largest number of files a group may hold; a directory with more is cut in pieces
    /// (each judged alone), so memory stays bounded.
    pub max_files: usize,
}

impl Grouper {
    /// A grouper cutting groups at `max_files`.
    pub fn new(max_files: usize) -> Grouper {
        Grouper {
            current: Group::default(),
            max_files: max_files.max(1),
        }
    }

    /// Adds the next entry; returns the group it completed, if any.
    pub fn push(&mut self, e: Entry) -> Option<Group> {
        let dir = e.dir();
        let done = if !self.current.files.is_empty()
            && (self.current.dir != dir || self.current.files.len() >= self.max_files)
        {
            Some(std::mem::take(&mut self.current))
        } else {
            None
        };
        if self.current.files.is_empty() {
            self.current.dir = dir.to_owned();
        }
        self.current.files.push(e);
        done
    }

    /// The last group, at the end of the listing.
    pub fn finish(&mut self) -> Option<Group> {
        (!self.current.files.is_empty()).then(|| std::mem::take(&mut self.current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(dir: &str, names: &[&str]) -> Group {
        Group {
            dir: dir.into(),
            files: names
                .iter()
                .map(|n| Entry {
                    key: format!("{dir}/{n}"),
                    size: 1,
                })
                .collect(),
        }
    }

    #[test]
    fn goproxy_directory_splits_into_versions_and_ignores_go_bookkeeping() {
        let g = group(
            "example.com/!upper/@v",
            &[
                "list",
                "v1.0.0-!r!c1.info",
                "v1.0.0-!r!c1.mod",
                "v1.0.0-!r!c1.zip",
                "v1.0.0-!r!c1.ziphash",
                "v1.0.0-!r!c1.lock",
                "v1.1.0.mod",
                "v1.2.0.zip123456.tmp",
                "v9.0.0.zip",
                "README",
            ],
        );
        let u = units(g, Layout::Auto);
        let names: Vec<_> = u
            .iter()
            .map(|u| (u.version.clone(), u.orphan.is_some()))
            .collect();
        assert_eq!(
            names,
            [
                (Some("v1.0.0-RC1".into()), false),
                (Some("v1.1.0".into()), false),
                (Some("v1.2.0".into()), false),
                (None, true),
                (None, true),
            ]
        );
        assert_eq!(u[0].module.as_deref(), Some("example.com/Upper"));
        assert!(u[0].zip.is_some() && u[0].gomod.is_some() && u[0].info.is_some());
        assert_eq!(u[2].leftovers.len(), 1);
        // v9 is not a version of a path without /v9.
        assert!(
            u[3].orphan
                .as_deref()
                .unwrap()
                .contains("not a canonical version")
        );
    }

    #[test]
    fn athens_layouts() {
        let u = units(
            group(
                "github.com/BurntSushi/toml/v0.3.1",
                &["go.mod", "source.zip", "v0.3.1.info"],
            ),
            Layout::Auto,
        );
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].module.as_deref(), Some("github.com/BurntSushi/toml"));
        assert_eq!(u[0].layout, Layout::Athens);
        // Athens's object layout: @v with the path as is.
        let u = units(
            group("github.com/BurntSushi/toml/@v", &["v0.3.1.mod"]),
            Layout::Auto,
        );
        assert_eq!(u[0].module.as_deref(), Some("github.com/BurntSushi/toml"));
        assert_eq!(u[0].layout, Layout::Athens);
        // Forced GOPROXY layout: an unescaped upper-case path is no module.
        let u = units(
            group("github.com/BurntSushi/toml/@v", &["v0.3.1.mod"]),
            Layout::Goproxy,
        );
        assert!(u[0].orphan.is_some());
    }

    #[test]
    fn grouper_cuts_at_directory_changes() {
        let mut g = Grouper::new(2);
        let e = |k: &str| Entry {
            key: k.into(),
            size: 0,
        };
        assert!(g.push(e("a/@v/v1.0.0.mod")).is_none());
        assert!(g.push(e("a/@v/v1.0.0.zip")).is_none());
        let first = g.push(e("a/@v/v1.1.0.mod")).unwrap();
        assert_eq!(first.files.len(), 2);
        let second = g.push(e("b/@v/v1.0.0.mod")).unwrap();
        assert_eq!(second.last_key(), "a/@v/v1.1.0.mod");
        assert_eq!(g.finish().unwrap().dir, "b/@v");
    }
}
