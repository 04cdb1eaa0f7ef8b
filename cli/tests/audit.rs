//! `veil audit` and `veil debug` as a user runs them: every circuit audits clean (this is the
//! CI gate: a new circuit or gadget that leaves a value free fails it), the debugger names the
//! constraint a bad witness fails, and both refuse what they do not cover.

use tempfile::TempDir;

mod common;

use common::{json, ok, read_json, refused, refused_with, write_json};

#[test]
fn every_circuit_audits_clean() {
    let dir = TempDir::new().unwrap();
    for circuit in [
        "ownership-4",
        "tier-4",
        "renewal-4",
        "metering-4",
        "isolation-4",
        "revenue-4",
        "waterfall-4",
    ] {
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
    assert!(run
        .stdout
        .contains("Plonky2 constraint system is not analysed"));
}

#[test]
fn audit_and_debug_refuse_plonky2_with_a_reason() {
    let dir = TempDir::new().unwrap();
    refused_with(
        dir.path(),
        &["audit", "--circuit", "tier-4", "--backend", "plonky2"],
        "R1CS constraint system of the groth16 backend only",
    );
    refused_with(
        dir.path(),
        &[
            "debug",
            "--circuit",
            "tier-4",
            "--witness",
            "w.json",
            "--backend",
            "plonky2",
        ],
        "groth16 backend only",
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
