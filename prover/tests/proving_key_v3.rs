//! Proving key file version 3: round trip, the stored constraint system, versions 1 and 2 still
//! read, corruption refused, a key for another circuit refused, and a key with a wrong point
//! never yields a proof.

use ark_ec::AffineRepr;
use veil_circuits::{sample::tier_witness, Tier};
use veil_prover::groth16::{dev_setup_compiled, Groth16ProvingKey, Prover};
use veil_prover::{Hasher, ProveError};
use veil_verifier::format::{read_key_file, write_key_file_version, KeyKind, KEY_FORMAT_VERSION_1};
use veil_verifier::VerifyError;

fn keys() -> (
    Groth16ProvingKey,
    veil_verifier::Groth16VerifyingKey,
    veil_prover::Compiled,
) {
    dev_setup_compiled(&Tier::new(4).unwrap(), [7u8; 32]).unwrap()
}

#[test]
fn v3_round_trips_with_its_constraint_system_and_proves() {
    let (pk, vk, compiled) = keys();
    let file = pk.to_bytes_v3(&compiled).unwrap();
    assert_eq!(&file[8..12], &3u32.to_le_bytes());
    let (read, stored) = Groth16ProvingKey::from_bytes_with_compiled(&file).unwrap();
    let stored = stored.expect("a version 3 key stores its constraint system");
    assert_eq!(read.pk, pk.pk);
    assert_eq!(stored.matrices, compiled.matrices);
    assert_eq!(stored.cs_digest, compiled.cs_digest);
    let prover = Prover::from_key_bytes(Tier::new(4).unwrap(), &file).unwrap();
    let env = prover
        .prove(&tier_witness::<Hasher>(4, 1).unwrap())
        .unwrap();
    vk.prepare().verify(&env).unwrap();
}

#[test]
fn versions_1_and_2_still_read_and_prove() {
    let (pk, vk, _) = keys();
    let v2 = pk.to_bytes();
    assert_eq!(&v2[8..12], &2u32.to_le_bytes());
    let (header, body) = read_key_file(&v2, KeyKind::Proving).unwrap();
    let v1 = write_key_file_version(&header, body, KEY_FORMAT_VERSION_1);
    for file in [v1, v2] {
        let (_, stored) = Groth16ProvingKey::from_bytes_with_compiled(&file).unwrap();
        assert!(stored.is_none());
        let prover = Prover::from_key_bytes(Tier::new(4).unwrap(), &file).unwrap();
        let env = prover
            .prove(&tier_witness::<Hasher>(4, 2).unwrap())
            .unwrap();
        vk.prepare().verify(&env).unwrap();
    }
}

#[test]
fn corrupted_v3_key_is_refused_as_corrupted() {
    let (pk, _, compiled) = keys();
    let file = pk.to_bytes_v3(&compiled).unwrap();
    for at in [file.len() - 1, file.len() / 2, file.len() - 1000] {
        let mut bad = file.clone();
        bad[at] ^= 0x10;
        match Groth16ProvingKey::from_bytes(&bad) {
            Err(e @ VerifyError::CorruptedKey { .. }) => {
                assert!(e.to_string().contains("corrupted"), "{e}")
            }
            Err(e) => panic!("expected CorruptedKey, got {e}"),
            Ok(_) => panic!("a corrupted key was accepted"),
        }
    }
    // Cut short anywhere: an error, never a panic.
    for len in (0..file.len()).step_by(997) {
        assert!(Groth16ProvingKey::from_bytes(&file[..len]).is_err());
    }
}

#[test]
fn v3_key_of_another_circuit_is_refused() {
    let (pk, _, compiled) = keys();
    let file = pk.to_bytes_v3(&compiled).unwrap();
    match Prover::from_key_bytes(Tier::new(6).unwrap(), &file) {
        Err(ProveError::Format(VerifyError::WrongCircuit { .. })) => {}
        Err(e) => panic!("expected WrongCircuit, got {e}"),
        Ok(_) => panic!("a tier-4 key was accepted for tier-6"),
    }
    // The constraint system of another circuit is refused too.
    let (_, _, other) = dev_setup_compiled(&Tier::new(6).unwrap(), [7u8; 32]).unwrap();
    assert!(pk.to_bytes_v3(&other).is_err());
}

#[test]
fn a_key_with_one_point_negated_gives_an_error_not_a_proof() {
    let (mut pk, _, compiled) = keys();
    pk.pk.a_query[1] = -pk.pk.a_query[1];
    assert!(!pk.pk.a_query[1].is_zero());
    // Written with a valid digest: the key reads, but its proofs would not verify.
    let file = pk.to_bytes_v3(&compiled).unwrap();
    let prover = Prover::from_key_bytes(Tier::new(4).unwrap(), &file).unwrap();
    match prover.prove(&tier_witness::<Hasher>(4, 1).unwrap()) {
        Err(e @ ProveError::ProofDoesNotVerify(_)) => {
            assert!(e.to_string().contains("does not verify"), "{e}")
        }
        Err(e) => panic!("expected ProofDoesNotVerify, got {e}"),
        Ok(_) => panic!("a key with a negated point produced a proof"),
    }
}
