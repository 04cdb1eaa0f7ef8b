//! Plonky2 on Goldilocks: compile a circuit to PLONK constraints, build the circuit data (no
//! trusted setup), prove, batch-prove, aggregate recursively.
//!
//! Keys: the proving key is Plonky2's `ProverCircuitData` (`to_bytes` with
//! `DefaultGateSerializer` / `api::GeneratorSerializer`, the default generators and veil's), the verifying key its
//! `VerifierCircuitData` ([`Plonky2VerifyingKey`]), both in veil's key file with backend code 2
//! and the circuit's Plonky2 circuit digest as constraint-system digest. Setup is deterministic:
//! the same circuit always gives the same keys.
//!
//! Proving: the witness is checked natively (a clear reason when refused), the circuit is
//! defined again with the witness to collect the input values, Plonky2 generates the rest of
//! the witness and proves. Plonky2 reports a broken copy constraint while generating the
//! witness as an error, may panic on others (caught), and does not check gate constraints at
//! all before proving: every proof is therefore verified before it is returned, so that a
//! witness the constraint system refuses never yields a proof.

pub mod aggregate;
pub mod api;
#[doc(hidden)]
pub mod dishonest;

pub use api::{Plonky2Api, U64Target};

use crate::error::ProveError;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_data::{CircuitData, ProverCircuitData};
use plonky2::plonk::proof::ProofWithPublicInputs;
use plonky2::util::serialization::DefaultGateSerializer;
use rayon::prelude::*;
use std::path::Path;
use veil_circuits::{Circuit, PoseidonGoldilocks};
use veil_verifier::encoding::goldilocks::public_inputs;
use veil_verifier::format::{
    read_key_file, write_key_file, KeyHeader, KeyKind, ProofEnvelope, KEY_FORMAT_VERSION_1,
};
use veil_verifier::plonky2::{
    catch_quiet, circuit_config, circuit_digest_bytes, no_panic, proof_to_bytes,
    Plonky2VerifyingKey, C, D, F,
};
use veil_verifier::{Backend, Bytes32, VerifyError};

/// The hash family of the Plonky2 backend, for native checks and witness building.
pub type Hasher = PoseidonGoldilocks;

/// A circuit compiled to Plonky2: its circuit data and the gate count before padding.
pub struct Compiled {
    pub data: CircuitData<F, C, D>,
    /// Gates placed by the circuit (the rows before padding to a power of two).
    pub gates: usize,
}

fn define<Cir: Circuit>(
    circuit: &Cir,
    witness: Option<&Cir::Witness>,
) -> Result<Plonky2Api, ProveError> {
    let mut api = Plonky2Api::new(circuit_config());
    circuit.define(&mut api, witness)?;
    Ok(api)
}

/// Builds the circuit data of a circuit.
pub fn compile<Cir: Circuit>(circuit: &Cir) -> Result<Compiled, ProveError> {
    let api = define(circuit, None)?;
    let gates = api.builder.num_gates();
    let data = no_panic(
        || api.builder.build::<C>(),
        || VerifyError::Format("building the Plonky2 circuit failed".into()),
    )?;
    Ok(Compiled { data, gates })
}

fn header(circuit: &impl Circuit, kind: KeyKind, cs_digest: Bytes32) -> KeyHeader {
    KeyHeader {
        kind,
        backend: Backend::Plonky2,
        circuit: circuit.id(),
        circuit_version: circuit.id().version(),
        cs_digest,
        origin: veil_verifier::KeySource::Unrecorded,
    }
}

/// A Plonky2 proving key: the prover's half of the circuit data, with its versioned header.
pub struct Plonky2ProvingKey {
    pub header: KeyHeader,
    pub data: ProverCircuitData<F, C, D>,
    /// The verifying key made with it.
    pub verifying_key: Plonky2VerifyingKey,
}

impl Plonky2ProvingKey {
    /// The key file: the header, then the verifying key file (length-prefixed), then Plonky2's
    /// encoding of the prover's data.
    pub fn to_bytes(&self) -> Vec<u8> {
        let vk = self.verifying_key.to_bytes();
        let prover = self
            .data
            .to_bytes(&DefaultGateSerializer, &api::GeneratorSerializer)
            .expect("writing to a Vec cannot fail");
        let mut body = Vec::with_capacity(8 + vk.len() + prover.len());
        body.extend_from_slice(&(vk.len() as u64).to_le_bytes());
        body.extend_from_slice(&vk);
        body.extend_from_slice(&prover);
        write_key_file(&self.header, &body)
    }

    /// Reads a proving key: header, embedded verifying key (validated as any verifying key),
    /// and the prover's data (decoded by Plonky2 under `catch_unwind`, its circuit digest and
    /// common data checked against the verifying key's). A version 2 key's body is checked
    /// against the digest in its header first, so a corrupted key is refused as such; the body
    /// is decoded through the same guarded reader as verifying keys and proofs. A version 1
    /// key (no digest) is refused before decoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VerifyError> {
        let (header, body) = read_key_file(bytes, KeyKind::Proving)?;
        if header.backend != Backend::Plonky2 {
            return Err(VerifyError::WrongBackend {
                what: "proving key",
                expected: Backend::Plonky2,
                found: header.backend.to_string(),
            });
        }
        // A version 1 key has no body digest, and the witness generators in its prover data
        // are decoded by Plonky2's own buffer, which allocates whatever length the bytes
        // claim (an abort no guard can catch): refused before decoding. Plonky2's setup is
        // deterministic, so a new setup writes the same circuit (same verifying key) anew.
        if bytes.get(8..12) == Some(&KEY_FORMAT_VERSION_1.to_le_bytes()[..]) {
            return Err(VerifyError::Format(format!(
                "this {} proving key is in key format version 1, which is not read for \
                 Plonky2 (no body digest); run `veil setup --circuit {} --backend plonky2` \
                 to write it again (the same circuit and verifying key)",
                header.circuit, header.circuit
            )));
        }
        let vk_len = body
            .get(..8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .ok_or_else(|| VerifyError::Truncated("Plonky2 proving key body".into()))?;
        let vk_end = usize::try_from(vk_len)
            .ok()
            .and_then(|n| n.checked_add(8))
            .filter(|&end| end <= body.len())
            .ok_or_else(|| VerifyError::Truncated("Plonky2 proving key body".into()))?;
        let verifying_key = Plonky2VerifyingKey::from_bytes(&body[8..vk_end])?;
        if verifying_key.header.circuit != header.circuit
            || verifying_key.header.cs_digest != header.cs_digest
        {
            return Err(VerifyError::Format(
                "the proving key's embedded verifying key is for another circuit".into(),
            ));
        }
        let prover_bytes = &body[vk_end..];
        // Through the guarded reader: a length no remaining bytes could back is refused
        // before Plonky2 allocates for it.
        let data = veil_verifier::plonky2::decode_with("proving key", prover_bytes, |r| {
            plonky2::util::serialization::Read::read_prover_circuit_data::<F, C, D>(
                r,
                &DefaultGateSerializer,
                &api::GeneratorSerializer,
            )
        })?;
        if circuit_digest_bytes_of(&data) != header.cs_digest
            || data.common != verifying_key.data.common
        {
            return Err(VerifyError::Format(
                "the Plonky2 proving key's data is not the circuit its header names".into(),
            ));
        }
        Ok(Plonky2ProvingKey {
            header,
            data,
            verifying_key,
        })
    }

    pub fn read(path: &Path) -> Result<Self, VerifyError> {
        let bytes = std::fs::read(path).map_err(|source| VerifyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }
}

fn circuit_digest_bytes_of(d: &ProverCircuitData<F, C, D>) -> Bytes32 {
    veil_verifier::encoding::goldilocks::limbs_to_digest(&d.prover_only.circuit_digest.elements)
}

/// Builds the circuit data and splits it into the two keys. Deterministic; no secret is
/// involved (Plonky2 needs no trusted setup).
pub fn setup<Cir: Circuit>(
    circuit: &Cir,
) -> Result<(Plonky2ProvingKey, Plonky2VerifyingKey), ProveError> {
    let compiled = compile(circuit)?;
    let vk = Plonky2VerifyingKey::new(circuit.id(), compiled.data.verifier_data());
    let pk = Plonky2ProvingKey {
        header: header(circuit, KeyKind::Proving, vk.header.cs_digest),
        data: compiled.data.prover_data(),
        verifying_key: vk.clone(),
    };
    Ok((pk, vk))
}

/// A circuit ready to prove on Plonky2.
pub struct Prover<Cir: Circuit> {
    circuit: Cir,
    key: Plonky2ProvingKey,
    gates: usize,
}

impl<Cir: Circuit> Prover<Cir> {
    /// Refuses a key made for another circuit, circuit version, backend, or another constraint
    /// system (the circuit is compiled again and its Plonky2 circuit digest compared).
    pub fn new(circuit: Cir, key: Plonky2ProvingKey) -> Result<Self, ProveError> {
        key.header.expect(circuit.id(), Backend::Plonky2)?;
        let compiled = compile(&circuit)?;
        let digest = circuit_digest_bytes(&compiled.data.verifier_only);
        if digest != key.header.cs_digest {
            return Err(VerifyError::ConstraintSystemMismatch {
                expected: digest.to_hex(),
                found: key.header.cs_digest.to_hex(),
            }
            .into());
        }
        Ok(Prover {
            circuit,
            gates: compiled.gates,
            key,
        })
    }

    pub fn circuit(&self) -> &Cir {
        &self.circuit
    }

    pub fn verifying_key(&self) -> &Plonky2VerifyingKey {
        &self.key.verifying_key
    }

    /// Gates placed by the circuit, before padding.
    pub fn gates(&self) -> usize {
        self.gates
    }

    /// Proves without the native check: the constraint system alone decides. `Ok(None)` when
    /// the constraint system refuses the witness.
    pub fn prove_unchecked(
        &self,
        witness: &Cir::Witness,
    ) -> Result<Option<ProofWithPublicInputs<F, C, D>>, ProveError> {
        let api = define(&self.circuit, Some(witness))?;
        if api.builder.num_gates() != self.gates {
            return Err(ProveError::Plonky2(
                "the circuit defined with the witness differs from the compiled one".into(),
            ));
        }
        let mut pw = PartialWitness::<F>::new();
        for (t, v) in api.assignments {
            if pw.set_target(t, v).is_err() {
                return Ok(None);
            }
        }
        let data = &self.key.data;
        let proof = match catch_quiet(|| data.prove(pw)) {
            Some(Ok(p)) => p,
            Some(Err(_)) | None => return Ok(None),
        };
        let vd = &self.key.verifying_key.data;
        let valid = catch_quiet(|| vd.verify(proof.clone())).is_some_and(|r| r.is_ok());
        Ok(valid.then_some(proof))
    }

    /// Checks the witness natively (a clear reason if it is refused), proves, verifies the
    /// proof, and wraps the compressed proof in an envelope.
    pub fn prove(&self, witness: &Cir::Witness) -> Result<ProofEnvelope, ProveError> {
        self.circuit.check::<Hasher>(witness)?;
        let proof = self
            .prove_unchecked(witness)?
            .ok_or_else(|| ProveError::NotSatisfied {
                circuit: self.circuit.id().to_string(),
            })?;
        let statement = Cir::statement(witness);
        if proof.public_inputs != public_inputs(&statement)? {
            return Err(ProveError::Plonky2(
                "the proof's public inputs are not the statement's encoding".into(),
            ));
        }
        let vd = &self.key.verifying_key.data;
        let compressed = proof
            .compress(&vd.verifier_only.circuit_digest, &vd.common)
            .map_err(|e| ProveError::Plonky2(e.to_string()))?;
        Ok(ProofEnvelope {
            circuit: self.circuit.id(),
            circuit_version: self.circuit.id().version(),
            backend: Backend::Plonky2,
            key_digest: self.key.verifying_key.digest,
            statement,
            proof: proof_to_bytes(&compressed.proof),
        })
    }

    /// Proves many witnesses in parallel; `on_done` is called once per finished proof.
    pub fn prove_batch(
        &self,
        witnesses: &[Cir::Witness],
        on_done: &(dyn Fn() + Sync),
    ) -> Vec<Result<ProofEnvelope, ProveError>> {
        witnesses
            .par_iter()
            .map(|w| {
                let out = self.prove(w);
                on_done();
                out
            })
            .collect()
    }
}

/// Whether a witness satisfies the circuit's Plonky2 constraint system (independently of the
/// native check): builds the circuit, proves and verifies. For tests; see
/// [`Prover::prove_unchecked`] to reuse a built circuit.
pub fn satisfies<Cir: Circuit + Clone>(
    circuit: &Cir,
    witness: &Cir::Witness,
) -> Result<bool, ProveError> {
    let (pk, _) = setup(circuit)?;
    let prover = Prover::new(circuit.clone(), pk)?;
    Ok(prover.prove_unchecked(witness)?.is_some())
}

/// Statistics for `veil info --backend plonky2`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Plonky2Info {
    pub circuit: String,
    pub backend: &'static str,
    /// Gates placed by the circuit, before padding.
    pub gates: usize,
    /// log2 of the rows after padding.
    pub degree_bits: usize,
    /// The gate types the circuit uses.
    pub gate_types: Vec<String>,
    pub public_inputs: usize,
    /// Bytes of the verifying key file.
    pub verifying_key_bytes: usize,
}

pub fn info<Cir: Circuit>(circuit: &Cir) -> Result<Plonky2Info, ProveError> {
    let compiled = compile(circuit)?;
    let gates = compiled.gates;
    let vk = Plonky2VerifyingKey::new(circuit.id(), compiled.data.verifier_data());
    Ok(Plonky2Info {
        circuit: circuit.id().to_string(),
        backend: Backend::Plonky2.name(),
        gates,
        degree_bits: compiled.data.common.degree_bits(),
        gate_types: compiled
            .data
            .common
            .gates
            .iter()
            .map(|g| g.0.id())
            .collect(),
        public_inputs: compiled.data.common.num_public_inputs,
        verifying_key_bytes: vk.to_bytes().len(),
    })
}
