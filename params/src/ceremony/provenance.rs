//! The `<circuit>.provenance.json` record that `veil ceremony finalize` wrote next to the keys
//! before key format version 4.
//!
//! The origin now lives in the key header itself ([`veil_verifier::KeySource`], covered by
//! the key id), and neither `finalize` nor `veil verify` writes or reads this file any more:
//! no ceremony key was published with one. The type stays for reading such a record.

use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "veil-key-provenance";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyOrigin {
    /// From a public seed: anyone can forge proofs.
    Dev,
    /// From a verified multi-party ceremony.
    Ceremony,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyProvenance {
    pub format: String,
    pub format_version: u32,
    pub origin: KeyOrigin,
    pub circuit: String,
    pub cs_digest: String,
    /// SHA3-256 of the verifying key file (veil's key id).
    pub vk_digest: String,
    /// The phase-2 transcript hash (ceremony keys only).
    pub transcript_hash: Option<String>,
    /// The phase-1 transcript hash (ceremony keys only).
    pub ptau_hash: Option<String>,
    pub contributions: Vec<String>,
}

impl KeyProvenance {
    pub fn ceremony(report: &super::phase2::Phase2Report) -> Self {
        KeyProvenance {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            origin: KeyOrigin::Ceremony,
            circuit: report.circuit.clone(),
            cs_digest: report.cs_digest.clone(),
            vk_digest: report.vk_digest.clone(),
            transcript_hash: Some(report.transcript_hash.clone()),
            ptau_hash: Some(report.ptau_hash.clone()),
            contributions: report.contributions.clone(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("provenance serializes") + "\n"
    }

    pub fn from_json(s: &str) -> Result<Self, super::CeremonyError> {
        let p: KeyProvenance = serde_json::from_str(s)
            .map_err(|e| super::CeremonyError::Format(format!("provenance file: {e}")))?;
        if p.format != FORMAT || p.format_version != FORMAT_VERSION {
            return Err(super::CeremonyError::Format(format!(
                "provenance file: expected {FORMAT} version {FORMAT_VERSION}"
            )));
        }
        Ok(p)
    }
}
