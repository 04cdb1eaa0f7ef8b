//! Key pinning: an application accepts only the verifying keys it has pinned.
//!
//! A verifying key names its circuit in its header, but nothing in the key itself proves
//! that it was made for that circuit: a key set up for an unrelated (even empty) constraint
//! system with the same number of public inputs can be labelled `tier-20` and would make
//! false tier statements verify. A verifier that pins the key id (SHA3-256 of the key file,
//! `veil verify` prints it) refuses such a key before looking at any proof.
//!
//! ```json
//! {
//!   "format": "veil-trusted-verifying-keys",
//!   "format_version": 1,
//!   "keys": [ { "circuit": "tier-20", "key_id": "<64 hex digits>", "name": "production 2026" } ]
//! }
//! ```

use crate::{Bytes32, CircuitId, VerifyError};
use serde::{Deserialize, Serialize};

pub const TRUSTED_VKS_FORMAT: &str = "veil-trusted-verifying-keys";
pub const TRUSTED_VKS_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinnedKey {
    pub circuit: String,
    pub key_id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedVerifyingKeys {
    pub format: String,
    pub format_version: u32,
    pub keys: Vec<PinnedKey>,
}

/// Refuses a key whose id is not `expected`.
pub fn expect_key_digest(found: &Bytes32, expected: &Bytes32) -> Result<(), VerifyError> {
    if found != expected {
        return Err(VerifyError::Format(format!(
            "verifying key {} is not the pinned key {}",
            found.to_hex(),
            expected.to_hex()
        )));
    }
    Ok(())
}

impl TrustedVerifyingKeys {
    pub fn new() -> Self {
        TrustedVerifyingKeys {
            format: TRUSTED_VKS_FORMAT.into(),
            format_version: TRUSTED_VKS_FORMAT_VERSION,
            keys: Vec::new(),
        }
    }

    pub fn from_json(s: &str) -> Result<Self, VerifyError> {
        let t: TrustedVerifyingKeys = serde_json::from_str(s)
            .map_err(|e| VerifyError::Format(format!("trusted verifying keys: {e}")))?;
        if t.format != TRUSTED_VKS_FORMAT || t.format_version != TRUSTED_VKS_FORMAT_VERSION {
            return Err(VerifyError::Format(format!(
                "trusted verifying keys: expected format {TRUSTED_VKS_FORMAT} version {TRUSTED_VKS_FORMAT_VERSION}"
            )));
        }
        for k in &t.keys {
            k.circuit
                .parse::<CircuitId>()
                .map_err(|e| VerifyError::Format(format!("trusted verifying keys: {e}")))?;
            k.key_id.parse::<Bytes32>().map_err(|_| {
                VerifyError::Format("trusted verifying keys: key_id is not 64 hex digits".into())
            })?;
        }
        Ok(t)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializes") + "\n"
    }

    pub fn pin(&mut self, circuit: CircuitId, key_id: Bytes32, name: &str) {
        self.keys.push(PinnedKey {
            circuit: circuit.to_string(),
            key_id: key_id.to_hex(),
            name: name.to_string(),
        });
    }

    /// Accepts the key only if (circuit, key id) is pinned; returns the pin's name.
    pub fn check(&self, circuit: CircuitId, key_id: &Bytes32) -> Result<&str, VerifyError> {
        let c = circuit.to_string();
        let id = key_id.to_hex();
        self.keys
            .iter()
            .find(|k| k.circuit == c && k.key_id.trim_start_matches("0x").eq_ignore_ascii_case(&id))
            .map(|k| k.name.as_str())
            .ok_or_else(|| {
                VerifyError::Format(format!(
                    "verifying key {id} for {c} is not in the trusted verifying keys"
                ))
            })
    }
}

/// Where a verifying key says it comes from, as `veil verify` and `veil key check` report it.
///
/// Read from the key's own header ([`crate::format::KeySource`], key format version 4): a
/// Groth16 key is a ceremony key when its header records a ceremony (written by `veil
/// ceremony finalize`, covered by the key id, and refused on read for a key whose γ is not
/// the G2 generator, such as a relabelled dev key); any other Groth16 key is treated as a dev
/// key. The record is a claim, not a proof: what makes it trustworthy is a pin
/// (`--expect-key-digest`, `--trusted-vks`) on a key whose transcript someone re-checked with
/// `veil ceremony verify --vk`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyOrigin {
    /// Groth16 without a ceremony record: anyone may hold the trapdoor.
    Dev,
    /// Groth16 from a ceremony: its phase-2 transcript hash and number of contributions.
    Ceremony {
        transcript_hash: Bytes32,
        contributions: u32,
    },
    /// Plonky2: no trusted setup.
    Transparent,
}

impl KeyOrigin {
    /// The origin a key header records.
    pub fn of(header: &crate::format::KeyHeader) -> KeyOrigin {
        use crate::format::KeySource;
        if header.backend != crate::Backend::Groth16 {
            return KeyOrigin::Transparent;
        }
        match header.origin {
            KeySource::Ceremony {
                transcript_hash,
                contributions,
            } => KeyOrigin::Ceremony {
                transcript_hash,
                contributions,
            },
            KeySource::Unrecorded => KeyOrigin::Dev,
        }
    }

    /// "dev", "ceremony" or "transparent".
    pub fn kind(&self) -> &'static str {
        match self {
            KeyOrigin::Dev => "dev",
            KeyOrigin::Ceremony { .. } => "ceremony",
            KeyOrigin::Transparent => "transparent",
        }
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            KeyOrigin::Dev => "dev key (forgeable, from public seed)".into(),
            KeyOrigin::Ceremony {
                transcript_hash,
                contributions,
            } => format!(
                "ceremony key (transcript {}, {contributions} contributions)",
                transcript_hash.to_hex()
            ),
            KeyOrigin::Transparent => "transparent key (plonky2: no trusted setup)".into(),
        }
    }
}
