//! Batches of queries for the x/mod oracle (`tools/xmod-oracle`): one query a line in, one
//! answer a line out, and every answer must equal the one gotrust gives.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

/// Base64 of an oracle query field; `-` stands for empty (the oracle's convention).
pub fn field(x: impl AsRef<[u8]>) -> String {
    if x.as_ref().is_empty() {
        "-".into()
    } else {
        B64.encode(x)
    }
}

/// Runs oracle `command` on `input` (one query a line) and returns its answer lines,
/// asserting there is one answer for each of the `queries` queries.
#[track_caller]
pub fn answers(command: &str, input: &str, queries: usize) -> Vec<String> {
    let out = String::from_utf8(crate::run_oracle(command, input.as_bytes()))
        .expect("oracle output is UTF-8");
    let lines: Vec<String> = out.lines().map(str::to_owned).collect();
    assert_eq!(
        lines.len(),
        queries,
        "oracle {command}: one answer per query"
    );
    lines
}

/// Queries for one oracle command, each with the answer gotrust gives.
pub struct Batch {
    command: &'static str,
    input: String,
    want: Vec<String>,
}

impl Batch {
    /// An empty batch for oracle `command`.
    pub fn new(command: &'static str) -> Batch {
        Batch {
            command,
            input: String::new(),
            want: Vec::new(),
        }
    }

    /// Adds `query` (one line) with gotrust's `answer`.
    pub fn ask(&mut self, query: String, answer: String) {
        self.input.push_str(&query);
        self.input.push('\n');
        self.want.push(answer);
    }

    /// How many expected answers of queries starting with `query` start with `answer`: lets a
    /// test require that its generator reached each outcome.
    pub fn tally(&self, query: &str, answer: &str) -> usize {
        self.input
            .lines()
            .zip(&self.want)
            .filter(|(q, a)| q.starts_with(query) && a.starts_with(answer))
            .count()
    }

    /// Runs the oracle and asserts every answer agrees (listing the first 20 that do not);
    /// returns the number of queries.
    #[track_caller]
    pub fn check(self) -> usize {
        let got = answers(self.command, &self.input, self.want.len());
        let bad: Vec<String> = self
            .input
            .lines()
            .zip(got.iter().zip(&self.want))
            .filter(|(_, (g, w))| g != w)
            .map(|(q, (g, w))| format!("{q}\n  x/mod:   {g}\n  gotrust: {w}"))
            .collect();
        assert!(
            bad.is_empty(),
            "{} disagreements:\n{}",
            bad.len(),
            bad[..bad.len().min(20)].join("\n")
        );
        got.len()
    }
}
