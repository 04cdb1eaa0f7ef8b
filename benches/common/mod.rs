//! Shared fixtures for the criterion benches (not a bench target itself: cargo only
//! discovers `benches/*.rs` and `benches/*/main.rs`).
//!
//! Everything that is expensive (key generation, proofs used as verification input) is made
//! once per bench binary, before the measured loops.

#![allow(dead_code)]

use criterion::Criterion;
use std::cell::RefCell;
use std::time::{Duration, Instant};
use veil::circuits::sample::{ownership_witness, tier_witness};
use veil::circuits::{Circuit, Ownership, OwnershipWitness, Tier, TierWitness};
use veil::prover::{dev_setup, info, ArkCircuit, Groth16ProvingKey, Hasher, Prover};
use veil::verifier::format::ProofEnvelope;
use veil::verifier::groth16::Groth16VerifyingKey;

/// The tree depth (log2 of the capacity) every bench uses.
pub const DEPTH: u32 = 20;

/// Seed of the benches' dev keys (dev keys are UNSAFE FOR PRODUCTION; fine for timing).
pub const SETUP_SEED: [u8; 32] = *b"veil-bench-dev-setup-seed-000001";

/// Bounded criterion settings: 10 samples, short warm-up and measurement windows. The groups
/// use flat sampling, so a slow function (a proof, a batch) runs 10 samples of one iteration
/// each instead of criterion's linear 1 + 2 + ... + 10 iterations.
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .without_plots()
        .configure_from_args()
}

pub fn tier() -> Tier {
    Tier::new(DEPTH).expect("tier-20 is a valid circuit")
}

pub fn ownership() -> Ownership {
    Ownership::new(DEPTH).expect("ownership-20 is a valid circuit")
}

/// `n` distinct tier-20 witnesses (seeds 1..=n: distinct trees, secrets, nullifiers).
pub fn tier_witnesses(n: usize) -> Vec<TierWitness> {
    (1..=n as u64)
        .map(|s| tier_witness::<Hasher>(DEPTH, s).expect("sample tier witness"))
        .collect()
}

pub fn ownership_witnesses(n: usize) -> Vec<OwnershipWitness> {
    (1..=n as u64)
        .map(|s| ownership_witness::<Hasher>(DEPTH, s).expect("sample ownership witness"))
        .collect()
}

/// A prover and its verifying key, plus a copy of the raw arkworks proving key for the
/// plain `Groth16::prove` comparisons (the `Prover` owns the original).
pub struct Fixture<C: Circuit> {
    pub prover: Prover<C>,
    pub vk: Groth16VerifyingKey,
    pub raw_pk: ark_groth16::ProvingKey<ark_bls12_381::Bls12_381>,
}

pub fn fixture<C: Circuit + Clone>(circuit: C) -> Fixture<C> {
    let t = Instant::now();
    let (pk, vk) = dev_setup(&circuit, SETUP_SEED).expect("dev setup");
    let raw_pk = pk.pk.clone();
    let prover = Prover::new(circuit.clone(), pk).expect("prover");
    eprintln!(
        "[fixture] {}: dev setup + prover in {:.2?}",
        circuit.id(),
        t.elapsed()
    );
    Fixture { prover, vk, raw_pk }
}

/// One plain-arkworks proof of a veil circuit: `Groth16::<Bls12_381>::prove` (the `SNARK`
/// trait) on an `ArkCircuit`, which re-synthesizes the circuit with matrices every time.
pub fn plain_ark_prove<C: Circuit>(
    raw_pk: &ark_groth16::ProvingKey<ark_bls12_381::Bls12_381>,
    circuit: &C,
    witness: &C::Witness,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> ark_groth16::Proof<ark_bls12_381::Bls12_381> {
    use ark_snark::SNARK;
    let side = RefCell::new(None);
    ark_groth16::Groth16::<ark_bls12_381::Bls12_381>::prove(
        raw_pk,
        ArkCircuit {
            circuit,
            witness: Some(witness),
            error: &side,
        },
        rng,
    )
    .expect("plain arkworks proof")
}

/// Proves `witnesses` with `prove_batch` and panics on any failure.
pub fn prove_all<C: Circuit>(prover: &Prover<C>, witnesses: &[C::Witness]) -> Vec<ProofEnvelope> {
    let t = Instant::now();
    let out: Vec<ProofEnvelope> = prover
        .prove_batch(witnesses, &|| {})
        .into_iter()
        .map(|r| r.expect("sample witness proves"))
        .collect();
    eprintln!(
        "[fixture] {} proofs of {} in {:.2?}",
        out.len(),
        prover.circuit().id(),
        t.elapsed()
    );
    out
}

/// Prints the figures of a circuit that are not times: constraints, variables, sizes.
pub fn print_sizes<C: Circuit>(circuit: &C, pk: &Groth16ProvingKey, vk: &Groth16VerifyingKey) {
    use ark_serialize::CanonicalSerialize;
    let i = info(circuit).expect("info");
    println!(
        "[sizes] {}: constraints={} public_inputs={} secret_vars={} variables={} \
         pk_file_bytes={} pk_compressed_body={} pk_uncompressed_body={} \
         vk_file_bytes={} vk_compressed_body={}",
        i.circuit,
        i.constraints,
        i.public_inputs,
        i.secret_inputs,
        i.variables,
        pk.to_bytes().len(),
        pk.pk.compressed_size(),
        pk.pk.uncompressed_size(),
        vk.to_bytes().len(),
        vk.vk.compressed_size(),
    );
}
