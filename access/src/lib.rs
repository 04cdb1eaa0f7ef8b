//! veil-access: the access service of seed 004, a stateless HTTP gatekeeper that verifies
//! tier proofs and returns content keys wrapped to the client's ephemeral key.
//!
//! The crate holds both sides of the protocol that do not need a prover:
//! - [`manifest`]: the creator-signed content manifest;
//! - [`content`]: AES-256-GCM content files (`Enc_sym(K_content, File)`);
//! - [`wrap`]: `Enc_asym(PK_session, K_content)`, X25519 + HKDF-SHA3-256 + AES-256-GCM or
//!   ML-KEM-1024 + HKDF-SHA3-256 + AES-256-GCM, and the matching unwrap;
//! - [`epoch`]: the epoch beacon `K_epoch` and the per-epoch nullifier set;
//! - [`wire`]: the JSON bodies and the signed messages of the responses;
//! - [`service_key`]: the service's ML-DSA-87 signing key (a FIPS 204 seed file);
//! - [`config`], [`store`], [`server`]: the service itself (axum on tokio).
//!
//! The client that makes the tier proof is in `veil-access-client` (it needs the prover).

pub mod config;
pub mod content;
pub mod epoch;
pub mod manifest;
pub mod server;
pub mod service_key;
pub mod store;
pub mod wire;
pub mod wrap;

use veil_verifier::Bytes32;

/// SHA3-256 of `bytes`.
pub fn sha3_256(bytes: &[u8]) -> Bytes32 {
    veil_verifier::attest::sha3_256(bytes)
}

/// 32 bytes from the operating system's randomness.
pub fn random_32() -> Result<[u8; 32], String> {
    let mut b = [0u8; 32];
    getrandom04::fill(&mut b)
        .map_err(|e| format!("no randomness from the operating system: {e}"))?;
    Ok(b)
}

/// The current unix time in seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
