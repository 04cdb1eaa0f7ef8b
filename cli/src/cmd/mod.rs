//! One module per command.

pub mod access;
pub mod aggregate;
pub mod attest;
pub mod audit;
pub mod ceremony;
pub mod check;
pub mod circuits;
pub mod debug;
pub mod demo;
pub mod export;
pub mod info;
pub mod keys;
pub mod ledger;
pub mod prove;
pub mod receipt;
pub mod sample;
pub mod setup;
pub mod shard;
pub mod sign;
pub mod verify;

use crate::error::{CliError, CliResult};
use crate::io;
use std::path::Path;
use veil_circuits::Circuit;
use veil_prover::plonky2 as p2;
use veil_prover::{ProveError, Prover};
use veil_verifier::format::{read_key_header, KeyKind, ProofEnvelope};
use veil_verifier::Backend;

/// A prover of either backend.
#[allow(clippy::large_enum_variant)] // one per process, never moved in a hot loop
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
}

/// The backend a key file is for, from its header; `wanted` (a `--backend` flag) must agree.
pub fn key_backend(
    bytes: &[u8],
    kind: KeyKind,
    wanted: Option<Backend>,
) -> Result<Backend, veil_verifier::VerifyError> {
    // The header only: the one full read that follows checks the body digest.
    let header = read_key_header(bytes, kind)?;
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
    quiet: bool,
) -> CliResult<AnyProver<C>> {
    let _spinner = io::Spinner::start(format!("reading the proving key {}", pk.display()), quiet);
    let bytes = io::read_bytes(pk, "proving key")?;
    load_prover_from(circuit, pk, bytes, wanted)
}

/// [`load_prover`] on the bytes of the key file at `pk`, already read.
pub fn load_prover_from<C: Circuit + Clone>(
    circuit: C,
    pk: &Path,
    bytes: Vec<u8>,
    wanted: Option<Backend>,
) -> CliResult<AnyProver<C>> {
    let at = |e: veil_verifier::VerifyError| CliError::new(format!("{}: {e}", pk.display()));
    let header = read_key_header(&bytes, KeyKind::Proving).map_err(at)?;
    if let Some(b) = wanted.filter(|&b| b != header.backend) {
        return Err(at(veil_verifier::VerifyError::WrongBackend {
            what: KeyKind::Proving.name(),
            expected: b,
            found: header.backend.to_string(),
        }));
    }
    let backend = header.backend;
    header.expect(circuit.id(), backend).map_err(at)?;
    let at2 = |e: ProveError| CliError::new(format!("{}: {e}", pk.display()));
    Ok(match backend {
        // A version 3 key brings its compiled constraint system; older ones are compiled.
        Backend::Groth16 => {
            AnyProver::Groth16(Prover::from_key_bytes(circuit, &bytes).map_err(at2)?)
        }
        Backend::Plonky2 => {
            let key = p2::Plonky2ProvingKey::from_bytes(&bytes).map_err(at)?;
            drop(bytes);
            AnyProver::Plonky2(p2::Prover::new(circuit, key).map_err(at2)?)
        }
    })
}

/// The native check of `w` with `backend`'s hash. A witness refused there but accepted with
/// the other backend's hash was made for the other backend: that is said, instead of the rule
/// its foreign hashes happen to break ("membership", "root is not a canonical field element").
pub fn check_witness_for<C: crate::registry::CliCircuit>(
    circuit: &C,
    w: &C::Witness,
    backend: Backend,
) -> Result<(), WitnessRefusal> {
    let Err(violation) = circuit.check_for(w, backend) else {
        return Ok(());
    };
    let other = Backend::ALL.into_iter().find(|&b| b != backend);
    match other {
        Some(other) if circuit.check_for(w, other).is_ok() => {
            Err(WitnessRefusal::OtherBackend { backend, other })
        }
        _ => Err(WitnessRefusal::Rule(violation)),
    }
}

/// Why a witness cannot be proven with a backend.
#[derive(Debug, Clone)]
pub enum WitnessRefusal {
    /// It breaks a rule of the circuit.
    Rule(veil_circuits::Violation),
    /// It satisfies the circuit with the other backend's hash: it was made for `other`.
    OtherBackend { backend: Backend, other: Backend },
}

impl std::fmt::Display for WitnessRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WitnessRefusal::Rule(v) => write!(f, "{v}"),
            WitnessRefusal::OtherBackend { backend, other } => write!(
                f,
                "backend mismatch: the witness was made for {other} (its roots and digests use \
                 {other}'s hash), not {backend}; make one with `veil sample --backend {backend}` \
                 or use a {other} key"
            ),
        }
    }
}

impl From<WitnessRefusal> for CliError {
    fn from(r: WitnessRefusal) -> Self {
        CliError::new(r.to_string())
    }
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
