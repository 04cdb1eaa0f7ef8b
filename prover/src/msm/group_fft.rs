//! The discrete Fourier transform over G1 and G2: `out[i] = Σⱼ ωⁱʲ·points[j]` on the radix-2
//! domain of `points.len()` = 2^k (ω = `Fr::get_root_of_unity(2^k)`, the generator of
//! ark-poly's `Radix2EvaluationDomain`). The phase-2 ceremony takes its Lagrange bases from the
//! powers of tau this way.
//!
//! With the `blst` feature the butterflies run on blst's point arithmetic (GLV/GLS scalar
//! multiplication, ADX at run time), several times faster here than arkworks' group FFT built
//! without its assembly; butterflies whose twiddle is 1 are additions only. Without it,
//! ark-poly's FFT. Both give the same points (tested).

use ark_bls12_381::{G1Affine, G2Affine};

/// The DFT of `points` over G1 (their number a power of two).
pub fn fft_g1(points: &[G1Affine]) -> Vec<G1Affine> {
    #[cfg(feature = "blst")]
    return blst_fft::fft::<blst_fft::P1>(points);
    #[cfg(not(feature = "blst"))]
    return ark_fft(points);
}

/// [`fft_g1`] over G2.
pub fn fft_g2(points: &[G2Affine]) -> Vec<G2Affine> {
    #[cfg(feature = "blst")]
    return blst_fft::fft::<blst_fft::P2>(points);
    #[cfg(not(feature = "blst"))]
    return ark_fft(points);
}

/// ark-poly's group FFT (the reference).
pub fn ark_fft<A: ark_ec::AffineRepr<ScalarField = ark_bls12_381::Fr>>(points: &[A]) -> Vec<A> {
    use ark_ec::CurveGroup;
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
    assert!(
        points.len().is_power_of_two(),
        "a group FFT needs 2^k points"
    );
    let domain = Radix2EvaluationDomain::<ark_bls12_381::Fr>::new(points.len())
        .expect("2^k points within BLS12-381's 2-adicity");
    let mut v: Vec<A::Group> = points.iter().map(|p| p.into_group()).collect();
    domain.fft_in_place(&mut v);
    A::Group::normalize_batch(&v)
}

#[cfg(feature = "blst")]
mod blst_fft {
    use super::super::blst::{g1_from_blst_affine, g1_to_blst, g2_from_blst_affine, g2_to_blst};
    use ark_bls12_381::{Fr, G1Affine, G2Affine};
    use ark_ff::{BigInteger, FftField, Field};
    use blst::{
        blst_p1, blst_p1_add_or_double, blst_p1_affine, blst_p1_cneg, blst_p1_from_affine,
        blst_p1_mult, blst_p1s_to_affine, blst_p2, blst_p2_add_or_double, blst_p2_affine,
        blst_p2_cneg, blst_p2_from_affine, blst_p2_mult, blst_p2s_to_affine,
    };
    use rayon::prelude::*;
    use std::ptr;

    /// A group's point types in blst and arkworks, and the operations a butterfly needs.
    pub trait Group {
        type Ark: Copy + Send + Sync;
        type Point: Copy + Default + Send + Sync;
        type Affine: Copy + Default + Send + Sync;
        fn from_ark(p: &Self::Ark) -> Self::Point;
        fn to_ark(p: &Self::Affine) -> Self::Ark;
        fn add(a: &Self::Point, b: &Self::Point) -> Self::Point;
        fn neg(a: &Self::Point) -> Self::Point;
        /// `a` times a scalar of 255 bits, little-endian.
        fn mul(a: &Self::Point, scalar: &[u8; 32]) -> Self::Point;
        fn to_affine(points: &[Self::Point]) -> Vec<Self::Affine>;
    }

    pub struct P1;
    pub struct P2;

    impl Group for P1 {
        type Ark = G1Affine;
        type Point = blst_p1;
        type Affine = blst_p1_affine;
        fn from_ark(p: &G1Affine) -> blst_p1 {
            let mut out = blst_p1::default();
            if !ark_ec::AffineRepr::is_zero(p) {
                unsafe { blst_p1_from_affine(&mut out, &g1_to_blst(p)) };
            }
            out
        }
        fn to_ark(p: &blst_p1_affine) -> G1Affine {
            g1_from_blst_affine(p)
        }
        fn add(a: &blst_p1, b: &blst_p1) -> blst_p1 {
            let mut out = blst_p1::default();
            unsafe { blst_p1_add_or_double(&mut out, a, b) };
            out
        }
        fn neg(a: &blst_p1) -> blst_p1 {
            let mut out = *a;
            unsafe { blst_p1_cneg(&mut out, true) };
            out
        }
        fn mul(a: &blst_p1, scalar: &[u8; 32]) -> blst_p1 {
            let mut out = blst_p1::default();
            unsafe { blst_p1_mult(&mut out, a, scalar.as_ptr(), 255) };
            out
        }
        fn to_affine(points: &[blst_p1]) -> Vec<blst_p1_affine> {
            let mut out = vec![blst_p1_affine::default(); points.len()];
            let ptrs: [*const blst_p1; 2] = [points.as_ptr(), ptr::null()];
            unsafe { blst_p1s_to_affine(out.as_mut_ptr(), ptrs.as_ptr(), points.len()) };
            out
        }
    }

    impl Group for P2 {
        type Ark = G2Affine;
        type Point = blst_p2;
        type Affine = blst_p2_affine;
        fn from_ark(p: &G2Affine) -> blst_p2 {
            let mut out = blst_p2::default();
            if !ark_ec::AffineRepr::is_zero(p) {
                unsafe { blst_p2_from_affine(&mut out, &g2_to_blst(p)) };
            }
            out
        }
        fn to_ark(p: &blst_p2_affine) -> G2Affine {
            g2_from_blst_affine(p)
        }
        fn add(a: &blst_p2, b: &blst_p2) -> blst_p2 {
            let mut out = blst_p2::default();
            unsafe { blst_p2_add_or_double(&mut out, a, b) };
            out
        }
        fn neg(a: &blst_p2) -> blst_p2 {
            let mut out = *a;
            unsafe { blst_p2_cneg(&mut out, true) };
            out
        }
        fn mul(a: &blst_p2, scalar: &[u8; 32]) -> blst_p2 {
            let mut out = blst_p2::default();
            unsafe { blst_p2_mult(&mut out, a, scalar.as_ptr(), 255) };
            out
        }
        fn to_affine(points: &[blst_p2]) -> Vec<blst_p2_affine> {
            let mut out = vec![blst_p2_affine::default(); points.len()];
            let ptrs: [*const blst_p2; 2] = [points.as_ptr(), ptr::null()];
            unsafe { blst_p2s_to_affine(out.as_mut_ptr(), ptrs.as_ptr(), points.len()) };
            out
        }
    }

    /// Below this many butterflies a block runs on one thread.
    const PARALLEL_BLOCK: usize = 64;
    /// Points per batch inversion when converting back to affine.
    const AFFINE_CHUNK: usize = 1024;

    /// Iterative radix-2 decimation in time: bit-reversed input, natural-order output.
    pub fn fft<G: Group>(points: &[G::Ark]) -> Vec<G::Ark> {
        let n = points.len();
        assert!(n.is_power_of_two(), "a group FFT needs 2^k points");
        let log = n.trailing_zeros();
        let mut x: Vec<G::Point> = points.par_iter().map(G::from_ark).collect();
        if log > 0 {
            for i in 0..n {
                let j = i.reverse_bits() >> (usize::BITS - log);
                if i < j {
                    x.swap(i, j);
                }
            }
        }
        let omega = Fr::get_root_of_unity(n as u64).expect("within BLS12-381's 2-adicity");
        let mut twiddles = Vec::with_capacity(n / 2);
        let mut w = Fr::ONE;
        for _ in 0..n / 2 {
            twiddles.push(w);
            w *= omega;
        }
        let twiddles: Vec<[u8; 32]> = twiddles
            .par_iter()
            .map(|t| {
                let mut b = [0u8; 32];
                b.copy_from_slice(&ark_ff::PrimeField::into_bigint(*t).to_bytes_le());
                b
            })
            .collect();
        let mut half = 1;
        while half < n {
            let stride = n / (2 * half);
            let butterfly = |(k, (a, b)): (usize, (&mut G::Point, &mut G::Point))| {
                let t = if k == 0 {
                    *b
                } else {
                    G::mul(b, &twiddles[k * stride])
                };
                *b = G::add(a, &G::neg(&t));
                *a = G::add(a, &t);
            };
            x.par_chunks_mut(2 * half).for_each(|block| {
                let (lo, hi) = block.split_at_mut(half);
                if half >= PARALLEL_BLOCK {
                    lo.par_iter_mut()
                        .zip(hi.par_iter_mut())
                        .enumerate()
                        .for_each(butterfly);
                } else {
                    lo.iter_mut()
                        .zip(hi.iter_mut())
                        .enumerate()
                        .for_each(butterfly);
                }
            });
            half *= 2;
        }
        x.par_chunks(AFFINE_CHUNK)
            .flat_map_iter(|c| G::to_affine(c).into_iter().map(|a| G::to_ark(&a)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bls12_381::{Fr, G1Projective, G2Projective};
    use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
    use ark_ff::UniformRand;

    #[test]
    fn blst_and_arkworks_transforms_agree() {
        let mut rng = ark_std::test_rng();
        for n in [1usize, 2, 8, 128] {
            let mut g1: Vec<G1Affine> = (0..n)
                .map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine())
                .collect();
            let mut g2: Vec<G2Affine> = (0..n)
                .map(|_| (G2Projective::generator() * Fr::rand(&mut rng)).into_affine())
                .collect();
            // The point at infinity goes through as well.
            g1[n / 2] = G1Affine::zero();
            g2[0] = G2Affine::zero();
            assert_eq!(fft_g1(&g1), ark_fft(&g1), "G1, n = {n}");
            assert_eq!(fft_g2(&g2), ark_fft(&g2), "G2, n = {n}");
        }
    }
}
