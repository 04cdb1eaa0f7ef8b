//! What every CLI integration test needs: run the built `veil` as a real process in a
//! directory, expect success or a one-line refusal, read and write JSON files.

// Each test crate uses its own subset of these.
#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use std::process::Command;

pub mod npm;

/// The outcome of one `veil` process.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `veil ARGS` in `dir`; a panic of veil fails the test whatever the exit code.
pub fn veil_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_veil"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the veil binary runs");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "veil {args:?} panicked:\n{}",
        run.stderr
    );
    run
}

/// Runs veil and expects exit code 0.
pub fn ok(dir: &Path, args: &[&str]) -> Run {
    let run = veil_in(dir, args);
    assert_eq!(
        run.code, 0,
        "veil {args:?} failed:\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    run
}

/// Runs veil and expects a refusal: exit code 1 and an `error: ` line, last on stderr.
pub fn refused(dir: &Path, args: &[&str]) -> Run {
    let run = veil_in(dir, args);
    assert_eq!(
        run.code, 1,
        "veil {args:?} should exit 1:\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let last = run.stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with("error: "),
        "veil {args:?}: last stderr line is not an error line: {:?}",
        run.stderr
    );
    run
}

/// [`refused`] with exactly one `error: ` line, which mentions `needle`.
pub fn refused_with(dir: &Path, args: &[&str], needle: &str) -> Run {
    let run = refused(dir, args);
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count(),
        1,
        "one error line: {:?}",
        run.stderr
    );
    let last = run.stderr.lines().last().unwrap_or("");
    assert!(
        last.contains(needle),
        "veil {args:?}: {last:?} does not mention {needle:?}"
    );
    run
}

/// The run's stdout as JSON.
pub fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout))
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}
