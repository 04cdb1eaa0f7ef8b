//! One-shot timings of the batch circuits at capacities 64, 256 and 1024 (full batches):
//! constraints, constraints per item, dev setup, prove (median of three) and verify.
//! Too slow for CI; run it by hand:
//!
//!     cargo test --release --test suite_timing -- --ignored --nocapture
//!
//! Set VEIL_TIMING_CAPACITIES (e.g. "64,256") to time other capacities.

use std::time::{Duration, Instant};
use veil::circuits::sample::{isolation_batches, metering_batch, revenue_batch, waterfall_batch};
use veil::circuits::{Circuit, Isolation, Metering, Revenue, Waterfall};
use veil::params::dev_keys;
use veil::prover::{info, Hasher, Prover};

fn capacities() -> Vec<u32> {
    std::env::var("VEIL_TIMING_CAPACITIES")
        .ok()
        .map(|s| s.split(',').map(|c| c.trim().parse().unwrap()).collect())
        .unwrap_or_else(|| vec![64, 256, 1024])
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn time<C: Circuit + Clone>(make: impl Fn(u32) -> C, witness: impl Fn(usize) -> C::Witness) {
    let one = info(&make(1)).unwrap().constraints;
    for cap in capacities() {
        let circuit = make(cap);
        let constraints = info(&circuit).unwrap().constraints;
        let per_item = (constraints - one) as f64 / f64::from(cap - 1);
        let w = witness(cap as usize);
        let start = Instant::now();
        let (pk, vk) = dev_keys(&circuit, "timing").unwrap();
        let setup = start.elapsed();
        let prover = Prover::new(circuit.clone(), pk).unwrap();
        let mut proves = Vec::new();
        let mut env = None;
        for _ in 0..3 {
            let start = Instant::now();
            env = Some(prover.prove(&w).unwrap());
            proves.push(start.elapsed());
        }
        proves.sort();
        let pv = vk.prepare();
        let start = Instant::now();
        pv.verify(&env.unwrap()).unwrap();
        let verify = start.elapsed();
        println!(
            "| {} | {constraints} | {per_item:.1} | {:.1} | {:.2} ({:.2}-{:.2}) | {:.1} |",
            circuit.id(),
            secs(setup),
            secs(proves[1]),
            secs(proves[0]),
            secs(proves[2]),
            secs(verify) * 1000.0
        );
    }
}

#[test]
#[ignore = "minutes of proving; run by hand (see the module docs)"]
fn suite_prove_times() {
    println!("| circuit | constraints | per item | setup s | prove s, median (min-max of 3) | verify ms |");
    println!("|---|---|---|---|---|---|");
    time(
        |n| Revenue::new(n).unwrap(),
        |n| revenue_batch::<Hasher>(n, 1).unwrap(),
    );
    time(
        |n| Metering::new(n).unwrap(),
        |n| metering_batch::<Hasher>(n, 1).unwrap(),
    );
    time(
        |n| Waterfall::new(n).unwrap(),
        |n| waterfall_batch::<Hasher>(n, 1).unwrap(),
    );
    time(
        |n| Isolation::new(n).unwrap(),
        |n| isolation_batches::<Hasher>(n, n, 1).unwrap(),
    );
}
