//! A verifying key of any backend, chosen by the key file's header.

use crate::bytes::Bytes32;
use crate::circuit::Backend;
use crate::error::VerifyError;
use crate::format::{read_key_file, KeyHeader, KeyKind, ProofEnvelope};
use crate::groth16::{Groth16VerifyingKey, PreparedVerifier};
use crate::plonky2::Plonky2VerifyingKey;
use std::path::Path;

/// A verifying key of either backend, ready to verify.
pub enum AnyVerifyingKey {
    Groth16(Box<Groth16VerifyingKey>, Box<PreparedVerifier>),
    Plonky2(Box<Plonky2VerifyingKey>),
}

impl AnyVerifyingKey {
    /// Reads a key file of any backend (the header's backend byte decides).
    pub fn from_bytes(b: &[u8]) -> Result<Self, VerifyError> {
        let (header, _) = read_key_file(b, KeyKind::Verifying)?;
        Ok(match header.backend {
            Backend::Groth16 => {
                let k = Groth16VerifyingKey::from_bytes(b)?;
                let p = k.prepare();
                AnyVerifyingKey::Groth16(Box::new(k), Box::new(p))
            }
            Backend::Plonky2 => {
                AnyVerifyingKey::Plonky2(Box::new(Plonky2VerifyingKey::from_bytes(b)?))
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
            AnyVerifyingKey::Groth16(k, _) => &k.header,
            AnyVerifyingKey::Plonky2(k) => &k.header,
        }
    }

    /// SHA3-256 of the key file: the key id proofs name.
    pub fn digest(&self) -> Bytes32 {
        match self {
            AnyVerifyingKey::Groth16(k, _) => k.digest,
            AnyVerifyingKey::Plonky2(k) => k.digest,
        }
    }

    pub fn verify(&self, env: &ProofEnvelope) -> Result<(), VerifyError> {
        match self {
            AnyVerifyingKey::Groth16(_, p) => p.verify(env),
            AnyVerifyingKey::Plonky2(k) => k.verify(env),
        }
    }

    pub fn verify_batch(&self, envs: &[ProofEnvelope]) -> Result<(), VerifyError> {
        match self {
            AnyVerifyingKey::Groth16(_, p) => p.verify_batch(envs),
            AnyVerifyingKey::Plonky2(k) => k.verify_batch(envs),
        }
    }
}
