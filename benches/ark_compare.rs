//! Same constraint system, two ways of proving it, and a plain-arkworks baseline circuit.
//!
//! * tier-20 proved by plain ark-groth16 (`Groth16::<Bls12_381>::prove` on `ArkCircuit`,
//!   which re-synthesizes the circuit and builds its matrices for every proof) versus
//!   veil's `Prover::prove` (matrices made once; per proof: native check, witness-only
//!   synthesis, constraint check, `create_proof_with_reduction_and_matrices`).
//! * a hand-written plain-arkworks binary Merkle membership of depth 20 over
//!   ark-crypto-primitives' Poseidon CRH gadget (`TwoToOneCRHGadget`, i.e. a
//!   `PoseidonSpongeVar` of width 3, alpha 5, R_F 8, R_P 57 from
//!   `find_poseidon_ark_and_mds::<Fr>(255, 2, 8, 57, 0)`): its constraint count is printed as
//!   a `[sizes]` line and its proving time benched next to veil's 4-ary tier-20.
//!
//! * side by side, interleaved round by round (so that load from other processes hits all
//!   alike), printed as `[side-by-side]` medians before the criterion groups: tier-20 proved
//!   in-process by veil on the blst engine, veil on the ark engine, plain ark-groth16, and
//!   snarkjs 0.7.6's `groth16.prove` (benches/snarkjs_prove.js in `serve` mode, when
//!   `VEIL_SNARKJS_DIR`, `VEIL_SNARKJS_ZKEY`, `VEIL_SNARKJS_WTNS` are set: a zkey of veil's
//!   exported tier-20 R1CS and the exported witness; benches/prove_inprocess.sh sets them);
//!   then the G1 and G2 MSMs alone at 2^13..2^16 points on both engines (random full-size
//!   scalars, bases prepared once). `VEIL_BENCH_ROUNDS` rounds (default 7).
//!
//! cargo bench -p veil --bench ark_compare                 # everything
//! cargo bench -p veil --bench ark_compare -- side-by-side # the interleaved part only

mod common;

use ark_bls12_381::{Bls12_381, Fr};
use ark_crypto_primitives::crh::poseidon::constraints::{CRHParametersVar, TwoToOneCRHGadget};
use ark_crypto_primitives::crh::poseidon::TwoToOneCRH;
use ark_crypto_primitives::crh::{TwoToOneCRHScheme, TwoToOneCRHSchemeGadget};
use ark_crypto_primitives::sponge::poseidon::{find_poseidon_ark_and_mds, PoseidonConfig};
use ark_groth16::Groth16;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisError,
    SynthesisMode,
};
use ark_snark::SNARK;
use ark_std::UniformRand;
use common::*;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;
use veil::prover::groth16::dev_setup_compiled;
use veil::prover::msm::{EngineKind, MsmEngine, Scalar};
use veil::prover::{assignment, compile, info, Groth16ProvingKey, Prover};

const MERKLE_DEPTH: usize = 20;

/// Poseidon of width 3 (rate 2, capacity 1), x^5, 8 full and 57 partial rounds: the
/// `poseidonperm_x5_255_3` instance, as ark-crypto-primitives generates it.
fn poseidon_w3() -> PoseidonConfig<Fr> {
    let (ark, mds) = find_poseidon_ark_and_mds::<Fr>(255, 2, 8, 57, 0);
    PoseidonConfig::new(8, 57, 5, mds, ark, 2, 1)
}

/// Binary Merkle membership: public root; secret leaf, siblings and direction bits.
/// Per level: two conditional selects and one Poseidon 2-to-1 compression.
#[derive(Clone)]
struct BinaryMerkle {
    params: PoseidonConfig<Fr>,
    root: Option<Fr>,
    leaf: Option<Fr>,
    /// Per level from the leaf up: (sibling, whether the current node is the right child).
    path: Option<Vec<(Fr, bool)>>,
}

impl BinaryMerkle {
    fn blank(params: PoseidonConfig<Fr>) -> Self {
        BinaryMerkle {
            params,
            root: None,
            leaf: None,
            path: None,
        }
    }

    /// A random leaf and path, with the root computed natively.
    fn sample(params: PoseidonConfig<Fr>, rng: &mut ChaCha20Rng) -> Self {
        let leaf = Fr::rand(rng);
        let path: Vec<(Fr, bool)> = (0..MERKLE_DEPTH)
            .map(|_| (Fr::rand(rng), rng.gen::<bool>()))
            .collect();
        let mut cur = leaf;
        for (sib, is_right) in &path {
            let (l, r) = if *is_right { (*sib, cur) } else { (cur, *sib) };
            cur = TwoToOneCRH::<Fr>::compress(&params, l, r).expect("native poseidon");
        }
        BinaryMerkle {
            params,
            root: Some(cur),
            leaf: Some(leaf),
            path: Some(path),
        }
    }
}

impl ConstraintSynthesizer<Fr> for BinaryMerkle {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let params = CRHParametersVar::<Fr>::new_constant(cs.clone(), &self.params)?;
        let root = FpVar::new_input(cs.clone(), || {
            self.root.ok_or(SynthesisError::AssignmentMissing)
        })?;
        let mut cur = FpVar::new_witness(cs.clone(), || {
            self.leaf.ok_or(SynthesisError::AssignmentMissing)
        })?;
        for i in 0..MERKLE_DEPTH {
            let step = self.path.as_ref().map(|p| p[i]);
            let sib = FpVar::new_witness(cs.clone(), || {
                step.map(|s| s.0).ok_or(SynthesisError::AssignmentMissing)
            })?;
            let is_right = Boolean::new_witness(cs.clone(), || {
                step.map(|s| s.1).ok_or(SynthesisError::AssignmentMissing)
            })?;
            let left = FpVar::conditionally_select(&is_right, &sib, &cur)?;
            let right = FpVar::conditionally_select(&is_right, &cur, &sib)?;
            cur = TwoToOneCRHGadget::<Fr>::compress(&params, &left, &right)?;
        }
        cur.enforce_equal(&root)
    }
}

/// Constraint count as Groth16 sees it (optimization goal: constraints, LCs inlined).
fn count_constraints(circuit: BinaryMerkle, witness: bool) -> (usize, usize, usize, bool) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    if !witness {
        cs.set_mode(SynthesisMode::Setup);
    }
    circuit.generate_constraints(cs.clone()).expect("synthesis");
    cs.finalize();
    let sat = witness && cs.is_satisfied().expect("satisfiability");
    (
        cs.num_constraints(),
        cs.num_instance_variables() - 1,
        cs.num_witness_variables(),
        sat,
    )
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn ms_of<T>(f: impl FnOnce() -> T) -> f64 {
    let t = Instant::now();
    std::hint::black_box(f());
    t.elapsed().as_secs_f64() * 1e3
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// snarkjs's in-process prover in a child process: one proof per line written.
struct Snarkjs {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Snarkjs {
    fn start() -> Option<Snarkjs> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let (dir, zkey, wtns) = (
            var("VEIL_SNARKJS_DIR")?,
            var("VEIL_SNARKJS_ZKEY")?,
            var("VEIL_SNARKJS_WTNS")?,
        );
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/snarkjs_prove.js");
        let mut child = Command::new("node")
            .args([script, &dir, &zkey, &wtns, "serve"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| eprintln!("[side-by-side] cannot start node: {e}"))
            .ok()?;
        let stdin = child.stdin.take()?;
        let mut stdout = BufReader::new(child.stdout.take()?);
        let mut line = String::new();
        stdout.read_line(&mut line).ok()?;
        if line.trim() != "ready" {
            eprintln!("[side-by-side] snarkjs did not start: {line:?}");
            return None;
        }
        Some(Snarkjs {
            child,
            stdin,
            stdout,
        })
    }

    /// One proof; its in-process time (ms) as snarkjs measured it.
    fn prove(&mut self) -> f64 {
        writeln!(self.stdin).expect("write to snarkjs");
        self.stdin.flush().expect("flush");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read from snarkjs");
        line.trim().parse().expect("snarkjs prints milliseconds")
    }
}

impl Drop for Snarkjs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Random-looking bases: a random point's multiples by consecutive steps (cheap to make,
/// and an MSM costs the same on them as on independent points).
fn bases<G: ark_ec::CurveGroup>(n: usize, rng: &mut ChaCha20Rng) -> Vec<G::Affine> {
    let step = G::rand(rng);
    let mut p = G::rand(rng);
    let v: Vec<G> = (0..n)
        .map(|_| {
            p += step;
            p
        })
        .collect();
    G::normalize_batch(&v)
}

fn side_by_side() {
    let rounds: usize = std::env::var("VEIL_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7)
        .max(1);
    let threads = rayon::current_num_threads();
    println!(
        "[side-by-side] {rounds} interleaved rounds, {threads} rayon threads, load at start {}",
        load()
    );

    // tier-20 in-process: the same constraint system and key for the three Rust provers.
    let circuit = tier();
    let (pk, _vk, compiled) = dev_setup_compiled(&circuit, SETUP_SEED).expect("dev setup");
    let raw = pk.pk.clone();
    let header = pk.header.clone();
    drop((pk, compiled));
    let prover = |kind| {
        let key = Groth16ProvingKey {
            header: header.clone(),
            pk: raw.clone(),
        };
        Prover::with_engine(circuit, key, compile(&circuit).expect("compile"), kind)
            .expect("prover")
    };
    let ark = prover(EngineKind::Ark);
    let blst = EngineKind::Blst
        .available()
        .then(|| prover(EngineKind::Blst));
    let w = tier_witnesses(1).remove(0);
    // veil's Plonky2 backend on the same statement (its own hash, so its own witness), zero
    // knowledge on: issue 12 §3 compares its core prove with snarkjs in-process.
    let p2_witness =
        veil::circuits::sample::tier_witness::<veil::circuits::PoseidonGoldilocks>(DEPTH, 1)
            .expect("sample tier witness");
    let p2_prover = {
        let (pk, _vk) = veil::prover::plonky2::setup(&circuit).expect("plonky2 setup");
        veil::prover::plonky2::Prover::new(circuit, pk).expect("plonky2 prover")
    };
    p2_prover.prove(&p2_witness).expect("plonky2 proof");
    let mut t_p2 = vec![];
    let mut rng = ChaCha20Rng::from_seed([11; 32]);
    let mut snarkjs = Snarkjs::start();
    if snarkjs.is_none() {
        println!("[side-by-side] snarkjs: skipped (set VEIL_SNARKJS_DIR, _ZKEY, _WTNS)");
    }
    // Warm-up.
    ark.prove(&w).expect("proof");
    if let Some(b) = &blst {
        b.prove(&w).expect("proof");
    }
    let (mut t_blst, mut t_ark, mut t_plain, mut t_snark) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        if let Some(b) = &blst {
            t_blst.push(ms_of(|| b.prove(&w).expect("proof")));
        }
        t_ark.push(ms_of(|| ark.prove(&w).expect("proof")));
        t_plain.push(ms_of(|| plain_ark_prove(&raw, &circuit, &w, &mut rng)));
        t_p2.push(ms_of(|| {
            p2_prover.prove(&p2_witness).expect("plonky2 proof")
        }));
        if let Some(s) = &mut snarkjs {
            t_snark.push(s.prove());
        }
    }
    drop(snarkjs);
    let plain = median(&t_plain);
    let row = |name: &str, t: &[f64]| {
        if t.is_empty() {
            return;
        }
        let m = median(t);
        println!(
            "[side-by-side] tier-20 prove {name:<22} median {m:8.1} ms  ({:.2}x plain ark-groth16)",
            plain / m
        );
    };
    row("veil, blst engine", &t_blst);
    row("veil, ark engine", &t_ark);
    row("plain ark-groth16", &t_plain);
    row("snarkjs groth16.prove", &t_snark);
    row("veil plonky2 (zk)", &t_p2);
    if !t_snark.is_empty() && !t_blst.is_empty() {
        println!(
            "[side-by-side] snarkjs / veil-blst: {:.2}x; snarkjs / veil plonky2: {:.2}x",
            median(&t_snark) / median(&t_blst),
            median(&t_snark) / median(&t_p2)
        );
    }
    drop((ark, blst, raw));

    // The MSMs alone.
    for log in 13..=16u32 {
        let n = 1usize << log;
        let mut rng = ChaCha20Rng::from_seed([log as u8; 32]);
        let g1 = bases::<ark_bls12_381::G1Projective>(n, &mut rng);
        let g2 = bases::<ark_bls12_381::G2Projective>(n, &mut rng);
        let scalars: Vec<Scalar> = (0..n)
            .map(|_| ark_ff::PrimeField::into_bigint(Fr::rand(&mut rng)))
            .collect();
        let e_ark = veil::prover::msm::ArkEngine;
        let (a1, a2) = (e_ark.prepare_g1(&g1), e_ark.prepare_g2(&g2));
        let blst_prep = blst_prepared(&g1, &g2);
        let (mut ta1, mut ta2, mut tb1, mut tb2) = (vec![], vec![], vec![], vec![]);
        for _ in 0..rounds.min(5) {
            ta1.push(ms_of(|| e_ark.msm_g1(&a1, &scalars)));
            ta2.push(ms_of(|| e_ark.msm_g2(&a2, &scalars)));
            if let Some((b1, b2)) = &blst_prep {
                tb1.push(ms_of(|| blst_msm_g1(b1, &scalars)));
                tb2.push(ms_of(|| blst_msm_g2(b2, &scalars)));
            }
        }
        let ratio = |a: &[f64], b: &[f64]| {
            if b.is_empty() {
                "-".to_string()
            } else {
                format!("{:.2}x", median(a) / median(b))
            }
        };
        println!(
            "[side-by-side] MSM 2^{log}: G1 ark {:7.1} ms, blst {:7.1} ms ({}); G2 ark {:7.1} ms, blst {:7.1} ms ({})",
            median(&ta1),
            if tb1.is_empty() { f64::NAN } else { median(&tb1) },
            ratio(&ta1, &tb1),
            median(&ta2),
            if tb2.is_empty() { f64::NAN } else { median(&tb2) },
            ratio(&ta2, &tb2),
        );
    }
    println!("[side-by-side] load at end {}", load());
}

type BlstPrepared = (
    <veil::prover::msm::BlstEngine as MsmEngine>::G1Bases,
    <veil::prover::msm::BlstEngine as MsmEngine>::G2Bases,
);

fn blst_prepared(
    g1: &[ark_bls12_381::G1Affine],
    g2: &[ark_bls12_381::G2Affine],
) -> Option<BlstPrepared> {
    let e = veil::prover::msm::BlstEngine;
    Some((e.prepare_g1(g1), e.prepare_g2(g2)))
}

fn blst_msm_g1(
    b: &<veil::prover::msm::BlstEngine as MsmEngine>::G1Bases,
    s: &[Scalar],
) -> ark_bls12_381::G1Projective {
    veil::prover::msm::BlstEngine.msm_g1(b, s)
}

fn blst_msm_g2(
    b: &<veil::prover::msm::BlstEngine as MsmEngine>::G2Bases,
    s: &[Scalar],
) -> ark_bls12_381::G2Projective {
    veil::prover::msm::BlstEngine.msm_g2(b, s)
}

fn benches(c: &mut Criterion) {
    side_by_side();
    // --- tier-20: plain ark-groth16 vs veil, same constraint system and proving key.
    let tier_fx = fixture(tier());
    let w = tier_witnesses(1).remove(0);
    let ti = info(&tier()).expect("info");
    println!(
        "[sizes] {}: constraints={} public_inputs={}",
        ti.circuit, ti.constraints, ti.public_inputs
    );
    // Both ways produce proofs the same key accepts.
    let pv = tier_fx.vk.prepare();
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let plain = plain_ark_prove(&tier_fx.raw_pk, tier_fx.prover.circuit(), &w, &mut rng);
    let inputs = veil::verifier::encoding::bls12_381::public_inputs(
        &<veil::circuits::Tier as veil::circuits::Circuit>::statement(&w),
    )
    .expect("public inputs");
    pv.verify_raw(&plain, &inputs)
        .expect("plain proof verifies");
    pv.verify(&tier_fx.prover.prove(&w).expect("veil proof"))
        .expect("veil proof verifies");

    let mut g = c.benchmark_group("compare/tier-20");
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("plain-ark-groth16-prove", |b| {
        b.iter(|| {
            plain_ark_prove(
                &tier_fx.raw_pk,
                tier_fx.prover.circuit(),
                black_box(&w),
                &mut rng,
            )
        })
    });
    g.bench_function("veil-prove", |b| {
        b.iter(|| tier_fx.prover.prove(black_box(&w)).expect("proof"))
    });
    // The witness computation alone (part of veil-prove), to explain the difference.
    g.bench_function("veil-assignment-only", |b| {
        b.iter(|| assignment(tier_fx.prover.circuit(), black_box(&w)).expect("assignment"))
    });
    g.finish();
    drop(tier_fx);

    // --- plain-arkworks binary Poseidon Merkle membership, depth 20.
    let params = poseidon_w3();
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let (n, public, secret, _) = count_constraints(BinaryMerkle::blank(params.clone()), false);
    let sample = BinaryMerkle::sample(params.clone(), &mut rng);
    let (n2, _, _, sat) = count_constraints(sample.clone(), true);
    assert!(sat, "the sample Merkle path satisfies the circuit");
    assert_eq!(n, n2);
    println!(
        "[sizes] ark-binary-merkle-poseidon-{MERKLE_DEPTH}: constraints={n} public_inputs={public} witness_vars={secret}"
    );
    let (pk, vk) =
        Groth16::<Bls12_381>::circuit_specific_setup(BinaryMerkle::blank(params.clone()), &mut rng)
            .expect("setup");
    let pvk = Groth16::<Bls12_381>::process_vk(&vk).expect("prepared vk");
    let proof = Groth16::<Bls12_381>::prove(&pk, sample.clone(), &mut rng).expect("proof");
    assert!(
        Groth16::<Bls12_381>::verify_with_processed_vk(&pvk, &[sample.root.unwrap()], &proof)
            .expect("verify"),
        "the Merkle proof verifies"
    );

    let mut g = c.benchmark_group(format!("compare/ark-binary-merkle-poseidon-{MERKLE_DEPTH}"));
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("plain-ark-groth16-prove", |b| {
        b.iter(|| {
            Groth16::<Bls12_381>::prove(&pk, black_box(sample.clone()), &mut rng).expect("proof")
        })
    });
    g.finish();
}

criterion_group! {
    name = ark_compare;
    config = criterion();
    targets = benches
}
criterion_main!(ark_compare);
