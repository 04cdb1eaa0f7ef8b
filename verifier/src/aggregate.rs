//! Recursive aggregation of Plonky2 proofs: the circuits, the aggregate envelope, and its
//! verification.
//!
//! A batch of `n` proofs of one circuit is folded by a binary tree of recursive verifications.
//! Level 1 verifies two base proofs, level `l` two proofs of level `l - 1`; each node
//! re-exposes the public inputs of its two children, left then right, so the root's public
//! inputs are the public inputs of all `2^L` leaves in order (`L = max(1, ceil(log2 n))`).
//! Batches that are not a power of two are padded with copies of the last proof: the padding
//! repeats a statement already covered and adds none.
//!
//! Every level's circuit is fixed by the base circuit's verifying key (its verifier data is a
//! constant of the level-1 circuit, and so on up): a verifier rebuilds the levels from the
//! base verifying key and the count, so an aggregate can only be made of proofs that verify
//! under that key. Level circuits use Plonky2's standard recursion configuration without
//! zero knowledge: their witnesses are the base proofs, which are zero-knowledge already.

use crate::bytes::Bytes32;
use crate::circuit::{Backend, CircuitId};
use crate::encoding::goldilocks::public_inputs;
use crate::error::VerifyError;
use crate::format::ENVELOPE_FORMAT_VERSION;
use crate::plonky2::{no_panic, proof_from_bytes, verify_compressed, Plonky2VerifyingKey, C, D, F};
use crate::statement::Statement;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData, VerifierCircuitData};
use plonky2::plonk::proof::ProofWithPublicInputsTarget;
use serde::{Deserialize, Serialize};

/// The `format` field of an aggregate envelope.
pub const AGGREGATE_FORMAT: &str = "veil-aggregate";
/// Largest batch one aggregate may cover.
pub const MAX_AGGREGATE: usize = 1 << 12;

/// One level of the tree: its circuit, and the targets of the two proofs it verifies.
pub struct Level {
    pub data: CircuitData<F, C, D>,
    pub proofs: [ProofWithPublicInputsTarget<D>; 2],
}

/// The number of levels for a batch of `n` proofs: max(1, ceil(log2 n)).
pub fn levels_for(n: usize) -> usize {
    (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1) as usize
}

/// The configuration of the level circuits.
pub fn level_config() -> CircuitConfig {
    CircuitConfig::standard_recursion_config()
}

/// Builds the circuit that verifies two proofs of the circuit with `inner` data.
pub fn build_level(inner: &VerifierCircuitData<F, C, D>) -> Level {
    let mut b = CircuitBuilder::<F, D>::new(level_config());
    let vd = b.constant_verifier_data(&inner.verifier_only);
    let proofs = [
        b.add_virtual_proof_with_pis(&inner.common),
        b.add_virtual_proof_with_pis(&inner.common),
    ];
    for p in &proofs {
        b.verify_proof::<C>(p, &vd, &inner.common);
    }
    for p in &proofs {
        b.register_public_inputs(&p.public_inputs);
    }
    Level {
        data: b.build::<C>(),
        proofs,
    }
}

/// Builds the `levels` level circuits above the base circuit with verifying key `base`.
pub fn build_levels(
    base: &VerifierCircuitData<F, C, D>,
    levels: usize,
) -> Result<Vec<Level>, VerifyError> {
    let mut out: Vec<Level> = Vec::with_capacity(levels);
    for _ in 0..levels {
        let inner = match out.last() {
            None => VerifierCircuitData {
                verifier_only: base.verifier_only.clone(),
                common: base.common.clone(),
            },
            Some(l) => l.data.verifier_data(),
        };
        let level = no_panic(
            || build_level(&inner),
            || VerifyError::Format("building the aggregation circuit failed".into()),
        )?;
        out.push(level);
    }
    Ok(out)
}

/// One recursive proof covering the statements of a batch of proofs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AggregateEnvelope {
    pub circuit: CircuitId,
    pub circuit_version: u32,
    /// Digest of the base circuit's verifying key file.
    pub key_digest: Bytes32,
    /// Levels of the tree (`levels_for(statements.len())`).
    pub levels: usize,
    /// The statements covered, in the order of the batch.
    pub statements: Vec<Statement>,
    /// The compressed proof of the root level, without its public inputs.
    pub proof: Vec<u8>,
}

#[derive(Serialize)]
struct AggregateOut<'a> {
    format: &'static str,
    format_version: u32,
    circuit: String,
    circuit_version: u32,
    backend: &'static str,
    key_digest: Bytes32,
    levels: usize,
    count: usize,
    statements: &'a [Statement],
    proof: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AggregateIn {
    format: String,
    format_version: u32,
    circuit: String,
    circuit_version: u32,
    backend: String,
    key_digest: Bytes32,
    levels: usize,
    count: usize,
    statements: Vec<serde_json::Value>,
    proof: String,
}

impl AggregateEnvelope {
    /// Pretty JSON:
    /// `{format: "veil-aggregate", format_version, circuit, circuit_version, backend:
    /// "plonky2", key_digest, levels, count, statements: [...], proof: hex}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&AggregateOut {
            format: AGGREGATE_FORMAT,
            format_version: ENVELOPE_FORMAT_VERSION,
            circuit: self.circuit.to_string(),
            circuit_version: self.circuit_version,
            backend: Backend::Plonky2.name(),
            key_digest: self.key_digest,
            levels: self.levels,
            count: self.statements.len(),
            statements: &self.statements,
            proof: hex::encode(&self.proof),
        })
        .expect("an aggregate always serializes")
    }

    /// Whether a JSON value is an aggregate envelope (by its `format` field).
    pub fn is_aggregate(value: &serde_json::Value) -> bool {
        value.get("format").and_then(|f| f.as_str()) == Some(AGGREGATE_FORMAT)
    }

    pub fn from_json(s: &str) -> Result<Self, VerifyError> {
        let value: serde_json::Value = serde_json::from_str(s)
            .map_err(|e| VerifyError::Format(format!("aggregate envelope is not JSON: {e}")))?;
        Self::from_json_value(&value)
    }

    pub fn from_json_value(value: &serde_json::Value) -> Result<Self, VerifyError> {
        let bad = |m: String| VerifyError::Format(format!("aggregate envelope: {m}"));
        let raw: AggregateIn =
            serde_json::from_value(value.clone()).map_err(|e| bad(e.to_string()))?;
        if raw.format != AGGREGATE_FORMAT {
            return Err(bad(format!("format {:?}", raw.format)));
        }
        if raw.format_version != ENVELOPE_FORMAT_VERSION {
            return Err(VerifyError::UnsupportedVersion {
                what: "aggregate envelope",
                found: raw.format_version,
                supported: ENVELOPE_FORMAT_VERSION,
            });
        }
        let backend: Backend = raw.backend.parse().map_err(bad)?;
        if backend != Backend::Plonky2 {
            return Err(VerifyError::WrongBackend {
                what: "aggregate",
                expected: Backend::Plonky2,
                found: backend.to_string(),
            });
        }
        let circuit: CircuitId = raw.circuit.parse().map_err(bad)?;
        if raw.count != raw.statements.len() {
            return Err(bad(format!(
                "count is {} but {} statements are listed",
                raw.count,
                raw.statements.len()
            )));
        }
        if raw.count == 0 || raw.count > MAX_AGGREGATE {
            return Err(bad(format!(
                "an aggregate covers 1 to {MAX_AGGREGATE} statements, not {}",
                raw.count
            )));
        }
        if raw.levels != levels_for(raw.count) {
            return Err(bad(format!(
                "{} statements take {} levels, not {}",
                raw.count,
                levels_for(raw.count),
                raw.levels
            )));
        }
        let statements = raw
            .statements
            .iter()
            .map(|s| Statement::from_json(circuit.kind, s))
            .collect::<Result<Vec<_>, _>>()?;
        let proof = hex::decode(&raw.proof).map_err(|e| bad(format!("proof is not hex: {e}")))?;
        Ok(AggregateEnvelope {
            circuit,
            circuit_version: raw.circuit_version,
            key_digest: raw.key_digest,
            levels: raw.levels,
            statements,
            proof,
        })
    }

    /// The root's public inputs: every statement's encoding, padded with the last one to
    /// 2^levels statements.
    pub fn public_inputs(&self) -> Result<Vec<F>, VerifyError> {
        let mut out = Vec::new();
        let last = self
            .statements
            .last()
            .ok_or_else(|| VerifyError::Format("an aggregate covers no statement".into()))?;
        for i in 0..(1usize << self.levels) {
            out.extend(public_inputs(self.statements.get(i).unwrap_or(last))?);
        }
        Ok(out)
    }
}

impl Plonky2VerifyingKey {
    /// Verifies an aggregate made from proofs under this key: its header must name this key,
    /// circuit and version, every statement must be of this circuit, and the root proof must
    /// verify against the level circuits rebuilt from this key with the statements' encodings
    /// as public inputs.
    pub fn verify_aggregate(&self, agg: &AggregateEnvelope) -> Result<(), VerifyError> {
        if agg.circuit != self.header.circuit {
            return Err(VerifyError::WrongCircuit {
                what: "aggregate",
                expected: self.header.circuit.to_string(),
                found: agg.circuit.to_string(),
            });
        }
        if agg.circuit_version != self.header.circuit_version {
            return Err(VerifyError::WrongCircuitVersion {
                what: "aggregate",
                circuit: agg.circuit.to_string(),
                expected: self.header.circuit_version,
                found: agg.circuit_version,
            });
        }
        if agg.key_digest != self.digest {
            return Err(VerifyError::WrongKey {
                expected: self.digest.to_hex(),
                found: agg.key_digest.to_hex(),
            });
        }
        if agg.statements.is_empty() || agg.levels != levels_for(agg.statements.len()) {
            return Err(VerifyError::Format(
                "the aggregate's level count does not match its statements".into(),
            ));
        }
        let inputs = agg.public_inputs()?;
        let levels = build_levels(&self.data, agg.levels)?;
        let top = levels
            .last()
            .expect("at least one level")
            .data
            .verifier_data();
        let proof = proof_from_bytes(&agg.proof, &top.common)?;
        verify_compressed(&top, proof, inputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(levels_for(1), 1);
        assert_eq!(levels_for(2), 1);
        assert_eq!(levels_for(3), 2);
        assert_eq!(levels_for(4), 2);
        assert_eq!(levels_for(5), 3);
        assert_eq!(levels_for(64), 6);
        assert_eq!(levels_for(65), 7);
    }
}
