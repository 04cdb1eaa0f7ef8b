//! How named values become field elements, per backend.
//!
//! BLS12-381 scalar field (Groth16 backend), r ~ 2^254.86:
//! - `u64` and `u32` values: the integer itself (always < r).
//! - 32-byte identifiers: two elements, the big-endian integers of bytes 0..16 and 16..32
//!   (each < 2^128). Injective: every 32-byte string has exactly one encoding.
//! - digests and secrets: the big-endian integer of the 32 bytes, which must be < r
//!   (anything else is refused as non-canonical, never reduced).
//!
//! Goldilocks field (Plonky2 backend), p = 2^64 - 2^32 + 1 (so p < 2^64): see [`goldilocks`].

use crate::bytes::{Bytes32, Digest, Id};
use crate::declare::{Declared, NoHandles, PublicSink};
use crate::error::VerifyError;
use crate::statement::Statement;
use ark_bls12_381::Fr;
use ark_ff::{BigInteger, PrimeField};

/// An encoder is only ever handed a whole statement.
fn value<T>(v: Option<T>) -> Result<T, VerifyError> {
    v.ok_or_else(|| VerifyError::Format("a statement value is missing".into()))
}

fn refused(what: &str, reason: String) -> VerifyError {
    VerifyError::Format(format!("{what}: {reason}"))
}

/// Encodings into the Goldilocks field p = 2^64 - 2^32 + 1 (Plonky2 backend).
///
/// Because p < 2^64, nothing 64 bits wide goes into one element:
/// - `u64` values: two elements `[hi, lo]`, the high and low 32-bit halves (each < 2^32).
/// - `u32` values: one element, the integer itself.
/// - 32-byte identifiers: eight elements, the big-endian `u32`s of bytes 0..4, 4..8, ...,
///   28..32. Injective: every 32-byte string has exactly one encoding, and every limb is
///   below 2^32 < p. (Four 64-bit limbs would not be: a limb v >= p and v - p would become
///   the same element.)
/// - digests and secrets (a Plonky2 Poseidon `HashOut`, four elements): four big-endian
///   `u64`s of bytes 0..8, 8..16, 16..24, 24..32, each of which must be < p; a limb >= p is
///   refused as non-canonical, never reduced.
#[cfg(feature = "plonky2")]
pub mod goldilocks {
    use super::*;
    use plonky2::field::goldilocks_field::GoldilocksField;
    use plonky2::field::types::{Field, Field64, PrimeField64};

    pub type F = GoldilocksField;

    /// Number of field elements a 32-byte identifier takes.
    pub const ID_LIMBS: usize = 8;
    /// Number of field elements a digest takes.
    pub const DIGEST_LIMBS: usize = 4;
    /// Number of field elements a u64 takes.
    pub const U64_LIMBS: usize = 2;

    /// `[hi, lo]`, the 32-bit halves.
    pub fn u64_to_limbs(v: u64) -> [F; U64_LIMBS] {
        [
            F::from_canonical_u64(v >> 32),
            F::from_canonical_u64(v & 0xffff_ffff),
        ]
    }

    /// A small value (a u32, or anything below p) as one element.
    pub fn small_to_f(v: u32) -> F {
        F::from_canonical_u32(v)
    }

    pub fn id_to_limbs(id: &Id) -> [F; ID_LIMBS] {
        let mut out = [F::ZERO; ID_LIMBS];
        for (o, chunk) in out.iter_mut().zip(id.0.chunks_exact(4)) {
            *o =
                F::from_canonical_u32(u32::from_be_bytes(chunk.try_into().expect("4-byte chunks")));
        }
        out
    }

    /// The four elements a digest or secret stands for; refuses a limb >= p.
    pub fn digest_to_limbs(d: &Digest) -> Result<[F; DIGEST_LIMBS], VerifyError> {
        let mut out = [F::ZERO; DIGEST_LIMBS];
        for (i, (o, chunk)) in out.iter_mut().zip(d.0.chunks_exact(8)).enumerate() {
            let v = u64::from_be_bytes(chunk.try_into().expect("8-byte chunks"));
            if v >= F::ORDER {
                return Err(VerifyError::NonCanonical(format!(
                    "{}: limb {i} (bytes {}..{}) is not below the Goldilocks modulus",
                    d.to_hex(),
                    8 * i,
                    8 * i + 8
                )));
            }
            *o = F::from_canonical_u64(v);
        }
        Ok(out)
    }

    pub fn limbs_to_digest(limbs: &[F; DIGEST_LIMBS]) -> Digest {
        let mut out = [0u8; 32];
        for (chunk, l) in out.chunks_exact_mut(8).zip(limbs) {
            chunk.copy_from_slice(&l.to_canonical_u64().to_be_bytes());
        }
        Bytes32(out)
    }

    /// Whether a 32-byte value is a canonical digest (every 8-byte limb below p).
    pub fn is_canonical_digest(d: &Digest) -> bool {
        digest_to_limbs(d).is_ok()
    }

    /// The public inputs of a statement, in the order the circuit allocates them.
    pub fn public_inputs(statement: &Statement) -> Result<Vec<F>, VerifyError> {
        let mut sink = Encoder(Vec::new());
        statement.put(&mut sink)?;
        Ok(sink.0)
    }

    /// The public inputs of any declared statement (one not in the circuit list too).
    pub fn encode<T: Declared>(statement: &T) -> Result<Vec<F>, VerifyError> {
        let mut sink = Encoder(Vec::new());
        T::put(&mut sink, Some(statement))?;
        Ok(sink.0)
    }

    /// The generic Goldilocks encoder: every declared statement goes through it.
    struct Encoder(Vec<F>);

    impl PublicSink for Encoder {
        type Types = NoHandles;
        type Error = VerifyError;
        fn u64(&mut self, _: &'static str, v: Option<u64>) -> Result<(), VerifyError> {
            self.0.extend(u64_to_limbs(value(v)?));
            Ok(())
        }
        /// One element, refused (never reduced) if it is not below p: the circuit's range
        /// check refuses anything wider anyway; this keeps the encoding injective.
        fn small(&mut self, name: &'static str, v: Option<u64>, _: u32) -> Result<(), VerifyError> {
            let v = value(v)?;
            if v >= F::ORDER {
                return Err(VerifyError::NonCanonical(format!(
                    "{name}: {v} is not below the Goldilocks modulus"
                )));
            }
            self.0.push(F::from_canonical_u64(v));
            Ok(())
        }
        fn id(&mut self, _: &'static str, v: Option<Id>) -> Result<(), VerifyError> {
            self.0.extend(id_to_limbs(&value(v)?));
            Ok(())
        }
        fn digest(&mut self, _: &'static str, v: Option<Digest>) -> Result<(), VerifyError> {
            self.0.extend(digest_to_limbs(&value(v)?)?);
            Ok(())
        }
        fn flag(&mut self, _: &'static str, v: Option<bool>) -> Result<(), VerifyError> {
            self.0.push(F::from_bool(value(v)?));
            Ok(())
        }
        fn refuse(&mut self, what: &'static str, reason: String) -> VerifyError {
            refused(what, reason)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn digests_round_trip_and_non_canonical_is_refused() {
            let limbs = [F::from_canonical_u64(1), F::NEG_ONE, F::ZERO, F::TWO];
            let d = limbs_to_digest(&limbs);
            assert_eq!(digest_to_limbs(&d).unwrap(), limbs);
            for i in 0..4 {
                let mut b = d;
                b.0[8 * i..8 * i + 8].copy_from_slice(&F::ORDER.to_be_bytes());
                assert!(matches!(
                    digest_to_limbs(&b),
                    Err(VerifyError::NonCanonical(_))
                ));
            }
            assert!(digest_to_limbs(&Bytes32([0xff; 32])).is_err());
            assert!(is_canonical_digest(&Bytes32::ZERO));
        }

        #[test]
        fn ids_and_u64s_are_injective_limbs() {
            let mut a = [0u8; 32];
            a[3] = 1;
            let mut b = [0u8; 32];
            b[31] = 1;
            assert_ne!(id_to_limbs(&Bytes32(a)), id_to_limbs(&Bytes32(b)));
            // Limbs that would collide mod p as 64-bit words stay distinct as 32-bit ones.
            let max = Bytes32([0xff; 32]);
            let limbs = id_to_limbs(&max);
            assert!(limbs.iter().all(|l| l.to_canonical_u64() == 0xffff_ffff));
            assert_eq!(
                u64_to_limbs(u64::MAX),
                [F::from_canonical_u64(0xffff_ffff); 2]
            );
            assert_eq!(
                u64_to_limbs(F::ORDER),
                [F::from_canonical_u64(0xffff_ffff), F::ONE]
            );
        }
    }
}

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
        let mut sink = Encoder(Vec::new());
        statement.put(&mut sink)?;
        Ok(sink.0)
    }

    /// The public inputs of any declared statement (one not in the circuit list too).
    pub fn encode<T: Declared>(statement: &T) -> Result<Vec<Fr>, VerifyError> {
        let mut sink = Encoder(Vec::new());
        T::put(&mut sink, Some(statement))?;
        Ok(sink.0)
    }

    /// The generic BLS12-381 encoder: every declared statement goes through it.
    struct Encoder(Vec<Fr>);

    impl PublicSink for Encoder {
        type Types = NoHandles;
        type Error = VerifyError;
        fn u64(&mut self, _: &'static str, v: Option<u64>) -> Result<(), VerifyError> {
            self.0.push(u64_to_fr(value(v)?));
            Ok(())
        }
        fn small(&mut self, _: &'static str, v: Option<u64>, _: u32) -> Result<(), VerifyError> {
            self.0.push(u64_to_fr(value(v)?));
            Ok(())
        }
        fn id(&mut self, _: &'static str, v: Option<Id>) -> Result<(), VerifyError> {
            self.0.extend(id_to_fr(&value(v)?));
            Ok(())
        }
        fn digest(&mut self, _: &'static str, v: Option<Digest>) -> Result<(), VerifyError> {
            self.0.push(digest_to_fr(&value(v)?)?);
            Ok(())
        }
        fn flag(&mut self, _: &'static str, v: Option<bool>) -> Result<(), VerifyError> {
            self.0.push(Fr::from(u64::from(value(v)?)));
            Ok(())
        }
        fn refuse(&mut self, what: &'static str, reason: String) -> VerifyError {
            refused(what, reason)
        }
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
