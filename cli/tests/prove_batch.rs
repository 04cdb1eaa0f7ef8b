//! `veil prove`: a proving key that yields a bad proof is refused (non-zero exit, nothing
//! written); batches write each proof as it is done, resume after a SIGKILL, and shard over
//! processes run at once (flag, Kubernetes and Slurm variables), each proof made once.

use ark_ec::AffineRepr;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const WITNESSES: u64 = 6;

fn veil(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_veil"));
    c.current_dir(dir);
    for var in [
        "JOB_COMPLETION_INDEX",
        "JOB_COMPLETIONS",
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
    ] {
        c.env_remove(var);
    }
    c
}

fn run(mut c: Command) -> Output {
    c.output().expect("veil runs")
}

fn ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A scratch directory with tier-4 keys and six witnesses in `w/`.
fn fixture(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("prove-batch-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("w")).unwrap();
    let mut setup = veil(&dir);
    setup.args(["setup", "--circuit", "tier-4", "--out-dir", "keys"]);
    ok(&run(setup), "setup");
    for seed in 1..=WITNESSES {
        let mut s = veil(&dir);
        s.args(["sample", "--circuit", "tier-4", "--seed", &seed.to_string()]);
        s.args(["--out", &format!("w/w{seed}.json")]);
        ok(&run(s), "sample");
    }
    dir
}

fn proofs_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".proof.json") && !n.starts_with('.'))
        .collect()
}

fn all_proofs() -> BTreeSet<String> {
    (1..=WITNESSES)
        .map(|s| format!("w{s}.proof.json"))
        .collect()
}

fn verify_all(dir: &Path, out: &str) {
    let mut v = veil(dir);
    v.args(["verify", "--vk", "keys/tier-4.vk", "--batch", out]);
    ok(&run(v), "verify --batch");
}

fn prove_batch(dir: &Path, out: &str) -> Command {
    let mut c = veil(dir);
    c.args([
        "--json",
        "prove",
        "--circuit",
        "tier-4",
        "--pk",
        "keys/tier-4.pk",
    ]);
    c.args(["--batch", "w", "--out-dir", out]);
    c
}

#[test]
fn shards_run_at_once_prove_the_batch_exactly_once() {
    let dir = fixture("shards");
    // Three processes at once: the flag, a Kubernetes Indexed Job's index, a Slurm array task.
    let mut by_flag = prove_batch(&dir, "out");
    by_flag.args(["--shard", "0/3"]);
    let mut by_k8s = prove_batch(&dir, "out");
    by_k8s
        .env("JOB_COMPLETION_INDEX", "1")
        .args(["--completions", "3"]);
    let mut by_slurm = prove_batch(&dir, "out");
    by_slurm
        .env("SLURM_ARRAY_TASK_ID", "3")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "3");
    let children: Vec<_> = [by_flag, by_k8s, by_slurm]
        .into_iter()
        .map(|mut c| {
            c.stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut proved = Vec::new();
    let mut indices = BTreeSet::new();
    for child in children {
        let o = child.wait_with_output().unwrap();
        ok(&o, "a shard");
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["batch_size"], WITNESSES);
        assert_eq!(v["shard"]["count"], 3);
        indices.insert(v["shard"]["index"].as_u64().unwrap());
        for r in v["results"].as_array().unwrap() {
            assert_eq!(r["status"], "proved", "{r}");
            proved.push(r["proof"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(indices, BTreeSet::from([0, 1, 2]));
    let unique: BTreeSet<_> = proved.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        proved.len(),
        "a proof was made twice: {proved:?}"
    );
    assert_eq!(proofs_in(&dir.join("out")), all_proofs());
    verify_all(&dir, "out");

    // A rerun of one shard skips what is done.
    let mut again = prove_batch(&dir, "out");
    again.args(["--shard", "1/3"]);
    let o = run(again);
    ok(&o, "rerun");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["proved"], 0);
    assert_eq!(v["skipped"], 2);
}

#[test]
fn a_killed_batch_resumes_without_duplicates_or_partial_files() {
    let dir = fixture("resume");
    let out = dir.join("out");
    let mut first = prove_batch(&dir, "out");
    let mut child = first
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while proofs_in_or_empty(&out).is_empty() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = proofs_in_or_empty(&out);
    assert!(!before.is_empty(), "no proof was written before the kill");
    // Every file there is a whole proof.
    for name in &before {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        veil_verifier::ProofEnvelope::from_json(&text).expect("a whole envelope");
    }

    let o = run(prove_batch(&dir, "out"));
    ok(&o, "rerun");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let skipped = v["skipped"].as_u64().unwrap();
    assert!(skipped >= before.len() as u64, "{v}");
    assert_eq!(skipped + v["proved"].as_u64().unwrap(), WITNESSES, "{v}");
    assert_eq!(proofs_in(&out), all_proofs());
    verify_all(&dir, "out");

    // A proof that does not verify (here: of another witness) is made again.
    std::fs::copy(out.join("w1.proof.json"), out.join("w2.proof.json")).unwrap();
    let o = run(prove_batch(&dir, "out"));
    ok(&o, "rerun over a wrong proof");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["proved"], 1, "{v}");
    verify_all(&dir, "out");
}

fn proofs_in_or_empty(dir: &Path) -> BTreeSet<String> {
    if dir.is_dir() {
        proofs_in(dir)
    } else {
        BTreeSet::new()
    }
}

#[test]
fn bad_keys_and_shard_values_are_refused() {
    let dir = fixture("refusals");
    let prove_one = |pk: &str| {
        let mut c = veil(&dir);
        c.args([
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            pk,
            "--witness",
            "w/w1.json",
        ]);
        c.args(["--out", "p.json"]);
        run(c)
    };
    let refused = |o: &Output, needle: &str| {
        assert!(!o.status.success(), "accepted");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    };

    // One point of the key negated, digest recomputed: the proof would not verify.
    let bytes = std::fs::read(dir.join("keys/tier-4.pk")).unwrap();
    let (mut key, compiled) =
        veil_prover::Groth16ProvingKey::from_bytes_with_compiled(&bytes).unwrap();
    let compiled = compiled.expect("veil setup writes version 3 keys");
    assert!(!key.pk.a_query[1].is_zero());
    key.pk.a_query[1] = -key.pk.a_query[1];
    std::fs::write(dir.join("negated.pk"), key.to_bytes_v3(&compiled).unwrap()).unwrap();
    refused(&prove_one("negated.pk"), "does not verify");
    assert!(!dir.join("p.json").exists(), "a bad proof was written");

    // A corrupted byte: refused as corrupted before decoding.
    let mut corrupted = bytes.clone();
    let at = corrupted.len() / 2;
    corrupted[at] ^= 1;
    std::fs::write(dir.join("corrupted.pk"), corrupted).unwrap();
    refused(&prove_one("corrupted.pk"), "corrupted");

    // The good key proves.
    ok(&prove_one("keys/tier-4.pk"), "prove");

    // Shard values.
    let mut c = prove_batch(&dir, "out");
    c.env("JOB_COMPLETION_INDEX", "5")
        .args(["--completions", "3"]);
    refused(&run(c), "out of range");
    let mut c = prove_batch(&dir, "out");
    c.env("JOB_COMPLETION_INDEX", "1");
    refused(&run(c), "--completions");
    let mut c = prove_batch(&dir, "out");
    c.env("JOB_COMPLETION_INDEX", "0")
        .env("SLURM_ARRAY_TASK_ID", "0")
        .env("SLURM_ARRAY_TASK_COUNT", "2");
    refused(&run(c), "both");
    let mut c = prove_batch(&dir, "out");
    c.args(["--shard", "1/2", "--completions", "3"]);
    refused(&run(c), "disagree");
}
