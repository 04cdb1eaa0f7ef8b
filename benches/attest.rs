//! ML-DSA-87 attestation costs, and what attestation adds to proving and verifying tier-20.
//!
//! `cargo bench -p veil --bench attest`. Groups:
//! - `mldsa87`: key generation from a seed, hedged signing of a tier-20 proof attestation,
//!   deterministic signing, reading a public key, checking an attestation's signature;
//! - `tier20`: prove + verify, against prove + attest + check the attestation + verify.
//!
//! Before the criterion groups, a paired run alternates the two tier-20 pipelines
//! (`ATTEST_BENCH_ROUNDS` rounds, default 30) and prints their medians and the median of the
//! per-round differences: on a shared machine this is steadier than comparing two separate
//! criterion medians.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};
use veil::circuits::sample::tier_witness;
use veil::circuits::Tier;
use veil::params::dev_keys;
use veil::prover::{Hasher, Prover, SecretKey};
use veil::verifier::attest::ProofAttestation;
use veil::verifier::attest::{verify_attested_proof, PublicKey, TrustedKeys, CONTEXT_PROOF};

const DEPTH: u32 = 20;
const NOW: u64 = 1_767_225_600;

fn bench(c: &mut Criterion) {
    let circuit = Tier::new(DEPTH).unwrap();
    let (pk, vk) = dev_keys(&circuit, "bench").unwrap();
    let prover = Prover::new(circuit, pk).unwrap();
    let pv = vk.prepare();
    let witness = tier_witness::<Hasher>(DEPTH, 1).unwrap();
    let env = prover.prove(&witness).unwrap();

    let key = SecretKey::from_seed(&[7; 32]);
    let mut trusted = TrustedKeys::new();
    trusted.add("bench", key.public_key().clone()).unwrap();
    let att = key.attest_proof(&env, NOW).unwrap();
    let msg = ProofAttestation::message(&key.key_id(), NOW, &env);
    let pk_bytes = key.public_key().to_bytes().to_vec();
    println!(
        "sizes: public key {} B, signature {} B, tier-20 envelope JSON {} B, attestation JSON {} B",
        pk_bytes.len(),
        att.signature.to_bytes().len(),
        env.to_json().len(),
        att.to_json().len()
    );

    paired_overhead(&prover, &pv, &witness, &key, &trusted);

    let mut g = c.benchmark_group("mldsa87");
    g.bench_function("keygen_from_seed", |b| {
        b.iter(|| SecretKey::from_seed(black_box(&[7; 32])))
    });
    g.bench_function("attest_tier20_proof", |b| {
        b.iter(|| key.attest_proof(black_box(&env), NOW).unwrap())
    });
    g.bench_function("sign_deterministic", |b| {
        b.iter(|| {
            key.sign_deterministic(CONTEXT_PROOF, black_box(&msg))
                .unwrap()
        })
    });
    g.bench_function("read_public_key", |b| {
        b.iter(|| PublicKey::from_bytes(black_box(&pk_bytes)).unwrap())
    });
    g.bench_function("check_attestation_signature", |b| {
        b.iter(|| {
            black_box(&att)
                .check_signature(&trusted)
                .unwrap()
                .name
                .len()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("tier20");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("prove_verify", |b| {
        b.iter(|| {
            let env = prover.prove(black_box(&witness)).unwrap();
            pv.verify(&env).unwrap();
        })
    });
    g.bench_function("prove_attest_verify_attested", |b| {
        b.iter(|| {
            let env = prover.prove(black_box(&witness)).unwrap();
            let att = key.attest_proof(&env, NOW).unwrap();
            verify_attested_proof(&att, &trusted, &pv).unwrap();
        })
    });
    g.finish();
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Alternates prove + verify and prove + attest + verify-attested, round after round.
fn paired_overhead(
    prover: &Prover<Tier>,
    pv: &veil::verifier::PreparedVerifier,
    witness: &<Tier as veil::circuits::Circuit>::Witness,
    key: &SecretKey,
    trusted: &TrustedKeys,
) {
    let rounds: usize = std::env::var("ATTEST_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let (mut plain, mut attested, mut diff) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let one = |attest: bool| {
            let start = Instant::now();
            let env = prover.prove(witness).unwrap();
            if attest {
                let att = key.attest_proof(&env, NOW).unwrap();
                verify_attested_proof(&att, trusted, pv).unwrap();
            } else {
                pv.verify(&env).unwrap();
            }
            start.elapsed().as_secs_f64() * 1e3
        };
        // Alternate which goes first, so that neither always follows the other.
        let (p, a) = if round % 2 == 0 {
            let p = one(false);
            (p, one(true))
        } else {
            let a = one(true);
            (one(false), a)
        };
        plain.push(p);
        attested.push(a);
        diff.push(a - p);
    }
    let (mp, ma, md) = (median(&mut plain), median(&mut attested), median(&mut diff));
    println!(
        "tier20 paired ({rounds} rounds): prove+verify median {mp:.1} ms, prove+attest+verify-attested median {ma:.1} ms, median per-round difference {md:.2} ms ({:.2}% of prove+verify)",
        100.0 * md / mp
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
