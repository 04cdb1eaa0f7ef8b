//! Both backends side by side, the tier circuit written by hand in Plonky2, and recursive
//! aggregation.
//!
//! `cargo bench -p veil --bench plonky2` runs the criterion benches (prove and verify per
//! circuit and backend, the hand-written tier). With `VEIL_BENCH_SUMMARY=1` it instead prints
//! the tables of BENCHMARKS.md ("Plonky2 backend"): medians, sizes, peak memory (each case in
//! a child process of this binary, reading `VmHWM` from /proc/self/status) and aggregation.

#[path = "common/handwritten_tier.rs"]
mod handwritten_tier;

use criterion::{BenchmarkId, Criterion};
use handwritten_tier::HandTier;
use std::time::{Duration, Instant};
use veil::circuits::sample::{ownership_witness, tier_witness};
use veil::circuits::{Circuit, Ownership, PoseidonBls12, PoseidonGoldilocks, Tier};
use veil::prover::plonky2 as p2;
use veil::verifier::aggregate::build_levels;
use veil::verifier::encoding::goldilocks::public_inputs;
use veil::verifier::plonky2::{proof_from_bytes, verify_compressed};
use veil::verifier::ProofEnvelope;

const DEPTH: u32 = 20;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let s = Instant::now();
    let out = f();
    (out, ms(s.elapsed()))
}

/// Peak resident memory of this process, kB.
fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|n| n.parse().unwrap_or(0)))
        })
        .unwrap_or(0)
}

/// Peak memory of one case run alone in a child process, MiB.
fn peak_mib(case: &str) -> f64 {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env("VEIL_PEAK", case)
        .env_remove("VEIL_BENCH_SUMMARY")
        .output()
        .expect("child runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().parse::<f64>().unwrap_or(f64::NAN) / 1024.0
}

/// One case for the peak-memory child: setup, prove, verify.
fn run_case(case: &str) {
    match case {
        "groth16/ownership" => g16(
            &Ownership::new(DEPTH).unwrap(),
            &ownership_witness::<PoseidonBls12>(DEPTH, 1).unwrap(),
        ),
        "groth16/tier" => g16(
            &Tier::new(DEPTH).unwrap(),
            &tier_witness::<PoseidonBls12>(DEPTH, 1).unwrap(),
        ),
        "plonky2/ownership" => p2c(
            &Ownership::new(DEPTH).unwrap(),
            &ownership_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap(),
        ),
        "plonky2/tier" => p2c(
            &Tier::new(DEPTH).unwrap(),
            &tier_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap(),
        ),
        "hand/tier" => {
            let h = HandTier::build(DEPTH);
            let w = tier_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap();
            let p = h.data.prove(h.witness(&w)).unwrap();
            h.data.verify(p).unwrap();
        }
        agg if agg.starts_with("aggregate/") => {
            let n: usize = agg["aggregate/".len()..].parse().unwrap();
            let (vk, envs) = p2_batch(n);
            let a = p2::aggregate::aggregate(&vk, &envs).unwrap();
            vk.verify_aggregate(&a).unwrap();
        }
        other => panic!("unknown case {other}"),
    }
    fn g16<C: Circuit + Clone>(c: &C, w: &C::Witness) {
        let (pk, vk) = veil::params::dev_keys(c, "").unwrap();
        let env = veil::prover::Prover::new(c.clone(), pk)
            .unwrap()
            .prove(w)
            .unwrap();
        vk.prepare().verify(&env).unwrap();
    }
    fn p2c<C: Circuit + Clone>(c: &C, w: &C::Witness) {
        let (pk, vk) = p2::setup(c).unwrap();
        let env = p2::Prover::new(c.clone(), pk).unwrap().prove(w).unwrap();
        vk.verify(&env).unwrap();
    }
    println!("{}", vm_hwm_kb());
}

/// A Plonky2 tier-20 verifying key and `n` proofs of distinct witnesses.
fn p2_batch(n: usize) -> (veil::verifier::Plonky2VerifyingKey, Vec<ProofEnvelope>) {
    let c = Tier::new(DEPTH).unwrap();
    let (pk, vk) = p2::setup(&c).unwrap();
    let prover = p2::Prover::new(c, pk).unwrap();
    let ws: Vec<_> = (1..=n as u64)
        .map(|s| tier_witness::<PoseidonGoldilocks>(DEPTH, s).unwrap())
        .collect();
    let envs = prover
        .prove_batch(&ws, &|| {})
        .into_iter()
        .map(Result::unwrap)
        .collect();
    (vk, envs)
}

struct Row {
    circuit: String,
    backend: &'static str,
    size: String,
    gates: usize,
    degree_bits: usize,
    setup_ms: f64,
    prove_ms: f64,
    verify_ms: f64,
    proof_bytes: usize,
    pk_bytes: usize,
    vk_bytes: usize,
    peak_mib: f64,
}

fn row_g16<C: Circuit + Clone>(c: &C, w: &C::Witness, case: &str) -> Row {
    let ((pk, vk), setup_ms) = timed(|| veil::params::dev_keys(c, "").unwrap());
    let (pk_bytes, vk_bytes) = (pk.to_bytes().len(), vk.to_bytes().len());
    let prover = veil::prover::Prover::new(c.clone(), pk).unwrap();
    let size = format!("{} constraints", prover.compiled().num_constraints);
    let pv = vk.prepare();
    let mut env = None;
    let prove_ms = median(
        (0..5)
            .map(|_| {
                let (e, t) = timed(|| prover.prove(w).unwrap());
                env = Some(e);
                t
            })
            .collect(),
    );
    let env = env.unwrap();
    let verify_ms = median(
        (0..21)
            .map(|_| timed(|| pv.verify(&env).unwrap()).1)
            .collect(),
    );
    Row {
        circuit: c.id().to_string(),
        backend: "groth16",
        size,
        gates: 0,
        degree_bits: 0,
        setup_ms,
        prove_ms,
        verify_ms,
        proof_bytes: env.proof.len(),
        pk_bytes,
        vk_bytes,
        peak_mib: peak_mib(case),
    }
}

fn row_p2<C: Circuit + Clone>(c: &C, w: &C::Witness, case: &str) -> Row {
    let ((pk, vk), setup_ms) = timed(|| p2::setup(c).unwrap());
    let (pk_bytes, vk_bytes) = (pk.to_bytes().len(), vk.to_bytes().len());
    let prover = p2::Prover::new(c.clone(), pk).unwrap();
    let size = format!("{} gates, 2^{} rows", prover.gates(), vk.degree_bits());
    let mut env = None;
    let prove_ms = median(
        (0..5)
            .map(|_| {
                let (e, t) = timed(|| prover.prove(w).unwrap());
                env = Some(e);
                t
            })
            .collect(),
    );
    let env = env.unwrap();
    let verify_ms = median(
        (0..21)
            .map(|_| timed(|| vk.verify(&env).unwrap()).1)
            .collect(),
    );
    Row {
        circuit: c.id().to_string(),
        backend: "plonky2",
        size,
        gates: prover.gates(),
        degree_bits: vk.degree_bits(),
        setup_ms,
        prove_ms,
        verify_ms,
        proof_bytes: env.proof.len(),
        pk_bytes,
        vk_bytes,
        peak_mib: peak_mib(case),
    }
}

fn summary() {
    let own = Ownership::new(DEPTH).unwrap();
    let tier = Tier::new(DEPTH).unwrap();
    let rows = vec![
        row_g16(
            &own,
            &ownership_witness::<PoseidonBls12>(DEPTH, 1).unwrap(),
            "groth16/ownership",
        ),
        row_p2(
            &own,
            &ownership_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap(),
            "plonky2/ownership",
        ),
        row_g16(
            &tier,
            &tier_witness::<PoseidonBls12>(DEPTH, 1).unwrap(),
            "groth16/tier",
        ),
        row_p2(
            &tier,
            &tier_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap(),
            "plonky2/tier",
        ),
    ];
    println!("| circuit | backend | size | setup ms | prove ms (median of 5) | verify ms (median of 21) | proof bytes | proving key bytes | verifying key bytes | peak memory MiB |");
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {:.0} | {:.1} | {:.2} | {} | {} | {} | {:.0} |",
            r.circuit,
            r.backend,
            r.size,
            r.setup_ms,
            r.prove_ms,
            r.verify_ms,
            r.proof_bytes,
            r.pk_bytes,
            r.vk_bytes,
            r.peak_mib
        );
    }

    // The API against the same circuit written by hand.
    let w = tier_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap();
    let (hand, hand_build_ms) = timed(|| HandTier::build(DEPTH));
    let mut proof = None;
    let hand_prove = median(
        (0..5)
            .map(|_| {
                let (p, t) = timed(|| hand.data.prove(hand.witness(&w)).unwrap());
                proof = Some(p);
                t
            })
            .collect(),
    );
    let proof = proof.unwrap();
    assert_eq!(
        proof.public_inputs,
        public_inputs(&tier_witness_statement(&w)).unwrap()
    );
    let hand_verify = median(
        (0..21)
            .map(|_| timed(|| hand.data.verify(proof.clone()).unwrap()).1)
            .collect(),
    );
    let hand_bytes = hand.data.compress(proof).unwrap().proof;
    let hand_bytes = veil::verifier::plonky2::proof_to_bytes(&hand_bytes).len();
    let api = &rows[3];
    println!();
    println!("| tier-20 on plonky2 | gates | rows | build ms | prove ms | verify ms | proof bytes | peak MiB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| veil API | {} | 2^{} | {:.0} | {:.1} | {:.2} | {} | {:.0} |",
        api.gates,
        api.degree_bits,
        api.setup_ms,
        api.prove_ms,
        api.verify_ms,
        api.proof_bytes,
        api.peak_mib
    );
    println!(
        "| by hand | {} | 2^{} | {:.0} | {:.1} | {:.2} | {} | {:.0} |",
        hand.gates,
        hand.data.common.degree_bits(),
        hand_build_ms,
        hand_prove,
        hand_verify,
        hand_bytes,
        peak_mib("hand/tier")
    );
    println!(
        "API overhead on prove time: {:+.1}%",
        (api.prove_ms / hand_prove - 1.0) * 100.0
    );

    // Aggregation.
    println!();
    println!("| proofs | levels | aggregate prove ms | aggregate bytes | verify ms (levels prebuilt) | verify ms (rebuilding the levels) | one by one: verify ms | one by one: bytes | peak MiB |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in [2usize, 4, 8] {
        let (vk, envs) = p2_batch(n);
        let (agg, prove) = timed(|| p2::aggregate::aggregate(&vk, &envs).unwrap());
        let (_, verify_full) = timed(|| vk.verify_aggregate(&agg).unwrap());
        let levels = build_levels(&vk.data, agg.levels).unwrap();
        let top = levels.last().unwrap().data.verifier_data();
        let inputs = agg.public_inputs().unwrap();
        let verify_only = median(
            (0..11)
                .map(|_| {
                    timed(|| {
                        let p = proof_from_bytes(&agg.proof, &top.common).unwrap();
                        verify_compressed(&top, p, inputs.clone()).unwrap()
                    })
                    .1
                })
                .collect(),
        );
        let each = median(
            (0..11)
                .map(|_| timed(|| vk.verify_batch(&envs).unwrap()).1)
                .collect(),
        );
        let bytes: usize = envs.iter().map(|e| e.proof.len()).sum();
        println!(
            "| {n} | {} | {:.0} | {} | {:.2} | {:.0} | {:.2} | {} | {:.0} |",
            agg.levels,
            prove,
            agg.proof.len(),
            verify_only,
            verify_full,
            each,
            bytes,
            peak_mib(&format!("aggregate/{n}"))
        );
    }
}

fn tier_witness_statement(w: &veil::circuits::TierWitness) -> veil::verifier::Statement {
    Tier::statement(w)
}

fn benches(c: &mut Criterion) {
    let own = Ownership::new(DEPTH).unwrap();
    let tier = Tier::new(DEPTH).unwrap();
    let mut g = c.benchmark_group("prove");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    {
        let (pk, _) = veil::params::dev_keys(&tier, "").unwrap();
        let pr = veil::prover::Prover::new(tier, pk).unwrap();
        let w = tier_witness::<PoseidonBls12>(DEPTH, 1).unwrap();
        g.bench_function(BenchmarkId::new("groth16", "tier-20"), |b| {
            b.iter(|| pr.prove(&w).unwrap())
        });
        let (pk, _) = veil::params::dev_keys(&own, "").unwrap();
        let pr = veil::prover::Prover::new(own, pk).unwrap();
        let w = ownership_witness::<PoseidonBls12>(DEPTH, 1).unwrap();
        g.bench_function(BenchmarkId::new("groth16", "ownership-20"), |b| {
            b.iter(|| pr.prove(&w).unwrap())
        });
    }
    {
        let (pk, _) = p2::setup(&tier).unwrap();
        let pr = p2::Prover::new(tier, pk).unwrap();
        let w = tier_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap();
        g.bench_function(BenchmarkId::new("plonky2", "tier-20"), |b| {
            b.iter(|| pr.prove(&w).unwrap())
        });
        let (pk, _) = p2::setup(&own).unwrap();
        let pr = p2::Prover::new(own, pk).unwrap();
        let w = ownership_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap();
        g.bench_function(BenchmarkId::new("plonky2", "ownership-20"), |b| {
            b.iter(|| pr.prove(&w).unwrap())
        });
        let hand = HandTier::build(DEPTH);
        let w = tier_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap();
        g.bench_function(BenchmarkId::new("plonky2-by-hand", "tier-20"), |b| {
            b.iter(|| hand.data.prove(hand.witness(&w)).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("verify");
    {
        let (pk, vk) = veil::params::dev_keys(&tier, "").unwrap();
        let env = veil::prover::Prover::new(tier, pk)
            .unwrap()
            .prove(&tier_witness::<PoseidonBls12>(DEPTH, 1).unwrap())
            .unwrap();
        let pv = vk.prepare();
        g.bench_function(BenchmarkId::new("groth16", "tier-20"), |b| {
            b.iter(|| pv.verify(&env).unwrap())
        });
        let (pk, vk) = p2::setup(&tier).unwrap();
        let env = p2::Prover::new(tier, pk)
            .unwrap()
            .prove(&tier_witness::<PoseidonGoldilocks>(DEPTH, 1).unwrap())
            .unwrap();
        g.bench_function(BenchmarkId::new("plonky2", "tier-20"), |b| {
            b.iter(|| vk.verify(&env).unwrap())
        });
    }
    g.finish();
}

fn main() {
    if let Ok(case) = std::env::var("VEIL_PEAK") {
        run_case(&case);
        return;
    }
    if std::env::var("VEIL_BENCH_SUMMARY").is_ok() {
        summary();
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
