//! Corrupted Plonky2 proving keys are refused with an error, never an abort.
//!
//! The case found by fuzzing: one byte of a length in the prover data (a vector of length 1
//! became 0xCF000001) made Plonky2's decoder ask for 27,783,069,704 bytes, and the process
//! aborted (an allocation failure cannot be caught). A version 2 key's body digest refuses such
//! a key as corrupted before decoding. A version 1 key (no digest) is refused before decoding
//! too: veil's guarded reader bounds the lengths it reads, but the witness generators inside
//! the prover data are decoded by Plonky2's own buffer, which it cannot guard.

use plonky2::util::serialization::{DefaultGateSerializer, Write};
use veil_circuits::Tier;
use veil_prover::plonky2::{api::GeneratorSerializer, setup, Plonky2ProvingKey};
use veil_verifier::format::{read_key_file, write_key_file_version, KeyKind, KEY_FORMAT_VERSION_1};
use veil_verifier::VerifyError;

#[test]
fn the_27_gb_length_is_refused_and_a_corrupted_key_is_named_corrupted() {
    let (pk, _) = setup(&Tier::new(4).unwrap()).unwrap();
    let file = pk.to_bytes();
    assert_eq!(
        &file[8..12],
        &2u32.to_le_bytes(),
        "proving keys are written in version 2"
    );
    let (header, body) = read_key_file(&file, KeyKind::Proving).unwrap();

    // Where the prover data's first `generator_indices_by_watches` vector length lies: after
    // the embedded verifying key, the common data and the generators, the map's length and
    // its first key.
    let vk_len = u64::from_le_bytes(body[..8].try_into().unwrap()) as usize;
    let mut before = Vec::new();
    before
        .write_common_circuit_data(&pk.data.common, &DefaultGateSerializer)
        .unwrap();
    before
        .write_usize(pk.data.prover_only.generators.len())
        .unwrap();
    for g in &pk.data.prover_only.generators {
        before
            .write_generator(g, &GeneratorSerializer, &pk.data.common)
            .unwrap();
    }
    let map_at = 8 + vk_len + before.len();
    let read_u64 = |at: usize| u64::from_le_bytes(body[at..at + 8].try_into().unwrap());
    let map = &pk.data.prover_only.generator_indices_by_watches;
    let (first_key, first_vec) = map.iter().next().expect("the map has entries");
    assert_eq!(read_u64(map_at), map.len() as u64);
    assert_eq!(read_u64(map_at + 8), *first_key as u64);
    let len_at = map_at + 16;
    assert_eq!(read_u64(len_at), first_vec.len() as u64);

    let mut corrupted = body.to_vec();
    corrupted[len_at + 3] = 0xcf;
    assert!(read_u64_of(&corrupted, len_at) >= 0xcf00_0000);

    // Version 1 (no digest): refused before decoding.
    let v1 = write_key_file_version(&header, &corrupted, KEY_FORMAT_VERSION_1);
    assert_refused_as_version_1(&v1);
    // Version 2: the body digest says the key is corrupted, before any decoding.
    let mut v2 = file.clone();
    let body_at = file.len() - body.len();
    v2[body_at..].copy_from_slice(&corrupted);
    match Plonky2ProvingKey::from_bytes(&v2) {
        Err(e @ VerifyError::CorruptedKey { .. }) => {
            assert!(
                e.to_string().starts_with("the proving key is corrupted"),
                "{e}"
            )
        }
        Err(e) => panic!("expected CorruptedKey, got {e}"),
        Ok(_) => panic!("a corrupted key was accepted"),
    }

    // The uncorrupted key reads back; in version 1 it is refused all the same (no digest).
    assert!(Plonky2ProvingKey::from_bytes(&file).is_ok());
    let v1_good = write_key_file_version(&header, body, KEY_FORMAT_VERSION_1);
    assert_refused_as_version_1(&v1_good);
}

/// A length inside a witness generator: Plonky2 decodes generators with its own buffer, whose
/// `read_usize_vec` allocates the length it reads (`WireSplitGenerator`'s gates), so no guarded
/// reader sees it. Version 2 refuses the key by its digest, version 1 by its version, both
/// before any decoding: a clear error, not an abort.
#[test]
fn a_huge_length_inside_a_witness_generator_is_refused_before_decoding() {
    let (pk, _) = setup(&Tier::new(4).unwrap()).unwrap();
    let file = pk.to_bytes();
    let (header, body) = read_key_file(&file, KeyKind::Proving).unwrap();
    let vk_len = u64::from_le_bytes(body[..8].try_into().unwrap()) as usize;
    let mut at = Vec::new();
    at.write_common_circuit_data(&pk.data.common, &DefaultGateSerializer)
        .unwrap();
    at.write_usize(pk.data.prover_only.generators.len())
        .unwrap();
    let mut gates_len_at = None;
    for g in &pk.data.prover_only.generators {
        let start = 8 + vk_len + at.len();
        let mut one = Vec::new();
        one.write_generator(g, &GeneratorSerializer, &pk.data.common)
            .unwrap();
        if gates_len_at.is_none() && g.0.id() == "WireSplitGenerator" {
            // [tag u32][integer target][gates: length u64, then u64s][num_limbs u64]
            let p = (4..one.len() - 16)
                .find(|&p| read_u64_of(&one, p) as usize * 8 + p + 16 == one.len())
                .expect("the gates vector's length");
            gates_len_at = Some(start + p);
        }
        at.write_generator(g, &GeneratorSerializer, &pk.data.common)
            .unwrap();
    }
    let len_at = gates_len_at.expect("tier-4 has a WireSplitGenerator");
    let mut corrupted = body.to_vec();
    corrupted[len_at + 3] = 0xcf;
    assert!(read_u64_of(&corrupted, len_at) >= 0xcf00_0000);

    let v1 = write_key_file_version(&header, &corrupted, KEY_FORMAT_VERSION_1);
    assert_refused_as_version_1(&v1);
    let mut v2 = file.clone();
    let body_at = file.len() - body.len();
    v2[body_at..].copy_from_slice(&corrupted);
    assert!(matches!(
        Plonky2ProvingKey::from_bytes(&v2),
        Err(VerifyError::CorruptedKey { .. })
    ));
}

fn assert_refused_as_version_1(file: &[u8]) {
    match Plonky2ProvingKey::from_bytes(file) {
        Err(VerifyError::Format(m)) => {
            assert!(m.contains("key format version 1"), "{m}");
            assert!(
                m.contains("veil setup --circuit tier-4 --backend plonky2"),
                "{m}"
            );
        }
        Err(e) => panic!("expected the version 1 refusal, got {e}"),
        Ok(_) => panic!("a version 1 Plonky2 proving key was read"),
    }
}

fn read_u64_of(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}
