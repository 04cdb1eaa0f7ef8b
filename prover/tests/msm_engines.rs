//! The MSM engines compute the same group elements as arkworks, and so proofs that are
//! identical bit for bit: between the engines, and with plain ark-groth16, for the same
//! randomness, on several circuits; both verify. The pipelined batch proves what one-by-one
//! proving proves.

use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{PrimeField, UniformRand};
use ark_groth16::Groth16;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use veil_circuits::sample::{ownership_witness, renewal_witness, revenue_witness, tier_witness};
use veil_circuits::{Circuit, Ownership, Renewal, Revenue, Tier};
use veil_prover::groth16::dev_setup_compiled;
use veil_prover::msm::{msm_g1_once, msm_g2_once, ArkEngine, EngineKind, Scalar};
use veil_prover::{assignment, Hasher, Prover};
use veil_verifier::groth16::proof_to_bytes;

/// Scalars of every class the engines sort by: 0, ±1, small and small negated of 8 to 64
/// bits, full size.
fn scalars(n: usize, rng: &mut ChaCha20Rng) -> Vec<Scalar> {
    (0..n)
        .map(|i| {
            let f = match i % 9 {
                0 => Fr::from(0u64),
                1 => Fr::from(1u64),
                2 => -Fr::from(1u64),
                3 => Fr::from(rng.gen::<u8>() as u64),
                4 => -Fr::from(rng.gen::<u16>() as u64),
                5 => Fr::from(rng.gen::<u32>() as u64),
                6 => -Fr::from(rng.gen::<u64>()),
                7 => Fr::from(rng.gen::<u64>()) * Fr::from(rng.gen::<u64>()),
                _ => Fr::rand(rng),
            };
            f.into_bigint()
        })
        .collect()
}

fn g1_bases(n: usize, rng: &mut ChaCha20Rng) -> Vec<G1Affine> {
    let ps: Vec<G1Projective> = (0..n)
        .map(|i| {
            if i % 7 == 3 {
                G1Projective::default()
            } else {
                G1Projective::rand(rng)
            }
        })
        .collect();
    G1Projective::normalize_batch(&ps)
}

fn g2_bases(n: usize, rng: &mut ChaCha20Rng) -> Vec<G2Affine> {
    let ps: Vec<G2Projective> = (0..n)
        .map(|i| {
            if i % 5 == 1 {
                G2Projective::default()
            } else {
                G2Projective::rand(rng)
            }
        })
        .collect();
    G2Projective::normalize_batch(&ps)
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
        .install(f)
}

#[test]
fn every_engine_computes_arkworks_msm() {
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let g1 = g1_bases(1200, &mut rng);
    let g2 = g2_bases(300, &mut rng);
    let s = scalars(1300, &mut rng);
    assert!(
        g1[3].is_zero() && g2[1].is_zero(),
        "points at infinity included"
    );
    for threads in [1, 2, 3, 8] {
        for n in [0usize, 1, 2, 9, 31, 32, 33, 100, 1200] {
            let want = G1Projective::msm_bigint(&g1[..n], &s[..n]);
            let ark = in_pool(threads, || msm_g1_once(&ArkEngine, &g1[..n], &s[..n]));
            assert_eq!(ark, want, "ark G1, {n} points, {threads} threads");
            #[cfg(feature = "blst")]
            {
                use veil_prover::msm::BlstEngine;
                let blst = in_pool(threads, || msm_g1_once(&BlstEngine, &g1[..n], &s[..n]));
                assert_eq!(blst, want, "blst G1, {n} points, {threads} threads");
                // More scalars than bases: cut to the bases, as arkworks does.
                let longer = in_pool(threads, || msm_g1_once(&BlstEngine, &g1[..n], &s));
                assert_eq!(longer, want, "blst G1, {n} points, longer scalars");
            }
        }
        for n in [0usize, 1, 31, 40, 300] {
            let want = G2Projective::msm_bigint(&g2[..n], &s[..n]);
            let ark = in_pool(threads, || msm_g2_once(&ArkEngine, &g2[..n], &s[..n]));
            assert_eq!(ark, want, "ark G2, {n} points, {threads} threads");
            #[cfg(feature = "blst")]
            {
                use veil_prover::msm::BlstEngine;
                let blst = in_pool(threads, || msm_g2_once(&BlstEngine, &g2[..n], &s[..n]));
                assert_eq!(blst, want, "blst G2, {n} points, {threads} threads");
            }
        }
    }
}

/// For one circuit and witness: the proof of every engine with the same seed, and plain
/// ark-groth16's with the same `r, s`, are the same bytes, and verify.
fn same_proof_everywhere<C: Circuit + Clone>(circuit: C, witness: C::Witness) {
    let name = circuit.id().to_string();
    let (pk, vk, compiled) = dev_setup_compiled(&circuit, [5; 32]).expect("dev setup");
    let raw = pk.pk.clone();
    let seed = [9u8; 32];

    // Plain ark-groth16 with the r, s a prover draws from this seed (r first, then s).
    let mut rng = ChaCha20Rng::from_seed(seed);
    let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
    let full = assignment(&circuit, &witness).expect("assignment");
    let plain = Groth16::<Bls12_381>::create_proof_with_reduction_and_matrices(
        &raw,
        r,
        s,
        &compiled.matrices,
        compiled.num_instance,
        compiled.num_constraints,
        &full,
    )
    .expect("plain ark-groth16 proof");
    let plain = proof_to_bytes(&plain);

    let verifier = vk.prepare();
    let mut engines = 0;
    for kind in EngineKind::ALL.into_iter().filter(|k| k.available()) {
        let key = veil_prover::Groth16ProvingKey {
            header: pk.header.clone(),
            pk: raw.clone(),
        };
        let compiled_again = veil_prover::compile(&circuit).expect("compile");
        let prover =
            Prover::with_engine(circuit.clone(), key, compiled_again, kind).expect("prover");
        assert_eq!(prover.engine(), kind);
        let env = prover
            .prove_with_rng(&witness, &mut ChaCha20Rng::from_seed(seed))
            .expect("proof");
        assert_eq!(
            env.proof, plain,
            "{name}: the {kind} proof is plain ark-groth16's"
        );
        verifier.verify(&env).expect("the proof verifies");
        engines += 1;
    }
    assert_eq!(engines, if cfg!(feature = "blst") { 2 } else { 1 });
}

#[test]
fn proofs_are_identical_bit_for_bit_across_engines_and_with_ark_groth16() {
    same_proof_everywhere(Tier::new(4).unwrap(), tier_witness::<Hasher>(4, 1).unwrap());
    same_proof_everywhere(
        Ownership::new(4).unwrap(),
        ownership_witness::<Hasher>(4, 2).unwrap(),
    );
    same_proof_everywhere(
        Renewal::new(4).unwrap(),
        renewal_witness::<Hasher>(4, 3).unwrap(),
    );
    same_proof_everywhere(
        Revenue::new(4).unwrap(),
        revenue_witness::<Hasher>(4, 4).unwrap(),
    );
}

#[test]
fn the_pipelined_batch_proves_what_one_by_one_proving_proves() {
    let circuit = Tier::new(4).unwrap();
    let (pk, _, compiled) = dev_setup_compiled(&circuit, [6; 32]).expect("dev setup");
    let prover = Prover::with_compiled(circuit, pk, compiled).expect("prover");
    let mut witnesses: Vec<_> = (1..=4)
        .map(|s| tier_witness::<Hasher>(4, s).unwrap())
        .collect();
    // A bad witness in the middle fails alone.
    witnesses[2].tier_id = witnesses[2].tier_id.wrapping_add(7);
    let seed = [4u8; 32];
    let done = std::sync::atomic::AtomicUsize::new(0);
    let batch = prover.prove_batch_with_seed(&witnesses, seed, &|| {
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(batch.len(), 4);
    assert_eq!(done.into_inner(), 4);
    for (i, (w, got)) in witnesses.iter().zip(&batch).enumerate() {
        let mut rng = ChaCha20Rng::from_seed(seed);
        rng.set_stream(i as u64);
        match (prover.prove_with_rng(w, &mut rng), got) {
            (Ok(a), Ok(b)) => assert_eq!(a.proof, b.proof, "proof {i}"),
            (Err(_), Err(_)) => assert_eq!(i, 2, "only the bad witness fails"),
            (a, b) => panic!(
                "proof {i}: one by one {:?}, batch {:?}",
                a.is_ok(),
                b.is_ok()
            ),
        }
    }
}

#[test]
fn an_unknown_engine_name_is_refused() {
    assert!("cuda".parse::<EngineKind>().is_err());
    assert_eq!("blst".parse::<EngineKind>().unwrap(), EngineKind::Blst);
    assert_eq!(" ARK ".parse::<EngineKind>().unwrap(), EngineKind::Ark);
}
