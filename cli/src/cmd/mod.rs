//! One module per command.

pub mod aggregate;
pub mod attest;
pub mod check;
pub mod circuits;
pub mod demo;
pub mod info;
pub mod keys;
pub mod ledger;
pub mod prove;
pub mod sample;
pub mod setup;
pub mod sign;
pub mod verify;

use crate::error::{CliError, CliResult};
use crate::io;
use std::path::Path;
use veil_circuits::Circuit;
use veil_prover::plonky2 as p2;
use veil_prover::{Groth16ProvingKey, ProveError, Prover};
use veil_verifier::format::{read_key_file, KeyKind, ProofEnvelope};
use veil_verifier::Backend;

/// A prover of either backend.
pub enum AnyProver<C: Circuit> {
    Groth16(Prover<C>),
    Plonky2(p2::Prover<C>),
}

impl<C: Circuit> AnyProver<C> {
    pub fn prove(&self, w: &C::Witness) -> Result<ProofEnvelope, ProveError> {
        match self {
            AnyProver::Groth16(p) => p.prove(w),
            AnyProver::Plonky2(p) => p.prove(w),
        }
    }

    pub fn prove_batch(
        &self,
        ws: &[C::Witness],
        on_done: &(dyn Fn() + Sync),
    ) -> Vec<Result<ProofEnvelope, ProveError>> {
        match self {
            AnyProver::Groth16(p) => p.prove_batch(ws, on_done),
            AnyProver::Plonky2(p) => p.prove_batch(ws, on_done),
        }
    }
}

/// The backend a key file is for, from its header; `wanted` (a `--backend` flag) must agree.
pub fn key_backend(
    bytes: &[u8],
    kind: KeyKind,
    wanted: Option<Backend>,
) -> Result<Backend, veil_verifier::VerifyError> {
    let (header, _) = read_key_file(bytes, kind)?;
    if let Some(b) = wanted {
        if b != header.backend {
            return Err(veil_verifier::VerifyError::WrongBackend {
                what: kind.name(),
                expected: b,
                found: header.backend.to_string(),
            });
        }
    }
    Ok(header.backend)
}

/// Reads a proving key for `circuit` and builds the prover of the key's backend. The header
/// is checked first, so that a key for another circuit is refused before the (slow)
/// validated read.
pub fn load_prover<C: Circuit + Clone>(
    circuit: C,
    pk: &Path,
    wanted: Option<Backend>,
) -> CliResult<AnyProver<C>> {
    let bytes = io::read_bytes(pk, "proving key")?;
    let at = |e: veil_verifier::VerifyError| CliError::new(format!("{}: {e}", pk.display()));
    let backend = key_backend(&bytes, KeyKind::Proving, wanted).map_err(at)?;
    let (header, _) = read_key_file(&bytes, KeyKind::Proving).map_err(at)?;
    header.expect(circuit.id(), backend).map_err(at)?;
    let at2 = |e: ProveError| CliError::new(format!("{}: {e}", pk.display()));
    Ok(match backend {
        Backend::Groth16 => {
            let key = Groth16ProvingKey::from_bytes(&bytes).map_err(at)?;
            drop(bytes);
            AnyProver::Groth16(Prover::new(circuit, key).map_err(at2)?)
        }
        Backend::Plonky2 => {
            let key = p2::Plonky2ProvingKey::from_bytes(&bytes).map_err(at)?;
            drop(bytes);
            AnyProver::Plonky2(p2::Prover::new(circuit, key).map_err(at2)?)
        }
    })
}

/// A statement as JSON, as in a proof envelope (numbers as numbers, 32-byte values in hex).
pub fn statement_json(statement: &veil_verifier::Statement) -> serde_json::Value {
    if let Ok(v) = serde_json::to_value(statement) {
        return v;
    }
    serde_json::Value::Object(
        statement
            .named_values()
            .into_iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
            .collect(),
    )
}
