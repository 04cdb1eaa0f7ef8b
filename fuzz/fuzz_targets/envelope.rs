//! Proof envelopes (both backends): parse, round-trip, and verify against the tier-4 keys,
//! which runs the Groth16 and Plonky2 proof decoders on the envelope's proof bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_fuzz::{text, GROTH16_VK, PLONKY2_VK};
use veil_verifier::ProofEnvelope;

fuzz_target!(|data: &[u8]| {
    let Some(s) = text(data) else { return };
    let Ok(env) = ProofEnvelope::from_json(s) else {
        return;
    };
    assert_eq!(
        ProofEnvelope::from_json(&env.to_json()).as_ref().ok(),
        Some(&env)
    );
    let canonical = String::from_utf8(env.canonical_bytes()).expect("canonical bytes are UTF-8");
    assert_eq!(
        ProofEnvelope::from_json(&canonical).as_ref().ok(),
        Some(&env)
    );
    let _ = GROTH16_VK.verify(&env);
    let _ = PLONKY2_VK.verify(&env);
    let _ = GROTH16_VK.verify_batch(std::slice::from_ref(&env));
    let _ = PLONKY2_VK.verify_batch(std::slice::from_ref(&env));
});
