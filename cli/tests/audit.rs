//! `veil audit` and `veil debug` as a user runs them: every circuit audits clean (this is the
//! CI gate: a new circuit or gadget that leaves a value free fails it), the debugger names the
//! constraint a bad witness fails, and both refuse what they do not cover.

use tempfile::TempDir;

mod common;

use common::{json, ok, read_json, refused, refused_with, write_json};

/// `NAME-4` for every circuit `veil circuits` lists: a new circuit is audited without
/// editing this file.
fn listed_circuits(dir: &std::path::Path) -> Vec<String> {
    let listed = ok(dir, &["circuits", "--json"]);
    let ids: Vec<String> = json(&listed)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}-4", c["name"].as_str().unwrap()))
        .collect();
    assert!(ids.len() >= 9, "{ids:?}");
    ids
}

#[test]
fn every_circuit_audits_clean() {
    let dir = TempDir::new().unwrap();
    for circuit in &listed_circuits(dir.path()) {
        let run = ok(dir.path(), &["audit", "--circuit", circuit, "--json"]);
        let report = json(&run);
        assert_eq!(report["clean"], true, "{circuit}: {report}");
        assert_eq!(report["free"].as_array().unwrap().len(), 0, "{circuit}");
        assert!(report["constraints"].as_u64().unwrap() > 0);
    }
    let run = ok(dir.path(), &["audit", "--circuit", "tier-4"]);
    assert!(
        run.stdout.contains("clean: every intermediate value"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("the R1CS constraint system"));
    assert!(run.stdout.contains("unbound inputs   0"), "{}", run.stdout);
}

/// The Plonky2 analysis is conservative (a value it cannot show determined is reported, never
/// passed) and every listed circuit comes out clean (`prover/tests/audit.rs` builds circuits
/// with a free value and checks that the analysis reports it).
#[test]
fn plonky2_audit_is_clean_on_every_circuit() {
    let dir = TempDir::new().unwrap();
    for circuit in &listed_circuits(dir.path()) {
        let run = ok(
            dir.path(),
            &[
                "audit",
                "--circuit",
                circuit,
                "--backend",
                "plonky2",
                "--json",
            ],
        );
        let report = json(&run);
        assert_eq!(report["clean"], true, "{circuit}: {report}");
        assert_eq!(report["backend"], "plonky2");
        assert_eq!(report["free"].as_array().unwrap().len(), 0, "{circuit}");
        assert!(report["classes"].as_u64().unwrap() > 0);
    }
    let run = ok(
        dir.path(),
        &["audit", "--circuit", "tier-4", "--backend", "plonky2"],
    );
    assert!(
        run.stdout.contains("clean: every used value"),
        "{}",
        run.stdout
    );
}

#[test]
fn debug_on_plonky2_locates_the_failing_rule() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
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
            "debug",
            "--circuit",
            "tier-4",
            "--witness",
            "w.json",
            "--backend",
            "plonky2",
        ],
    );
    assert!(
        run.stdout.contains("ok: the witness satisfies every gate"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("gates per gadget:"), "{}", run.stdout);
    let report = json(&ok(
        d,
        &[
            "debug",
            "--circuit",
            "tier-4",
            "--witness",
            "w.json",
            "--backend",
            "plonky2",
            "--json",
        ],
    ));
    assert_eq!(report["satisfied"], true);
    assert_eq!(report["backend"], "plonky2");
    assert!(!report["gadgets"].as_array().unwrap().is_empty());

    let mut w = read_json(&d.join("w.json"));
    let tier = w["tier_id"].as_u64().unwrap();
    w["statement"]["min_tier"] = (tier + 1).into();
    write_json(&d.join("bad.json"), &w);
    let run = refused_with(
        d,
        &[
            "debug",
            "--circuit",
            "tier-4",
            "--witness",
            "bad.json",
            "--backend",
            "plonky2",
        ],
        "rule: tier minimum",
    );
    assert!(run.stdout.contains("unsatisfied:"), "{}", run.stdout);
    let report = json(&refused(
        d,
        &[
            "debug",
            "--circuit",
            "tier-4",
            "--witness",
            "bad.json",
            "--backend",
            "plonky2",
            "--json",
        ],
    ));
    assert_eq!(report["satisfied"], false);
    assert_eq!(report["first_failure"]["rule"], "tier minimum");
    std::fs::write(d.join("junk.json"), "{").unwrap();
    refused(
        d,
        &[
            "debug",
            "--circuit",
            "tier-4",
            "--witness",
            "junk.json",
            "--backend",
            "plonky2",
        ],
    );
}

#[test]
fn debug_locates_the_failing_constraint() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    ok(d, &["sample", "--circuit", "tier-4", "--out", "w.json"]);
    let run = ok(d, &["debug", "--circuit", "tier-4", "--witness", "w.json"]);
    assert!(
        run.stdout
            .contains("ok: the witness satisfies every constraint"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("constraints per gadget:"));
    let report = json(&ok(
        d,
        &[
            "debug",
            "--circuit",
            "tier-4",
            "--witness",
            "w.json",
            "--json",
        ],
    ));
    assert_eq!(report["satisfied"], true);
    assert_eq!(report["native_check"], "ok");

    // Break the tier-minimum rule: min_tier above the hidden tier.
    let mut w = read_json(&d.join("w.json"));
    let tier = w["tier_id"].as_u64().unwrap();
    w["statement"]["min_tier"] = (tier + 1).into();
    write_json(&d.join("bad.json"), &w);
    refused(
        d,
        &["check", "--circuit", "tier-4", "--witness", "bad.json"],
    );
    let run = refused_with(
        d,
        &["debug", "--circuit", "tier-4", "--witness", "bad.json"],
        "rule: tier minimum",
    );
    assert!(
        run.stdout.contains("unsatisfied: constraint"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("secret_small(tier_id)"),
        "{}",
        run.stdout
    );
    let run = refused(
        d,
        &[
            "debug",
            "--circuit",
            "tier-4",
            "--witness",
            "bad.json",
            "--json",
        ],
    );
    let report = json(&run);
    assert_eq!(report["satisfied"], false);
    assert_eq!(report["first_failure"]["rule"], "tier minimum");
    assert!(report["native_check"]
        .as_str()
        .unwrap()
        .contains("tier minimum"));

    // Not a witness at all: one line, no panic.
    std::fs::write(d.join("junk.json"), "{").unwrap();
    refused(
        d,
        &["debug", "--circuit", "tier-4", "--witness", "junk.json"],
    );
}
