//! One module per command.

pub mod attest;
pub mod check;
pub mod circuits;
pub mod demo;
pub mod info;
pub mod keys;
pub mod prove;
pub mod sample;
pub mod setup;
pub mod sign;
pub mod verify;

use crate::error::{CliError, CliResult};
use crate::io;
use std::path::Path;
use veil_circuits::Circuit;
use veil_prover::{Groth16ProvingKey, Prover};
use veil_verifier::format::{read_key_file, KeyKind};
use veil_verifier::Backend;

/// Reads a proving key for `circuit` and builds the prover. The header is checked first,
/// so that a key for another circuit is refused before the (slow) validated read.
pub fn load_prover<C: Circuit>(circuit: C, pk: &Path) -> CliResult<Prover<C>> {
    let bytes = io::read_bytes(pk, "proving key")?;
    let at = |e: veil_verifier::VerifyError| CliError::new(format!("{}: {e}", pk.display()));
    let (header, _) = read_key_file(&bytes, KeyKind::Proving).map_err(at)?;
    header.expect(circuit.id(), Backend::Groth16).map_err(at)?;
    let key = Groth16ProvingKey::from_bytes(&bytes).map_err(at)?;
    drop(bytes);
    Prover::new(circuit, key).map_err(|e| CliError::new(format!("{}: {e}", pk.display())))
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
