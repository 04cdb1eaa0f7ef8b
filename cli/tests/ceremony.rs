//! The ceremony scripts end to end (params/scripts/coordinator.sh, participant.sh) with the
//! real `veil` binary: a phase 1 at 2^11, three participants on tier-4, a beacon, production
//! keys that prove and verify from the CLI, key pinning, and tampered uploads refused with
//! the contribution and the check named.

use ark_bls12_381::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{One, UniformRand};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use veil_params::ceremony::phase1::Origin;
use veil_params::ceremony::phase2::{Contribution, Phase2};
use veil_params::ceremony::Pok;

fn veil() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_veil"))
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../params/scripts")
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.env("VEIL", veil()).output().expect("runs");
    out
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
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn script(name: &str) -> Command {
    let mut c = Command::new("bash");
    c.arg(scripts().join(name));
    c
}

fn v() -> Command {
    Command::new(veil())
}

/// Writes a tampered upload made from the current file with the library.
fn upload(dir: &Path, name: &str, tamper: impl FnOnce(&mut Phase2, &Phase2)) {
    let cur = Phase2::read(&dir.join("published/current.ph2")).unwrap();
    let mut next = cur.clone();
    tamper(&mut next, &cur);
    std::fs::write(dir.join(format!("uploads/{name}.ph2")), next.to_bytes()).unwrap();
}

#[test]
fn three_party_ceremony_with_the_scripts() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let p = |s: &str| t.join(s);
    ok(v()
        .args(["ceremony", "ptau", "new", "--power", "11", "--out"])
        .arg(p("pot0.vptau")));
    ok(v()
        .args(["ceremony", "ptau", "contribute", "--name", "p1", "--in"])
        .arg(p("pot0.vptau"))
        .arg("--out")
        .arg(p("pot1.vptau")));
    ok(v()
        .args([
            "ceremony",
            "ptau",
            "beacon",
            "--hash",
            "00112233445566778899",
            "--iterations-exp",
            "4",
            "--in",
        ])
        .arg(p("pot1.vptau"))
        .arg("--out")
        .arg(p("pot.vptau")));
    let r = ok(v()
        .args(["--json", "ceremony", "ptau", "verify", "--in"])
        .arg(p("pot.vptau")));
    assert!(r.contains("\"valid\": true"), "{r}");
    // A fresh accumulator (no contribution) is refused.
    let e = fails(
        v().args(["ceremony", "ptau", "verify", "--in"])
            .arg(p("pot0.vptau")),
    );
    assert!(e.contains("no contribution"), "{e}");

    let dir = p("ceremony");
    ok(script("coordinator.sh")
        .args(["init", "tier-4"])
        .arg(p("pot.vptau"))
        .arg(&dir));
    // finalize refuses the initial parameters (δ = γ = 1).
    let e = fails(
        v().args(["ceremony", "finalize", "--out-dir"])
            .arg(p("bad-keys"))
            .arg("--transcript")
            .arg(dir.join("published/current.ph2")),
    );
    assert!(e.contains("no phase-2 contribution"), "{e}");

    for name in ["alice", "bob"] {
        ok(script("participant.sh")
            .arg(&dir)
            .arg(name)
            .arg(format!("{name}'s dice")));
        ok(script("coordinator.sh").arg("accept").arg(&dir).arg(name));
    }

    // Contribution 3 by mallory: reuses the previous δ.
    upload(&dir, "mallory", |next, cur| {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let pok = Pok::new(Fr::one(), &cur.transcript_hash(), b"delta", &mut rng).unwrap();
        next.contributions.push(Contribution {
            name: "mallory".into(),
            origin: Origin::Participant,
            delta_g1: cur.delta_g1,
            pok,
        });
    });
    let e = fails(
        script("coordinator.sh")
            .arg("accept")
            .arg(&dir)
            .arg("mallory"),
    );
    assert!(
        e.contains("contribution 3 (mallory)") && e.contains("reuses the previous δ"),
        "{e}"
    );
    assert!(e.contains("REJECTED"), "{e}");

    // Contribution 3 by trudy: a forged proof of knowledge.
    upload(&dir, "trudy", |next, cur| {
        next.contribute("trudy", b"", &|_| {}).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let last = next.contributions.len() - 1;
        next.contributions[last].pok = Pok::new(
            Fr::rand(&mut rng),
            &cur.transcript_hash(),
            b"delta",
            &mut rng,
        )
        .unwrap();
    });
    let e = fails(
        script("coordinator.sh")
            .arg("accept")
            .arg(&dir)
            .arg("trudy"),
    );
    assert!(
        e.contains("contribution 3 (trudy)") && e.contains("proof of knowledge of δ"),
        "{e}"
    );

    // Contribution 3 by eve: alters an L point, then one by oscar: alters an H point.
    for (name, which) in [("eve", "L"), ("oscar", "H")] {
        upload(&dir, name, |next, _| {
            next.contribute(name, b"", &|_| {}).unwrap();
            let q = if which == "L" {
                &mut next.l_query
            } else {
                &mut next.h_query
            };
            q[5] = (q[5].into_group() + G1Affine::generator()).into_affine();
        });
        let e = fails(script("coordinator.sh").arg("accept").arg(&dir).arg(name));
        assert!(
            e.contains(&format!("contribution 3 ({name})"))
                && e.contains(&format!("the {which} query")),
            "{e}"
        );
    }

    ok(script("participant.sh").arg(&dir).arg("carol"));
    ok(script("coordinator.sh")
        .arg("accept")
        .arg(&dir)
        .arg("carol"));
    let keys = p("keys");
    ok(script("coordinator.sh")
        .arg("finish")
        .arg(&dir)
        .args(["0a0b0c0d0e0f", "4"])
        .arg(&keys));
    let transcript = dir.join("final.ph2");
    let r = ok(script("coordinator.sh")
        .args(["verify", "tier-4"])
        .arg(p("pot.vptau"))
        .arg(&transcript));
    assert!(
        r.contains("4 contributions (alice, bob, carol, beacon)"),
        "{r}"
    );

    // The key is tied to the circuit compiled here through the transcript.
    let vk = keys.join("tier-4.vk");
    let r = ok(v()
        .args([
            "--json",
            "ceremony",
            "verify",
            "--circuit",
            "tier-4",
            "--ptau",
        ])
        .arg(p("pot.vptau"))
        .arg("--transcript")
        .arg(&transcript)
        .arg("--vk")
        .arg(&vk));
    let report: serde_json::Value = serde_json::from_str(&r).unwrap();
    let key_id = report["key_id"].as_str().unwrap().to_string();
    // A dev key claiming tier-4 is not this transcript's key.
    ok(v()
        .args(["setup", "--circuit", "tier-4", "--out-dir"])
        .arg(p("dev")));
    let e = fails(
        v().args(["ceremony", "verify", "--circuit", "tier-4", "--ptau"])
            .arg(p("pot.vptau"))
            .arg("--transcript")
            .arg(&transcript)
            .arg("--vk")
            .arg(p("dev/tier-4.vk")),
    );
    assert!(e.contains("is not the key of this transcript"), "{e}");
    // The transcript does not verify for another circuit.
    let e = fails(
        v().args(["ceremony", "verify", "--circuit", "ownership-4", "--ptau"])
            .arg(p("pot.vptau"))
            .arg("--transcript")
            .arg(&transcript),
    );
    assert!(
        e.contains("not ownership-4") || e.contains("is for tier-4"),
        "{e}"
    );

    // Both key headers record the ceremony (key format version 4); the proving key has the
    // fast body layout (3) of `veil setup`'s keys.
    let transcript_hash = report["transcript_hash"].as_str().unwrap().to_string();
    for (key, layout) in [("tier-4.pk", 3u8), ("tier-4.vk", 1)] {
        let b = std::fs::read(keys.join(key)).unwrap();
        assert_eq!(&b[8..12], &4u32.to_le_bytes(), "{key}");
        // After magic, version, kind, backend, the id's length, "tier-4", its version and
        // the constraint-system digest (8 + 4 + 1 + 1 + 2 + 6 + 4 + 32 = 58 bytes).
        assert_eq!((b[58], b[59]), (layout, 1), "{key}");
        assert_eq!(hex::encode(&b[60..92]), transcript_hash, "{key}");
        assert_eq!(&b[92..96], &4u32.to_le_bytes(), "{key}");
    }
    // `veil key check` ties the ceremony key to tier-4 through its transcript.
    let e = fails(v().args(["key", "check", "--key"]).arg(&vk));
    assert!(e.contains("give --ptau and --transcript"), "{e}");
    let r = ok(v()
        .args(["key", "check", "--key"])
        .arg(&vk)
        .arg("--ptau")
        .arg(p("pot.vptau"))
        .arg("--transcript")
        .arg(&transcript));
    assert!(
        r.contains("key OK") && r.contains("the key of transcript"),
        "{r}"
    );

    // Prove and verify with the ceremony keys; pins accept it and refuse the dev key.
    ok(v()
        .args(["sample", "--circuit", "tier-4", "--out"])
        .arg(p("w.json")));
    ok(v()
        .args(["prove", "--circuit", "tier-4", "--pk"])
        .arg(keys.join("tier-4.pk"))
        .arg("--witness")
        .arg(p("w.json"))
        .arg("--out")
        .arg(p("proof.json")));
    ok(v()
        .arg("verify")
        .arg("--vk")
        .arg(&vk)
        .arg("--proof")
        .arg(p("proof.json"))
        .args(["--expect-key-digest", &key_id]));
    let e = fails(
        v().arg("verify")
            .arg("--vk")
            .arg(p("dev/tier-4.vk"))
            .arg("--proof")
            .arg(p("proof.json"))
            .args(["--expect-key-digest", &key_id]),
    );
    assert!(e.contains("is not the pinned key"), "{e}");
    let pins = serde_json::json!({
        "format": "veil-trusted-verifying-keys", "format_version": 1,
        "keys": [{"circuit": "tier-4", "key_id": key_id, "name": "ceremony 2026-12"}]
    });
    std::fs::write(p("pins.json"), pins.to_string()).unwrap();
    ok(v()
        .arg("verify")
        .arg("--vk")
        .arg(&vk)
        .arg("--proof")
        .arg(p("proof.json"))
        .arg("--trusted-vks")
        .arg(p("pins.json")));
    let e = fails(
        v().arg("verify")
            .arg("--vk")
            .arg(p("dev/tier-4.vk"))
            .arg("--proof")
            .arg(p("proof.json"))
            .arg("--trusted-vks")
            .arg(p("pins.json")),
    );
    assert!(e.contains("not in the trusted verifying keys"), "{e}");

    // `veil verify` says where each key comes from (its header); --require-ceremony-key
    // refuses dev keys.
    let r = ok(v()
        .args(["verify", "--require-ceremony-key", "--vk"])
        .arg(&vk)
        .arg("--proof")
        .arg(p("proof.json")));
    assert!(
        r.contains(&format!(
            "ceremony key (transcript {transcript_hash}, 4 contributions)"
        )),
        "{r}"
    );
    let j: serde_json::Value = serde_json::from_str(&ok(v()
        .args(["--json", "verify", "--vk"])
        .arg(&vk)
        .arg("--proof")
        .arg(p("proof.json"))))
    .unwrap();
    assert_eq!(j["key_origin"], "ceremony");
    ok(v()
        .args(["prove", "--circuit", "tier-4", "--pk"])
        .arg(p("dev/tier-4.pk"))
        .arg("--witness")
        .arg(p("w.json"))
        .arg("--out")
        .arg(p("dev-proof.json")));
    let dev_verify = |extra: &[&str]| {
        let mut c = v();
        c.arg("verify")
            .args(extra)
            .arg("--vk")
            .arg(p("dev/tier-4.vk"))
            .arg("--proof")
            .arg(p("dev-proof.json"));
        c
    };
    let out = run(&mut dev_verify(&[]));
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("dev key (forgeable, from public seed)"),
        "{out:?}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("UNSAFE FOR PRODUCTION"));
    let e = fails(&mut dev_verify(&["--require-ceremony-key"]));
    assert!(
        e.contains("--require-ceremony-key") && e.contains("dev key"),
        "{e}"
    );
    // A dev key whose header is rewritten to claim the ceremony: a new key id (the proof made
    // for the dev key names the old one) and refused on read (a dev key's γ is random).
    let dev = veil_verifier::Groth16VerifyingKey::read(&p("dev/tier-4.vk")).unwrap();
    let claimed = dev.clone().with_origin(veil_verifier::KeySource::Ceremony {
        transcript_hash: veil_verifier::Bytes32(
            hex::decode(&transcript_hash).unwrap().try_into().unwrap(),
        ),
        contributions: 4,
    });
    assert_ne!(claimed.digest, dev.digest);
    std::fs::write(p("claimed.vk"), claimed.to_bytes()).unwrap();
    let e = fails(
        v().args(["verify", "--require-ceremony-key", "--vk"])
            .arg(p("claimed.vk"))
            .arg("--proof")
            .arg(p("dev-proof.json")),
    );
    assert!(e.contains("claims a ceremony origin"), "{e}");
}
