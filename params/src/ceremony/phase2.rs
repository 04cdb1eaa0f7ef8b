//! Phase 2: the per-circuit parameters.
//!
//! [`Phase2::init`] turns a phase-1 accumulator and a circuit's R1CS into the Groth16
//! parameters that ark-groth16's generator would make for secrets (τ, α, β, γ = 1, δ = 1):
//! the Lagrange basis of veil's evaluation domain (arkworks' radix-2 domain of size
//! ≥ constraints + public inputs) by an inverse FFT over the group elements (veil-prover's
//! group FFT on blst's point arithmetic), then the A, B, C, L and H queries as sparse
//! combinations of it, one blst MSM per column. Each [`Phase2::contribute`] multiplies δ by a
//! fresh secret and divides L and H by it, with a proof of knowledge; [`Phase2::verify`]
//! checks every query against the powers of tau and the circuit, every contribution and the
//! final keys.
//!
//! # Verifying without the group FFTs
//!
//! A rebuild of the initial parameters costs four FFTs over the group (τ·G1, τ·G2, α·τ·G1,
//! β·τ·G1), most of init's time. A verifier does not need the Lagrange bases themselves,
//! only that each query is what they give: for random full-size scalars sᵢ,
//! Σᵢ sᵢ·uᵢ(τ) = W(τ) where W is the polynomial taking the values wⱼ = Σᵢ sᵢ·Aⱼᵢ on the
//! domain. W's coefficients are a field inverse FFT of w (microseconds), so
//! Σᵢ sᵢ·A_queryᵢ = Σₖ Wₖ·τᵏ·G1 is one MSM on each side, checked against the powers of tau
//! directly; the same for B in G1 and G2, the public-input query and L (L through one
//! pairing with the final δ), and H (τⁱ·Z(τ) = τ^(i+m) − τⁱ). A query that differs from the
//! rebuilt one in any point passes with probability at most about m/r ≈ 2^-242 per check
//! (Schwartz–Zippel over the scalars, drawn from the OS: the file's author cannot predict
//! them). This is what snarkjs's `zkey verify` does for L and H; veil does it for every
//! query, from the raw powers of tau rather than a prepared file it would have to trust.
//!
//! Version 2 files record as their initial digest a hash of the recipe (the phase-1
//! transcript hash, the circuit, its constraint-system digest and the domain size), which a
//! verifier checks without rebuilding; version 1 files recorded the SHA3 of the initial
//! parameters themselves, and are still read and verified by a rebuild.

use super::io::{self, Reader, Writer};
use super::phase1::{Origin, Phase1};
use super::{
    beacon_rng, contributor_rng, msm_g1, msm_g2, nonzero_scalar, random_scalars, same_ratio,
    scaled_by_inverse, sha3, verifier_rng, CeremonyError, Hash, Pok, Result,
};
use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup};
use ark_ff::{FftField, Field, Zero};
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use veil_prover::msm::{fft_g1, fft_g2};
use veil_prover::{Compiled, Groth16ProvingKey};
use veil_verifier::format::{KeyKind, KeySource};
use veil_verifier::groth16::Groth16VerifyingKey;
use veil_verifier::{Bytes32, CircuitId};

const MAGIC: &[u8; 8] = b"veilph2\0";
/// The phase-2 format this veil writes (see the module docs for what changed from 1).
pub const VERSION: u32 = 2;
/// Version 1: the initial digest is the SHA3 of the initial parameters.
const VERSION_PARAMS_DIGEST: u32 = 1;
const MAX_NAME: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    pub name: String,
    pub origin: Origin,
    /// δ·G1 after this contribution.
    pub delta_g1: G1Affine,
    pub pok: Pok,
}

/// A circuit's Groth16 parameters and the transcript of δ contributions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase2 {
    /// The file format version (1 or 2): what the initial digest is a digest of.
    pub version: u32,
    pub circuit: CircuitId,
    pub cs_digest: Bytes32,
    /// The phase-1 transcript hash the parameters were made from.
    pub ptau_hash: Hash,
    /// What the transcript starts from: in version 2 a hash of the recipe
    /// ([`recipe_digest`]), in version 1 the SHA3-256 of the initial parameters.
    pub init_digest: Hash,
    pub alpha_g1: G1Affine,
    pub beta_g1: G1Affine,
    pub beta_g2: G2Affine,
    pub gamma_g2: G2Affine,
    pub a_query: Vec<G1Affine>,
    pub b_g1_query: Vec<G1Affine>,
    pub b_g2_query: Vec<G2Affine>,
    pub gamma_abc_g1: Vec<G1Affine>,
    pub delta_g1: G1Affine,
    pub delta_g2: G2Affine,
    pub h_query: Vec<G1Affine>,
    pub l_query: Vec<G1Affine>,
    pub contributions: Vec<Contribution>,
}

/// What a successful verification established.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Phase2Report {
    pub circuit: String,
    pub cs_digest: String,
    pub ptau_hash: String,
    pub contributions: Vec<String>,
    pub transcript_hash: String,
    /// The digest of the verifying key `finalize` makes from this transcript.
    pub vk_digest: String,
}

impl Contribution {
    fn write(&self, w: &mut Writer) {
        w.blob(self.name.as_bytes());
        match &self.origin {
            Origin::Participant => w.u8(0),
            Origin::Beacon { value, exp } => {
                w.u8(1);
                w.blob(value);
                w.u32(*exp);
            }
        }
        w.g1(&self.delta_g1);
        self.pok.write(w);
    }

    fn read(r: &mut Reader) -> Result<Self> {
        let name = String::from_utf8(r.blob(MAX_NAME, "contribution name")?.to_vec())
            .map_err(|_| CeremonyError::Format("contribution name is not UTF-8".into()))?;
        let origin = match r.u8()? {
            0 => Origin::Participant,
            1 => {
                let value = r.blob(64, "beacon value")?.to_vec();
                let exp = r.u32()?;
                Origin::Beacon { value, exp }
            }
            t => {
                return Err(CeremonyError::Format(format!(
                    "unknown contribution type {t}"
                )))
            }
        };
        Ok(Contribution {
            name,
            origin,
            delta_g1: r.g1("contribution δ·G1")?,
            pok: Pok::read(r, "proof of knowledge of δ")?,
        })
    }

    fn bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        self.write(&mut w);
        w.buf
    }
}

/// Bases and the matrix columns (per variable, its (row, coefficient) terms) over them.
type ColumnPart<'a, G> = (&'a [<G as CurveGroup>::Affine], &'a [Vec<(usize, Fr)>]);

/// For each column j, the sum over `parts` of `coeff · bases[row]` for the (row, coeff) terms
/// of column j of that part's matrix, by one MSM per column (`msm`: blst's), columns in
/// parallel. Terms with equal coefficients are merged first by adding their bases: the rows
/// of a Poseidon S-box repeat one linear combination, so B's 70.5k terms in tier-20 become
/// 34.9k. Summing the three parts of the L query in one MSM per column is what snarkjs does
/// too.
fn combine_columns<G: CurveGroup<ScalarField = Fr>>(
    parts: &[ColumnPart<'_, G>],
    msm: fn(&[G::Affine], &[Fr]) -> G,
) -> Vec<G> {
    let columns = parts.iter().map(|(_, cols)| cols.len()).max().unwrap_or(0);
    (0..columns)
        .into_par_iter()
        .map(|j| {
            let mut terms: Vec<(Fr, G::Affine)> = parts
                .iter()
                .flat_map(|(bases, cols)| {
                    cols.get(j)
                        .into_iter()
                        .flatten()
                        .filter(|(_, c)| !c.is_zero())
                        .map(|(i, c)| (*c, bases[*i]))
                })
                .collect();
            // Equal field elements have equal Montgomery limbs: sorting by them groups them.
            terms.sort_unstable_by_key(|t| t.0 .0);
            let mut scalars = Vec::with_capacity(terms.len());
            let mut sums: Vec<G> = Vec::with_capacity(terms.len());
            for (c, base) in terms {
                if scalars.last() == Some(&c) {
                    *sums.last_mut().expect("one sum per scalar") += base;
                } else {
                    scalars.push(c);
                    sums.push(base.into_group());
                }
            }
            match scalars.len() {
                0 => G::zero(),
                1 => sums[0] * scalars[0],
                _ => msm(&G::normalize_batch(&sums), &scalars),
            }
        })
        .collect()
}

/// One G1 MSM (blst's) over one vector of bases.
fn msm_g1_one(bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
    msm_g1(&[bases], &[scalars])
}

/// The columns of a matrix: for each variable, its (row, coefficient · `scale`) entries.
fn columns(
    matrix: &[Vec<(Fr, usize)>],
    num_vars: usize,
    scale: Fr,
) -> Result<Vec<Vec<(usize, Fr)>>> {
    let mut cols = vec![Vec::new(); num_vars];
    for (row, entries) in matrix.iter().enumerate() {
        for (coeff, var) in entries {
            cols.get_mut(*var)
                .ok_or_else(|| CeremonyError::Invalid(format!("R1CS variable {var} out of range")))?
                .push((row, *coeff * scale));
        }
    }
    Ok(cols)
}

/// The evaluation domain ark-groth16 uses for this circuit.
pub fn domain_for(compiled: &Compiled) -> Result<GeneralEvaluationDomain<Fr>> {
    GeneralEvaluationDomain::<Fr>::new(compiled.num_constraints + compiled.num_instance)
        .ok_or_else(|| CeremonyError::Invalid("the circuit is too large for an FFT domain".into()))
}

/// The smallest phase-1 power that fits the circuit.
pub fn required_power(compiled: &Compiled) -> Result<u32> {
    Ok(domain_for(compiled)?.size().trailing_zeros())
}

/// n·Lᵢ(τ)·G for i < n from τⁱ·G: the inverse FFT without its final division by n, which
/// would be n more scalar multiplications per vector. IFFT(x)ᵢ = FFT(x)₋ᵢ / n, so this is the
/// forward FFT (`fft`: veil-prover's group FFT, on blst) with the indices 1..n reversed; the
/// caller folds 1/n into the coefficients.
fn scaled_lagrange<A>(fft: fn(&[A]) -> Vec<A>, points: &[A]) -> Vec<A> {
    let mut v = fft(points);
    v[1..].reverse();
    v
}

impl Phase2 {
    /// The initial parameters (δ = γ = 1) from a phase-1 accumulator (verify it first) and a
    /// compiled circuit.
    pub fn init(ptau: &Phase1, compiled: &Compiled, progress: &dyn Fn(&str)) -> Result<Self> {
        Self::init_version(ptau, compiled, VERSION, progress)
    }

    /// [`Phase2::init`] in format `version` (1 to rebuild the parameters a version 1
    /// transcript started from; 1 or 2).
    pub fn init_version(
        ptau: &Phase1,
        compiled: &Compiled,
        version: u32,
        progress: &dyn Fn(&str),
    ) -> Result<Self> {
        if version != VERSION && version != VERSION_PARAMS_DIGEST {
            return Err(CeremonyError::Invalid(format!(
                "phase-2 format version {version} (1 or {VERSION})"
            )));
        }
        let domain = domain_for(compiled)?;
        let m = domain.size();
        let need = m.trailing_zeros();
        if need > ptau.power {
            return Err(CeremonyError::Invalid(format!(
                "{} needs powers of tau of power {need} (2^{need} ≥ {} constraints + public inputs), the file has power {}",
                compiled.circuit,
                compiled.num_constraints + compiled.num_instance,
                ptau.power
            )));
        }
        if ptau.tau_g1.len() < 2 * m - 1
            || ptau.tau_g2.len() < m
            || ptau.alpha_tau_g1.len() < m
            || ptau.beta_tau_g1.len() < m
        {
            return Err(CeremonyError::Format(
                "the powers-of-tau vectors are too short".into(),
            ));
        }
        let nc = compiled.num_constraints;
        let ni = compiled.num_instance;
        let nv = ni + compiled.num_witness;
        if compiled.matrices.len() != 3 || ni == 0 {
            return Err(CeremonyError::Invalid(
                "not an R1CS with a constant-one instance variable".into(),
            ));
        }
        // The group FFT runs on the radix-2 domain's standard generator: ark-groth16's domain
        // for this circuit must be that one.
        if domain.group_gen() != Fr::get_root_of_unity(m as u64).unwrap_or_default() {
            return Err(CeremonyError::Invalid(
                "the circuit's evaluation domain is not the radix-2 domain of its size".into(),
            ));
        }
        progress("Lagrange basis (FFT over G1, G2)");
        let (lt1, (lt2, (la1, lb1))) = rayon::join(
            || scaled_lagrange(fft_g1, &ptau.tau_g1[..m]),
            || {
                rayon::join(
                    || scaled_lagrange(fft_g2, &ptau.tau_g2[..m]),
                    || {
                        rayon::join(
                            || scaled_lagrange(fft_g1, &ptau.alpha_tau_g1[..m]),
                            || scaled_lagrange(fft_g1, &ptau.beta_tau_g1[..m]),
                        )
                    },
                )
            },
        );
        progress("A, B, C, L queries");
        // The bases are n·Lᵢ(τ): every coefficient carries the 1/n.
        let n_inv = domain.size_inv();
        let cols_a = columns(&compiled.matrices[0], nv, n_inv)?;
        let cols_b = columns(&compiled.matrices[1], nv, n_inv)?;
        let cols_c = columns(&compiled.matrices[2], nv, n_inv)?;
        // The instance variables also appear in A at rows nc + j (libsnark's reduction).
        let mut a_query: Vec<G1Projective> = combine_columns(&[(&lt1, &cols_a)], msm_g1_one);
        let b_g1: Vec<G1Projective> = combine_columns(&[(&lt1, &cols_b)], msm_g1_one);
        let b_g2: Vec<G2Projective> = combine_columns(&[(&lt2, &cols_b)], msm_g2);
        // β·aⱼ(τ) + α·bⱼ(τ) + cⱼ(τ), over γ = 1 for instance variables and δ = 1 for the rest.
        let mut abc: Vec<G1Projective> = combine_columns(
            &[(&lb1, &cols_a), (&la1, &cols_b), (&lt1, &cols_c)],
            msm_g1_one,
        );
        for j in 0..ni {
            a_query[j] += lt1[nc + j] * n_inv;
            abc[j] += lb1[nc + j] * n_inv;
        }
        progress("H query");
        // τⁱ·Z(τ)·G1 = τ^(i+m)·G1 − τⁱ·G1 for i < m − 1.
        let h: Vec<G1Projective> = (0..m - 1)
            .into_par_iter()
            .map(|i| ptau.tau_g1[i + m].into_group() - ptau.tau_g1[i])
            .collect();
        let abc = G1Projective::normalize_batch(&abc);
        let mut p2 = Phase2 {
            version,
            circuit: compiled.circuit,
            cs_digest: compiled.cs_digest,
            ptau_hash: ptau.transcript_hash(),
            init_digest: [0; 32],
            alpha_g1: ptau.alpha_tau_g1[0],
            beta_g1: ptau.beta_tau_g1[0],
            beta_g2: ptau.beta_g2,
            gamma_g2: G2Affine::generator(),
            a_query: G1Projective::normalize_batch(&a_query),
            b_g1_query: G1Projective::normalize_batch(&b_g1),
            b_g2_query: G2Projective::normalize_batch(&b_g2),
            gamma_abc_g1: abc[..ni].to_vec(),
            delta_g1: G1Affine::generator(),
            delta_g2: G2Affine::generator(),
            h_query: G1Projective::normalize_batch(&h),
            l_query: abc[ni..].to_vec(),
            contributions: Vec::new(),
        };
        p2.init_digest = if version == VERSION_PARAMS_DIGEST {
            p2.params_digest()
        } else {
            recipe_digest(p2.circuit, &p2.cs_digest, &p2.ptau_hash, m)
        };
        Ok(p2)
    }

    /// SHA3-256 of the parameters (without the contributions).
    fn params_digest(&self) -> Hash {
        let mut w = Writer::default();
        self.write_params(&mut w);
        sha3(&[b"veil-phase2-params-v1", &w.buf])
    }

    fn initial_hash(&self) -> Hash {
        sha3(&[
            b"veil-phase2-v1",
            self.circuit.to_string().as_bytes(),
            &self.cs_digest.0,
            &self.ptau_hash,
            &self.init_digest,
        ])
    }

    /// The hash of the transcript up to (not including) contribution `upto`.
    fn hash_upto(&self, upto: usize) -> Hash {
        self.contributions[..upto]
            .iter()
            .fold(self.initial_hash(), |h, c| sha3(&[&h, &c.bytes()]))
    }

    /// The hash of the whole transcript: what the keys' provenance records.
    pub fn transcript_hash(&self) -> Hash {
        self.hash_upto(self.contributions.len())
    }

    pub fn contribute(
        &mut self,
        name: &str,
        entropy: &[u8],
        progress: &dyn Fn(&str),
    ) -> Result<Hash> {
        let mut rng = contributor_rng(entropy);
        self.apply(name, Origin::Participant, &mut rng, progress)
    }

    pub fn beacon(&mut self, value: &[u8], exp: u32, progress: &dyn Fn(&str)) -> Result<Hash> {
        let mut rng = beacon_rng(value, exp)?;
        self.apply(
            "beacon",
            Origin::Beacon {
                value: value.to_vec(),
                exp,
            },
            &mut rng,
            progress,
        )
    }

    fn apply(
        &mut self,
        name: &str,
        origin: Origin,
        rng: &mut ChaCha20Rng,
        progress: &dyn Fn(&str),
    ) -> Result<Hash> {
        if name.len() > MAX_NAME {
            return Err(CeremonyError::Invalid(format!(
                "name longer than {MAX_NAME} bytes"
            )));
        }
        let transcript = self.transcript_hash();
        let x = nonzero_scalar(rng);
        let pok = Pok::new(x, &transcript, b"delta", rng)?;
        let x_inv = x
            .inverse()
            .ok_or_else(|| CeremonyError::Invalid("zero secret".into()))?;
        self.delta_g1 = (self.delta_g1 * x).into_affine();
        self.delta_g2 = (self.delta_g2 * x).into_affine();
        progress("L query");
        self.l_query = scale_all(&self.l_query, x_inv);
        progress("H query");
        self.h_query = scale_all(&self.h_query, x_inv);
        self.contributions.push(Contribution {
            name: name.to_string(),
            origin,
            delta_g1: self.delta_g1,
            pok,
        });
        Ok(self.transcript_hash())
    }

    /// Checks contribution `i` (0-based) against δ·G1 before it: proof of knowledge, δ ratio,
    /// δ changed, and for a beacon its recomputation.
    fn check_contribution(
        &self,
        i: usize,
        delta_before: G1Affine,
        transcript: &Hash,
    ) -> Result<()> {
        let c = &self.contributions[i];
        let fail = |check: String| CeremonyError::Contribution {
            index: i + 1,
            name: c.name.clone(),
            check,
        };
        if c.delta_g1.is_zero() {
            return Err(fail("δ·G1 is the identity".into()));
        }
        if c.delta_g1 == delta_before {
            return Err(fail("δ is unchanged: it reuses the previous δ".into()));
        }
        let (r, rx) = c.pok.check(transcript, b"delta").map_err(fail)?;
        if !same_ratio((delta_before, c.delta_g1), (r, rx)) {
            return Err(fail(
                "proof of knowledge of δ does not match the δ update (forged or copied proof)"
                    .into(),
            ));
        }
        if let Origin::Beacon { value, exp } = &c.origin {
            let mut rng = beacon_rng(value, *exp).map_err(|e| fail(e.to_string()))?;
            let x = nonzero_scalar(&mut rng);
            let pok =
                Pok::new(x, transcript, b"delta", &mut rng).map_err(|e| fail(e.to_string()))?;
            if pok != c.pok || (delta_before * x).into_affine() != c.delta_g1 {
                return Err(fail(
                    "the beacon contribution does not recompute from its value".into(),
                ));
            }
        }
        Ok(())
    }

    /// Checks the chain of δ contributions and the final δ in G1/G2 (not L and H).
    pub fn verify_chain(&self) -> Result<()> {
        if self.contributions.is_empty() {
            return Err(CeremonyError::Invalid(
                "no phase-2 contribution: δ = γ = the G2 generator and anyone can forge proofs"
                    .into(),
            ));
        }
        let mut delta = G1Affine::generator();
        let mut h = self.initial_hash();
        for (i, c) in self.contributions.iter().enumerate() {
            self.check_contribution(i, delta, &h)?;
            delta = c.delta_g1;
            h = sha3(&[&h, &c.bytes()]);
        }
        if self.delta_g1 != delta {
            return Err(CeremonyError::Invalid(
                "δ·G1 of the parameters is not the last contribution's".into(),
            ));
        }
        if !same_ratio(
            (G1Affine::generator(), self.delta_g1),
            (G2Affine::generator(), self.delta_g2),
        ) {
            return Err(CeremonyError::Invalid("δ·G2 does not match δ·G1".into()));
        }
        if self.delta_g2 == self.gamma_g2 {
            return Err(CeremonyError::Invalid(
                "δ = γ: anyone can forge proofs".into(),
            ));
        }
        Ok(())
    }

    fn same_fixed(&self, other: &Phase2) -> Result<()> {
        let fields: [(&str, bool); 10] = [
            ("circuit", self.circuit == other.circuit),
            (
                "constraint-system digest",
                self.cs_digest == other.cs_digest,
            ),
            ("phase-1 transcript hash", self.ptau_hash == other.ptau_hash),
            (
                "initial-parameters digest",
                self.init_digest == other.init_digest,
            ),
            (
                "α, β, γ",
                self.alpha_g1 == other.alpha_g1
                    && self.beta_g1 == other.beta_g1
                    && self.beta_g2 == other.beta_g2
                    && self.gamma_g2 == other.gamma_g2,
            ),
            ("A query", self.a_query == other.a_query),
            ("B query (G1)", self.b_g1_query == other.b_g1_query),
            ("B query (G2)", self.b_g2_query == other.b_g2_query),
            (
                "public-input query (γ_abc)",
                self.gamma_abc_g1 == other.gamma_abc_g1,
            ),
            (
                "L and H sizes",
                self.l_query.len() == other.l_query.len()
                    && self.h_query.len() == other.h_query.len(),
            ),
        ];
        match fields.iter().find(|(_, ok)| !ok) {
            Some((what, _)) => Err(CeremonyError::Invalid(format!(
                "{what} differs from the parameters rebuilt from the circuit and the powers of tau: this transcript is not for this circuit"
            ))),
            None => Ok(()),
        }
    }

    /// Full verification against `ptau` (already verified) and the circuit: the recipe (phase-1
    /// transcript, circuit, constraint system, domain), α, β, γ, every contribution and δ, and
    /// every query by random linear combinations against the powers of tau (see the module
    /// docs: no group FFT). A version 1 transcript is verified by a rebuild of its initial
    /// parameters ([`Phase2::verify_with_init`]).
    pub fn verify(
        &self,
        ptau: &Phase1,
        compiled: &Compiled,
        progress: &dyn Fn(&str),
    ) -> Result<Phase2Report> {
        if self.contributions.is_empty() {
            return Err(CeremonyError::Invalid(
                "no phase-2 contribution: δ = γ = the G2 generator and anyone can forge proofs"
                    .into(),
            ));
        }
        if self.version == VERSION_PARAMS_DIGEST {
            let init = Phase2::init_version(ptau, compiled, VERSION_PARAMS_DIGEST, progress)?;
            return self.verify_with_init(&init, progress);
        }
        progress("parameters against the circuit");
        let domain = self.check_recipe(ptau, compiled)?;
        progress("contributions");
        self.verify_chain()?;
        progress("queries against the powers of tau");
        self.check_queries(ptau, compiled, &domain)?;
        Ok(self.report())
    }

    /// What [`Phase2::verify`] checks before the contributions: the recipe digest, the fixed
    /// elements and the query lengths.
    fn check_recipe(
        &self,
        ptau: &Phase1,
        compiled: &Compiled,
    ) -> Result<GeneralEvaluationDomain<Fr>> {
        let domain = domain_for(compiled)?;
        let m = domain.size();
        if m.trailing_zeros() > ptau.power
            || ptau.tau_g1.len() < 2 * m - 1
            || ptau.tau_g2.len() < m
            || ptau.alpha_tau_g1.len() < m
            || ptau.beta_tau_g1.len() < m
        {
            return Err(CeremonyError::Invalid(format!(
                "{} needs powers of tau of power {}, the file has power {}",
                compiled.circuit,
                m.trailing_zeros(),
                ptau.power
            )));
        }
        let ni = compiled.num_instance;
        let nv = ni + compiled.num_witness;
        let ptau_hash = ptau.transcript_hash();
        let fields: [(&str, bool); 9] = [
            ("circuit", self.circuit == compiled.circuit),
            (
                "constraint-system digest",
                self.cs_digest == compiled.cs_digest,
            ),
            ("phase-1 transcript hash", self.ptau_hash == ptau_hash),
            (
                "initial-parameters digest",
                self.init_digest
                    == recipe_digest(compiled.circuit, &compiled.cs_digest, &ptau_hash, m),
            ),
            (
                "α, β, γ",
                self.alpha_g1 == ptau.alpha_tau_g1[0]
                    && self.beta_g1 == ptau.beta_tau_g1[0]
                    && self.beta_g2 == ptau.beta_g2
                    && self.gamma_g2 == G2Affine::generator(),
            ),
            ("A query size", self.a_query.len() == nv),
            (
                "B query sizes",
                self.b_g1_query.len() == nv && self.b_g2_query.len() == nv,
            ),
            ("public-input query size", self.gamma_abc_g1.len() == ni),
            (
                "L and H sizes",
                self.l_query.len() == nv - ni && self.h_query.len() == m - 1,
            ),
        ];
        match fields.iter().find(|(_, ok)| !ok) {
            Some((what, _)) => Err(not_for_this_circuit(what)),
            None => Ok(domain),
        }
    }

    /// Every query against the powers of tau and the circuit (see the module docs): one
    /// combined random linear combination of all of them, checked by one pairing product and
    /// one G2 equation; when it fails, [`Phase2::name_bad_query`] checks them one by one to
    /// say which differs.
    fn check_queries(
        &self,
        ptau: &Phase1,
        compiled: &Compiled,
        domain: &GeneralEvaluationDomain<Fr>,
    ) -> Result<()> {
        let m = domain.size();
        let ni = compiled.num_instance;
        let nv = self.a_query.len();
        let mut rng = verifier_rng();
        let (s_a, s_b, u) = (
            random_scalars(nv, &mut rng),
            random_scalars(nv, &mut rng),
            random_scalars(nv, &mut rng),
        );
        let r = random_scalars(m - 1, &mut rng);
        let poly = |k: usize, weights: &[Fr]| combined(compiled, domain, k, weights);
        let ((ca, cb), (cc, (ua, ub))) = rayon::join(
            || (poly(0, &s_a), poly(1, &s_b)),
            || (poly(2, &u), (poly(0, &u), poly(1, &u))),
        );
        // Over τⁱ·G1 (i < 2m − 1): A, B and C's parts, and H's τ^(i+m) − τⁱ.
        let mut tau_coeffs: Vec<Fr> = (0..m).map(|i| ca[i] + cb[i] + cc[i]).collect();
        for (i, x) in r.iter().enumerate() {
            tau_coeffs[i] -= x;
        }
        tau_coeffs.extend_from_slice(&r);
        let ((expected, fixed), (scaled, b2)) = rayon::join(
            || {
                rayon::join(
                    || {
                        msm_g1(
                            &[
                                &ptau.tau_g1[..2 * m - 1],
                                &ptau.beta_tau_g1[..m],
                                &ptau.alpha_tau_g1[..m],
                            ],
                            &[&tau_coeffs, &ua, &ub],
                        )
                    },
                    || {
                        msm_g1(
                            &[&self.a_query, &self.b_g1_query, &self.gamma_abc_g1],
                            &[&s_a, &s_b, &u[..ni]],
                        )
                    },
                )
            },
            || {
                rayon::join(
                    || msm_g1(&[&self.l_query, &self.h_query], &[&u[ni..], &r]),
                    || msm_g2(&self.b_g2_query, &s_b) == msm_g2(&ptau.tau_g2[..m], &cb),
                )
            },
        );
        // The queries that contributions leave alone equal their combination; L and H equal
        // theirs divided by δ: e(fixed − expected, G2) · e(scaled, δ) = 1.
        let ok = b2
            && Bls12_381::multi_pairing(
                [(fixed - expected).into_affine(), scaled.into_affine()],
                [G2Affine::generator(), self.delta_g2],
            )
            .is_zero();
        if ok {
            Ok(())
        } else {
            Err(self.name_bad_query(ptau, compiled, domain))
        }
    }

    /// Which query differs (each checked alone, as [`Phase2::check_queries`] checks them
    /// together), for the error of a transcript that failed the combined check.
    fn name_bad_query(
        &self,
        ptau: &Phase1,
        compiled: &Compiled,
        domain: &GeneralEvaluationDomain<Fr>,
    ) -> CeremonyError {
        let m = domain.size();
        let ni = compiled.num_instance;
        let nv = self.a_query.len();
        let mut rng = verifier_rng();
        let g2 = G2Affine::generator();
        let tau_g1 = &ptau.tau_g1[..m];
        let poly = |k: usize, weights: &[Fr]| combined(compiled, domain, k, weights);
        let msm = |bases: &[G1Affine], scalars: &[Fr]| msm_g1(&[bases], &[scalars]);

        let s = random_scalars(nv, &mut rng);
        if msm(&self.a_query, &s) != msm(tau_g1, &poly(0, &s)) {
            return not_for_this_circuit("A query");
        }
        let s = random_scalars(nv, &mut rng);
        let wb = poly(1, &s);
        if msm(&self.b_g1_query, &s) != msm(tau_g1, &wb) {
            return not_for_this_circuit("B query (G1)");
        }
        if msm_g2(&self.b_g2_query, &s) != msm_g2(&ptau.tau_g2[..m], &wb) {
            return not_for_this_circuit("B query (G2)");
        }
        // β·aᵢ(τ) + α·bᵢ(τ) + cᵢ(τ) combined with `weights`.
        let abc = |weights: &[Fr]| -> G1Projective {
            msm_g1(
                &[&ptau.beta_tau_g1[..m], &ptau.alpha_tau_g1[..m], tau_g1],
                &[&poly(0, weights), &poly(1, weights), &poly(2, weights)],
            )
        };
        let mut s = random_scalars(nv, &mut rng);
        s[ni..].iter_mut().for_each(|x| *x = Fr::zero());
        if msm(&self.gamma_abc_g1, &s[..ni]) != abc(&s) {
            return not_for_this_circuit("public-input query (γ_abc)");
        }
        let mut s = random_scalars(nv, &mut rng);
        s[..ni].iter_mut().for_each(|x| *x = Fr::zero());
        let lhs = msm(&self.l_query, &s[ni..]).into_affine();
        if !same_ratio((abc(&s).into_affine(), lhs), (self.delta_g2, g2)) {
            return CeremonyError::Invalid(
                "the L query is not the initial one divided by the contributions' δ".into(),
            );
        }
        CeremonyError::Invalid(
            "the H query is not the initial one divided by the contributions' δ".into(),
        )
    }

    /// [`Phase2::verify`] against initial parameters already rebuilt with [`Phase2::init`]
    /// from the (verified) powers of tau and the circuit: the parameters, every contribution
    /// and the final L and H.
    pub fn verify_with_init(&self, init: &Phase2, progress: &dyn Fn(&str)) -> Result<Phase2Report> {
        if self.contributions.is_empty() {
            return Err(CeremonyError::Invalid(
                "no phase-2 contribution: δ = γ = the G2 generator and anyone can forge proofs"
                    .into(),
            ));
        }
        if !init.contributions.is_empty() {
            return Err(CeremonyError::Invalid(
                "the initial parameters to check against carry contributions".into(),
            ));
        }
        progress("parameters against the circuit");
        self.same_fixed(init)?;
        progress("contributions");
        self.verify_chain()?;
        progress("L and H against the final δ");
        let mut rng = verifier_rng();
        if !scaled_by_inverse(
            &init.l_query,
            &self.l_query,
            init.delta_g2,
            self.delta_g2,
            &mut rng,
        ) {
            return Err(CeremonyError::Invalid(
                "the L query is not the initial one divided by the contributions' δ".into(),
            ));
        }
        if !scaled_by_inverse(
            &init.h_query,
            &self.h_query,
            init.delta_g2,
            self.delta_g2,
            &mut rng,
        ) {
            return Err(CeremonyError::Invalid(
                "the H query is not the initial one divided by the contributions' δ".into(),
            ));
        }
        Ok(self.report())
    }

    /// Checks that `next` is `self` plus exactly one valid contribution: what a coordinator
    /// runs before accepting an upload. Errors name the new contribution.
    pub fn verify_extension(&self, next: &Phase2) -> Result<()> {
        let i = self.contributions.len();
        if next.contributions.len() != i + 1 || next.contributions[..i] != self.contributions[..] {
            return Err(CeremonyError::Invalid(format!(
                "the upload is not the current transcript ({} contributions) plus one contribution",
                i
            )));
        }
        let c = &next.contributions[i];
        let fail = |check: &str| CeremonyError::Contribution {
            index: i + 1,
            name: c.name.clone(),
            check: check.to_string(),
        };
        let mut fixed = self.clone();
        fixed.contributions.clear();
        let mut next_fixed = next.clone();
        next_fixed.contributions.clear();
        fixed
            .same_fixed(&next_fixed)
            .map_err(|e| fail(&e.to_string()))?;
        next.check_contribution(i, self.delta_g1, &self.transcript_hash())?;
        if next.delta_g1 != c.delta_g1 {
            return Err(fail("δ·G1 of the parameters is not the contribution's"));
        }
        if !same_ratio(
            (G1Affine::generator(), next.delta_g1),
            (G2Affine::generator(), next.delta_g2),
        ) {
            return Err(fail("δ·G2 does not match δ·G1"));
        }
        let mut rng = verifier_rng();
        if !scaled_by_inverse(
            &self.l_query,
            &next.l_query,
            self.delta_g2,
            next.delta_g2,
            &mut rng,
        ) {
            return Err(fail(
                "the L query is not the previous one divided by the new δ",
            ));
        }
        if !scaled_by_inverse(
            &self.h_query,
            &next.h_query,
            self.delta_g2,
            next.delta_g2,
            &mut rng,
        ) {
            return Err(fail(
                "the H query is not the previous one divided by the new δ",
            ));
        }
        Ok(())
    }

    pub fn report(&self) -> Phase2Report {
        Phase2Report {
            circuit: self.circuit.to_string(),
            cs_digest: self.cs_digest.to_hex(),
            ptau_hash: hex::encode(self.ptau_hash),
            contributions: self.contributions.iter().map(|c| c.name.clone()).collect(),
            transcript_hash: hex::encode(self.transcript_hash()),
            vk_digest: self.verifying_key().digest.to_hex(),
        }
    }

    fn ark_vk(&self) -> VerifyingKey<Bls12_381> {
        VerifyingKey {
            alpha_g1: self.alpha_g1,
            beta_g2: self.beta_g2,
            gamma_g2: self.gamma_g2,
            delta_g2: self.delta_g2,
            gamma_abc_g1: self.gamma_abc_g1.clone(),
        }
    }

    /// The origin the keys record in their header: this ceremony's transcript hash and its
    /// number of contributions.
    pub fn key_source(&self) -> KeySource {
        KeySource::Ceremony {
            transcript_hash: Bytes32(self.transcript_hash()),
            contributions: u32::try_from(self.contributions.len()).unwrap_or(u32::MAX),
        }
    }

    /// The verifying key these parameters give (whether or not the transcript is valid),
    /// with the transcript recorded in its header (key format version 4).
    pub fn verifying_key(&self) -> Groth16VerifyingKey {
        Groth16VerifyingKey::new(self.circuit, self.cs_digest, self.ark_vk())
            .with_origin(self.key_source())
    }

    /// The production keys, their headers recording the ceremony ([`Phase2::key_source`]).
    /// Refuses a transcript with no contribution and checks the δ chain; run
    /// [`Phase2::verify`] against the circuit and the powers of tau for the full check. Write
    /// the proving key with [`Groth16ProvingKey::to_bytes_v3`] (the fast layout).
    pub fn finalize(&self) -> Result<(Groth16ProvingKey, Groth16VerifyingKey)> {
        self.verify_chain()?;
        let vk = self.verifying_key();
        let mut header = vk.header.clone();
        header.kind = KeyKind::Proving;
        let pk = ProvingKey {
            vk: self.ark_vk(),
            beta_g1: self.beta_g1,
            delta_g1: self.delta_g1,
            a_query: self.a_query.clone(),
            b_g1_query: self.b_g1_query.clone(),
            b_g2_query: self.b_g2_query.clone(),
            h_query: self.h_query.clone(),
            l_query: self.l_query.clone(),
        };
        Ok((Groth16ProvingKey { header, pk }, vk))
    }

    fn write_params(&self, w: &mut Writer) {
        w.blob(self.circuit.to_string().as_bytes());
        w.bytes(&self.cs_digest.0);
        w.bytes(&self.ptau_hash);
        w.g1(&self.alpha_g1);
        w.g1(&self.beta_g1);
        w.g2(&self.beta_g2);
        w.g2(&self.gamma_g2);
        w.g1_vec(&self.a_query);
        w.g1_vec(&self.b_g1_query);
        w.g2_vec(&self.b_g2_query);
        w.g1_vec(&self.gamma_abc_g1);
        w.g1(&self.delta_g1);
        w.g2(&self.delta_g2);
        w.g1_vec(&self.h_query);
        w.g1_vec(&self.l_query);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(MAGIC);
        w.u32(self.version);
        self.write_params(&mut w);
        w.bytes(&self.init_digest);
        w.u64(self.contributions.len() as u64);
        for c in &self.contributions {
            c.write(&mut w);
        }
        w.buf
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, "phase-2 file");
        if r.take(8)? != MAGIC {
            return Err(CeremonyError::Format("not a veil phase-2 file".into()));
        }
        let version = r.u32()?;
        if version != VERSION && version != VERSION_PARAMS_DIGEST {
            return Err(CeremonyError::Format(format!(
                "phase-2 format version {version}, this veil reads {VERSION_PARAMS_DIGEST} and {VERSION}"
            )));
        }
        let circuit: CircuitId = std::str::from_utf8(r.blob(64, "circuit id")?)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| CeremonyError::Format("unknown circuit id".into()))?;
        let cs_digest = Bytes32(r.hash()?);
        let ptau_hash = r.hash()?;
        let alpha_g1 = r.g1("α·G1")?;
        let beta_g1 = r.g1("β·G1")?;
        let beta_g2 = r.g2("β·G2")?;
        let gamma_g2 = r.g2("γ·G2")?;
        let a_query = r.g1_vec("A query")?;
        let b_g1_query = r.g1_vec("B query (G1)")?;
        let b_g2_query = r.g2_vec("B query (G2)")?;
        let gamma_abc_g1 = r.g1_vec("public-input query")?;
        let delta_g1 = r.g1("δ·G1")?;
        let delta_g2 = r.g2("δ·G2")?;
        let h_query = r.g1_vec("H query")?;
        let l_query = r.g1_vec("L query")?;
        let init_digest = r.hash()?;
        let count = r.count(300, "contributions")?;
        let mut contributions = Vec::with_capacity(count);
        for _ in 0..count {
            contributions.push(Contribution::read(&mut r)?);
        }
        r.finish()?;
        if a_query.len() != b_g1_query.len()
            || a_query.len() != b_g2_query.len()
            || a_query.len() != gamma_abc_g1.len() + l_query.len()
            || gamma_abc_g1.is_empty()
        {
            return Err(CeremonyError::Format(
                "query lengths are inconsistent".into(),
            ));
        }
        for (p, what) in [(alpha_g1, "α·G1"), (beta_g1, "β·G1"), (delta_g1, "δ·G1")] {
            if p.is_zero() {
                return Err(CeremonyError::Point {
                    what: what.into(),
                    detail: "the identity point".into(),
                });
            }
        }
        if beta_g2.is_zero() || gamma_g2.is_zero() || delta_g2.is_zero() {
            return Err(CeremonyError::Point {
                what: "β, γ or δ in G2".into(),
                detail: "the identity point".into(),
            });
        }
        Ok(Phase2 {
            version,
            circuit,
            cs_digest,
            ptau_hash,
            init_digest,
            alpha_g1,
            beta_g1,
            beta_g2,
            gamma_g2,
            a_query,
            b_g1_query,
            b_g2_query,
            gamma_abc_g1,
            delta_g1,
            delta_g2,
            h_query,
            l_query,
            contributions,
        })
    }

    pub fn read(path: &std::path::Path) -> Result<Self> {
        let bytes = io::read_file(path)?;
        Self::from_bytes(&bytes).map_err(|e| match e {
            CeremonyError::Format(m) => CeremonyError::Format(format!("{}: {m}", path.display())),
            other => other,
        })
    }
}

/// The coefficients of the polynomial taking Σᵢ weights[i]·M[j][i] at the j-th point of the
/// domain, M the circuit's matrix `k` (0, 1, 2: A, B, C; for A also the instance rows nc + i
/// of libsnark's reduction).
fn combined(
    compiled: &Compiled,
    domain: &GeneralEvaluationDomain<Fr>,
    k: usize,
    weights: &[Fr],
) -> Vec<Fr> {
    let mut w = vec![Fr::zero(); domain.size()];
    for (j, row) in compiled.matrices[k].iter().enumerate() {
        w[j] = row.iter().map(|(c, v)| *c * weights[*v]).sum();
    }
    if k == 0 {
        let nc = compiled.num_constraints;
        for (i, s) in weights[..compiled.num_instance].iter().enumerate() {
            w[nc + i] += s;
        }
    }
    domain.ifft_in_place(&mut w);
    w
}

/// The initial digest of a version 2 transcript: what its parameters are made from (they are
/// a deterministic function of these, checked by [`Phase2::verify`]).
pub fn recipe_digest(circuit: CircuitId, cs_digest: &Bytes32, ptau_hash: &Hash, m: usize) -> Hash {
    sha3(&[
        b"veil-phase2-recipe-v2",
        circuit.to_string().as_bytes(),
        &cs_digest.0,
        ptau_hash,
        &(m as u64).to_le_bytes(),
    ])
}

fn not_for_this_circuit(what: &str) -> CeremonyError {
    CeremonyError::Invalid(format!(
        "{what} differs from the parameters the circuit and the powers of tau give: this transcript is not for this circuit"
    ))
}

fn scale_all(points: &[G1Affine], s: Fr) -> Vec<G1Affine> {
    let proj: Vec<G1Projective> = points.par_iter().map(|p| *p * s).collect();
    G1Projective::normalize_batch(&proj)
}
