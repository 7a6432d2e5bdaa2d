//! The catalogue of go command failures gotrust recognises (the error texts of
//! `cmd/go/internal/modfetch`, `modload`, `toolchain`, `web`, `vcs` and
//! `golang.org/x/mod/sumdb`), each with its generic cause, the setting behind it, the fix, the
//! tempting wrong fixes, and the audit rule that would have reported the configuration before
//! it failed. The cause of one particular message is ranked from the log's evidence by
//! [`super::causes`].

use serde::Serialize;

/// What a go error line means. Stable kebab-case IDs via [`DiagnosisKind::id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DiagnosisKind {
    // -- proxy list and routing (`cmd/go/internal/modfetch/proxy.go`)
    /// `module lookup disabled by GOPROXY=off`.
    ProxyOff,
    /// `GOPROXY list is not the empty string, but contains no entries`.
    ProxyNoEntries,
    /// `invalid proxy URL missing scheme` / `invalid proxy URL scheme (must be https, http,
    /// file)` / `invalid file:// proxy URL with non-path elements`.
    ProxyInvalidEntry,
    /// `disabled by GOPRIVATE/GONOPROXY`: a private path reached a proxy entry.
    DisabledByGoPrivate,
    /// `module lookup disabled by -mod=vendor`.
    VendorMode,
    /// `reading <proxy url>: 404 Not Found` / `410 Gone` (not the checksum database).
    ProxyNotFound,
    /// `reading <url>: 401 Unauthorized` / `403 Forbidden`.
    ProxyUnauthorized,
    /// `reading <url>: 5xx …`: with `,` the walk stops here.
    ProxyServerError,
    /// `invalid response from proxy "…"`: not JSON (login page, HTML error page).
    ProxyInvalidResponse,
    /// `proxy returned info for version X instead of requested version`.
    ProxyWrongVersion,
    /// `downloaded zip file too large`.
    ZipTooLarge,
    /// `zip for … has unexpected file …`.
    ZipUnexpectedFile,
    /// `zip: not a valid zip file`: the bytes served as the module zip are not a zip archive
    /// (padding, an HTML page, a broken cache entry).
    ZipInvalid,
    // -- transport (`cmd/go/internal/web`, `net/http`, `crypto/x509`)
    /// `x509: certificate signed by unknown authority`.
    TlsUnknownAuthority,
    /// `x509: certificate is valid for …, not …` / `… not valid for any names …`.
    TlsHostnameMismatch,
    /// `x509: certificate has expired or is not yet valid`.
    TlsExpired,
    /// `x509: certificate relies on legacy Common Name field`.
    TlsLegacyCommonName,
    /// `x509: failed to load system roots and no roots provided`.
    TlsNoRoots,
    /// `proxyconnect tcp: …`: HTTPS_PROXY/HTTP_PROXY unreachable.
    HttpProxyUnreachable,
    /// `Proxy Authentication Required`: the HTTP proxy refused CONNECT.
    HttpProxyAuth,
    /// `refusing to pass credentials to insecure URL`.
    CredentialsToInsecureUrl,
    /// `redirected from secure URL … to insecure URL …`.
    InsecureRedirect,
    /// `stopped after 10 redirects`.
    TooManyRedirects,
    /// `insecure URL: …` (plain http in secure-only mode).
    InsecureUrl,
    /// `unsupported scheme: …`.
    UnsupportedScheme,
    /// `… no such host`.
    DnsFailure,
    /// `… connection refused`.
    ConnectionRefused,
    /// The connection was cut mid-exchange: `connection reset by peer`, `unexpected EOF`, a
    /// bare `EOF`.
    ConnectionLost,
    /// `http: server gave HTTP response to HTTPS client`: an https URL answered in plain HTTP.
    PlaintextServer,
    /// `i/o timeout`, `Client.Timeout exceeded`, `TLS handshake timeout`.
    Timeout,
    /// `remote error: tls: handshake failure` and other TLS alerts: the other side (or
    /// something in between) broke off the handshake before any certificate was checked.
    TlsHandshakeFailed,
    /// The TCP connection could not be made for another reason: `connect: network is
    /// unreachable`, `no route to host`, `cannot assign requested address`, or a Windows
    /// `connectex:` message in a language gotrust does not know.
    ConnectFailed,
    /// `network disabled by cmdgonetlimit=0`.
    NetworkDisabled,
    // -- direct mode (`cmd/go/internal/vcs`, `modfetch/codehost`)
    /// `unrecognized import path "…"`.
    UnrecognizedImportPath,
    /// `… disagree about go-import for …`.
    GoImportConflict,
    /// `no secure protocol found for repository`.
    NoSecureProtocol,
    /// `GOVCS disallows using <vcs> for <public|private> <root>`.
    GovcsDisallows,
    /// `terminal prompts disabled`, `could not read Username`, `Authentication failed`,
    /// `Permission denied (publickey)`.
    GitAuth,
    /// `exec: "git": executable file not found in $PATH`, `go: missing Git command`: the
    /// version-control tool a direct fetch needs is not installed.
    VcsMissing,
    /// `unknown revision …`.
    UnknownRevision,
    /// `…: invalid version: …`.
    InvalidVersion,
    // -- checksums (`modfetch/fetch.go` checkModSum, `golang.org/x/mod/sumdb`)
    /// go.sum (or go.work.sum) disagrees with the download: SECURITY ERROR.
    GoSumMismatch,
    /// The checksum database disagrees with the download: SECURITY ERROR.
    SumDbMismatch,
    /// The checksum database answered 404/410 for a lookup: typically a private path sent to the
    /// public database (`verifying module: … 410 Gone`).
    SumDbLookupNotFound,
    /// The checksum database could not be reached (dial, TLS, 5xx on a lookup).
    SumDbUnreachable,
    /// Probing `<proxy>/sumdb/<name>/supported` failed with a terminal error.
    SumDbProbeFailed,
    /// A third-party mirror lacks tiles: `checking tree#…: reading …/tile/…: 404`.
    SumDbTileMissing,
    /// `note has no verifiable signatures`: GOSUMDB key does not match the server.
    SumDbKeyMismatch,
    /// `invalid signature for key …`: forged or corrupted tree note.
    SumDbBadSignature,
    /// Malformed or inconsistent database answers (`malformed note`, `downloaded inconsistent
    /// tile`, `cannot authenticate record data`, …).
    SumDbBadResponse,
    /// `go.sum database server misbehavior detected!`: a fork of the log.
    SumDbMisbehavior,
    /// `initializing sumdb.Client: …`.
    SumDbClientInit,
    /// `could not locate sumdb file: missing $GOPATH`.
    SumDbNoGopath,
    /// `invalid GOSUMDB: …`, `invalid sumdb name`, `invalid GOSUMDB URL`.
    GosumdbInvalid,
    /// `missing GOSUMDB`.
    GosumdbMissing,
    /// `checksum database disabled by GOSUMDB=off` (toolchain downloads need the database).
    GosumdbOffToolchain,
    /// `unknown hashes in go.sum` / SECURITY WARNING.
    UnknownHashAlgorithm,
    /// `missing go.sum entry …`.
    MissingGoSumEntry,
    /// `updates to go.sum needed, disabled by -mod=readonly`.
    GoSumUpdatesDisabled,
    /// `malformed go.sum`.
    GoSumMalformed,
    // -- configuration (`cmd/go/internal/cfg`, `envcmd`, `toolchain`)
    /// `parsing $GOFLAGS: …` / `(from $GOFLAGS)`.
    GoflagsInvalid,
    /// `-insecure flag is no longer supported; use GOINSECURE instead`.
    InsecureFlagRemoved,
    /// `-insecure flag is deprecated` (Go 1.16).
    InsecureFlagDeprecated,
    /// GOAUTH syntax errors.
    GoauthInvalid,
    /// `GOAUTH encountered errors for <url>:` (-x, no credential found).
    GoauthNoCredentials,
    /// `unknown environment setting GO111MODULE=…`.
    Go111ModuleInvalid,
    /// `invalid GOTOOLCHAIN "…"`.
    ToolchainInvalid,
    /// `… is a language version but not a toolchain version`.
    ToolchainLanguageVersion,
    /// `go.mod requires go >= X (running go Y)`, `invalid go version '1.22.0': must match format
    /// 1.23`: the go running is older than the module or workspace needs and did not switch.
    GoTooOld,
    /// `download go1.x for …: toolchain not available`.
    ToolchainUnavailable,
    /// `download go1.x: …` failed for another reason (proxy, network, checksum).
    ToolchainDownloadFailed,
    /// `cannot find "go1.x" in PATH`.
    ToolchainNotInPath,
    /// `GOMODCACHE entry is relative` / `module cache not found`.
    ModCacheInvalid,
    /// `unknown go command variable …` (go env -w of a name go does not know).
    EnvUnknownVariable,
    /// `cannot find go env config: GOENV=off`.
    GoenvOff,
    /// `go env -w K=... does not override conflicting OS environment variable`.
    EnvWShadowed,
    // -- module graph and project files (`cmd/go/internal/modload`)
    /// `inconsistent vendoring`: vendor/modules.txt and go.mod disagree
    /// (`modload.checkVendorConsistency`).
    InconsistentVendoring,
    /// `malformed module path "x": missing dot in first path element`.
    MalformedModulePath,
    /// `module declares its path as: X but was required as: Y`.
    ModulePathMismatch,
    /// `updates to go.mod needed`: go.mod is not tidy and -mod=readonly forbids fixing it.
    GoModUpdatesNeeded,
    /// `module X listed in go.work file requires go >= A, but go.work lists go B`.
    WorkspaceGoVersion,
    /// `cannot load module X listed in go.work file: …`.
    WorkspaceModuleMissing,
    /// `no required module provides package X` / `cannot find module providing package X`
    /// with no fetch error: the import is not in go.mod's requirements.
    NoRequiredModule,
    /// `go.mod file not found in current directory or any parent directory`, `cannot use
    /// path@version syntax in GOPATH mode`: the command ran outside a module or in GOPATH mode.
    NoMainModule,
    /// `package X is not in GOROOT` / `is not in std`: an import of a standard-library path
    /// this go does not have.
    NotInStd,
}

/// What to tell the user about a [`DiagnosisKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KindInfo {
    /// One-line cause.
    pub cause: &'static str,
    /// The setting(s) behind it.
    pub setting: &'static str,
    /// The concrete fix.
    pub fix: &'static str,
    /// Tempting fixes that are wrong, each with why.
    pub wrong_fixes: &'static [&'static str],
    /// The audit rule that reports the configuration before it fails, if any.
    pub rule: Option<&'static str>,
}

const fn info(
    cause: &'static str,
    setting: &'static str,
    fix: &'static str,
    wrong_fixes: &'static [&'static str],
    rule: Option<&'static str>,
) -> KindInfo {
    KindInfo {
        cause,
        setting,
        fix,
        wrong_fixes,
        rule,
    }
}

const NO_INSECURE_FOR_TLS: &str = "GOINSECURE: it never applies to GOPROXY or GOSUMDB URLs and, for direct fetches, turns off certificate checks entirely instead of trusting your CA";
const NO_SUMDB_OFF: &str = "GOSUMDB=off or GONOSUMDB=*: removes the only check that the bits are the ones everyone else got, for every module";
const NO_GIT_SSL: &str = "GIT_SSL_NO_VERIFY=true / git config http.sslVerify false: disables TLS for every git fetch instead of trusting one CA";

impl DiagnosisKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [DiagnosisKind] = &[
        Self::ProxyOff,
        Self::ProxyNoEntries,
        Self::ProxyInvalidEntry,
        Self::DisabledByGoPrivate,
        Self::VendorMode,
        Self::ProxyNotFound,
        Self::ProxyUnauthorized,
        Self::ProxyServerError,
        Self::ProxyInvalidResponse,
        Self::ProxyWrongVersion,
        Self::ZipTooLarge,
        Self::ZipUnexpectedFile,
        Self::ZipInvalid,
        Self::TlsUnknownAuthority,
        Self::TlsHostnameMismatch,
        Self::TlsExpired,
        Self::TlsLegacyCommonName,
        Self::TlsNoRoots,
        Self::HttpProxyUnreachable,
        Self::HttpProxyAuth,
        Self::CredentialsToInsecureUrl,
        Self::InsecureRedirect,
        Self::TooManyRedirects,
        Self::InsecureUrl,
        Self::UnsupportedScheme,
        Self::DnsFailure,
        Self::ConnectionRefused,
        Self::ConnectFailed,
        Self::TlsHandshakeFailed,
        Self::ConnectionLost,
        Self::PlaintextServer,
        Self::Timeout,
        Self::NetworkDisabled,
        Self::UnrecognizedImportPath,
        Self::GoImportConflict,
        Self::NoSecureProtocol,
        Self::GovcsDisallows,
        Self::GitAuth,
        Self::VcsMissing,
        Self::UnknownRevision,
        Self::InvalidVersion,
        Self::GoSumMismatch,
        Self::SumDbMismatch,
        Self::SumDbLookupNotFound,
        Self::SumDbUnreachable,
        Self::SumDbProbeFailed,
        Self::SumDbTileMissing,
        Self::SumDbKeyMismatch,
        Self::SumDbBadSignature,
        Self::SumDbBadResponse,
        Self::SumDbMisbehavior,
        Self::SumDbClientInit,
        Self::SumDbNoGopath,
        Self::GosumdbInvalid,
        Self::GosumdbMissing,
        Self::GosumdbOffToolchain,
        Self::UnknownHashAlgorithm,
        Self::MissingGoSumEntry,
        Self::GoSumUpdatesDisabled,
        Self::GoSumMalformed,
        Self::GoflagsInvalid,
        Self::InsecureFlagRemoved,
        Self::InsecureFlagDeprecated,
        Self::GoauthInvalid,
        Self::GoauthNoCredentials,
        Self::Go111ModuleInvalid,
        Self::ToolchainInvalid,
        Self::ToolchainLanguageVersion,
        Self::ToolchainUnavailable,
        Self::ToolchainDownloadFailed,
        Self::ToolchainNotInPath,
        Self::ModCacheInvalid,
        Self::EnvUnknownVariable,
        Self::GoenvOff,
        Self::EnvWShadowed,
        Self::GoTooOld,
        Self::InconsistentVendoring,
        Self::MalformedModulePath,
        Self::ModulePathMismatch,
        Self::GoModUpdatesNeeded,
        Self::WorkspaceGoVersion,
        Self::WorkspaceModuleMissing,
        Self::NoRequiredModule,
        Self::NoMainModule,
        Self::NotInStd,
    ];

    /// Stable kebab-case identifier (the serde name).
    pub fn id(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => String::new(),
        }
    }

    /// Cause, setting, fix, wrong fixes and audit rule for this kind.
    pub fn info(self) -> KindInfo {
        use DiagnosisKind as K;
        match self {
            K::ProxyOff => info(
                "GOPROXY is off (or the list reaches `off`) and the module is not covered by GONOPROXY/GOPRIVATE, so go may not fetch it at all",
                "GOPROXY, GONOPROXY, GOPRIVATE",
                "Set GOPROXY to a proxy list (default https://proxy.golang.org,direct, or your company proxy); for private modules add their paths to GOPRIVATE, which are then fetched directly even with GOPROXY=off",
                &["GOFLAGS=-mod=mod: changes go.sum handling, not where modules come from"],
                Some("proxy/off"),
            ),
            K::ProxyNoEntries => info(
                "the effective GOPROXY is empty or only separators: since Go 1.21 an empty value in the go env file (`go env -w GOPROXY=`) or a missing $GOROOT/go.env no longer falls back to the default",
                "GOPROXY (user go env file, $GOROOT/go.env)",
                "Run `go env -u GOPROXY` (removes the empty line from the go env file) or set GOPROXY=https://proxy.golang.org,direct; check that $GOROOT/go.env exists",
                &[
                    "GOPROXY= in the process environment: an empty OS variable does not override the file value (cmd/go/internal/cfg.EnvOrAndChanged)",
                    "GOPROXY=direct: fetches everything from VCS, losing the proxy's immutable cache",
                ],
                Some("proxy/empty"),
            ),
            K::ProxyInvalidEntry => info(
                "a GOPROXY entry has no scheme, an unsupported scheme, or is a file:// URL with a host (e.g. `Direct`, a bare path, `ftp://`)",
                "GOPROXY",
                "Write each entry as https://host[/path], http://host (loopback only), file:///absolute/path, `direct` or `off` (lowercase)",
                &[],
                Some("proxy/invalid-entry"),
            ),
            K::DisabledByGoPrivate => info(
                "the module path matches GONOPROXY/GOPRIVATE, so it may not go to a proxy, and the list offers no direct route for it",
                "GONOPROXY, GOPRIVATE, GOPROXY",
                "If the module is private, make sure its VCS is reachable directly (credentials via .netrc/GOAUTH or git); if it is public, narrow GOPRIVATE/GONOPROXY so it no longer matches",
                &[
                    "GONOPROXY= (empty): empty means unset, so GOPRIVATE still applies; use GONOPROXY=none to route everything through the proxy",
                ],
                Some("proxy/private-path-leak"),
            ),
            K::VendorMode => info(
                "vendor mode is active (vendor/ exists and go.mod says go >= 1.14, or -mod=vendor), so module lookups are disabled",
                "GOFLAGS (-mod), vendor/",
                "Run `go mod vendor` after changing requirements, or use -mod=mod/readonly for this command",
                &["deleting go.sum: unrelated, and loses recorded hashes"],
                None,
            ),
            K::ProxyNotFound => info(
                "the proxy does not have this module or version (404/410); with `,` the next entry is tried and this is the last error seen",
                "GOPROXY",
                "Check the module path and version; for private modules add them to GOPRIVATE so they are fetched directly; for a curated proxy, ask for the module to be added",
                &[
                    "`|` separators: they also fall through on outages and attacker-caused errors",
                    NO_SUMDB_OFF,
                ],
                Some("proxy/private-path-leak"),
            ),
            K::ProxyUnauthorized => info(
                "the proxy refused the request (401/403): missing or wrong credentials, or a gatekeeping proxy blocking the module; with `,` the walk stops here",
                "GOPROXY, GOAUTH, .netrc",
                "Provide credentials for the proxy host in .netrc or GOAUTH; if the proxy deliberately blocks the module, request it or route the module with GOPRIVATE",
                &[
                    "credentials inside the GOPROXY URL: printed by go env, -x and CI logs",
                    "`|direct`: silently goes around the proxy's policy",
                ],
                Some("proxy/credentials-in-url"),
            ),
            K::ProxyServerError => info(
                "the proxy failed (5xx); after a `,` separator go stops at this error instead of trying the next entry",
                "GOPROXY",
                "Retry or fix the proxy; if a backup is wanted, list a second trusted proxy after `|`, knowing that any error then falls through",
                &[
                    "adding `|direct` everywhere: any error, including attacker-caused ones, moves to direct VCS fetches",
                    NO_SUMDB_OFF,
                ],
                Some("proxy/fallback-on-any-error"),
            ),
            K::ProxyInvalidResponse => info(
                "the proxy answered with something that is not JSON, typically an HTML login or error page served with status 200",
                "GOPROXY, HTTPS_PROXY",
                "Check the proxy URL (path prefix) and authentication; fetch the URL with curl to see what it serves",
                &[],
                None,
            ),
            K::ProxyWrongVersion => info(
                "the proxy returned metadata for a different version than requested: a misbehaving or misconfigured proxy",
                "GOPROXY",
                "Report it to the proxy operator; use another proxy meanwhile",
                &[],
                None,
            ),
            K::ZipTooLarge => info(
                "the module zip exceeds go's 500 MiB limit",
                "the module itself",
                "Use a version of the module that fits, or vendor the parts you need",
                &[],
                None,
            ),
            K::ZipUnexpectedFile => info(
                "the zip served for the module contains files outside the path@version/ prefix: typically another version's zip served for a version that does not exist (a polluted proxy cache), or a broken or malicious proxy",
                "GOPROXY",
                "Report it to the proxy operator and fetch from a trusted proxy; `gotrust probe` checks that made-up versions are 404/410",
                &[NO_SUMDB_OFF],
                Some("probe/not-found-200"),
            ),
            K::ZipInvalid => info(
                "the bytes served as the module zip are not a zip archive (trailing padding, an HTML page served with 200, a corrupted proxy cache entry); go names no module in this message",
                "GOPROXY",
                "Fetch the zip URL of the -x trace with curl and look at it; `gotrust probe --module M@V` compares the proxy's zip with the checksum database; report the proxy",
                &[
                    NO_SUMDB_OFF,
                    "go clean -modcache alone: the proxy serves the same bytes again",
                ],
                Some("probe/content-mismatch"),
            ),
            K::TlsUnknownAuthority => info(
                "the server's certificate chains to a CA go does not trust: usually a TLS-intercepting corporate proxy or a private CA",
                "SSL_CERT_FILE, SSL_CERT_DIR (Linux/BSD); the system trust store (macOS, Windows)",
                "Add the intercepting proxy's or private CA certificate to the trust store go reads: on Linux install it into the system bundle (update-ca-certificates) or point SSL_CERT_FILE/SSL_CERT_DIR at a bundle that includes it; on macOS/Windows add it to the system store",
                &[
                    NO_INSECURE_FOR_TLS,
                    NO_SUMDB_OFF,
                    NO_GIT_SSL,
                    "GOPROXY=direct or http:// proxies: same interception, less verification",
                ],
                Some("tls/custom-roots"),
            ),
            K::TlsHostnameMismatch => info(
                "the certificate does not name the host go connected to: wrong host name, a proxy presenting its own certificate, or DNS pointing elsewhere",
                "GOPROXY, GOSUMDB URL, HTTPS_PROXY, DNS",
                "Use the host name the certificate is issued for, or have the certificate reissued with the right SAN",
                &[NO_INSECURE_FOR_TLS, NO_SUMDB_OFF],
                None,
            ),
            K::TlsExpired => info(
                "the certificate is expired or not yet valid: an expired server or proxy certificate, or a wrong system clock",
                "system clock, server certificate",
                "Check the machine's clock (containers and VMs drift); renew the server certificate",
                &[NO_INSECURE_FOR_TLS, NO_SUMDB_OFF],
                None,
            ),
            K::TlsLegacyCommonName => info(
                "the server certificate has no Subject Alternative Name; go rejects Common-Name-only certificates since 1.15",
                "server certificate",
                "Reissue the certificate with a SAN for the host",
                &[
                    NO_INSECURE_FOR_TLS,
                    "GODEBUG=x509ignoreCN=0: removed in Go 1.17",
                ],
                None,
            ),
            K::TlsNoRoots => info(
                "no CA bundle could be loaded: a minimal container without ca-certificates, or SSL_CERT_FILE/SSL_CERT_DIR pointing at nothing usable",
                "SSL_CERT_FILE, SSL_CERT_DIR",
                "Install the ca-certificates package in the image, or point SSL_CERT_FILE at a readable PEM bundle",
                &[NO_INSECURE_FOR_TLS, NO_SUMDB_OFF],
                Some("tls/custom-roots"),
            ),
            K::HttpProxyUnreachable => info(
                "HTTPS_PROXY/HTTP_PROXY points at an HTTP proxy that cannot be reached",
                "HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
                "Fix or unset the proxy variable; add internal hosts to NO_PROXY",
                &[],
                Some("transport/http-proxy"),
            ),
            K::HttpProxyAuth => info(
                "the corporate HTTP proxy refused the CONNECT (authentication required, or the destination is not allowed: go then shows the proxy's status text alone, e.g. `Forbidden`)",
                "HTTPS_PROXY, HTTP_PROXY",
                "Give the proxy credentials (http://user:pass@proxy in HTTPS_PROXY, kept out of logs) or ask for the hosts to be allowed",
                &[],
                Some("transport/http-proxy"),
            ),
            K::CredentialsToInsecureUrl => info(
                "a URL with user:password is plain http, and go refuses to send credentials in clear text",
                "GOPROXY (http://user:pass@…)",
                "Use https:// for the proxy and move the credentials to .netrc or GOAUTH",
                &["GOINSECURE: does not apply to GOPROXY URLs"],
                Some("proxy/credentials-in-url"),
            ),
            K::InsecureRedirect => info(
                "an https URL redirected to plain http; go refuses (allowed only for GOINSECURE discovery)",
                "GOPROXY, the server's redirects",
                "Fix the server to redirect to https",
                &[
                    "GOINSECURE: would accept the downgrade for direct fetches, which is exactly what an attacker wants",
                ],
                Some("probe/insecure-redirect"),
            ),
            K::TooManyRedirects => info(
                "more than 10 redirects: a redirect loop on the proxy or discovery host",
                "GOPROXY, server configuration",
                "Fix the server's redirect configuration",
                &[],
                None,
            ),
            K::InsecureUrl => info(
                "a plain http URL was refused in secure-only mode (direct discovery of a path not in GOINSECURE)",
                "GOINSECURE",
                "Serve the go-import page and repository over https",
                &["GOINSECURE for a whole domain: also disables certificate checks for it"],
                Some("insecure/broad"),
            ),
            K::UnsupportedScheme => info(
                "a URL with a scheme go cannot fetch",
                "GOPROXY, go-import meta tags",
                "Use https URLs",
                &[],
                Some("proxy/invalid-entry"),
            ),
            K::DnsFailure => info(
                "a host name does not resolve: no network, a firewall, a typo, or an internal host looked up outside the company network",
                "GOPROXY, GOSUMDB, GOPRIVATE, DNS",
                "Check the host name and the network; for private modules make sure they match GOPRIVATE and the VCS host is resolvable",
                &[NO_SUMDB_OFF],
                None,
            ),
            K::ConnectionRefused => info(
                "nothing listens at the address: the proxy or server is down or the port is wrong",
                "GOPROXY, GOSUMDB, HTTPS_PROXY",
                "Check the URL and that the service runs",
                &["`|direct`: hides outages of the proxy by fetching from VCS"],
                None,
            ),
            K::ConnectionLost => info(
                "the connection closed before the response was complete (reset, or fewer bytes than announced): a crashing or overloaded proxy, a middlebox cutting long transfers, or a size limit on a corporate proxy",
                "GOPROXY, GOSUMDB, HTTPS_PROXY, network",
                "Retry once; if it repeats on the same URL, fetch it with curl through the same path and check proxy and middlebox limits",
                &[
                    "`|direct`: hides the broken proxy by fetching from VCS",
                    NO_SUMDB_OFF,
                ],
                None,
            ),
            K::PlaintextServer => info(
                "an https:// URL was answered in plain HTTP: the proxy or a middlebox terminates TLS elsewhere, or the URL should have been http:// on a local server",
                "GOPROXY, GOSUMDB URL, HTTPS_PROXY",
                "Use the scheme the server really speaks (https with a valid certificate); `gotrust probe` shows what the endpoint negotiates",
                &[
                    "GOPROXY=http://…: the module bits then travel without TLS",
                    NO_INSECURE_FOR_TLS,
                ],
                Some("probe/tls-failed"),
            ),
            K::Timeout => info(
                "a connection or TLS handshake timed out: a firewall dropping packets, or a slow proxy",
                "GOPROXY, GOSUMDB, HTTPS_PROXY, network",
                "Check firewall rules for the proxy and database hosts; set HTTPS_PROXY if the network requires one",
                &[NO_SUMDB_OFF],
                Some("transport/http-proxy"),
            ),
            K::TlsHandshakeFailed => info(
                "the TLS handshake was broken off with an alert before any certificate was checked: a middlebox filtering by server name, an HTTP proxy or TLS-inspecting gateway that does not accept this client's TLS versions or ciphers, or a server that wants a client certificate",
                "HTTPS_PROXY, the network path, GOPROXY",
                "Try the same URL with curl from the same machine; if a corporate gateway sits in between, ask for the host to be allowed (or its inspection to support TLS 1.3); otherwise use a proxy reachable from this network in GOPROXY",
                &[
                    NO_INSECURE_FOR_TLS,
                    NO_SUMDB_OFF,
                    "GOPROXY=direct: moves the fetch to git, which meets the same gateway and loses the proxy's checks",
                ],
                Some("transport/http-proxy"),
            ),
            K::ConnectFailed => info(
                "the TCP connection could not be made: no route to the address (no network, an IPv6 address without IPv6 connectivity, a VPN or firewall rejecting it), or a reason the OS reported in its own words",
                "GOPROXY, GOSUMDB, HTTPS_PROXY, the network path",
                "Check that this machine or container has a route to the host (IPv4 and IPv6), firewall and VPN rules, and any HTTP proxy the network requires; or use a proxy reachable from here in GOPROXY",
                &[NO_SUMDB_OFF],
                Some("transport/http-proxy"),
            ),
            K::NetworkDisabled => info(
                "GODEBUG=cmdgonetlimit=0 disables all network access of the go command",
                "GODEBUG",
                "Remove cmdgonetlimit=0 from GODEBUG, or pre-populate the module cache",
                &[],
                None,
            ),
            K::UnrecognizedImportPath => info(
                "direct mode could not find the repository: the https://<path>?go-get=1 page is unreachable or has no go-import tag; typical for private modules fetched outside their network or without credentials",
                "GOPRIVATE, GONOPROXY, GOPROXY, GOINSECURE",
                "For private modules: ensure GOPRIVATE matches, the host is reachable and credentials are in .netrc/GOAUTH; for public modules: use the proxy (GOPROXY=https://proxy.golang.org,direct)",
                &[
                    "GOINSECURE=*: turns off TLS for every direct fetch",
                    NO_SUMDB_OFF,
                ],
                Some("sumdb/private-path-leak"),
            ),
            K::GoImportConflict => info(
                "two go-import pages for the same prefix disagree",
                "the module host's go-import meta tags",
                "Fix the meta tags on the host",
                &[],
                None,
            ),
            K::NoSecureProtocol => info(
                "every secure VCS scheme (https, ssh) failed for a repository path with a VCS suffix",
                "GOINSECURE, GIT_ALLOW_PROTOCOL, git credentials",
                "Make the repository reachable over https or ssh (credentials, ssh keys, url.insteadOf)",
                &[
                    "GOINSECURE for the path: allows plain http and git:// only for genuinely insecure servers, with no TLS at all",
                ],
                Some("insecure/broad"),
            ),
            K::GovcsDisallows => info(
                "GOVCS forbids this version control tool for the module (public or private)",
                "GOVCS, GOPRIVATE",
                "Allow the tool for that path in GOVCS (e.g. GOVCS=corp.example.com:git,public:git|hg) or fetch the module through a proxy",
                &[
                    "GOVCS=*:all: lets public modules use every VCS, including ones with a history of command-injection bugs",
                ],
                Some("vcs/permissive"),
            ),
            K::GitAuth => info(
                "git needed credentials for a private repository and could not ask (go sets GIT_TERMINAL_PROMPT=0), or the key/token was refused",
                "git credentials, .netrc, url.<base>.insteadOf, GOPRIVATE",
                "Configure a git credential helper or .netrc for the host, or rewrite to ssh with `git config --global url.git@host:.insteadOf https://host/`",
                &[
                    "GIT_TERMINAL_PROMPT=1 in CI: hangs waiting for input",
                    "a token inside GOPROXY/GOPRIVATE values: they are not credentials",
                ],
                None,
            ),
            K::VcsMissing => info(
                "a direct fetch (GOPROXY=direct, a GOPRIVATE/GONOPROXY path, or a proxy falling back to `direct`) runs the version-control tool, and it is not installed where go runs (slim images such as golang:alpine ship without git)",
                "the build environment (git, hg, svn on PATH); GOPROXY and GOPRIVATE decide whether go needs it",
                "Install the tool in the image or machine (`apk add --no-cache git`, `apt-get install git`); public modules can also come through a module proxy, which needs no git",
                &[],
                None,
            ),
            K::UnknownRevision => info(
                "the requested version or commit does not exist in the repository (deleted tag, force-push, typo), or the proxy cannot see it",
                "go.mod requirement",
                "Check the version; for a retracted or deleted tag pick another version",
                &[
                    "re-creating the tag on another commit: the checksum database remembers the old one",
                ],
                None,
            ),
            K::InvalidVersion => info(
                "the version does not exist or is not valid for the module path (+incompatible, major-version suffix, unknown revision)",
                "go.mod requirement",
                "Use an existing, well-formed version (v2+ modules need the /vN path suffix)",
                &[],
                None,
            ),
            K::GoSumMismatch => info(
                "the downloaded bits differ from the hash recorded in go.sum: the go.sum line was edited or merged badly, the upstream re-tagged, a proxy served different bits, or the module cache was tampered with",
                "go.sum, GOPROXY, GOFLAGS",
                "Find which side moved: `gotrust verify sums` checks go.sum against the checksum database, `gotrust verify cache` the module cache; if go.sum agrees with the database, the download is what changed (clean the cache, use another proxy); if not, restore go.sum from history",
                &[
                    "deleting go.sum lines or the whole go.sum: accepts whatever is served now",
                    NO_SUMDB_OFF,
                    "go clean -modcache alone: hides tampering without finding the source",
                ],
                Some("project/go-sum-conflict"),
            ),
            K::SumDbMismatch => info(
                "the downloaded bits differ from what the checksum database recorded for everyone: the proxy or origin served different bits, or an attacker intercepted the download",
                "GOPROXY, GONOSUMDB, GOSUMDB",
                "Treat it as an incident: the database is append-only, so the download is what moved; fetch through another proxy and compare (`gotrust verify proxy`), and report the proxy",
                &[
                    NO_SUMDB_OFF,
                    "adding the module to GONOSUMDB/GOPRIVATE: silences the only witness",
                ],
                Some("proxy/unverified-third-party"),
            ),
            K::SumDbLookupNotFound => info(
                "the checksum database has no record for this module (404/410): almost always a private module path sent to the public database because it is not in GONOSUMDB/GOPRIVATE; for a public path, a version the database never recorded (one a polluted proxy invented)",
                "GONOSUMDB, GOPRIVATE, GONOPROXY",
                "Add the private path pattern to GOPRIVATE (or GONOSUMDB), e.g. `go env -w GOPRIVATE=corp.example.com/*`",
                &[NO_SUMDB_OFF, "GOFLAGS=-insecure: ignored since Go 1.17"],
                Some("sumdb/private-path-leak"),
            ),
            K::SumDbUnreachable => info(
                "the checksum database could not be reached (dial, TLS or server error on a lookup or tile): a firewall, or GOPROXY=direct/off sending lookups to sum.golang.org directly",
                "GOSUMDB, GOPROXY, HTTPS_PROXY",
                "Allow the database host, route it through a proxy that serves /sumdb/ (GOPROXY), or set GOSUMDB to `sum.golang.org <mirror URL>`",
                &[NO_SUMDB_OFF],
                Some("sumdb/disabled"),
            ),
            K::SumDbProbeFailed => info(
                "probing <proxy>/sumdb/<name>/supported gave an error that is not 404/410 (403, 5xx, network) after a `,`, so every database read fails",
                "GOPROXY, GOSUMDB",
                "Make the proxy answer 404 for /sumdb/ it does not serve, or give GOSUMDB an explicit URL",
                &[NO_SUMDB_OFF],
                Some("proxy/fallback-on-any-error"),
            ),
            K::SumDbTileMissing => info(
                "a mirror of the checksum database lacks tiles needed to check the tree",
                "GOPROXY (the mirror serving /sumdb/), GOSUMDB",
                "Use a proxy that mirrors the database fully, or point GOSUMDB at sum.golang.org",
                &[NO_SUMDB_OFF],
                Some("sumdb/custom"),
            ),
            K::SumDbKeyMismatch => info(
                "the tree note is not signed by the key in GOSUMDB: the key or name does not belong to the server",
                "GOSUMDB",
                "Use the database's published key (sum.golang.org's is built in: GOSUMDB=sum.golang.org)",
                &[NO_SUMDB_OFF],
                Some("sumdb/custom"),
            ),
            K::SumDbBadSignature => info(
                "a tree note signature does not verify: forged or corrupted response",
                "GOSUMDB, GOPROXY",
                "Treat as an incident; compare with the database directly (`gotrust verify sums`)",
                &[NO_SUMDB_OFF],
                Some("sumdb/custom"),
            ),
            K::SumDbBadResponse => info(
                "the checksum database (or the proxy mirroring it) returned malformed or inconsistent data",
                "GOPROXY, GOSUMDB, module cache",
                "Clear $GOMODCACHE/cache/download/sumdb and retry; if it persists, bypass the mirror with GOSUMDB=`sum.golang.org https://sum.golang.org`",
                &[NO_SUMDB_OFF],
                Some("sumdb/custom"),
            ),
            K::SumDbMisbehavior => info(
                "the checksum database showed two different histories: it (or a mirror) is lying",
                "GOSUMDB, GOPROXY, $GOPATH/pkg/sumdb",
                "Keep the printed proof, report it (golang.org/issue for sum.golang.org), and stop fetching through that mirror",
                &[
                    "deleting $GOPATH/pkg/sumdb/*/latest: throws away the evidence and the protection",
                    NO_SUMDB_OFF,
                ],
                Some("sumdb/custom"),
            ),
            K::SumDbClientInit => info(
                "the stored tree head ($GOPATH/pkg/sumdb/<name>/latest) or the key is unreadable",
                "GOSUMDB, GOPATH",
                "Check the key in GOSUMDB and the file's contents and permissions",
                &[NO_SUMDB_OFF],
                Some("sumdb/invalid"),
            ),
            K::SumDbNoGopath => info(
                "go cannot locate its sumdb state because HOME/GOPATH is unset",
                "GOPATH, HOME",
                "Set HOME or GOPATH (common in minimal containers and systemd units)",
                &[NO_SUMDB_OFF],
                None,
            ),
            K::GosumdbInvalid => info(
                "GOSUMDB does not parse: `+insecure` does not exist, a URL is not a name, an unknown name needs its key, or there are too many fields",
                "GOSUMDB",
                "Use `sum.golang.org`, `<name>+<hash>+<key>`, or either followed by one URL",
                &[NO_SUMDB_OFF],
                Some("sumdb/invalid"),
            ),
            K::GosumdbMissing => info(
                "the effective GOSUMDB is empty: `go env -w GOSUMDB=` wrote an empty line that hides the default from go.env",
                "GOSUMDB (user go env file)",
                "Run `go env -u GOSUMDB`",
                &[NO_SUMDB_OFF],
                Some("sumdb/missing"),
            ),
            K::GosumdbOffToolchain => info(
                "a toolchain download always needs the checksum database, and GOSUMDB=off forbids it",
                "GOSUMDB, GOTOOLCHAIN",
                "Remove GOSUMDB=off (use GONOSUMDB for private paths), or set GOTOOLCHAIN=local",
                &[],
                Some("sumdb/disabled"),
            ),
            K::UnknownHashAlgorithm => info(
                "go.sum lists this module only with a hash algorithm go does not know, so the download cannot be verified against it",
                "go.sum",
                "Remove the unknown lines and let go add h1: lines, then check them with `gotrust verify sums`",
                &[],
                Some("project/go-sum-missing"),
            ),
            K::MissingGoSumEntry => info(
                "go.sum lacks a hash this build needs, and -mod=readonly (the default) forbids adding it",
                "go.sum, GOFLAGS",
                "Run `go mod tidy` (or the `go mod download`/`go get` the message names) and commit go.sum",
                &[
                    "GOFLAGS=-mod=mod in CI: fetches and trusts whatever is served at build time",
                    "GONOSUMDB/GOPRIVATE: the go.sum requirement is independent of them",
                ],
                Some("project/go-sum-missing"),
            ),
            K::GoSumUpdatesDisabled => info(
                "go.sum must change but -mod=readonly forbids writing it",
                "go.sum, GOFLAGS",
                "Run `go mod tidy` and commit go.sum",
                &["GOFLAGS=-mod=mod in CI"],
                Some("project/go-sum-missing"),
            ),
            K::GoSumMalformed => info(
                "a go.sum line does not have the expected fields",
                "go.sum",
                "Fix the line (often a bad merge) or restore go.sum from history",
                &["deleting go.sum"],
                Some("project/go-sum-conflict"),
            ),
            K::GoflagsInvalid => info(
                "GOFLAGS contains a word that is not a flag, an unknown flag, an unterminated quote, or a flag without its value",
                "GOFLAGS",
                "Fix GOFLAGS: space-separated -flag or -flag=value words known to go",
                &[],
                Some("sumdb/legacy-insecure-flag"),
            ),
            K::InsecureFlagRemoved => info(
                "-insecure (on the command line or in GOFLAGS) was removed in Go 1.17",
                "GOFLAGS, go get arguments",
                "Remove -insecure; for a server without valid TLS, name only that host in GOINSECURE",
                &[
                    "GOINSECURE=*: turns off TLS for every direct fetch",
                    NO_SUMDB_OFF,
                ],
                Some("sumdb/legacy-insecure-flag"),
            ),
            K::InsecureFlagDeprecated => info(
                "-insecure is deprecated (Go 1.16) and disables the checksum database for go get",
                "GOFLAGS, go get arguments",
                "Remove -insecure; use GOINSECURE for specific hosts",
                &[],
                Some("sumdb/legacy-insecure-flag"),
            ),
            K::GoauthInvalid => info(
                "GOAUTH does not parse: an empty command, `off` combined with other methods, or `git` without an absolute directory",
                "GOAUTH",
                "Use `netrc`, `git /abs/dir`, a command, or `off` alone, separated by `;`",
                &[],
                None,
            ),
            K::GoauthNoCredentials => info(
                "no GOAUTH method produced credentials for the URL",
                "GOAUTH, .netrc, NETRC",
                "Add the host to .netrc (or NETRC) or configure the GOAUTH command",
                &["credentials in GOPROXY URLs: leaked by go env, -x and logs"],
                Some("netrc/permissions"),
            ),
            K::Go111ModuleInvalid => info(
                "GO111MODULE has a value other than on, off, auto or empty",
                "GO111MODULE",
                "Unset GO111MODULE (module mode is the default)",
                &[],
                Some("env/unknown-variable"),
            ),
            K::ToolchainInvalid => info(
                "GOTOOLCHAIN does not parse",
                "GOTOOLCHAIN",
                "Use local, auto, path, go1.X.Y, or <name>+auto / <name>+path",
                &[],
                None,
            ),
            K::ToolchainLanguageVersion => info(
                "a language version (go1.N) was used where a toolchain version (go1.N.P) is required",
                "GOTOOLCHAIN, go.mod toolchain line",
                "Name a release such as go1.N.0",
                &[],
                None,
            ),
            K::ToolchainUnavailable => info(
                "the requested toolchain does not exist for this OS/architecture",
                "GOTOOLCHAIN, go.mod go/toolchain lines",
                "Fix the version or set GOTOOLCHAIN=local",
                &[],
                None,
            ),
            K::ToolchainDownloadFailed => info(
                "downloading the toolchain module golang.org/toolchain failed (proxy, network or checksum)",
                "GOTOOLCHAIN, GOPROXY, GOSUMDB",
                "Make the proxy reachable, or install the toolchain and use GOTOOLCHAIN=local",
                &["GOSUMDB=off: toolchain downloads always require the database"],
                None,
            ),
            K::ToolchainNotInPath => info(
                "GOTOOLCHAIN=path (or +path) and the toolchain is not in PATH",
                "GOTOOLCHAIN, PATH",
                "Install the toolchain into PATH or allow downloads (GOTOOLCHAIN=auto)",
                &[],
                None,
            ),
            K::ModCacheInvalid => info(
                "GOMODCACHE is relative, or neither GOMODCACHE nor GOPATH is set",
                "GOMODCACHE, GOPATH, HOME",
                "Set GOMODCACHE (or GOPATH) to an absolute path",
                &[],
                Some("cache/writable"),
            ),
            K::EnvUnknownVariable => info(
                "`go env -w` was given a name go does not know (a typo such as GOPRIVTE, or GONOSUMCHECK)",
                "the go env -w arguments",
                "Use the real name (GOPRIVATE, GONOSUMDB, ...)",
                &[],
                Some("env/unknown-variable"),
            ),
            K::GoenvOff => info(
                "GOENV=off: there is no user go env file to write",
                "GOENV",
                "Unset GOENV or set it to a file path",
                &[],
                None,
            ),
            K::EnvWShadowed => info(
                "`go env -w` wrote the file, but a non-empty OS variable with another value overrides it",
                "the process environment vs the user go env file",
                "Unset the OS variable or change it there",
                &[],
                Some("env/shadowed"),
            ),
            K::GoTooOld => info(
                "the go command running is older than the go version the module or workspace declares, and it did not switch toolchains (GOTOOLCHAIN=local, or a go older than 1.21 that cannot switch or even parse three-part versions)",
                "GOTOOLCHAIN, the installed go, go.mod/go.work go lines",
                "Install a newer go (or let go 1.21+ switch: GOTOOLCHAIN=auto), or lower the go line if the code does not need the newer release",
                &[
                    "editing the go line down without checking: the code may use newer language features",
                ],
                None,
            ),
            K::InconsistentVendoring => info(
                "vendor/modules.txt does not match go.mod (requirements changed without `go mod vendor`, or a stale vendor/ directory): with go >= 1.14 in go.mod and a vendor directory, go builds from vendor/ and checks it first",
                "vendor/, go.mod, -mod",
                "Run `go mod vendor` and commit vendor/ (or delete vendor/ if the project does not vendor)",
                &[
                    "GOFLAGS=-mod=mod in CI: ignores the committed vendor tree and fetches whatever is served",
                ],
                None,
            ),
            K::MalformedModulePath => info(
                "an import path whose first element has no dot is neither a standard-library package of this go nor a module path: a local import without its module prefix, a missing replace directive, or a standard package newer than this go",
                "import paths, go.mod replace/require, the go version",
                "Import the package by its full module path (or add a replace directive); if the path is a standard package (embed, io/fs, slices, …), use a go version that has it",
                &[],
                None,
            ),
            K::ModulePathMismatch => info(
                "the go.mod of the downloaded module declares another path than the one it was required by: the module was renamed or moved (vanity path, new owner), or it declares a bare name",
                "import paths, go.mod require/replace",
                "Require and import the module by the path its go.mod declares (or replace the old path with the new one)",
                &["GOFLAGS=-mod=mod or GONOSUMDB: unrelated to the path check"],
                None,
            ),
            K::GoModUpdatesNeeded => info(
                "go.mod is missing requirements the build needs, and -mod=readonly (the default since Go 1.16) forbids adding them",
                "go.mod, GOFLAGS (-mod)",
                "Run `go mod tidy` and commit go.mod and go.sum",
                &["GOFLAGS=-mod=mod in CI: fetches and trusts whatever is served at build time"],
                None,
            ),
            K::WorkspaceGoVersion => info(
                "a module listed in go.work declares a newer go version than the go.work file (a missing go line counts as go 1.18)",
                "go.work go line",
                "Run `go work use` (or raise the go line of go.work) and commit it",
                &[],
                None,
            ),
            K::NoRequiredModule => info(
                "the code imports a package that no module in go.mod's requirements provides, and -mod=readonly forbids adding one",
                "go.mod require lines",
                "Run `go get <module>` for the import (or `go mod tidy`) and commit go.mod and go.sum; check the import path for typos",
                &["GOFLAGS=-mod=mod in CI: fetches and trusts whatever is served at build time"],
                None,
            ),
            K::NoMainModule => info(
                "the command ran outside any module (no go.mod in this directory or its parents) or in GOPATH mode (GO111MODULE=off), so module paths and @version queries cannot be resolved",
                "the working directory, GO111MODULE",
                "Run the command inside the module (where go.mod is), create one with `go mod init`, use `go install path@version` for tools, and unset GO111MODULE=off",
                &[],
                None,
            ),
            K::NotInStd => info(
                "an import path without a dot is looked up in the standard library, and this go does not have that package: a package added in a newer Go, a typo, or GOROOT pointing at another installation",
                "the installed go (PATH, GOROOT), import paths",
                "Use a go version that has the package (the module's go line says which), check the import's spelling, and unset GOROOT unless it points at the go in PATH",
                &[],
                None,
            ),
            K::WorkspaceModuleMissing => info(
                "go.work lists a directory that has no go.mod: a stray go.work in a parent directory, or a module that was moved",
                "go.work, GOWORK",
                "Fix the use directive in go.work, or run with GOWORK=off when the workspace is not meant for this build",
                &[],
                None,
            ),
        }
    }
}
