//! Groth16 over BLS12-381: proof and verifying-key encodings, single and batch verification.
//!
//! Proofs are the compressed `ark-serialize` encoding of `(A, B, C)` (48 + 96 + 48 bytes);
//! verifying keys are a key file (see [`crate::format`]) whose body is the compressed encoding
//! of the `ark-groth16` verifying key. Both are read validated: every point must be on the
//! curve and in the prime-order subgroup, and nothing may follow the encoding.

use crate::bytes::Bytes32;
use crate::circuit::{Backend, CircuitId};
use crate::encoding::bls12_381::public_inputs;
use crate::error::VerifyError;
use crate::format::{
    read_key_bytes, read_key_file_of, write_key_file, KeyHeader, KeyKind, KeySource, ProofEnvelope,
};
use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective};
use ark_ec::pairing::{Pairing, PairingOutput};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::Zero;
use ark_groth16::{PreparedVerifyingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use sha3::{Digest as _, Sha3_256};
use std::path::Path;

/// A Groth16 proof over BLS12-381.
pub type Proof = ark_groth16::Proof<Bls12_381>;

/// Size in bytes of a compressed proof: A in G1 (48), B in G2 (96), C in G1 (48).
pub const PROOF_SIZE: usize = 48 + 96 + 48;

/// Size of the fixed part of a compressed verifying key: alpha (G1), beta, gamma, delta (G2).
const VK_FIXED_SIZE: usize = 48 + 3 * 96;
/// Size of one compressed G1 point.
const G1_SIZE: usize = 48;

type G1Prepared = <Bls12_381 as Pairing>::G1Prepared;
type G2Prepared = <Bls12_381 as Pairing>::G2Prepared;

/// The compressed encoding of a proof ([`PROOF_SIZE`] bytes).
pub fn proof_to_bytes(p: &Proof) -> Vec<u8> {
    let mut out = Vec::with_capacity(PROOF_SIZE);
    p.serialize_compressed(&mut out)
        .expect("writing to a Vec cannot fail");
    out
}

/// Reads a compressed proof, validated: every point on the curve and in the prime-order
/// subgroup. Refuses short input ([`VerifyError::Truncated`]), trailing bytes
/// ([`VerifyError::Format`]) and bad points ([`VerifyError::InvalidPoint`]).
pub fn proof_from_bytes(b: &[u8]) -> Result<Proof, VerifyError> {
    if b.len() < PROOF_SIZE {
        return Err(VerifyError::Truncated(format!(
            "a Groth16 proof is {PROOF_SIZE} bytes, got {}",
            b.len()
        )));
    }
    if b.len() > PROOF_SIZE {
        return Err(VerifyError::Format(format!(
            "{} trailing bytes after the Groth16 proof",
            b.len() - PROOF_SIZE
        )));
    }
    Proof::deserialize_with_mode(b, Compress::Yes, Validate::Yes).map_err(|e| {
        VerifyError::InvalidPoint {
            what: "proof",
            detail: e.to_string(),
        }
    })
}

/// Reads the compressed body of a verifying key, validated, refusing trailing bytes.
fn vk_from_body(body: &[u8]) -> Result<VerifyingKey<Bls12_381>, VerifyError> {
    let truncated = |need: usize| {
        VerifyError::Truncated(format!(
            "Groth16 verifying key needs {need} bytes, the key body has {}",
            body.len()
        ))
    };
    let len_bytes = body
        .get(VK_FIXED_SIZE..VK_FIXED_SIZE + 8)
        .ok_or_else(|| truncated(VK_FIXED_SIZE + 8))?;
    let mut len = [0u8; 8];
    len.copy_from_slice(len_bytes);
    let n = u64::from_le_bytes(len);
    let need = usize::try_from(n)
        .ok()
        .and_then(|n| n.checked_mul(G1_SIZE))
        .and_then(|s| s.checked_add(VK_FIXED_SIZE + 8))
        .ok_or_else(|| truncated(usize::MAX))?;
    if body.len() < need {
        return Err(truncated(need));
    }
    if body.len() > need {
        return Err(VerifyError::Format(format!(
            "{} trailing bytes after the Groth16 verifying key",
            body.len() - need
        )));
    }
    if n == 0 {
        return Err(VerifyError::Format(
            "Groth16 verifying key has no input commitments (gamma_abc_g1 is empty)".into(),
        ));
    }
    VerifyingKey::<Bls12_381>::deserialize_with_mode(body, Compress::Yes, Validate::Yes).map_err(
        |e| VerifyError::InvalidPoint {
            what: "verifying key",
            detail: e.to_string(),
        },
    )
}

/// A Groth16 verifying key with its key-file header and the digest proofs name it by.
#[derive(Clone, Debug, PartialEq)]
pub struct Groth16VerifyingKey {
    pub header: KeyHeader,
    pub vk: VerifyingKey<Bls12_381>,
    /// SHA3-256 of the key file ([`Groth16VerifyingKey::to_bytes`]).
    pub digest: Bytes32,
}

impl Groth16VerifyingKey {
    /// Wraps a verifying key made for the current version of `circuit`, whose constraint
    /// system has digest `cs_digest`.
    pub fn new(circuit: CircuitId, cs_digest: Bytes32, vk: VerifyingKey<Bls12_381>) -> Self {
        let header = KeyHeader {
            kind: KeyKind::Verifying,
            backend: Backend::Groth16,
            circuit,
            circuit_version: circuit.version(),
            cs_digest,
            origin: KeySource::Unrecorded,
        };
        let mut key = Groth16VerifyingKey {
            header,
            vk,
            digest: Bytes32::ZERO,
        };
        key.digest = sha3_256(&key.to_bytes());
        key
    }

    /// The same key with `origin` recorded in its header (key format version 4 when
    /// recorded): a new file, so a new key id.
    pub fn with_origin(mut self, origin: KeySource) -> Self {
        self.header.origin = origin;
        self.digest = sha3_256(&self.to_bytes());
        self
    }

    /// Where the key's header says it comes from (see [`crate::pinning::KeyOrigin`]).
    pub fn origin(&self) -> crate::pinning::KeyOrigin {
        crate::pinning::KeyOrigin::of(&self.header)
    }

    /// The key file: the header followed by the compressed verifying key.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(self.vk.compressed_size());
        self.vk
            .serialize_compressed(&mut body)
            .expect("writing to a Vec cannot fail");
        write_key_file(&self.header, &body)
    }

    /// Reads a key file, validated. Refuses anything [`crate::format::read_key_file`] refuses, a key of
    /// another backend, a key made for another version of its circuit's rules, bad points,
    /// and non-canonical encodings.
    pub fn from_bytes(b: &[u8]) -> Result<Self, VerifyError> {
        let (header, body) = read_key_file_of(b, KeyKind::Verifying, Backend::Groth16)?;
        let vk = vk_from_body(body)?;
        let key = Groth16VerifyingKey {
            header,
            vk,
            digest: sha3_256(b),
        };
        // One key, one file, one digest.
        if key.to_bytes() != b {
            return Err(VerifyError::Format(
                "non-canonical Groth16 verifying key encoding".into(),
            ));
        }
        check_claimed_origin(&key)?;
        Ok(key)
    }

    /// Reads a key file from disk; see [`Groth16VerifyingKey::from_bytes`].
    pub fn read(path: &Path) -> Result<Self, VerifyError> {
        Self::from_bytes(&read_key_bytes(path)?)
    }

    /// Number of public inputs the key expects.
    pub fn num_public_inputs(&self) -> usize {
        self.vk.gamma_abc_g1.len().saturating_sub(1)
    }

    /// Precomputes what verification needs (e(alpha, beta), -gamma and -delta prepared).
    pub fn prepare(&self) -> PreparedVerifier {
        PreparedVerifier {
            header: self.header.clone(),
            digest: self.digest,
            pvk: ark_groth16::prepare_verifying_key(&self.vk),
        }
    }
}

/// A key that claims a ceremony origin must look like one: every veil (and snarkjs) phase 2
/// starts from γ = δ = the G2 generator and multiplies only δ, so γ is the generator and δ is
/// not. A dev key has a random γ: relabelled as a ceremony key, it is refused here. (A key
/// made to pass this is still only a claim: pin key ids, and check transcripts with `veil
/// ceremony verify --vk`.)
fn check_claimed_origin(key: &Groth16VerifyingKey) -> Result<(), VerifyError> {
    if let KeySource::Ceremony { .. } = key.header.origin {
        let g2 = ark_bls12_381::G2Affine::generator();
        if key.vk.gamma_g2 != g2 {
            return Err(VerifyError::Format(
                "the verifying key claims a ceremony origin, but its γ is not the G2 generator \
                 (a ceremony key's always is): not a ceremony key"
                    .into(),
            ));
        }
        if key.vk.delta_g2 == g2 {
            return Err(VerifyError::Format(
                "the verifying key claims a ceremony origin, but its δ = γ (no contribution: \
                 anyone can forge proofs)"
                    .into(),
            ));
        }
    }
    Ok(())
}

fn sha3_256(b: &[u8]) -> Bytes32 {
    Bytes32(Sha3_256::digest(b).into())
}

/// A verifying key ready to check proofs of its circuit.
#[derive(Clone, Debug)]
pub struct PreparedVerifier {
    header: KeyHeader,
    digest: Bytes32,
    pvk: PreparedVerifyingKey<Bls12_381>,
}

impl PreparedVerifier {
    pub fn circuit(&self) -> CircuitId {
        self.header.circuit
    }

    pub fn key_digest(&self) -> Bytes32 {
        self.digest
    }

    pub fn header(&self) -> &KeyHeader {
        &self.header
    }

    /// Number of public inputs the key expects.
    pub fn num_public_inputs(&self) -> usize {
        self.pvk.vk.gamma_abc_g1.len().saturating_sub(1)
    }

    /// Everything about an envelope that can be checked without a pairing: it names this
    /// key, circuit and backend, its statement encodes to the right number of canonical
    /// public inputs, and its proof bytes decode validated.
    fn decode(&self, env: &ProofEnvelope) -> Result<(Proof, Vec<Fr>), VerifyError> {
        if env.backend != Backend::Groth16 {
            return Err(VerifyError::WrongBackend {
                what: "proof",
                expected: Backend::Groth16,
                found: env.backend.to_string(),
            });
        }
        if env.circuit != self.header.circuit {
            return Err(VerifyError::WrongCircuit {
                what: "proof",
                expected: self.header.circuit.to_string(),
                found: env.circuit.to_string(),
            });
        }
        if env.circuit_version != self.header.circuit_version {
            return Err(VerifyError::WrongCircuitVersion {
                what: "proof",
                circuit: env.circuit.to_string(),
                expected: self.header.circuit_version,
                found: env.circuit_version,
            });
        }
        if env.key_digest != self.digest {
            return Err(VerifyError::WrongKey {
                expected: self.digest.to_hex(),
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
        let inputs = public_inputs(&env.statement)?;
        self.check_input_count(&inputs)?;
        let proof = proof_from_bytes(&env.proof)?;
        Ok((proof, inputs))
    }

    fn check_input_count(&self, inputs: &[Fr]) -> Result<(), VerifyError> {
        let expected = self.num_public_inputs();
        if inputs.len() != expected {
            return Err(VerifyError::PublicInputCount {
                expected,
                found: inputs.len(),
            });
        }
        Ok(())
    }

    /// Verifies one envelope: backend, circuit, circuit version and key digest must be this
    /// key's, the statement must encode to exactly this key's number of public inputs, the
    /// proof bytes must decode validated, and the pairing check must hold.
    pub fn verify(&self, env: &ProofEnvelope) -> Result<(), VerifyError> {
        let (proof, inputs) = self.decode(env)?;
        self.verify_raw(&proof, &inputs)
    }

    /// Verifies an already-decoded proof against raw public inputs. The proof's points are
    /// trusted to be in the right subgroups (as [`proof_from_bytes`] ensures).
    pub fn verify_raw(&self, proof: &Proof, public_inputs: &[Fr]) -> Result<(), VerifyError> {
        self.check_input_count(public_inputs)?;
        match ark_groth16::Groth16::<Bls12_381>::verify_proof(&self.pvk, proof, public_inputs) {
            Ok(true) => Ok(()),
            _ => Err(VerifyError::InvalidProof),
        }
    }

    /// Verifies many envelopes of this key's circuit at once. Each envelope is first checked
    /// as in [`PreparedVerifier::verify`] (a refusal is reported as
    /// [`VerifyError::BatchItem`] with the lowest failing index); then all proofs are checked
    /// together, see [`PreparedVerifier::verify_batch_raw`]. An empty batch is valid.
    pub fn verify_batch(&self, envs: &[ProofEnvelope]) -> Result<(), VerifyError> {
        let decoded: Vec<Result<(Proof, Vec<Fr>), VerifyError>> =
            envs.par_iter().map(|e| self.decode(e)).collect();
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
        self.verify_batch_raw(&items)
    }

    /// Verifies many decoded proofs with one multi-pairing.
    ///
    /// With fresh random nonzero 128-bit scalars `r_i` (ChaCha20 seeded from the operating
    /// system, never derived from the proofs), it checks
    ///
    /// ```text
    /// prod_i e(r_i A_i, B_i) * e(-(sum_i r_i IC(x_i)), gamma) * e(-(sum_i r_i C_i), delta)
    ///     == e(alpha, beta)^(sum_i r_i)
    /// ```
    ///
    /// where `IC(x) = gamma_abc[0] + sum_j x_j gamma_abc[j+1]`, as one Miller loop over
    /// `n + 2` pairs and one final exponentiation; `sum_i r_i IC(x_i)` is a single MSM over
    /// the key's `gamma_abc` with the combined scalars, `sum_i r_i C_i` one MSM over the `C_i`.
    /// A forged proof passes with probability about 2^-128. When the combined check fails,
    /// the proofs are verified one by one and the failing indices reported as
    /// [`VerifyError::InvalidProofs`]. A wrong number of public inputs is reported as
    /// [`VerifyError::BatchItem`]. The proofs' points are trusted to be in the right
    /// subgroups (as [`proof_from_bytes`] ensures).
    pub fn verify_batch_raw(&self, items: &[(Proof, Vec<Fr>)]) -> Result<(), VerifyError> {
        if items.is_empty() {
            return Ok(());
        }
        for (index, (_, inputs)) in items.iter().enumerate() {
            self.check_input_count(inputs)
                .map_err(|e| VerifyError::BatchItem {
                    index,
                    source: Box::new(e),
                })?;
        }
        if items.len() == 1 {
            return self
                .verify_raw(&items[0].0, &items[0].1)
                .map_err(|_| VerifyError::InvalidProofs(vec![0]));
        }

        let mut rng = ChaCha20Rng::from_rng(rand::rngs::OsRng).map_err(|e| VerifyError::Io {
            path: "the operating system's random number generator".into(),
            source: std::io::Error::other(e),
        })?;
        let rs: Vec<u128> = (0..items.len())
            .map(|_| loop {
                let r: u128 = rng.gen();
                if r != 0 {
                    break r;
                }
            })
            .collect();
        let rs_fr: Vec<Fr> = rs.iter().map(|&r| Fr::from(r)).collect();

        if self.combined_check(items, &rs, &rs_fr) {
            return Ok(());
        }
        let failing: Vec<usize> = items
            .par_iter()
            .enumerate()
            .filter_map(|(i, (proof, inputs))| self.verify_raw(proof, inputs).err().map(|_| i))
            .collect();
        if failing.is_empty() {
            // Cannot happen: the combined equation is the product of the single ones raised
            // to the r_i. Refuse rather than accept on an inconsistency.
            return Err(VerifyError::InvalidProof);
        }
        Err(VerifyError::InvalidProofs(failing))
    }

    /// The randomized combined pairing check; true when it holds.
    fn combined_check(&self, items: &[(Proof, Vec<Fr>)], rs: &[u128], rs_fr: &[Fr]) -> bool {
        let vk = &self.pvk.vk;

        // r_i * A_i (128-bit scalars) and the prepared B_i, per proof in parallel.
        let ra: Vec<G1Projective> = items
            .par_iter()
            .zip(rs.par_iter())
            .map(|((p, _), &r)| p.a.mul_bigint([r as u64, (r >> 64) as u64]))
            .collect();
        let ra = G1Projective::normalize_batch(&ra);
        let bs: Vec<G2Prepared> = items
            .par_iter()
            .map(|(p, _)| G2Prepared::from(p.b))
            .collect();

        // Combined scalars for the input commitments: sum r_i, then sum_i r_i x_ij.
        let k = vk.gamma_abc_g1.len();
        let ic_scalars = items
            .par_iter()
            .zip(rs_fr.par_iter())
            .fold(
                || vec![Fr::zero(); k],
                |mut acc, ((_, inputs), r)| {
                    acc[0] += r;
                    for (a, x) in acc[1..].iter_mut().zip(inputs) {
                        *a += *r * x;
                    }
                    acc
                },
            )
            .reduce(
                || vec![Fr::zero(); k],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        *x += y;
                    }
                    a
                },
            );
        let r_sum = ic_scalars[0];
        let ic = G1Projective::msm_unchecked(&vk.gamma_abc_g1, &ic_scalars);
        let cs: Vec<G1Affine> = items.iter().map(|(p, _)| p.c).collect();
        let c = G1Projective::msm_unchecked(&cs, rs_fr);
        let tail = G1Projective::normalize_batch(&[ic, c]);

        // gamma and delta are prepared negated: e(S, -gamma) = e(-S, gamma).
        let g1: Vec<G1Prepared> = ra.into_iter().chain(tail).map(G1Prepared::from).collect();
        let g2: Vec<G2Prepared> = bs
            .into_iter()
            .chain([
                self.pvk.gamma_g2_neg_pc.clone(),
                self.pvk.delta_g2_neg_pc.clone(),
            ])
            .collect();
        let lhs = match Bls12_381::final_exponentiation(Bls12_381::multi_miller_loop(g1, g2)) {
            Some(v) => v,
            None => return false,
        };
        let rhs = PairingOutput::<Bls12_381>(self.pvk.alpha_g1_beta_g2) * r_sum;
        lhs == rhs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::bls12_381::fr_to_digest;
    use crate::format::read_key_file;
    use crate::statement::{OwnershipStatement, Statement, TierStatement};
    use ark_bls12_381::{Fq, Fq2, G2Affine};
    use ark_ff::{Field, One, UniformRand};
    use ark_groth16::{Groth16, ProvingKey};
    use ark_relations::gr1cs::{
        ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError,
    };
    use ark_relations::lc;
    use ark_snark::SNARK;
    use std::sync::OnceLock;

    /// `x * y == sum of the public inputs`, with `n_inputs` public inputs.
    #[derive(Clone)]
    struct TestCircuit {
        n_inputs: usize,
        /// (public inputs, x, y)
        assignment: Option<(Vec<Fr>, Fr, Fr)>,
    }

    impl ConstraintSynthesizer<Fr> for TestCircuit {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let a = self.assignment.as_ref();
            let mut sum = LinearCombination::<Fr>::new();
            for i in 0..self.n_inputs {
                let v = cs.new_input_variable(|| {
                    a.map(|a| a.0[i]).ok_or(SynthesisError::AssignmentMissing)
                })?;
                sum = sum + v;
            }
            let x = cs
                .new_witness_variable(|| a.map(|a| a.1).ok_or(SynthesisError::AssignmentMissing))?;
            let y = cs
                .new_witness_variable(|| a.map(|a| a.2).ok_or(SynthesisError::AssignmentMissing))?;
            cs.enforce_r1cs_constraint(|| lc!() + x, || lc!() + y, || sum)?;
            Ok(())
        }
    }

    struct Fixture {
        pk: ProvingKey<Bls12_381>,
        key: Groth16VerifyingKey,
        verifier: PreparedVerifier,
    }

    fn tier20() -> CircuitId {
        "tier-20".parse().unwrap()
    }

    fn make_fixture(seed: u64, circuit: CircuitId, n_inputs: usize) -> Fixture {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (pk, vk) = Groth16::<Bls12_381>::circuit_specific_setup(
            TestCircuit {
                n_inputs,
                assignment: None,
            },
            &mut rng,
        )
        .unwrap();
        let key = Groth16VerifyingKey::new(circuit, Bytes32([seed as u8; 32]), vk);
        let verifier = key.prepare();
        Fixture { pk, key, verifier }
    }

    /// The shared fixture: tier-20, six public inputs (the tier statement's encoding).
    fn fx() -> &'static Fixture {
        static FX: OnceLock<Fixture> = OnceLock::new();
        FX.get_or_init(|| make_fixture(1, tier20(), 6))
    }

    /// Another key for the same circuit.
    fn other_fx() -> &'static Fixture {
        static FX: OnceLock<Fixture> = OnceLock::new();
        FX.get_or_init(|| make_fixture(2, tier20(), 6))
    }

    fn rand_digest(rng: &mut ChaCha20Rng) -> Bytes32 {
        fr_to_digest(&Fr::rand(rng))
    }

    fn tier_statement(rng: &mut ChaCha20Rng) -> Statement {
        Statement::Tier(TierStatement {
            root: rand_digest(rng),
            min_tier: rng.gen_range(0..10),
            epoch_beacon: rand_digest(rng),
            request_binding: rand_digest(rng),
            nullifier: rand_digest(rng),
            quota: rng.gen_range(1..100),
        })
    }

    fn prove_inputs(fx: &Fixture, inputs: &[Fr], rng: &mut ChaCha20Rng) -> Proof {
        let sum: Fr = inputs.iter().sum();
        let x = loop {
            let x = Fr::rand(rng);
            if !x.is_zero() {
                break x;
            }
        };
        let y = sum * x.inverse().unwrap();
        let circuit = TestCircuit {
            n_inputs: inputs.len(),
            assignment: Some((inputs.to_vec(), x, y)),
        };
        Groth16::<Bls12_381>::prove(&fx.pk, circuit, rng).unwrap()
    }

    fn envelope_for(fx: &Fixture, statement: Statement, proof: &Proof) -> ProofEnvelope {
        ProofEnvelope {
            circuit: fx.key.header.circuit,
            circuit_version: fx.key.header.circuit_version,
            backend: Backend::Groth16,
            key_digest: fx.key.digest,
            statement,
            proof: proof_to_bytes(proof),
        }
    }

    fn valid_envelope(fx: &Fixture, rng: &mut ChaCha20Rng) -> ProofEnvelope {
        let statement = tier_statement(rng);
        let proof = prove_inputs(fx, &public_inputs(&statement).unwrap(), rng);
        envelope_for(fx, statement, &proof)
    }

    fn valid_items(n: usize, seed: u64) -> Vec<(Proof, Vec<Fr>)> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let inputs: Vec<Fr> = (0..6).map(|_| Fr::rand(&mut rng)).collect();
                (prove_inputs(fx(), &inputs, &mut rng), inputs)
            })
            .collect()
    }

    /// A point on y^2 = x^3 + 4 that is not in the prime-order subgroup of G1.
    fn g1_outside_subgroup() -> G1Affine {
        (1u64..)
            .filter_map(|k| G1Affine::get_point_from_x_unchecked(Fq::from(k), true))
            .find(|p| !p.is_in_correct_subgroup_assuming_on_curve())
            .unwrap()
    }

    /// A point on the G2 twist that is not in the prime-order subgroup of G2.
    fn g2_outside_subgroup() -> G2Affine {
        (1u64..)
            .filter_map(|k| {
                G2Affine::get_point_from_x_unchecked(Fq2::new(Fq::from(k), Fq::one()), true)
            })
            .find(|p| !p.is_in_correct_subgroup_assuming_on_curve())
            .unwrap()
    }

    fn compressed<T: CanonicalSerialize>(t: &T) -> Vec<u8> {
        let mut out = Vec::new();
        t.serialize_with_mode(&mut out, Compress::Yes).unwrap();
        out
    }

    #[test]
    fn proof_bytes_round_trip() {
        let mut rng = ChaCha20Rng::seed_from_u64(10);
        let env = valid_envelope(fx(), &mut rng);
        assert_eq!(env.proof.len(), PROOF_SIZE);
        let proof = proof_from_bytes(&env.proof).unwrap();
        assert_eq!(proof_to_bytes(&proof), env.proof);
        assert_eq!(proof.compressed_size(), PROOF_SIZE);
    }

    #[test]
    fn proof_bytes_truncated_and_trailing_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let bytes = valid_envelope(fx(), &mut rng).proof;
        for n in 0..bytes.len() {
            assert!(matches!(
                proof_from_bytes(&bytes[..n]),
                Err(VerifyError::Truncated(_))
            ));
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(matches!(
            proof_from_bytes(&long),
            Err(VerifyError::Format(m)) if m.contains("trailing")
        ));
    }

    #[test]
    fn proof_garbage_refused_without_panic() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        for _ in 0..500 {
            let mut b = [0u8; PROOF_SIZE];
            rng.fill(&mut b[..]);
            // With and without the compression flag bits set on each point.
            assert!(proof_from_bytes(&b).is_err());
            b[0] |= 0x80;
            b[48] |= 0x80;
            b[144] |= 0x80;
            assert!(matches!(
                proof_from_bytes(&b),
                Err(VerifyError::InvalidPoint { .. })
            ));
        }
        assert!(matches!(
            proof_from_bytes(&[0u8; PROOF_SIZE]),
            Err(VerifyError::InvalidPoint { what: "proof", .. })
        ));
        assert!(matches!(
            proof_from_bytes(&[0xffu8; PROOF_SIZE]),
            Err(VerifyError::InvalidPoint { what: "proof", .. })
        ));
    }

    #[test]
    fn proof_point_off_the_curve_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let env = valid_envelope(fx(), &mut rng);
        let original = proof_from_bytes(&env.proof).unwrap();
        // For each point, flip low bits of x until decoding fails: about half of all x have
        // no y on the curve.
        for (start, end) in [(0usize, 48usize), (48, 144), (144, 192)] {
            let mut refused = false;
            for delta in 1u8..=64 {
                let mut b = env.proof.clone();
                b[end - 1] ^= delta;
                match proof_from_bytes(&b) {
                    Err(VerifyError::InvalidPoint { what: "proof", .. }) => {
                        refused = true;
                        break;
                    }
                    Err(e) => panic!("unexpected error {e:?}"),
                    Ok(p) => assert_ne!(p, original),
                }
            }
            assert!(
                refused,
                "no flip of the point at {start}..{end} was refused"
            );
        }
        // Every single-byte change anywhere either is refused or reads as another proof.
        for i in 0..PROOF_SIZE {
            for delta in [1u8, 0x20, 0x40, 0x80] {
                let mut b = env.proof.clone();
                b[i] ^= delta;
                if let Ok(p) = proof_from_bytes(&b) {
                    assert_ne!(p, original);
                    // A changed proof that decodes is still not valid for the statement.
                    assert!(fx()
                        .verifier
                        .verify(&ProofEnvelope {
                            proof: b,
                            ..env.clone()
                        })
                        .is_err());
                }
            }
        }
    }

    #[test]
    fn proof_point_outside_subgroup_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(14);
        let env = valid_envelope(fx(), &mut rng);

        let p = g1_outside_subgroup();
        assert!(p.is_on_curve());
        assert!(!p.is_in_correct_subgroup_assuming_on_curve());
        let p_bytes = compressed(&p);
        assert_eq!(p_bytes.len(), 48);
        // Unvalidated reading accepts it, validated reading refuses it.
        let unchecked =
            G1Affine::deserialize_with_mode(&p_bytes[..], Compress::Yes, Validate::No).unwrap();
        assert_eq!(unchecked, p);
        assert!(
            G1Affine::deserialize_with_mode(&p_bytes[..], Compress::Yes, Validate::Yes).is_err()
        );
        for range in [0..48, 144..192] {
            let mut b = env.proof.clone();
            b[range].copy_from_slice(&p_bytes);
            assert!(matches!(
                proof_from_bytes(&b),
                Err(VerifyError::InvalidPoint { what: "proof", .. })
            ));
            assert!(matches!(
                fx().verifier.verify(&ProofEnvelope {
                    proof: b,
                    ..env.clone()
                }),
                Err(VerifyError::InvalidPoint { .. })
            ));
        }

        let q = g2_outside_subgroup();
        assert!(q.is_on_curve());
        let q_bytes = compressed(&q);
        assert_eq!(q_bytes.len(), 96);
        let mut b = env.proof.clone();
        b[48..144].copy_from_slice(&q_bytes);
        assert!(matches!(
            proof_from_bytes(&b),
            Err(VerifyError::InvalidPoint { what: "proof", .. })
        ));
    }

    #[test]
    fn a_dev_key_relabelled_as_a_ceremony_key_is_refused() {
        use crate::pinning::KeyOrigin;
        let key = &fx().key;
        assert_eq!(key.origin(), KeyOrigin::Dev);
        let claim = KeySource::Ceremony {
            transcript_hash: Bytes32([9; 32]),
            contributions: 3,
        };
        // Rewritten with a ceremony origin (version 4): a new file, so a new key id, and
        // refused on read, since a dev key's γ is random.
        let relabelled = key.clone().with_origin(claim);
        let bytes = relabelled.to_bytes();
        assert_eq!(&bytes[8..12], &4u32.to_le_bytes());
        assert_ne!(relabelled.digest, key.digest);
        let e = Groth16VerifyingKey::from_bytes(&bytes)
            .unwrap_err()
            .to_string();
        assert!(e.contains("γ is not the G2 generator"), "{e}");
        // A proof made for the dev key names the dev key's id: refused by the relabelled key.
        let mut rng = ChaCha20Rng::seed_from_u64(77);
        let env = valid_envelope(fx(), &mut rng);
        assert!(matches!(
            relabelled.prepare().verify(&env),
            Err(VerifyError::WrongKey { .. })
        ));
        // A key shaped like a ceremony key (γ = G2 generator, δ ≠ γ) reads with its origin.
        let g2 = ark_bls12_381::G2Affine::generator();
        let mut vk = key.vk.clone();
        vk.gamma_g2 = g2;
        let shaped = Groth16VerifyingKey::new(key.header.circuit, key.header.cs_digest, vk.clone())
            .with_origin(claim);
        let back = Groth16VerifyingKey::from_bytes(&shaped.to_bytes()).unwrap();
        assert_eq!(back, shaped);
        assert_eq!(
            back.origin(),
            KeyOrigin::Ceremony {
                transcript_hash: Bytes32([9; 32]),
                contributions: 3
            }
        );
        // ... but not with δ = γ (no contribution).
        vk.delta_g2 = g2;
        let e = Groth16VerifyingKey::from_bytes(
            &Groth16VerifyingKey::new(key.header.circuit, key.header.cs_digest, vk)
                .with_origin(claim)
                .to_bytes(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("δ = γ"), "{e}");
    }

    #[test]
    fn key_round_trip_and_digest() {
        let key = &fx().key;
        assert_eq!(key.header.kind, KeyKind::Verifying);
        assert_eq!(key.header.backend, Backend::Groth16);
        assert_eq!(key.header.circuit, tier20());
        assert_eq!(key.header.circuit_version, tier20().version());
        assert_eq!(key.num_public_inputs(), 6);
        let bytes = key.to_bytes();
        assert_eq!(key.digest, Bytes32(Sha3_256::digest(&bytes).into()));
        let back = Groth16VerifyingKey::from_bytes(&bytes).unwrap();
        assert_eq!(&back, key);
        assert_ne!(other_fx().key.digest, key.digest);

        let v = key.prepare();
        assert_eq!(v.circuit(), tier20());
        assert_eq!(v.key_digest(), key.digest);
        assert_eq!(v.num_public_inputs(), 6);
        assert_eq!(v.header(), &key.header);

        let path = std::env::temp_dir().join(format!(
            "veil-verifier-test-{}-vk.veilkey",
            std::process::id()
        ));
        std::fs::write(&path, &bytes).unwrap();
        let read = Groth16VerifyingKey::read(&path);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(&read.unwrap(), key);
        let missing = path.with_extension("missing");
        match Groth16VerifyingKey::read(&missing) {
            Err(e @ VerifyError::Io { .. }) => {
                assert!(e.to_string().contains(&missing.display().to_string()))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn key_truncated_at_every_prefix_and_garbage() {
        let bytes = fx().key.to_bytes();
        for n in 0..bytes.len() {
            assert!(
                matches!(
                    Groth16VerifyingKey::from_bytes(&bytes[..n]),
                    Err(VerifyError::Truncated(_))
                ),
                "prefix {n}"
            );
        }
        // Bodies cut short with a consistent header: still Truncated, never a panic.
        let (header, body) = read_key_file(&bytes, KeyKind::Verifying).unwrap();
        for n in 0..body.len() {
            let file = write_key_file(&header, &body[..n]);
            assert!(
                matches!(
                    Groth16VerifyingKey::from_bytes(&file),
                    Err(VerifyError::Truncated(_) | VerifyError::Format(_))
                ),
                "body prefix {n}"
            );
        }
        let mut long = body.to_vec();
        long.push(0);
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&write_key_file(&header, &long)),
            Err(VerifyError::Format(m)) if m.contains("trailing")
        ));
        // A huge declared number of input commitments.
        let mut huge = body.to_vec();
        huge[VK_FIXED_SIZE..VK_FIXED_SIZE + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(Groth16VerifyingKey::from_bytes(&write_key_file(&header, &huge)).is_err());
        // No input commitments at all.
        let mut empty = body[..VK_FIXED_SIZE].to_vec();
        empty.extend_from_slice(&0u64.to_le_bytes());
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&write_key_file(&header, &empty)),
            Err(VerifyError::Format(_))
        ));
        // Garbage bodies of the right length.
        let mut rng = ChaCha20Rng::seed_from_u64(20);
        for _ in 0..100 {
            let mut g = body.to_vec();
            rng.fill(&mut g[..VK_FIXED_SIZE]);
            rng.fill(&mut g[VK_FIXED_SIZE + 8..]);
            assert!(Groth16VerifyingKey::from_bytes(&write_key_file(&header, &g)).is_err());
        }
        for len in [0usize, 1, 7, 8, 100, 1000] {
            let mut g = vec![0u8; len];
            rng.fill(&mut g[..]);
            assert!(Groth16VerifyingKey::from_bytes(&g).is_err());
        }
    }

    #[test]
    fn key_refusals() {
        let key = &fx().key;
        let bytes = key.to_bytes();

        let mut bad_magic = bytes.clone();
        bad_magic[3] ^= 1;
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&bad_magic),
            Err(VerifyError::BadMagic { .. })
        ));

        let mut v2 = bytes.clone();
        v2[8..12].copy_from_slice(&5u32.to_le_bytes());
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&v2),
            Err(VerifyError::UnsupportedVersion { found: 5, .. })
        ));

        let (header, body) = read_key_file(&bytes, KeyKind::Verifying).unwrap();
        let proving = write_key_file(
            &KeyHeader {
                kind: KeyKind::Proving,
                ..header.clone()
            },
            body,
        );
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&proving),
            Err(VerifyError::Format(m)) if m == "this is a proving key, expected a verifying key"
        ));

        let old = write_key_file(
            &KeyHeader {
                circuit_version: 0,
                ..header.clone()
            },
            body,
        );
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&old),
            Err(VerifyError::WrongCircuitVersion {
                what: "verifying key",
                expected: 1,
                found: 0,
                ..
            })
        ));

        // A key of the other backend (plonky2, code 2), and an unknown backend code.
        let mut other_backend = bytes.clone();
        other_backend[13] = 2;
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&other_backend),
            Err(VerifyError::WrongBackend {
                what: "verifying key",
                expected: Backend::Groth16,
                ..
            })
        ));
        let mut unknown_backend = bytes.clone();
        unknown_backend[13] = 3;
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&unknown_backend),
            Err(VerifyError::Format(m)) if m.contains("backend")
        ));

        // The key checks against the circuit it is used for.
        key.header.expect(tier20(), Backend::Groth16).unwrap();
        assert!(matches!(
            key.header
                .expect("tier-16".parse().unwrap(), Backend::Groth16),
            Err(VerifyError::WrongCircuit {
                what: "verifying key",
                ..
            })
        ));

        // A verifying key with a point outside the subgroup.
        let mut vk = key.vk.clone();
        vk.gamma_abc_g1[1] = g1_outside_subgroup();
        let file = write_key_file(&header, &compressed(&vk));
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&file),
            Err(VerifyError::InvalidPoint {
                what: "verifying key",
                ..
            })
        ));
        let mut vk = key.vk.clone();
        vk.delta_g2 = g2_outside_subgroup();
        let file = write_key_file(&header, &compressed(&vk));
        assert!(matches!(
            Groth16VerifyingKey::from_bytes(&file),
            Err(VerifyError::InvalidPoint {
                what: "verifying key",
                ..
            })
        ));
    }

    #[test]
    fn valid_envelope_verifies_also_after_json() {
        let mut rng = ChaCha20Rng::seed_from_u64(30);
        for _ in 0..3 {
            let env = valid_envelope(fx(), &mut rng);
            fx().verifier.verify(&env).unwrap();
            let back = ProofEnvelope::from_json(&env.to_json()).unwrap();
            fx().verifier.verify(&back).unwrap();
            let key = Groth16VerifyingKey::from_bytes(&fx().key.to_bytes()).unwrap();
            key.prepare().verify(&back).unwrap();
        }
    }

    #[test]
    fn envelope_header_refusals() {
        let mut rng = ChaCha20Rng::seed_from_u64(31);
        let env = valid_envelope(fx(), &mut rng);
        let v = &fx().verifier;

        let wrong_circuit = ProofEnvelope {
            circuit: "tier-16".parse().unwrap(),
            ..env.clone()
        };
        match v.verify(&wrong_circuit) {
            Err(VerifyError::WrongCircuit {
                what,
                expected,
                found,
            }) => {
                assert_eq!(
                    (what, expected.as_str(), found.as_str()),
                    ("proof", "tier-20", "tier-16")
                )
            }
            other => panic!("{other:?}"),
        }

        let wrong_version = ProofEnvelope {
            circuit_version: 2,
            ..env.clone()
        };
        assert!(matches!(
            v.verify(&wrong_version),
            Err(VerifyError::WrongCircuitVersion {
                what: "proof",
                expected: 1,
                found: 2,
                ..
            })
        ));

        let mut digest = env.key_digest;
        digest.0[0] ^= 1;
        let wrong_key = ProofEnvelope {
            key_digest: digest,
            ..env.clone()
        };
        match v.verify(&wrong_key) {
            Err(VerifyError::WrongKey { expected, found }) => {
                assert_eq!(expected, fx().key.digest.to_hex());
                assert_eq!(found, digest.to_hex());
            }
            other => panic!("{other:?}"),
        }

        // The envelope names the other key: refused before any pairing.
        let named_other = ProofEnvelope {
            key_digest: other_fx().key.digest,
            ..env.clone()
        };
        assert!(matches!(
            v.verify(&named_other),
            Err(VerifyError::WrongKey { .. })
        ));

        // A statement of another circuit kind.
        let own = Statement::Ownership(OwnershipStatement {
            root: Bytes32::from_u64(1),
            package_id: Bytes32::from_u64(2),
            now: 3,
            challenge: Bytes32::from_u64(4),
            tag: Bytes32::from_u64(5),
        });
        let mismatched = ProofEnvelope {
            statement: own,
            ..env.clone()
        };
        assert!(matches!(v.verify(&mismatched), Err(VerifyError::Format(_))));

        let short = ProofEnvelope {
            proof: env.proof[..100].to_vec(),
            ..env.clone()
        };
        assert!(matches!(v.verify(&short), Err(VerifyError::Truncated(_))));
    }

    #[test]
    fn non_canonical_statement_digest_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(32);
        let env = valid_envelope(fx(), &mut rng);
        let Statement::Tier(s) = &env.statement else {
            unreachable!()
        };
        let modulus = {
            use ark_ff::{BigInteger, PrimeField};
            let mut m = [0u8; 32];
            m.copy_from_slice(&Fr::MODULUS.to_bytes_be());
            Bytes32(m)
        };
        for bad in [modulus, Bytes32([0xff; 32])] {
            let stmts = [
                TierStatement {
                    root: bad,
                    ..s.clone()
                },
                TierStatement {
                    epoch_beacon: bad,
                    ..s.clone()
                },
                TierStatement {
                    request_binding: bad,
                    ..s.clone()
                },
                TierStatement {
                    nullifier: bad,
                    ..s.clone()
                },
            ];
            for st in stmts {
                let e = ProofEnvelope {
                    statement: Statement::Tier(st),
                    ..env.clone()
                };
                assert!(matches!(
                    fx().verifier.verify(&e),
                    Err(VerifyError::NonCanonical(_))
                ));
            }
        }
    }

    #[test]
    fn wrong_number_of_public_inputs_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(33);
        let inputs: Vec<Fr> = (0..6).map(|_| Fr::rand(&mut rng)).collect();
        let proof = prove_inputs(fx(), &inputs, &mut rng);
        fx().verifier.verify_raw(&proof, &inputs).unwrap();
        assert!(matches!(
            fx().verifier.verify_raw(&proof, &inputs[..5]),
            Err(VerifyError::PublicInputCount {
                expected: 6,
                found: 5
            })
        ));
        let mut more = inputs.clone();
        more.push(Fr::zero());
        assert!(matches!(
            fx().verifier.verify_raw(&proof, &more),
            Err(VerifyError::PublicInputCount {
                expected: 6,
                found: 7
            })
        ));

        // A key for a circuit with 7 public inputs refuses a tier statement (6 inputs).
        let seven = make_fixture(3, tier20(), 7);
        assert_eq!(seven.key.num_public_inputs(), 7);
        let env = ProofEnvelope {
            key_digest: seven.key.digest,
            ..valid_envelope(fx(), &mut rng)
        };
        assert!(matches!(
            seven.verifier.verify(&env),
            Err(VerifyError::PublicInputCount {
                expected: 7,
                found: 6
            })
        ));
    }

    #[test]
    fn every_altered_public_value_fails() {
        let mut rng = ChaCha20Rng::seed_from_u64(34);
        let env = valid_envelope(fx(), &mut rng);
        fx().verifier.verify(&env).unwrap();
        let Statement::Tier(s) = &env.statement else {
            unreachable!()
        };
        let bump = |d: &Bytes32| {
            fr_to_digest(&(crate::encoding::bls12_381::digest_to_fr(d).unwrap() + Fr::one()))
        };
        let altered = [
            TierStatement {
                root: bump(&s.root),
                ..s.clone()
            },
            TierStatement {
                min_tier: s.min_tier + 1,
                ..s.clone()
            },
            TierStatement {
                epoch_beacon: bump(&s.epoch_beacon),
                ..s.clone()
            },
            TierStatement {
                request_binding: bump(&s.request_binding),
                ..s.clone()
            },
            TierStatement {
                nullifier: bump(&s.nullifier),
                ..s.clone()
            },
            TierStatement {
                quota: s.quota + 1,
                ..s.clone()
            },
        ];
        for (i, st) in altered.into_iter().enumerate() {
            let e = ProofEnvelope {
                statement: Statement::Tier(st),
                ..env.clone()
            };
            assert!(
                matches!(fx().verifier.verify(&e), Err(VerifyError::InvalidProof)),
                "field {i}"
            );
        }

        // The same on raw inputs, including changes that keep the sum the circuit checks.
        let inputs = public_inputs(&env.statement).unwrap();
        let proof = proof_from_bytes(&env.proof).unwrap();
        for i in 0..inputs.len() {
            let mut x = inputs.clone();
            x[i] += Fr::one();
            assert!(matches!(
                fx().verifier.verify_raw(&proof, &x),
                Err(VerifyError::InvalidProof)
            ));
            let j = (i + 1) % inputs.len();
            x[j] -= Fr::one();
            assert!(matches!(
                fx().verifier.verify_raw(&proof, &x),
                Err(VerifyError::InvalidProof)
            ));
        }
    }

    #[test]
    fn proof_from_another_key_fails() {
        let mut rng = ChaCha20Rng::seed_from_u64(35);
        // Made with the other key, but the envelope names this key's digest.
        let statement = tier_statement(&mut rng);
        let proof = prove_inputs(other_fx(), &public_inputs(&statement).unwrap(), &mut rng);
        let env = envelope_for(fx(), statement.clone(), &proof);
        assert!(matches!(
            fx().verifier.verify(&env),
            Err(VerifyError::InvalidProof)
        ));
        other_fx()
            .verifier
            .verify(&envelope_for(other_fx(), statement, &proof))
            .unwrap();
        let inputs = valid_items(1, 36).remove(0).1;
        let proof = prove_inputs(other_fx(), &inputs, &mut rng);
        assert!(matches!(
            fx().verifier.verify_raw(&proof, &inputs),
            Err(VerifyError::InvalidProof)
        ));
        assert!(matches!(
            fx().verifier.verify_batch_raw(&[(proof, inputs)]),
            Err(VerifyError::InvalidProofs(v)) if v == vec![0]
        ));
    }

    #[test]
    fn batch_of_valid_proofs_passes() {
        let v = &fx().verifier;
        v.verify_batch(&[]).unwrap();
        v.verify_batch_raw(&[]).unwrap();
        let items = valid_items(8, 40);
        v.verify_batch_raw(&items).unwrap();
        v.verify_batch_raw(&items[..1]).unwrap();
        v.verify_batch_raw(&items[..2]).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(41);
        let envs: Vec<ProofEnvelope> = (0..8).map(|_| valid_envelope(fx(), &mut rng)).collect();
        v.verify_batch(&envs).unwrap();
    }

    #[test]
    fn batch_reports_the_bad_proofs() {
        let v = &fx().verifier;
        let items = valid_items(8, 42);

        // Index 3 proves another statement.
        let mut bad = items.clone();
        bad[3].1[0] += Fr::one();
        assert!(matches!(
            v.verify_batch_raw(&bad),
            Err(VerifyError::InvalidProofs(ix)) if ix == vec![3]
        ));

        // Two proofs swapped statements; one proof from another key.
        let mut bad = items.clone();
        let (a, b) = (bad[1].1.clone(), bad[5].1.clone());
        bad[1].1 = b;
        bad[5].1 = a;
        bad[6].0 = prove_inputs(other_fx(), &items[6].1, &mut ChaCha20Rng::seed_from_u64(43));
        assert!(matches!(
            v.verify_batch_raw(&bad),
            Err(VerifyError::InvalidProofs(ix)) if ix == vec![1, 5, 6]
        ));

        // Two proofs with their C points swapped: both equations fail.
        let mut bad = items.clone();
        let c0 = bad[0].0.c;
        bad[0].0.c = bad[2].0.c;
        bad[2].0.c = c0;
        assert!(matches!(
            v.verify_batch_raw(&bad),
            Err(VerifyError::InvalidProofs(ix)) if ix == vec![0, 2]
        ));

        // Wrong input count in the batch.
        let mut bad = items.clone();
        bad[4].1.pop();
        match v.verify_batch_raw(&bad) {
            Err(VerifyError::BatchItem { index: 4, source }) => {
                assert!(matches!(
                    *source,
                    VerifyError::PublicInputCount {
                        expected: 6,
                        found: 5
                    }
                ))
            }
            other => panic!("{other:?}"),
        }

        // Envelopes: a bad proof at index 3, and an envelope naming another key at index 2.
        let mut rng = ChaCha20Rng::seed_from_u64(44);
        let mut envs: Vec<ProofEnvelope> = (0..8).map(|_| valid_envelope(fx(), &mut rng)).collect();
        let other = valid_envelope(fx(), &mut rng);
        envs[3].proof = other.proof.clone();
        assert!(matches!(
            v.verify_batch(&envs),
            Err(VerifyError::InvalidProofs(ix)) if ix == vec![3]
        ));
        envs[2].key_digest = other_fx().key.digest;
        envs[6].circuit_version = 9;
        match v.verify_batch(&envs) {
            Err(VerifyError::BatchItem { index: 2, source }) => {
                assert!(matches!(*source, VerifyError::WrongKey { .. }))
            }
            other => panic!("{other:?}"),
        }
    }
}
