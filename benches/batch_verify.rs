//! Batch verification of 64 tier-20 proofs (distinct witnesses): one by one with a prepared
//! key versus `verify_batch` (one randomized multi-pairing), on envelopes (decoding and
//! statement checks included) and on already-decoded proofs (`verify_raw` versus
//! `verify_batch_raw`). Criterion's throughput is 64 elements: it reports proofs per second.
//! The 64 proofs are made once with `prove_batch` before anything is measured.
//!
//! cargo bench -p veil --bench batch_verify

mod common;

use common::*;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use veil::verifier::encoding::bls12_381::public_inputs;
use veil::verifier::groth16::proof_from_bytes;

const BATCH: usize = 64;

fn benches(c: &mut Criterion) {
    let fx = fixture(tier());
    let envs = prove_all(&fx.prover, &tier_witnesses(BATCH));
    let pv = fx.vk.prepare();
    let raw: Vec<_> = envs
        .iter()
        .map(|e| {
            (
                proof_from_bytes(&e.proof).expect("proof decodes"),
                public_inputs(&e.statement).expect("inputs"),
            )
        })
        .collect();
    pv.verify_batch(&envs).expect("the batch verifies");

    let mut g = c.benchmark_group(format!("batch-verify/tier-20x{BATCH}"));
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("one-by-one-verify", |b| {
        b.iter(|| {
            for e in black_box(&envs) {
                pv.verify(e).expect("verifies");
            }
        })
    });
    g.bench_function("verify-batch", |b| {
        b.iter(|| pv.verify_batch(black_box(&envs)).expect("verifies"))
    });
    g.bench_function("one-by-one-verify-raw", |b| {
        b.iter(|| {
            for (p, x) in black_box(&raw) {
                pv.verify_raw(p, x).expect("verifies");
            }
        })
    });
    g.bench_function("verify-batch-raw", |b| {
        b.iter(|| pv.verify_batch_raw(black_box(&raw)).expect("verifies"))
    });
    g.finish();
}

criterion_group! {
    name = batch_verify;
    config = criterion();
    targets = benches
}
criterion_main!(batch_verify);
