//! A verifying key of any backend, chosen by the key file's header.

use crate::bytes::Bytes32;
use crate::circuit::Backend;
use crate::error::VerifyError;
use crate::format::{read_key_file, KeyHeader, KeyKind, ProofEnvelope};
#[cfg(feature = "groth16")]
use crate::groth16::{Groth16VerifyingKey, PreparedVerifier};
#[cfg(feature = "plonky2")]
use crate::plonky2::Plonky2VerifyingKey;
use std::path::Path;

/// A verifying key of either backend, ready to verify.
pub enum AnyVerifyingKey {
    #[cfg(feature = "groth16")]
    Groth16(Box<Groth16VerifyingKey>, Box<PreparedVerifier>),
    #[cfg(feature = "plonky2")]
    Plonky2(Box<Plonky2VerifyingKey>),
}

impl AnyVerifyingKey {
    /// Reads a key file of any backend (the header's backend byte decides).
    pub fn from_bytes(b: &[u8]) -> Result<Self, VerifyError> {
        let (header, _) = read_key_file(b, KeyKind::Verifying)?;
        Ok(match header.backend {
            #[cfg(feature = "groth16")]
            Backend::Groth16 => {
                let k = Groth16VerifyingKey::from_bytes(b)?;
                let p = k.prepare();
                AnyVerifyingKey::Groth16(Box::new(k), Box::new(p))
            }
            #[cfg(feature = "plonky2")]
            Backend::Plonky2 => {
                AnyVerifyingKey::Plonky2(Box::new(Plonky2VerifyingKey::from_bytes(b)?))
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(VerifyError::Format(format!(
                    "a {other} key, and this veil-verifier was built without its backend (feature `{other}`)"
                )))
            }
        })
    }

    pub fn read(path: &Path) -> Result<Self, VerifyError> {
        let bytes = std::fs::read(path).map_err(|source| VerifyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    pub fn header(&self) -> &KeyHeader {
        match self {
            #[cfg(feature = "groth16")]
            AnyVerifyingKey::Groth16(k, _) => &k.header,
            #[cfg(feature = "plonky2")]
            AnyVerifyingKey::Plonky2(k) => &k.header,
        }
    }

    /// SHA3-256 of the key file: the key id proofs name.
    pub fn digest(&self) -> Bytes32 {
        match self {
            #[cfg(feature = "groth16")]
            AnyVerifyingKey::Groth16(k, _) => k.digest,
            #[cfg(feature = "plonky2")]
            AnyVerifyingKey::Plonky2(k) => k.digest,
        }
    }

    pub fn verify(&self, env: &ProofEnvelope) -> Result<(), VerifyError> {
        match self {
            #[cfg(feature = "groth16")]
            AnyVerifyingKey::Groth16(_, p) => p.verify(env),
            #[cfg(feature = "plonky2")]
            AnyVerifyingKey::Plonky2(k) => k.verify(env),
        }
    }

    pub fn verify_batch(&self, envs: &[ProofEnvelope]) -> Result<(), VerifyError> {
        match self {
            #[cfg(feature = "groth16")]
            AnyVerifyingKey::Groth16(_, p) => p.verify_batch(envs),
            #[cfg(feature = "plonky2")]
            AnyVerifyingKey::Plonky2(k) => k.verify_batch(envs),
        }
    }
}
