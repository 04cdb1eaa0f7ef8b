//! The configuration probe behind BENCHMARKS.md ("Plonky2 backend", "Tuning the
//! configuration"): tier-20 built, proved and verified under several FRI configurations, with
//! rows, prove time (median of 5), compressed proof size and prover-data size. Not a test of
//! behaviour (ignored): `cargo test --release -p veil-prover --test plonky2_config_probe --
//! --ignored --nocapture`.

use plonky2::fri::reduction_strategies::FriReductionStrategy;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_data::CircuitConfig;
use std::time::Instant;
use veil_circuits::sample::tier_witness;
use veil_circuits::{Circuit, PoseidonGoldilocks, Tier};
use veil_prover::plonky2::api::{GeneratorSerializer, Plonky2Api};
use veil_verifier::plonky2::{previous_circuit_config, proof_to_bytes, tuned_circuit_config, C};

fn cfg(
    rate: usize,
    queries: usize,
    pow: u32,
    cap: usize,
    arity: usize,
    fin: usize,
) -> CircuitConfig {
    let mut c = CircuitConfig::standard_recursion_zk_config();
    c.fri_config.rate_bits = rate;
    c.fri_config.num_query_rounds = queries;
    c.fri_config.proof_of_work_bits = pow;
    c.fri_config.cap_height = cap;
    c.fri_config.reduction_strategy = FriReductionStrategy::ConstantArityBits(arity, fin);
    c
}

#[test]
#[ignore]
fn probe() {
    let depth: u32 = std::env::var("VEIL_PROBE_DEPTH")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(20);
    let circuit = Tier::new(depth).unwrap();
    let w = tier_witness::<PoseidonGoldilocks>(depth, 1).unwrap();
    let mut configs: Vec<(String, CircuitConfig)> = vec![
        (
            "veil config 1 (keys today): r3 q28 pow16 cap4 arity4/final4".into(),
            previous_circuit_config(),
        ),
        ("veil config 2 (tuned)".into(), tuned_circuit_config()),
        (
            "r4 q21 pow16 cap4 arity2/final1".into(),
            cfg(4, 21, 16, 4, 1, 0),
        ),
        (
            "r4 q21 pow16 cap4 arity4/final4".into(),
            cfg(4, 21, 16, 4, 2, 2),
        ),
        (
            "r5 q17 pow16 cap4 arity2/final1".into(),
            cfg(5, 17, 16, 4, 1, 0),
        ),
        (
            "r7 q12 pow16 cap4 arity2/final1".into(),
            cfg(7, 12, 16, 4, 1, 0),
        ),
        (
            "r4 q21 pow16 cap2 arity2/final1".into(),
            cfg(4, 21, 16, 2, 1, 0),
        ),
        ("r4 q21 pow16 cap4 arity2/final1 routed32".into(), {
            let mut c = cfg(4, 21, 16, 4, 1, 0);
            c.num_routed_wires = 32;
            c
        }),
        ("r4 q21 pow16 cap4 arity2/final1 routed48".into(), {
            let mut c = cfg(4, 21, 16, 4, 1, 0);
            c.num_routed_wires = 48;
            c
        }),
        (
            "no zk: standard recursion".into(),
            CircuitConfig::standard_recursion_config(),
        ),
    ];
    if let Ok(only) = std::env::var("VEIL_PROBE_ONLY") {
        configs.retain(|(n, _)| n.contains(&only));
    }
    println!("| configuration | security bits | gates | rows | build ms | prove ms | verify ms | proof bytes | prover data bytes |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, config) in configs {
        let f = &config.fri_config;
        let sec = (f.rate_bits * f.num_query_rounds + f.proof_of_work_bits as usize).min(128);
        let mut api = Plonky2Api::new(config.clone());
        circuit.define(&mut api, None).unwrap();
        let gates = api.builder.num_gates();
        let t = Instant::now();
        let data = api.builder.build::<C>();
        let build_ms = t.elapsed().as_secs_f64() * 1e3;
        let mut times = Vec::new();
        let mut proof = None;
        for _ in 0..5 {
            let mut api = Plonky2Api::new(config.clone());
            circuit.define(&mut api, Some(&w)).unwrap();
            let mut pw = PartialWitness::new();
            for (t, v) in api.assignments {
                pw.set_target(t, v).unwrap();
            }
            let t = Instant::now();
            let p = data.prove(pw).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1e3);
            proof = Some(p);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let proof = proof.unwrap();
        let mut vt = Vec::new();
        for _ in 0..11 {
            let t = Instant::now();
            data.verify(proof.clone()).unwrap();
            vt.push(t.elapsed().as_secs_f64() * 1e3);
        }
        vt.sort_by(|a, b| a.total_cmp(b));
        let compressed = proof
            .compress(&data.verifier_only.circuit_digest, &data.common)
            .unwrap();
        let degree_bits = data.common.degree_bits();
        let proof_bytes = proof_to_bytes(&compressed.proof).len();
        let prover_bytes = data
            .prover_data()
            .to_bytes(
                &plonky2::util::serialization::DefaultGateSerializer,
                &GeneratorSerializer,
            )
            .unwrap()
            .len();
        println!(
            "| {name} | {sec} | {gates} | 2^{degree_bits} | {build_ms:.0} | {:.1} | {:.2} | {proof_bytes} | {prover_bytes} |",
            times[2],
            vt[5],
        );
    }
}

fn lcfg(rate: usize, queries: usize, pow: u32, arity: usize, fin: usize) -> CircuitConfig {
    let mut c = CircuitConfig::standard_recursion_config();
    c.fri_config.rate_bits = rate;
    c.fri_config.num_query_rounds = queries;
    c.fri_config.proof_of_work_bits = pow;
    c.fri_config.reduction_strategy = FriReductionStrategy::ConstantArityBits(arity, fin);
    c
}

/// Aggregation under base and level configurations: `VEIL_PROBE_N` (default 4) tier-20
/// proofs, the tree proved level by level (pairs in parallel), the top verified.
#[test]
#[ignore]
fn probe_aggregate() {
    use plonky2::plonk::circuit_data::VerifierCircuitData;
    use rayon::prelude::*;
    use veil_verifier::aggregate::build_level_with;
    let n: usize = std::env::var("VEIL_PROBE_N")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(4);
    let depth = 20;
    let circuit = Tier::new(depth).unwrap();
    let mut cases: Vec<(String, CircuitConfig, CircuitConfig)> = vec![
        (
            "base config 1, levels standard".into(),
            previous_circuit_config(),
            CircuitConfig::standard_recursion_config(),
        ),
        (
            "base config 2, levels standard".into(),
            tuned_circuit_config(),
            CircuitConfig::standard_recursion_config(),
        ),
        (
            "base config 2, levels r4 q21 arity16/final32".into(),
            tuned_circuit_config(),
            lcfg(4, 21, 16, 4, 5),
        ),
        (
            "base config 2, levels r4 q21 arity8/final8".into(),
            tuned_circuit_config(),
            lcfg(4, 21, 16, 3, 3),
        ),
        (
            "base config 2, levels r5 q17 arity16/final32".into(),
            tuned_circuit_config(),
            lcfg(5, 17, 16, 4, 5),
        ),
    ];
    if let Ok(only) = std::env::var("VEIL_PROBE_ONLY") {
        cases.retain(|(name, _, _)| name.contains(&only));
    }
    println!("| base / levels | proofs | level rows | build levels ms | tree prove ms | per base proof ms | top proof bytes | top verify ms |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    for (name, base_cfg, level_cfg) in cases {
        let mut api = Plonky2Api::new(base_cfg.clone());
        circuit.define(&mut api, None).unwrap();
        let data = api.builder.build::<C>();
        let mut layer: Vec<_> = (1..=n as u64)
            .map(|s| {
                let w = tier_witness::<PoseidonGoldilocks>(depth, s).unwrap();
                let mut api = Plonky2Api::new(base_cfg.clone());
                circuit.define(&mut api, Some(&w)).unwrap();
                let mut pw = PartialWitness::new();
                for (t, v) in api.assignments {
                    pw.set_target(t, v).unwrap();
                }
                data.prove(pw).unwrap()
            })
            .collect();
        let t = Instant::now();
        let mut levels = Vec::new();
        let mut inner: VerifierCircuitData<_, C, 2> = data.verifier_data();
        let mut nl = n;
        while nl > 1 {
            let l = build_level_with(level_cfg.clone(), &inner);
            inner = l.data.verifier_data();
            levels.push(l);
            nl /= 2;
        }
        let build_ms = t.elapsed().as_secs_f64() * 1e3;
        let rows: Vec<String> = levels
            .iter()
            .map(|l| format!("2^{}", l.data.common.degree_bits()))
            .collect();
        let t = Instant::now();
        for level in &levels {
            layer = layer
                .par_chunks(2)
                .map(|pair| {
                    let mut pw = PartialWitness::new();
                    for (t, p) in level.proofs.iter().zip(pair) {
                        pw.set_proof_with_pis_target(t, p).unwrap();
                    }
                    level.data.prove(pw).unwrap()
                })
                .collect();
        }
        let prove_ms = t.elapsed().as_secs_f64() * 1e3;
        let top = &levels.last().unwrap().data;
        let root = layer.pop().unwrap();
        let mut vt = Vec::new();
        for _ in 0..11 {
            let t = Instant::now();
            top.verify(root.clone()).unwrap();
            vt.push(t.elapsed().as_secs_f64() * 1e3);
        }
        vt.sort_by(|a, b| a.total_cmp(b));
        let bytes = proof_to_bytes(&top.compress(root).unwrap().proof).len();
        println!(
            "| {name} | {n} | {} | {build_ms:.0} | {prove_ms:.0} | {:.0} | {bytes} | {:.2} |",
            rows.join(", "),
            prove_ms / n as f64,
            vt[5]
        );
    }
}
