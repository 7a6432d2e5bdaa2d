//! Rendering of [`GoEnv`] for `gotrust env`: the JSON contract and plain text.
//!
//! JSON: an object keyed by variable name, each
//! `{"value": ..., "origin": {"kind": "user-file", "path": ..., "line": ...}, "display_origin": ...,
//! "shadowed": [...], "changed": bool}`. Credentials in URLs are redacted in every rendered value.

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use super::{GoEnv, Origin, Setting, Shadowed};
use crate::redact::redact_text;

impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self {
            Origin::UserFile { path, line } | Origin::GorootEnv { path, line } => {
                let mut st = ser.serialize_struct("Origin", 3)?;
                st.serialize_field("kind", self.kind())?;
                st.serialize_field("path", &path.to_string_lossy())?;
                st.serialize_field("line", line)?;
                st.end()
            }
            Origin::Derived { from } => {
                let mut st = ser.serialize_struct("Origin", 2)?;
                st.serialize_field("kind", self.kind())?;
                st.serialize_field("from", from)?;
                st.end()
            }
            Origin::ScannedFile {
                path, line, place, ..
            } => {
                let mut st = ser.serialize_struct("Origin", 4)?;
                st.serialize_field("kind", self.kind())?;
                st.serialize_field("path", &path.to_string_lossy())?;
                st.serialize_field("line", line)?;
                st.serialize_field("place", place)?;
                st.end()
            }
            Origin::Process | Origin::Default | Origin::DistributionGoEnv => {
                let mut st = ser.serialize_struct("Origin", 1)?;
                st.serialize_field("kind", self.kind())?;
                st.end()
            }
        }
    }
}

impl Serialize for Shadowed {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut st = ser.serialize_struct("Shadowed", 3)?;
        st.serialize_field("value", &redact_text(&self.value))?;
        st.serialize_field("origin", &self.origin)?;
        st.serialize_field("display_origin", &self.origin.to_string())?;
        st.end()
    }
}

impl Serialize for Setting {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut st = ser.serialize_struct("Setting", 6)?;
        st.serialize_field("value", &redact_text(&self.value))?;
        st.serialize_field("origin", &self.origin)?;
        st.serialize_field("display_origin", &self.origin.to_string())?;
        st.serialize_field("shadowed", &self.shadowed)?;
        st.serialize_field("empty_in_process", &self.empty_in_process)?;
        st.serialize_field("changed", &self.changed)?;
        st.end()
    }
}

impl Serialize for GoEnv {
    /// The `gotrust env --format json` contract: an object keyed by variable name.
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut m = ser.serialize_map(Some(self.vars.len()))?;
        for (k, v) in &self.vars {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Plain text: one `KEY=value  # origin` line per variable, sorted by name. With `changed_only`
/// only values that differ from the defaults are listed (like `go env -changed`). Values are
/// shell-quoted like `go env` on Unix when they need it, and credentials are redacted.
pub fn render_text(env: &GoEnv, changed_only: bool) -> String {
    let mut out = String::new();
    for (k, s) in &env.vars {
        if changed_only && !s.changed {
            continue;
        }
        if !changed_only && s.value.is_empty() && s.origin == Origin::Default {
            // Unset process-only variables (HTTP_PROXY, ...) add nothing but noise.
            if super::PROCESS_VARS.contains(&k.as_str()) {
                continue;
            }
        }
        out.push_str(k);
        out.push('=');
        out.push_str(&shell_quote(&redact_text(&s.value)));
        out.push_str("  # ");
        out.push_str(&s.origin.to_string());
        for sh in &s.shadowed {
            out.push_str(&format!(
                "; shadows {} from {}",
                shell_quote(&redact_text(&sh.value)),
                sh.origin
            ));
        }
        if s.empty_in_process {
            out.push_str("; empty in process environment (ignored)");
        }
        out.push('\n');
    }
    out
}

/// `go env` Unix quoting: single quotes, `'` written as `'\''`; plain words stay bare.
fn shell_quote(v: &str) -> String {
    let plain = !v.is_empty()
        && v.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'/' | b'.' | b'-' | b'_' | b':' | b',' | b'+' | b'=' | b'@'
                )
        });
    if plain {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{EnvSources, resolve};

    #[test]
    fn json_contract_and_text() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("env");
        std::fs::write(&f, "GOPROXY=https://u:secret@corp.example\n").unwrap();
        let mut src = EnvSources::with_process([
            ("GOENV", f.to_str().unwrap()),
            ("HOME", "/h"),
            ("GOFLAGS", "-mod=mod"),
        ]);
        src.goos = "linux".into();
        let env = resolve(&src);
        let v = serde_json::to_value(&env).unwrap();
        assert_eq!(v["GOPROXY"]["value"], "https://xxxxx:xxxxx@corp.example");
        assert_eq!(v["GOPROXY"]["origin"]["kind"], "user-file");
        assert_eq!(v["GOPROXY"]["origin"]["line"], 1);
        assert_eq!(
            v["GOPROXY"]["display_origin"],
            format!("user go env file {}:1", f.display())
        );
        assert_eq!(v["GOFLAGS"]["origin"]["kind"], "process");
        let text = render_text(&env, true);
        assert!(!text.contains("secret"), "{text}");
        assert!(
            text.contains("GOFLAGS=-mod=mod  # process environment\n"),
            "{text}"
        );
        assert!(!text.contains("GOPATH="), "{text}");
        let all = render_text(&env, false);
        assert!(all.contains("GOPATH=/h/go  # default\n"), "{all}");
        assert!(all.contains("GOPRIVATE=''  # default\n"), "{all}");
    }
}
