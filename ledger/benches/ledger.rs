//! Ledger figures for BENCHMARKS.md: tokens issued per second with tree updates (depth 20),
//! settlement transactions per second, store size per million readings, and the time to
//! produce a revenue-1024 witness. Plain timings (medians of repeated runs), printed as a
//! table: `cargo bench -p veil-ledger --bench ledger` (LEDGER_BENCH_SCALE=N multiplies the
//! counts).

use std::time::{Duration, Instant};
use veil_ledger::settlement::Rules;
use veil_ledger::{Issuer, Meter, Settlement, SettlementTx, TokenRequest};
use veil_prover::attest::SecretKey;
use veil_verifier::{Backend, Bytes32, Share};

const T0: u64 = 1_767_225_600;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn scale() -> u64 {
    std::env::var("LEDGER_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn issuance(backend: Backend, n: u64) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let mut issuer = Issuer::open(&dir.path().join("i.db"), Some(backend)).unwrap();
    issuer.init(20, 4).unwrap();
    issuer.add_package(&Bytes32::from_u64(7)).unwrap();
    let key = SecretKey::from_seed(&[1; 32]);
    let mut times = Vec::new();
    for i in 0..n {
        let req = TokenRequest {
            blinded_customer_id: Bytes32::from_u64(i),
            package_id: Bytes32::from_u64(7),
            blinding_factor_hash: Bytes32::from_u64(i),
            blinding_commitment: veil_circuits::sample::sample_secret("bc", i),
        };
        let t = Instant::now();
        issuer.issue(&req, &key, T0, T0 + 86_400).unwrap();
        times.push(t.elapsed());
    }
    1.0 / median(times).as_secs_f64()
}

fn rules() -> Rules {
    Rules {
        tranches: vec![],
        shares: vec![
            Share {
                recipient: Bytes32::from_u64(1),
                bps: 7000,
            },
            Share {
                recipient: Bytes32::from_u64(2),
                bps: 3000,
            },
        ],
        remainder_to: 0,
    }
}

/// Settles `n` transactions over `publishers` publishers; returns (tx/s over the run, the
/// median revenue witness time for publisher 0 at `capacity`).
fn settlement(backend: Backend, n: u64, publishers: u64, capacity: usize) -> (f64, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Settlement::open(&dir.path().join("s.db"), Some(backend)).unwrap();
    s.add_solution(&Bytes32::from_u64(50), T0, 30 * 86_400, &rules())
        .unwrap();
    for p in 0..publishers {
        s.add_package(
            &Bytes32::from_u64(100 + p),
            &Bytes32::from_u64(200 + p),
            &Bytes32::from_u64(50),
        )
        .unwrap();
    }
    let start = Instant::now();
    for i in 0..n {
        s.settle(&SettlementTx {
            settlement_id: Bytes32::from_u64(10_000 + i),
            package_id: Bytes32::from_u64(100 + i % publishers),
            blinded_customer_id: Bytes32::from_u64(i % 17),
            gross_amount_micros: 1_000 + i,
            timestamp: T0 + i,
        })
        .unwrap();
    }
    let tps = n as f64 / start.elapsed().as_secs_f64();
    let times = (0..5)
        .map(|_| {
            let t = Instant::now();
            s.revenue_witness(&Bytes32::from_u64(200), T0, T0 + 86_400, capacity)
                .unwrap();
            t.elapsed()
        })
        .collect();
    (tps, median(times))
}

fn readings(n: u64) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.db");
    let mut m = Meter::open(&p, Some(Backend::Groth16)).unwrap();
    m.register_package(&Bytes32::from_u64(7), 64).unwrap();
    let mut pm = m.package(&Bytes32::from_u64(7)).unwrap();
    let base = std::fs::metadata(&p).unwrap().len();
    let start = Instant::now();
    for i in 0..n {
        // 100 customers, one reading a minute each.
        pm.record(&Bytes32::from_u64(i % 100), T0 + (i / 100) * 60, 1 + i % 9)
            .unwrap();
    }
    let per_s = n as f64 / start.elapsed().as_secs_f64();
    m.store().checkpoint().unwrap();
    let size = std::fs::metadata(&p).unwrap().len() - base;
    (per_s, size as f64 / n as f64 * 1e6)
}

fn main() {
    let k = scale();
    println!("| measure | groth16 store | plonky2 store |");
    println!("| --- | --- | --- |");
    let (a, b) = (
        issuance(Backend::Groth16, 100 * k),
        issuance(Backend::Plonky2, 100 * k),
    );
    println!(
        "| tokens issued per second, depth-20 tree (median of {}) | {a:.0} | {b:.0} |",
        100 * k
    );
    let (ta, wa) = settlement(Backend::Groth16, 1024, 1, 1024);
    let (tb, wb) = settlement(Backend::Plonky2, 1024, 1, 1024);
    println!("| settlement tx/s, 1024 transactions of one publisher | {ta:.0} | {tb:.0} |");
    println!(
        "| revenue-1024 witness from the store, 1024 transactions (median of 5) | {:.1} ms | {:.1} ms |",
        wa.as_secs_f64() * 1e3,
        wb.as_secs_f64() * 1e3
    );
    let (tc, _) = settlement(Backend::Groth16, 1000 * k, 100, 1024);
    let (td, _) = settlement(Backend::Plonky2, 1000 * k, 100, 1024);
    println!(
        "| settlement tx/s, {} transactions over 100 publishers | {tc:.0} | {td:.0} |",
        1000 * k
    );
    let (rate, per_million) = readings(5_000 * k);
    println!(
        "| meter readings recorded per second ({} readings) | {rate:.0} | (same store layout) |",
        5_000 * k
    );
    println!(
        "| store size per million readings (extrapolated from {}) | {:.1} MB | (same) |",
        5_000 * k,
        per_million / 1e6
    );
}
