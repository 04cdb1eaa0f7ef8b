//! Plonky2 over Goldilocks: verifying keys, proof encodings, single and batch verification.
//!
//! A Plonky2 verifying key is a key file (see [`crate::format`]) with backend code 2 whose body
//! is Plonky2's own encoding of the `VerifierCircuitData` (`VerifierCircuitData::to_bytes`
//! with `DefaultGateSerializer`); the header's constraint-system digest is the circuit's
//! Plonky2 `circuit_digest` (four Goldilocks elements, big-endian as a digest, see
//! [`crate::encoding::goldilocks`]). Proofs in envelopes are Plonky2 *compressed* proofs
//! without their public inputs (`write_compressed_proof`): the verifier rebuilds the public
//! inputs from the envelope's statement.
//!
//! # Reading untrusted bytes
//!
//! Plonky2's decoders were written for trusted input: a length read from garbage can ask for
//! a huge allocation and some paths index or unwrap. veil reads keys and proofs through
//! a guarded reader that refuses any length-like value larger than both the bytes
//! left and 2^26 (so no allocation is asked for that the input cannot back), the decode runs
//! under `std::panic::catch_unwind` as a last resort, silently (a panic becomes
//! [`VerifyError::Format`]), the result must re-encode to exactly the bytes read (one key,
//! one encoding; no trailing bytes), and a verifying key must use veil's circuit configuration
//! with sane sizes before it is used. Decompression and verification also run under
//! `catch_unwind`.

use crate::bytes::Bytes32;
use crate::circuit::{Backend, CircuitId};
use crate::encoding::goldilocks::{digest_to_limbs, limbs_to_digest, public_inputs};
use crate::error::VerifyError;
use crate::format::{
    read_key_bytes, read_key_file_of, write_key_file, KeyHeader, KeyKind, ProofEnvelope,
};
use plonky2::field::extension::Extendable;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::gates::gate::GateRef;
use plonky2::hash::hash_types::{HashOut, RichField};
use plonky2::iop::generator::WitnessGeneratorRef;
use plonky2::plonk::circuit_data::{
    CircuitConfig, CommonCircuitData, VerifierCircuitData, VerifierOnlyCircuitData,
};
use plonky2::plonk::config::PoseidonGoldilocksConfig;
use plonky2::plonk::proof::{CompressedProof, CompressedProofWithPublicInputs};
use plonky2::util::serialization::gate_serialization::GateSerializer;
use plonky2::util::serialization::generator_serialization::WitnessGeneratorSerializer;
use plonky2::util::serialization::{
    Buffer, DefaultGateSerializer, IoError, IoResult, Read, Remaining, Write,
};
use rayon::prelude::*;
use sha3::{Digest as _, Sha3_256};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// The field.
pub type F = GoldilocksField;
/// Plonky2's Poseidon-Goldilocks configuration (Poseidon for Merkle trees and challenges).
pub type C = PoseidonGoldilocksConfig;
/// Extension degree.
pub const D: usize = 2;

/// The circuit configuration of veil's circuits: Plonky2's standard recursion configuration
/// (135 wires, 80 routed, ~100-bit conjectured security: FRI rate 1/8, 28 queries, 16 bits of
/// proof of work) with zero knowledge on, since witnesses are secrets, and FRI folding by 4
/// down to a final polynomial of 4 coefficients.
///
/// Why the folding: zero knowledge in Plonky2 blinds every value a proof opens with a random
/// row, `3 * queries * (1 + 2 * sum(arity - 1) + 2 * final coefficients)` rows (plus 10). With
/// the standard folding (arity 16, final polynomial of 32) that is ~8,000 rows, so veil's small
/// circuits (under 100 gates) would be padded to 2^14 rows; with arity 4 / final 4 they fit
/// 2^12 rows and prove about 5 times faster, with the same security parameters and a slightly
/// smaller proof. A tuned configuration that halves the rows again is measured but not yet
/// adopted: see [`tuned_circuit_config`] and BENCHMARKS.md ("Plonky2 backend").
pub fn circuit_config() -> CircuitConfig {
    previous_circuit_config()
}

/// Configuration 1, what veil's Plonky2 keys use today (see [`circuit_config`]): the standard
/// zero-knowledge recursion configuration (rate 1/8, 28 queries, 16 proof-of-work bits: 3 * 28
/// + 16 = 100 bits conjectured) with FRI folding by 4 to a final polynomial of 4 coefficients.
pub fn previous_circuit_config() -> CircuitConfig {
    let mut c = CircuitConfig::standard_recursion_zk_config();
    c.fri_config.reduction_strategy =
        plonky2::fri::reduction_strategies::FriReductionStrategy::ConstantArityBits(2, 2);
    c
}

/// The tuned configuration measured for issue 12 §3 (configuration 2, not yet the keys'):
/// Plonky2's standard zero-knowledge recursion configuration with FRI rate 1/16 (`rate_bits`
/// 4), 21 queries, 16 proof-of-work bits, Merkle caps of height 4, folding by 2 down to a
/// constant final polynomial.
///
/// Security, under the conjecture Plonky2's standard configuration relies on (the ethSTARK
/// conjecture, which Plonky2's `CircuitBuilder::check_config` checks): `rate_bits *
/// num_query_rounds + proof_of_work_bits` = 4 * 21 + 16 = **100 bits**, as the standard
/// configuration's 3 * 28 + 16 = 100, below the field-size bound of the FRI challenges (the
/// degree-2 extension of Goldilocks, 128 bits); the PLONK challenges are drawn twice
/// (`num_challenges` 2) over the 64-bit field.
///
/// What it buys: zero-knowledge blinding needs `3 * 21 * (1 + 2 * 11 + 2) + 10` = 1,585 rows
/// for a 2^11-row circuit (folding by 2 opens one sibling per halving, the fewest per bit of
/// degree; fewer queries at a higher rate open fewer values), so tier-20 (61 gates) fits 2^11
/// rows instead of 2^12; the low-degree extensions stay 2^15 points, the quotient, witness
/// and blinding work halve.
pub fn tuned_circuit_config() -> CircuitConfig {
    let mut c = CircuitConfig::standard_recursion_zk_config();
    c.fri_config.rate_bits = 4;
    c.fri_config.num_query_rounds = 21;
    c.fri_config.proof_of_work_bits = 16;
    c.fri_config.cap_height = 4;
    c.fri_config.reduction_strategy =
        plonky2::fri::reduction_strategies::FriReductionStrategy::ConstantArityBits(1, 0);
    c
}

/// Limits a verifying key read from a file must respect before it is used.
const MAX_DEGREE_BITS: usize = 24;
const MAX_PUBLIC_INPUTS: usize = 1 << 16;
const MAX_GATE_CONSTRAINTS: usize = 1 << 12;
/// Largest length-like value the guarded reader accepts beyond the bytes left.
const MAX_USIZE: usize = 1 << 26;

/// A Plonky2 reader over a byte slice that refuses length-like values no input could back.
/// Every Plonky2 decode of outside bytes (verifying keys, proving keys, proofs, aggregates)
/// goes through it, by [`decode_with`].
pub struct Guarded<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Remaining for Guarded<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
}

impl Read for Guarded<'_> {
    fn read_exact(&mut self, bytes: &mut [u8]) -> IoResult<()> {
        let n = bytes.len();
        if self.remaining() < n {
            return Err(IoError);
        }
        bytes.copy_from_slice(&self.bytes[self.pos..self.pos + n]);
        self.pos += n;
        Ok(())
    }

    fn read_usize(&mut self) -> IoResult<usize> {
        let mut buf = [0u8; 8];
        self.read_exact(&mut buf)?;
        let v = u64::from_le_bytes(buf);
        let limit = self.remaining().max(MAX_USIZE) as u64;
        if v > limit {
            return Err(IoError);
        }
        Ok(v as usize)
    }

    fn read_gate<F2: RichField + Extendable<D2>, const D2: usize>(
        &mut self,
        gate_serializer: &dyn GateSerializer<F2, D2>,
        common_data: &CommonCircuitData<F2, D2>,
    ) -> IoResult<GateRef<F2, D2>> {
        let mut buf = Buffer::new(&self.bytes[self.pos..]);
        let gate = gate_serializer.read_gate(&mut buf, common_data)?;
        self.pos += buf.pos();
        Ok(gate)
    }

    fn read_generator<F2: RichField + Extendable<D2>, const D2: usize>(
        &mut self,
        generator_serializer: &dyn WitnessGeneratorSerializer<F2, D2>,
        common_data: &CommonCircuitData<F2, D2>,
    ) -> IoResult<WitnessGeneratorRef<F2, D2>> {
        let mut buf = Buffer::new(&self.bytes[self.pos..]);
        let generator = generator_serializer.read_generator(&mut buf, common_data)?;
        self.pos += buf.pos();
        Ok(generator)
    }
}

/// Runs a Plonky2 decode over `bytes` with the guarded reader under `catch_unwind`, and
/// refuses trailing bytes.
pub fn decode_with<T>(
    what: &str,
    bytes: &[u8],
    decode: impl FnOnce(&mut Guarded<'_>) -> IoResult<T>,
) -> Result<T, VerifyError> {
    let mut reader = Guarded { bytes, pos: 0 };
    let out = catch_quiet(|| {
        let v = decode(&mut reader)?;
        Ok::<_, IoError>((v, reader.pos))
    });
    match out {
        Some(Ok((v, pos))) => {
            if pos != bytes.len() {
                return Err(VerifyError::Format(format!(
                    "{} trailing bytes after the Plonky2 {what}",
                    bytes.len() - pos
                )));
            }
            Ok(v)
        }
        Some(Err(_)) => Err(VerifyError::Format(format!(
            "the Plonky2 {what} does not decode (truncated or corrupt)"
        ))),
        None => Err(VerifyError::Format(format!(
            "the Plonky2 {what} does not decode (the decoder failed on it)"
        ))),
    }
}

thread_local! {
    /// Set while this thread runs a guarded Plonky2 call: its panics are expected and quiet.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` under `catch_unwind`; a panic (Plonky2 failing on bytes it did not expect) is
/// returned as `None` without being printed. The first call installs a panic hook that
/// stays silent for panics of such guarded calls on the current thread and hands every other
/// panic to the hook that was there before.
pub fn catch_quiet<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                previous(info)
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let out = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    out.ok()
}

/// Runs `f` under [`catch_quiet`], turning a panic into `err`.
pub fn no_panic<T>(
    f: impl FnOnce() -> T,
    err: impl FnOnce() -> VerifyError,
) -> Result<T, VerifyError> {
    catch_quiet(f).ok_or_else(err)
}

/// The circuit digest of a verifier's data as a 32-byte digest.
pub fn circuit_digest_bytes(v: &VerifierOnlyCircuitData<C, D>) -> Bytes32 {
    limbs_to_digest(&v.circuit_digest.elements)
}

/// The encoding of a compressed proof without its public inputs.
pub fn proof_to_bytes(p: &CompressedProof<F, C, D>) -> Vec<u8> {
    let mut out = Vec::new();
    out.write_compressed_proof(p)
        .expect("writing to a Vec cannot fail");
    out
}

/// Reads a compressed proof for a circuit with `common` data: guarded, canonical, no
/// trailing bytes.
pub fn proof_from_bytes(
    bytes: &[u8],
    common: &CommonCircuitData<F, D>,
) -> Result<CompressedProof<F, C, D>, VerifyError> {
    if bytes.is_empty() {
        return Err(VerifyError::Truncated("the Plonky2 proof is empty".into()));
    }
    let proof = decode_with("proof", bytes, |r| {
        r.read_compressed_proof::<F, C, D>(common)
    })?;
    if proof_to_bytes(&proof) != bytes {
        return Err(VerifyError::NonCanonical(
            "the Plonky2 proof is not canonically encoded".into(),
        ));
    }
    Ok(proof)
}

/// Verifies a compressed proof against raw public inputs, never panicking.
pub fn verify_compressed(
    data: &VerifierCircuitData<F, C, D>,
    proof: CompressedProof<F, C, D>,
    public_inputs: Vec<F>,
) -> Result<(), VerifyError> {
    if public_inputs.len() != data.common.num_public_inputs {
        return Err(VerifyError::PublicInputCount {
            expected: data.common.num_public_inputs,
            found: public_inputs.len(),
        });
    }
    let cp = CompressedProofWithPublicInputs {
        proof,
        public_inputs,
    };
    let verdict = no_panic(
        || {
            let p = cp.decompress(&data.verifier_only.circuit_digest, &data.common)?;
            data.verify(p)
        },
        || VerifyError::InvalidProof,
    )?;
    verdict.map_err(|_| VerifyError::InvalidProof)
}

fn sha3_256(b: &[u8]) -> Bytes32 {
    Bytes32(Sha3_256::digest(b).into())
}

/// Checks a decoded verifier's data uses veil's configuration and sane sizes.
fn check_sane(data: &VerifierCircuitData<F, C, D>) -> Result<(), VerifyError> {
    if data.common.config != circuit_config() {
        let c = &data.common.config.fri_config;
        return Err(VerifyError::Format(format!(
            "Plonky2 verifying key: not made with veil's circuit configuration (it has FRI \
             rate bits {}, {} queries, {} proof-of-work bits)",
            c.rate_bits, c.num_query_rounds, c.proof_of_work_bits
        )));
    }
    check_sane_with(data, &circuit_config(), "verifying key")
}

/// Checks a decoded verifier's data uses `config` and sane sizes (`what` names it in errors).
pub(crate) fn check_sane_with(
    data: &VerifierCircuitData<F, C, D>,
    config: &CircuitConfig,
    what: &str,
) -> Result<(), VerifyError> {
    let c = &data.common;
    let bad = |m: String| Err(VerifyError::Format(format!("Plonky2 {what}: {m}")));
    if &c.config != config {
        return bad("not made with veil's circuit configuration".into());
    }
    if c.degree_bits() > MAX_DEGREE_BITS {
        return bad(format!("degree 2^{} is too large", c.degree_bits()));
    }
    if c.num_public_inputs > MAX_PUBLIC_INPUTS || c.num_gate_constraints > MAX_GATE_CONSTRAINTS {
        return bad("sizes out of range".into());
    }
    for g in &c.gates {
        let g = &g.0;
        // A gate's sizes are products of parameters read from the file (an ArithmeticGate's
        // wires are 4 * num_ops): where overflow is checked they panic on a huge parameter,
        // and a gate that cannot say its sizes does not fit either (found by fuzzing).
        let fits = catch_quiet(|| {
            g.num_wires() <= c.config.num_wires
                && g.num_constants() <= c.num_constants
                && g.num_constraints() <= c.num_gate_constraints
                && g.degree() <= c.quotient_degree_factor + 1
        });
        if fits != Some(true) {
            return bad(format!("gate {} does not fit the circuit", g.id()));
        }
    }
    if data.verifier_only.constants_sigmas_cap.height() != c.config.fri_config.cap_height {
        return bad("constants/sigmas cap of the wrong height".into());
    }
    Ok(())
}

/// A Plonky2 verifying key with its key-file header and the digest proofs name it by.
#[derive(Debug)]
pub struct Plonky2VerifyingKey {
    pub header: KeyHeader,
    pub data: VerifierCircuitData<F, C, D>,
    /// SHA3-256 of the key file ([`Plonky2VerifyingKey::to_bytes`]).
    pub digest: Bytes32,
}

impl Clone for Plonky2VerifyingKey {
    fn clone(&self) -> Self {
        Plonky2VerifyingKey {
            header: self.header.clone(),
            data: VerifierCircuitData {
                verifier_only: self.data.verifier_only.clone(),
                common: self.data.common.clone(),
            },
            digest: self.digest,
        }
    }
}

impl Plonky2VerifyingKey {
    /// Wraps the verifier's data of the current version of `circuit`.
    pub fn new(circuit: CircuitId, data: VerifierCircuitData<F, C, D>) -> Self {
        let header = KeyHeader {
            kind: KeyKind::Verifying,
            backend: Backend::Plonky2,
            circuit,
            circuit_version: circuit.version(),
            cs_digest: circuit_digest_bytes(&data.verifier_only),
            origin: crate::format::KeySource::Unrecorded,
        };
        let mut key = Plonky2VerifyingKey {
            header,
            data,
            digest: Bytes32::ZERO,
        };
        key.digest = sha3_256(&key.to_bytes());
        key
    }

    fn body(&self) -> Vec<u8> {
        self.data
            .to_bytes(&DefaultGateSerializer)
            .expect("writing to a Vec cannot fail")
    }

    /// The key file: the header followed by Plonky2's encoding of the verifier's data.
    pub fn to_bytes(&self) -> Vec<u8> {
        write_key_file(&self.header, &self.body())
    }

    /// Reads a key file (see the module docs for how untrusted bytes are handled). Refuses
    /// anything [`crate::format::read_key_file`] refuses, a key of another backend or circuit version, a body
    /// that does not decode or is not canonical, and a body whose circuit digest is not the
    /// header's.
    pub fn from_bytes(b: &[u8]) -> Result<Self, VerifyError> {
        let (header, body) = read_key_file_of(b, KeyKind::Verifying, Backend::Plonky2)?;
        if body.is_empty() {
            return Err(VerifyError::Truncated(
                "the Plonky2 verifying key body is empty".into(),
            ));
        }
        let data = decode_with("verifying key", body, |r| {
            r.read_verifier_circuit_data::<F, C, D>(&DefaultGateSerializer)
        })?;
        check_sane(&data)?;
        if circuit_digest_bytes(&data.verifier_only) != header.cs_digest {
            return Err(VerifyError::Format(
                "the key body's circuit digest is not the one in its header".into(),
            ));
        }
        let key = Plonky2VerifyingKey {
            header,
            data,
            digest: sha3_256(b),
        };
        if no_panic(
            || key.to_bytes(),
            || VerifyError::Format("re-encoding failed".into()),
        )? != b
        {
            return Err(VerifyError::Format(
                "non-canonical Plonky2 verifying key encoding".into(),
            ));
        }
        Ok(key)
    }

    /// Reads a key file from disk; see [`Plonky2VerifyingKey::from_bytes`].
    pub fn read(path: &Path) -> Result<Self, VerifyError> {
        Self::from_bytes(&read_key_bytes(path)?)
    }

    pub fn circuit(&self) -> CircuitId {
        self.header.circuit
    }

    /// Number of public inputs (Goldilocks elements) the key expects.
    pub fn num_public_inputs(&self) -> usize {
        self.data.common.num_public_inputs
    }

    /// The circuit's degree (log2 of its number of rows).
    pub fn degree_bits(&self) -> usize {
        self.data.common.degree_bits()
    }

    /// Checks an envelope names this key, circuit and backend and decodes it.
    fn decode(
        &self,
        env: &ProofEnvelope,
    ) -> Result<(CompressedProof<F, C, D>, Vec<F>), VerifyError> {
        check_envelope_header(&self.header, self.digest, env)?;
        let inputs = public_inputs(&env.statement)?;
        if inputs.len() != self.num_public_inputs() {
            return Err(VerifyError::PublicInputCount {
                expected: self.num_public_inputs(),
                found: inputs.len(),
            });
        }
        let proof = proof_from_bytes(&env.proof, &self.data.common)?;
        Ok((proof, inputs))
    }

    /// Verifies one envelope: backend, circuit, circuit version and key digest must be this
    /// key's, the statement must encode to exactly this key's public inputs, the proof bytes
    /// must decode canonically, and the FRI/PLONK verification must pass.
    pub fn verify(&self, env: &ProofEnvelope) -> Result<(), VerifyError> {
        let (proof, inputs) = self.decode(env)?;
        verify_compressed(&self.data, proof, inputs)
    }

    /// Verifies many envelopes of this key's circuit, in parallel (Plonky2 has no batched
    /// check: each proof is verified on its own). A refusal before verification is reported
    /// as [`VerifyError::BatchItem`] with the lowest failing index; invalid proofs as
    /// [`VerifyError::InvalidProofs`]. An empty batch is valid.
    pub fn verify_batch(&self, envs: &[ProofEnvelope]) -> Result<(), VerifyError> {
        let decoded: Vec<_> = envs.par_iter().map(|e| self.decode(e)).collect();
        let mut items = Vec::with_capacity(decoded.len());
        for (index, d) in decoded.into_iter().enumerate() {
            match d {
                Ok(item) => items.push(item),
                Err(e) => {
                    return Err(VerifyError::BatchItem {
                        index,
                        source: Box::new(e),
                    })
                }
            }
        }
        let failing: Vec<usize> = items
            .into_par_iter()
            .enumerate()
            .filter_map(|(i, (p, x))| verify_compressed(&self.data, p, x).err().map(|_| i))
            .collect();
        if failing.is_empty() {
            Ok(())
        } else {
            Err(VerifyError::InvalidProofs(failing))
        }
    }
}

/// The checks on an envelope's header shared by every backend's verifier.
pub(crate) fn check_envelope_header(
    key: &KeyHeader,
    key_digest: Bytes32,
    env: &ProofEnvelope,
) -> Result<(), VerifyError> {
    if env.backend != key.backend {
        return Err(VerifyError::WrongBackend {
            what: "proof",
            expected: key.backend,
            found: env.backend.to_string(),
        });
    }
    if env.circuit != key.circuit {
        return Err(VerifyError::WrongCircuit {
            what: "proof",
            expected: key.circuit.to_string(),
            found: env.circuit.to_string(),
        });
    }
    if env.circuit_version != key.circuit_version {
        return Err(VerifyError::WrongCircuitVersion {
            what: "proof",
            circuit: env.circuit.to_string(),
            expected: key.circuit_version,
            found: env.circuit_version,
        });
    }
    if env.key_digest != key_digest {
        return Err(VerifyError::WrongKey {
            expected: key_digest.to_hex(),
            found: env.key_digest.to_hex(),
        });
    }
    if env.statement.kind() != env.circuit.kind {
        return Err(VerifyError::Format(format!(
            "the envelope holds a {} statement for a {} circuit",
            env.statement.kind().name(),
            env.circuit.kind.name()
        )));
    }
    Ok(())
}

/// A digest as a Plonky2 `HashOut`.
pub fn digest_to_hash(d: &Bytes32) -> Result<HashOut<F>, VerifyError> {
    Ok(HashOut {
        elements: digest_to_limbs(d)?,
    })
}
