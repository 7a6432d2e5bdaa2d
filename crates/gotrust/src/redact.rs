//! Keeping credentials and terminal control bytes out of everything gotrust writes.
//!
//! This is a leaf module (it depends on nothing else in the crate) so that every layer, from
//! settings parsing to the CLI's writers, uses the same functions:
//!
//! - [`redact_text`] hides the user info of every `scheme://user[:password]@host` in a text.
//!   Both parts go: a token is commonly passed as the user name
//!   (`https://TOKEN@proxy.example`), so unlike Go's `url.URL.Redacted` (net/url/url.go), which
//!   keeps the user name, gotrust keeps neither.
//! - [`redact_url`] does the same for a parsed URL.
//! - [`register_secret`] records a secret that does not look like a URL (a `.netrc` password,
//!   a header value a GOAUTH command produced); [`redact_text`] replaces every registered secret
//!   too, so a secret that reached a message by any path is still hidden where bytes leave the
//!   process.
//! - [`escape_controls`] makes text safe for a terminal: control characters and invalid UTF-8
//!   are shown as the escapes Go's `%q` verb (strconv.Quote) uses, so a crafted go.sum, log or
//!   environment value cannot move the cursor, set the window title or ring the bell.

use std::borrow::Cow;
use std::sync::RwLock;

/// The placeholder that replaces a URL's user name, its password, or any registered secret.
pub const REDACTED: &str = "xxxxx";

/// Registered secrets shorter than this are not replaced in free text: replacing every `ab` in
/// a report would destroy it while hiding nothing an attacker could not guess.
pub const MIN_SECRET_LEN: usize = 3;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Records `secret` so that [`redact_text`] replaces it wherever it appears (with its
/// percent-encoded form, which is how it appears inside a URL). Idempotent; ignores secrets
/// shorter than [`MIN_SECRET_LEN`] and the placeholder itself.
pub fn register_secret(secret: &str) {
    let secret = secret.trim();
    if secret.len() < MIN_SECRET_LEN || secret == REDACTED {
        return;
    }
    let mut forms = vec![secret.to_string()];
    let encoded = percent_encode_userinfo(secret);
    if encoded != secret {
        forms.push(encoded);
    }
    let mut all = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        if !all.contains(&form) {
            all.push(form);
        }
    }
    // Longest first, so a secret that contains another is replaced whole.
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Records the user name and password of every URL in `s` (a GOPROXY list, an HTTPS_PROXY
/// value), decoded and as written.
pub fn register_url_secrets(s: &str) {
    for (user, password) in userinfos(s) {
        for part in [user, password.unwrap_or_default()] {
            register_secret(part);
            register_secret(&percent_decode(part));
        }
    }
}

/// Replaces the user info of every URL in `s` and every registered secret with [`REDACTED`].
///
/// `https://user:secret@host/` becomes `https://xxxxx:xxxxx@host/`; `https://TOKEN@host/`
/// becomes `https://xxxxx@host/`. URLs may appear anywhere in `s`, several times (a GOPROXY
/// list), separated by `,`, `|`, spaces or quotes.
pub fn redact_text(s: &str) -> String {
    let out = redact_userinfo(s);
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    if secrets.is_empty() {
        return out;
    }
    let mut out = out;
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    out
}

/// A parsed URL with its user name and password replaced by [`REDACTED`].
pub fn redact_url(url: &url::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return redact_text(url.as_str());
    }
    let mut u = url.clone();
    let _ = u.set_username(REDACTED);
    if u.password().is_some() {
        let _ = u.set_password(Some(REDACTED));
    }
    redact_text(u.as_str())
}

/// The URL user-info pass of [`redact_text`], without the registered secrets.
fn redact_userinfo(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = authority_end(tail);
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                out.push_str(REDACTED);
                if userinfo.contains(':') {
                    out.push(':');
                    out.push_str(REDACTED);
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Where the authority of a URL written inside a Go setting or a message ends.
fn authority_end(tail: &str) -> usize {
    tail.find(|c: char| {
        matches!(
            c,
            '/' | '?' | '#' | ',' | '|' | '"' | '\'' | '`' | '<' | '>' | '\\'
        ) || c.is_whitespace()
            || c.is_control()
    })
    .unwrap_or(tail.len())
}

/// The `(user, password)` of every URL with user info in `s`.
fn userinfos(s: &str) -> Vec<(&str, Option<&str>)> {
    let mut found = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let tail = &rest[i + 3..];
        let end = authority_end(tail);
        let authority = &tail[..end];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            match userinfo.split_once(':') {
                Some((u, p)) => found.push((u, Some(p))),
                None => found.push((userinfo, None)),
            }
        }
        rest = &tail[end..];
    }
    found
}

/// `%XX` escapes decoded (invalid ones kept as written), as URL user info is decoded before it
/// is sent or compared; lossy on invalid UTF-8.
pub(crate) fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// How the url crate (and Go's `url.UserPassword`) writes a secret inside user info.
fn percent_encode_userinfo(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `s` with every control character escaped as Go's `%q` shows it (`\a`, `\b`, `\f`, `\r`,
/// `\v`, `\x1b`, `\u0085`, `\u202e`…), keeping newlines and tabs, which gotrust's own layout
/// uses. Unicode format characters that reorder or hide text (bidi overrides, zero-width
/// characters) are escaped too.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`escape_controls`] for bytes that may not be UTF-8: each invalid byte is shown as
/// `\xNN`, as Go's `%q` does.
pub fn escape_controls_bytes(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => escape_controls(s),
        Err(_) => {
            let mut out = String::with_capacity(b.len() + 8);
            for chunk in b.utf8_chunks() {
                out.push_str(&escape_controls(chunk.valid()));
                for byte in chunk.invalid() {
                    out.push_str(&format!("\\x{byte:02x}"));
                }
            }
            Cow::Owned(out)
        }
    }
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

fn push_escape(out: &mut String, c: char) {
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_hidden_whole() {
        let cases = [
            (
                "https://user:pa55@proxy.corp/x",
                "https://xxxxx:xxxxx@proxy.corp/x",
            ),
            ("https://ghp_TOKEN@github.com", "https://xxxxx@github.com"),
            (
                "https://a:b@p1,https://c@p2|direct",
                "https://xxxxx:xxxxx@p1,https://xxxxx@p2|direct",
            ),
            (
                "GOPROXY=\"https://u:p@h\" set",
                "GOPROXY=\"https://xxxxx:xxxxx@h\" set",
            ),
            (
                "https://proxy.golang.org,direct",
                "https://proxy.golang.org,direct",
            ),
            ("https://h/path@v1.0.0", "https://h/path@v1.0.0"),
            ("module@v1.2.3 no url", "module@v1.2.3 no url"),
            ("https://u:p:q@h", "https://xxxxx:xxxxx@h"),
            ("https://u:p@q@h", "https://xxxxx:xxxxx@h"),
            ("https://", "https://"),
            ("://@", "://xxxxx@"),
            ("é://ü:ö@ß", "é://xxxxx:xxxxx@ß"),
            (
                "Get \"https://T0K@h/x\": EOF",
                "Get \"https://xxxxx@h/x\": EOF",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact_userinfo(input), want, "{input}");
        }
    }

    #[test]
    fn parsed_urls() {
        let u = url::Url::parse("https://user:secret@h.example/p").unwrap();
        assert_eq!(redact_url(&u), "https://xxxxx:xxxxx@h.example/p");
        let u = url::Url::parse("https://token@h.example/p").unwrap();
        assert_eq!(redact_url(&u), "https://xxxxx@h.example/p");
        let u = url::Url::parse("https://h.example/p").unwrap();
        assert_eq!(redact_url(&u), "https://h.example/p");
    }

    #[test]
    fn registered_secrets_are_replaced_in_any_text() {
        register_secret("n3trc-Pa$$word/1");
        register_secret("ab");
        let text = "login failed for n3trc-Pa$$word/1 and n3trc-Pa$$word%2F1 (ab)";
        assert_eq!(
            redact_text(text),
            "login failed for xxxxx and xxxxx (ab)",
            "short secrets are not registered"
        );
        register_url_secrets("https://us%65r-in-url:pass-in-url@h,direct");
        assert_eq!(
            redact_text("user-in-url said pass-in-url"),
            "xxxxx said xxxxx"
        );
    }

    #[test]
    fn controls_escaped_like_go_quote() {
        assert_eq!(
            escape_controls("a\x1b]0;title\x07b\r\n\tc\u{202e}d\u{85}"),
            "a\\x1b]0;title\\ab\\r\n\tc\\u202ed\\u0085"
        );
        assert!(matches!(escape_controls("plain ✓"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls_bytes(b"ok\xff\xfe\x1b"),
            "ok\\xff\\xfe\\x1b"
        );
    }
}
