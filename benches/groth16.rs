//! Groth16 on BLS12-381 for ownership-20 and tier-20: dev setup, one proof, one verification
//! (prepared key, one envelope). Also prints the non-time figures (constraints, proof, key
//! sizes) as `[sizes]` lines.
//!
//! cargo bench -p veil --bench groth16

mod common;

use common::*;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::hint::black_box;
use veil::circuits::Circuit;
use veil::prover::{dev_setup, Prover};

fn bench_circuit<C: Circuit + Clone + 'static>(c: &mut Criterion, circuit: C, witness: C::Witness) {
    let name = circuit.id().to_string();
    let (pk, vk) = dev_setup(&circuit, SETUP_SEED).expect("dev setup");
    print_sizes(&circuit, &pk, &vk);
    let prover = Prover::new(circuit.clone(), pk).expect("prover");
    let env = prover.prove(&witness).expect("proof");
    let pv = vk.prepare();
    pv.verify(&env).expect("the proof verifies");
    println!(
        "[sizes] {name}: proof_bytes={} envelope_json_bytes={}",
        env.proof.len(),
        env.to_json().len()
    );

    let mut g = c.benchmark_group(format!("groth16/{name}"));
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("setup", |b| {
        b.iter(|| dev_setup(black_box(&circuit), SETUP_SEED).expect("dev setup"))
    });
    g.bench_function("prove", |b| {
        b.iter(|| prover.prove(black_box(&witness)).expect("proof"))
    });
    g.bench_function("verify", |b| {
        b.iter(|| pv.verify(black_box(&env)).expect("verifies"))
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let w = ownership_witnesses(1).remove(0);
    bench_circuit(c, ownership(), w);
    let w = tier_witnesses(1).remove(0);
    bench_circuit(c, tier(), w);
}

criterion_group! {
    name = groth16;
    config = criterion();
    targets = benches
}
criterion_main!(groth16);
