//! End-to-end tests of the `veil` binary: real processes, real files in temp dirs.
//!
//! Small sizes (tier-6, ownership-6, revenue-4, ...) keep them fast; `demo` runs with
//! `--small`.

use std::path::{Path, PathBuf};
use tempfile::TempDir;

mod common;

use common::{json, ok, read_json, refused, veil_in, write_json, Run};

/// A temp dir with dev keys, a sample witness and a proof for one circuit.
struct Fixture {
    dir: TempDir,
    circuit: String,
}

impl Fixture {
    fn new(circuit: &str) -> Self {
        let dir = TempDir::new().unwrap();
        let f = Fixture {
            dir,
            circuit: circuit.to_string(),
        };
        f.setup(circuit);
        ok(
            f.path(),
            &["sample", "--circuit", circuit, "--out", "witness.json"],
        );
        ok(
            f.path(),
            &[
                "prove",
                "--circuit",
                circuit,
                "--pk",
                &f.pk(circuit),
                "--witness",
                "witness.json",
                "--out",
                "proof.json",
            ],
        );
        f
    }

    fn setup(&self, circuit: &str) {
        ok(self.path(), &["setup", "--circuit", circuit]);
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }

    fn pk(&self, circuit: &str) -> String {
        format!("keys/{circuit}.pk")
    }

    fn vk(&self, circuit: &str) -> String {
        format!("keys/{circuit}.vk")
    }

    fn verify(&self, vk: &str, proof: &str) -> Run {
        veil_in(self.path(), &["verify", "--vk", vk, "--proof", proof])
    }

    fn own_vk(&self) -> String {
        self.vk(&self.circuit)
    }
}

#[test]
fn circuits_lists_every_circuit() {
    let dir = TempDir::new().unwrap();
    let human = ok(dir.path(), &["circuits"]);
    for word in ["ownership", "tier", "ownership-20", "tier-20", "membership"] {
        assert!(human.stdout.contains(word), "missing {word}");
    }
    for word in [
        "renewal-20",
        "metering-64",
        "isolation-64",
        "revenue-256",
        "waterfall-256",
        "period coverage",
        "conservation",
        "capacity",
    ] {
        assert!(human.stdout.contains(word), "missing {word}");
    }
    let v = json(&ok(dir.path(), &["circuits", "--json"]));
    let list = v.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|c| c["name"].as_str().unwrap()).collect();
    for id in DEFAULT_IDS {
        assert!(
            names.contains(&id.rsplit_once('-').unwrap().0),
            "{id} not listed"
        );
    }
    for c in list {
        assert!(c["name"].as_str().is_some());
        assert!(c["default_id"]
            .as_str()
            .unwrap()
            .starts_with(c["name"].as_str().unwrap()));
        assert!(!c["description"].as_str().unwrap().is_empty());
        assert!(!c["statement"].as_array().unwrap().is_empty());
        assert!(!c["rules"].as_array().unwrap().is_empty());
    }
}

#[test]
fn info_reports_the_constraint_system() {
    let dir = TempDir::new().unwrap();
    for circuit in ["tier-6", "ownership-6", "tier"] {
        let v = json(&ok(dir.path(), &["info", "--circuit", circuit, "--json"]));
        for key in ["constraints", "public_inputs", "secret_inputs", "variables"] {
            assert!(
                v[key].as_u64().unwrap() > 0,
                "{circuit}: {key} = {}",
                v[key]
            );
        }
        assert_eq!(v["backend"], "groth16");
    }
    let v = json(&ok(dir.path(), &["info", "--circuit", "tier", "--json"]));
    assert_eq!(v["circuit"], "tier-20");
    let human = ok(dir.path(), &["info", "--circuit", "ownership-6"]);
    assert!(human.stdout.contains("constraints"));
    assert!(human.stdout.contains("ownership-6"));
    // Batch circuits also report their capacity and the constraints per item.
    let v = json(&ok(
        dir.path(),
        &["info", "--circuit", "revenue-8", "--json"],
    ));
    assert_eq!(v["circuit"], "revenue-8");
    assert_eq!(v["size"], 8);
    assert_eq!(v["item"], "transaction");
    assert!(v["constraints_per_item"].as_f64().unwrap() <= 700.0);
    let v = json(&ok(
        dir.path(),
        &["info", "--circuit", "metering-8", "--json"],
    ));
    assert!(v["constraints_per_item"].as_f64().unwrap() <= 600.0);
    let human = ok(dir.path(), &["info", "--circuit", "waterfall-4"]);
    assert!(
        human.stdout.contains("up to 4 payments"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("per payment"), "{}", human.stdout);
}

#[test]
fn round_trip_the_suite() {
    for circuit in [
        "renewal-4",
        "metering-4",
        "isolation-4",
        "revenue-4",
        "waterfall-4",
    ] {
        let f = Fixture::new(circuit);
        let v = json(&ok(
            f.path(),
            &[
                "verify",
                "--vk",
                &f.own_vk(),
                "--proof",
                "proof.json",
                "--json",
            ],
        ));
        assert_eq!(v["valid"], true, "{circuit}");
        assert_eq!(v["circuit"], circuit);
        let run = ok(
            f.path(),
            &["check", "--circuit", circuit, "--witness", "witness.json"],
        );
        assert!(run.stdout.starts_with("ok"), "{}", run.stdout);
        // A proof for the same circuit at another size is refused by this key (the header's
        // circuit id: one tree and one batch circuit show it).
        let other = match circuit {
            "renewal-4" => "renewal-6",
            "revenue-4" => "revenue-5",
            _ => continue,
        };
        f.setup(other);
        let run = f.verify(&f.vk(other), "proof.json");
        assert_eq!(run.code, 1, "{circuit} proof verified with {other}'s key");
        assert!(run.stderr.contains("wrong circuit"), "{}", run.stderr);
    }
}

#[test]
fn check_names_a_padding_attack() {
    let f = Fixture::new("revenue-4");
    let mut w = read_json(&f.file("witness.json"));
    // An in-period amount hidden in a padded slot and counted.
    let start = w["statement"]["period_start"].as_u64().unwrap();
    w["padding"] = serde_json::json!([{
        "digest": "00".repeat(32),
        "gross_amount_micros": 1000,
        "timestamp": start,
    }]);
    let total = w["statement"]["aggregate_revenue_micros"].as_u64().unwrap();
    w["statement"]["aggregate_revenue_micros"] = (total + 1000).into();
    write_json(&f.file("padded.json"), &w);
    let run = refused(
        f.path(),
        &[
            "check",
            "--circuit",
            "revenue-4",
            "--witness",
            "padded.json",
        ],
    );
    assert!(run.stdout.contains("padding"), "{}", run.stdout);
    let run = refused(
        f.path(),
        &[
            "prove",
            "--circuit",
            "revenue-4",
            "--pk",
            &f.pk("revenue-4"),
            "--witness",
            "padded.json",
        ],
    );
    assert!(
        run.stderr.contains("witness refused (padding)"),
        "{}",
        run.stderr
    );
}

#[test]
fn setup_writes_keys_and_warns() {
    let dir = TempDir::new().unwrap();
    let run = ok(
        dir.path(),
        &[
            "setup",
            "--circuit",
            "tier-6",
            "--out-dir",
            "k",
            "--label",
            "x",
            "--json",
        ],
    );
    assert!(run.stderr.contains("UNSAFE FOR PRODUCTION"));
    let v = json(&run);
    assert_eq!(v["circuit"], "tier-6");
    assert_eq!(v["key_id"].as_str().unwrap().len(), 64);
    assert!(dir.path().join("k/tier-6.pk").is_file());
    assert!(dir.path().join("k/tier-6.vk").is_file());
    // No temp files left behind.
    assert_eq!(std::fs::read_dir(dir.path().join("k")).unwrap().count(), 2);
    // The human form says where the keys are and warns again.
    let run = ok(
        dir.path(),
        &["setup", "--circuit", "tier-6", "--out-dir", "k"],
    );
    assert!(run.stderr.contains("UNSAFE FOR PRODUCTION"));
    assert!(run.stdout.contains("k/tier-6.pk"));
    assert!(run.stdout.contains("key id"));
}

#[test]
fn round_trip_tier_and_ownership() {
    for circuit in ["tier-6", "ownership-6"] {
        let f = Fixture::new(circuit);
        let run = ok(
            f.path(),
            &["verify", "--vk", &f.own_vk(), "--proof", "proof.json"],
        );
        assert!(run.stdout.starts_with("valid"), "{}", run.stdout);
        assert!(run.stdout.contains(circuit));
        assert!(run.stdout.contains("root"));
        let v = json(&ok(
            f.path(),
            &[
                "verify",
                "--vk",
                &f.own_vk(),
                "--proof",
                "proof.json",
                "--json",
            ],
        ));
        assert_eq!(v["valid"], true);
        assert_eq!(v["circuit"], circuit);
        assert!(v["proofs"][0]["statement"]["root"].is_string());

        // Proof to stdout, then verified from a file.
        let run = ok(
            f.path(),
            &[
                "prove",
                "--circuit",
                circuit,
                "--pk",
                &f.pk(circuit),
                "--witness",
                "witness.json",
            ],
        );
        let env = json(&run);
        assert_eq!(env["format"], "veil-proof");
        assert_eq!(env["circuit"], circuit);
        std::fs::write(f.file("stdout-proof.json"), &run.stdout).unwrap();
        ok(
            f.path(),
            &[
                "verify",
                "--vk",
                &f.own_vk(),
                "--proof",
                "stdout-proof.json",
            ],
        );
        // Both proofs together: batch verification.
        ok(
            f.path(),
            &[
                "verify",
                "--vk",
                &f.own_vk(),
                "--proof",
                "proof.json",
                "--proof",
                "stdout-proof.json",
            ],
        );
        // The native check agrees.
        let run = ok(
            f.path(),
            &["check", "--circuit", circuit, "--witness", "witness.json"],
        );
        assert!(run.stdout.starts_with("ok"));
    }
}

#[test]
fn verify_rejects_an_altered_statement() {
    let f = Fixture::new("tier-6");
    let mut v = read_json(&f.file("proof.json"));
    v["statement"]["min_tier"] = 3.into();
    write_json(&f.file("altered.json"), &v);
    let run = f.verify(&f.own_vk(), "altered.json");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("altered.json"), "{}", run.stderr);
    assert!(run.stderr.contains("invalid"), "{}", run.stderr);

    let mut v = read_json(&f.file("proof.json"));
    let root = v["statement"]["root"].as_str().unwrap().to_string();
    let flipped = if root.starts_with('0') { "1" } else { "0" };
    v["statement"]["root"] = format!("{flipped}{}", &root[1..]).into();
    write_json(&f.file("altered-root.json"), &v);
    assert_eq!(f.verify(&f.own_vk(), "altered-root.json").code, 1);
}

#[test]
fn verify_rejects_a_key_for_another_circuit() {
    let f = Fixture::new("tier-6");
    f.setup("ownership-6");
    f.setup("tier-8");
    for vk in [f.vk("ownership-6"), f.vk("tier-8")] {
        let run = refused(f.path(), &["verify", "--vk", &vk, "--proof", "proof.json"]);
        assert!(run.stderr.contains("wrong circuit"), "{}", run.stderr);
    }
    // A key for the same circuit made with another label: the proof names another key.
    ok(
        f.path(),
        &[
            "setup",
            "--circuit",
            "tier-6",
            "--out-dir",
            "other",
            "--label",
            "x",
        ],
    );
    let run = refused(
        f.path(),
        &["verify", "--vk", "other/tier-6.vk", "--proof", "proof.json"],
    );
    assert!(run.stderr.contains("wrong key"), "{}", run.stderr);
}

#[test]
fn verify_rejects_bad_key_files() {
    let f = Fixture::new("tier-6");
    let vk = std::fs::read(f.file(&f.own_vk())).unwrap();
    std::fs::write(f.file("truncated.vk"), &vk[..vk.len() - 10]).unwrap();
    let run = refused(
        f.path(),
        &["verify", "--vk", "truncated.vk", "--proof", "proof.json"],
    );
    assert!(run.stderr.contains("truncated"), "{}", run.stderr);

    let garbage: Vec<u8> = (0..1000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(f.file("garbage.vk"), &garbage).unwrap();
    let run = refused(
        f.path(),
        &["verify", "--vk", "garbage.vk", "--proof", "proof.json"],
    );
    assert!(run.stderr.contains("garbage.vk"), "{}", run.stderr);

    // A proving key given as the verifying key, and a missing file.
    refused(
        f.path(),
        &["verify", "--vk", &f.pk("tier-6"), "--proof", "proof.json"],
    );
    let run = refused(
        f.path(),
        &["verify", "--vk", "missing.vk", "--proof", "proof.json"],
    );
    assert!(run.stderr.contains("missing.vk"), "{}", run.stderr);
}

#[test]
fn verify_rejects_bad_proof_files() {
    let f = Fixture::new("tier-6");
    let garbage: Vec<u8> = (0..500u32)
        .map(|i| (i.wrapping_mul(40503) >> 3) as u8)
        .collect();
    std::fs::write(f.file("garbage.json"), &garbage).unwrap();
    std::fs::write(f.file("text.json"), "not a proof at all").unwrap();
    std::fs::write(f.file("empty.json"), "").unwrap();
    for file in ["garbage.json", "text.json", "empty.json", "missing.json"] {
        let run = refused(f.path(), &["verify", "--vk", &f.own_vk(), "--proof", file]);
        assert!(run.stderr.contains(file), "{}", run.stderr);
    }

    let mut v = read_json(&f.file("proof.json"));
    let hex = v["proof"].as_str().unwrap().to_string();
    v["proof"] = hex[..hex.len() / 2].into();
    write_json(&f.file("short.json"), &v);
    let run = refused(
        f.path(),
        &["verify", "--vk", &f.own_vk(), "--proof", "short.json"],
    );
    assert!(run.stderr.contains("short.json"), "{}", run.stderr);
    v["proof"] = hex[..hex.len() - 1].into();
    write_json(&f.file("odd.json"), &v);
    refused(
        f.path(),
        &["verify", "--vk", &f.own_vk(), "--proof", "odd.json"],
    );

    // A bad proof among good ones fails the whole command, naming the bad file.
    let run = refused(
        f.path(),
        &[
            "verify",
            "--vk",
            &f.own_vk(),
            "--proof",
            "proof.json",
            "--proof",
            "short.json",
        ],
    );
    assert!(run.stderr.contains("short.json"), "{}", run.stderr);
    assert!(!run.stderr.contains("proof.json,"), "{}", run.stderr);
}

#[test]
fn prove_and_check_refuse_a_witness_breaking_a_rule() {
    let f = Fixture::new("tier-6");
    let mut w = read_json(&f.file("witness.json"));
    let tier = w["tier_id"].as_u64().unwrap();
    w["statement"]["min_tier"] = (tier + 1).into();
    write_json(&f.file("greedy.json"), &w);
    let run = refused(
        f.path(),
        &[
            "prove",
            "--circuit",
            "tier-6",
            "--pk",
            &f.pk("tier-6"),
            "--witness",
            "greedy.json",
            "--out",
            "greedy-proof.json",
        ],
    );
    assert!(
        run.stderr
            .contains("error: witness refused (tier minimum): "),
        "{}",
        run.stderr
    );
    assert!(!f.file("greedy-proof.json").exists());

    let run = refused(
        f.path(),
        &["check", "--circuit", "tier-6", "--witness", "greedy.json"],
    );
    assert!(run.stderr.contains("tier minimum"), "{}", run.stderr);
    assert!(run.stdout.contains("tier minimum"), "{}", run.stdout);
    let run = refused(
        f.path(),
        &[
            "check",
            "--circuit",
            "tier-6",
            "--witness",
            "greedy.json",
            "--json",
        ],
    );
    let v = json(&run);
    assert_eq!(v["ok"], false);
    assert_eq!(v["rule"], "tier minimum");
}

#[test]
fn prove_refuses_bad_inputs() {
    let f = Fixture::new("tier-6");
    f.setup("ownership-6");
    // A proving key for another circuit.
    let run = refused(
        f.path(),
        &[
            "prove",
            "--circuit",
            "tier-6",
            "--pk",
            &f.pk("ownership-6"),
            "--witness",
            "witness.json",
        ],
    );
    assert!(run.stderr.contains("wrong circuit"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    // A verifying key instead of a proving key.
    refused(
        f.path(),
        &[
            "prove",
            "--circuit",
            "tier-6",
            "--pk",
            &f.vk("tier-6"),
            "--witness",
            "witness.json",
        ],
    );
    // A witness that is not JSON, one of the other circuit, a missing one.
    std::fs::write(f.file("broken.json"), "{\"statement\": ").unwrap();
    ok(
        f.path(),
        &["sample", "--circuit", "ownership-6", "--out", "own.json"],
    );
    for (file, expect) in [
        ("broken.json", "EOF while parsing"),
        ("own.json", "not a valid tier-6 witness"),
        ("missing.json", "cannot read"),
    ] {
        let run = refused(
            f.path(),
            &[
                "prove",
                "--circuit",
                "tier-6",
                "--pk",
                &f.pk("tier-6"),
                "--witness",
                file,
            ],
        );
        assert!(run.stderr.contains(file), "{}", run.stderr);
        assert!(run.stderr.contains(expect), "{}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    // The proof file is never left half-written, and an existing one is kept on failure.
    std::fs::write(f.file("keep.json"), "old").unwrap();
    refused(
        f.path(),
        &[
            "prove",
            "--circuit",
            "tier-6",
            "--pk",
            &f.pk("ownership-6"),
            "--witness",
            "witness.json",
            "--out",
            "keep.json",
        ],
    );
    assert_eq!(std::fs::read_to_string(f.file("keep.json")).unwrap(), "old");
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    for args in [
        &["info", "--circuit", "payroll"][..],
        &["info", "--circuit", "tier-7"],
        &["info", "--circuit", "revenue-0"],
        &["info", "--circuit", "metering-65537"],
        &["info", "--circuit", "renewal-7"],
        &["prove", "--circuit", "tier-6", "--pk", "x.pk"],
        &["verify", "--vk", "x.vk"],
        &["no-such-command"],
    ] {
        let run = veil_in(dir.path(), args);
        assert_eq!(run.code, 2, "veil {args:?}: {}", run.stderr);
    }
    ok(dir.path(), &["--help"]);
    ok(dir.path(), &["prove", "--help"]);
}

#[test]
fn batch_prove_then_batch_verify() {
    let f = Fixture::new("tier-6");
    std::fs::create_dir(f.file("witnesses")).unwrap();
    for seed in ["1", "2", "3"] {
        let out = format!("witnesses/w{seed}.json");
        ok(
            f.path(),
            &[
                "sample",
                "--circuit",
                "tier-6",
                "--seed",
                seed,
                "--out",
                &out,
            ],
        );
    }
    let run = ok(
        f.path(),
        &[
            "prove",
            "--circuit",
            "tier-6",
            "--pk",
            &f.pk("tier-6"),
            "--batch",
            "witnesses",
            "--out-dir",
            "proofs",
        ],
    );
    assert!(run.stdout.contains("proofs/s"), "{}", run.stdout);
    for seed in 1..=3 {
        assert!(f.file(&format!("proofs/w{seed}.proof.json")).is_file());
    }
    let v = json(&ok(
        f.path(),
        &["verify", "--vk", &f.own_vk(), "--batch", "proofs", "--json"],
    ));
    assert_eq!(v["valid"], true);
    assert_eq!(v["proofs"].as_array().unwrap().len(), 3);

    // One altered proof fails the batch, and is named.
    let p2 = f.file("proofs/w2.proof.json");
    let mut env = read_json(&p2);
    env["statement"]["quota"] = 11.into();
    write_json(&p2, &env);
    let run = refused(
        f.path(),
        &["verify", "--vk", &f.own_vk(), "--batch", "proofs"],
    );
    assert!(run.stderr.contains("w2.proof.json"), "{}", run.stderr);
    assert!(!run.stderr.contains("w1.proof.json"), "{}", run.stderr);
    assert!(!run.stderr.contains("w3.proof.json"), "{}", run.stderr);

    // A bad witness in the batch: the others are proven, the command fails and names it.
    let mut w = read_json(&f.file("witnesses/w1.json"));
    w["slot"] = 99.into();
    write_json(&f.file("witnesses/w4.json"), &w);
    let run = refused(
        f.path(),
        &[
            "prove",
            "--circuit",
            "tier-6",
            "--pk",
            &f.pk("tier-6"),
            "--batch",
            "witnesses",
            "--out-dir",
            "proofs2",
            "--json",
        ],
    );
    assert!(run.stderr.contains("w4.json"), "{}", run.stderr);
    assert!(run.stderr.contains("quota"), "{}", run.stderr);
    let v = json(&run);
    assert_eq!(v["proved"], 3);
    assert_eq!(v["failed"], 1);
    assert!(!f.file("proofs2/w4.proof.json").exists());
    ok(
        f.path(),
        &["verify", "--vk", &f.own_vk(), "--batch", "proofs2"],
    );
}

/// The circuits with sample files in `examples/`, at their default size.
const DEFAULT_IDS: [&str; 9] = [
    "ownership-20",
    "tier-20",
    "renewal-20",
    "metering-64",
    "isolation-64",
    "revenue-256",
    "waterfall-256",
    "receipt-64",
    "flow-budget-20",
];

/// The demo at its small sizes (`--small`: depth 4, capacity 4) on both backends: the same
/// code path as at the default sizes, in a fraction of the time. That the example files are
/// the default sizes' witnesses is `examples_are_the_seed_1_samples`.
#[test]
fn demo_json_reports_every_circuit_valid() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let dir = TempDir::new().unwrap();
    let run = ok(
        dir.path(),
        &[
            "demo",
            "--json",
            "--small",
            "--examples",
            examples.to_str().unwrap(),
        ],
    );
    assert_eq!(run.stderr.matches("UNSAFE FOR PRODUCTION").count(), 1);
    let v = json(&run);
    assert_eq!(v["all_valid"], true);
    let rows = v["circuits"].as_array().unwrap();
    // Every circuit of the list, in its order.
    let listed = json(&ok(dir.path(), &["circuits", "--json"]));
    let small_ids: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}-4", c["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows.len(),
        2 * small_ids.len(),
        "every circuit on two backends"
    );
    let ids: Vec<&str> = rows
        .iter()
        .step_by(2)
        .map(|r| r["circuit"].as_str().unwrap())
        .collect();
    assert_eq!(ids, small_ids);
    for r in rows {
        assert_eq!(r["valid"], true);
        assert!(r["constraints"].as_u64().unwrap() > 0);
        match r["backend"].as_str().unwrap() {
            "groth16" => assert_eq!(r["proof_bytes"], 192),
            "plonky2" => assert!(r["proof_bytes"].as_u64().unwrap() > 50_000),
            other => panic!("unknown backend {other}"),
        }
        // There are no example files at these sizes: the built-in samples are used.
        assert_eq!(r["witness"], "built-in sample (seed 1)");
    }
}

#[test]
fn examples_are_the_seed_1_samples() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let dir = TempDir::new().unwrap();
    for (backend, sub) in [("groth16", ""), ("plonky2", "plonky2/")] {
        for id in DEFAULT_IDS {
            let run = ok(
                dir.path(),
                &[
                    "sample",
                    "--circuit",
                    id,
                    "--seed",
                    "1",
                    "--backend",
                    backend,
                ],
            );
            let file = examples.join(format!("{sub}{id}.json"));
            assert_eq!(
                json(&run),
                read_json(&file),
                "examples/{sub}{id}.json is stale: see examples/README.md"
            );
            ok(
                dir.path(),
                &[
                    "check",
                    "--circuit",
                    id,
                    "--backend",
                    backend,
                    "--witness",
                    file.to_str().unwrap(),
                ],
            );
        }
    }
    // A witness built for one backend's hash is refused by the other's check.
    let run = refused(
        dir.path(),
        &[
            "check",
            "--circuit",
            "tier-20",
            "--witness",
            examples.join("plonky2/tier-20.json").to_str().unwrap(),
        ],
    );
    assert!(
        run.stderr
            .contains("backend mismatch: the witness was made for plonky2"),
        "{}",
        run.stderr
    );
}

/// Plonky2 end to end: setup, batch prove, verify, aggregate, verify the aggregate; and the
/// refusals across backends. Two proofs (one level of aggregation) of tier-4: the smallest
/// sizes that still aggregate, bind the order and can drop a statement. (A single proof with
/// `--witness` and the human output of an aggregate's verification are README steps, run by
/// `cli/tests/readme.rs`.)
#[test]
fn plonky2_round_trip_batch_and_aggregate() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let run = ok(
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
    assert!(!run.stderr.contains("UNSAFE"), "no dev warning for plonky2");
    let v = json(&run);
    assert_eq!(v["backend"], "plonky2");
    assert_eq!(v["public_inputs"], 18);
    std::fs::create_dir(d.join("w")).unwrap();
    for seed in ["1", "2"] {
        ok(
            d,
            &[
                "sample",
                "--circuit",
                "tier-4",
                "--backend",
                "plonky2",
                "--seed",
                seed,
                "--out",
                &format!("w/w{seed}.json"),
            ],
        );
    }
    // Batch prove; the backend comes from the key.
    ok(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "p2/tier-4.pk",
            "--batch",
            "w",
            "--out-dir",
            "proofs",
        ],
    );
    let env = read_json(&d.join("proofs/w1.proof.json"));
    assert_eq!(env["backend"], "plonky2");
    ok(d, &["verify", "--vk", "p2/tier-4.vk", "--batch", "proofs"]);
    let v = json(&ok(
        d,
        &[
            "verify",
            "--vk",
            "p2/tier-4.vk",
            "--proof",
            "proofs/w1.proof.json",
            "--json",
        ],
    ));
    assert_eq!(v["valid"], true);
    assert_eq!(v["backend"], "plonky2");
    // --backend must agree with the key.
    let run = refused(
        d,
        &[
            "verify",
            "--vk",
            "p2/tier-4.vk",
            "--backend",
            "groth16",
            "--proof",
            "proofs/w1.proof.json",
        ],
    );
    assert!(run.stderr.contains("wrong backend"), "{}", run.stderr);
    // A Groth16 key refuses the Plonky2 proof, naming the backend.
    ok(d, &["setup", "--circuit", "tier-4", "--out-dir", "g16"]);
    let run = refused(
        d,
        &[
            "verify",
            "--vk",
            "g16/tier-4.vk",
            "--proof",
            "proofs/w1.proof.json",
        ],
    );
    assert!(run.stderr.contains("wrong backend"), "{}", run.stderr);
    // A Groth16 witness is refused by a Plonky2 prover, as a backend mismatch.
    ok(d, &["sample", "--circuit", "tier-4", "--out", "g16w.json"]);
    refused(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "p2/tier-4.pk",
            "--witness",
            "g16w.json",
        ],
    );
    // An altered statement fails.
    let mut bad = env.clone();
    bad["statement"]["quota"] = 11.into();
    write_json(&d.join("bad.json"), &bad);
    let run = refused(
        d,
        &["verify", "--vk", "p2/tier-4.vk", "--proof", "bad.json"],
    );
    assert!(run.stderr.contains("invalid"), "{}", run.stderr);
    // Truncated and garbage proof bytes are errors, not panics.
    let hex = env["proof"].as_str().unwrap().to_string();
    for (name, p) in [
        ("short.json", hex[..hex.len() / 2].to_string()),
        (
            "flipped.json",
            format!(
                "{}{}",
                if hex.starts_with('0') { "1" } else { "0" },
                &hex[1..]
            ),
        ),
        ("garbage.json", "ab".repeat(5000)),
    ] {
        let mut e = env.clone();
        e["proof"] = p.into();
        write_json(&d.join(name), &e);
        refused(d, &["verify", "--vk", "p2/tier-4.vk", "--proof", name]);
    }
    // Aggregate, verify the aggregate.
    let v = json(&ok(
        d,
        &[
            "aggregate",
            "--vk",
            "p2/tier-4.vk",
            "--batch",
            "proofs",
            "--out",
            "agg.json",
            "--json",
        ],
    ));
    assert_eq!(v["count"], 2);
    assert_eq!(v["levels"], 1);
    let v = json(&ok(
        d,
        &[
            "verify",
            "--vk",
            "p2/tier-4.vk",
            "--proof",
            "agg.json",
            "--json",
        ],
    ));
    assert_eq!(v["valid"], true);
    assert_eq!(v["aggregate"], true);
    assert_eq!(v["count"], 2);
    let statements = v["statements"].as_array().unwrap();
    for (i, st) in statements.iter().enumerate() {
        let single = read_json(&d.join(format!("proofs/w{}.proof.json", i + 1)));
        assert_eq!(st, &single["statement"]);
    }
    // The aggregate binds its statements: altering, dropping or reordering one fails.
    let agg = read_json(&d.join("agg.json"));
    let mut bad = agg.clone();
    bad["statements"][1]["min_tier"] = 1.into();
    write_json(&d.join("bad-agg.json"), &bad);
    refused(
        d,
        &["verify", "--vk", "p2/tier-4.vk", "--proof", "bad-agg.json"],
    );
    let mut swapped = agg.clone();
    let s0 = swapped["statements"][0].clone();
    swapped["statements"][0] = swapped["statements"][1].clone();
    swapped["statements"][1] = s0;
    write_json(&d.join("swapped-agg.json"), &swapped);
    refused(
        d,
        &[
            "verify",
            "--vk",
            "p2/tier-4.vk",
            "--proof",
            "swapped-agg.json",
        ],
    );
    let mut fewer = agg.clone();
    fewer["statements"].as_array_mut().unwrap().pop();
    fewer["count"] = 1.into();
    fewer["levels"] = 0.into();
    write_json(&d.join("fewer-agg.json"), &fewer);
    refused(
        d,
        &[
            "verify",
            "--vk",
            "p2/tier-4.vk",
            "--proof",
            "fewer-agg.json",
        ],
    );
    // An invalid proof cannot be aggregated, and is named.
    write_json(&d.join("proofs/w2.proof.json"), &bad);
    let run = refused(
        d,
        &[
            "aggregate",
            "--vk",
            "p2/tier-4.vk",
            "--batch",
            "proofs",
            "--out",
            "agg2.json",
        ],
    );
    assert!(run.stderr.contains("w2.proof.json"), "{}", run.stderr);
}

#[test]
fn plonky2_bad_key_files_are_refused() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "setup",
            "--circuit",
            "tier-4",
            "--backend",
            "plonky2",
            "--out-dir",
            "k",
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
    ok(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "k/tier-4.pk",
            "--witness",
            "w.json",
            "--out",
            "p.json",
        ],
    );
    let vk = std::fs::read(d.join("k/tier-4.vk")).unwrap();
    std::fs::write(d.join("trunc.vk"), &vk[..vk.len() - 10]).unwrap();
    let run = refused(d, &["verify", "--vk", "trunc.vk", "--proof", "p.json"]);
    assert!(run.stderr.contains("trunc.vk"), "{}", run.stderr);
    // Header intact, body garbage (fixed length), and single-byte changes in the body.
    let id_len = u16::from_le_bytes([vk[14], vk[15]]) as usize;
    let header_len = 16 + id_len + 4 + 32 + 8;
    let mut garbage = vk.clone();
    for (i, b) in garbage[header_len..].iter_mut().enumerate() {
        *b = (i as u32).wrapping_mul(2654435761).to_le_bytes()[2];
    }
    std::fs::write(d.join("garbage.vk"), &garbage).unwrap();
    refused(d, &["verify", "--vk", "garbage.vk", "--proof", "p.json"]);
    for at in [header_len, header_len + 100, vk.len() / 2, vk.len() - 1] {
        let mut b = vk.clone();
        b[at] ^= 0x5a;
        std::fs::write(d.join("flip.vk"), &b).unwrap();
        refused(d, &["verify", "--vk", "flip.vk", "--proof", "p.json"]);
    }
    // A proving key of the other circuit, and a verifying key as a proving key.
    ok(
        d,
        &[
            "setup",
            "--circuit",
            "ownership-4",
            "--backend",
            "plonky2",
            "--out-dir",
            "k",
        ],
    );
    let run = refused(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "k/ownership-4.pk",
            "--witness",
            "w.json",
        ],
    );
    assert!(run.stderr.contains("wrong circuit"), "{}", run.stderr);
    refused(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "k/tier-4.vk",
            "--witness",
            "w.json",
        ],
    );
    let run = refused(
        d,
        &["verify", "--vk", "k/ownership-4.vk", "--proof", "p.json"],
    );
    assert!(run.stderr.contains("wrong circuit"), "{}", run.stderr);
    // info for plonky2.
    let v = json(&ok(
        d,
        &[
            "info",
            "--circuit",
            "tier-4",
            "--backend",
            "plonky2",
            "--json",
        ],
    ));
    assert!(v["gates"].as_u64().unwrap() > 0);
    assert!(v["degree_bits"].as_u64().unwrap() > 0);
    assert!(v["proof_bytes"].as_u64().unwrap() > 0);
}
