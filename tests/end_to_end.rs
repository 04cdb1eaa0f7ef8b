//! Library end to end: dev setup, prove, write and read every artifact, verify, and refuse
//! altered statements, foreign keys and bad files.

use veil::circuits::sample::{ownership_witness, sample_secret, tier_witness};
use veil::circuits::{Circuit, Ownership, Tier};
use veil::params::dev_keys;
use veil::prover::{Groth16ProvingKey, Hasher, Prover};
use veil::verifier::format::ProofEnvelope;
use veil::verifier::groth16::Groth16VerifyingKey;
use veil::verifier::{Bytes32, Statement, VerifyError};

const DEPTH: u32 = 6;

fn round_trip_keys<C: Circuit>(c: &C) -> (Groth16ProvingKey, Groth16VerifyingKey) {
    let (pk, vk) = dev_keys(c, "test").unwrap();
    let pk = Groth16ProvingKey::from_bytes(&pk.to_bytes()).unwrap();
    let vk2 = Groth16VerifyingKey::from_bytes(&vk.to_bytes()).unwrap();
    assert_eq!(vk.digest, vk2.digest);
    (pk, vk2)
}

/// Every way of altering one public value of `env` must make verification fail.
fn altered_statements(env: &ProofEnvelope) -> Vec<ProofEnvelope> {
    let other = sample_secret("altered", 1);
    let mut out = Vec::new();
    let mut push = |f: &dyn Fn(&mut Statement)| {
        let mut e = env.clone();
        f(&mut e.statement);
        out.push(e);
    };
    match &env.statement {
        Statement::Ownership(_) => {
            push(&|s| {
                if let Statement::Ownership(s) = s {
                    s.root = other
                }
            });
            push(&|s| {
                if let Statement::Ownership(s) = s {
                    s.package_id.0[31] ^= 1
                }
            });
            push(&|s| {
                if let Statement::Ownership(s) = s {
                    s.package_id.0[0] ^= 1
                }
            });
            push(&|s| {
                if let Statement::Ownership(s) = s {
                    s.now += 1
                }
            });
            push(&|s| {
                if let Statement::Ownership(s) = s {
                    s.challenge.0[5] ^= 1
                }
            });
            push(&|s| {
                if let Statement::Ownership(s) = s {
                    s.tag = other
                }
            });
        }
        Statement::Tier(_) => {
            push(&|s| {
                if let Statement::Tier(s) = s {
                    s.root = other
                }
            });
            push(&|s| {
                if let Statement::Tier(s) = s {
                    s.min_tier -= 1
                }
            });
            push(&|s| {
                if let Statement::Tier(s) = s {
                    s.epoch_beacon = other
                }
            });
            push(&|s| {
                if let Statement::Tier(s) = s {
                    s.request_binding = other
                }
            });
            push(&|s| {
                if let Statement::Tier(s) = s {
                    s.nullifier = other
                }
            });
            push(&|s| {
                if let Statement::Tier(s) = s {
                    s.quota += 1
                }
            });
        }
        other => panic!(
            "{:?}: the suite's circuits are altered in tests/suite_end_to_end.rs",
            other.kind()
        ),
    }
    out
}

fn full_cycle<C: Circuit + Clone>(c: C, w: C::Witness) {
    let (pk, vk) = round_trip_keys(&c);
    let prover = Prover::new(c, pk).unwrap();
    let env = prover.prove(&w).unwrap();
    let env = ProofEnvelope::from_json(&env.to_json()).unwrap();
    let verifier = vk.prepare();
    verifier.verify(&env).unwrap();
    for bad in altered_statements(&env) {
        assert!(
            matches!(verifier.verify(&bad), Err(VerifyError::InvalidProof)),
            "altered statement verified: {:?}",
            bad.statement
        );
    }
    // Two proofs of the same witness are different (zero knowledge re-randomizes).
    let env2 = prover.prove(&w).unwrap();
    assert_ne!(env.proof, env2.proof);
    verifier.verify_batch(&[env.clone(), env2]).unwrap();
}

#[test]
fn ownership_proves_and_verifies() {
    let c = Ownership::new(DEPTH).unwrap();
    full_cycle(c, ownership_witness::<Hasher>(DEPTH, 3).unwrap());
}

#[test]
fn tier_proves_and_verifies() {
    let c = Tier::new(DEPTH).unwrap();
    full_cycle(c, tier_witness::<Hasher>(DEPTH, 3).unwrap());
}

#[test]
fn keys_for_another_circuit_or_size_are_refused() {
    let tier = Tier::new(DEPTH).unwrap();
    let own = Ownership::new(DEPTH).unwrap();
    let (own_pk, own_vk) = dev_keys(&own, "").unwrap();
    let (tier8_pk, tier8_vk) = dev_keys(&Tier::new(8).unwrap(), "").unwrap();
    assert!(matches!(
        Prover::new(tier, own_pk).err().unwrap(),
        veil::prover::ProveError::Format(VerifyError::WrongCircuit { .. })
    ));
    assert!(Prover::new(tier, tier8_pk).is_err());

    let (pk, _) = dev_keys(&tier, "").unwrap();
    let env = Prover::new(tier, pk)
        .unwrap()
        .prove(&tier_witness::<Hasher>(DEPTH, 1).unwrap())
        .unwrap();
    assert!(matches!(
        own_vk.prepare().verify(&env),
        Err(VerifyError::WrongCircuit { .. })
    ));
    assert!(matches!(
        tier8_vk.prepare().verify(&env),
        Err(VerifyError::WrongCircuit { .. })
    ));
    // Same circuit, keys from another setup: the key digest tells them apart.
    let (_, other_vk) = dev_keys(&tier, "another").unwrap();
    assert!(matches!(
        other_vk.prepare().verify(&env),
        Err(VerifyError::WrongKey { .. })
    ));
    // And with the digest forged to match, the pairing check still fails.
    let mut forged = env.clone();
    forged.key_digest = other_vk.digest;
    assert!(matches!(
        other_vk.prepare().verify(&forged),
        Err(VerifyError::InvalidProof)
    ));
}

#[test]
fn batch_proving_and_batch_verification() {
    let c = Tier::new(DEPTH).unwrap();
    let (pk, vk) = dev_keys(&c, "").unwrap();
    let prover = Prover::new(c, pk).unwrap();
    let mut witnesses: Vec<_> = (1..=5)
        .map(|s| tier_witness::<Hasher>(DEPTH, s).unwrap())
        .collect();
    // One witness breaks the quota: only its own result is an error.
    witnesses[2].statement.quota = witnesses[2].slot;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results = prover.prove_batch(&witnesses, &|| {
        done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(done.into_inner(), 5);
    assert!(results[2].is_err());
    let mut envs: Vec<ProofEnvelope> = results.into_iter().filter_map(Result::ok).collect();
    assert_eq!(envs.len(), 4);
    let v = vk.prepare();
    v.verify_batch(&envs).unwrap();
    if let Statement::Tier(s) = &mut envs[1].statement {
        s.nullifier = Bytes32::from_u64(5);
    }
    match v.verify_batch(&envs) {
        Err(VerifyError::InvalidProofs(bad)) => assert_eq!(bad, vec![1]),
        other => panic!("expected InvalidProofs([1]), got {other:?}"),
    }
}

#[test]
fn refused_witness_names_the_rule() {
    let c = Tier::new(DEPTH).unwrap();
    let (pk, _) = dev_keys(&c, "").unwrap();
    let prover = Prover::new(c, pk).unwrap();
    let mut w = tier_witness::<Hasher>(DEPTH, 1).unwrap();
    w.statement.min_tier = w.tier_id + 1;
    let err = prover.prove(&w).unwrap_err().to_string();
    assert!(err.contains("tier minimum"), "{err}");
}

/// The same on Plonky2: keys through their files, proofs through JSON, every altered public
/// value refused, keys of another circuit or backend refused, bad bytes refused without panics.
mod plonky2_backend {
    use super::*;
    use veil::circuits::PoseidonGoldilocks;
    use veil::prover::plonky2::{setup, Plonky2ProvingKey, Prover as P2Prover};
    use veil::verifier::Plonky2VerifyingKey;

    fn cycle<C: Circuit + Clone>(c: C, w: C::Witness) -> (Plonky2VerifyingKey, ProofEnvelope) {
        let (pk, vk) = setup(&c).unwrap();
        let pk = Plonky2ProvingKey::from_bytes(&pk.to_bytes()).unwrap();
        let vk_bytes = vk.to_bytes();
        let vk = Plonky2VerifyingKey::from_bytes(&vk_bytes).unwrap();
        assert_eq!(vk.to_bytes(), vk_bytes);
        // Setup is deterministic: the same circuit gives the same key.
        assert_eq!(setup(&c).unwrap().1.digest, vk.digest);
        let prover = P2Prover::new(c, pk).unwrap();
        let env = prover.prove(&w).unwrap();
        assert_eq!(env.backend, veil::verifier::Backend::Plonky2);
        let env = ProofEnvelope::from_json(&env.to_json()).unwrap();
        vk.verify(&env).unwrap();
        for bad in altered_statements(&env) {
            assert!(
                matches!(vk.verify(&bad), Err(VerifyError::InvalidProof)),
                "altered statement verified: {:?}",
                bad.statement
            );
        }
        // Zero knowledge: two proofs of the same witness differ.
        let env2 = prover.prove(&w).unwrap();
        assert_ne!(env.proof, env2.proof);
        vk.verify_batch(&[env.clone(), env2.clone()]).unwrap();
        let mut bad = env2.clone();
        bad.statement = altered_statements(&env2).remove(0).statement;
        match vk.verify_batch(&[env.clone(), bad]) {
            Err(VerifyError::InvalidProofs(ix)) => assert_eq!(ix, vec![1]),
            other => panic!("{other:?}"),
        }
        (vk, env)
    }

    #[test]
    fn ownership_proves_and_verifies() {
        let w = ownership_witness::<PoseidonGoldilocks>(DEPTH, 3).unwrap();
        cycle(Ownership::new(DEPTH).unwrap(), w);
    }

    #[test]
    fn tier_proves_verifies_and_refuses_bad_input() {
        let w = tier_witness::<PoseidonGoldilocks>(DEPTH, 3).unwrap();
        let (vk, env) = cycle(Tier::new(DEPTH).unwrap(), w);

        // Keys of another circuit, another size, another backend.
        let (_, own_vk) = setup(&Ownership::new(DEPTH).unwrap()).unwrap();
        assert!(matches!(
            own_vk.verify(&env),
            Err(VerifyError::WrongCircuit { .. })
        ));
        let (_, tier8_vk) = setup(&Tier::new(8).unwrap()).unwrap();
        assert!(matches!(
            tier8_vk.verify(&env),
            Err(VerifyError::WrongCircuit { .. })
        ));
        let (g_pk, g_vk) = dev_keys(&Tier::new(DEPTH).unwrap(), "").unwrap();
        assert!(matches!(
            g_vk.prepare().verify(&env),
            Err(VerifyError::WrongBackend { .. })
        ));
        let g_env = Prover::new(Tier::new(DEPTH).unwrap(), g_pk)
            .unwrap()
            .prove(&tier_witness::<Hasher>(DEPTH, 1).unwrap())
            .unwrap();
        assert!(matches!(
            vk.verify(&g_env),
            Err(VerifyError::WrongBackend { .. })
        ));
        assert!(matches!(
            Plonky2VerifyingKey::from_bytes(&g_vk.to_bytes()),
            Err(VerifyError::WrongBackend { .. })
        ));
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&vk.to_bytes()),
            Err(VerifyError::WrongBackend { .. })
        ));
        // A proving key of another circuit.
        let (own_pk, _) = setup(&Ownership::new(DEPTH).unwrap()).unwrap();
        assert!(P2Prover::new(Tier::new(DEPTH).unwrap(), own_pk).is_err());

        // Proof bytes: truncated, extended, flipped anywhere: an error, never a panic.
        let mut cut = env.clone();
        cut.proof.truncate(env.proof.len() / 2);
        assert!(vk.verify(&cut).is_err());
        let mut longer = env.clone();
        longer.proof.push(0);
        assert!(vk.verify(&longer).is_err());
        let mut empty = env.clone();
        empty.proof.clear();
        assert!(matches!(vk.verify(&empty), Err(VerifyError::Truncated(_))));
        let step = env.proof.len() / 97;
        for at in (0..env.proof.len()).step_by(step.max(1)) {
            let mut b = env.clone();
            b.proof[at] ^= 0x41;
            assert!(vk.verify(&b).is_err(), "flipped byte {at} verified");
        }
        // Non-canonical statement digests are refused as such.
        let mut nc = env.clone();
        if let Statement::Tier(s) = &mut nc.statement {
            s.root.0[..8].copy_from_slice(&u64::MAX.to_be_bytes());
        }
        assert!(matches!(vk.verify(&nc), Err(VerifyError::NonCanonical(_))));

        // Verifying-key bytes: every truncation and single-byte change is refused (or, in the
        // header, read as something else), never a panic.
        let bytes = vk.to_bytes();
        for n in (0..bytes.len()).step_by(7) {
            assert!(Plonky2VerifyingKey::from_bytes(&bytes[..n]).is_err());
        }
        for at in 0..bytes.len() {
            for delta in [1u8, 0x80] {
                let mut b = bytes.clone();
                b[at] = b[at].wrapping_add(delta);
                if let Ok(k) = Plonky2VerifyingKey::from_bytes(&b) {
                    assert_ne!(k.digest, vk.digest);
                    assert!(k.verify(&env).is_err(), "changed byte {at} still verifies");
                }
            }
        }
    }
}
