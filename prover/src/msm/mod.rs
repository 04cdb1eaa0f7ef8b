//! The MSM engine seam: where Groth16 proving spends its time, and where faster
//! multi-scalar multiplication (blst, a GPU) plugs in.
//!
//! A Groth16 proof over BLS12-381 is four MSMs in G1 (the A query, the B query in G1, the
//! H query and the L query) and one in G2 (the B query in G2), plus a handful of fixed-base
//! multiplications. veil's own [`create_proof`] computes exactly what ark-groth16's
//! `create_proof_with_assignment` computes (the same R1CS-to-QAP reduction, ark-groth16's
//! `LibsnarkReduction`, for h; the same group elements for A, B and C), but each MSM goes
//! through an [`MsmEngine`]:
//!
//! * [`MsmEngine::prepare_g1`] / [`MsmEngine::prepare_g2`] turn a query of the proving key
//!   into the engine's own form **once per key** (when the [`crate::groth16::Prover`] is
//!   built): converted to the engine's point layout, points at infinity dropped (a variable
//!   that never appears in a matrix has the point at infinity in that query: in a Poseidon
//!   circuit most of the B queries, G2 included, are such points).
//! * [`MsmEngine::msm_g1`] / [`MsmEngine::msm_g2`] take the scalars as canonical big integers,
//!   indexed like the original query (longer scalar slices are cut to the query's length, as
//!   arkworks does), and skip zero scalars.
//!
//! Engines:
//!
//! * [`ArkEngine`]: arkworks 0.6's `VariableBaseMSM::msm_bigint`, the reference: what plain
//!   ark-groth16 runs.
//! * `BlstEngine` (cargo feature `blst`, on by default): supranational's blst Pippenger
//!   (assembly field arithmetic, ADX/MULX chosen at run time: the crate is built `portable`,
//!   which keeps one build for the CLI and the tests, where revm already asks for it). Its
//!   scalars are sorted by size first as arkworks 0.6 does (0 skipped, ±1 summed with blst's
//!   batched affine additions, scalars or their negations of at most 8, 16, 32 or 64 bits in
//!   Pippenger of that many bits, the rest in 255-bit Pippenger).
//!
//! Both compute the same group elements, so proofs are identical bit for bit for the same
//! randomness `r, s` (tested in `prover/tests/msm_engines.rs`, against plain ark-groth16 too).
//!
//! ## Threads
//!
//! Everything runs on rayon's pool, so `RAYON_NUM_THREADS` and `veil --threads` bound the
//! process. blst's own Rust MSM (`p1_affines::mult`) runs on a private `threadpool` sized to
//! every CPU of the machine, regardless of rayon: veil does not call it. The blst engine calls
//! blst's single-threaded C kernels (`blst_p1s_mult_pippenger`, `blst_p1s_add` and their G2
//! twins) from rayon tasks, one per slice of the points (`rayon::current_num_threads()`
//! slices), and sums the slices' results in the calling thread. (A port of blst's own tiling,
//! points and scalar bits in a grid, gave wrong sums for some scalar widths and was dropped.)
//!
//! The G2 MSM runs beside the four G1 MSMs (`rayon::join`); in
//! [`crate::groth16::Prover::prove_batch`] the witness of the next proof (native check,
//! witness synthesis, constraint check, the QAP's FFTs) is computed while the MSMs of the
//! previous one run.
//!
//! ## Selection
//!
//! [`EngineKind::default_kind`]: the value given to [`set_default_engine`] (what
//! `veil prove --msm-engine ark|blst` sets), else the `VEIL_MSM_ENGINE` environment variable
//! (`ark` or `blst`) if set, else blst when it is built (the default), else ark. blst's
//! parallel path splits the points in `rayon::current_num_threads()` slices, each summed by
//! blst's single-threaded Pippenger kernel; `prover/tests/msm_engines.rs` checks it against
//! arkworks at 1, 2, 3 and 8 threads and every scalar width, and the proofs bit for bit.
//! [`crate::groth16::Prover::with_engine`] chooses explicitly.
//!
//! ## A GPU engine (design; not shipped: no GPU to test on here)
//!
//! The seam is shaped so that an accelerator is one more `MsmEngine` with no change to the
//! prover. With ICICLE (`icicle-core`, `icicle-runtime`, `icicle-bls12-381`, v3 API):
//!
//! * **Gating**: a cargo feature `icicle = ["dep:icicle-core", "dep:icicle-runtime",
//!   "dep:icicle-bls12-381"]`, off by default (the crates need CUDA at build time and are not
//!   on the registry this workspace builds from), and an `EngineKind::Icicle` that exists
//!   only under the feature; at run time `icicle_runtime::load_backend_from_env_or_default()`
//!   and `icicle_runtime::set_device(&Device::new("CUDA", 0))` once, and selecting the engine
//!   fails with a clear error (never a fallback in silence) when no device is found.
//! * **`prepare_g1` / `prepare_g2` = upload once per key**: convert the arkworks affine points
//!   (Montgomery form) to ICICLE's `G1Affine`/`G2Affine` (`icicle_bls12_381::curve`; from
//!   canonical limbs, or keep them in Montgomery form and set `MSMConfig::are_points_montgomery_form`),
//!   allocate `DeviceVec::<G1Affine>::device_malloc(n)` and `copy_from_host` once: the
//!   engine's `G1Bases` is that device buffer (plus the index map of the dropped points at
//!   infinity), held for the key's lifetime, so a proof moves only scalars to the device.
//!   Optionally `msm::precompute_bases` with `MSMConfig::precompute_factor` > 1 at this
//!   step, trading device memory for speed.
//! * **`msm_g1` / `msm_g2`**: `icicle_core::msm::msm(scalars, bases, &cfg, results)` with
//!   `scalars: &HostSlice<ScalarField>` (the scalars as canonical `[u32; 8]` limbs, or
//!   Montgomery with `are_scalars_montgomery_form`), `bases: &DeviceSlice` from the prepared
//!   form, `results: &mut HostSlice<G1Projective>` of length 1, `cfg = MSMConfig::default()`
//!   with `is_async = true` on a stream (`IcicleStream::create`) so that the G2 MSM and the
//!   four G1 MSMs are queued together and the CPU computes the next witness meanwhile
//!   (`stream.synchronize()` before reading results); the result converted back to arkworks
//!   projective coordinates (then the same `create_proof` finishes the proof, so the bit-for-
//!   bit test against [`ArkEngine`] applies to the GPU engine unchanged). G2 needs ICICLE's
//!   `g2` feature of `icicle-bls12-381`.
//! * **sppark** (supranational's CUDA Pippenger, the one blst's authors wrote) maps the same
//!   way: `mult_pippenger` with bases uploaded once through its `msm_t` context (the
//!   "pippenger with preloaded points" form) for `prepare_*`, and `invoke` per proof for
//!   `msm_*`; it takes blst's point layout, so the conversion is the blst engine's.
//! * The FFTs of the QAP (`LibsnarkReduction`) stay on the CPU at first; ICICLE's `ntt`
//!   (`NTTConfig`, `initialize_domain`) would be the next step, behind the same feature.

mod ark;
#[cfg(feature = "blst")]
mod blst;
mod group_fft;

pub use self::ark::ArkEngine;
#[cfg(feature = "blst")]
pub use self::blst::BlstEngine;
pub use self::group_fft::{ark_fft, fft_g1, fft_g2};

use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInt, PrimeField, Zero};
use ark_groth16::{Proof, ProvingKey};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU8, Ordering};

/// A scalar of BLS12-381's scalar field in canonical (not Montgomery) form.
pub type Scalar = BigInt<4>;

/// Multi-scalar multiplication over a per-key prepared form of the bases.
///
/// `msm_g1(prepare_g1(bases), scalars)` is `sum scalars[i] * bases[i]` over
/// `i < min(bases.len(), scalars.len())`.
pub trait MsmEngine: Send + Sync {
    /// The name users select the engine by (`--msm-engine`).
    const NAME: &'static str;
    /// G1 bases in the engine's own form.
    type G1Bases: Send + Sync;
    /// G2 bases in the engine's own form.
    type G2Bases: Send + Sync;
    fn prepare_g1(&self, bases: &[G1Affine]) -> Self::G1Bases;
    fn prepare_g2(&self, bases: &[G2Affine]) -> Self::G2Bases;
    fn msm_g1(&self, bases: &Self::G1Bases, scalars: &[Scalar]) -> G1Projective;
    fn msm_g2(&self, bases: &Self::G2Bases, scalars: &[Scalar]) -> G2Projective;
}

/// Bases with the points at infinity dropped: `points[j]` is the original `index[j]`
/// (`index` is `None` when no point was dropped).
pub struct Compacted<B> {
    pub points: Vec<B>,
    pub index: Option<Vec<u32>>,
    /// The original length.
    pub len: usize,
}

impl<B: Send> Compacted<B> {
    pub fn new<A: Sync>(
        bases: &[A],
        is_infinity: impl Fn(&A) -> bool + Sync + Send,
        convert: impl Fn(&A) -> B + Sync + Send,
    ) -> Self {
        let len = bases.len();
        assert!(len <= u32::MAX as usize, "a query of over 2^32 points");
        if !bases.par_iter().any(&is_infinity) {
            return Compacted {
                points: bases.par_iter().map(convert).collect(),
                index: None,
                len,
            };
        }
        let (index, points): (Vec<u32>, Vec<B>) = bases
            .par_iter()
            .enumerate()
            .filter(|(_, p)| !is_infinity(p))
            .map(|(i, p)| (i as u32, convert(p)))
            .unzip();
        Compacted {
            points,
            index: Some(index),
            len,
        }
    }

    /// The scalar of each kept point, in the order of `points` (missing scalars are zero).
    pub fn scalars_for(&self, scalars: &[Scalar]) -> Vec<Scalar> {
        match &self.index {
            None => {
                let mut out = scalars[..scalars.len().min(self.len)].to_vec();
                out.resize(self.points.len(), Scalar::default());
                out
            }
            Some(index) => index
                .par_iter()
                .map(|&i| scalars.get(i as usize).copied().unwrap_or_default())
                .collect(),
        }
    }
}

/// The engines veil ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// arkworks 0.6 (the reference).
    Ark,
    /// blst (cargo feature `blst`).
    Blst,
}

/// 0: not set; 1: ark; 2: blst.
static DEFAULT_ENGINE: AtomicU8 = AtomicU8::new(0);

/// Sets the engine that provers built from now on use by default (the CLI's `--msm-engine`;
/// it wins over `VEIL_MSM_ENGINE`).
pub fn set_default_engine(kind: EngineKind) -> Result<(), String> {
    kind.check_available()?;
    let v = match kind {
        EngineKind::Ark => 1,
        EngineKind::Blst => 2,
    };
    DEFAULT_ENGINE.store(v, Ordering::Relaxed);
    Ok(())
}

impl EngineKind {
    pub const ALL: [EngineKind; 2] = [EngineKind::Ark, EngineKind::Blst];

    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Ark => ArkEngine::NAME,
            EngineKind::Blst => "blst",
        }
    }

    /// Whether this build has the engine.
    pub fn available(self) -> bool {
        match self {
            EngineKind::Ark => true,
            EngineKind::Blst => cfg!(feature = "blst"),
        }
    }

    fn check_available(self) -> Result<(), String> {
        if self.available() {
            Ok(())
        } else {
            Err(format!(
                "the {} MSM engine is not in this build (cargo feature `{}` of veil-prover)",
                self.name(),
                self.name()
            ))
        }
    }

    /// The value of [`set_default_engine`] if called (the CLI's `--msm-engine`), else
    /// `VEIL_MSM_ENGINE` if set (an unknown or unavailable value is an error), else blst when
    /// it is built, else ark.
    pub fn default_kind() -> Result<EngineKind, String> {
        match DEFAULT_ENGINE.load(Ordering::Relaxed) {
            1 => return Ok(EngineKind::Ark),
            2 => return Ok(EngineKind::Blst),
            _ => {}
        }
        if let Ok(v) = std::env::var("VEIL_MSM_ENGINE") {
            let kind: EngineKind = v.parse().map_err(|e| format!("VEIL_MSM_ENGINE: {e}"))?;
            kind.check_available()
                .map_err(|e| format!("VEIL_MSM_ENGINE={v}: {e}"))?;
            return Ok(kind);
        }
        Ok(if EngineKind::Blst.available() {
            EngineKind::Blst
        } else {
            EngineKind::Ark
        })
    }
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for EngineKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ark" | "arkworks" => Ok(EngineKind::Ark),
            "blst" => Ok(EngineKind::Blst),
            other => Err(format!(
                "unknown MSM engine {other:?} (expected ark or blst)"
            )),
        }
    }
}

/// The fixed-base part of a proving key (what is not an MSM query).
#[derive(Clone, Copy, Debug)]
pub struct FixedKey {
    pub alpha_g1: G1Affine,
    pub beta_g1: G1Affine,
    pub beta_g2: G2Affine,
    pub delta_g1: G1Affine,
    pub delta_g2: G2Affine,
}

/// A proving key's MSM queries in an engine's prepared form.
pub struct PreparedKey<E: MsmEngine> {
    pub fixed: FixedKey,
    pub a: E::G1Bases,
    pub b_g1: E::G1Bases,
    pub b_g2: E::G2Bases,
    pub h: E::G1Bases,
    pub l: E::G1Bases,
}

impl<E: MsmEngine> PreparedKey<E> {
    /// Prepares the five queries (in parallel).
    pub fn new(engine: &E, pk: &ProvingKey<Bls12_381>) -> Self {
        let ((a, b_g1), ((b_g2, h), l)) = rayon::join(
            || {
                rayon::join(
                    || engine.prepare_g1(&pk.a_query),
                    || engine.prepare_g1(&pk.b_g1_query),
                )
            },
            || {
                rayon::join(
                    || {
                        rayon::join(
                            || engine.prepare_g2(&pk.b_g2_query),
                            || engine.prepare_g1(&pk.h_query),
                        )
                    },
                    || engine.prepare_g1(&pk.l_query),
                )
            },
        );
        PreparedKey {
            fixed: FixedKey {
                alpha_g1: pk.vk.alpha_g1,
                beta_g1: pk.beta_g1,
                beta_g2: pk.vk.beta_g2,
                delta_g1: pk.delta_g1,
                delta_g2: pk.vk.delta_g2,
            },
            a,
            b_g1,
            b_g2,
            h,
            l,
        }
    }
}

/// A Groth16 proof from the QAP witness `h` and the full assignment (`1`, the public inputs,
/// the witness; `num_inputs` counts the `1`), with randomness `r, s`: the group elements
/// ark-groth16's `create_proof_with_assignment` computes, with the MSMs on `engine` (the G2
/// MSM beside the G1 ones).
pub fn create_proof<E: MsmEngine>(
    engine: &E,
    key: &PreparedKey<E>,
    r: Fr,
    s: Fr,
    h: &[Fr],
    full_assignment: &[Fr],
    num_inputs: usize,
) -> Proof<Bls12_381> {
    let (h_big, assignment): (Vec<Scalar>, Vec<Scalar>) = rayon::join(
        || h.par_iter().map(|x| x.into_bigint()).collect(),
        || {
            full_assignment
                .par_iter()
                .map(|x| x.into_bigint())
                .collect()
        },
    );
    // ark-groth16 sums query[0] (the constant one's point) and the MSM of query[1..] over the
    // assignment without the one: the same as the MSM of the whole query over the whole
    // assignment, whose first scalar is one.
    let aux = &assignment[num_inputs.min(assignment.len())..];
    let (b_g2_acc, ((h_acc, l_acc), (a_acc, b_g1_acc))) = rayon::join(
        || engine.msm_g2(&key.b_g2, &assignment),
        || {
            rayon::join(
                || {
                    rayon::join(
                        || engine.msm_g1(&key.h, &h_big),
                        || engine.msm_g1(&key.l, aux),
                    )
                },
                || {
                    rayon::join(
                        || engine.msm_g1(&key.a, &assignment),
                        || {
                            if r.is_zero() {
                                G1Projective::zero()
                            } else {
                                engine.msm_g1(&key.b_g1, &assignment)
                            }
                        },
                    )
                },
            )
        },
    );
    let f = &key.fixed;
    let r_s_delta_g1 = f.delta_g1 * (r * s);
    let g_a = f.delta_g1 * r + a_acc + f.alpha_g1;
    let s_g_a = g_a * s;
    let g1_b = if r.is_zero() {
        G1Projective::zero()
    } else {
        f.delta_g1 * s + b_g1_acc + f.beta_g1
    };
    let g2_b = f.delta_g2 * s + b_g2_acc + f.beta_g2;
    let r_g1_b = g1_b * r;
    let g_c = s_g_a + r_g1_b - r_s_delta_g1 + l_acc + h_acc;
    Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    }
}

/// Whether a G1 point read from outside is on the curve and in the prime-order subgroup (the
/// point at infinity passes, as in arkworks' `Validate::Yes`): blst's check, several times
/// faster than arkworks', when the `blst` feature is on.
pub fn g1_in_subgroup(p: &G1Affine) -> bool {
    #[cfg(feature = "blst")]
    return self::blst::g1_in_subgroup(p);
    #[cfg(not(feature = "blst"))]
    return p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve();
}

/// [`g1_in_subgroup`] in G2.
pub fn g2_in_subgroup(p: &G2Affine) -> bool {
    #[cfg(feature = "blst")]
    return self::blst::g2_in_subgroup(p);
    #[cfg(not(feature = "blst"))]
    return p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve();
}

/// Whether an affine point is the point at infinity (for [`Compacted::new`]).
pub(crate) fn is_inf<P: AffineRepr>(p: &P) -> bool {
    p.is_zero()
}

/// The MSM of `bases` and `scalars` with `engine`, preparing the bases first (for tests and
/// benches; a prover prepares once per key).
pub fn msm_g1_once<E: MsmEngine>(
    engine: &E,
    bases: &[G1Affine],
    scalars: &[Scalar],
) -> G1Projective {
    engine.msm_g1(&engine.prepare_g1(bases), scalars)
}

/// See [`msm_g1_once`].
pub fn msm_g2_once<E: MsmEngine>(
    engine: &E,
    bases: &[G2Affine],
    scalars: &[Scalar],
) -> G2Projective {
    engine.msm_g2(&engine.prepare_g2(bases), scalars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_names_parse() {
        for k in EngineKind::ALL {
            assert_eq!(k.name().parse::<EngineKind>().unwrap(), k);
        }
        assert!("gpu".parse::<EngineKind>().is_err());
    }
}
