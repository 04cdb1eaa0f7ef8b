//! The fuzz targets' findings and seeds, in the ordinary test suite (no fuzzer needed).
//!
//! - Every committed seed of `fuzz/seeds/` is accepted by the reader its target fuzzes: a
//!   seed that stopped parsing (a format change) would leave its target fuzzing only the
//!   refusal paths. Regenerate them with `fuzz/make-seeds.sh` (see FUZZING.md).
//! - Every crash, panic, hang or out-of-memory the fuzzers found is replayed here as bytes,
//!   and must now be a clean refusal.

use std::path::{Path, PathBuf};
use veil::circuits::{
    Isolation, Listed, Metering, Ownership, PoseidonBls12, PoseidonGoldilocks, Renewal, Revenue,
    Tier, Waterfall,
};
use veil::params::ceremony::{phase1::Phase1, provenance::KeyProvenance, ptau};
use veil::verifier::attest::{
    ProofAttestation, PublicKey, RootInfo, Signature, SignedRoot, TrustedKeys,
};
use veil::verifier::pinning::TrustedVerifyingKeys;
use veil::verifier::{
    snarkjs, AnyVerifyingKey, Groth16VerifyingKey, Plonky2VerifyingKey, ProofEnvelope,
};

fn seed_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target)
}

fn seed(target: &str, name: &str) -> Vec<u8> {
    let p = seed_dir(target).join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn seed_text(target: &str, name: &str) -> String {
    String::from_utf8(seed(target, name)).expect("a JSON seed is UTF-8")
}

#[test]
fn committed_seeds_are_accepted_by_their_readers() {
    let g16 = Groth16VerifyingKey::from_bytes(&seed("groth16_vk", "tier-4.vk")).unwrap();
    let p2 = Plonky2VerifyingKey::from_bytes(&seed("plonky2_vk", "tier-4.vk")).unwrap();
    AnyVerifyingKey::from_bytes(&seed("plonky2_vk", "tier-4.vk")).unwrap();

    let env = ProofEnvelope::from_json(&seed_text("envelope", "groth16.json")).unwrap();
    g16.prepare()
        .verify(&env)
        .expect("the envelope seed verifies under the key seed");
    assert_eq!(p2.header.circuit, env.circuit);

    let trusted = TrustedKeys::from_json(&seed_text("trusted_keys", "trusted.json")).unwrap();
    let att = ProofAttestation::from_json(&seed_text("attestation", "groth16.json")).unwrap();
    att.check_signature(&trusted)
        .expect("the attestation seed is signed by the trusted key");
    let root = SignedRoot::from_json(&seed_text("signed_root", "signed-root.json")).unwrap();
    root.check_signature(&trusted)
        .expect("the signed-root seed is signed by the trusted key");
    RootInfo::from_json(&seed_text("signed_root", "root.json")).unwrap();
    PublicKey::from_bytes(&seed("trusted_keys", "auditor.pub")).unwrap();
    Signature::from_bytes(&seed("trusted_keys", "file.sig")).unwrap();
    TrustedVerifyingKeys::from_json(&seed_text("trusted_keys", "pinned.json"))
        .unwrap()
        .check(env.circuit, &g16.digest)
        .expect("the pinned seed pins the key seed");

    for (byte, name) in [(0u8, "vk.json"), (1, "proof.json"), (2, "public.json")] {
        let b = seed("snarkjs", name);
        assert_eq!(b[0], byte, "{name}: first byte picks the file kind");
        let v = snarkjs::parse_json("seed", std::str::from_utf8(&b[1..]).unwrap()).unwrap();
        match byte {
            0 => drop(snarkjs::vk_from_json(&v).unwrap()),
            1 => drop(snarkjs::proof_from_json(&v).unwrap()),
            _ => drop(snarkjs::public_from_json(&v).unwrap()),
        }
    }

    let p1 = Phase1::from_bytes(&seed("ceremony", "power-2.vptau")).unwrap();
    KeyProvenance::from_json(&seed_text("ceremony", "provenance.json")).unwrap();
    let imported = ptau::import(&seed("ptau", "power-2.ptau"), &|_| {}).unwrap();
    assert_eq!(imported.tau_g1, p1.tau_g1);
}

fn witness_seed<C: Listed>(size: u32, name: &str, first: u8) {
    let b = seed("witness", name);
    assert_eq!(b[0], first, "{name}: first byte picks the circuit");
    let w: C::Witness = serde_json::from_slice(&b[1..]).unwrap();
    let c = C::with_size(size).unwrap();
    if name.ends_with("-plonky2.json") {
        c.check::<PoseidonGoldilocks>(&w).unwrap();
    } else {
        c.check::<PoseidonBls12>(&w).unwrap();
    }
}

#[test]
fn committed_witness_seeds_pass_their_circuits() {
    for b in ["groth16", "plonky2"] {
        witness_seed::<Ownership>(4, &format!("ownership-4-{b}.json"), 0);
        witness_seed::<Tier>(4, &format!("tier-4-{b}.json"), 1);
        witness_seed::<Renewal>(4, &format!("renewal-4-{b}.json"), 2);
        witness_seed::<Metering>(4, &format!("metering-4-{b}.json"), 3);
        witness_seed::<Isolation>(4, &format!("isolation-4-{b}.json"), 4);
        witness_seed::<Revenue>(4, &format!("revenue-4-{b}.json"), 5);
        witness_seed::<Waterfall>(4, &format!("waterfall-4-{b}.json"), 6);
    }
}

/// Replays one finding through the reader of its target (the file name's prefix).
fn replay(target: &str, bytes: &[u8]) -> bool {
    let text = std::str::from_utf8(bytes).ok();
    match target {
        "plonky2_vk" => {
            AnyVerifyingKey::from_bytes(bytes).is_err()
                && Plonky2VerifyingKey::from_bytes(bytes).is_err()
        }
        "groth16_vk" => Groth16VerifyingKey::from_bytes(bytes).is_err(),
        "envelope" => text.is_none_or(|t| ProofEnvelope::from_json(t).is_err()),
        other => panic!("no replay for fuzz target {other}"),
    }
}

/// Every input a fuzzer crashed on (`fuzz/regressions/<target>-<what>.<ext>`) is now refused
/// with an error.
#[test]
fn fuzz_findings_are_refused_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (target, _) = name.split_once('-').expect("<target>-<what>");
        let bytes = std::fs::read(&path).unwrap();
        assert!(replay(target, &bytes), "{name} is accepted");
        n += 1;
    }
    assert!(n > 0, "no findings in {}", dir.display());
}

/// The first finding, made by hand: an ArithmeticGate whose num_ops makes `4 * num_ops`
/// overflow. Where overflow is checked, reading the key panicked in `num_wires`; it is a
/// clean refusal everywhere now.
#[test]
fn a_plonky2_gate_whose_size_overflows_is_refused() {
    let seed = seed("plonky2_vk", "tier-4.vk");
    let good = Plonky2VerifyingKey::from_bytes(&seed).unwrap();
    let arith = good
        .data
        .common
        .gates
        .iter()
        .position(|g| g.0.id().starts_with("ArithmeticGate"))
        .expect("tier-4 has an ArithmeticGate");
    let ops = good.data.common.gates[arith].0.num_wires() as u64 / 4;
    // The gate's num_ops as written in the key (u64 little-endian), replaced by values whose
    // wires overflow (u64::MAX) or wrap to the honest count (2^62 + num_ops).
    let at = seed
        .windows(8)
        .rposition(|w| w == ops.to_le_bytes())
        .expect("num_ops is in the key");
    for huge in [u64::MAX, (1 << 62) + ops, 1 << 63] {
        let mut bad = seed.clone();
        bad[at..at + 8].copy_from_slice(&huge.to_le_bytes());
        let e = Plonky2VerifyingKey::from_bytes(&bad)
            .map(|_| ())
            .unwrap_err();
        assert!(e.to_string().contains("does not fit"), "{huge}: {e}");
    }
}
