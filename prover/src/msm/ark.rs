//! The reference engine: arkworks 0.6's MSM (`VariableBaseMSM::msm_bigint`), what plain
//! ark-groth16 calls, over the bases with their points at infinity dropped.

use super::{is_inf, Compacted, MsmEngine, Scalar};
use ark_bls12_381::{G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::VariableBaseMSM;

/// arkworks' MSM.
#[derive(Clone, Copy, Debug, Default)]
pub struct ArkEngine;

impl MsmEngine for ArkEngine {
    const NAME: &'static str = "ark";
    type G1Bases = Compacted<G1Affine>;
    type G2Bases = Compacted<G2Affine>;

    fn prepare_g1(&self, bases: &[G1Affine]) -> Compacted<G1Affine> {
        Compacted::new(bases, is_inf, |p| *p)
    }

    fn prepare_g2(&self, bases: &[G2Affine]) -> Compacted<G2Affine> {
        Compacted::new(bases, is_inf, |p| *p)
    }

    fn msm_g1(&self, bases: &Compacted<G1Affine>, scalars: &[Scalar]) -> G1Projective {
        match bases.index {
            None => G1Projective::msm_bigint(&bases.points, scalars),
            Some(_) => G1Projective::msm_bigint(&bases.points, &bases.scalars_for(scalars)),
        }
    }

    fn msm_g2(&self, bases: &Compacted<G2Affine>, scalars: &[Scalar]) -> G2Projective {
        match bases.index {
            None => G2Projective::msm_bigint(&bases.points, scalars),
            Some(_) => G2Projective::msm_bigint(&bases.points, &bases.scalars_for(scalars)),
        }
    }
}
