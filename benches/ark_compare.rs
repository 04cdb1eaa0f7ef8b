//! Same constraint system, two ways of proving it, and a plain-arkworks baseline circuit.
//!
//! * tier-20 proved by plain ark-groth16 (`Groth16::<Bls12_381>::prove` on `ArkCircuit`,
//!   which re-synthesizes the circuit and builds its matrices for every proof) versus
//!   veil's `Prover::prove` (matrices made once; per proof: native check, witness-only
//!   synthesis, constraint check, `create_proof_with_reduction_and_matrices`).
//! * a hand-written plain-arkworks binary Merkle membership of depth 20 over
//!   ark-crypto-primitives' Poseidon CRH gadget (`TwoToOneCRHGadget`, i.e. a
//!   `PoseidonSpongeVar` of width 3, alpha 5, R_F 8, R_P 57 from
//!   `find_poseidon_ark_and_mds::<Fr>(255, 2, 8, 57, 0)`): its constraint count is printed as
//!   a `[sizes]` line and its proving time benched next to veil's 4-ary tier-20.
//!
//! cargo bench -p veil --bench ark_compare

mod common;

use ark_bls12_381::{Bls12_381, Fr};
use ark_crypto_primitives::crh::poseidon::constraints::{CRHParametersVar, TwoToOneCRHGadget};
use ark_crypto_primitives::crh::poseidon::TwoToOneCRH;
use ark_crypto_primitives::crh::{TwoToOneCRHScheme, TwoToOneCRHSchemeGadget};
use ark_crypto_primitives::sponge::poseidon::{find_poseidon_ark_and_mds, PoseidonConfig};
use ark_groth16::Groth16;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisError,
    SynthesisMode,
};
use ark_snark::SNARK;
use ark_std::UniformRand;
use common::*;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::hint::black_box;
use veil::prover::{assignment, info};

const MERKLE_DEPTH: usize = 20;

/// Poseidon of width 3 (rate 2, capacity 1), x^5, 8 full and 57 partial rounds: the
/// `poseidonperm_x5_255_3` instance, as ark-crypto-primitives generates it.
fn poseidon_w3() -> PoseidonConfig<Fr> {
    let (ark, mds) = find_poseidon_ark_and_mds::<Fr>(255, 2, 8, 57, 0);
    PoseidonConfig::new(8, 57, 5, mds, ark, 2, 1)
}

/// Binary Merkle membership: public root; secret leaf, siblings and direction bits.
/// Per level: two conditional selects and one Poseidon 2-to-1 compression.
#[derive(Clone)]
struct BinaryMerkle {
    params: PoseidonConfig<Fr>,
    root: Option<Fr>,
    leaf: Option<Fr>,
    /// Per level from the leaf up: (sibling, whether the current node is the right child).
    path: Option<Vec<(Fr, bool)>>,
}

impl BinaryMerkle {
    fn blank(params: PoseidonConfig<Fr>) -> Self {
        BinaryMerkle {
            params,
            root: None,
            leaf: None,
            path: None,
        }
    }

    /// A random leaf and path, with the root computed natively.
    fn sample(params: PoseidonConfig<Fr>, rng: &mut ChaCha20Rng) -> Self {
        let leaf = Fr::rand(rng);
        let path: Vec<(Fr, bool)> = (0..MERKLE_DEPTH)
            .map(|_| (Fr::rand(rng), rng.gen::<bool>()))
            .collect();
        let mut cur = leaf;
        for (sib, is_right) in &path {
            let (l, r) = if *is_right { (*sib, cur) } else { (cur, *sib) };
            cur = TwoToOneCRH::<Fr>::compress(&params, l, r).expect("native poseidon");
        }
        BinaryMerkle {
            params,
            root: Some(cur),
            leaf: Some(leaf),
            path: Some(path),
        }
    }
}

impl ConstraintSynthesizer<Fr> for BinaryMerkle {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let params = CRHParametersVar::<Fr>::new_constant(cs.clone(), &self.params)?;
        let root = FpVar::new_input(cs.clone(), || {
            self.root.ok_or(SynthesisError::AssignmentMissing)
        })?;
        let mut cur = FpVar::new_witness(cs.clone(), || {
            self.leaf.ok_or(SynthesisError::AssignmentMissing)
        })?;
        for i in 0..MERKLE_DEPTH {
            let step = self.path.as_ref().map(|p| p[i]);
            let sib = FpVar::new_witness(cs.clone(), || {
                step.map(|s| s.0).ok_or(SynthesisError::AssignmentMissing)
            })?;
            let is_right = Boolean::new_witness(cs.clone(), || {
                step.map(|s| s.1).ok_or(SynthesisError::AssignmentMissing)
            })?;
            let left = FpVar::conditionally_select(&is_right, &sib, &cur)?;
            let right = FpVar::conditionally_select(&is_right, &cur, &sib)?;
            cur = TwoToOneCRHGadget::<Fr>::compress(&params, &left, &right)?;
        }
        cur.enforce_equal(&root)
    }
}

/// Constraint count as Groth16 sees it (optimization goal: constraints, LCs inlined).
fn count_constraints(circuit: BinaryMerkle, witness: bool) -> (usize, usize, usize, bool) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    if !witness {
        cs.set_mode(SynthesisMode::Setup);
    }
    circuit.generate_constraints(cs.clone()).expect("synthesis");
    cs.finalize();
    let sat = witness && cs.is_satisfied().expect("satisfiability");
    (
        cs.num_constraints(),
        cs.num_instance_variables() - 1,
        cs.num_witness_variables(),
        sat,
    )
}

fn benches(c: &mut Criterion) {
    // --- tier-20: plain ark-groth16 vs veil, same constraint system and proving key.
    let tier_fx = fixture(tier());
    let w = tier_witnesses(1).remove(0);
    let ti = info(&tier()).expect("info");
    println!(
        "[sizes] {}: constraints={} public_inputs={}",
        ti.circuit, ti.constraints, ti.public_inputs
    );
    // Both ways produce proofs the same key accepts.
    let pv = tier_fx.vk.prepare();
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let plain = plain_ark_prove(&tier_fx.raw_pk, tier_fx.prover.circuit(), &w, &mut rng);
    let inputs = veil::verifier::encoding::bls12_381::public_inputs(
        &<veil::circuits::Tier as veil::circuits::Circuit>::statement(&w),
    )
    .expect("public inputs");
    pv.verify_raw(&plain, &inputs)
        .expect("plain proof verifies");
    pv.verify(&tier_fx.prover.prove(&w).expect("veil proof"))
        .expect("veil proof verifies");

    let mut g = c.benchmark_group("compare/tier-20");
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("plain-ark-groth16-prove", |b| {
        b.iter(|| {
            plain_ark_prove(
                &tier_fx.raw_pk,
                tier_fx.prover.circuit(),
                black_box(&w),
                &mut rng,
            )
        })
    });
    g.bench_function("veil-prove", |b| {
        b.iter(|| tier_fx.prover.prove(black_box(&w)).expect("proof"))
    });
    // The witness computation alone (part of veil-prove), to explain the difference.
    g.bench_function("veil-assignment-only", |b| {
        b.iter(|| assignment(tier_fx.prover.circuit(), black_box(&w)).expect("assignment"))
    });
    g.finish();
    drop(tier_fx);

    // --- plain-arkworks binary Poseidon Merkle membership, depth 20.
    let params = poseidon_w3();
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let (n, public, secret, _) = count_constraints(BinaryMerkle::blank(params.clone()), false);
    let sample = BinaryMerkle::sample(params.clone(), &mut rng);
    let (n2, _, _, sat) = count_constraints(sample.clone(), true);
    assert!(sat, "the sample Merkle path satisfies the circuit");
    assert_eq!(n, n2);
    println!(
        "[sizes] ark-binary-merkle-poseidon-{MERKLE_DEPTH}: constraints={n} public_inputs={public} witness_vars={secret}"
    );
    let (pk, vk) =
        Groth16::<Bls12_381>::circuit_specific_setup(BinaryMerkle::blank(params.clone()), &mut rng)
            .expect("setup");
    let pvk = Groth16::<Bls12_381>::process_vk(&vk).expect("prepared vk");
    let proof = Groth16::<Bls12_381>::prove(&pk, sample.clone(), &mut rng).expect("proof");
    assert!(
        Groth16::<Bls12_381>::verify_with_processed_vk(&pvk, &[sample.root.unwrap()], &proof)
            .expect("verify"),
        "the Merkle proof verifies"
    );

    let mut g = c.benchmark_group(format!("compare/ark-binary-merkle-poseidon-{MERKLE_DEPTH}"));
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("plain-ark-groth16-prove", |b| {
        b.iter(|| {
            Groth16::<Bls12_381>::prove(&pk, black_box(sample.clone()), &mut rng).expect("proof")
        })
    });
    g.finish();
}

criterion_group! {
    name = ark_compare;
    config = criterion();
    targets = benches
}
criterion_main!(ark_compare);
