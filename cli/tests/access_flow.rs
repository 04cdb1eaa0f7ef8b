//! Runs `examples/access-flow.sh`: the access service's whole flow with `veil` and
//! `veil-access`, as a user would run it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `veil-access` next to `veil` in the target folder. `cargo test --workspace` builds it
/// (the veil-access package's tests need it); a nested cargo build here would wait forever on
/// the build lock of the running `cargo test`, so a missing binary is an error that says what
/// to run.
fn veil_access(veil: &Path) -> PathBuf {
    let dir = veil.parent().expect("veil has a folder");
    let bin = dir.join(format!("veil-access{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --release -p veil-access` (or test the whole workspace) first",
        bin.display()
    );
    bin
}

#[test]
#[cfg(unix)]
fn the_access_flow_example_runs() {
    let veil = PathBuf::from(env!("CARGO_BIN_EXE_veil"));
    let access = veil_access(&veil);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/access-flow.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("VEIL", &veil)
        .env("VEIL_ACCESS", &access)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("access flow: ok"), "{stdout}");
}
