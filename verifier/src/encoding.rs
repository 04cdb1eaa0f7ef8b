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
use crate::error::VerifyError;
use crate::statement::{
    Statement, WaterfallStatement, WATERFALL_MAX_SHARES, WATERFALL_MAX_TRANCHES,
};
use ark_bls12_381::Fr;
use ark_ff::{BigInteger, PrimeField};

/// Encodings into the Goldilocks field p = 2^64 - 2^32 + 1 (Plonky2 backend).
///
/// Because p < 2^64, nothing 64 bits wide goes into one element:
/// - `u64` values: two elements `[hi, lo]`, the high and low 32-bit halves (each < 2^32).
/// - `u32` values (tiers, slots, quotas): one element, the integer itself.
/// - 32-byte identifiers: eight elements, the big-endian `u32`s of bytes 0..4, 4..8, ...,
///   28..32. Injective: every 32-byte string has exactly one encoding, and every limb is
///   below 2^32 < p. (Four 64-bit limbs would not be: a limb v >= p and v - p would become
///   the same element.)
/// - digests and secrets (a Plonky2 Poseidon `HashOut`, four elements): four big-endian
///   `u64`s of bytes 0..8, 8..16, 16..24, 24..32, each of which must be < p; a limb >= p is
///   refused as non-canonical, never reduced.
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
        let mut out = Vec::new();
        match statement {
            Statement::Ownership(s) => {
                out.extend(digest_to_limbs(&s.root)?);
                out.extend(id_to_limbs(&s.package_id));
                out.extend(u64_to_limbs(s.now));
                out.extend(id_to_limbs(&s.challenge));
                out.extend(digest_to_limbs(&s.tag)?);
            }
            Statement::Tier(s) => {
                out.extend(digest_to_limbs(&s.root)?);
                out.push(small_to_f(s.min_tier));
                out.extend(digest_to_limbs(&s.epoch_beacon)?);
                out.extend(digest_to_limbs(&s.request_binding)?);
                out.extend(digest_to_limbs(&s.nullifier)?);
                out.push(small_to_f(s.quota));
            }
            Statement::Renewal(s) => {
                out.extend(digest_to_limbs(&s.root)?);
                out.extend(id_to_limbs(&s.package_id));
                out.extend(u64_to_limbs(s.now));
                out.extend(digest_to_limbs(&s.nullifier)?);
                out.extend(digest_to_limbs(&s.new_leaf)?);
                out.extend(u64_to_limbs(s.new_expires_at));
            }
            Statement::Metering(s) => {
                out.extend(id_to_limbs(&s.package_id));
                out.extend(digest_to_limbs(&s.scope)?);
                out.extend(id_to_limbs(&s.blinded_customer_id));
                out.push(small_u64_to_f("hour_start", s.hour_start)?);
                out.extend(u64_to_limbs(s.total_units));
                out.extend(digest_to_limbs(&s.readings_commitment)?);
            }
            Statement::Isolation(s) => {
                out.extend(id_to_limbs(&s.package_a));
                out.extend(id_to_limbs(&s.package_b));
                out.extend(digest_to_limbs(&s.scope_a)?);
                out.extend(digest_to_limbs(&s.scope_b)?);
                out.extend(digest_to_limbs(&s.commitment_a)?);
                out.extend(digest_to_limbs(&s.commitment_b)?);
            }
            Statement::Revenue(s) => {
                out.extend(id_to_limbs(&s.publisher_id));
                out.extend(u64_to_limbs(s.period_start));
                out.extend(u64_to_limbs(s.period_end));
                out.extend(u64_to_limbs(s.aggregate_revenue_micros));
                out.push(small_u64_to_f("transaction_count", s.transaction_count)?);
                out.extend(digest_to_limbs(&s.transactions_commitment)?);
            }
            Statement::Waterfall(s) => waterfall_inputs(s, &mut out)?,
        }
        Ok(out)
    }

    /// A value the circuit takes as one range-checked element (`public_small`): refused,
    /// never reduced, if it is not below p (the circuit's range check refuses anything
    /// wider anyway; this keeps the encoding injective).
    fn small_u64_to_f(name: &str, v: u64) -> Result<F, VerifyError> {
        if v >= F::ORDER {
            return Err(VerifyError::NonCanonical(format!(
                "{name}: {v} is not below the Goldilocks modulus"
            )));
        }
        Ok(F::from_canonical_u64(v))
    }

    /// The waterfall's fixed slots, in the same order as the BLS12-381 encoding (see
    /// `bls12_381::waterfall_inputs`), with u64s as two limbs, ids as eight, flags and basis
    /// points as one element each.
    fn waterfall_inputs(s: &WaterfallStatement, out: &mut Vec<F>) -> Result<(), VerifyError> {
        s.check_shape()
            .map_err(|e| VerifyError::Format(format!("waterfall statement: {e}")))?;
        let flag = |b: bool| F::from_bool(b);
        out.extend(id_to_limbs(&s.solution_id));
        out.extend(u64_to_limbs(s.period_start));
        out.extend(u64_to_limbs(s.period_end));
        out.extend(u64_to_limbs(s.total_revenue_micros));
        for j in 0..WATERFALL_MAX_TRANCHES {
            match s.tranches.get(j) {
                Some(t) => {
                    out.push(flag(true));
                    out.extend(id_to_limbs(&t.recipient));
                    out.push(flag(t.cap_micros.is_some()));
                    out.extend(u64_to_limbs(t.cap_micros.unwrap_or(0)));
                }
                None => out.extend([F::ZERO; 1 + ID_LIMBS + 1 + U64_LIMBS]),
            }
        }
        for k in 0..WATERFALL_MAX_SHARES {
            match s.shares.get(k) {
                Some(l) => {
                    out.push(flag(true));
                    out.extend(id_to_limbs(&l.recipient));
                    out.push(small_to_f(l.bps));
                }
                None => out.extend([F::ZERO; 1 + ID_LIMBS + 1]),
            }
        }
        for k in 0..WATERFALL_MAX_SHARES {
            out.push(flag(k == s.remainder_to as usize));
        }
        for j in 0..WATERFALL_MAX_TRANCHES {
            out.extend(u64_to_limbs(s.tranche_payouts.get(j).copied().unwrap_or(0)));
        }
        for k in 0..WATERFALL_MAX_SHARES {
            out.extend(u64_to_limbs(s.share_payouts.get(k).copied().unwrap_or(0)));
        }
        out.extend(digest_to_limbs(&s.payments_commitment)?);
        Ok(())
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
            Statement::Renewal(s) => {
                out.push(digest_to_fr(&s.root)?);
                out.extend(id_to_fr(&s.package_id));
                out.push(u64_to_fr(s.now));
                out.push(digest_to_fr(&s.nullifier)?);
                out.push(digest_to_fr(&s.new_leaf)?);
                out.push(u64_to_fr(s.new_expires_at));
            }
            Statement::Metering(s) => {
                out.extend(id_to_fr(&s.package_id));
                out.push(digest_to_fr(&s.scope)?);
                out.extend(id_to_fr(&s.blinded_customer_id));
                out.push(u64_to_fr(s.hour_start));
                out.push(u64_to_fr(s.total_units));
                out.push(digest_to_fr(&s.readings_commitment)?);
            }
            Statement::Isolation(s) => {
                out.extend(id_to_fr(&s.package_a));
                out.extend(id_to_fr(&s.package_b));
                out.push(digest_to_fr(&s.scope_a)?);
                out.push(digest_to_fr(&s.scope_b)?);
                out.push(digest_to_fr(&s.commitment_a)?);
                out.push(digest_to_fr(&s.commitment_b)?);
            }
            Statement::Revenue(s) => {
                out.extend(id_to_fr(&s.publisher_id));
                out.push(u64_to_fr(s.period_start));
                out.push(u64_to_fr(s.period_end));
                out.push(u64_to_fr(s.aggregate_revenue_micros));
                out.push(u64_to_fr(s.transaction_count));
                out.push(digest_to_fr(&s.transactions_commitment)?);
            }
            Statement::Waterfall(s) => waterfall_inputs(s, &mut out)?,
        }
        Ok(out)
    }

    /// The waterfall's rules take fixed slots: [`WATERFALL_MAX_TRANCHES`] tranche slots of
    /// (active, recipient, capped, cap), [`WATERFALL_MAX_SHARES`] share slots of (active,
    /// recipient, bps), then one remainder flag per share slot, the tranche payouts, the
    /// share payouts. Unused slots are all zero; the active flags (a prefix) make the
    /// encoding injective.
    fn waterfall_inputs(s: &WaterfallStatement, out: &mut Vec<Fr>) -> Result<(), VerifyError> {
        s.check_shape()
            .map_err(|e| VerifyError::Format(format!("waterfall statement: {e}")))?;
        let zero = Fr::from(0u64);
        let flag = |b: bool| Fr::from(u64::from(b));
        out.extend(id_to_fr(&s.solution_id));
        out.push(u64_to_fr(s.period_start));
        out.push(u64_to_fr(s.period_end));
        out.push(u64_to_fr(s.total_revenue_micros));
        for j in 0..WATERFALL_MAX_TRANCHES {
            match s.tranches.get(j) {
                Some(t) => {
                    out.push(flag(true));
                    out.extend(id_to_fr(&t.recipient));
                    out.push(flag(t.cap_micros.is_some()));
                    out.push(u64_to_fr(t.cap_micros.unwrap_or(0)));
                }
                None => out.extend([zero; 5]),
            }
        }
        for k in 0..WATERFALL_MAX_SHARES {
            match s.shares.get(k) {
                Some(l) => {
                    out.push(flag(true));
                    out.extend(id_to_fr(&l.recipient));
                    out.push(u64_to_fr(l.bps.into()));
                }
                None => out.extend([zero; 4]),
            }
        }
        for k in 0..WATERFALL_MAX_SHARES {
            out.push(flag(k == s.remainder_to as usize));
        }
        for j in 0..WATERFALL_MAX_TRANCHES {
            out.push(u64_to_fr(s.tranche_payouts.get(j).copied().unwrap_or(0)));
        }
        for k in 0..WATERFALL_MAX_SHARES {
            out.push(u64_to_fr(s.share_payouts.get(k).copied().unwrap_or(0)));
        }
        out.push(digest_to_fr(&s.payments_commitment)?);
        Ok(())
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

        fn waterfall() -> WaterfallStatement {
            use crate::statement::{Share, Tranche};
            WaterfallStatement {
                solution_id: Bytes32::from_u64(1),
                period_start: 10,
                period_end: 20,
                total_revenue_micros: 100,
                tranches: vec![Tranche {
                    recipient: Bytes32::from_u64(2),
                    cap_micros: Some(0),
                }],
                shares: vec![Share {
                    recipient: Bytes32::from_u64(3),
                    bps: 10_000,
                }],
                remainder_to: 0,
                tranche_payouts: vec![0],
                share_payouts: vec![100],
                payments_commitment: Bytes32::from_u64(4),
            }
        }

        #[test]
        fn waterfall_rules_take_fixed_slots_and_encode_injectively() {
            let s = waterfall();
            let inputs = public_inputs(&Statement::Waterfall(s.clone())).unwrap();
            let slots = 6 * WATERFALL_MAX_TRANCHES + 6 * WATERFALL_MAX_SHARES + 1;
            assert_eq!(inputs.len(), 5 + slots);
            // A cap of 0 and no cap differ; so do one tranche and one plus an empty one.
            let mut uncapped = s.clone();
            uncapped.tranches[0].cap_micros = None;
            assert_ne!(
                public_inputs(&Statement::Waterfall(uncapped)).unwrap(),
                inputs
            );
            let mut none = s.clone();
            none.tranches.clear();
            none.tranche_payouts.clear();
            assert_ne!(public_inputs(&Statement::Waterfall(none)).unwrap(), inputs);
            // Shapes the circuit cannot take are refused.
            let mut bad = s.clone();
            bad.remainder_to = 1;
            assert!(public_inputs(&Statement::Waterfall(bad)).is_err());
            let mut bad = s.clone();
            bad.share_payouts.push(0);
            assert!(public_inputs(&Statement::Waterfall(bad)).is_err());
            let mut bad = s;
            bad.tranches = vec![bad.tranches[0].clone(); WATERFALL_MAX_TRANCHES + 1];
            bad.tranche_payouts = vec![0; WATERFALL_MAX_TRANCHES + 1];
            assert!(public_inputs(&Statement::Waterfall(bad)).is_err());
        }

        #[test]
        fn waterfall_statement_json_round_trips() {
            let s = Statement::Waterfall(waterfall());
            let v = serde_json::to_value(&s).unwrap();
            assert_eq!(
                Statement::from_json(crate::CircuitKind::Waterfall, &v).unwrap(),
                s
            );
            let mut extra = v.clone();
            extra["tranches"][0]["bonus"] = 1.into();
            assert!(Statement::from_json(crate::CircuitKind::Waterfall, &extra).is_err());
            let mut short = v;
            short["share_payouts"] = serde_json::json!([]);
            assert!(Statement::from_json(crate::CircuitKind::Waterfall, &short).is_err());
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
