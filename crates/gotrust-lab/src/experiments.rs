//! The article's experiments, end to end with the real go command: the catalog, how each is
//! run, and how go's behaviour is judged against what real Go is known to do.
//!
//! Each experiment starts a lab with the faults of one of the lab's `scenarios/*.toml` files
//! (or a forward proxy between go and the lab), runs go hermetically against it (temporary
//! HOME, GOPATH, GOMODCACHE, GOCACHE and GOENV, `GOTOOLCHAIN=local`, `GOFLAGS=-mod=mod`: never
//! the user's caches or settings) and compares what go did with what real Go does (each
//! expectation was established against go itself; `tests/go_*.rs` run the same cases). An
//! experiment passes when go behaves as expected, whether that reproduces the risk or shows
//! the defence holding. What gotrust says about the same situation is judged by a callback
//! (this crate does not depend on the engine): see [`Judgement`].

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use thiserror::Error;

use crate::{Fault, Lab, LabError, LogEntry, RunningLab};

/// Why an experiment could not be run (as opposed to go misbehaving, which is an
/// [`Outcome`] with problems).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// A file or directory could not be made, or go could not be started.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The lab could not start.
    #[error(transparent)]
    Lab(#[from] LabError),
    /// An experiment names a fault file that is missing or does not parse.
    #[error("fault file {name}: {detail}")]
    FaultFile {
        /// The fault file's name.
        name: String,
        /// What is wrong.
        detail: String,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ExperimentError {
    let what = what.into();
    move |source| ExperimentError::Io { what, source }
}

/// The module every scenario fetches (a built-in fixture).
pub const MODULE: &str = "example.com/simple";

/// Longest a single go run may take before it is killed (everything is on loopback).
pub const GO_TIMEOUT: Duration = Duration::from_secs(120);

/// What a scenario demonstrates when go behaves as expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shows {
    /// A risk: go accepts something it should not, or moves where an attacker wants.
    Risk,
    /// A defence: go refuses, whatever the article suggests.
    Defence,
}

/// How GOPROXY is built.
#[derive(Debug, Clone, Copy)]
pub enum Proxy {
    /// The faulty lab alone.
    Single,
    /// GOPROXY=<faulty lab><sep><healthy lab>; the healthy lab's database verifies.
    Fallback(&'static str),
}

/// Something checked after go ran, besides its exit status and output.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// `go mod download -json` reported a Sum that is not the module's real hash: the
    /// tampered content went in.
    SumIsNotTheRealOne(&'static str),
    /// The healthy lab of a fallback served a request whose path ends like this.
    SecondServed(&'static str),
    /// The healthy lab of a fallback served nothing ending like this.
    SecondNotServed(&'static str),
    /// The faulty lab applied the fault with this name at least once.
    FaultApplied(&'static str),
    /// go's stderr (its `-x` trace) has no line containing this: go did not request it.
    TraceLacks(&'static str),
}

/// The network between go and the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// go talks to the lab directly (GOPROXY is the lab's URL).
    Lab,
    /// go keeps its default GOPROXY (https://proxy.golang.org) and reaches it through
    /// HTTPS_PROXY: the lab's forward proxy, which intercepts and re-signs every host with
    /// its own CA. `trust_ca`: SSL_CERT_FILE holds that CA.
    Intercepted {
        /// SSL_CERT_FILE holds the forward proxy's CA.
        trust_ca: bool,
    },
    /// GOPROXY names the lab's plain-http port with `https://`.
    HttpsToPlainHttp,
    /// go reaches the lab as `https://proxy.lab.test` through the lab's forward proxy (no
    /// interception: SSL_CERT_FILE holds the virtual hosts' CA), as a company network with
    /// an egress proxy and an internal module proxy looks.
    Forward,
    /// `GOPROXY=direct` for [`VHOST_MODULE`], whose host serves plain http only (a tunnel to
    /// port 443 is refused): go finds the go-import page and the module over http where
    /// GOINSECURE lets it.
    ForwardDirectHttp,
}

/// A module whose path is a lab virtual host, fetched directly (go-import page, `mod` VCS).
pub const VHOST_MODULE: &str = "mod.lab.test/hello";

/// [`VHOST_MODULE`] at v1.0.0.
pub const VHOST_V100: &str = "mod.lab.test/hello@v1.0.0";

const VHOST_MODULE_TXTAR: &str = "mod.lab.test/hello@v1.0.0: a module served by a lab virtual host

-- .mod --
module mod.lab.test/hello

go 1.21
-- go.mod --
module mod.lab.test/hello

go 1.21
-- hello.go --
package hello
";

/// What is prepared in go's working module before go runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prepare {
    /// An empty main module.
    Nothing,
    /// The main module requires [`SIMPLE_V100`] and its go.sum holds the hashes of the
    /// tampered content the lab serves (computed by a first go run with GOSUMDB=off, in its
    /// own caches): the attacker changed both, as a malicious pull request does.
    ForgedGoSum,
}

/// What gotrust must say about the same situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GotrustVerdict {
    /// `gotrust probe` of the GOPROXY go used, with go's environment, emits this rule.
    ProbeEmits(&'static str),
    /// `gotrust diagnose` maps go's error to this diagnosis.
    DiagnoseMaps(&'static str),
    /// The requests of go's `-x` trace (module proxy and checksum-database lookups, in
    /// order) are the ones `gotrust explain` predicts for the same query and settings.
    ExplainMatchesTrace(&'static str),
    /// `gotrust diagnose` on go's `-x` trace names the proxy (the lab, second of a
    /// fallback) that served the module's zip.
    DiagnoseNamesServer,
    /// `gotrust audit` with go's environment emits this rule.
    AuditEmits(&'static str),
    /// `gotrust explain` of this query with go's environment gives this verdict.
    ExplainVerdict(&'static str, &'static str),
    /// `gotrust verify sums` of go's go.sum against the lab's checksum database reports
    /// this rule.
    VerifySumsEmits(&'static str),
    /// A file of the extracted module is altered: `gotrust verify cache` reports it; after
    /// `go clean -modcache` and a fresh `go mod download` it reports nothing.
    VerifyCacheCleanCycle,
}

/// One experiment.
#[derive(Debug)]
pub struct Experiment {
    /// Stable name (`gotrust lab run NAME`).
    pub name: &'static str,
    /// The risk in one line.
    pub title: &'static str,
    /// The article's claim (or the misconception) being tested.
    pub claim: &'static str,
    /// Fault file (`gotrust-lab/scenarios/<name>.toml`).
    pub faults: &'static str,
    /// Whether the lab speaks TLS.
    pub tls: bool,
    /// How GOPROXY is built.
    pub proxy: Proxy,
    /// Environment on top of the lab's.
    pub env: &'static [(&'static str, &'static str)],
    /// go arguments.
    pub args: &'static [&'static str],
    /// Whether go is expected to exit 0.
    pub go_succeeds: bool,
    /// Text go's stderr must contain.
    pub stderr_has: &'static [&'static str],
    /// What is checked after go ran.
    pub checks: &'static [Check],
    /// Risk or defence.
    pub shows: Shows,
    /// What the expected outcome means.
    pub meaning: &'static str,
    /// gotrust rules (or commands) that catch the configuration or the pollution.
    pub rules: &'static [&'static str],
    /// The network go goes through.
    pub network: Network,
    /// What gotrust, run on the same situation, must report.
    pub gotrust: &'static [GotrustVerdict],
    /// What is prepared before go runs.
    pub prepare: Prepare,
}

/// The module version most experiments fetch.
pub const SIMPLE_V100: &str = "example.com/simple@v1.0.0";

/// Every experiment, in the order `gotrust lab run` runs them.
pub const EXPERIMENTS: &[Experiment] = &[
    Experiment {
        name: "sumdb-off",
        title: "GOSUMDB=off: a tampered zip is accepted silently",
        claim: "the article, section 3.3: a forged zip passes where the checksum database is not consulted",
        faults: "tamper-zip",
        tls: false,
        proxy: Proxy::Single,
        env: &[("GOSUMDB", "off")],
        args: &["mod", "download", "-json", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[
            Check::SumIsNotTheRealOne(SIMPLE_V100),
            Check::FaultApplied("tamper-zip"),
        ],
        shows: Shows::Risk,
        meaning: "go downloaded and hashed the proxy's tampered zip without a word; only the \
                  checksum database could have known it differs from what was published",
        rules: &["sumdb/disabled", "proxy/unverified-third-party"],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "gonosumdb",
        title: "GONOSUMDB covering the module: a tampered zip is accepted silently",
        claim: "the article, section 3.3: GONOSUMDB/GOPRIVATE take modules out of the database",
        faults: "tamper-zip",
        tls: false,
        proxy: Proxy::Single,
        env: &[("GONOSUMDB", MODULE)],
        args: &["mod", "download", "-json", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[
            Check::SumIsNotTheRealOne(SIMPLE_V100),
            Check::FaultApplied("tamper-zip"),
        ],
        shows: Shows::Risk,
        meaning: "a module matched by GONOSUMDB is trusted from whatever the proxy serves",
        rules: &["sumdb/bypass-public", "proxy/unverified-third-party"],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "sumdb-catches-tamper",
        title: "With the checksum database, the same tampered zip is a SECURITY ERROR",
        claim: "the article, section 3.3 (the other half): the database is what stops a forged zip",
        faults: "tamper-zip",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &[
            "example.com/simple@v1.0.0: verifying module: checksum mismatch",
            "SECURITY ERROR",
        ],
        checks: &[Check::FaultApplied("tamper-zip")],
        shows: Shows::Defence,
        meaning: "go compared the zip's hash with the signed, Merkle-proven database record and \
                  refused it",
        rules: &["sumdb/disabled", "sumdb/bypass-public"],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "tampered-go-mod",
        title: "A proxy serving a modified go.mod is caught by the database",
        claim: "the article, section 2: a polluted proxy cache serves altered module content",
        faults: "tamper-go-mod",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", "example.com/simple@v1.1.0"],
        go_succeeds: false,
        stderr_has: &[
            "example.com/simple@v1.1.0: verifying go.mod: checksum mismatch",
            "SECURITY ERROR",
        ],
        checks: &[Check::FaultApplied("tamper-go-mod")],
        shows: Shows::Defence,
        meaning: "the go.mod hash is checked against the database before the zip is fetched",
        rules: &["sumdb/disabled", "sumdb/bypass-public"],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "polluted-version",
        title: "A proxy answering 200 for a version that was never published: go resolves it",
        claim: "the article, section 2.4: a stale or polluted proxy invents versions",
        faults: "polluted-version",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["list", "-m", "-json", "example.com/simple@v1.9.9"],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[Check::FaultApplied("polluted")],
        shows: Shows::Risk,
        meaning: "even with the checksum database on, go takes the proxy's .info as proof that \
                  v1.9.9 exists: version queries are not verified, only content is",
        rules: &[
            "gotrust probe (a made-up version answered 200)",
            "gotrust verify proxy",
        ],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "polluted-version-sumdb",
        title: "The database has no record of the invented version: go refuses it",
        claim: "the article, section 2.4: pollution is proven by content, not by cache headers",
        faults: "polluted-version",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", "example.com/simple@v1.9.9"],
        go_succeeds: false,
        stderr_has: &[
            "example.com/simple@v1.9.9: verifying go.mod",
            "/lookup/example.com/simple@v1.9.9: 404 Not Found",
        ],
        checks: &[Check::FaultApplied("polluted")],
        shows: Shows::Defence,
        meaning: "a version the database never logged cannot be verified, so go stops",
        rules: &["sumdb/disabled", "sumdb/bypass-public"],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "goinsecure-proxy-tls",
        title: "GOINSECURE=* does not relax TLS for GOPROXY",
        claim: "the article, section 4.1: `*` in GOINSECURE disables TLS globally",
        faults: "untrusted-cert",
        tls: true,
        proxy: Proxy::Single,
        env: &[("GOINSECURE", "*")],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &["x509: certificate signed by unknown authority"],
        checks: &[],
        shows: Shows::Defence,
        meaning: "GOINSECURE only affects direct (VCS) fetches; proxies are always verified",
        rules: &["insecure/no-effect", "insecure/match-all"],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "goinsecure-sumdb",
        title: "GOINSECURE=* does not disable the checksum database",
        claim: "the article, section 3.1: GOINSECURE does not bypass GOSUMDB",
        faults: "tamper-zip",
        tls: false,
        proxy: Proxy::Single,
        env: &[("GOINSECURE", "*")],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &["verifying module: checksum mismatch", "SECURITY ERROR"],
        checks: &[Check::FaultApplied("tamper-zip")],
        shows: Shows::Defence,
        meaning: "the tampered zip is still refused: GOINSECURE leaves go.sum and the database \
                  in force",
        rules: &["insecure/no-effect", "insecure/match-all"],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "fallback-comma-500",
        title: "GOPROXY=a,b: a 500 from a stops go, b is never asked",
        claim: "misconception: with `a,b` go tries b whenever a fails",
        faults: "status-500",
        tls: false,
        proxy: Proxy::Fallback(","),
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &["500 Internal Server Error"],
        checks: &[
            Check::FaultApplied("status"),
            Check::SecondNotServed("/@v/v1.0.0.zip"),
        ],
        shows: Shows::Defence,
        meaning: "`,` falls back only after 404/410, so an error on the first proxy cannot push \
                  go to the next source",
        rules: &["proxy/fallback-on-any-error"],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "fallback-pipe-500",
        title: "GOPROXY=a|b: a 500 from a sends go to b",
        claim: "the article, section 2.2: fallback between sources",
        faults: "status-500",
        tls: false,
        proxy: Proxy::Fallback("|"),
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[
            Check::FaultApplied("status"),
            Check::SecondServed("/example.com/simple/@v/v1.0.0.zip"),
        ],
        shows: Shows::Risk,
        meaning: "with `|` any error, including one an attacker provokes, moves go to the next \
                  source",
        rules: &["proxy/fallback-on-any-error"],
        network: Network::Lab,
        gotrust: &[],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "interception-untrusted",
        title: "An intercepting egress proxy whose CA go does not trust: x509 failure",
        claim: "the article's TLS section: behind an intercepting proxy go fails with x509 errors",
        faults: "none",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &["x509: certificate signed by unknown authority"],
        checks: &[],
        shows: Shows::Defence,
        meaning: "go refuses a certificate re-signed by a CA it does not trust; the fix is to \
                  trust that CA deliberately, never to switch verification off",
        rules: &["probe/tls-interception", "tls/non-public-ca"],
        network: Network::Intercepted { trust_ca: false },
        gotrust: &[
            GotrustVerdict::ProbeEmits("probe/tls-interception"),
            GotrustVerdict::DiagnoseMaps("tls-unknown-authority"),
        ],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "interception-trusted",
        title: "The intercepting proxy's CA in SSL_CERT_FILE: go succeeds, and sees nothing",
        claim: "the article's TLS section: trusting the corporate CA makes go work behind the proxy",
        faults: "none",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[],
        shows: Shows::Risk,
        meaning: "with the interceptor's CA trusted, go fetches through it without a word: every \
                  module passes through the proxy in clear; only the checksum database still \
                  protects the content",
        rules: &["probe/tls-interception", "tls/non-public-ca"],
        network: Network::Intercepted { trust_ca: true },
        gotrust: &[GotrustVerdict::ProbeEmits("probe/tls-interception")],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "https-to-plain-http",
        title: "GOPROXY=https:// naming a plain-http port",
        claim: "the article's TLS section: \"first record does not look like a TLS handshake\"",
        faults: "none",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: false,
        stderr_has: &["server gave HTTP response to HTTPS client"],
        checks: &[],
        shows: Shows::Defence,
        meaning: "go's transport recognises a plain-HTTP answer and says so; \"first record does \
                  not look like a TLS handshake\" only comes from a server that speaks neither",
        rules: &["proxy/plaintext"],
        network: Network::HttpsToPlainHttp,
        gotrust: &[GotrustVerdict::DiagnoseMaps("plaintext-server")],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "route-through-forward-proxy",
        title: "Through an egress proxy, go's requests are the ones explain predicts",
        claim: "the article, section 2.2: `go -x` shows the route go takes; explain must show the same",
        faults: "none",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", "-x", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &["# get https://proxy.lab.test/example.com/simple/@v/v1.0.0.zip: 200 OK"],
        checks: &[],
        shows: Shows::Defence,
        meaning: "go walked GOPROXY through HTTPS_PROXY exactly as gotrust explain predicted, \
                  request by request, so the route gotrust shows is the one go takes",
        rules: &["gotrust explain", "gotrust diagnose (route deviations)"],
        network: Network::Forward,
        gotrust: &[GotrustVerdict::ExplainMatchesTrace(SIMPLE_V100)],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "trace-the-source",
        title: "Which proxy served the module: go -x and diagnose name it",
        claim: "the article, section 2.3: trace a module back to the proxy that served it",
        faults: "status-500",
        tls: false,
        proxy: Proxy::Fallback("|"),
        env: &[],
        args: &["mod", "download", "-x", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &["500 Internal Server Error"],
        checks: &[Check::SecondServed("/example.com/simple/@v/v1.0.0.zip")],
        shows: Shows::Risk,
        meaning: "the first proxy failed and the zip came from the second one: only the trace \
                  tells which source a module really came from",
        rules: &["gotrust diagnose", "proxy/fallback-on-any-error"],
        network: Network::Lab,
        gotrust: &[GotrustVerdict::DiagnoseNamesServer],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "goinsecure-direct-http",
        title: "GOINSECURE on a direct fetch: go takes the module over plain http",
        claim: "the article, section 4.2: GOINSECURE lets go fetch a private module over http",
        faults: "none",
        tls: false,
        proxy: Proxy::Single,
        env: &[
            ("GOPROXY", "direct"),
            ("GOPRIVATE", VHOST_MODULE),
            ("GOINSECURE", VHOST_MODULE),
        ],
        args: &["mod", "download", "-x", VHOST_V100],
        go_succeeds: true,
        stderr_has: &["# get http://mod.lab.test/hello?go-get=1: 200 OK"],
        checks: &[],
        shows: Shows::Risk,
        meaning: "the https attempt failed and go went on over plain http for the go-import \
                  page and the module; private, so no checksum database either: nothing \
                  protects the content",
        rules: &["insecure/unverified"],
        network: Network::ForwardDirectHttp,
        gotrust: &[
            GotrustVerdict::AuditEmits("insecure/unverified"),
            GotrustVerdict::ExplainVerdict(VHOST_V100, "no-tls-no-checksum"),
        ],
        prepare: Prepare::Nothing,
    },
    Experiment {
        name: "forged-go-sum",
        title: "A forged zip with a forged go.sum line: go builds it, verify sums catches it",
        claim: "the article, section 3.3: go.sum is checked first; the database is not asked for a line go.sum has",
        faults: "tamper-zip",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", "-x"],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[
            Check::FaultApplied("tamper-zip"),
            Check::TraceLacks("/lookup/"),
        ],
        shows: Shows::Risk,
        meaning: "the go.sum line matched the forged zip, so go accepted it without asking \
                  the checksum database; comparing go.sum with the database finds the forgery",
        rules: &["gotrust verify sums (verify/sum-mismatch)"],
        network: Network::Lab,
        gotrust: &[GotrustVerdict::VerifySumsEmits("verify/sum-mismatch")],
        prepare: Prepare::ForgedGoSum,
    },
    Experiment {
        name: "clean-and-redownload",
        title: "A file altered in the module cache: verify cache finds it, a clean re-download removes it",
        claim: "the article, section 2.5: `go clean -modcache` and a fresh download repair a polluted cache",
        faults: "none",
        tls: false,
        proxy: Proxy::Single,
        env: &[],
        args: &["mod", "download", SIMPLE_V100],
        go_succeeds: true,
        stderr_has: &[],
        checks: &[],
        shows: Shows::Defence,
        meaning: "go never re-checks extracted files; gotrust verify cache does, and the \
                  database-verified re-download restores them",
        rules: &["gotrust verify cache (verify/mismatch)"],
        network: Network::Lab,
        gotrust: &[GotrustVerdict::VerifyCacheCleanCycle],
        prepare: Prepare::Nothing,
    },
];

/// What happened in one experiment.
pub struct Outcome {
    /// The experiment.
    pub scenario: &'static Experiment,
    faults: Vec<String>,
    env: Vec<(String, String)>,
    exit_code: Option<i32>,
    stdout: String,
    stderr: String,
    /// What gotrust said about the same situation, one line per verdict.
    gotrust: Vec<String>,
    /// Every way go's (or gotrust's) behaviour differed from the expectation; empty when it
    /// passed.
    problems: Vec<String>,
}

impl Outcome {
    /// Whether go (and gotrust) behaved as expected.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    /// The verdict in one line.
    pub fn verdict(&self) -> String {
        let s = self.scenario;
        match (self.passed(), s.shows) {
            (true, Shows::Risk) => format!("risk reproduced: {}", s.meaning),
            (true, Shows::Defence) => format!("defence holds: {}", s.meaning),
            (false, _) => format!(
                "unexpected: go did not behave as real Go is documented to ({})",
                self.problems.join("; ")
            ),
        }
    }

    /// go's exit and first meaningful line.
    pub fn go_summary(&self) -> String {
        let status = match self.exit_code {
            Some(0) => "exit 0".to_owned(),
            Some(c) => format!("exit {c}"),
            None => "killed".to_owned(),
        };
        // The first line that says why, skipping go's progress chatter.
        let line = self
            .stderr
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with("go: downloading"))
            .unwrap_or("");
        if line.is_empty() {
            format!("{status}, nothing on stderr")
        } else {
            format!("{status}: {line}")
        }
    }

    /// The JSON record (schema version 1).
    pub fn json(&self) -> serde_json::Value {
        let s = self.scenario;
        let env: serde_json::Map<String, serde_json::Value> = self
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        json!({
            "schema_version": 1,
            "scenario": s.name,
            "title": s.title,
            "claim": s.claim,
            "faults": self.faults,
            "env": env,
            "command": std::iter::once("go").chain(s.args.iter().copied()).collect::<Vec<_>>(),
            "expected": {
                "go_succeeds": s.go_succeeds,
                "stderr_contains": s.stderr_has,
            },
            "go": {
                "exit_code": self.exit_code,
                "stdout": self.stdout,
                "stderr": self.stderr,
            },
            "shows": match s.shows { Shows::Risk => "risk", Shows::Defence => "defence" },
            "passed": self.passed(),
            "problems": self.problems,
            "verdict": self.verdict(),
            "caught_by": s.rules,
            "gotrust": self.gotrust,
        })
    }

    /// The text block.
    pub fn text(&self) -> String {
        let s = self.scenario;
        let mark = if self.passed() { "PASS" } else { "FAIL" };
        let mut t = format!("{mark} {}: {}\n", s.name, s.title);
        t += &format!("  claim:     {}\n", s.claim);
        let lab = match s.network {
            Network::Lab => self.faults.join(", "),
            Network::Intercepted { trust_ca } => format!(
                "forward proxy re-signing every host with its own CA (HTTPS_PROXY), CA {}trusted by SSL_CERT_FILE",
                if trust_ca { "" } else { "not " }
            ),
            Network::HttpsToPlainHttp => "plain-http lab named with https:// in GOPROXY".into(),
            Network::Forward => {
                "forward proxy (HTTPS_PROXY) in front of the lab, reached as https://proxy.lab.test"
                    .into()
            }
            Network::ForwardDirectHttp => {
                "forward proxy (HTTP_PROXY/HTTPS_PROXY); mod.lab.test serves plain http only".into()
            }
        };
        t += &format!("  lab:       {lab}\n");
        let extra: Vec<String> = s.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let proxy = match s.proxy {
            Proxy::Single => String::new(),
            Proxy::Fallback(sep) => format!("GOPROXY=<faulty lab>{sep}<healthy lab> "),
        };
        t += &format!(
            "  run:       {proxy}{}go {}\n",
            if extra.is_empty() {
                String::new()
            } else {
                extra.join(" ") + " "
            },
            s.args.join(" ")
        );
        t += &format!("  go:        {}\n", self.go_summary());
        t += &format!("  verdict:   {}\n", self.verdict());
        t += &format!("  caught by: {}\n", s.rules.join(", "));
        for g in &self.gotrust {
            t += &format!("  gotrust:   {g}\n");
        }
        t
    }
}

/// The experiments named (all when none is).
pub fn select(names: &[String]) -> Result<Vec<&'static Experiment>, String> {
    if names.is_empty() {
        return Ok(EXPERIMENTS.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            EXPERIMENTS.iter().find(|s| s.name == n).ok_or_else(|| {
                let known: Vec<&str> = EXPERIMENTS.iter().map(|s| s.name).collect();
                format!("unknown scenario `{n}` (known: {})", known.join(", "))
            })
        })
        .collect()
}

/// The faults of an experiment's fault file.
pub fn faults_of(s: &Experiment) -> Result<Vec<Fault>, ExperimentError> {
    if s.faults == "none" {
        return Ok(Vec::new());
    }
    let bad = |detail: String| ExperimentError::FaultFile {
        name: s.faults.to_string(),
        detail,
    };
    let file = crate::scenarios::fault_file(s.faults)
        .ok_or_else(|| bad("not embedded".into()))?
        .map_err(|e| bad(e.to_string()))?;
    Ok(file.faults)
}

/// What gotrust is asked to judge after go ran: the verdict wanted, go's environment and
/// working root, and go's stderr.
pub struct Judgement<'a> {
    /// What gotrust must say.
    pub verdict: GotrustVerdict,
    /// The go binary (to run go again, with [`run_go`]).
    pub go: &'a Path,
    /// The experiment's temporary root (go's HOME is `root/home`).
    pub root: &'a Path,
    /// go's environment on top of the hermetic one.
    pub env: &'a [(String, String)],
    /// go's stderr.
    pub stderr: &'a str,
}

/// Runs gotrust for a [`Judgement`]: the line to show, and a problem when gotrust did not
/// say what it must.
pub type Judge<'a> = dyn Fn(&Judgement<'_>) -> (String, Option<String>) + 'a;

/// Runs one experiment with the go binary `go`.
pub fn run_one(
    runtime: &tokio::runtime::Runtime,
    go: &Path,
    s: &'static Experiment,
    judge: &Judge<'_>,
) -> Result<Outcome, ExperimentError> {
    let tmp = tempfile::Builder::new()
        .prefix("gotrust-lab-run-")
        .tempdir()
        .map_err(io("creating a temporary directory"))?;
    let root = tmp.path();
    let modules = root.join("modules");
    crate::scenarios::write_builtin_modules(&modules)
        .map_err(io("writing the built-in modules"))?;
    std::fs::write(
        modules.join("mod.lab.test_hello_v1.0.0.txt"),
        VHOST_MODULE_TXTAR,
    )
    .map_err(io("writing the virtual-host module"))?;
    let faults = faults_of(s)?;
    let mut builder = Lab::builder()
        .modules_dir(&modules)
        .state_dir(root.join("lab"))
        .tls(s.tls);
    for f in &faults {
        builder = builder.fault(f.clone());
    }
    let lab = runtime.block_on(builder.start())?;
    let second = match s.proxy {
        Proxy::Single => None,
        Proxy::Fallback(_) => Some(
            runtime.block_on(
                Lab::builder()
                    .modules_dir(&modules)
                    .state_dir(root.join("lab2"))
                    .start(),
            )?,
        ),
    };

    let forward = match s.network {
        Network::Intercepted { .. } | Network::Forward | Network::ForwardDirectHttp => Some(
            runtime.block_on(lab.start_forward_proxy(crate::forward::ForwardOptions {
                intercept: matches!(s.network, Network::Intercepted { .. }),
                http_only: if s.network == Network::ForwardDirectHttp {
                    vec!["mod.lab.test".into()]
                } else {
                    Vec::new()
                },
                ..Default::default()
            }))?,
        ),
        _ => None,
    };
    let mut env = match (&second, s.proxy) {
        (Some(good), Proxy::Fallback(sep)) => {
            let mut env = good.go_env();
            env.push((
                "GOPROXY".into(),
                format!("{}{sep}{}", lab.proxy_url(), good.proxy_url()),
            ));
            env
        }
        _ => lab.go_env(),
    };
    match (s.network, &forward) {
        (Network::Intercepted { trust_ca }, Some(fwd)) => {
            // go keeps its default proxy; the network in between is the lab.
            env.push(("GOPROXY".into(), "https://proxy.golang.org".into()));
            env.extend(fwd.go_env());
            if trust_ca {
                env.push(("SSL_CERT_FILE".into(), fwd.ca_file().display().to_string()));
            }
        }
        (Network::Forward | Network::ForwardDirectHttp, Some(fwd)) => {
            env = fwd.go_env_through(&lab);
        }
        (Network::HttpsToPlainHttp, _) => {
            env.push((
                "GOPROXY".into(),
                lab.proxy_url().replacen("http://", "https://", 1),
            ));
        }
        _ => {}
    }
    env.extend(s.env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    // Later entries win; keep one per variable for the report.
    let mut dedup: Vec<(String, String)> = Vec::new();
    for (k, v) in env {
        dedup.retain(|(dk, _)| *dk != k);
        dedup.push((k, v));
    }
    let env = dedup;

    let prepared = match s.prepare {
        Prepare::Nothing => Ok(()),
        Prepare::ForgedGoSum => forge_go_sum(go, root, &env),
    };
    let run = prepared.and_then(|()| run_go(go, root, &env, s.args));
    let mut gotrust = Vec::new();
    let mut problems = Vec::new();
    if let Ok((_, _, stderr)) = &run {
        for v in s.gotrust {
            let (line, problem) = judge(&Judgement {
                verdict: *v,
                go,
                root,
                env: &env,
                stderr,
            });
            gotrust.push(line);
            problems.extend(problem);
        }
    }
    if let Some(fwd) = forward {
        runtime.block_on(fwd.shutdown());
    }
    let first_log = lab.request_log();
    let second_log = second
        .as_ref()
        .map(RunningLab::request_log)
        .unwrap_or_default();
    let real = lab.module(MODULE, "v1.0.0").map(|m| m.zip_hash);
    runtime.block_on(lab.shutdown());
    if let Some(good) = second {
        runtime.block_on(good.shutdown());
    }
    let (exit_code, stdout, stderr) = run?;

    match (s.go_succeeds, exit_code) {
        (true, Some(0)) | (false, Some(1..)) => {}
        (true, _) => problems.push("go was expected to succeed and failed".to_owned()),
        (false, _) => problems.push("go was expected to fail and did not".to_owned()),
    }
    for needle in s.stderr_has {
        if !stderr.contains(needle) {
            problems.push(format!("go's stderr lacks {needle:?}"));
        }
    }
    for c in s.checks {
        if let Some(p) = check(
            *c,
            &stdout,
            &stderr,
            real.as_deref(),
            &first_log,
            &second_log,
        ) {
            problems.push(p);
        }
    }
    Ok(Outcome {
        scenario: s,
        faults: faults.iter().map(crate::fault_spec::to_spec).collect(),
        env,
        exit_code,
        stdout,
        stderr,
        gotrust,
        problems,
    })
}

fn check(
    c: Check,
    stdout: &str,
    stderr: &str,
    real_hash: Option<&str>,
    first: &[LogEntry],
    second: &[LogEntry],
) -> Option<String> {
    match c {
        Check::SumIsNotTheRealOne(id) => {
            let sum = serde_json::Deserializer::from_str(stdout)
                .into_iter::<serde_json::Value>()
                .filter_map(Result::ok)
                .find(|v| {
                    format!(
                        "{}@{}",
                        v["Path"].as_str().unwrap_or(""),
                        v["Version"].as_str().unwrap_or("")
                    ) == id
                })
                .and_then(|v| v["Sum"].as_str().map(str::to_owned));
            match sum {
                None => Some(format!("go reported no Sum for {id}")),
                Some(sum) if Some(sum.as_str()) == real_hash => Some(format!(
                    "go's Sum for {id} is the real one: the tampered zip did not arrive"
                )),
                Some(_) => None,
            }
        }
        Check::SecondServed(suffix) => (!second
            .iter()
            .any(|e| e.status == 200 && e.path.ends_with(suffix)))
        .then(|| format!("the second proxy served no {suffix}")),
        Check::SecondNotServed(suffix) => second
            .iter()
            .any(|e| e.path.ends_with(suffix))
            .then(|| format!("the second proxy was asked for {suffix}")),
        Check::FaultApplied(name) => (!first.iter().any(|e| e.fault.split(',').any(|f| f == name)))
            .then(|| format!("the lab never applied fault {name}")),
        Check::TraceLacks(part) => stderr
            .lines()
            .find(|l| l.contains(part))
            .map(|l| format!("go requested {part}: {l}")),
    }
}

/// Writes `root/work/go.mod` requiring [`SIMPLE_V100`] and a go.sum with the hashes of what
/// the lab serves now (tampered), taken from a go run with GOSUMDB=off under `root/forger`.
fn forge_go_sum(go: &Path, root: &Path, env: &[(String, String)]) -> Result<(), ExperimentError> {
    let mut off: Vec<(String, String)> = env.to_vec();
    off.push(("GOSUMDB".into(), "off".into()));
    let forger = root.join("forger");
    let (code, stdout, stderr) = run_go(
        go,
        &forger,
        &off,
        &["mod", "download", "-json", SIMPLE_V100],
    )?;
    let field = |name: &str| -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(&stdout).ok()?;
        v[name].as_str().map(str::to_owned)
    };
    let (Some(0), Some(sum), Some(mod_sum)) = (code, field("Sum"), field("GoModSum")) else {
        return Err(ExperimentError::Io {
            what: "forging go.sum".into(),
            source: std::io::Error::other(format!(
                "go mod download with GOSUMDB=off failed: {stderr}"
            )),
        });
    };
    let work = root.join("work");
    std::fs::create_dir_all(&work).map_err(io(format!("creating {}", work.display())))?;
    std::fs::write(
        work.join("go.mod"),
        format!("module example.com/labrun\n\ngo 1.21\n\nrequire {MODULE} v1.0.0\n"),
    )
    .map_err(io("writing go.mod"))?;
    std::fs::write(
        work.join("go.sum"),
        format!("{MODULE} v1.0.0 {sum}\n{MODULE} v1.0.0/go.mod {mod_sum}\n"),
    )
    .map_err(io("writing go.sum"))?;
    Ok(())
}

/// Runs go in `root/work` with a scrubbed environment (only PATH survives from ours) and
/// `root`'s own HOME, GOPATH, module and build caches and GOENV; `root/work/go.mod` is
/// written when missing. Returns go's exit code (`None` when killed after [`GO_TIMEOUT`]),
/// stdout and stderr.
pub fn run_go(
    go: &Path,
    root: &Path,
    env: &[(String, String)],
    args: &[&str],
) -> Result<(Option<i32>, String, String), ExperimentError> {
    let work = root.join("work");
    let home = root.join("home");
    let gopath = root.join("gopath");
    for d in [&work, &home] {
        std::fs::create_dir_all(d).map_err(io(format!("creating {}", d.display())))?;
    }
    if !work.join("go.mod").exists() {
        std::fs::write(
            work.join("go.mod"),
            "module example.com/labrun\n\ngo 1.21\n",
        )
        .map_err(io("writing go.mod"))?;
    }
    let mut cmd = Command::new(go);
    cmd.current_dir(&work).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GOPATH", &gopath)
        .env("GOMODCACHE", gopath.join("pkg/mod"))
        .env("GOCACHE", root.join("gocache"))
        .env("GOENV", root.join("goenv"))
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod -modcacherw")
        .env("GOVCS", "*:off");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(io(format!("running {}", go.display())))?;
    // Read both pipes on threads so a chatty go cannot block on a full pipe while we wait.
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out_pipe, &mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err_pipe, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(io("waiting for go"))? {
            break Some(st);
        }
        if start.elapsed() > GO_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap_or_default()).into_owned();
    Ok((status.and_then(|s| s.code()), stdout, stderr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FaultKind;

    #[test]
    fn every_scenario_names_an_embedded_fault_file_and_a_rule() {
        let mut names = std::collections::BTreeSet::new();
        for s in EXPERIMENTS {
            assert!(names.insert(s.name), "duplicate {}", s.name);
            let faults = faults_of(s).unwrap();
            // Scenarios without faults change the network or the files instead.
            assert!(
                !faults.is_empty()
                    || s.network != Network::Lab
                    || s.gotrust.contains(&GotrustVerdict::VerifyCacheCleanCycle),
                "{}",
                s.name
            );
            // TLS faults need a TLS lab, and only they do here.
            let needs_tls = faults.iter().any(|f| {
                matches!(
                    f.kind,
                    FaultKind::UntrustedCert | FaultKind::PlaintextOnly | FaultKind::RedirectToHttp
                )
            });
            assert_eq!(needs_tls, s.tls, "{}", s.name);
            assert!(!s.rules.is_empty(), "{}", s.name);
            // A failing go must be recognised by its words, not just its exit status.
            assert!(s.go_succeeds || !s.stderr_has.is_empty(), "{}", s.name);
        }
    }

    #[test]
    fn selection() {
        assert_eq!(select(&[]).unwrap().len(), EXPERIMENTS.len());
        let one = select(&["gonosumdb".to_owned()]).unwrap();
        assert_eq!(one[0].name, "gonosumdb");
        let e = select(&["nope".to_owned()]).unwrap_err();
        assert!(
            e.contains("unknown scenario `nope`") && e.contains("sumdb-off"),
            "{e}"
        );
    }

    #[test]
    fn sum_check_distinguishes_real_from_tampered() {
        let out = r#"{"Path":"example.com/simple","Version":"v1.0.0","Sum":"h1:fake="}"#;
        assert_eq!(
            check(
                Check::SumIsNotTheRealOne(SIMPLE_V100),
                out,
                "",
                Some("h1:real="),
                &[],
                &[]
            ),
            None
        );
        assert!(
            check(
                Check::SumIsNotTheRealOne(SIMPLE_V100),
                out,
                "",
                Some("h1:fake="),
                &[],
                &[]
            )
            .is_some()
        );
        assert!(
            check(
                Check::SumIsNotTheRealOne(SIMPLE_V100),
                "",
                "",
                None,
                &[],
                &[]
            )
            .is_some()
        );
    }
}
