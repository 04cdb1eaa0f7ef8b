//! Groth16 on BLS12-381: compile a circuit to R1CS, generate keys, prove, batch-prove.
//!
//! Proving reuses the constraint matrices made once when the prover is built: each proof
//! only computes its witness (no matrix construction, no linear-combination inlining), its
//! QAP witness with ark-groth16's `LibsnarkReduction`, and the proof with
//! [`crate::msm::create_proof`]: the group elements ark-groth16's
//! `create_proof_with_reduction_and_matrices` computes, with the MSMs on the prover's
//! [`crate::msm::MsmEngine`] (blst by default, arkworks on request: bit-identical proofs).

use crate::error::ProveError;
use crate::msm::{create_proof, ArkEngine, EngineKind, PreparedKey};
use crate::r1cs::R1csApi;
use ark_bls12_381::{Bls12_381, Fr};
use ark_ff::UniformRand;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{Groth16, ProvingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, Matrix, OptimizationGoal,
    SynthesisError, SynthesisMode, R1CS_PREDICATE_LABEL,
};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::cell::RefCell;
use std::path::Path;
use veil_circuits::{Circuit, NativeHasher, PoseidonBls12};
use veil_verifier::format::{
    check_key_digest, read_key_file_unchecked, write_key_file, write_key_file_version, KeyHeader,
    KeyKind, ProofEnvelope, KEY_FORMAT_VERSION_3,
};
use veil_verifier::groth16::{proof_to_bytes, Groth16VerifyingKey, PreparedVerifier};
use veil_verifier::{Backend, Bytes32, CircuitId, VerifyError};

/// The hash family of the Groth16 backend, for native checks and witness building.
pub type Hasher = PoseidonBls12;

/// A circuit compiled to R1CS: its matrices and sizes.
pub struct Compiled {
    pub circuit: CircuitId,
    /// A, B, C.
    pub matrices: Vec<Matrix<Fr>>,
    /// Instance variables including the constant one.
    pub num_instance: usize,
    pub num_witness: usize,
    pub num_constraints: usize,
    /// SHA3-256 of the matrices and sizes: keys made for another constraint system are refused.
    pub cs_digest: Bytes32,
}

impl Compiled {
    pub fn public_inputs(&self) -> usize {
        self.num_instance - 1
    }

    /// The first row of the constraint system the assignment violates, if any.
    pub fn first_unsatisfied(&self, assignment: &[Fr]) -> Option<usize> {
        let eval = |row: &[(Fr, usize)]| -> Fr {
            row.iter()
                .map(|(c, i)| *c * assignment.get(*i).copied().unwrap_or_default())
                .sum()
        };
        (0..self.num_constraints).find(|&r| {
            eval(&self.matrices[0][r]) * eval(&self.matrices[1][r]) != eval(&self.matrices[2][r])
        })
    }
}

/// Adapts a veil circuit to arkworks' `ConstraintSynthesizer`, so that any arkworks tool
/// (key generation, `Groth16::prove`, constraint inspection) can consume it. A circuit error
/// is reported as `Unsatisfiable` to arkworks and kept in `error` for the caller.
pub struct ArkCircuit<'a, C: Circuit> {
    pub circuit: &'a C,
    pub witness: Option<&'a C::Witness>,
    pub error: &'a RefCell<Option<veil_circuits::CircuitError>>,
}

impl<C: Circuit> ConstraintSynthesizer<Fr> for ArkCircuit<'_, C> {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let mut api = R1csApi::new(cs);
        self.circuit.define(&mut api, self.witness).map_err(|e| {
            *self.error.borrow_mut() = Some(e);
            SynthesisError::Unsatisfiable
        })
    }
}

fn synth_error(
    e: SynthesisError,
    side: &RefCell<Option<veil_circuits::CircuitError>>,
) -> ProveError {
    match side.borrow_mut().take() {
        Some(c) => ProveError::Circuit(c),
        None => ProveError::Groth16(e.to_string()),
    }
}

/// Domain tag of the constraint-system digest.
pub(crate) const CS_DIGEST_TAG: &[u8] = b"veil-r1cs-v1";

/// SHA3-256 of the tag, the sizes and the matrices (per row its length, per entry the
/// canonical little-endian coefficient and the index): the bytes a version 3 key stores.
fn digest_matrices(c: &Compiled) -> Bytes32 {
    let mut encoded = Vec::new();
    crate::groth16_key::encode_cs(&mut encoded, c);
    crate::groth16_key::cs_digest_of(&encoded)
}

/// Synthesizes the circuit in setup mode and returns its matrices.
pub fn compile<C: Circuit>(circuit: &C) -> Result<Compiled, ProveError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    circuit.define(&mut R1csApi::new(cs.clone()), None)?;
    cs.finalize();
    let mut all = cs
        .to_matrices()
        .map_err(|e| ProveError::Groth16(e.to_string()))?;
    let matrices = all
        .remove(R1CS_PREDICATE_LABEL)
        .ok_or_else(|| ProveError::Groth16("no R1CS constraints".into()))?;
    let mut compiled = Compiled {
        circuit: circuit.id(),
        matrices,
        num_instance: cs.num_instance_variables(),
        num_witness: cs.num_witness_variables(),
        num_constraints: cs.num_constraints(),
        cs_digest: Bytes32::ZERO,
    };
    compiled.cs_digest = digest_matrices(&compiled);
    Ok(compiled)
}

/// The full assignment (1, public inputs, witness) for a witness, without building matrices.
pub fn assignment<C: Circuit>(circuit: &C, witness: &C::Witness) -> Result<Vec<Fr>, ProveError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    });
    circuit.define(&mut R1csApi::new(cs.clone()), Some(witness))?;
    let mut full = cs
        .instance_assignment()
        .map_err(|e| ProveError::Groth16(e.to_string()))?;
    full.extend(
        cs.witness_assignment()
            .map_err(|e| ProveError::Groth16(e.to_string()))?,
    );
    Ok(full)
}

/// A Groth16 proving key with its versioned header.
pub struct Groth16ProvingKey {
    pub header: KeyHeader,
    pub pk: ProvingKey<Bls12_381>,
}

impl Groth16ProvingKey {
    /// The key file in layout version 2: the arkworks key compressed, validated on read.
    /// `veil setup` writes version 3 instead ([`Groth16ProvingKey::to_bytes_v3`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::new();
        self.pk
            .serialize_compressed(&mut body)
            .expect("writing to a Vec cannot fail");
        write_key_file(&self.header, &body)
    }

    /// The key file in layout version 3 (see [`crate::groth16_key`]): uncompressed points
    /// and the compiled constraint system, so that a prover loads it in milliseconds and
    /// needs not compile the circuit. `compiled` must be the constraint system the key was
    /// made for (its digest is the header's).
    pub fn to_bytes_v3(&self, compiled: &Compiled) -> Result<Vec<u8>, ProveError> {
        if compiled.circuit != self.header.circuit || compiled.cs_digest != self.header.cs_digest {
            return Err(VerifyError::ConstraintSystemMismatch {
                expected: self.header.cs_digest.to_hex(),
                found: compiled.cs_digest.to_hex(),
            }
            .into());
        }
        let body = crate::groth16_key::encode(&self.pk, compiled);
        Ok(write_key_file_version(
            &self.header,
            &body,
            KEY_FORMAT_VERSION_3,
        ))
    }

    /// Reads a proving key of any layout version: version 1 and 2 bodies validated (points
    /// on the curve and in the subgroup), version 3 checked by its body digest and its stored
    /// constraint system by the header's digest (the constraint system is dropped here; see
    /// [`Groth16ProvingKey::from_bytes_with_compiled`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VerifyError> {
        Self::from_bytes_with_compiled(bytes).map(|(key, _)| key)
    }

    /// [`Groth16ProvingKey::from_bytes`], also returning the compiled constraint system a
    /// version 3 key stores (`None` for versions 1 and 2).
    pub fn from_bytes_with_compiled(bytes: &[u8]) -> Result<(Self, Option<Compiled>), VerifyError> {
        let (version, header, body) = read_key_file_unchecked(bytes, KeyKind::Proving)?;
        if header.backend != Backend::Groth16 {
            return Err(VerifyError::WrongBackend {
                what: "proving key",
                expected: Backend::Groth16,
                found: header.backend.to_string(),
            });
        }
        if version == KEY_FORMAT_VERSION_3 {
            // The body digest (SHA3 over megabytes) beside the decode; nothing is returned
            // unless both succeed, and a digest mismatch is reported first.
            let (digest, decoded) = rayon::join(
                || check_key_digest(bytes, KeyKind::Proving),
                || crate::groth16_key::decode(body, header.circuit, header.cs_digest),
            );
            digest?;
            let (pk, compiled) = decoded?;
            return Ok((Groth16ProvingKey { header, pk }, Some(compiled)));
        }
        check_key_digest(bytes, KeyKind::Proving)?;
        let mut reader = body;
        let pk = ProvingKey::<Bls12_381>::deserialize_with_mode(
            &mut reader,
            Compress::Yes,
            Validate::Yes,
        )
        .map_err(|e| VerifyError::InvalidPoint {
            what: "proving key",
            detail: e.to_string(),
        })?;
        if !reader.is_empty() {
            return Err(VerifyError::Format(
                "trailing bytes after the proving key".into(),
            ));
        }
        Ok((Groth16ProvingKey { header, pk }, None))
    }

    pub fn read(path: &Path) -> Result<Self, VerifyError> {
        let bytes = std::fs::read(path).map_err(|source| VerifyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    pub fn verifying_key(&self) -> Groth16VerifyingKey {
        Groth16VerifyingKey::new(
            self.header.circuit,
            self.header.cs_digest,
            self.pk.vk.clone(),
        )
        .with_origin(self.header.origin)
    }
}

/// Key generation from a seed. UNSAFE FOR PRODUCTION: whoever knows the seed knows the
/// toxic waste and can forge proofs. For development, tests and demos only; production keys
/// come from the ceremony.
pub fn dev_setup<C: Circuit>(
    circuit: &C,
    seed: [u8; 32],
) -> Result<(Groth16ProvingKey, Groth16VerifyingKey), ProveError> {
    dev_setup_compiled(circuit, seed).map(|(pk, vk, _)| (pk, vk))
}

/// [`dev_setup`], also returning the compiled constraint system (what a version 3 key file
/// stores, [`Groth16ProvingKey::to_bytes_v3`]). UNSAFE FOR PRODUCTION, as [`dev_setup`].
pub fn dev_setup_compiled<C: Circuit>(
    circuit: &C,
    seed: [u8; 32],
) -> Result<(Groth16ProvingKey, Groth16VerifyingKey, Compiled), ProveError> {
    let compiled = compile(circuit)?;
    let side = RefCell::new(None);
    let mut rng = ChaCha20Rng::from_seed(seed);
    let pk = Groth16::<Bls12_381>::generate_random_parameters_with_reduction(
        ArkCircuit {
            circuit,
            witness: None,
            error: &side,
        },
        &mut rng,
    )
    .map_err(|e| synth_error(e, &side))?;
    let header = KeyHeader {
        kind: KeyKind::Proving,
        backend: Backend::Groth16,
        circuit: circuit.id(),
        circuit_version: circuit.id().version(),
        cs_digest: compiled.cs_digest,
        origin: veil_verifier::KeySource::Unrecorded,
    };
    let pkf = Groth16ProvingKey { header, pk };
    let vk = pkf.verifying_key();
    Ok((pkf, vk, compiled))
}

/// The proving key's MSM queries in the chosen engine's form.
enum PreparedQueries {
    Ark(PreparedKey<ArkEngine>),
    #[cfg(feature = "blst")]
    Blst(PreparedKey<crate::msm::BlstEngine>),
}

impl PreparedQueries {
    fn new(kind: EngineKind, pk: &ProvingKey<Bls12_381>) -> Result<Self, ProveError> {
        match kind {
            EngineKind::Ark => Ok(PreparedQueries::Ark(PreparedKey::new(&ArkEngine, pk))),
            #[cfg(feature = "blst")]
            EngineKind::Blst => Ok(PreparedQueries::Blst(PreparedKey::new(
                &crate::msm::BlstEngine,
                pk,
            ))),
            #[cfg(not(feature = "blst"))]
            EngineKind::Blst => Err(ProveError::Groth16(
                "the blst MSM engine is not in this build (cargo feature `blst` of veil-prover)"
                    .into(),
            )),
        }
    }

    fn kind(&self) -> EngineKind {
        match self {
            PreparedQueries::Ark(_) => EngineKind::Ark,
            #[cfg(feature = "blst")]
            PreparedQueries::Blst(_) => EngineKind::Blst,
        }
    }

    fn prove(
        &self,
        r: Fr,
        s: Fr,
        h: &[Fr],
        full: &[Fr],
        num_inputs: usize,
    ) -> ark_groth16::Proof<Bls12_381> {
        match self {
            PreparedQueries::Ark(k) => create_proof(&ArkEngine, k, r, s, h, full, num_inputs),
            #[cfg(feature = "blst")]
            PreparedQueries::Blst(k) => {
                create_proof(&crate::msm::BlstEngine, k, r, s, h, full, num_inputs)
            }
        }
    }
}

/// What a proof needs once its witness is computed: the assignment, the QAP witness and
/// the randomness (the first stage of a proof; see [`Prover::prove_batch`]).
struct WitnessStage {
    full: Vec<Fr>,
    h: Vec<Fr>,
    r: Fr,
    s: Fr,
}

/// A circuit ready to prove: compiled once, proving key checked against it, its MSM
/// queries prepared once for the MSM engine.
pub struct Prover<C: Circuit> {
    circuit: C,
    compiled: Compiled,
    /// The key without its MSM queries (they live in `queries`, in the engine's form).
    key: Groth16ProvingKey,
    key_digest: Bytes32,
    /// The key's own verifying half: every proof is checked with it before it is returned.
    verifier: PreparedVerifier,
    queries: PreparedQueries,
}

impl<C: Circuit> Prover<C> {
    /// Refuses a key made for another circuit, circuit version, backend or constraint system.
    pub fn new(circuit: C, key: Groth16ProvingKey) -> Result<Self, ProveError> {
        key.header.expect(circuit.id(), Backend::Groth16)?;
        let compiled = compile(&circuit)?;
        Self::with_compiled(circuit, key, compiled)
    }

    /// A prover over a constraint system compiled earlier (the one a version 3 key file
    /// stores), without compiling the circuit again. Refuses a key or a constraint system
    /// of another circuit, circuit version or backend, and a constraint system whose digest
    /// is not the key's.
    pub fn with_compiled(
        circuit: C,
        key: Groth16ProvingKey,
        compiled: Compiled,
    ) -> Result<Self, ProveError> {
        let engine = EngineKind::default_kind().map_err(ProveError::Groth16)?;
        Self::with_engine(circuit, key, compiled, engine)
    }

    /// [`Prover::with_compiled`] with an explicit MSM engine (refused if not in this build).
    pub fn with_engine(
        circuit: C,
        mut key: Groth16ProvingKey,
        compiled: Compiled,
        engine: EngineKind,
    ) -> Result<Self, ProveError> {
        key.header.expect(circuit.id(), Backend::Groth16)?;
        if compiled.circuit != circuit.id() {
            return Err(VerifyError::WrongCircuit {
                what: "compiled constraint system",
                expected: circuit.id().to_string(),
                found: compiled.circuit.to_string(),
            }
            .into());
        }
        if compiled.cs_digest != key.header.cs_digest {
            return Err(VerifyError::ConstraintSystemMismatch {
                expected: compiled.cs_digest.to_hex(),
                found: key.header.cs_digest.to_hex(),
            }
            .into());
        }
        if key.pk.vk.gamma_abc_g1.len() != compiled.num_instance {
            return Err(VerifyError::PublicInputCount {
                expected: compiled.public_inputs(),
                found: key.pk.vk.gamma_abc_g1.len().saturating_sub(1),
            }
            .into());
        }
        let n = compiled.num_instance + compiled.num_witness;
        let pk = &key.pk;
        if pk.a_query.len() != n || pk.b_g1_query.len() != n || pk.b_g2_query.len() != n {
            return Err(ProveError::Groth16(format!(
                "the proving key's queries have {}, {} and {} points for {n} variables",
                pk.a_query.len(),
                pk.b_g1_query.len(),
                pk.b_g2_query.len()
            )));
        }
        if pk.l_query.len() != compiled.num_witness {
            return Err(ProveError::Groth16(format!(
                "the proving key's L query has {} points for {} witness variables",
                pk.l_query.len(),
                compiled.num_witness
            )));
        }
        let queries = PreparedQueries::new(engine, &key.pk)?;
        // The prepared form replaces the queries: the prover holds the key's points once.
        for q in [
            &mut key.pk.a_query,
            &mut key.pk.b_g1_query,
            &mut key.pk.h_query,
            &mut key.pk.l_query,
        ] {
            *q = Vec::new();
        }
        key.pk.b_g2_query = Vec::new();
        let vk = key.verifying_key();
        Ok(Prover {
            circuit,
            compiled,
            key,
            key_digest: vk.digest,
            verifier: vk.prepare(),
            queries,
        })
    }

    /// The MSM engine this prover's proofs run on.
    pub fn engine(&self) -> EngineKind {
        self.queries.kind()
    }

    /// A prover from a proving key file of any layout version: a version 3 key brings its
    /// constraint system, older ones are compiled from the circuit.
    pub fn from_key_bytes(circuit: C, bytes: &[u8]) -> Result<Self, ProveError> {
        let (key, compiled) = Groth16ProvingKey::from_bytes_with_compiled(bytes)?;
        key.header.expect(circuit.id(), Backend::Groth16)?;
        match compiled {
            Some(compiled) => Self::with_compiled(circuit, key, compiled),
            None => Self::new(circuit, key),
        }
    }

    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    pub fn circuit(&self) -> &C {
        &self.circuit
    }

    pub fn verifying_key(&self) -> Groth16VerifyingKey {
        self.key.verifying_key()
    }

    /// Verifies an envelope with the key's verifying half (prepared once, in [`Prover::new`]).
    pub fn verify(&self, envelope: &ProofEnvelope) -> Result<(), VerifyError> {
        self.verifier.verify(envelope)
    }

    /// Checks the witness natively (a clear reason if it is refused), computes the
    /// assignment, checks it against the constraint system, and proves.
    pub fn prove(&self, witness: &C::Witness) -> Result<ProofEnvelope, ProveError> {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        self.prove_with_rng(witness, &mut ChaCha20Rng::from_seed(seed))
    }

    pub fn prove_with_rng(
        &self,
        witness: &C::Witness,
        rng: &mut ChaCha20Rng,
    ) -> Result<ProofEnvelope, ProveError> {
        let stage = self.witness_stage(witness, rng)?;
        self.msm_stage(witness, stage)
    }

    /// The first stage of a proof: the native check, the assignment, its check against the
    /// constraint system, the randomness `r, s` (drawn in that order, as ark-groth16 does)
    /// and the QAP witness `h`.
    fn witness_stage(
        &self,
        witness: &C::Witness,
        rng: &mut ChaCha20Rng,
    ) -> Result<WitnessStage, ProveError> {
        self.circuit.check::<Hasher>(witness)?;
        let full = assignment(&self.circuit, witness)?;
        if let Some(row) = self.compiled.first_unsatisfied(&full) {
            return Err(ProveError::Unsatisfied {
                circuit: self.circuit.id().to_string(),
                row,
            });
        }
        let r = Fr::rand(rng);
        let s = Fr::rand(rng);
        let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
            &self.compiled.matrices,
            self.compiled.num_instance,
            self.compiled.num_constraints,
            &full,
        )
        .map_err(|e| ProveError::Groth16(e.to_string()))?;
        Ok(WitnessStage { full, h, r, s })
    }

    /// The second stage: the MSMs on the engine, the envelope, its check against the key's
    /// verifying half.
    fn msm_stage(
        &self,
        witness: &C::Witness,
        stage: WitnessStage,
    ) -> Result<ProofEnvelope, ProveError> {
        let WitnessStage { full, h, r, s } = stage;
        let proof = self
            .queries
            .prove(r, s, &h, &full, self.compiled.num_instance);
        drop((full, h));
        let envelope = ProofEnvelope {
            circuit: self.circuit.id(),
            circuit_version: self.circuit.id().version(),
            backend: Backend::Groth16,
            key_digest: self.key_digest,
            statement: C::statement(witness),
            proof: proof_to_bytes(&proof),
        };
        // A proving key with a wrong point (corrupted before its digest was computed, or
        // made that way) proves "successfully" a proof that does not verify: never return one.
        self.verifier
            .verify(&envelope)
            .map_err(|e| ProveError::ProofDoesNotVerify(e.to_string()))?;
        Ok(envelope)
    }

    /// Proves many witnesses, pipelined: the witness of proof `i + 1` (native check,
    /// synthesis, constraint check, the QAP's FFTs: mostly one thread) is computed while the
    /// MSMs of proof `i` run on the other threads (`rayon::join`), so at most two proofs are
    /// in memory at once. `on_done` is called once per finished proof. Each result stands
    /// alone: one bad witness does not stop the others. Proof `i` draws its randomness from
    /// stream `i` of one random seed.
    pub fn prove_batch(
        &self,
        witnesses: &[C::Witness],
        on_done: &(dyn Fn() + Sync),
    ) -> Vec<Result<ProofEnvelope, ProveError>> {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        self.prove_batch_with_seed(witnesses, seed, on_done)
    }

    /// [`Prover::prove_batch`] with the seed given (proof `i` is `prove_with_rng` with
    /// stream `i` of `ChaCha20Rng::from_seed(seed)`).
    pub fn prove_batch_with_seed(
        &self,
        witnesses: &[C::Witness],
        seed: [u8; 32],
        on_done: &(dyn Fn() + Sync),
    ) -> Vec<Result<ProofEnvelope, ProveError>> {
        let first = |i: usize| {
            let mut rng = ChaCha20Rng::from_seed(seed);
            rng.set_stream(i as u64);
            self.witness_stage(&witnesses[i], &mut rng)
        };
        let mut results = Vec::with_capacity(witnesses.len());
        let mut next = (!witnesses.is_empty()).then(|| first(0));
        for i in 0..witnesses.len() {
            let Some(stage) = next.take() else { break };
            let (done, following) = rayon::join(
                || stage.and_then(|st| self.msm_stage(&witnesses[i], st)),
                || (i + 1 < witnesses.len()).then(|| first(i + 1)),
            );
            on_done();
            results.push(done);
            next = following;
        }
        results
    }
}

/// Whether a witness satisfies the circuit's constraint system (independently of the
/// native check): the tests use it to hold `check` and `define` to each other.
pub fn satisfies<C: Circuit>(circuit: &C, witness: &C::Witness) -> Result<bool, ProveError> {
    let compiled = compile(circuit)?;
    let full = assignment(circuit, witness)?;
    Ok(compiled.first_unsatisfied(&full).is_none())
}

/// Statistics for `veil info`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CircuitInfo {
    pub circuit: String,
    pub backend: &'static str,
    pub constraints: usize,
    pub public_inputs: usize,
    pub secret_inputs: usize,
    pub variables: usize,
}

pub fn info<C: Circuit>(circuit: &C) -> Result<CircuitInfo, ProveError> {
    let c = compile(circuit)?;
    Ok(CircuitInfo {
        circuit: circuit.id().to_string(),
        backend: Backend::Groth16.name(),
        constraints: c.num_constraints,
        public_inputs: c.public_inputs(),
        secret_inputs: c.num_witness,
        variables: c.num_instance + c.num_witness,
    })
}

/// Checks the native hasher used by this backend is the one the witnesses were built with.
pub fn native_hash_is_canonical(b: &Bytes32) -> bool {
    Hasher::is_canonical(b)
}
