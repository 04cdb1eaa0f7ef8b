//! The blst engine: supranational's blst Pippenger kernels on rayon's threads.
//!
//! arkworks 0.6 and blst both keep BLS12-381 base-field elements in Montgomery form with
//! R = 2^384 in six little-endian 64-bit limbs, and both encode an affine point at infinity
//! as (0, 0) (arkworks' `ZeroFlag` of BLS12-381 is `()`), so converting a point is copying
//! its limbs (checked against the generators in the tests).
//!
//! Parallelism: blst's Rust `p1_affines::mult` runs on blst's own thread pool, one thread per
//! CPU whatever rayon is told. This engine calls the C kernel instead, single-threaded, from
//! rayon tasks: `blst_p1s_mult_pippenger` on `rayon::current_num_threads()` slices of the
//! points, the slices' sums combined in the caller. (A port of blst's own tiling, points and
//! scalar bits split in a grid of `blst_p1s_tile_pippenger` calls, gave wrong sums for some
//! scalar widths and was dropped.)

use super::{Compacted, MsmEngine, Scalar};
use ark_bls12_381::{Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::AdditiveGroup;
use ark_ff::{BigInt, BigInteger, PrimeField};
use blst::{
    blst_fp, blst_fp2, blst_p1, blst_p1_add_or_double, blst_p1_affine, blst_p1_cneg,
    blst_p1_is_inf, blst_p1_to_affine, blst_p1s_add, blst_p1s_mult_pippenger,
    blst_p1s_mult_pippenger_scratch_sizeof, blst_p2, blst_p2_add_or_double, blst_p2_affine,
    blst_p2_cneg, blst_p2_is_inf, blst_p2_to_affine, blst_p2s_add, blst_p2s_mult_pippenger,
    blst_p2s_mult_pippenger_scratch_sizeof,
};
use rayon::prelude::*;
use std::ptr;

/// blst's MSM, on rayon.
#[derive(Clone, Copy, Debug, Default)]
pub struct BlstEngine;

fn fp(x: &Fq) -> blst_fp {
    blst_fp { l: x.0 .0 }
}

fn fq(x: &blst_fp) -> Fq {
    Fq::new_unchecked(BigInt(x.l))
}

fn fp2(x: &Fq2) -> blst_fp2 {
    blst_fp2 {
        fp: [fp(&x.c0), fp(&x.c1)],
    }
}

fn fq2(x: &blst_fp2) -> Fq2 {
    Fq2::new(fq(&x.fp[0]), fq(&x.fp[1]))
}

/// An arkworks G1 point in blst's layout.
pub fn g1_to_blst(p: &G1Affine) -> blst_p1_affine {
    blst_p1_affine {
        x: fp(&p.x),
        y: fp(&p.y),
    }
}

/// An arkworks G2 point in blst's layout.
pub fn g2_to_blst(p: &G2Affine) -> blst_p2_affine {
    blst_p2_affine {
        x: fp2(&p.x),
        y: fp2(&p.y),
    }
}

/// A blst affine G1 point in arkworks' layout ((0, 0) is the point at infinity in both).
pub(crate) fn g1_from_blst_affine(a: &blst_p1_affine) -> G1Affine {
    if a.x.l == [0; 6] && a.y.l == [0; 6] {
        return G1Affine::identity();
    }
    G1Affine::new_unchecked(fq(&a.x), fq(&a.y))
}

/// [`g1_from_blst_affine`] in G2.
pub(crate) fn g2_from_blst_affine(a: &blst_p2_affine) -> G2Affine {
    let zero = |x: &blst_fp2| x.fp[0].l == [0; 6] && x.fp[1].l == [0; 6];
    if zero(&a.x) && zero(&a.y) {
        return G2Affine::identity();
    }
    G2Affine::new_unchecked(fq2(&a.x), fq2(&a.y))
}

fn g1_from_blst(p: &blst_p1) -> G1Projective {
    if unsafe { blst_p1_is_inf(p) } {
        return G1Projective::ZERO;
    }
    let mut a = blst_p1_affine::default();
    unsafe { blst_p1_to_affine(&mut a, p) };
    G1Affine::new_unchecked(fq(&a.x), fq(&a.y)).into()
}

fn g2_from_blst(p: &blst_p2) -> G2Projective {
    if unsafe { blst_p2_is_inf(p) } {
        return G2Projective::ZERO;
    }
    let mut a = blst_p2_affine::default();
    unsafe { blst_p2_to_affine(&mut a, p) };
    G2Affine::new_unchecked(fq2(&a.x), fq2(&a.y)).into()
}

/// Scalar classes by size: widths of the magnitude (of the scalar or of its negation).
/// Class 0 (±1) is summed, the others go to Pippenger with that many bits.
const WIDTHS: [usize; 6] = [1, 8, 16, 32, 64, 255];

/// Bases and scalar bytes of one class and sign.
struct Class<B> {
    bases: Vec<B>,
    bytes: Vec<u8>,
}

impl<B> Default for Class<B> {
    fn default() -> Self {
        Class {
            bases: Vec::new(),
            bytes: Vec::new(),
        }
    }
}

/// Sorts the (point, scalar) pairs into classes, `[positive; 6]` then `[negative; 6]`
/// (the negative class of width 255 stays empty).
fn classify<B: Copy>(bases: &Compacted<B>, scalars: &[Scalar]) -> Vec<Class<B>> {
    let modulus = Fr::MODULUS;
    let mut classes: Vec<Class<B>> = (0..2 * WIDTHS.len()).map(|_| Class::default()).collect();
    let mut put = |p: &B, s: &Scalar| {
        if s.is_zero() {
            return;
        }
        let bits = s.num_bits() as usize;
        let (neg, mag) = if bits <= 64 {
            (false, *s)
        } else {
            let mut m = modulus;
            m.sub_with_borrow(s);
            if m.num_bits() <= 64 {
                (true, m)
            } else {
                (false, *s)
            }
        };
        let mbits = mag.num_bits() as usize;
        let k = WIDTHS
            .iter()
            .position(|&w| mbits <= w)
            .unwrap_or(WIDTHS.len() - 1);
        let c = &mut classes[k + if neg { WIDTHS.len() } else { 0 }];
        c.bases.push(*p);
        if k > 0 {
            let nbytes = WIDTHS[k].div_ceil(8);
            let mut le = [0u8; 32];
            for (chunk, limb) in le.chunks_exact_mut(8).zip(mag.0) {
                chunk.copy_from_slice(&limb.to_le_bytes());
            }
            c.bytes.extend_from_slice(&le[..nbytes]);
        }
    };
    match &bases.index {
        None => bases
            .points
            .iter()
            .zip(scalars)
            .for_each(|(p, s)| put(p, s)),
        Some(index) => bases.points.iter().zip(index).for_each(|(p, &i)| {
            if let Some(s) = scalars.get(i as usize) {
                put(p, s)
            }
        }),
    }
    classes
}

macro_rules! kernels {
    (
        $pippenger:ident, $sum:ident, $point:ty, $affine:ty,
        $scratch_sizeof:ident, $mult:ident, $add:ident, $adds:ident
    ) => {
        /// `sum scalars[i] * points[i]`, the scalars little-endian in `ceil(nbits / 8)` bytes.
        fn $pippenger(points: &[$affine], scalars: &[u8], nbits: usize) -> $point {
            /// `sum scalars[i] * points[i]` in one thread, `points` not empty.
            fn serial(points: &[$affine], scalars: &[u8], nbits: usize) -> $point {
                let mut ret = <$point>::default();
                unsafe {
                    let mut scratch = vec![0u64; $scratch_sizeof(points.len()) / 8];
                    let p: [*const $affine; 2] = [points.as_ptr(), ptr::null()];
                    let s: [*const u8; 2] = [scalars.as_ptr(), ptr::null()];
                    $mult(
                        &mut ret,
                        p.as_ptr(),
                        points.len(),
                        s.as_ptr(),
                        nbits,
                        scratch.as_mut_ptr(),
                    );
                }
                ret
            }

            let npoints = points.len();
            let mut ret = <$point>::default();
            if npoints == 0 {
                return ret;
            }
            let nbytes = nbits.div_ceil(8);
            assert_eq!(scalars.len(), nbytes * npoints, "scalar bytes");
            let ncpus = rayon::current_num_threads();
            if ncpus < 2 || npoints < 64 {
                return serial(points, scalars, nbits);
            }
            // Parallel by slices of the points, each with blst's single-threaded Pippenger
            // (`blst_p1s_mult_pippenger`), summed here.
            let chunk = npoints.div_ceil(ncpus);
            let parts: Vec<$point> = points
                .par_chunks(chunk)
                .zip(scalars.par_chunks(chunk * nbytes))
                .map(|(p, s)| serial(p, s, nbits))
                .collect();
            for p in &parts {
                unsafe { $add(&mut ret, &ret, p) };
            }
            ret
        }

        /// `sum points[i]`, in parallel chunks of blst's batched affine additions.
        fn $sum(points: &[$affine]) -> $point {
            let partial: Vec<$point> = points
                .par_chunks(2048)
                .map(|chunk| {
                    let mut r = <$point>::default();
                    let p: [*const $affine; 2] = [chunk.as_ptr(), ptr::null()];
                    unsafe { $adds(&mut r, p.as_ptr(), chunk.len()) };
                    r
                })
                .collect();
            let mut ret = <$point>::default();
            for p in &partial {
                unsafe { $add(&mut ret, &ret, p) };
            }
            ret
        }
    };
}

kernels!(
    pippenger_g1,
    sum_g1,
    blst_p1,
    blst_p1_affine,
    blst_p1s_mult_pippenger_scratch_sizeof,
    blst_p1s_mult_pippenger,
    blst_p1_add_or_double,
    blst_p1s_add
);

kernels!(
    pippenger_g2,
    sum_g2,
    blst_p2,
    blst_p2_affine,
    blst_p2s_mult_pippenger_scratch_sizeof,
    blst_p2s_mult_pippenger,
    blst_p2_add_or_double,
    blst_p2s_add
);

macro_rules! classed_msm {
    ($name:ident, $pippenger:ident, $sum:ident, $point:ty, $affine:ty, $add:ident, $cneg:ident) => {
        fn $name(bases: &Compacted<$affine>, scalars: &[Scalar]) -> $point {
            let classes = classify(bases, scalars);
            let n = WIDTHS.len();
            let parts: Vec<$point> = classes
                .par_iter()
                .enumerate()
                .map(|(i, c)| {
                    let k = i % n;
                    let mut r = if k == 0 {
                        $sum(&c.bases)
                    } else {
                        $pippenger(&c.bases, &c.bytes, WIDTHS[k])
                    };
                    if i >= n {
                        unsafe { $cneg(&mut r, true) };
                    }
                    r
                })
                .collect();
            let mut ret = <$point>::default();
            for p in &parts {
                unsafe { $add(&mut ret, &ret, p) };
            }
            ret
        }
    };
}

classed_msm!(
    msm_g1_blst,
    pippenger_g1,
    sum_g1,
    blst_p1,
    blst_p1_affine,
    blst_p1_add_or_double,
    blst_p1_cneg
);
classed_msm!(
    msm_g2_blst,
    pippenger_g2,
    sum_g2,
    blst_p2,
    blst_p2_affine,
    blst_p2_add_or_double,
    blst_p2_cneg
);

impl MsmEngine for BlstEngine {
    const NAME: &'static str = "blst";
    type G1Bases = Compacted<blst_p1_affine>;
    type G2Bases = Compacted<blst_p2_affine>;

    fn prepare_g1(&self, bases: &[G1Affine]) -> Compacted<blst_p1_affine> {
        Compacted::new(bases, super::is_inf, g1_to_blst)
    }

    fn prepare_g2(&self, bases: &[G2Affine]) -> Compacted<blst_p2_affine> {
        Compacted::new(bases, super::is_inf, g2_to_blst)
    }

    fn msm_g1(&self, bases: &Compacted<blst_p1_affine>, scalars: &[Scalar]) -> G1Projective {
        g1_from_blst(&msm_g1_blst(bases, scalars))
    }

    fn msm_g2(&self, bases: &Compacted<blst_p2_affine>, scalars: &[Scalar]) -> G2Projective {
        g2_from_blst(&msm_g2_blst(bases, scalars))
    }
}

/// Whether `p` is on the curve and in the prime-order subgroup (blst's endomorphism check;
/// the point at infinity passes, as in arkworks' validation).
pub fn g1_in_subgroup(p: &G1Affine) -> bool {
    if ark_ec::AffineRepr::is_zero(p) {
        return true;
    }
    let a = g1_to_blst(p);
    unsafe { blst::blst_p1_affine_on_curve(&a) && blst::blst_p1_affine_in_g1(&a) }
}

/// [`g1_in_subgroup`] in G2.
pub fn g2_in_subgroup(p: &G2Affine) -> bool {
    if ark_ec::AffineRepr::is_zero(p) {
        return true;
    }
    let a = g2_to_blst(p);
    unsafe { blst::blst_p2_affine_on_curve(&a) && blst::blst_p2_affine_in_g2(&a) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::AffineRepr;

    #[test]
    fn the_layouts_agree_on_the_generators() {
        let g1 = g1_to_blst(&G1Affine::generator());
        let g2 = g2_to_blst(&G2Affine::generator());
        unsafe {
            let mut a = blst_p1_affine::default();
            blst_p1_to_affine(&mut a, blst::blst_p1_generator());
            assert!(a == g1, "G1 generator");
            let mut b = blst_p2_affine::default();
            blst_p2_to_affine(&mut b, blst::blst_p2_generator());
            assert!(b == g2, "G2 generator");
        }
    }
}
