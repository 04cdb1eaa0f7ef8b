//! npm packages for the interop tests (snarkjs, solc), installed on first use into one cache
//! under target/ (`CARGO_TARGET_TMPDIR/veil-npm/<dir>`) and reused between runs. Without node
//! or npm the caller gets None and a `SKIPPED:` message, and skips its checks.
//!
//! Shared by the CLI tests (`mod common`) and prover/tests/solidity_evm.rs (by `#[path]`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

pub const SNARKJS: &str = "snarkjs@0.7.6";

/// The cache every interop test installs into.
pub fn cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("veil-npm")
}

pub fn have(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Serialises installs (and anything else that writes the cache) within one test binary.
pub static INSTALL: Mutex<()> = Mutex::new(());

/// `npm install PACKAGE` into `cache()/DIR` unless `DIR/PROBE` exists; returns the path of
/// PROBE, or None (with the message `SKIPPED: ... ; WHAT`) without node and npm.
pub fn package(package: &str, dir: &str, probe: &str, what: &str) -> Option<PathBuf> {
    if !have("node") || !have("npm") {
        eprintln!("SKIPPED: node/npm not found; {what}");
        return None;
    }
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = cache().join(dir);
    let probe = dir.join(probe);
    if !probe.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(package)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm install {package} failed");
    }
    assert!(
        probe.exists(),
        "{package} installed without {}",
        probe.display()
    );
    Some(probe)
}

/// The snarkjs command line (`node CLI ...`).
pub fn snarkjs(what: &str) -> Option<PathBuf> {
    package(
        SNARKJS,
        "snarkjs",
        "node_modules/snarkjs/build/cli.cjs",
        what,
    )
}
