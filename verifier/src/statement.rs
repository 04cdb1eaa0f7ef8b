//! The public statement of each circuit: the named values a proof speaks about.
//!
//! The order of the fields in [`crate::encoding`] is the order in which each circuit's
//! `define` allocates its public inputs.

use crate::bytes::{Digest, Id};
use crate::circuit::CircuitKind;
use crate::error::VerifyError;
use serde::{Deserialize, Serialize};

/// `prove_token_ownership`: "I hold an active token for `package_id` in the tree with `root`,
/// and I answer `challenge` with `tag`". Hides which token, its blinding factor and the
/// customer; reveals the package, the time and the challenge-bound tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnershipStatement {
    /// Root of the issuer's Merkle tree of active tokens.
    pub root: Digest,
    /// The package the token grants access to.
    pub package_id: Id,
    /// The verifier's clock (unix seconds); the token must expire strictly after it.
    pub now: u64,
    /// A fresh verifier challenge, so that a proof cannot be replayed elsewhere.
    pub challenge: Id,
    /// H(blinding factor, challenge): binds the proof to the challenge and the token owner
    /// without identifying either across challenges.
    pub tag: Digest,
}

/// The ZK tier proof (seed 002 §7): "I hold a tier commitment in the approved set with
/// `root`, of tier at least `min_tier`, and this is my request number `slot < quota` of
/// the epoch". Hides the exact tier, the commitment, the user and the slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierStatement {
    /// Root of the approved tier set's Merkle tree of tier commitments.
    pub root: Digest,
    /// The lowest tier the verifier accepts.
    pub min_tier: u32,
    /// The epoch beacon K_epoch.
    pub epoch_beacon: Digest,
    /// H(request nonce, ephemeral public key): ties the proof to one request.
    pub request_binding: Digest,
    /// H(user secret, K_epoch, slot): the same slot in the same epoch gives the same
    /// nullifier, so a verifier that remembers nullifiers of the epoch enforces the quota.
    pub nullifier: Digest,
    /// Requests allowed per epoch.
    pub quota: u32,
}

/// A statement of any circuit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Statement {
    Ownership(OwnershipStatement),
    Tier(TierStatement),
}

impl Statement {
    pub fn kind(&self) -> CircuitKind {
        match self {
            Statement::Ownership(_) => CircuitKind::Ownership,
            Statement::Tier(_) => CircuitKind::Tier,
        }
    }

    /// Reads the statement of a circuit of `kind` from JSON, refusing missing or extra fields.
    pub fn from_json(kind: CircuitKind, value: &serde_json::Value) -> Result<Self, VerifyError> {
        let bad = |e: serde_json::Error| {
            VerifyError::Format(format!("statement of a {} proof: {e}", kind.name()))
        };
        Ok(match kind {
            CircuitKind::Ownership => {
                Statement::Ownership(serde_json::from_value(value.clone()).map_err(bad)?)
            }
            CircuitKind::Tier => {
                Statement::Tier(serde_json::from_value(value.clone()).map_err(bad)?)
            }
        })
    }

    /// The statement as (name, value) pairs, for display.
    pub fn named_values(&self) -> Vec<(&'static str, String)> {
        match self {
            Statement::Ownership(s) => vec![
                ("root", s.root.to_hex()),
                ("package_id", s.package_id.to_hex()),
                ("now", s.now.to_string()),
                ("challenge", s.challenge.to_hex()),
                ("tag", s.tag.to_hex()),
            ],
            Statement::Tier(s) => vec![
                ("root", s.root.to_hex()),
                ("min_tier", s.min_tier.to_string()),
                ("epoch_beacon", s.epoch_beacon.to_hex()),
                ("request_binding", s.request_binding.to_hex()),
                ("nullifier", s.nullifier.to_hex()),
                ("quota", s.quota.to_string()),
            ],
        }
    }
}
