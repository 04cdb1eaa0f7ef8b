//! What a new user hits (issue 9): corrupted keys, backend mismatches, long inputs in errors,
//! outputs over inputs, `keygen --out DIR/`, `attest --vk`, `--json` everywhere, `aggregate
//! --out` checked first, quiet output when stderr is not a terminal, the demo's next steps.

use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

mod common;

use common::{json, ok, refused_with};

/// Dev keys, a witness and a proof of tier-4 on Groth16 in a temp dir.
fn groth16_dir() -> TempDir {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    ok(d, &["setup", "--circuit", "tier-4", "--json"]);
    ok(d, &["sample", "--circuit", "tier-4", "--out", "w.json"]);
    ok(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "keys/tier-4.pk",
            "--witness",
            "w.json",
            "--out",
            "proof.json",
        ],
    );
    dir
}

fn flip_byte_in_the_middle(path: &Path) {
    let mut b = std::fs::read(path).unwrap();
    let i = b.len() / 2;
    b[i] ^= 0x5a;
    std::fs::write(path, b).unwrap();
}

#[test]
fn corrupted_proving_keys_are_named_corrupted_on_both_backends() {
    let dir = groth16_dir();
    let d = dir.path();
    flip_byte_in_the_middle(&d.join("keys/tier-4.pk"));
    refused_with(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "keys/tier-4.pk",
            "--witness",
            "w.json",
        ],
        "the proving key is corrupted",
    );

    ok(
        d,
        &[
            "setup",
            "--circuit",
            "tier-4",
            "--backend",
            "plonky2",
            "--out-dir",
            "p2",
            "--json",
        ],
    );
    ok(
        d,
        &[
            "sample",
            "--circuit",
            "tier-4",
            "--backend",
            "plonky2",
            "--out",
            "p2w.json",
        ],
    );
    // A Groth16 witness for a Plonky2 key, and the other way round: a backend mismatch, not a
    // broken rule.
    refused_with(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "p2/tier-4.pk",
            "--witness",
            "w.json",
        ],
        "backend mismatch: the witness was made for groth16",
    );
    refused_with(
        d,
        &["check", "--circuit", "tier-4", "--witness", "p2w.json"],
        "backend mismatch: the witness was made for plonky2",
    );
    refused_with(
        d,
        &[
            "check",
            "--circuit",
            "tier-4",
            "--backend",
            "plonky2",
            "--witness",
            "w.json",
        ],
        "backend mismatch",
    );
    // A key of the other backend than asked for.
    refused_with(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "p2/tier-4.pk",
            "--backend",
            "groth16",
            "--witness",
            "w.json",
        ],
        "wrong backend",
    );
    flip_byte_in_the_middle(&d.join("p2/tier-4.pk"));
    refused_with(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "p2/tier-4.pk",
            "--witness",
            "p2w.json",
        ],
        "the proving key is corrupted",
    );
}

#[test]
fn errors_quote_only_an_excerpt_of_long_input() {
    let dir = groth16_dir();
    let d = dir.path();
    let mut env: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("proof.json")).unwrap()).unwrap();
    env["statement"]["root"] = Value::String("ab".repeat(2_500_000));
    std::fs::write(d.join("big.json"), env.to_string()).unwrap();
    let run = refused_with(
        d,
        &["verify", "--vk", "keys/tier-4.vk", "--proof", "big.json"],
        "big.json",
    );
    assert!(
        run.stderr.len() < 2_000,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = groth16_dir();
    let d = dir.path();
    let witness = std::fs::read(d.join("w.json")).unwrap();
    refused_with(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "keys/tier-4.pk",
            "--witness",
            "w.json",
            "--out",
            "./w.json",
        ],
        "is one of this command's inputs",
    );
    assert_eq!(
        std::fs::read(d.join("w.json")).unwrap(),
        witness,
        "the witness is intact"
    );

    ok(d, &["keygen", "--out", "me", "--seed", &"01".repeat(32)]);
    refused_with(
        d,
        &[
            "sign", "--key", "me.key", "--file", "w.json", "--out", "w.json",
        ],
        "is one of this command's inputs",
    );
    assert_eq!(std::fs::read(d.join("w.json")).unwrap(), witness);
    refused_with(
        d,
        &[
            "attest",
            "--key",
            "me.key",
            "--proof",
            "proof.json",
            "--out",
            "proof.json",
        ],
        "is one of this command's inputs",
    );
}

#[test]
fn keygen_refuses_a_directory_as_base_name() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("keys")).unwrap();
    for out in ["keys/", "keys", "new-dir/"] {
        refused_with(d, &["keygen", "--out", out], "names a directory");
    }
    assert_eq!(
        std::fs::read_dir(d.join("keys")).unwrap().count(),
        0,
        "no hidden .key/.pub"
    );
    ok(d, &["keygen", "--out", "keys/auditor"]);
    assert!(d.join("keys/auditor.key").is_file() && d.join("keys/auditor.pub").is_file());
}

#[test]
fn attest_with_vk_verifies_first_and_refuses_a_bad_proof() {
    let dir = groth16_dir();
    let d = dir.path();
    ok(d, &["keygen", "--out", "auditor"]);
    ok(
        d,
        &[
            "attest",
            "--key",
            "auditor.key",
            "--vk",
            "keys/tier-4.vk",
            "--proof",
            "proof.json",
            "--out",
            "attested.json",
        ],
    );
    let mut env: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("proof.json")).unwrap()).unwrap();
    env["statement"]["min_tier"] = Value::from(env["statement"]["min_tier"].as_u64().unwrap() + 1);
    std::fs::write(d.join("forged.json"), env.to_string()).unwrap();
    refused_with(
        d,
        &[
            "attest",
            "--key",
            "auditor.key",
            "--vk",
            "keys/tier-4.vk",
            "--proof",
            "forged.json",
            "--out",
            "bad.json",
        ],
        "refusing to attest a proof that does not verify",
    );
    assert!(!d.join("bad.json").exists());
}

#[test]
fn json_means_one_json_document_everywhere() {
    let dir = groth16_dir();
    let d = dir.path();
    let v = json(&ok(
        d,
        &["sample", "--circuit", "tier-4", "--out", "s.json", "--json"],
    ));
    assert_eq!(v["witness"], "s.json");
    assert_eq!(v["circuit"], "tier-4");
    let run = ok(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "keys/tier-4.pk",
            "--witness",
            "w.json",
            "--json",
        ],
    );
    let v = json(&run);
    assert_eq!(v["envelope"]["format"], "veil-proof");
    assert!(v["prove_ms"].is_number());
    assert!(
        run.stderr.is_empty(),
        "nothing on stderr with --json: {}",
        run.stderr
    );
    ok(d, &["keygen", "--out", "auditor", "--json"]);
    let v = json(&ok(
        d,
        &[
            "attest",
            "--key",
            "auditor.key",
            "--proof",
            "proof.json",
            "--json",
        ],
    ));
    assert_eq!(v["signed"], "proof");
    assert_eq!(v["document"]["format"], "veil-attestation");
}

#[test]
fn aggregate_checks_its_output_before_proving_and_stderr_is_quiet_off_a_terminal() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    // Not a terminal here: no spinner, no progress on stderr.
    let run = ok(d, &["info", "--circuit", "tier-4"]);
    assert!(run.stderr.is_empty(), "{:?}", run.stderr);
    ok(
        d,
        &[
            "setup",
            "--circuit",
            "tier-4",
            "--backend",
            "plonky2",
            "--out-dir",
            "p2",
            "--json",
        ],
    );
    ok(
        d,
        &[
            "sample",
            "--circuit",
            "tier-4",
            "--backend",
            "plonky2",
            "--out",
            "w.json",
        ],
    );
    let run = ok(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "p2/tier-4.pk",
            "--witness",
            "w.json",
            "--out",
            "p.json",
        ],
    );
    assert!(!run.stderr.contains('⠁') && !run.stderr.contains("reading the proving key"));
    // The output directory does not exist: refused at once, before any proving.
    let run = refused_with(
        d,
        &[
            "aggregate",
            "--vk",
            "p2/tier-4.vk",
            "--proof",
            "p.json",
            "--out",
            "missing/agg.json",
        ],
        "does not exist",
    );
    assert!(!run.stderr.contains("aggregating"), "{}", run.stderr);
    refused_with(
        d,
        &[
            "aggregate",
            "--vk",
            "p2/tier-4.vk",
            "--proof",
            "p.json",
            "--out",
            "p.json",
        ],
        "is one of this command's inputs",
    );
}

#[test]
fn demo_says_how_to_run_the_next_steps() {
    let dir = TempDir::new().unwrap();
    let run = ok(dir.path(), &["demo", "--small", "--backend", "groth16"]);
    assert!(
        run.stdout.contains("cargo install --path cli"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("cargo run --release -p veil-cli --"));
    assert!(run.stdout.contains("tier-4"));
}
