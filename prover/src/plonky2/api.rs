//! The builder API over Plonky2: PLONK constraints on the Goldilocks field (p = 2^64 - 2^32 + 1).
//!
//! Representation (the encodings are `veil_verifier::encoding::goldilocks`):
//! - a field value (`Var`) is one `Target`; `Bool` a `BoolTarget`;
//! - a u64 (`U64`) is two 32-bit limbs `hi`, `lo`, each range-checked with a `BaseSumGate`
//!   (`range_check`/`split_le`), because p < 2^64: no 64-bit value fits one element;
//! - an identifier is eight 32-bit limbs (big-endian), a digest four elements (a `HashOut`);
//! - hashing is Plonky2's Poseidon permutation (one `PoseidonGate` per permutation) in the
//!   tagged sponge of `veil_circuits::poseidon_goldilocks`.
//!
//! Exactness: comparisons of n-bit values shift by 2^n and split n + 1 bits, sound while
//! 2^(n+1) <= p, i.e. n <= 62; 63-bit values are compared through 32-bit limbs. Sums of u64s
//! add the low limbs (below 2^63 for fewer than 2^31 items), split off the carry, and
//! range-check the high limb sum plus carry to 32 bits: a sum that does not fit in 64 bits
//! leaves the circuit unsatisfiable; nothing ever wraps p.
//!
//! Secret identifiers are not range-checked, as on R1CS: they are only hashed, and limbs
//! that encode no 32-byte string would have to be a Poseidon preimage of an honestly built
//! value. Public ones are encoded by the verifier from 32 bytes.
//!
//! Witness values: while proving, every input records `(target, value)`; the prover sets
//! them in a `PartialWitness` and Plonky2's generators compute everything else.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::{PoseidonHash, PoseidonPermutation};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitConfig;
use veil_circuits::api::{Api, HashInput};
use veil_circuits::error::CircuitError;
use veil_circuits::hash::Domain;
use veil_circuits::poseidon_goldilocks as pg;
use veil_verifier::encoding::goldilocks as enc;
use veil_verifier::plonky2::{D, F};
use veil_verifier::Bytes32;

/// An exact u64: two 32-bit limbs.
#[derive(Clone, Copy, Debug)]
pub struct U64Target {
    pub hi: Target,
    pub lo: Target,
}

/// A 32-byte identifier: eight 32-bit limbs, big-endian.
pub type IdTarget = [Target; enc::ID_LIMBS];

/// The Plonky2 implementation of [`Api`].
pub struct Plonky2Api {
    pub builder: CircuitBuilder<F, D>,
    /// Input values, recorded while proving.
    pub assignments: Vec<(Target, F)>,
}

fn too_wide(bits: u32) -> CircuitError {
    CircuitError::Backend(format!(
        "{bits}-bit values do not fit one Goldilocks element exactly (at most 63 bits)"
    ))
}

impl Plonky2Api {
    pub fn new(config: CircuitConfig) -> Self {
        Plonky2Api {
            builder: CircuitBuilder::new(config),
            assignments: Vec::new(),
        }
    }

    fn input(&mut self, public: bool, value: Option<F>) -> Target {
        let t = if public {
            self.builder.add_virtual_public_input()
        } else {
            self.builder.add_virtual_target()
        };
        if let Some(v) = value {
            self.assignments.push((t, v));
        }
        t
    }

    fn u64_input(&mut self, public: bool, value: Option<u64>) -> U64Target {
        let limbs = value.map(enc::u64_to_limbs);
        let hi = self.input(public, limbs.map(|l| l[0]));
        let lo = self.input(public, limbs.map(|l| l[1]));
        self.builder.range_check(hi, 32);
        self.builder.range_check(lo, 32);
        U64Target { hi, lo }
    }

    fn small_input(
        &mut self,
        public: bool,
        value: Option<u64>,
        bits: u32,
    ) -> Result<Target, CircuitError> {
        if bits > 63 {
            return Err(too_wide(bits));
        }
        // A value that does not fit `bits` fails the range check (as on R1CS); one that is
        // not even a field element cannot be assigned at all.
        let v = match value {
            Some(v) if v >= <F as plonky2::field::types::Field64>::ORDER => {
                return Err(CircuitError::InvalidValue {
                    name: "small value".into(),
                    detail: format!("{v} is not below the Goldilocks modulus"),
                })
            }
            v => v.map(F::from_canonical_u64),
        };
        let t = self.input(public, v);
        self.builder.range_check(t, bits as usize);
        Ok(t)
    }

    fn id_input(&mut self, public: bool, value: Option<Bytes32>) -> IdTarget {
        let limbs = value.map(|v| enc::id_to_limbs(&v));
        std::array::from_fn(|i| self.input(public, limbs.map(|l| l[i])))
    }

    fn digest_input(
        &mut self,
        public: bool,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<HashOutTarget, CircuitError> {
        let limbs = value
            .map(|v| {
                enc::digest_to_limbs(&v).map_err(|e| CircuitError::InvalidValue {
                    name: name.to_string(),
                    detail: e.to_string(),
                })
            })
            .transpose()?;
        let elements = std::array::from_fn(|i| self.input(public, limbs.map(|l| l[i])));
        Ok(HashOutTarget { elements })
    }

    /// Splits `x` (known to be below 2^(n+1)) into n + 1 bits and returns bit n.
    fn top_bit(&mut self, x: Target, n: usize) -> BoolTarget {
        let bits = self.builder.split_le(x, n + 1);
        bits[n]
    }

    /// A 63-bit value as u64 limbs (the value is range-checked to 63 bits already).
    fn limbs_of(&mut self, x: Target) -> U64Target {
        let (lo, hi) = self.builder.split_low_high(x, 32, 63);
        U64Target { hi, lo }
    }

    fn pow2(bits: u32) -> F {
        F::from_canonical_u64(1u64 << bits)
    }

    /// The tagged Poseidon sponge of `veil_circuits::poseidon_goldilocks` over targets.
    pub fn poseidon(&mut self, tag: u64, inputs: &[Target]) -> HashOutTarget {
        let zero = self.builder.zero();
        let mut state = PoseidonPermutation::<Target>::new(core::iter::repeat(zero));
        let tag = self.builder.constant(F::from_canonical_u64(tag));
        let len = self
            .builder
            .constant(F::from_canonical_u64(inputs.len() as u64));
        state.set_elt(tag, pg::TAG_INDEX);
        state.set_elt(len, pg::LEN_INDEX);
        if inputs.is_empty() {
            state = self.builder.permute::<PoseidonHash>(state);
        }
        for chunk in inputs.chunks(pg::RATE) {
            state.set_from_slice(chunk, 0);
            state = self.builder.permute::<PoseidonHash>(state);
        }
        HashOutTarget {
            elements: std::array::from_fn(|i| state.squeeze()[i]),
        }
    }
}

impl Api for Plonky2Api {
    type Var = Target;
    type Bool = BoolTarget;
    type U64 = U64Target;
    type Id = IdTarget;
    type Digest = HashOutTarget;

    fn public_u64(&mut self, _name: &str, value: Option<u64>) -> Result<U64Target, CircuitError> {
        Ok(self.u64_input(true, value))
    }

    fn secret_u64(&mut self, _name: &str, value: Option<u64>) -> Result<U64Target, CircuitError> {
        Ok(self.u64_input(false, value))
    }

    fn public_small(
        &mut self,
        _name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<Target, CircuitError> {
        self.small_input(true, value, bits)
    }

    fn secret_small(
        &mut self,
        _name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<Target, CircuitError> {
        self.small_input(false, value, bits)
    }

    fn public_id(&mut self, _name: &str, value: Option<Bytes32>) -> Result<IdTarget, CircuitError> {
        Ok(self.id_input(true, value))
    }

    fn secret_id(&mut self, _name: &str, value: Option<Bytes32>) -> Result<IdTarget, CircuitError> {
        Ok(self.id_input(false, value))
    }

    fn public_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<HashOutTarget, CircuitError> {
        self.digest_input(true, name, value)
    }

    fn secret_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<HashOutTarget, CircuitError> {
        self.digest_input(false, name, value)
    }

    fn secret_bool(
        &mut self,
        _name: &str,
        value: Option<bool>,
    ) -> Result<BoolTarget, CircuitError> {
        let b = self.builder.add_virtual_bool_target_safe();
        if let Some(v) = value {
            self.assignments.push((b.target, F::from_bool(v)));
        }
        Ok(b)
    }

    /// A field constant; on Goldilocks a value >= p stands for `value - p`.
    fn constant(&mut self, value: u64) -> Target {
        self.builder.constant(F::from_noncanonical_u64(value))
    }

    fn add(&mut self, a: &Target, b: &Target) -> Target {
        self.builder.add(*a, *b)
    }

    fn sub(&mut self, a: &Target, b: &Target) -> Target {
        self.builder.sub(*a, *b)
    }

    fn mul(&mut self, a: &Target, b: &Target) -> Result<Target, CircuitError> {
        Ok(self.builder.mul(*a, *b))
    }

    fn linear_combination(&mut self, terms: &[(u64, &Target)]) -> Target {
        let mut acc = self.builder.zero();
        for (c, v) in terms {
            acc = self
                .builder
                .mul_const_add(F::from_noncanonical_u64(*c), **v, acc);
        }
        acc
    }

    fn assert_equal(&mut self, a: &Target, b: &Target) -> Result<(), CircuitError> {
        self.builder.connect(*a, *b);
        Ok(())
    }

    fn assert_not_equal(&mut self, a: &Target, b: &Target) -> Result<(), CircuitError> {
        let eq = self.builder.is_equal(*a, *b);
        self.builder.assert_zero(eq.target);
        Ok(())
    }

    fn bool_constant(&mut self, value: bool) -> BoolTarget {
        self.builder.constant_bool(value)
    }

    fn and(&mut self, a: &BoolTarget, b: &BoolTarget) -> Result<BoolTarget, CircuitError> {
        Ok(self.builder.and(*a, *b))
    }

    fn or(&mut self, a: &BoolTarget, b: &BoolTarget) -> Result<BoolTarget, CircuitError> {
        Ok(self.builder.or(*a, *b))
    }

    fn not(&mut self, a: &BoolTarget) -> BoolTarget {
        self.builder.not(*a)
    }

    fn assert_true(&mut self, a: &BoolTarget) -> Result<(), CircuitError> {
        self.builder.assert_one(a.target);
        Ok(())
    }

    fn select(
        &mut self,
        cond: &BoolTarget,
        if_true: &Target,
        if_false: &Target,
    ) -> Result<Target, CircuitError> {
        Ok(self.builder.select(*cond, *if_true, *if_false))
    }

    fn bool_to_var(&mut self, b: &BoolTarget) -> Target {
        b.target
    }

    fn range_check(&mut self, a: &Target, bits: u32) -> Result<(), CircuitError> {
        if bits > 63 {
            return Err(too_wide(bits));
        }
        self.builder.range_check(*a, bits as usize);
        Ok(())
    }

    fn less_than(&mut self, a: &Target, b: &Target, bits: u32) -> Result<BoolTarget, CircuitError> {
        match bits {
            0..=62 => {
                // a - b + 2^bits lies in [0, 2^(bits+1)); its top bit is clear iff a < b.
                let d = self.builder.sub(*a, *b);
                let shifted = self.builder.add_const(d, Self::pow2(bits));
                let top = self.top_bit(shifted, bits as usize);
                Ok(self.builder.not(top))
            }
            63 => {
                let (a, b) = (self.limbs_of(*a), self.limbs_of(*b));
                self.u64_less_than(&a, &b)
            }
            _ => Err(too_wide(bits)),
        }
    }

    fn assert_less_than(&mut self, a: &Target, b: &Target, bits: u32) -> Result<(), CircuitError> {
        match bits {
            0..=62 => {
                // b - a - 1 fits in `bits` bits iff a < b (otherwise it wraps to >= p - 2^bits).
                let d = self.builder.sub(*b, *a);
                let gap = self.builder.add_const(d, F::NEG_ONE);
                self.builder.range_check(gap, bits as usize);
                Ok(())
            }
            63 => {
                let (a, b) = (self.limbs_of(*a), self.limbs_of(*b));
                self.u64_assert_less_than(&a, &b)
            }
            _ => Err(too_wide(bits)),
        }
    }

    fn assert_less_or_equal(
        &mut self,
        a: &Target,
        b: &Target,
        bits: u32,
    ) -> Result<(), CircuitError> {
        match bits {
            0..=62 => {
                let gap = self.builder.sub(*b, *a);
                self.builder.range_check(gap, bits as usize);
                Ok(())
            }
            63 => {
                // a <= b iff a < b + 1, and b + 1 still fits 64 bits.
                let (a, b) = (self.limbs_of(*a), self.limbs_of(*b));
                let one = self.u64_constant(1);
                let b1 = self.u64_sum(&[b, one])?;
                self.u64_assert_less_than(&a, &b1)
            }
            _ => Err(too_wide(bits)),
        }
    }

    fn u64_constant(&mut self, value: u64) -> U64Target {
        let [hi, lo] = enc::u64_to_limbs(value);
        U64Target {
            hi: self.builder.constant(hi),
            lo: self.builder.constant(lo),
        }
    }

    fn u64_sum(&mut self, items: &[U64Target]) -> Result<U64Target, CircuitError> {
        if items.len() >= 1 << 31 {
            return Err(CircuitError::Shape(
                "a u64 sum of 2^31 or more items".into(),
            ));
        }
        if items.is_empty() {
            return Ok(self.u64_constant(0));
        }
        // Low limbs: below n * 2^32 < 2^63. Split off the carry (at most 31 bits).
        let lo_sum = self.builder.add_many(items.iter().map(|x| x.lo));
        let carry_bits = (usize::BITS - (items.len() - 1).leading_zeros()).max(1) as usize;
        let (lo, carry) = self.builder.split_low_high(lo_sum, 32, 32 + carry_bits);
        // High limbs plus carry must fit 32 bits, or the sum does not fit 64 bits.
        let hi_sum = self
            .builder
            .add_many(items.iter().map(|x| x.hi).chain([carry]));
        self.builder.range_check(hi_sum, 32);
        Ok(U64Target { hi: hi_sum, lo })
    }

    fn u64_less_than(&mut self, a: &U64Target, b: &U64Target) -> Result<BoolTarget, CircuitError> {
        // a.lo - b.lo + 2^32 = r + c * 2^32 with c = 1 iff a.lo >= b.lo; then
        // a.hi - b.hi + c - 1 + 2^32 in [0, 2^33) has its bit 32 set iff a >= b.
        let d_lo = self.builder.sub(a.lo, b.lo);
        let shifted_lo = self.builder.add_const(d_lo, Self::pow2(32));
        let c = self.top_bit(shifted_lo, 32);
        let d_hi = self.builder.sub(a.hi, b.hi);
        let d_hi = self.builder.add(d_hi, c.target);
        let shifted_hi = self.builder.add_const(d_hi, Self::pow2(32) - F::ONE);
        let ge = self.top_bit(shifted_hi, 32);
        Ok(self.builder.not(ge))
    }

    fn u64_assert_less_than(&mut self, a: &U64Target, b: &U64Target) -> Result<(), CircuitError> {
        // b - a - 1 = (b.hi - a.hi + c - 1) * 2^32 + r, where b.lo - a.lo - 1 + 2^32 = r + c * 2^32;
        // it is >= 0 iff the high part is, i.e. fits 32 bits.
        let d_lo = self.builder.sub(b.lo, a.lo);
        let shifted_lo = self.builder.add_const(d_lo, Self::pow2(32) - F::ONE);
        let c = self.top_bit(shifted_lo, 32);
        let d_hi = self.builder.sub(b.hi, a.hi);
        let d_hi = self.builder.add(d_hi, c.target);
        let high = self.builder.add_const(d_hi, F::NEG_ONE);
        self.builder.range_check(high, 32);
        Ok(())
    }

    fn u64_assert_equal(&mut self, a: &U64Target, b: &U64Target) -> Result<(), CircuitError> {
        self.builder.connect(a.hi, b.hi);
        self.builder.connect(a.lo, b.lo);
        Ok(())
    }

    fn u64_select(
        &mut self,
        cond: &BoolTarget,
        if_true: &U64Target,
        if_false: &U64Target,
    ) -> Result<U64Target, CircuitError> {
        Ok(U64Target {
            hi: self.builder.select(*cond, if_true.hi, if_false.hi),
            lo: self.builder.select(*cond, if_true.lo, if_false.lo),
        })
    }

    fn id_assert_equal(&mut self, a: &IdTarget, b: &IdTarget) -> Result<(), CircuitError> {
        for (x, y) in a.iter().zip(b) {
            self.builder.connect(*x, *y);
        }
        Ok(())
    }

    fn id_assert_not_equal(&mut self, a: &IdTarget, b: &IdTarget) -> Result<(), CircuitError> {
        let mut all = self.builder.constant_bool(true);
        for (x, y) in a.iter().zip(b) {
            let eq = self.builder.is_equal(*x, *y);
            all = self.builder.and(all, eq);
        }
        self.builder.assert_zero(all.target);
        Ok(())
    }

    fn hash(
        &mut self,
        domain: Domain,
        inputs: &[HashInput<'_, Self>],
    ) -> Result<HashOutTarget, CircuitError> {
        let mut elems = Vec::with_capacity(inputs.len() * 4);
        for i in inputs {
            match i {
                HashInput::Small(v) => elems.push(**v),
                HashInput::U64(v) => elems.extend([v.hi, v.lo]),
                HashInput::Id(id) => elems.extend(id.iter().copied()),
                HashInput::Digest(d) => elems.extend(d.elements),
            }
        }
        Ok(self.poseidon(domain.tag(inputs.len()), &elems))
    }

    fn digest_select(
        &mut self,
        cond: &BoolTarget,
        if_true: &HashOutTarget,
        if_false: &HashOutTarget,
    ) -> Result<HashOutTarget, CircuitError> {
        Ok(HashOutTarget {
            elements: std::array::from_fn(|i| {
                self.builder
                    .select(*cond, if_true.elements[i], if_false.elements[i])
            }),
        })
    }

    fn digest_assert_equal(
        &mut self,
        a: &HashOutTarget,
        b: &HashOutTarget,
    ) -> Result<(), CircuitError> {
        self.builder.connect_hashes(*a, *b);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The limb gadgets against plain integer semantics, at the edges of 32, 62, 63 and 64
    //! bits. Each case builds a tiny circuit (without zero knowledge, for speed), proves and
    //! verifies it: `holds` is whether the constraint system accepts the values.
    use super::*;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use veil_verifier::plonky2::{catch_quiet, C};

    fn holds(build: impl FnOnce(&mut Plonky2Api) -> Result<(), CircuitError>) -> bool {
        let mut api = Plonky2Api::new(CircuitConfig::standard_recursion_config());
        build(&mut api).unwrap();
        let data = api.builder.build::<C>();
        let mut pw = PartialWitness::new();
        for (t, v) in api.assignments {
            if pw.set_target(t, v).is_err() {
                return false;
            }
        }
        match catch_quiet(|| data.prove(pw)) {
            Some(Ok(p)) => data.verify(p).is_ok(),
            _ => false,
        }
    }

    const EDGES: [u64; 9] = [
        0,
        1,
        (1 << 32) - 1,
        1 << 32,
        (1 << 32) + 1,
        (1 << 62) + 7,
        0xffff_ffff_0000_0000,
        u64::MAX - 1,
        u64::MAX,
    ];

    #[test]
    fn u64_comparisons_are_exact() {
        for &a in &EDGES {
            for &b in &[0, 1 << 32, (1 << 32) + 1, u64::MAX - 1, u64::MAX] {
                let lt = holds(|api| {
                    let x = api.secret_u64("a", Some(a))?;
                    let y = api.secret_u64("b", Some(b))?;
                    api.u64_assert_less_than(&x, &y)
                });
                assert_eq!(lt, a < b, "{a} < {b}");
                let as_bool = holds(|api| {
                    let x = api.secret_u64("a", Some(a))?;
                    let y = api.secret_u64("b", Some(b))?;
                    let r = api.u64_less_than(&x, &y)?;
                    let expected = api.bool_constant(a < b);
                    let (r, e) = (api.bool_to_var(&r), api.bool_to_var(&expected));
                    api.assert_equal(&r, &e)
                });
                assert!(as_bool, "u64_less_than({a}, {b})");
            }
        }
    }

    #[test]
    fn u64_sums_are_exact_and_never_wrap() {
        let cases: [&[u64]; 5] = [
            &[u64::MAX - 1, 1],
            &[u64::MAX, 1],
            &[(1 << 32) - 1, (1 << 32) - 1, (1 << 32) - 1],
            &[1 << 63, 1 << 63],
            &[],
        ];
        for items in cases {
            let exact: Option<u64> = items.iter().try_fold(0u64, |s, x| s.checked_add(*x));
            let ok = holds(|api| {
                let xs: Vec<U64Target> = items
                    .iter()
                    .map(|v| api.secret_u64("x", Some(*v)))
                    .collect::<Result<_, _>>()?;
                let sum = api.u64_sum(&xs)?;
                let expected = api.u64_constant(exact.unwrap_or(0));
                api.u64_assert_equal(&sum, &expected)
            });
            assert_eq!(ok, exact.is_some(), "sum of {items:?}");
        }
    }

    #[test]
    fn small_comparisons_are_exact_up_to_63_bits() {
        for bits in [32u32, 62, 63] {
            let max = (1u64 << bits) - 1;
            for (a, b) in [
                (0, 0),
                (0, 1),
                (1, 0),
                (max, max),
                (max - 1, max),
                (max, max - 1),
                (0, max),
                (max, 0),
            ] {
                let range = |api: &mut Plonky2Api, v| api.secret_small("v", Some(v), bits);
                let lt = holds(|api| {
                    let (x, y) = (range(api, a)?, range(api, b)?);
                    api.assert_less_than(&x, &y, bits)
                });
                assert_eq!(lt, a < b, "{bits} bits: {a} < {b}");
                let le = holds(|api| {
                    let (x, y) = (range(api, a)?, range(api, b)?);
                    api.assert_less_or_equal(&x, &y, bits)
                });
                assert_eq!(le, a <= b, "{bits} bits: {a} <= {b}");
                let as_bool = holds(|api| {
                    let (x, y) = (range(api, a)?, range(api, b)?);
                    let r = api.less_than(&x, &y, bits)?;
                    let r = api.bool_to_var(&r);
                    let e = api.constant((a < b) as u64);
                    api.assert_equal(&r, &e)
                });
                assert!(as_bool, "{bits} bits: less_than({a}, {b})");
            }
            // A value one bit too wide fails its range check.
            assert!(!holds(|api| api
                .secret_small("v", Some(max + 1), bits)
                .map(|_| ())));
        }
        assert!(holds(|api| api
            .secret_small("v", Some(u64::MAX >> 1), 63)
            .map(|_| ())));
    }

    #[test]
    fn not_equal_on_fields_and_ids() {
        for (a, b) in [(3u64, 3u64), (3, 4)] {
            assert_eq!(
                holds(|api| {
                    let x = api.secret_small("a", Some(a), 8)?;
                    let y = api.secret_small("b", Some(b), 8)?;
                    api.assert_not_equal(&x, &y)
                }),
                a != b
            );
        }
        let id = Bytes32([7; 32]);
        let mut other = id;
        other.0[31] ^= 1;
        for (a, b) in [(id, id), (id, other)] {
            assert_eq!(
                holds(|api| {
                    let x = api.secret_id("a", Some(a))?;
                    let y = api.public_id("b", Some(b))?;
                    api.id_assert_not_equal(&x, &y)
                }),
                a != b
            );
            assert_eq!(
                holds(|api| {
                    let x = api.secret_id("a", Some(a))?;
                    let y = api.secret_id("b", Some(b))?;
                    api.id_assert_equal(&x, &y)
                }),
                a == b
            );
        }
    }
}
