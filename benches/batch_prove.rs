//! Batch proving of 16 tier-20 proofs (distinct witnesses), three ways:
//! (a) plain ark-groth16 `Groth16::prove` on `ArkCircuit`, one after another (re-synthesis
//!     with matrices per proof); (b) veil `Prover::prove`, one after another;
//! (c) veil `Prover::prove_batch` of all 16 (rayon over the witnesses).
//! Criterion's throughput is set to 16 elements, so it reports proofs per second.
//!
//! cargo bench -p veil --bench batch_prove

mod common;

use common::*;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::hint::black_box;

const BATCH: usize = 16;

fn benches(c: &mut Criterion) {
    let fx = fixture(tier());
    let ws = tier_witnesses(BATCH);
    println!(
        "[threads] rayon worker threads: {}",
        rayon::current_num_threads()
    );
    let mut rng = ChaCha20Rng::from_seed([3; 32]);

    let mut g = c.benchmark_group(format!("batch-prove/tier-20x{BATCH}"));
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(BATCH as u64));
    g.warm_up_time(std::time::Duration::from_millis(1));
    g.bench_function("a-sequential-plain-ark-prove", |b| {
        b.iter(|| {
            for w in &ws {
                black_box(plain_ark_prove(
                    &fx.raw_pk,
                    fx.prover.circuit(),
                    w,
                    &mut rng,
                ));
            }
        })
    });
    g.bench_function("b-sequential-veil-prove", |b| {
        b.iter(|| {
            for w in &ws {
                black_box(fx.prover.prove(w).expect("proof"));
            }
        })
    });
    g.bench_function("c-veil-prove-batch", |b| {
        b.iter(|| {
            let out = fx.prover.prove_batch(black_box(&ws), &|| {});
            assert!(out.iter().all(|r| r.is_ok()));
            out
        })
    });
    g.finish();
}

criterion_group! {
    name = batch_prove;
    config = criterion();
    targets = benches
}
criterion_main!(batch_prove);
