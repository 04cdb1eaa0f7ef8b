//! `veil key check` (issue 11 §3) with the real binary: genuine keys pass; a key substituted by
//! one for an empty circuit with tier-4's public inputs, labelled tier-4, makes a false
//! statement verify under `veil verify` and is refused by `veil key check`, on both backends.
//! (Ceremony keys are checked with their transcript in `cli/tests/ceremony.rs`.)

use std::path::Path;
use std::process::{Command, Output};
use veil_circuits::{Api, Circuit, CircuitError, NativeHasher, PoseidonBls12, Tier, TierWitness};
use veil_circuits::{PoseidonGoldilocks, Violation};
use veil_verifier::{CircuitId, Statement};

fn v() -> Command {
    Command::new(env!("CARGO_BIN_EXE_veil"))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("veil runs")
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "failed: {cmd:?}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(!out.status.success(), "unexpectedly succeeded: {cmd:?}");
    assert_eq!(out.status.code(), Some(1), "{cmd:?}: {out:?}");
    let e = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!e.contains("panicked"), "{e}");
    e
}

fn check(key: &Path) -> Command {
    let mut c = v();
    c.args(["key", "check", "--key"]).arg(key);
    c
}

/// tier-4's public statement and nothing else: no rule, so any statement "holds".
#[derive(Clone)]
struct EmptyTier(Tier);

impl Circuit for EmptyTier {
    type Witness = TierWitness;
    fn id(&self) -> CircuitId {
        self.0.id()
    }
    fn statement(w: &TierWitness) -> Statement {
        Tier::statement(w)
    }
    fn check<H: NativeHasher>(&self, _: &TierWitness) -> Result<(), Violation> {
        Ok(())
    }
    fn define<A: Api>(&self, api: &mut A, w: Option<&TierWitness>) -> Result<(), CircuitError> {
        api.public_statement(w.map(|w| &w.statement))?;
        Ok(())
    }
}

/// A witness whose statement is false: its tier is below the minimum it claims.
fn false_witness<H: NativeHasher>() -> TierWitness {
    let mut w = veil_circuits::sample::tier_witness::<H>(4, 1).unwrap();
    w.statement.min_tier = w.tier_id + 3;
    assert!(Tier::new(4).unwrap().check::<H>(&w).is_err());
    w
}

#[test]
fn groth16_genuine_dev_keys_pass_and_a_substituted_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |s: &str| tmp.path().join(s);
    ok(v()
        .args(["setup", "--circuit", "tier-4", "--out-dir"])
        .arg(p("dev")));
    for key in ["dev/tier-4.vk", "dev/tier-4.pk"] {
        let r = ok(&mut check(&p(key)));
        assert!(
            r.contains("key OK") && r.contains("veil's dev key for tier-4"),
            "{r}"
        );
    }
    let j: serde_json::Value = serde_json::from_str(&ok(v()
        .arg("--json")
        .args(["key", "check", "--key"])
        .arg(p("dev/tier-4.vk"))))
    .unwrap();
    assert_eq!(j["valid"], true);
    assert_eq!(j["key_origin"], "dev");
    // A key for another circuit, or under a label other than the one it was made with.
    let e = fails(check(&p("dev/tier-4.vk")).args(["--circuit", "tier-6"]));
    assert!(e.contains("the key is for tier-4, not tier-6"), "{e}");
    ok(v()
        .args([
            "setup",
            "--circuit",
            "tier-4",
            "--label",
            "staging",
            "--out-dir",
        ])
        .arg(p("staging")));
    fails(&mut check(&p("staging/tier-4.vk")));
    ok(check(&p("staging/tier-4.vk")).args(["--label", "staging"]));

    // The attack: keys for the empty circuit, the verifying key's header copied from tier-4's
    // (circuit id and constraint-system digest).
    let tier = Tier::new(4).unwrap();
    let real = veil_verifier::Groth16VerifyingKey::read(&p("dev/tier-4.vk")).unwrap();
    let empty = EmptyTier(tier);
    let (pk, vk, compiled) = veil_prover::groth16::dev_setup_compiled(&empty, [7; 32]).unwrap();
    assert_eq!(vk.num_public_inputs(), real.num_public_inputs());
    let forged = veil_verifier::Groth16VerifyingKey::new(
        real.header.circuit,
        real.header.cs_digest,
        vk.vk.clone(),
    );
    std::fs::write(p("forged.vk"), forged.to_bytes()).unwrap();
    let prover = veil_prover::Prover::with_compiled(empty, pk, compiled).unwrap();
    let mut env = prover.prove(&false_witness::<PoseidonBls12>()).unwrap();
    env.key_digest = forged.digest;
    std::fs::write(p("false-proof.json"), env.to_json()).unwrap();
    // Unchecked, the false statement verifies as tier-4...
    ok(v()
        .args(["verify", "--vk"])
        .arg(p("forged.vk"))
        .arg("--proof")
        .arg(p("false-proof.json")));
    // ... `veil key check` refuses the key.
    let e = fails(&mut check(&p("forged.vk")));
    assert!(
        e.contains("REFUSED") && e.contains("not veil's dev key for tier-4"),
        "{e}"
    );
    // Claiming a ceremony origin does not help: refused on read (γ is not the generator).
    let claimed = forged
        .clone()
        .with_origin(veil_verifier::KeySource::Ceremony {
            transcript_hash: veil_verifier::Bytes32([1; 32]),
            contributions: 3,
        });
    std::fs::write(p("claimed.vk"), claimed.to_bytes()).unwrap();
    let e = fails(&mut check(&p("claimed.vk")));
    assert!(e.contains("γ is not the G2 generator"), "{e}");
    let e = fails(
        v().args(["verify", "--vk"])
            .arg(p("claimed.vk"))
            .arg("--proof")
            .arg(p("false-proof.json")),
    );
    assert!(e.contains("claims a ceremony origin"), "{e}");
    // Garbage is an error, not a panic.
    std::fs::write(p("garbage.vk"), b"VEILKEY\0garbage").unwrap();
    fails(&mut check(&p("garbage.vk")));
    fails(&mut check(&p("missing.vk")));
}

#[test]
fn plonky2_genuine_keys_pass_and_a_substituted_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |s: &str| tmp.path().join(s);
    ok(v()
        .args([
            "setup",
            "--circuit",
            "tier-4",
            "--backend",
            "plonky2",
            "--out-dir",
        ])
        .arg(p("p2")));
    for key in ["p2/tier-4.vk", "p2/tier-4.pk"] {
        let r = ok(&mut check(&p(key)));
        assert!(
            r.contains("key OK") && r.contains("rebuilt here, byte for byte"),
            "{r}"
        );
        assert!(r.contains("transparent key"), "{r}");
    }

    // The attack: Plonky2 keys for the empty circuit, labelled tier-4 (a Plonky2 key's
    // header must carry its body's circuit digest, so that is all a forger can copy).
    let empty = EmptyTier(Tier::new(4).unwrap());
    let (pk, vk) = veil_prover::plonky2::setup(&empty).unwrap();
    let real = veil_verifier::Plonky2VerifyingKey::read(&p("p2/tier-4.vk")).unwrap();
    assert_eq!(vk.num_public_inputs(), real.num_public_inputs());
    std::fs::write(p("forged.vk"), vk.to_bytes()).unwrap();
    std::fs::write(p("forged.pk"), pk.to_bytes()).unwrap();
    let prover = veil_prover::plonky2::Prover::new(empty, pk).unwrap();
    let env = prover
        .prove(&false_witness::<PoseidonGoldilocks>())
        .unwrap();
    std::fs::write(p("false-proof.json"), env.to_json()).unwrap();
    ok(v()
        .args(["verify", "--vk"])
        .arg(p("forged.vk"))
        .arg("--proof")
        .arg(p("false-proof.json")));
    for key in ["forged.vk", "forged.pk"] {
        let e = fails(&mut check(&p(key)));
        assert!(
            e.contains("REFUSED") && e.contains("is not tier-4's as built here"),
            "{e}"
        );
    }
}
