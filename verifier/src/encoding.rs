//! How named values become field elements, per backend.
//!
//! BLS12-381 scalar field (Groth16 backend), r ~ 2^254.86:
//! - `u64` and `u32` values: the integer itself (always < r).
//! - 32-byte identifiers: two elements, the big-endian integers of bytes 0..16 and 16..32
//!   (each < 2^128). Injective: every 32-byte string has exactly one encoding.
//! - digests and secrets: the big-endian integer of the 32 bytes, which must be < r
//!   (anything else is refused as non-canonical, never reduced).

use crate::bytes::{Bytes32, Digest, Id};
use crate::error::VerifyError;
use crate::statement::Statement;
use ark_bls12_381::Fr;
use ark_ff::{BigInteger, PrimeField};

pub mod bls12_381 {
    use super::*;

    /// Number of field elements a 32-byte identifier takes.
    pub const ID_LIMBS: usize = 2;

    pub fn u64_to_fr(v: u64) -> Fr {
        Fr::from(v)
    }

    pub fn id_to_fr(id: &Id) -> [Fr; ID_LIMBS] {
        let hi = u128::from_be_bytes(id.0[..16].try_into().expect("16 bytes"));
        let lo = u128::from_be_bytes(id.0[16..].try_into().expect("16 bytes"));
        [Fr::from(hi), Fr::from(lo)]
    }

    /// The field element a digest or secret stands for; refuses values >= r.
    pub fn digest_to_fr(d: &Digest) -> Result<Fr, VerifyError> {
        let v = Fr::from_be_bytes_mod_order(&d.0);
        if fr_to_digest(&v) != *d {
            return Err(VerifyError::NonCanonical(format!(
                "{} is not below the BLS12-381 scalar field modulus",
                d.to_hex()
            )));
        }
        Ok(v)
    }

    pub fn fr_to_digest(f: &Fr) -> Digest {
        let bytes = f.into_bigint().to_bytes_be();
        let mut out = [0u8; 32];
        out[32 - bytes.len()..].copy_from_slice(&bytes);
        Bytes32(out)
    }

    /// The public inputs of a statement, in the order the circuit allocates them.
    pub fn public_inputs(statement: &Statement) -> Result<Vec<Fr>, VerifyError> {
        let mut out = Vec::new();
        match statement {
            Statement::Ownership(s) => {
                out.push(digest_to_fr(&s.root)?);
                out.extend(id_to_fr(&s.package_id));
                out.push(u64_to_fr(s.now));
                out.extend(id_to_fr(&s.challenge));
                out.push(digest_to_fr(&s.tag)?);
            }
            Statement::Tier(s) => {
                out.push(digest_to_fr(&s.root)?);
                out.push(u64_to_fr(s.min_tier.into()));
                out.push(digest_to_fr(&s.epoch_beacon)?);
                out.push(digest_to_fr(&s.request_binding)?);
                out.push(digest_to_fr(&s.nullifier)?);
                out.push(u64_to_fr(s.quota.into()));
            }
        }
        Ok(out)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn digests_round_trip_and_non_canonical_is_refused() {
            let f = Fr::from(123456789u64);
            assert_eq!(digest_to_fr(&fr_to_digest(&f)).unwrap(), f);
            let modulus = Fr::MODULUS.to_bytes_be();
            let mut m = [0u8; 32];
            m.copy_from_slice(&modulus);
            assert!(digest_to_fr(&Bytes32(m)).is_err());
            assert!(digest_to_fr(&Bytes32([0xff; 32])).is_err());
        }

        #[test]
        fn ids_are_injective_limbs() {
            let mut a = [0u8; 32];
            a[15] = 1;
            let mut b = [0u8; 32];
            b[31] = 1;
            assert_ne!(id_to_fr(&Bytes32(a)), id_to_fr(&Bytes32(b)));
        }
    }
}
