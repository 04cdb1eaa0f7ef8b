//! The trusted-setup ceremony: powers of tau (phase 1, [`phase1`]), the per-circuit phase 2
//! ([`phase2`]) and snarkjs `.ptau` interop ([`ptau`]).
//!
//! Every contribution carries a proof of knowledge of its secret (the Zcash / snarkjs scheme:
//! a random G1 pair `(s·G1, x·s·G1)` and `x·R` for `R` hashed onto G2 from the transcript so
//! far, RFC 9380 hash-to-curve) and extends a SHA3-256 hash chain over the transcript. The
//! verifiers check every point read for subgroup membership, refuse identity points where a
//! secret multiple of a generator is expected, and batch their power checks with random linear
//! combinations of full-size scalars.

pub mod io;
pub mod phase1;
pub mod phase2;
pub mod provenance;
pub mod ptau;
pub mod snarkjs_chain;

use ark_bls12_381::{g2, Bls12_381, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::hashing::{
    curve_maps::wb::WBMap, map_to_curve_hasher::MapToCurveBasedHasher, HashToCurve,
};
use ark_ec::pairing::{Pairing, PairingOutput};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::field_hashers::DefaultFieldHasher;
use ark_ff::{UniformRand, Zero};
use ark_serialize::CanonicalSerialize;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::Sha256;
use sha3::{Digest as _, Sha3_256};

/// What goes wrong in a ceremony step or a verification.
#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// A file that is not what it claims to be (truncated, wrong magic, bad lengths).
    #[error("{0}")]
    Format(String),
    /// A point that is not on the curve, not in the prime-order subgroup, or the identity.
    #[error("{what}: {detail}")]
    Point { what: String, detail: String },
    /// A contribution that fails a check: which one, and which check.
    #[error("contribution {index} ({name}): {check}")]
    Contribution {
        index: usize,
        name: String,
        check: String,
    },
    /// Any other failed check (final parameters, circuit binding, ...).
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Prove(#[from] veil_prover::ProveError),
}

pub type Result<T> = std::result::Result<T, CeremonyError>;

/// 32-byte SHA3-256 digest.
pub type Hash = [u8; 32];

const HASH_TO_G2_DST: &[u8] = b"VEIL-CEREMONY-V1_BLS12381G2_XMD:SHA-256_SSWU_RO_";

/// The random point a proof of knowledge answers: the transcript hash, a tag naming the
/// secret, and the G1 pair, hashed onto G2.
pub fn pok_challenge(
    transcript: &Hash,
    tag: &[u8],
    g1_s: &G1Affine,
    g1_sx: &G1Affine,
) -> Result<G2Affine> {
    let hasher = MapToCurveBasedHasher::<
        G2Projective,
        DefaultFieldHasher<Sha256, 128>,
        WBMap<g2::Config>,
    >::new(HASH_TO_G2_DST)
    .map_err(|e| CeremonyError::Invalid(format!("hash to G2: {e}")))?;
    let mut msg = Vec::with_capacity(32 + tag.len() + 2 * 96);
    msg.extend_from_slice(transcript);
    msg.extend_from_slice(tag);
    g1_s.serialize_uncompressed(&mut msg)
        .map_err(|e| CeremonyError::Invalid(e.to_string()))?;
    g1_sx
        .serialize_uncompressed(&mut msg)
        .map_err(|e| CeremonyError::Invalid(e.to_string()))?;
    hasher
        .hash(&msg)
        .map_err(|e| CeremonyError::Invalid(format!("hash to G2: {e}")))
}

/// A proof of knowledge of a secret `x`: `(s·G1, x·s·G1, x·R)` with `R` = [`pok_challenge`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pok {
    pub g1_s: G1Affine,
    pub g1_sx: G1Affine,
    pub g2_spx: G2Affine,
}

impl Pok {
    pub fn new(x: Fr, transcript: &Hash, tag: &[u8], rng: &mut ChaCha20Rng) -> Result<Self> {
        let s = nonzero_scalar(rng);
        let g1_s = (G1Projective::generator() * s).into_affine();
        let g1_sx = (g1_s * x).into_affine();
        let r = pok_challenge(transcript, tag, &g1_s, &g1_sx)?;
        Ok(Pok {
            g1_s,
            g1_sx,
            g2_spx: (r * x).into_affine(),
        })
    }

    /// Checks the proof and returns `(R, x·R)`, the G2 pair that carries the secret's ratio.
    pub fn check(
        &self,
        transcript: &Hash,
        tag: &[u8],
    ) -> std::result::Result<(G2Affine, G2Affine), String> {
        let what = String::from_utf8_lossy(tag).into_owned();
        if self.g1_s.is_zero() || self.g1_sx.is_zero() || self.g2_spx.is_zero() {
            return Err(format!(
                "proof of knowledge of {what} has an identity point"
            ));
        }
        let r =
            pok_challenge(transcript, tag, &self.g1_s, &self.g1_sx).map_err(|e| e.to_string())?;
        if !same_ratio((self.g1_s, self.g1_sx), (r, self.g2_spx)) {
            return Err(format!("proof of knowledge of {what} does not verify"));
        }
        Ok((r, self.g2_spx))
    }

    pub(crate) fn write(&self, w: &mut io::Writer) {
        w.g1(&self.g1_s);
        w.g1(&self.g1_sx);
        w.g2(&self.g2_spx);
    }

    pub(crate) fn read(r: &mut io::Reader, what: &str) -> Result<Self> {
        Ok(Pok {
            g1_s: r.g1(what)?,
            g1_sx: r.g1(what)?,
            g2_spx: r.g2(what)?,
        })
    }
}

/// `b1 / a1 == b2 / a2` in the exponent: e(a1, b2) == e(b1, a2).
pub fn same_ratio(g1: (G1Affine, G1Affine), g2: (G2Affine, G2Affine)) -> bool {
    let neg_b1 = -g1.1;
    Bls12_381::multi_pairing([g1.0, neg_b1], [g2.1, g2.0]) == PairingOutput::zero()
}

/// Projective variant of [`same_ratio`].
pub fn same_ratio_proj(g1: (G1Projective, G1Projective), g2: (G2Projective, G2Projective)) -> bool {
    same_ratio(
        (g1.0.into_affine(), g1.1.into_affine()),
        (g2.0.into_affine(), g2.1.into_affine()),
    )
}

/// A fresh verifier RNG from the OS (the random linear combinations must not be predictable).
pub fn verifier_rng() -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    ChaCha20Rng::from_seed(seed)
}

/// A contributor's RNG: OS randomness hashed with optional user entropy.
pub fn contributor_rng(entropy: &[u8]) -> ChaCha20Rng {
    let mut os = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut os);
    let mut h = Sha3_256::new();
    h.update(b"veil-ceremony-entropy-v1");
    h.update(os);
    h.update((entropy.len() as u64).to_le_bytes());
    h.update(entropy);
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// The most beacon iterations accepted: 2^32 SHA-256 calls (minutes).
pub const MAX_BEACON_EXP: u32 = 32;

/// The beacon's RNG: SHA-256 applied 2^exp times to the beacon value (as snarkjs does).
pub fn beacon_rng(beacon: &[u8], exp: u32) -> Result<ChaCha20Rng> {
    if exp > MAX_BEACON_EXP {
        return Err(CeremonyError::Invalid(format!(
            "beacon iterations 2^{exp} exceed 2^{MAX_BEACON_EXP}"
        )));
    }
    if beacon.is_empty() || beacon.len() > 64 {
        return Err(CeremonyError::Invalid(
            "the beacon value must be 1 to 64 bytes".into(),
        ));
    }
    use sha2::Digest as _;
    let mut cur: [u8; 32] = Sha256::digest(beacon).into();
    for _ in 1..(1u64 << exp) {
        cur = Sha256::digest(cur).into();
    }
    Ok(ChaCha20Rng::from_seed(cur))
}

pub fn nonzero_scalar(rng: &mut ChaCha20Rng) -> Fr {
    loop {
        let x = Fr::rand(rng);
        if !x.is_zero() {
            return x;
        }
    }
}

/// Σ over the parts of Σᵢ scalars[i]·bases[i], as one MSM (blst's, veil's default engine).
pub(crate) fn msm_g1(bases: &[&[G1Affine]], scalars: &[&[Fr]]) -> G1Projective {
    use ark_ff::PrimeField;
    use veil_prover::msm::{msm_g1_once, BlstEngine};
    let mut all_bases = Vec::new();
    let mut all_scalars = Vec::new();
    for (b, s) in bases.iter().zip(scalars) {
        let n = b.len().min(s.len());
        all_bases.extend_from_slice(&b[..n]);
        all_scalars.extend(s[..n].iter().map(|x| x.into_bigint()));
    }
    msm_g1_once(&BlstEngine, &all_bases, &all_scalars)
}

/// Σᵢ scalars[i]·bases[i] in G2 (blst).
pub(crate) fn msm_g2(bases: &[G2Affine], scalars: &[Fr]) -> G2Projective {
    use ark_ff::PrimeField;
    use veil_prover::msm::{msm_g2_once, BlstEngine};
    let scalars: Vec<_> = scalars.iter().map(|x| x.into_bigint()).collect();
    msm_g2_once(&BlstEngine, bases, &scalars)
}

/// Random full-size scalars for a batched check.
pub fn random_scalars(n: usize, rng: &mut ChaCha20Rng) -> Vec<Fr> {
    (0..n).map(|_| Fr::rand(rng)).collect()
}

/// Whether `points[i+1] = τ · points[i]` for all i, where `tau_g2 = τ·G2`: one random linear
/// combination, two MSMs, one pairing product.
pub fn consecutive_powers_g1(points: &[G1Affine], tau_g2: G2Affine, rng: &mut ChaCha20Rng) -> bool {
    if points.len() < 2 {
        return true;
    }
    let n = points.len() - 1;
    let r = random_scalars(n, rng);
    let lhs = msm_g1(&[&points[..n]], &[&r]);
    let rhs = msm_g1(&[&points[1..]], &[&r]);
    same_ratio_proj((lhs, rhs), (G2Projective::generator(), tau_g2.into_group()))
}

/// Whether `points[i+1] = τ · points[i]` in G2, where `tau_g1 = τ·G1`.
pub fn consecutive_powers_g2(points: &[G2Affine], tau_g1: G1Affine, rng: &mut ChaCha20Rng) -> bool {
    if points.len() < 2 {
        return true;
    }
    let n = points.len() - 1;
    let r = random_scalars(n, rng);
    let lhs = msm_g2(&points[..n], &r);
    let rhs = msm_g2(&points[1..], &r);
    same_ratio_proj((G1Projective::generator(), tau_g1.into_group()), (lhs, rhs))
}

/// Whether `after[i] = before[i] / x` for all i, where `x` is given by `x·G2 = delta_after`
/// relative to `delta_before` (both in G2): e(Σ rᵢ·afterᵢ, δ_after) == e(Σ rᵢ·beforeᵢ, δ_before).
pub fn scaled_by_inverse(
    before: &[G1Affine],
    after: &[G1Affine],
    delta_before: G2Affine,
    delta_after: G2Affine,
    rng: &mut ChaCha20Rng,
) -> bool {
    if before.len() != after.len() {
        return false;
    }
    if before.is_empty() {
        return true;
    }
    let r = random_scalars(before.len(), rng);
    let a = msm_g1(&[after], &[&r]).into_affine();
    let b = msm_g1(&[before], &[&r]).into_affine();
    // a·δ_after == b·δ_before  <=>  e(a, δ_after) · e(-b, δ_before) == 1
    Bls12_381::multi_pairing([a, -b], [delta_after, delta_before]) == PairingOutput::zero()
}

/// Parallel `bases[i] * scalars[i]`, normalized.
pub(crate) fn scale_g1(bases: &[G1Affine], scalars: &[Fr]) -> Vec<G1Affine> {
    use rayon::prelude::*;
    let proj: Vec<G1Projective> = bases
        .par_iter()
        .zip(scalars.par_iter())
        .map(|(b, s)| *b * s)
        .collect();
    G1Projective::normalize_batch(&proj)
}

pub(crate) fn scale_g2(bases: &[G2Affine], scalars: &[Fr]) -> Vec<G2Affine> {
    use rayon::prelude::*;
    let proj: Vec<G2Projective> = bases
        .par_iter()
        .zip(scalars.par_iter())
        .map(|(b, s)| *b * s)
        .collect();
    G2Projective::normalize_batch(&proj)
}

/// 1, x, x², ..., x^(n-1).
pub(crate) fn powers(x: Fr, n: usize) -> Vec<Fr> {
    let mut out = Vec::with_capacity(n);
    let mut cur = Fr::from(1u64);
    for _ in 0..n {
        out.push(cur);
        cur *= x;
    }
    out
}

pub(crate) fn sha3(parts: &[&[u8]]) -> Hash {
    let mut h = Sha3_256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// Hex of a hash, for reports.
pub fn hex_hash(h: &Hash) -> String {
    hex::encode(h)
}
