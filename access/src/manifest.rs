//! The content manifest: what a creator signs about one piece of content.
//!
//! ```json
//! { "format": "veil-access-manifest", "format_version": 1,
//!   "content_id": "<64 hex: SHA3-256 of the encrypted content file>",
//!   "creator_key_id": "<64 hex: SHA3-256 of the creator's ML-DSA-87 public key>",
//!   "min_tier": 2,
//!   "cipher": "aes-256-gcm" }
//! ```
//!
//! The manifest is signed as a file, with `veil sign` (FIPS 204 context `veil-file-v1`, the
//! message is the manifest's bytes unchanged): the signature is over exactly these bytes, and
//! `manifest_hash` in a request is SHA3-256 of them. The manifest's own `format` field says
//! what kind of file it is, so a signed manifest cannot pass for another signed file.

use serde::{Deserialize, Serialize};
use veil_verifier::attest::{verify_file_signature, Signature, TrustedKeys};
use veil_verifier::Bytes32;

pub const MANIFEST_FORMAT: &str = "veil-access-manifest";
pub const MANIFEST_FORMAT_VERSION: u32 = 1;
pub const CIPHER: &str = "aes-256-gcm";
/// Manifests are small; a longer one is refused before it is read.
pub const MAX_MANIFEST_BYTES: usize = 4096;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub content_id: Bytes32,
    pub creator_key_id: Bytes32,
    /// The least tier that may read the content.
    pub min_tier: u32,
    pub cipher: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("malformed manifest: {0}")]
    Format(String),
    #[error("the manifest is signed by key {0}, which is not a trusted creator")]
    UnknownCreator(Bytes32),
    #[error("the creator's signature does not verify over this manifest")]
    BadSignature,
}

impl Manifest {
    pub fn new(content_id: Bytes32, creator_key_id: Bytes32, min_tier: u32) -> Self {
        Manifest {
            format: MANIFEST_FORMAT.into(),
            format_version: MANIFEST_FORMAT_VERSION,
            content_id,
            creator_key_id,
            min_tier,
            cipher: CIPHER.into(),
        }
    }

    /// The bytes a creator signs (pretty JSON with a final newline).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).expect("a manifest always serializes");
        s.push('\n');
        s.into_bytes()
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self, ManifestError> {
        if b.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestError::Format(format!(
                "{} bytes, a manifest is at most {MAX_MANIFEST_BYTES}",
                b.len()
            )));
        }
        let m: Manifest =
            serde_json::from_slice(b).map_err(|e| ManifestError::Format(e.to_string()))?;
        if m.format != MANIFEST_FORMAT {
            return Err(ManifestError::Format(format!(
                "format is {:?}, expected {MANIFEST_FORMAT:?}",
                m.format
            )));
        }
        if m.format_version != MANIFEST_FORMAT_VERSION {
            return Err(ManifestError::Format(format!(
                "format version {}, this veil reads {MANIFEST_FORMAT_VERSION}",
                m.format_version
            )));
        }
        if m.cipher != CIPHER {
            return Err(ManifestError::Format(format!(
                "cipher {:?}, expected {CIPHER:?}",
                m.cipher
            )));
        }
        Ok(m)
    }

    /// Checks the creator's signature over `bytes` (this manifest's bytes) with the creator
    /// key the manifest names, which must be in `creators`.
    pub fn check_signature(
        &self,
        bytes: &[u8],
        sig: &Signature,
        creators: &TrustedKeys,
    ) -> Result<(), ManifestError> {
        let creator = creators
            .get(&self.creator_key_id)
            .ok_or(ManifestError::UnknownCreator(self.creator_key_id))?;
        verify_file_signature(&creator.key, bytes, sig).map_err(|_| ManifestError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let m = Manifest::new(Bytes32([1; 32]), Bytes32([2; 32]), 3);
        assert_eq!(Manifest::from_bytes(&m.to_bytes()).unwrap(), m);
        let v: serde_json::Value = serde_json::from_slice(&m.to_bytes()).unwrap();
        let refused =
            |v: serde_json::Value| Manifest::from_bytes(v.to_string().as_bytes()).is_err();
        for (k, x) in [
            ("format", serde_json::json!("veil-root")),
            ("format_version", 2.into()),
            ("cipher", "rot13".into()),
            ("min_tier", (-1).into()),
            ("content_id", "12".into()),
            ("extra", 1.into()),
        ] {
            let mut w = v.clone();
            w[k] = x;
            assert!(refused(w), "{k}");
        }
        let mut w = v.clone();
        w.as_object_mut().unwrap().remove("min_tier");
        assert!(refused(w));
        assert!(Manifest::from_bytes(&vec![b' '; MAX_MANIFEST_BYTES + 1]).is_err());
        assert!(Manifest::from_bytes(b"").is_err());
    }
}
