//! What the fuzz targets share: the verifying keys they check fuzzed proofs against (the
//! seed corpus's own tier-4 keys, embedded), and small helpers.
//!
//! Every target feeds libFuzzer's bytes to one family of veil's readers of outside data and
//! asserts that it never panics, aborts or hangs, and that what it accepts re-encodes to
//! something it reads back as the same value.

use std::sync::LazyLock;
use veil_verifier::attest::TrustedKeys;
use veil_verifier::{AnyVerifyingKey, Groth16VerifyingKey, Plonky2VerifyingKey};

/// The Groth16 tier-4 verifying key of the envelope seeds (dev setup).
pub static GROTH16_VK: LazyLock<AnyVerifyingKey> = LazyLock::new(|| {
    let k = Groth16VerifyingKey::from_bytes(include_bytes!("../seeds/groth16_vk/tier-4.vk"))
        .expect("the embedded Groth16 key reads");
    let p = k.prepare();
    AnyVerifyingKey::Groth16(Box::new(k), Box::new(p))
});

/// The Plonky2 tier-4 verifying key of the envelope seeds.
pub static PLONKY2_VK: LazyLock<AnyVerifyingKey> = LazyLock::new(|| {
    AnyVerifyingKey::Plonky2(Box::new(
        Plonky2VerifyingKey::from_bytes(include_bytes!("../seeds/plonky2_vk/tier-4.vk"))
            .expect("the embedded Plonky2 key reads"),
    ))
});

/// The input as text, as the CLI reads JSON files (it refuses what is not UTF-8).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// The trusted-keys file of the attestation and signed-root seeds: their signer is in it, so
/// fuzzed attestations reach the ML-DSA-87 signature check.
pub static TRUSTED: LazyLock<TrustedKeys> = LazyLock::new(|| {
    TrustedKeys::from_json(include_str!("../seeds/trusted_keys/trusted.json"))
        .expect("the embedded trusted keys read")
});
