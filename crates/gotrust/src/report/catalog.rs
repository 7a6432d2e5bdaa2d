//! The rule catalog: every finding gotrust can report, with its stable ID.
//!
//! IDs are `category/name` (docs/architecture.md lists where each category lives). They appear in text, JSON and SARIF output (`ruleId`)
//! and in the policy file, so an ID is never removed or renamed; new rules are appended.
//! Each rule is a `static` so that a [`Finding`](super::Finding) can only name a rule that
//! exists: the SARIF `rules` array and the policy validation can then never disagree with the
//! findings.

use super::Severity;

/// One rule of the catalog.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Stable ID, `category/name`.
    pub id: &'static str,
    /// Default severity. A finding may carry another one where the rule says so (for example
    /// `proxy/plaintext` is critical when modules reach the proxy unverified), and the policy
    /// file may override it.
    pub severity: Severity,
    /// What the rule detects, in one line.
    pub summary: &'static str,
    /// The fix, in general terms; a finding carries the concrete one.
    pub help: &'static str,
    /// A longer explanation specific to this rule (may be empty); `gotrust rules ID` shows it
    /// after [`Rule::category_explanation`].
    pub detail: &'static str,
}

impl Rule {
    /// The category: the part of the ID before `/`.
    pub fn category(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(c, _)| c)
    }

    /// The gotrust commands that can report this rule, as typed on the command line.
    ///
    /// Configuration rules are judged by one evaluation wherever settings are found: the
    /// effective environment (`audit`) and settings written in repository files (`scan`).
    /// `diagnose` links go's errors to these rules but reports them under its own findings.
    pub fn commands(&self) -> &'static [&'static str] {
        match self.category() {
            _ if is_local_state_rule(self.id) => &["audit"],
            // verify proxy judges its nonexistent-version answers as probe does.
            "probe" if self.id == "probe/not-found-status" => &["probe", "verify proxy"],
            "probe" => &["probe"],
            "diagnose" => &["diagnose"],
            "scan" => &["scan"],
            "store" => &["verify store"],
            "verify" => verify_commands(self.id),
            _ => &["audit", "scan"],
        }
    }

    /// What the rule's category is about and why it matters: the first part of the long
    /// explanation `gotrust rules ID` prints.
    pub fn category_explanation(&self) -> &'static str {
        category_explanation(self.category())
    }

    /// The whole explanation `gotrust rules ID` prints: the category's text, then the rule's
    /// own detail when it has one.
    pub fn explanation(&self) -> String {
        let mut text = self.category_explanation().to_owned();
        if !self.detail.is_empty() {
            text.push_str("\n\n");
            text.push_str(self.detail);
        }
        text
    }
}

/// Rules about this machine's local state (files, caches, permissions, the trust store):
/// `audit` reports them; `scan` drops them, since they say nothing about a repository file.
/// `cache/modcacherw` is about a GOFLAGS value and is judged in files too. A Dockerfile's
/// `SSL_CERT_FILE` names a file inside the image, never one on this machine, so the `tls/` rules
/// (which read the bundle) are local too.
pub fn is_local_state_rule(id: &str) -> bool {
    (id.starts_with("cache/") && id != "cache/modcacherw")
        || id.starts_with("netrc/")
        || id.starts_with("tls/")
        || id.starts_with("project/")
        || matches!(
            id,
            "env/file-writable" | "env/shadowed" | "env/go-disagrees"
        )
}

/// Which `verify` subcommands report a `verify/...` rule, from the part of the ID that names
/// what was compared.
fn verify_commands(id: &str) -> &'static [&'static str] {
    let name = id.strip_prefix("verify/").unwrap_or(id);
    if name.starts_with("proxy-") {
        &["verify proxy"]
    } else if name.starts_with("store-") {
        &["verify store"]
    } else if matches!(
        name,
        "not-in-database"
            | "database-misbehaviour"
            | "no-verdict"
            | "skipped-public"
            | "skipped-private"
    ) {
        // The database verdicts both commands reach (`verify/sums_output.rs`,
        // `verify/proxy_output.rs`).
        &["verify sums", "verify proxy"]
    } else if name == "nothing-verified" {
        // Every verification fails closed when it compared nothing.
        &["verify cache", "verify sums", "verify proxy"]
    } else if name.starts_with("sum") || name.starts_with("unverified") {
        &["verify sums"]
    } else {
        &["verify cache"]
    }
}

/// The explanation of each category, shared by its rules.
fn category_explanation(category: &str) -> &'static str {
    match category {
        "sumdb" => {
            "The checksum database (GOSUMDB, sum.golang.org by default) is a public, append-only log of the hashes of every public module version. go checks each module it downloads and each new go.sum line against it, so a proxy or a repository that serves different content for a version everyone else saw is caught. GOSUMDB=off, or GONOSUMDB/GOPRIVATE patterns that cover public paths, remove that check: the first download is then trusted blindly and go.sum records whatever was served. Go source: cmd/go/internal/modfetch/fetch.go (checkModSum, useSumDB) and sumdb.go."
        }
        "proxy" => {
            "GOPROXY is the list of places go downloads modules from, tried in order. A `,` moves to the next entry only when the previous one answers 404 or 410; a `|` moves on after any error; `direct` fetches from version control; `off` forbids downloads. Whoever operates a listed proxy decides what go receives for every module that is not also verified by the checksum database. Go source: cmd/go/internal/modfetch/proxy.go (proxyList, TryProxies)."
        }
        "insecure" => {
            "GOINSECURE lists module path patterns that go may fetch over plain HTTP or with unverified TLS certificates, but only when go fetches them directly (GONOPROXY/GOPRIVATE or GOPROXY=direct): proxies are always reached as configured. Without TLS anyone on the network path can change what is downloaded; if the same paths also skip the checksum database nothing checks the content at all. Go source: cmd/go/internal/vcs/vcs.go (RepoRootForImportPath with security modes) and cmd/go/internal/modfetch/repo.go."
        }
        "tls" => {
            "go verifies TLS certificates against the roots crypto/x509 loads: SSL_CERT_FILE and SSL_CERT_DIR when set, otherwise the platform's bundle files and directories. A root outside Mozilla's public root program can issue a certificate for any host, so a corporate or intercepting CA in that store lets whoever holds its key read and change every download. Go source: crypto/x509/root_unix.go and root_linux.go."
        }
        "git" => {
            "When go fetches a module directly it runs git, and git reads its own configuration and environment: GIT_SSL_NO_VERIFY or http.sslVerify=false turn off certificate checks, and url.<base>.insteadOf rewrites where repositories are fetched from. Neither is visible in `go env`. Go source: cmd/go/internal/modfetch/codehost/git.go."
        }
        "vcs" => {
            "GOVCS limits which version control systems go may run for which module paths. The default allows only git and hg for public paths, because the other systems' clients have had remote code execution bugs triggered by hostile repositories. Go source: cmd/go/internal/vcs/vcs.go (GOVCS parsing, defaultGOVCS)."
        }
        "env" => {
            "go reads its settings from the process environment, then the user's go env file (`go env GOENV`), then $GOROOT/go.env, then built-in defaults, taking the first that sets a variable. Values are used verbatim: quotes or carriage returns in the env file become part of the value, an unknown GO* name does nothing, and a value set in one place can silently hide another. Go source: cmd/go/internal/cfg/cfg.go (EnvOrAndChanged, initEnvCache) and internal/buildcfg."
        }
        "pattern" => {
            "GOPRIVATE, GONOPROXY, GONOSUMDB and GOINSECURE are comma-separated lists of path.Match glob patterns matched against module path prefixes. A malformed pattern matches nothing and go does not say so, so a private path meant to be excluded is still sent to public services. Go source: cmd/go/internal/str (HasPathPrefix) and internal/lazyregexp, module.MatchPrefixPatterns in golang.org/x/mod/module."
        }
        "cache" => {
            "The module cache (GOMODCACHE) holds the downloaded zips, their hashes (.ziphash) and the extracted trees that builds read. go trusts what is in it once downloaded: anyone who can write it can change the code every later build compiles. go makes extracted trees read-only unless -modcacherw is given. Go source: cmd/go/internal/modfetch/fetch.go (download, checkMod) and cache.go."
        }
        "netrc" => {
            "go sends the credentials of ~/.netrc (or $NETRC) to the matching hosts when GOAUTH includes netrc, which is the default. A .netrc readable by others leaks those passwords. Go source: cmd/go/internal/auth/netrc.go and auth.go."
        }
        "transport" => {
            "HTTPS_PROXY, HTTP_PROXY and NO_PROXY decide whether go's requests to module proxies and the checksum database go through an HTTP proxy. An HTTP proxy that terminates TLS sees and can change everything. Go source: net/http (ProxyFromEnvironment) and golang.org/x/net/http/httpproxy."
        }
        "project" => {
            "A project's go.mod and go.sum decide which module versions are built and which hashes are accepted. go checks every downloaded module against go.sum first; lines missing from go.sum are checked against the checksum database and then added. Go source: cmd/go/internal/modload (checkModSum in modfetch) and golang.org/x/mod/modfile."
        }
        "probe" => {
            "gotrust probe asks a proxy and the checksum database behind it how they behave on the wire: TLS chain and roots, redirects, answers for modules and versions that do not exist, and whether the database is mirrored and consistent. Each rule is a behaviour that makes go fail, fall back where it should not, or accept content nobody verified."
        }
        "verify" => {
            "gotrust verify compares what is really there (go.sum lines, a proxy's answers, the module cache) with the checksum database, using signed tree heads and Merkle inclusion and consistency proofs as go does (golang.org/x/mod/sumdb/client.go). A result is verified only when something was compared; what could not be compared is reported with its reason."
        }
        "store" => {
            "gotrust verify store reads a module proxy's storage itself (a directory, a file:// GOPROXY, go's cache/download, Athens, or an object store) and proves every module version in it against the checksum database."
        }
        "diagnose" => {
            "gotrust diagnose reads go's own output (error messages, -x traces, go env dumps) and names the cause, the evidence it used, the fix, and the configuration rule that would have caught it."
        }
        "scan" => {
            "gotrust scan finds Go settings written in a repository (Dockerfiles, CI pipelines, Makefiles, scripts, env files) and judges them with the same evaluation as audit, at the file and line that sets them."
        }
        _ => "",
    }
}

/// Declares each rule as a `pub static` and the [`RULES`] table from one list, so the two
/// cannot drift apart. A rule may end with `explain "..."`: a longer text shown by
/// `gotrust rules ID` after its category's explanation.
macro_rules! catalog {
    ($( $name:ident = $id:literal, $sev:ident, $summary:literal, $help:literal $(, explain $long:literal)? ; )*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $summary)]
            pub static $name: Rule = Rule {
                id: $id,
                severity: Severity::$sev,
                summary: $summary,
                help: $help,
                detail: catalog!(@detail $($long)?),
            };
        )*

        /// Every rule, in catalog order (the order of the audit's categories, then the
        /// rules of the commands that prove things: probe, verify, diagnose, scan).
        pub static RULES: &[&Rule] = &[$(&$name),*];
    };
    (@detail) => { "" };
    (@detail $long:literal) => { $long };
}

catalog! {
    // Checksum database.
    SUMDB_DISABLED = "sumdb/disabled", Critical,
        "GOSUMDB is off: downloaded modules are not checked against the checksum database",
        "Unset GOSUMDB (the default is sum.golang.org); exclude only private modules with GOPRIVATE or GONOSUMDB.";
    SUMDB_MISSING = "sumdb/missing", High,
        "GOSUMDB is set to the empty string: every verification fails",
        "Remove the empty setting (`go env -u GOSUMDB`) so the default database is used.";
    SUMDB_INVALID = "sumdb/invalid", High,
        "GOSUMDB does not parse: go refuses to verify anything",
        "Set GOSUMDB to a known database name, or `name+key` with a valid verifier key, optionally followed by its URL.";
    SUMDB_CUSTOM = "sumdb/custom", Medium,
        "A checksum database other than sum.golang.org (or a different key or URL) is trusted",
        "Check that the database, its key and its URL are the ones your organisation intends to trust.";
    SUMDB_BYPASS_PUBLIC = "sumdb/bypass-public", High,
        "GONOSUMDB (or GOPRIVATE) exempts public module hosts or every path from the checksum database",
        "Narrow GOPRIVATE/GONOSUMDB to the private hosts and paths only.";
    SUMDB_PRIVATE_PATH_LEAK = "sumdb/private-path-leak", Medium,
        "A private module fetched directly is not excluded from the checksum database: its path is sent to the public database",
        "Cover the private paths in GOPRIVATE (or both GONOPROXY and GONOSUMDB).";
    SUMDB_LEGACY_INSECURE_FLAG = "sumdb/legacy-insecure-flag", High,
        "GOFLAGS contains -insecure: it disables the checksum database on Go 1.16 and earlier, and breaks go get later",
        "Remove -insecure from GOFLAGS; use GOINSECURE for the few hosts that truly need it.";

    // Proxy.
    PROXY_PLAINTEXT = "proxy/plaintext", High,
        "A GOPROXY entry uses plain http:// on a non-loopback host",
        "Use https:// for every proxy that is not on the loopback interface.";
    PROXY_CREDENTIALS_IN_URL = "proxy/credentials-in-url", High,
        "A GOPROXY or GOSUMDB URL contains credentials, which go env, go -x and CI logs print",
        "Move the credentials to .netrc (or GOAUTH) and remove them from the URL.";
    PROXY_UNVERIFIED_THIRD_PARTY = "proxy/unverified-third-party", Critical,
        "Modules that skip the checksum database can be served by a proxy outside the private scope",
        "Route unverified (private) modules only to trusted proxies or direct, or keep them in the checksum database.";
    PROXY_FALLBACK_ON_ANY_ERROR = "proxy/fallback-on-any-error", Medium,
        "A `|` separator in GOPROXY moves to the next source on any error, including one an attacker causes",
        "Use `,` so that only not-found (404/410) answers fall back to the next source.";
    PROXY_DIRECT_FALLBACK = "proxy/direct-fallback", Low,
        "`direct` after a proxy: modules the proxy lacks are fetched straight from version control",
        "Drop `direct` from GOPROXY if the proxy is meant to curate every module.";
    PROXY_PRIVATE_PATH_LEAK = "proxy/private-path-leak", Medium,
        "Modules excluded from the checksum database are still requested from public proxies",
        "Cover the private paths in GOPRIVATE (or both GONOPROXY and GONOSUMDB).";
    PROXY_EMPTY = "proxy/empty", High,
        "GOPROXY is empty or has no entries: every fetch fails",
        "Unset GOPROXY (the default is https://proxy.golang.org,direct) or list at least one source.";
    PROXY_INVALID_ENTRY = "proxy/invalid-entry", High,
        "A GOPROXY entry is rejected by go (missing or bad scheme, file URL with a host, ...)",
        "Fix the entry: an absolute https://, http:// or file:/// URL, or `direct` or `off`.";
    PROXY_IGNORED_ENTRIES = "proxy/ignored-entries", Low,
        "GOPROXY entries after `direct` or `off` are never used",
        "Remove the entries after `direct` or `off`, or move them before it.";
    PROXY_FILE = "proxy/file", Low,
        "A file:// proxy: whoever can write its directory decides what modules contain",
        "Make sure the directory is writable only by its owner, or use a network proxy.";
    PROXY_DIRECT_ONLY = "proxy/direct-only", Low,
        "GOPROXY=direct: every module comes from version control, without an immutable cache",
        "Use a module proxy (for example https://proxy.golang.org) in front of `direct`.";
    PROXY_OFF = "proxy/off", Info,
        "GOPROXY=off: module downloads are disabled",
        "Nothing to fix if offline builds are intended; otherwise set GOPROXY.";

    // Insecure transport.
    INSECURE_MATCH_ALL = "insecure/match-all", Critical,
        "GOINSECURE matches every module path",
        "Restrict GOINSECURE to the specific hosts that cannot serve HTTPS, or remove it.";
    INSECURE_PUBLIC_HOST = "insecure/public-host", High,
        "GOINSECURE matches public module hosts",
        "Remove public hosts from GOINSECURE; they serve HTTPS.";
    INSECURE_BROAD = "insecure/broad", Medium,
        "A GOINSECURE pattern covers more than one host",
        "Replace the wildcard with the exact hosts that need it.";
    INSECURE_UNVERIFIED = "insecure/unverified", Critical,
        "Modules matched by GOINSECURE also skip the checksum database: neither TLS nor checksums protect them",
        "Serve those modules over HTTPS, or keep them in the checksum database (or a private one).";
    INSECURE_NO_EFFECT = "insecure/no-effect", Info,
        "A GOINSECURE pattern only covers modules fetched through proxies, where it does nothing",
        "Remove the pattern, or add the paths to GONOPROXY if direct insecure fetches are really intended.";
    INSECURE_DATABASE_CHECKED = "insecure/database-checked", Low,
        "Direct fetches of modules matching a GOINSECURE pattern may use plain HTTP and unverified TLS; only the checksum database still checks their content",
        "Serve those modules over HTTPS with a trusted certificate and remove the pattern from GOINSECURE.";
    TLS_CUSTOM_ROOTS = "tls/custom-roots", Medium,
        "SSL_CERT_FILE or SSL_CERT_DIR replaces the system trust store with one holding no readable certificate: every HTTPS request of go fails",
        "Point SSL_CERT_FILE at a readable PEM bundle (or unset SSL_CERT_FILE/SSL_CERT_DIR to use the platform store).";
    TLS_NON_PUBLIC_CA = "tls/non-public-ca", Medium,
        "go's trust store holds a CA that is not a public root: it can issue a certificate for any host go contacts over HTTPS",
        "If it is your organisation's intercepting proxy or private CA, trust it deliberately (SSL_CERT_FILE naming a bundle that holds it); otherwise remove it from the trust store.";
    GIT_TLS_VERIFY_OFF = "git/tls-verify-off", High,
        "Git does not verify TLS certificates (GIT_SSL_NO_VERIFY or http.sslVerify=false)",
        "Unset GIT_SSL_NO_VERIFY and remove http.sslVerify=false; add the private CA to the trust store instead.";
    GIT_INSTEADOF = "git/insteadof", Info,
        "A git url.*.insteadOf rule rewrites module repository URLs",
        "Check that every rewrite is intended; never rewrite https:// to http:// or git://.";
    VCS_PERMISSIVE = "vcs/permissive", Low,
        "GOVCS lets public modules use every version control system",
        "Keep the default GOVCS (git and hg for public modules) or list only the systems you use.";

    // Environment and local state.
    ENV_UNKNOWN_VARIABLE = "env/unknown-variable", Medium,
        "A GO* variable that go does not know: it does nothing",
        "Fix the name (for example GONOSUMDB, GOPRIVATE) or remove the variable.";
    ENV_SHADOWED = "env/shadowed", Info,
        "A value in the go env file or go.env is overridden, or an empty variable does not clear it",
        "Remove the value you do not want, with `go env -u` for the go env file.";
    ENV_QUOTED_VALUE = "env/quoted-value", Medium,
        "A value written with quotes, carriage returns or spaces that reach go verbatim (go env file, Makefile, .env)",
        "Rewrite the value without quotes or stray whitespace (`go env -w NAME=value`).";
    ENV_FILE_WRITABLE = "env/file-writable", Medium,
        "The go env file or $GOROOT/go.env is writable by group or others",
        "Make the file writable by its owner only (chmod go-w).";
    PATTERN_INVALID = "pattern/invalid", Medium,
        "A malformed glob in a pattern list silently matches nothing",
        "Fix the pattern (path.Match syntax, comma-separated, no spaces).";
    CACHE_WRITABLE = "cache/writable", High,
        "The module cache is writable by group or others: anyone with that access can change modules",
        "Make GOMODCACHE writable by its owner only.";
    CACHE_MODCACHERW = "cache/modcacherw", Low,
        "GOFLAGS contains -modcacherw: extracted modules stay writable",
        "Remove -modcacherw from GOFLAGS.";
    NETRC_PERMISSIONS = "netrc/permissions", Medium,
        "A .netrc with passwords is readable by group or others",
        "Make the .netrc readable by its owner only (chmod 600).";
    TRANSPORT_HTTP_PROXY = "transport/http-proxy", Info,
        "An HTTP(S) proxy carries the traffic to module proxies or the checksum database",
        "Check that the HTTP proxy is trusted, or exclude those hosts with NO_PROXY.";

    // Project.
    PROJECT_GO_SUM_MISSING = "project/go-sum-missing", Medium,
        "go.mod requires modules but go.sum is absent or lacks their lines",
        "Run `go mod tidy` (or `go mod download`) with the checksum database on, and commit go.sum.";
    PROJECT_GO_SUM_CONFLICT = "project/go-sum-conflict", High,
        "go.sum holds two different hashes for the same module version",
        "Remove the wrong line after checking both against the checksum database (`gotrust verify sums`).";
    PROJECT_UNVERIFIED_MODULES = "project/unverified-modules", High,
        "Required modules would be fetched without the checksum database",
        "Keep public modules in the checksum database; exclude only private paths with GOPRIVATE.";

    // Added by the audit: the `go env -json` cross-check (`--go auto`), GOFLAGS and settings go rejects when it uses them.
    ENV_GO_DISAGREES = "env/go-disagrees", Medium,
        "`go env -json` and gotrust disagree about an effective value: the audit may not describe what go does",
        "Report the difference to gotrust; until then, trust the go command's value.";
    ENV_GOFLAGS_INVALID = "env/goflags-invalid", Medium,
        "GOFLAGS does not parse: every go command except `go env` fails",
        "Fix or remove the offending word in GOFLAGS.";
    ENV_INVALID_SETTING = "env/invalid-setting", Medium,
        "A setting that go rejects when it uses it (GOVCS, GOAUTH, GO111MODULE, HTTP proxy)",
        "Fix the value as the message says, or unset the variable.";
    PROJECT_MALFORMED = "project/malformed", Medium,
        "go.mod or go.sum does not parse: every go command in the project fails",
        "Fix the line go names (for go.sum, `go mod tidy` rewrites it).";
    // Probe (`gotrust probe`): how a proxy behaves on the wire.
    PROBE_TLS_FAILED = "probe/tls-failed", High,
        "The certificate of the proxy or checksum database does not verify against the roots go uses (or the server speaks TLS below 1.2): every fetch from it fails",
        "Fix the server certificate (chain, names, validity), or trust its CA explicitly if it is yours.";
    PROBE_TLS_INTERCEPTION = "probe/tls-interception", Medium,
        "TLS to the proxy or checksum database is intercepted: the chain ends in a CA that is not a public root, or a well-known host's certificate names other operators' hosts or comes from an unexpected issuer",
        "If the interception is your organisation's, trust its CA deliberately (SSL_CERT_FILE naming a bundle that holds it) or fetch through a module proxy inside the network; do not turn verification off.";
    PROBE_CERT_EXPIRING = "probe/cert-expiring", Medium,
        "A certificate in the proxy's chain expires soon: fetches will then fail",
        "Renew the certificate before it expires.";
    PROBE_INSECURE_REDIRECT = "probe/insecure-redirect", High,
        "The proxy redirects https requests to plain http: go refuses, and anything that follows it is unprotected",
        "Serve every redirect target over https.";
    PROBE_ZIP_REDIRECT_HOST = "probe/zip-redirect-host", Low,
        "Module zips are redirected to another host: firewall and proxy allowlists must include it",
        "Add the redirect hosts to egress allowlists next to the proxy host.";
    PROBE_NOT_FOUND_200 = "probe/not-found-200", High,
        "The proxy answers 200 for a module or version that does not exist: stale or polluted content",
        "Make the proxy answer 404 or 410 for unknown modules and versions, and purge cached content it cannot justify.";
    PROBE_NOT_FOUND_STATUS = "probe/not-found-status", Medium,
        "The proxy answers a missing module with a status other than 404/410: a `,` GOPROXY list stops there instead of trying the next entry",
        "Answer 404 or 410 for unknown modules and versions (reserve 403/5xx for real errors).";
    PROBE_INVALID_RESPONSE = "probe/invalid-response", Medium,
        "The proxy's @v/list or .info answer is not what go expects",
        "Serve one canonical version per line in @v/list and JSON {\"Version\",\"Time\"} for the requested version in .info.";
    PROBE_SUMDB_NOT_SUPPORTED = "probe/sumdb-not-supported", Info,
        "The proxy does not mirror the checksum database (404/410 on /sumdb/<name>/supported): go contacts the database directly",
        "Allow egress to the database host, or use a proxy that mirrors it.";
    PROBE_SUMDB_ERROR = "probe/sumdb-error", Medium,
        "The checksum database could not be reached or verified through the proxy: go's verification fails",
        "Make /sumdb/<name>/supported answer 200 (or 404/410 to send go to the database directly) and the lookups succeed.";
    PROBE_CONTENT_MISMATCH = "probe/content-mismatch", Critical,
        "The proxy serves a module zip or go.mod whose hash differs from the checksum database",
        "Do not use this proxy until the content is explained; purge its cache and compare against the origin.";
    PROBE_SUMDB_FORK = "probe/sumdb-fork", Critical,
        "The checksum database (or the proxy mirroring it) served a signed tree head that contradicts one gotrust saw before: two histories, proof of misbehaviour",
        "Keep both signed notes as evidence, stop fetching through this proxy or database, and report it (sum.golang.org: golang.org/issue).";
    PROBE_SUMDB_ROLLBACK = "probe/sumdb-rollback", High,
        "The checksum database (or the proxy mirroring it) serves a tree head older than one gotrust saw before: a stale or frozen view that hides newer records, which go accepts silently",
        "Compare with the database directly; fix or drop a mirror that stays behind.";

    // Verification (`gotrust verify cache|sums|proxy`): content compared with its hashes.
    VERIFY_MISMATCH = "verify/mismatch", Critical,
        "content differs from its recorded hash (go.sum, .ziphash or the checksum database)",
        "Do not build with it. Find out who changed it; then remove the module from the cache (`go clean -modcache`, or delete its files) and download it again.";
    VERIFY_MISSING = "verify/missing", High,
        "a file needed to verify a module (such as its .ziphash) is absent",
        "Remove the module from the cache and download it again so go records its hash.";
    VERIFY_ERROR = "verify/error", High,
        "an item could not be verified (unreadable file or directory)",
        "Fix the permissions or the file system error, then run the verification again.";
    VERIFY_WRITABLE = "verify/writable", Medium,
        "an extracted module tree is writable (go makes it read-only unless -modcacherw)",
        "Remove -modcacherw from GOFLAGS and re-extract the module, or remove the write bits (chmod -R a-w).";
    VERIFY_LEFTOVER = "verify/leftover", Low,
        "a file left behind by an interrupted download or extraction",
        "Run the go command again (it cleans up and re-extracts), or remove the module from the cache.";
    VERIFY_SUM_MISMATCH = "verify/sum-mismatch", Critical,
        "a go.sum line differs from the checksum database's proven record",
        "Do not build with this go.sum. Find out who wrote the line; replace it with the database's hash (`go mod download` with GOSUMDB on) after checking the module's source.";
    VERIFY_NOT_IN_DATABASE = "verify/not-in-database", High,
        "the checksum database has no record for a go.sum line of a path it covers: go refuses to download the module",
        "Check the module path and version (a typo, a deleted or never-published version); if the module is private, list it in GOPRIVATE or GONOSUMDB.";
    VERIFY_DATABASE_MISBEHAVIOUR = "verify/database-misbehaviour", Critical,
        "the checksum database's signed data did not verify (fork, rollback, bad signature, unproven record)",
        "Keep the evidence (both signed notes), stop trusting this database or mirror, and report it.";
    VERIFY_NO_VERDICT = "verify/no-verdict", Medium,
        "an item could not be checked (network failure, timeout, malformed line): it is neither verified nor refuted",
        "Fix the cause the message names (network, proxy, the go.sum line) and run the verification again.";
    VERIFY_SKIPPED_PUBLIC = "verify/skipped-public", High,
        "go.sum lines of public module paths were not compared with the checksum database (GOSUMDB=off, GONOSUMDB/GOPRIVATE, or --offline without cached data)",
        "Run with the checksum database on and online; keep GONOSUMDB/GOPRIVATE to private paths.";
    VERIFY_SKIPPED_PRIVATE = "verify/skipped-private", Low,
        "go.sum lines of private module paths (GONOSUMDB/GOPRIVATE) were not compared with any database",
        "Nothing to fix if these paths are private; check them against your own source of truth.";
    VERIFY_NOTHING_VERIFIED = "verify/nothing-verified", High,
        "the run compared nothing with the checksum database or go.sum: no item is verified",
        "Turn the checksum database on (unset GOSUMDB=off), run online, or ignore this rule in the policy if an unverified run is intended.";
    VERIFY_PROXY_MISMATCH = "verify/proxy-mismatch", Critical,
        "a proxy, go.sum or the checksum database disagrees with the others about a module's hash",
        "Do not use the side blamed until the difference is explained; purge the proxy's copy or fix the go.sum line.";
    VERIFY_PROXY_INVALID_ZIP = "verify/proxy-invalid-zip", High,
        "a proxy serves a module zip that go would refuse",
        "Purge the proxy's copy of the module and fetch it again from its origin.";
    VERIFY_PROXY_BAD_INFO = "verify/proxy-bad-info", High,
        "a proxy's .info answer is wrong (another version, not the JSON go decodes)",
        "Fix the proxy's .info for the version (JSON {\"Version\",\"Time\"} naming the requested version).";
    VERIFY_PROXY_POLLUTED_CACHE = "verify/proxy-polluted-cache", High,
        "a proxy answers 200 for a version that cannot exist: a stale or polluted cache",
        "Purge the proxy's cache of content it cannot justify and make it answer 404 or 410 for unknown versions.";
    VERIFY_PROXY_UNLISTED = "verify/proxy-unlisted", Info,
        "a served version is missing from the proxy's @v/list",
        "Nothing to fix for go (it fetches versions it is asked for); refresh the proxy's list if tools rely on it.";
    VERIFY_PROXY_ORIGIN = "verify/proxy-origin", Info,
        "a proxy's .info carries Origin metadata, which go does not authenticate",
        "Nothing to fix; do not rely on Origin for trust decisions.";
    VERIFY_PROXY_DATABASE_INVALID = "verify/proxy-database-invalid", Critical,
        "the checksum database's signed answer did not verify, so no proxy could be judged against it",
        "Keep the evidence and report the database or mirror; verify the modules again once it answers correctly.";
    VERIFY_PROXY_LISTED_NOT_SERVED = "verify/proxy-listed-not-served", Medium,
        "a proxy lists a version in @v/list but answers not found for its files",
        "Make the proxy serve every version it lists, or remove it from the list.";
    VERIFY_PROXY_REFUSED = "verify/proxy-refused", Medium,
        "a proxy refused a module version (401, 403 or 400 instead of content or 404/410): it is not verified there, and a `,` GOPROXY list stops at the refusal",
        "Check the proxy's access rules or filter for the module; go fails the same fetch with this error.";

    // Diagnose (`gotrust diagnose`): what a go log shows.
    DIAGNOSE_UNRECOGNIZED_ERROR = "diagnose/unrecognized-error", Medium,
        "A line of the go log looks like an error but matches no message gotrust knows: it was not explained",
        "Read the listed lines yourself; if one is go's own message, report it so that gotrust learns it.";

    // Module stores (`verify store`).
    STORE_MISMATCH = "store/mismatch", Critical,
        "A module zip or go.mod kept in a proxy's storage differs from the checksum database: the store is polluted",
        "Stop serving the version, delete it from the store so the proxy fetches it again from the origin, and find out who wrote it.";
    STORE_INVALID_ZIP = "store/invalid-zip", High,
        "A module zip kept in a proxy's storage is not a valid module zip (cut short, corrupt, or not built by go's rules): go refuses it",
        "Delete the version from the store so the proxy fetches it again; check the storage for other damage.";
    STORE_NOT_IN_DATABASE = "store/not-in-database", High,
        "A module version kept in a proxy's storage is unknown to the checksum database: an invented version, or a private module GONOSUMDB/GOPRIVATE does not cover",
        "If the module is private, cover its path in GOPRIVATE/GONOSUMDB; otherwise the version was never published: remove it and find out where it came from.";
    STORE_UNVERIFIED = "store/unverified", High,
        "A module version in a proxy's storage could not be verified (unreadable, no answer from the checksum database, or an answer that does not verify)",
        "Fix the read or network error and run the verification again; an answer that does not verify is evidence against the database or its mirror.";
    STORE_INFO_MISMATCH = "store/info-mismatch", Medium,
        "A stored .info file names another version, or a time that contradicts its pseudo-version, or is not valid: go rejects or misdates it",
        "Delete the version's .info from the store so the proxy fetches it again.";
    STORE_INCOMPLETE = "store/incomplete", Low,
        "A module version in a proxy's storage lacks some of its files or has files of an interrupted write",
        "Delete the version from the store (or the leftover files) so the proxy fetches it again completely.";
    STORE_ORPHAN = "store/orphan", Low,
        "A file in a proxy's storage belongs to no module version of its layout",
        "Check what wrote it; remove it if nothing needs it.";
    STORE_SKIPPED = "store/skipped", Info,
        "A module version in a proxy's storage was not compared with the checksum database (private per GONOSUMDB/GOPRIVATE, GOSUMDB=off, or offline without cached data)",
        "Nothing to do for private modules; otherwise run online so every public version is compared.";
}

/// The rule with this ID, if the catalog has one.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The first rules of the catalog, one by one, so that a rule dropped from the macro list is noticed.
    const DESIGN_IDS: &[&str] = &[
        "sumdb/disabled",
        "sumdb/missing",
        "sumdb/invalid",
        "sumdb/custom",
        "sumdb/bypass-public",
        "sumdb/private-path-leak",
        "sumdb/legacy-insecure-flag",
        "proxy/plaintext",
        "proxy/credentials-in-url",
        "proxy/unverified-third-party",
        "proxy/fallback-on-any-error",
        "proxy/direct-fallback",
        "proxy/private-path-leak",
        "proxy/empty",
        "proxy/invalid-entry",
        "proxy/ignored-entries",
        "proxy/file",
        "proxy/direct-only",
        "proxy/off",
        "insecure/match-all",
        "insecure/public-host",
        "insecure/broad",
        "insecure/unverified",
        "insecure/no-effect",
        "insecure/database-checked",
        "tls/custom-roots",
        "tls/non-public-ca",
        "git/tls-verify-off",
        "git/insteadof",
        "vcs/permissive",
        "env/unknown-variable",
        "env/shadowed",
        "env/quoted-value",
        "env/file-writable",
        "pattern/invalid",
        "cache/writable",
        "cache/modcacherw",
        "netrc/permissions",
        "transport/http-proxy",
        "project/go-sum-missing",
        "project/go-sum-conflict",
        "project/unverified-modules",
    ];

    #[test]
    fn ids_unique() {
        let mut seen = BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule ID {}", r.id);
        }
    }

    #[test]
    fn ids_well_formed() {
        for r in RULES {
            let (cat, name) = r.id.split_once('/').expect("category/name");
            let ok = |s: &str| {
                !s.is_empty()
                    && !s.starts_with('-')
                    && !s.ends_with('-')
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            };
            assert!(ok(cat) && ok(name), "malformed rule ID {:?}", r.id);
            assert_eq!(r.category(), cat);
            assert!(
                !r.summary.is_empty() && !r.summary.contains('\n'),
                "{}",
                r.id
            );
            assert!(!r.help.is_empty() && !r.help.contains('\n'), "{}", r.id);
        }
    }

    /// Every design ID is in the catalog, in the design's order; rules added later (probe/*,
    /// verify/*) may be added anywhere but never replace one.
    #[test]
    fn catalog_matches_design() {
        let ours: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        let kept: Vec<&str> = ours
            .iter()
            .copied()
            .filter(|id| DESIGN_IDS.contains(id))
            .collect();
        assert_eq!(kept, DESIGN_IDS);
        for id in DESIGN_IDS {
            assert_eq!(find(id).map(|r| r.id), Some(*id));
        }
        assert!(find("sumdb/disable").is_none());
        assert!(find("").is_none());
    }

    #[test]
    fn design_default_severities() {
        use Severity::*;
        let expect = [
            ("sumdb/disabled", Critical),
            ("proxy/unverified-third-party", Critical),
            ("insecure/match-all", Critical),
            ("insecure/unverified", Critical),
            ("proxy/fallback-on-any-error", Medium),
            ("proxy/off", Info),
            ("cache/writable", High),
            ("project/go-sum-conflict", High),
        ];
        for (id, sev) in expect {
            assert_eq!(find(id).unwrap().severity, sev, "{id}");
        }
    }
}
