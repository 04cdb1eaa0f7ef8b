//! The ceremony library end to end on tier-4 (~1k constraints): a veil-made phase 1, a
//! three-party phase 2 with a beacon, production keys that prove (through the fast key
//! layout) and verify with the existing prover and verifier, and every check made to fail.
//!
//! Kept small for CI: the phase-1 refusals run on their own accumulator of 2^4 powers. Every
//! phase-2 refusal is checked both ways: by the full verification ([`Phase2::verify`]: every
//! query against the powers of tau by random linear combinations, no rebuild) and against the
//! initial parameters rebuilt once ([`Phase2::verify_with_init`]); the two must agree. A
//! version 1 transcript (whose initial digest is the digest of the parameters) is verified by
//! its rebuild.

use ark_bls12_381::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{One, UniformRand};
use ark_serialize::{CanonicalSerialize, Compress};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;
use veil_circuits::{sample, PoseidonBls12, Tier};
use veil_params::ceremony::phase1::Phase1;
use veil_params::ceremony::phase2::{self, Phase2};
use veil_params::ceremony::{CeremonyError, Pok};
use veil_prover::{compile, Compiled, Prover};

fn quiet(_: &str) {}

struct Fixture {
    compiled: Compiled,
    ptau: Phase1,
    /// The initial parameters and the transcript after each of three contributions.
    steps: Vec<Phase2>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let tier = Tier::new(4).unwrap();
        let compiled = compile(&tier).unwrap();
        let power = phase2::required_power(&compiled).unwrap();
        let mut ptau = Phase1::new(power).unwrap();
        ptau.contribute("p1-alice", b"some entropy", &quiet)
            .unwrap();
        ptau.beacon(b"block 123456 hash", 4, &quiet).unwrap();
        let mut cur = Phase2::init(&ptau, &compiled, &quiet).unwrap();
        let mut steps = vec![cur.clone()];
        for name in ["alice", "bob", "carol"] {
            cur.contribute(name, name.as_bytes(), &quiet).unwrap();
            steps.push(cur.clone());
        }
        Fixture {
            compiled,
            ptau,
            steps,
        }
    })
}

/// A small accumulator (2^4) with two contributions and a beacon, for the phase-1 checks.
fn small_ptau() -> &'static Phase1 {
    static P: OnceLock<Phase1> = OnceLock::new();
    P.get_or_init(|| {
        let mut ptau = Phase1::new(4).unwrap();
        ptau.contribute("p1-alice", b"some entropy", &quiet)
            .unwrap();
        ptau.contribute("p1-bob", b"", &quiet).unwrap();
        ptau.beacon(b"block 123456 hash", 4, &quiet).unwrap();
        ptau
    })
}

/// The initial parameters, rebuilt once from the powers of tau and the circuit.
fn init() -> &'static Phase2 {
    &fixture().steps[0]
}

fn contribution_error(e: CeremonyError) -> (usize, String) {
    match e {
        CeremonyError::Contribution { index, check, .. } => (index, check),
        other => panic!("expected a contribution error, got: {other}"),
    }
}

#[test]
fn phase1_verifies_and_round_trips() {
    let ptau = small_ptau();
    let report = ptau.verify(&quiet).unwrap();
    assert_eq!(report.contributions, ["p1-alice", "p1-bob", "beacon"]);
    let back = Phase1::from_bytes(&ptau.to_bytes()).unwrap();
    assert_eq!(&back, ptau);
    assert_eq!(back.transcript_hash(), ptau.transcript_hash());
    // The phase 2's accumulator verifies too.
    let f = fixture();
    assert_eq!(
        f.ptau.verify(&quiet).unwrap().contributions,
        ["p1-alice", "beacon"]
    );
}

#[test]
fn phase1_refusals() {
    let f = small_ptau();
    // No contribution.
    let fresh = Phase1::new(3).unwrap();
    assert!(fresh
        .verify(&quiet)
        .unwrap_err()
        .to_string()
        .contains("no contribution"));

    // A power that is not the previous one times τ.
    let mut bad = f.clone();
    bad.tau_g1[5] = (bad.tau_g1[5] + G1Affine::generator()).into_affine();
    let e = bad.verify(&quiet).unwrap_err().to_string();
    assert!(
        e.contains("τ·G1 is not a sequence of consecutive powers"),
        "{e}"
    );

    let mut bad = f.clone();
    bad.alpha_tau_g1[3] = bad.alpha_tau_g1[4];
    let e = bad.verify(&quiet).unwrap_err().to_string();
    assert!(e.contains("α·τ·G1"), "{e}");

    // An identity point.
    let mut bad = f.clone();
    bad.beta_tau_g1[2] = G1Affine::zero();
    let e = bad.verify(&quiet).unwrap_err().to_string();
    assert!(e.contains("β·τ·G1[2]") && e.contains("identity"), "{e}");

    // A forged proof of knowledge (contribution 2).
    let mut bad = f.clone();
    bad.contributions[1].pok_tau.g2_spx = bad.contributions[0].pok_tau.g2_spx;
    let (index, check) = contribution_error(bad.verify(&quiet).unwrap_err());
    assert_eq!(index, 2);
    assert!(check.contains("proof of knowledge of tau"), "{check}");

    // A tampered beacon.
    let mut bad = f.clone();
    bad.contributions[2].origin = veil_params::ceremony::phase1::Origin::Beacon {
        value: b"another block".to_vec(),
        exp: 4,
    };
    let (index, check) = contribution_error(bad.verify(&quiet).unwrap_err());
    assert_eq!(index, 3);
    assert!(check.contains("beacon"), "{check}");

    // The snarkjs form of a contribution (what `snarkjs powersoftau verify` checks) is
    // checked by veil too: an altered key, and a last next challenge that is not the hash of
    // the accumulator.
    let mut bad = f.clone();
    let link = bad.contributions[0].snarkjs.as_mut().unwrap();
    link.key[0].g1_sx = link.key[1].g1_sx;
    let (index, check) = contribution_error(bad.verify(&quiet).unwrap_err());
    assert_eq!(index, 1);
    assert!(check.contains("snarkjs key of τ"), "{check}");
    let mut bad = f.clone();
    bad.contributions[2]
        .snarkjs
        .as_mut()
        .unwrap()
        .next_challenge[0] ^= 1;
    let (index, check) = contribution_error(bad.verify(&quiet).unwrap_err());
    assert_eq!(index, 3);
    assert!(check.contains("snarkjs next challenge"), "{check}");
    // Export refuses a transcript without contributions (snarkjs would refuse the file).
    let e = veil_params::ceremony::ptau::export(&fresh)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no contribution"), "{e}");
}

#[test]
fn phase1_reader_refuses_bad_bytes() {
    let f = small_ptau();
    let bytes = f.to_bytes();
    // Truncated.
    let e = Phase1::from_bytes(&bytes[..bytes.len() - 10])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("truncated") || e.contains("more than the file holds"),
        "{e}"
    );
    // Trailing bytes.
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Phase1::from_bytes(&longer)
        .unwrap_err()
        .to_string()
        .contains("trailing"));
    // A huge count claimed for τ·G1.
    let mut huge = bytes.clone();
    huge[20..28].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(Phase1::from_bytes(&huge)
        .unwrap_err()
        .to_string()
        .contains("more than the file holds"));
    // A point on the curve but outside the prime-order subgroup (BLS12-381 G1 has a cofactor).
    let outside = (1u64..)
        .filter_map(|x| G1Affine::get_point_from_x_unchecked(ark_bls12_381::Fq::from(x), false))
        .find(|p| !p.is_in_correct_subgroup_assuming_on_curve())
        .unwrap();
    let mut enc = Vec::new();
    outside.serialize_with_mode(&mut enc, Compress::No).unwrap();
    let mut bad = bytes.clone();
    let at = 28 + 2 * 96;
    bad[at..at + 96].copy_from_slice(&enc);
    let e = Phase1::from_bytes(&bad).unwrap_err().to_string();
    assert!(e.contains("τ·G1[2]") && e.contains("subgroup"), "{e}");
    // Not a veil file.
    assert!(Phase1::from_bytes(b"ptau\x01\x00\x00\x00").is_err());
}

#[test]
fn three_party_phase2_gives_keys_that_prove_and_verify() {
    let f = fixture();
    for pair in f.steps.windows(2) {
        pair[0].verify_extension(&pair[1]).unwrap();
    }
    let mut last = f.steps.last().unwrap().clone();
    last.beacon(b"block 777 hash", 3, &quiet).unwrap();
    f.steps.last().unwrap().verify_extension(&last).unwrap();
    let report = last.verify(&f.ptau, &f.compiled, &quiet).unwrap();
    assert_eq!(report.contributions, ["alice", "bob", "carol", "beacon"]);
    assert_eq!(report.transcript_hash, hex::encode(last.transcript_hash()));

    let back = Phase2::from_bytes(&last.to_bytes()).unwrap();
    assert_eq!(back, last);

    let (pk, vk) = last.finalize().unwrap();
    assert_eq!(vk.digest.to_hex(), report.vk_digest);
    // Both headers record the ceremony; the proving key is written in the fast layout (key
    // file version 4, body layout 3: what `veil ceremony finalize` writes).
    let origin = veil_verifier::KeySource::Ceremony {
        transcript_hash: veil_verifier::Bytes32(last.transcript_hash()),
        contributions: 4,
    };
    assert_eq!((pk.header.origin, vk.header.origin), (origin, origin));
    let pk_bytes = pk.to_bytes_v3(&f.compiled).unwrap();
    assert_eq!(&pk_bytes[8..12], &4u32.to_le_bytes());
    let (layout, header, _) =
        veil_verifier::format::read_key_file_versioned(&pk_bytes, veil_verifier::KeyKind::Proving)
            .unwrap();
    assert_eq!((layout, header.origin), (3, origin));
    let vk = veil_verifier::Groth16VerifyingKey::from_bytes(&vk.to_bytes()).unwrap();
    assert_eq!(
        vk.origin(),
        veil_verifier::pinning::KeyOrigin::Ceremony {
            transcript_hash: veil_verifier::Bytes32(last.transcript_hash()),
            contributions: 4
        }
    );
    let tier = Tier::new(4).unwrap();
    // The fast path: the stored constraint system, no compilation.
    let prover = Prover::from_key_bytes(tier, &pk_bytes).unwrap();
    assert_eq!(prover.verifying_key().digest, vk.digest);
    let witness = sample::tier_witness::<PoseidonBls12>(4, 1).unwrap();
    let env = prover.prove(&witness).unwrap();
    assert_eq!(env.key_digest, vk.digest);
    vk.prepare().verify(&env).unwrap();
    // The version 2 layout is still read.
    let pk2 = veil_prover::Groth16ProvingKey::from_bytes(&pk.to_bytes()).unwrap();
    assert_eq!(pk2.verifying_key().digest, vk.digest);
    // The proof does not verify under the dev key of the same circuit.
    let (_, dev_vk) = veil_params::dev_keys(&tier, "").unwrap();
    assert!(dev_vk.prepare().verify(&env).is_err());
}

#[test]
fn no_contribution_is_refused_by_finalize_and_verify() {
    let f = fixture();
    let start = &f.steps[0];
    let e = start.finalize().err().unwrap().to_string();
    assert!(e.contains("no phase-2 contribution"), "{e}");
    let e = start
        .verify(&f.ptau, &f.compiled, &quiet)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no phase-2 contribution"), "{e}");
    let e = start
        .verify_with_init(init(), &quiet)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no phase-2 contribution"), "{e}");
}

#[test]
fn reused_delta_is_detected_and_named() {
    let f = fixture();
    let prev = &f.steps[2];
    let mut bad = prev.clone();
    let transcript = prev.transcript_hash();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let pok = Pok::new(Fr::one(), &transcript, b"delta", &mut rng).unwrap();
    bad.contributions.push(phase2::Contribution {
        name: "mallory".into(),
        origin: veil_params::ceremony::phase1::Origin::Participant,
        delta_g1: prev.delta_g1,
        pok,
    });
    let (index, check) = contribution_error(prev.verify_extension(&bad).unwrap_err());
    assert_eq!(index, 3);
    assert!(check.contains("reuses the previous δ"), "{check}");
    let (index, _) = contribution_error(bad.verify_with_init(init(), &quiet).unwrap_err());
    assert_eq!(index, 3);
}

#[test]
fn forged_proof_of_knowledge_is_detected_and_named() {
    let f = fixture();
    let prev = &f.steps[1];
    let mut bad = f.steps[2].clone();
    // A proof of knowledge of another secret than the one applied to δ.
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    bad.contributions[1].pok = Pok::new(
        Fr::rand(&mut rng),
        &prev.transcript_hash(),
        b"delta",
        &mut rng,
    )
    .unwrap();
    let (index, check) = contribution_error(prev.verify_extension(&bad).unwrap_err());
    assert_eq!(index, 2);
    assert!(
        check.contains("proof of knowledge of δ does not match"),
        "{check}"
    );
    // A proof of knowledge whose G2 part is not the secret times the challenge.
    let mut bad = f.steps[2].clone();
    bad.contributions[1].pok.g2_spx =
        (bad.contributions[1].pok.g2_spx.into_group() * Fr::from(2u64)).into_affine();
    let (index, check) = contribution_error(prev.verify_extension(&bad).unwrap_err());
    assert_eq!(index, 2);
    assert!(
        check.contains("proof of knowledge of delta does not verify"),
        "{check}"
    );
}

#[test]
fn altered_l_or_h_point_is_detected_and_named() {
    let f = fixture();
    let prev = &f.steps[2];
    for which in ["L", "H"] {
        let mut bad = f.steps[3].clone();
        let q = if which == "L" {
            &mut bad.l_query
        } else {
            &mut bad.h_query
        };
        q[7] = (q[7].into_group() + G1Projective::from(G1Affine::generator())).into_affine();
        let (index, check) = contribution_error(prev.verify_extension(&bad).unwrap_err());
        assert_eq!(index, 3);
        assert!(check.contains(&format!("the {which} query")), "{check}");
        let e = bad
            .verify_with_init(init(), &quiet)
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("the {which} query")), "{e}");
    }
}

#[test]
fn a_transcript_for_another_circuit_is_refused() {
    let f = fixture();
    let last = f.steps.last().unwrap();
    // Same power, different constraint system.
    let other = compile(&veil_circuits::Ownership::new(4).unwrap()).unwrap();
    if phase2::required_power(&other).unwrap() <= f.ptau.power {
        let e = last
            .verify(&f.ptau, &other, &quiet)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not for this circuit"), "{e}");
    }
    // A tampered A query.
    let mut bad = last.clone();
    bad.a_query[3] = bad.a_query[4];
    let e = bad
        .verify_with_init(init(), &quiet)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("A query") && e.contains("not for this circuit"),
        "{e}"
    );
}

#[test]
fn phase2_reader_refuses_bad_bytes() {
    let f = fixture();
    let bytes = f.steps[1].to_bytes();
    assert!(Phase2::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[1, 2, 3]);
    assert!(Phase2::from_bytes(&longer)
        .unwrap_err()
        .to_string()
        .contains("trailing"));
    assert!(Phase2::from_bytes(b"veilph2\0").is_err());
}

/// Swaps the first two entries that differ (a permuted query: every point honest, in the
/// wrong place).
fn swap_distinct<T: PartialEq>(v: &mut [T]) {
    let i = (1..v.len())
        .find(|&i| v[i] != v[0])
        .expect("two distinct entries");
    v.swap(0, i);
}

/// Every element of the parameters altered alone (one point moved by the generator, or two
/// points swapped) is refused by the full verification, which checks each query against the
/// powers of tau by a random linear combination, and by the check against the rebuilt
/// initial parameters; each refusal names what differs.
#[test]
fn every_altered_query_is_refused_by_both_verifications() {
    let f = fixture();
    let last = f.steps.last().unwrap();
    assert!(last.verify(&f.ptau, &f.compiled, &quiet).is_ok());
    let g1 = G1Projective::from(G1Affine::generator());
    let bump = |p: &mut G1Affine| *p = (p.into_group() + g1).into_affine();
    type Alter = fn(&mut Phase2, &dyn Fn(&mut G1Affine));
    let cases: [(&str, Alter); 11] = [
        ("A query", |p, b| b(&mut p.a_query[5])),
        ("A query", |p, _| swap_distinct(&mut p.a_query)),
        ("B query (G1)", |p, b| b(&mut p.b_g1_query[9])),
        ("B query (G2)", |p, _| {
            let q = &mut p.b_g2_query;
            let k = q.len() - 1;
            q[k] = (q[k].into_group() + ark_bls12_381::G2Affine::generator()).into_affine();
        }),
        ("B query (G2)", |p, _| swap_distinct(&mut p.b_g2_query)),
        ("public-input query", |p, b| b(&mut p.gamma_abc_g1[0])),
        ("the L query", |p, b| b(&mut p.l_query[0])),
        ("the L query", |p, _| swap_distinct(&mut p.l_query)),
        ("the H query", |p, b| b(&mut p.h_query[7])),
        ("α, β, γ", |p, b| b(&mut p.alpha_g1)),
        ("α, β, γ", |p, b| b(&mut p.beta_g1)),
    ];
    for (what, alter) in cases {
        let mut bad = last.clone();
        alter(&mut bad, &bump);
        assert!(bad != *last, "{what}: the alteration changed nothing");
        let direct = bad
            .verify(&f.ptau, &f.compiled, &quiet)
            .unwrap_err()
            .to_string();
        assert!(direct.contains(what), "{what}: {direct}");
        let rebuilt = bad
            .verify_with_init(init(), &quiet)
            .unwrap_err()
            .to_string();
        assert!(rebuilt.contains(what), "{what}: {rebuilt}");
    }
    // The recipe: another initial digest, or another phase-1 transcript hash.
    let mut bad = last.clone();
    bad.init_digest[0] ^= 1;
    let e = bad
        .verify(&f.ptau, &f.compiled, &quiet)
        .unwrap_err()
        .to_string();
    assert!(e.contains("initial-parameters digest"), "{e}");
    let mut bad = last.clone();
    bad.ptau_hash[31] ^= 1;
    let e = bad
        .verify(&f.ptau, &f.compiled, &quiet)
        .unwrap_err()
        .to_string();
    assert!(e.contains("phase-1 transcript hash"), "{e}");
    // Parameters made from other powers of tau (a fresh accumulator of the same power).
    let mut other = Phase1::new(f.ptau.power).unwrap();
    other.contribute("eve", b"", &quiet).unwrap();
    let e = last
        .verify(&other, &f.compiled, &quiet)
        .unwrap_err()
        .to_string();
    assert!(e.contains("phase-1 transcript hash"), "{e}");
    // Parameters made from the first powers of tau, relabelled as made from the other
    // accumulator (hash and recipe digest rewritten, then a valid contribution on top) are
    // still refused: their elements are not those powers'.
    let mut forged = init().clone();
    forged.ptau_hash = other.transcript_hash();
    forged.init_digest = phase2::recipe_digest(
        forged.circuit,
        &forged.cs_digest,
        &forged.ptau_hash,
        1 << phase2::required_power(&f.compiled).unwrap(),
    );
    forged.contribute("mallory", b"", &quiet).unwrap();
    let e = forged
        .verify(&other, &f.compiled, &quiet)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not for this circuit"), "{e}");
}

/// Version 1 transcripts (the initial digest is the SHA3 of the initial parameters) are
/// still read, extended and verified (by a rebuild); a version 2 file relabelled version 1
/// is refused (its digest is not the parameters').
#[test]
fn version_1_transcripts_still_verify() {
    let f = fixture();
    let mut v1 = Phase2::init_version(&f.ptau, &f.compiled, 1, &quiet).unwrap();
    assert_eq!(v1.version, 1);
    assert_ne!(v1.init_digest, init().init_digest);
    v1.contribute("alice", b"a", &quiet).unwrap();
    let bytes = v1.to_bytes();
    assert_eq!(&bytes[8..12], &1u32.to_le_bytes());
    let back = Phase2::from_bytes(&bytes).unwrap();
    assert_eq!(back, v1);
    let report = back.verify(&f.ptau, &f.compiled, &quiet).unwrap();
    assert_eq!(report.contributions, ["alice"]);
    let mut bad = back.clone();
    bad.a_query.swap(0, 1);
    assert!(bad.verify(&f.ptau, &f.compiled, &quiet).is_err());

    let mut relabelled = f.steps[1].to_bytes();
    assert_eq!(&relabelled[8..12], &phase2::VERSION.to_le_bytes());
    relabelled[8..12].copy_from_slice(&1u32.to_le_bytes());
    let relabelled = Phase2::from_bytes(&relabelled).unwrap();
    let e = relabelled
        .verify(&f.ptau, &f.compiled, &quiet)
        .unwrap_err()
        .to_string();
    assert!(e.contains("initial-parameters digest"), "{e}");
    // An unknown version is refused by the reader.
    let mut v9 = f.steps[1].to_bytes();
    v9[8..12].copy_from_slice(&9u32.to_le_bytes());
    let e = Phase2::from_bytes(&v9).unwrap_err().to_string();
    assert!(e.contains("version 9"), "{e}");
}
