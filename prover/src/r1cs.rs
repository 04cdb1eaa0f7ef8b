//! The builder API over R1CS: arkworks constraint systems on the BLS12-381 scalar field.
//!
//! Representation: a field value is an `FpVar`; a u64 is one `FpVar` range-checked to 64
//! bits (the field has 255, so sums of up to 2^190 of them cannot wrap); an identifier is
//! two 128-bit limbs (see `veil_verifier::encoding`); a digest is one `FpVar`; hashing is
//! Poseidon of width 3 or 5 (`veil_circuits::poseidon`).

use ark_bls12_381::Fr;
use ark_ff::{BigInteger, Field, PrimeField};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use veil_circuits::api::{Api, HashInput};
use veil_circuits::error::CircuitError;
use veil_circuits::hash::Domain;
use veil_circuits::poseidon;
use veil_verifier::encoding::bls12_381 as enc;
use veil_verifier::Bytes32;

#[doc(hidden)]
pub mod dishonest;

/// The R1CS implementation of [`Api`].
pub struct R1csApi {
    cs: ConstraintSystemRef<Fr>,
    /// Values a dishonest-prover test substitutes (empty otherwise): see [`dishonest`].
    cheats: dishonest::Cheats,
}

impl R1csApi {
    pub fn new(cs: ConstraintSystemRef<Fr>) -> Self {
        R1csApi {
            cs,
            cheats: dishonest::Cheats::default(),
        }
    }
}

fn be(e: SynthesisError) -> CircuitError {
    CircuitError::Backend(e.to_string())
}

fn missing() -> SynthesisError {
    SynthesisError::AssignmentMissing
}

fn digest_value(name: &str, v: &Bytes32) -> Result<Fr, CircuitError> {
    enc::digest_to_fr(v).map_err(|e| CircuitError::InvalidValue {
        name: name.to_string(),
        detail: e.to_string(),
    })
}

/// The integer value of a field element, if it is below 2^128.
fn fr_to_u128(f: &Fr) -> Option<u128> {
    let limbs = f.into_bigint().0;
    (limbs[2] == 0 && limbs[3] == 0).then(|| u128::from(limbs[0]) | (u128::from(limbs[1]) << 64))
}

fn pow2(bits: u32) -> Fr {
    Fr::from(2u64).pow([bits as u64])
}

impl R1csApi {
    fn input(&mut self, value: Option<Fr>) -> Result<FpVar<Fr>, CircuitError> {
        FpVar::new_input(self.cs.clone(), || value.ok_or_else(missing)).map_err(be)
    }

    fn witness(&mut self, value: Option<Fr>) -> Result<FpVar<Fr>, CircuitError> {
        let value = self.cheats.value_at(self.cs.num_witness_variables(), value);
        FpVar::new_witness(self.cs.clone(), || value.ok_or_else(missing)).map_err(be)
    }

    /// `bits` little-endian boolean witnesses of `a`'s low bits, constrained to recompose
    /// to `a`: unsatisfiable when `a` does not fit.
    fn decompose(&mut self, a: &FpVar<Fr>, bits: u32) -> Result<Vec<Boolean<Fr>>, CircuitError> {
        let value = a.value().ok();
        let le = value.map(|v| v.into_bigint().to_bits_le());
        let mut out = Vec::with_capacity(bits as usize);
        for i in 0..bits as usize {
            let bit = le.as_ref().map(|b| b.get(i).copied().unwrap_or(false));
            let bit = self.cheats.bit_at(self.cs.num_witness_variables(), bit);
            out.push(
                Boolean::new_witness(self.cs.clone(), || bit.ok_or_else(missing)).map_err(be)?,
            );
        }
        let recomposed = Boolean::le_bits_to_fp(&out).map_err(be)?;
        recomposed.enforce_equal(a).map_err(be)?;
        Ok(out)
    }

    fn flatten(&self, inputs: &[HashInput<'_, Self>]) -> Vec<FpVar<Fr>> {
        let mut out = Vec::with_capacity(inputs.len() * 2);
        for i in inputs {
            match i {
                HashInput::Small(v) | HashInput::U64(v) | HashInput::Digest(v) => {
                    out.push((*v).clone())
                }
                HashInput::Id(id) => out.extend(id.iter().cloned()),
            }
        }
        out
    }
}

/// The Poseidon permutation over `FpVar`s: 3 constraints per S-box, linear layers free.
pub fn poseidon_permute(state: &mut [FpVar<Fr>]) -> Result<(), CircuitError> {
    let cfg = poseidon::config(state.len());
    let half = cfg.full_rounds / 2;
    let rounds = cfg.full_rounds + cfg.partial_rounds;
    for r in 0..rounds {
        for (s, c) in state.iter_mut().zip(&cfg.ark[r]) {
            *s += *c;
        }
        let full = r < half || r >= half + cfg.partial_rounds;
        let n = if full { state.len() } else { 1 };
        for s in state.iter_mut().take(n) {
            let x2 = s.square().map_err(be)?;
            let x4 = x2.square().map_err(be)?;
            *s = &x4 * &*s;
        }
        let mixed: Vec<FpVar<Fr>> = cfg
            .mds
            .iter()
            .map(|row| {
                row.iter()
                    .zip(state.iter())
                    .fold(FpVar::Constant(Fr::from(0u64)), |acc, (m, s)| acc + s * *m)
            })
            .collect();
        state.clone_from_slice(&mixed);
    }
    Ok(())
}

/// The in-circuit twin of `veil_circuits::poseidon::hash_with_tag`.
pub fn poseidon_hash(tag: Fr, inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, CircuitError> {
    let width = poseidon::width_for(inputs.len());
    let rate = width - 1;
    let mut state = vec![FpVar::Constant(Fr::from(0u64)); width];
    state[0] = FpVar::Constant(tag);
    if inputs.is_empty() {
        poseidon_permute(&mut state)?;
    }
    for chunk in inputs.chunks(rate) {
        for (i, x) in chunk.iter().enumerate() {
            state[1 + i] += x;
        }
        poseidon_permute(&mut state)?;
    }
    Ok(state[1].clone())
}

impl Api for R1csApi {
    type Var = FpVar<Fr>;
    type Bool = Boolean<Fr>;
    type U64 = FpVar<Fr>;
    type Id = [FpVar<Fr>; 2];
    type Digest = FpVar<Fr>;

    fn public_u64(&mut self, _name: &str, value: Option<u64>) -> Result<FpVar<Fr>, CircuitError> {
        let v = self.input(value.map(Fr::from))?;
        self.range_check(&v, 64)?;
        Ok(v)
    }

    fn secret_u64(&mut self, _name: &str, value: Option<u64>) -> Result<FpVar<Fr>, CircuitError> {
        let v = self.witness(value.map(Fr::from))?;
        self.range_check(&v, 64)?;
        Ok(v)
    }

    fn public_small(
        &mut self,
        _name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<FpVar<Fr>, CircuitError> {
        let v = self.input(value.map(Fr::from))?;
        self.range_check(&v, bits)?;
        Ok(v)
    }

    fn secret_small(
        &mut self,
        _name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<FpVar<Fr>, CircuitError> {
        let v = self.witness(value.map(Fr::from))?;
        self.range_check(&v, bits)?;
        Ok(v)
    }

    fn public_id(&mut self, _name: &str, value: Option<Bytes32>) -> Result<Self::Id, CircuitError> {
        // Public limbs need no range check: the verifier encodes them from 32 bytes, and a
        // limb outside [0, 2^128) would only make the proof fail against every statement.
        let limbs = value.map(|v| enc::id_to_fr(&v));
        Ok([
            self.input(limbs.map(|l| l[0]))?,
            self.input(limbs.map(|l| l[1]))?,
        ])
    }

    fn secret_id(&mut self, _name: &str, value: Option<Bytes32>) -> Result<Self::Id, CircuitError> {
        // Secret ids are only ever hashed, where a non-canonical limb pair would be a
        // Poseidon preimage of an honestly built leaf; no range check is needed.
        let limbs = value.map(|v| enc::id_to_fr(&v));
        Ok([
            self.witness(limbs.map(|l| l[0]))?,
            self.witness(limbs.map(|l| l[1]))?,
        ])
    }

    fn public_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        let v = value.map(|v| digest_value(name, &v)).transpose()?;
        // Every circuit compares or hashes its public digests, which puts them in at least
        // one constraint (an input in none would verify for any value; the tests alter
        // each public value to make sure).
        self.input(v)
    }

    fn secret_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        let v = value.map(|v| digest_value(name, &v)).transpose()?;
        self.witness(v)
    }

    fn secret_bool(
        &mut self,
        _name: &str,
        value: Option<bool>,
    ) -> Result<Boolean<Fr>, CircuitError> {
        let value = self.cheats.bit_at(self.cs.num_witness_variables(), value);
        Boolean::new_witness(self.cs.clone(), || value.ok_or_else(missing)).map_err(be)
    }

    fn public_bool(
        &mut self,
        _name: &str,
        value: Option<bool>,
    ) -> Result<Boolean<Fr>, CircuitError> {
        Boolean::new_input(self.cs.clone(), || value.ok_or_else(missing)).map_err(be)
    }

    fn constant(&mut self, value: u64) -> FpVar<Fr> {
        FpVar::Constant(Fr::from(value))
    }

    fn add(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> FpVar<Fr> {
        a + b
    }

    fn sub(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> FpVar<Fr> {
        a - b
    }

    fn mul(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<FpVar<Fr>, CircuitError> {
        Ok(a * b)
    }

    fn linear_combination(&mut self, terms: &[(u64, &FpVar<Fr>)]) -> FpVar<Fr> {
        terms
            .iter()
            .fold(FpVar::Constant(Fr::from(0u64)), |acc, (c, v)| {
                acc + *v * Fr::from(*c)
            })
    }

    fn assert_equal(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        a.enforce_equal(b).map_err(be)
    }

    fn assert_not_equal(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        a.enforce_not_equal(b).map_err(be)
    }

    fn bool_constant(&mut self, value: bool) -> Boolean<Fr> {
        Boolean::constant(value)
    }

    fn and(&mut self, a: &Boolean<Fr>, b: &Boolean<Fr>) -> Result<Boolean<Fr>, CircuitError> {
        Ok(a & b)
    }

    fn or(&mut self, a: &Boolean<Fr>, b: &Boolean<Fr>) -> Result<Boolean<Fr>, CircuitError> {
        Ok(a | b)
    }

    fn not(&mut self, a: &Boolean<Fr>) -> Boolean<Fr> {
        !a
    }

    fn assert_true(&mut self, a: &Boolean<Fr>) -> Result<(), CircuitError> {
        a.enforce_equal(&Boolean::TRUE).map_err(be)
    }

    fn select(
        &mut self,
        cond: &Boolean<Fr>,
        if_true: &FpVar<Fr>,
        if_false: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        FpVar::conditionally_select(cond, if_true, if_false).map_err(be)
    }

    fn bool_to_var(&mut self, b: &Boolean<Fr>) -> FpVar<Fr> {
        FpVar::from(b.clone())
    }

    fn range_check(&mut self, a: &FpVar<Fr>, bits: u32) -> Result<(), CircuitError> {
        self.decompose(a, bits).map(|_| ())
    }

    fn less_than(
        &mut self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        bits: u32,
    ) -> Result<Boolean<Fr>, CircuitError> {
        // a - b + 2^bits lies in [0, 2^(bits+1)); its top bit is clear exactly when a < b.
        let shifted = a - b + pow2(bits);
        let decomposed = self.decompose(&shifted, bits + 1)?;
        Ok(!&decomposed[bits as usize])
    }

    fn assert_less_than(
        &mut self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        bits: u32,
    ) -> Result<(), CircuitError> {
        // b - a - 1 fits in `bits` bits iff a < b (otherwise it wraps to ~2^255).
        let gap = b - a - Fr::from(1u64);
        self.range_check(&gap, bits)
    }

    fn assert_less_or_equal(
        &mut self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        bits: u32,
    ) -> Result<(), CircuitError> {
        let gap = b - a;
        self.range_check(&gap, bits)
    }

    fn u64_constant(&mut self, value: u64) -> FpVar<Fr> {
        FpVar::Constant(Fr::from(value))
    }

    fn u64_sum(&mut self, items: &[FpVar<Fr>]) -> Result<FpVar<Fr>, CircuitError> {
        let sum = items
            .iter()
            .fold(FpVar::Constant(Fr::from(0u64)), |acc, x| acc + x);
        self.range_check(&sum, 64)?;
        Ok(sum)
    }

    fn u64_less_than(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<Boolean<Fr>, CircuitError> {
        self.less_than(a, b, 64)
    }

    fn u64_assert_less_than(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        self.assert_less_than(a, b, 64)
    }

    fn u64_assert_equal(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        a.enforce_equal(b).map_err(be)
    }

    fn u64_select(
        &mut self,
        cond: &Boolean<Fr>,
        if_true: &FpVar<Fr>,
        if_false: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.select(cond, if_true, if_false)
    }

    fn u64_sub(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<FpVar<Fr>, CircuitError> {
        // a - b fits in 64 bits iff b <= a (otherwise it wraps to ~2^255).
        let diff = a - b;
        self.range_check(&diff, 64)?;
        Ok(diff)
    }

    fn u64_mul_div(
        &mut self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        b_bits: u32,
        divisor: u64,
    ) -> Result<FpVar<Fr>, CircuitError> {
        if divisor == 0 || b_bits > 32 {
            return Err(CircuitError::Backend(format!(
                "u64_mul_div needs a divisor > 0 and b of at most 32 bits (got {divisor}, {b_bits})"
            )));
        }
        // q * divisor + r = a * b with q < 2^64 and r < divisor: a < 2^64 and b < 2^32 keep
        // every term below 2^129, far from the modulus, so q and r are the exact quotient
        // and remainder.
        // Operands out of range (only in a witness that breaks the caller's rules) give
        // q = r = 0, which the constraints then refuse.
        let product = match (a.value(), b.value()) {
            (Ok(a), Ok(b)) => Some(
                fr_to_u128(&a)
                    .zip(fr_to_u128(&b))
                    .and_then(|(a, b)| a.checked_mul(b))
                    .unwrap_or(0),
            ),
            _ => None,
        };
        let q = self.witness(product.map(|p| Fr::from(p / u128::from(divisor))))?;
        let r = self.witness(product.map(|p| Fr::from(p % u128::from(divisor))))?;
        self.range_check(&q, 64)?;
        let r_bits = 64 - (divisor - 1).leading_zeros();
        self.range_check(&r, r_bits.max(1))?;
        let d = FpVar::Constant(Fr::from(divisor));
        self.assert_less_than(&r, &d, r_bits.max(1))?;
        a.mul_equals(b, &(&q * Fr::from(divisor) + &r))
            .map_err(be)?;
        Ok(q)
    }

    fn id_constant(&mut self, value: Bytes32) -> Self::Id {
        enc::id_to_fr(&value).map(FpVar::Constant)
    }

    fn id_is_equal(&mut self, a: &Self::Id, b: &Self::Id) -> Result<Boolean<Fr>, CircuitError> {
        let hi = a[0].is_eq(&b[0]).map_err(be)?;
        let lo = a[1].is_eq(&b[1]).map_err(be)?;
        Ok(&hi & &lo)
    }

    fn id_assert_equal(&mut self, a: &Self::Id, b: &Self::Id) -> Result<(), CircuitError> {
        a[0].enforce_equal(&b[0]).map_err(be)?;
        a[1].enforce_equal(&b[1]).map_err(be)
    }

    fn id_assert_not_equal(&mut self, a: &Self::Id, b: &Self::Id) -> Result<(), CircuitError> {
        let hi = a[0].is_eq(&b[0]).map_err(be)?;
        let lo = a[1].is_eq(&b[1]).map_err(be)?;
        (&hi & &lo).enforce_equal(&Boolean::FALSE).map_err(be)
    }

    fn id_assert_canonical(&mut self, a: &Self::Id) -> Result<(), CircuitError> {
        for limb in a {
            self.decompose(limb, 128)?;
        }
        Ok(())
    }

    fn hash(
        &mut self,
        domain: Domain,
        inputs: &[HashInput<'_, Self>],
    ) -> Result<FpVar<Fr>, CircuitError> {
        let elems = self.flatten(inputs);
        poseidon_hash(Fr::from(domain.tag(inputs.len())), &elems)
    }

    fn digest_select(
        &mut self,
        cond: &Boolean<Fr>,
        if_true: &FpVar<Fr>,
        if_false: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.select(cond, if_true, if_false)
    }

    fn digest_assert_equal(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        a.enforce_equal(b).map_err(be)
    }
}
