//! Groth16 prove time of the batch circuits of the suite at capacities 64 and 256, on full
//! batches (every slot a real item). Keys are made once per circuit, outside the timing.
//!
//!     cargo bench -p veil --bench suite
//!
//! Capacity 1024 takes too long for criterion's repeated samples on a small machine; it is
//! timed once by `cargo test --release --test suite_timing -- --ignored --nocapture`, which
//! also prints the constraints per item (see BENCHMARKS.md, "Circuit suite").

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;
use veil::circuits::sample::{isolation_batches, metering_batch, revenue_batch, waterfall_batch};
use veil::circuits::{Circuit, Isolation, Metering, Revenue, Waterfall};
use veil::params::dev_keys;
use veil::prover::{info, Hasher, Prover};

const CAPACITIES: [u32; 2] = [64, 256];

fn bench_one<C: Circuit + Clone>(
    c: &mut Criterion,
    group: &str,
    make: impl Fn(u32) -> C,
    witness: impl Fn(usize) -> C::Witness,
) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    for cap in CAPACITIES {
        let circuit = make(cap);
        let constraints = info(&circuit).unwrap().constraints;
        eprintln!("{}: {constraints} constraints", circuit.id());
        let (pk, _) = dev_keys(&circuit, "bench").unwrap();
        let prover = Prover::new(circuit, pk).unwrap();
        let w = witness(cap as usize);
        g.bench_with_input(BenchmarkId::new("prove", cap), &w, |b, w| {
            b.iter(|| prover.prove(w).unwrap())
        });
    }
    g.finish();
}

fn suite(c: &mut Criterion) {
    bench_one(
        c,
        "revenue",
        |n| Revenue::new(n).unwrap(),
        |n| revenue_batch::<Hasher>(n, 1).unwrap(),
    );
    bench_one(
        c,
        "metering",
        |n| Metering::new(n).unwrap(),
        |n| metering_batch::<Hasher>(n, 1).unwrap(),
    );
    bench_one(
        c,
        "waterfall",
        |n| Waterfall::new(n).unwrap(),
        |n| waterfall_batch::<Hasher>(n, 1).unwrap(),
    );
    bench_one(
        c,
        "isolation",
        |n| Isolation::new(n).unwrap(),
        |n| isolation_batches::<Hasher>(n, n, 1).unwrap(),
    );
}

criterion_group!(benches, suite);
criterion_main!(benches);
