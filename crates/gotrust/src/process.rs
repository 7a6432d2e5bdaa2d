//! External commands run with bounded time and output: GOAUTH commands, git credential
//! helpers and `go env -json`. A hung, slow or chatty child never hangs or floods gotrust.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Why [`run_bounded`] returned no output.
#[derive(Debug)]
pub(crate) enum BoundedError {
    /// The command could not be started or waited for.
    Spawn(std::io::Error),
    /// It ran past its time and was killed.
    TimedOut,
}

/// Runs `cmd` with `stdin` (or none), reading at most `max_output` bytes of each output stream
/// and killing it after `timeout`.
pub(crate) fn run_bounded(
    cmd: &mut Command,
    stdin: Option<Vec<u8>>,
    max_output: u64,
    timeout: Duration,
) -> Result<Output, BoundedError> {
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(BoundedError::Spawn)?;
    if let (Some(mut pipe), Some(data)) = (child.stdin.take(), stdin) {
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut data = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(max_output).read_to_end(&mut data);
            }
            data
        })
    };
    let out_t = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err_t = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(BoundedError::TimedOut);
            }
            Err(e) => return Err(BoundedError::Spawn(e)),
        }
    };
    // A grandchild holding a pipe open must not hang us either: a reader still blocked two
    // seconds after the child exited is abandoned.
    let join = |t: JoinHandle<Vec<u8>>| {
        let until = Instant::now() + Duration::from_secs(2);
        while !t.is_finished() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(2));
        }
        if t.is_finished() {
            t.join().unwrap_or_default()
        } else {
            Vec::new()
        }
    };
    Ok(Output {
        status,
        stdout: join(out_t),
        stderr: join(err_t),
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }

    #[test]
    fn a_command_past_its_time_is_killed() {
        let r = run_bounded(&mut sh("sleep 30"), None, 10, Duration::from_millis(100));
        assert!(matches!(r, Err(BoundedError::TimedOut)), "{r:?}");
    }

    #[test]
    fn output_is_capped_and_stdin_is_given() {
        let out = run_bounded(
            &mut sh("cat; head -c 100000 /dev/zero"),
            Some(b"abc".to_vec()),
            8,
            Duration::from_secs(30),
        )
        .unwrap();
        // The rest is not read (the writer then dies of SIGPIPE, which is fine).
        assert_eq!(out.stdout, b"abc\0\0\0\0\0");
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let r = run_bounded(
            &mut Command::new("/nonexistent/gotrust-no-such-program"),
            None,
            10,
            Duration::from_secs(1),
        );
        assert!(matches!(r, Err(BoundedError::Spawn(_))), "{r:?}");
    }
}
