//! The JSON bodies of the endpoints, the messages the service signs, and the public service
//! description.
//!
//! `POST /v1/access/request`:
//! ```json
//! { "content_id": "<64 hex>", "manifest_hash": "<64 hex: SHA3-256 of the manifest>",
//!   "creator_signature": "<9254 hex: ML-DSA-87 over the manifest>",
//!   "tier_proof": { "proof": { <veil proof envelope, tier circuit> },
//!                   "signed_root": { <veil signed root of the approved tier set> } },
//!   "client_ephemeral_pubkey": "<64 hex (X25519) or 3136 hex (ML-KEM-1024)>",
//!   "nonce": "<64 hex>" }
//! ```
//! → `{ "k_content_wrapped": "<hex>", "ms_nonce": "<64 hex>", "signature": "<9254 hex>" }`
//!
//! The response signature is FIPS 204 ML-DSA-87 with context [`CONTEXT_RESPONSE`] over
//! `service key id (32) ‖ content_id (32) ‖ manifest_hash (32) ‖
//! SHA3-256(client_ephemeral_pubkey) (32) ‖ request nonce (32) ‖ ms_nonce (32) ‖
//! len(k_content_wrapped) (u32, big-endian) ‖ k_content_wrapped`.
//!
//! `POST /v1/access/verify` `{ "challenge_nonce": "<64 hex>" }` →
//! `{ "signature": "<hex>", "ms_pubkey": "<5184 hex>" }`, the signature with context
//! [`CONTEXT_VERIFY`] over `service key id (32) ‖ challenge nonce (32)`.

use crate::epoch::epoch_beacon;
use serde::{Deserialize, Serialize};
use veil_verifier::attest::{PublicKey, Signature};
use veil_verifier::{Bytes32, CircuitId};

pub const CONTEXT_RESPONSE: &str = "veil-access-response-v1";
pub const CONTEXT_VERIFY: &str = "veil-access-verify-v1";
pub const SERVICE_FORMAT: &str = "veil-access-service";
pub const SERVICE_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    pub content_id: Bytes32,
    pub manifest_hash: Bytes32,
    pub creator_signature: String,
    pub tier_proof: TierProof,
    pub client_ephemeral_pubkey: String,
    pub nonce: Bytes32,
}

/// The proof envelope and the signed root it is made against, as JSON values (each is read
/// by its own veil-verifier reader).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierProof {
    pub proof: serde_json::Value,
    pub signed_root: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessResponse {
    pub k_content_wrapped: String,
    pub ms_nonce: Bytes32,
    pub signature: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    pub challenge_nonce: Bytes32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyResponse {
    pub signature: String,
    pub ms_pubkey: String,
}

/// What the response signature covers.
pub struct ResponseFields<'a> {
    pub content_id: &'a Bytes32,
    pub manifest_hash: &'a Bytes32,
    pub client_ephemeral_pubkey: &'a [u8],
    pub nonce: &'a Bytes32,
    pub ms_nonce: &'a Bytes32,
    pub k_content_wrapped: &'a [u8],
}

impl ResponseFields<'_> {
    pub fn message(&self, service_key_id: &Bytes32) -> Vec<u8> {
        let mut m = Vec::with_capacity(32 * 6 + 4 + self.k_content_wrapped.len());
        m.extend_from_slice(&service_key_id.0);
        m.extend_from_slice(&self.content_id.0);
        m.extend_from_slice(&self.manifest_hash.0);
        m.extend_from_slice(&crate::sha3_256(self.client_ephemeral_pubkey).0);
        m.extend_from_slice(&self.nonce.0);
        m.extend_from_slice(&self.ms_nonce.0);
        m.extend_from_slice(&(self.k_content_wrapped.len() as u32).to_be_bytes());
        m.extend_from_slice(self.k_content_wrapped);
        m
    }

    /// Checks a response signature with the service's public key.
    pub fn check(&self, service: &PublicKey, sig: &Signature) -> Result<(), String> {
        service
            .verify(
                "access response",
                CONTEXT_RESPONSE,
                &self.message(&service.key_id()),
                sig,
            )
            .map_err(|e| e.to_string())
    }
}

/// The message of a `/v1/access/verify` signature.
pub fn verify_message(service_key_id: &Bytes32, challenge: &Bytes32) -> Vec<u8> {
    [service_key_id.0, challenge.0].concat()
}

/// What a service publishes for its clients (`veil-access describe`): its signing key, the
/// circuit and key it verifies with, and the epoch parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceInfo {
    pub format: String,
    pub format_version: u32,
    /// The service's ML-DSA-87 public key, hex.
    pub ms_pubkey: String,
    pub circuit: CircuitId,
    /// SHA3-256 of the tier verifying key file the service uses.
    pub key_digest: Bytes32,
    pub epoch_beacon_seed: Bytes32,
    pub epoch_seconds: u64,
    /// Requests per user per epoch (the tier statement's `quota`).
    pub quota: u32,
    /// The oldest signed root accepted, in seconds.
    pub max_root_age: u64,
}

impl ServiceInfo {
    pub fn from_json(s: &str) -> Result<Self, String> {
        let info: ServiceInfo =
            serde_json::from_str(s).map_err(|e| format!("malformed service description: {e}"))?;
        if info.format != SERVICE_FORMAT || info.format_version != SERVICE_FORMAT_VERSION {
            return Err(format!(
                "not a service description: expected format {SERVICE_FORMAT:?} version {SERVICE_FORMAT_VERSION}"
            ));
        }
        if info.epoch_seconds == 0 {
            return Err("malformed service description: epoch_seconds is 0".into());
        }
        PublicKey::from_hex(&info.ms_pubkey).map_err(|e| e.to_string())?;
        Ok(info)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a service description always serializes")
    }

    pub fn public_key(&self) -> Result<PublicKey, String> {
        PublicKey::from_hex(&self.ms_pubkey).map_err(|e| e.to_string())
    }

    /// The epoch and its beacon at unix time `now`.
    pub fn epoch_at(&self, now: u64) -> (u64, Bytes32) {
        let e = crate::epoch::epoch_at(now, self.epoch_seconds);
        (e, epoch_beacon(&self.epoch_beacon_seed, e))
    }
}
