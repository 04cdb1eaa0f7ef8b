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
//! leaves the circuit unsatisfiable; nothing ever wraps p. `u64_sub` borrows from the high
//! limb and range-checks it (b > a is unsatisfiable); `u64_mul_div` takes the quotient and
//! remainder as witnesses ([`MulDivGenerator`], registered in [`GeneratorSerializer`] for
//! proving keys) and checks a * b = q * d + r over 32-bit limb products, column by column
//! (see [`Plonky2Api::mul_div_exact`]): exact for every u64 a, b < 2^32 and constant d > 0.
//!
//! Secret identifiers are not range-checked, as on R1CS: they are only hashed, and limbs
//! that encode no 32-byte string would have to be a Poseidon preimage of an honestly built
//! value. Public ones are encoded by the verifier from 32 bytes.
//!
//! Witness values: while proving, every input records `(target, value)`; the prover sets
//! them in a `PartialWitness` and Plonky2's generators compute everything else.

use plonky2::field::extension::Extendable;
use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::hash_types::RichField;
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::{PoseidonHash, PoseidonPermutation};
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitConfig;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};
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

    /// `x = m * n` for m, n below 2^32 (so x <= (2^32 - 1)^2 < p) as 32-bit limbs
    /// `(lo, hi)`. `hi <= 2^32 - 2` is enforced: with it, lo + hi * 2^32 < p, so the split is
    /// the integer's own (without it, a small x could also be split as x + p).
    fn split_product(&mut self, x: Target) -> (Target, Target) {
        let (lo, hi) = self.builder.split_low_high(x, 32, 64);
        let hi1 = self.builder.add_const(hi, F::ONE);
        self.builder.range_check(hi1, 32);
        (lo, hi)
    }

    /// Base-2^32 limbs of `sum(cols[k] * 2^(32 k))`, for column sums below 2^35: each column
    /// plus the carry in is split into a 32-bit limb and a carry of at most 4 bits (no
    /// value comes near p, so every split is exact). The last element is the final carry.
    fn normalize(&mut self, cols: &[Target]) -> Vec<Target> {
        let mut out = Vec::with_capacity(cols.len() + 1);
        let mut carry = self.builder.zero();
        for &c in cols {
            let t = self.builder.add(c, carry);
            let (lo, hi) = self.builder.split_low_high(t, 32, 36);
            out.push(lo);
            carry = hi;
        }
        out.push(carry);
        out
    }

    /// floor(a * b / divisor) for a u64 `a`, `b` below 2^32 (range-checked by the caller)
    /// and a constant `divisor` > 0, exactly.
    ///
    /// The quotient q and remainder r are witnesses (two 32-bit limbs each, computed by
    /// [`MulDivGenerator`]); the circuit enforces r < divisor and a * b = q * divisor + r as
    /// integers: both sides are written as sums of 32-bit-limb products (each below p), the
    /// products split into 32-bit limbs, the columns normalized to base-2^32 limbs and the
    /// limbs compared. Nothing wraps p, so q and r are the exact quotient and remainder; a
    /// quotient of 2^64 or more has no 32-bit limbs and leaves the circuit unsatisfiable.
    pub fn mul_div_exact(&mut self, a: U64Target, b: Target, divisor: u64) -> U64Target {
        let limb = |b: &mut CircuitBuilder<F, D>| {
            let t = b.add_virtual_target();
            b.range_check(t, 32);
            t
        };
        let q = U64Target {
            hi: limb(&mut self.builder),
            lo: limb(&mut self.builder),
        };
        let r = U64Target {
            hi: limb(&mut self.builder),
            lo: limb(&mut self.builder),
        };
        self.builder.add_simple_generator(MulDivGenerator {
            a_hi: a.hi,
            a_lo: a.lo,
            b,
            divisor,
            q_hi: q.hi,
            q_lo: q.lo,
            r_hi: r.hi,
            r_lo: r.lo,
        });
        let d = self.u64_constant(divisor);
        self.u64_assert_less_than(&r, &d)
            .expect("u64 comparisons never fail to build");

        // a * b = (a.lo * b) + (a.hi * b) * 2^32.
        let x = self.builder.mul(a.lo, b);
        let (x0, x1) = self.split_product(x);
        let y = self.builder.mul(a.hi, b);
        let (y0, y1) = self.split_product(y);
        let l1 = self.builder.add(x1, y0);
        let lhs = self.normalize(&[x0, l1, y1]);

        // q * d + r, d = d1 * 2^32 + d0 (constants).
        let (d1, d0) = (divisor >> 32, divisor & 0xffff_ffff);
        let zero = self.builder.zero();
        let mut cols = [r.lo, r.hi, zero, zero];
        for (qi, q_limb) in [(0usize, q.lo), (1, q.hi)] {
            for (di, d_limb) in [(0usize, d0), (1, d1)] {
                if d_limb == 0 {
                    continue;
                }
                let p = self
                    .builder
                    .mul_const(F::from_canonical_u64(d_limb), q_limb);
                let (p0, p1) = self.split_product(p);
                let k = qi + di;
                cols[k] = self.builder.add(cols[k], p0);
                cols[k + 1] = self.builder.add(cols[k + 1], p1);
            }
        }
        let rhs = self.normalize(&cols);
        // lhs has 4 limbs (3 columns and a carry), rhs 5: the product is below 2^96.
        for (i, &r_limb) in rhs.iter().enumerate() {
            match lhs.get(i) {
                Some(&l) => self.builder.connect(l, r_limb),
                None => self.builder.assert_zero(r_limb),
            }
        }
        q
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

/// Computes the quotient and remainder limbs of [`Plonky2Api::mul_div_exact`]. Operands
/// outside their ranges (only in a witness the circuit refuses anyway) give zeros.
#[derive(Debug, Default)]
pub struct MulDivGenerator {
    a_hi: Target,
    a_lo: Target,
    b: Target,
    divisor: u64,
    q_hi: Target,
    q_lo: Target,
    r_hi: Target,
    r_lo: Target,
}

impl<Fr: RichField + Extendable<DD>, const DD: usize> SimpleGenerator<Fr, DD> for MulDivGenerator {
    fn id(&self) -> String {
        "VeilMulDivGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        vec![self.a_hi, self.a_lo, self.b]
    }

    fn run_once(
        &self,
        witness: &PartitionWitness<Fr>,
        out_buffer: &mut GeneratedValues<Fr>,
    ) -> anyhow::Result<()> {
        let get = |t| u128::from(witness.get_target(t).to_canonical_u64());
        let (a_hi, a_lo, b) = (get(self.a_hi), get(self.a_lo), get(self.b));
        let limb_ok = |v: u128| v < 1 << 32;
        let (q, r) = if limb_ok(a_hi) && limb_ok(a_lo) && limb_ok(b) {
            let p = ((a_hi << 32) | a_lo) * b;
            let d = u128::from(self.divisor);
            (p / d, p % d)
        } else {
            (0, 0)
        };
        let q = u64::try_from(q).unwrap_or(0);
        let r = r as u64;
        let f = |v: u64| Fr::from_canonical_u64(v);
        out_buffer.set_target(self.q_hi, f(q >> 32))?;
        out_buffer.set_target(self.q_lo, f(q & 0xffff_ffff))?;
        out_buffer.set_target(self.r_hi, f(r >> 32))?;
        out_buffer.set_target(self.r_lo, f(r & 0xffff_ffff))
    }

    fn serialize(
        &self,
        dst: &mut Vec<u8>,
        _common_data: &CommonCircuitData<Fr, DD>,
    ) -> IoResult<()> {
        for t in [self.a_hi, self.a_lo, self.b] {
            dst.write_target(t)?;
        }
        dst.write_u32((self.divisor >> 32) as u32)?;
        dst.write_u32(self.divisor as u32)?;
        for t in [self.q_hi, self.q_lo, self.r_hi, self.r_lo] {
            dst.write_target(t)?;
        }
        Ok(())
    }

    fn deserialize(src: &mut Buffer, _common_data: &CommonCircuitData<Fr, DD>) -> IoResult<Self> {
        let (a_hi, a_lo, b) = (src.read_target()?, src.read_target()?, src.read_target()?);
        let hi = u64::from(src.read_u32()?);
        let lo = u64::from(src.read_u32()?);
        Ok(MulDivGenerator {
            a_hi,
            a_lo,
            b,
            divisor: (hi << 32) | lo,
            q_hi: src.read_target()?,
            q_lo: src.read_target()?,
            r_hi: src.read_target()?,
            r_lo: src.read_target()?,
        })
    }
}

/// Plonky2's default generators (the list of its `DefaultGeneratorSerializer`, same order,
/// same tags) plus [`MulDivGenerator`]: proving keys are written and read with it.
#[derive(Debug, Default)]
pub struct GeneratorSerializer;

mod serializer {
    use super::{GeneratorSerializer, MulDivGenerator};
    use plonky2::gadgets::arithmetic::EqualityGenerator;
    use plonky2::gadgets::arithmetic_extension::QuotientGeneratorExtension;
    use plonky2::gadgets::range_check::LowHighGenerator;
    use plonky2::gadgets::split_base::BaseSumGenerator;
    use plonky2::gadgets::split_join::{SplitGenerator, WireSplitGenerator};
    use plonky2::gates::arithmetic_base::ArithmeticBaseGenerator;
    use plonky2::gates::arithmetic_extension::ArithmeticExtensionGenerator;
    use plonky2::gates::base_sum::BaseSplitGenerator;
    use plonky2::gates::coset_interpolation::InterpolationGenerator;
    use plonky2::gates::exponentiation::ExponentiationGenerator;
    use plonky2::gates::lookup::LookupGenerator;
    use plonky2::gates::lookup_table::LookupTableGenerator;
    use plonky2::gates::multiplication_extension::MulExtensionGenerator;
    use plonky2::gates::poseidon::PoseidonGenerator;
    use plonky2::gates::poseidon_mds::PoseidonMdsGenerator;
    use plonky2::gates::random_access::RandomAccessGenerator;
    use plonky2::gates::reducing::ReducingGenerator;
    use plonky2::gates::reducing_extension::ReducingGenerator as ReducingExtensionGenerator;
    use plonky2::iop::generator::{
        ConstantGenerator, CopyGenerator, NonzeroTestGenerator, RandomValueGenerator,
    };
    use plonky2::recursion::dummy_circuit::DummyProofGenerator;
    use plonky2::util::serialization::WitnessGeneratorSerializer;
    use plonky2::{get_generator_tag_impl, impl_generator_serializer, read_generator_impl};
    use veil_verifier::plonky2::{C, D, F};

    impl WitnessGeneratorSerializer<F, D> for GeneratorSerializer {
        impl_generator_serializer! {
            GeneratorSerializer,
            ArithmeticBaseGenerator<F, D>,
            ArithmeticExtensionGenerator<F, D>,
            BaseSplitGenerator<2>,
            BaseSumGenerator<2>,
            ConstantGenerator<F>,
            CopyGenerator,
            DummyProofGenerator<F, C, D>,
            EqualityGenerator,
            ExponentiationGenerator<F, D>,
            InterpolationGenerator<F, D>,
            LookupGenerator,
            LookupTableGenerator,
            LowHighGenerator,
            MulExtensionGenerator<F, D>,
            NonzeroTestGenerator,
            PoseidonGenerator<F, D>,
            PoseidonMdsGenerator<D>,
            QuotientGeneratorExtension<D>,
            RandomAccessGenerator<F, D>,
            RandomValueGenerator,
            ReducingGenerator<D>,
            ReducingExtensionGenerator<D>,
            SplitGenerator,
            WireSplitGenerator,
            MulDivGenerator
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

    fn public_bool(
        &mut self,
        _name: &str,
        value: Option<bool>,
    ) -> Result<BoolTarget, CircuitError> {
        let t = self.input(true, value.map(F::from_bool));
        let b = BoolTarget::new_unsafe(t);
        self.builder.assert_bool(b);
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

    fn u64_sub(&mut self, a: &U64Target, b: &U64Target) -> Result<U64Target, CircuitError> {
        // a.lo - b.lo + 2^32 = lo + c * 2^32 (in [1, 2^33), c in {0, 1}); then
        // a - b = (a.hi - b.hi + c - 1) * 2^32 + lo, and the high part fits 32 bits iff
        // b <= a (otherwise it wraps to >= p - 2^32).
        let d_lo = self.builder.sub(a.lo, b.lo);
        let shifted_lo = self.builder.add_const(d_lo, Self::pow2(32));
        let (lo, c) = self.builder.split_low_high(shifted_lo, 32, 33);
        let d_hi = self.builder.sub(a.hi, b.hi);
        let d_hi = self.builder.add(d_hi, c);
        let hi = self.builder.add_const(d_hi, F::NEG_ONE);
        self.builder.range_check(hi, 32);
        Ok(U64Target { hi, lo })
    }

    /// floor(a * b / divisor) exactly, for any u64 `a`, `b` below 2^32 and any constant
    /// divisor in [1, 2^64). See [`Plonky2Api::mul_div_exact`].
    fn u64_mul_div(
        &mut self,
        a: &U64Target,
        b: &Target,
        b_bits: u32,
        divisor: u64,
    ) -> Result<U64Target, CircuitError> {
        if divisor == 0 || b_bits > 32 {
            return Err(CircuitError::Backend(format!(
                "u64_mul_div needs a divisor > 0 and b of at most 32 bits (got {divisor}, {b_bits})"
            )));
        }
        Ok(self.mul_div_exact(*a, *b, divisor))
    }

    fn id_constant(&mut self, value: Bytes32) -> IdTarget {
        enc::id_to_limbs(&value).map(|l| self.builder.constant(l))
    }

    fn id_is_equal(&mut self, a: &IdTarget, b: &IdTarget) -> Result<BoolTarget, CircuitError> {
        let mut all = self.builder.constant_bool(true);
        for (x, y) in a.iter().zip(b) {
            let eq = self.builder.is_equal(*x, *y);
            all = self.builder.and(all, eq);
        }
        Ok(all)
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

    fn id_assert_canonical(&mut self, a: &IdTarget) -> Result<(), CircuitError> {
        for limb in a {
            self.builder.range_check(*limb, 32);
        }
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

    /// Scopes become Plonky2 context names: they name the copy constraints made inside
    /// (Plonky2 quotes them when a copy constraint fails in witness generation) and its gate
    /// counts per context; they never change the gates.
    fn enter_scope(&mut self, name: &dyn std::fmt::Display) {
        self.builder
            .push_context(log::Level::Debug, &name.to_string());
    }

    fn leave_scope(&mut self) {
        self.builder.pop_context();
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

    /// `id_assert_canonical` on Plonky2: eight 32-bit limbs. The alias of an id that moves
    /// 2^32 from one limb to the next (same integer, other limbs) passes the limb-wise
    /// inequality but not the range check.
    #[test]
    fn secret_id_limbs_are_range_checked() {
        fn holds_id(limbs: [u64; 8], other: Option<[u64; 8]>) -> bool {
            holds(|api| {
                let mut alloc = |v: [u64; 8]| -> IdTarget {
                    std::array::from_fn(|i| {
                        let t = api.builder.add_virtual_target();
                        api.assignments.push((t, F::from_canonical_u64(v[i])));
                        t
                    })
                };
                let id = alloc(limbs);
                let o = other.map(&mut alloc);
                api.id_assert_canonical(&id)?;
                if let Some(o) = o {
                    api.id_assert_not_equal(&id, &o)?;
                }
                Ok(())
            })
        }
        let max = (1u64 << 32) - 1;
        assert!(holds_id([0; 8], None));
        assert!(holds_id([max; 8], None));
        for i in 0..8 {
            let mut l = [0; 8];
            l[i] = 1 << 32;
            assert!(!holds_id(l, None), "limb {i}");
        }
        let id = [1, 2, 3, 4, 5, 6, 7, 8];
        let mut alias = id;
        alias[6] -= 1;
        alias[7] += 1 << 32;
        assert!(!holds_id(alias, Some(id)));
        let mut next = id;
        next[7] += 1;
        assert!(holds_id(next, Some(id)));
    }

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
    fn u64_sub_is_exact_and_refuses_underflow() {
        for &a in &EDGES {
            for &b in &[0, 1, (1 << 32) - 1, 1 << 32, u64::MAX] {
                let ok = holds(|api| {
                    let x = api.secret_u64("a", Some(a))?;
                    let y = api.secret_u64("b", Some(b))?;
                    let d = api.u64_sub(&x, &y)?;
                    let e = api.u64_constant(a.wrapping_sub(b));
                    api.u64_assert_equal(&d, &e)
                });
                assert_eq!(ok, b <= a, "{a} - {b}");
            }
        }
    }

    #[test]
    fn u64_mul_div_is_exact() {
        let cases: [(u64, u64, u64); 9] = [
            (0, 0, 1),
            (u64::MAX, 10_000, 10_000),
            (u64::MAX, 3_333, 10_000),
            (123_456_789, 6_667, 10_000),
            ((1 << 32) - 1, (1 << 32) - 1, 1),
            (u64::MAX, (1 << 32) - 1, u64::MAX),
            (u64::MAX, (1 << 32) - 1, (1 << 32) + 7),
            (1 << 40, 5, 3),
            (7, 1, 2),
        ];
        for (a, b, d) in cases {
            let exact = (u128::from(a) * u128::from(b)) / u128::from(d);
            let expected = u64::try_from(exact).ok();
            let ok = holds(|api| {
                let x = api.secret_u64("a", Some(a))?;
                let y = api.secret_small("b", Some(b), 32)?;
                let q = api.u64_mul_div(&x, &y, 32, d)?;
                let e = api.u64_constant(expected.unwrap_or(0));
                api.u64_assert_equal(&q, &e)
            });
            assert_eq!(ok, expected.is_some(), "{a} * {b} / {d}");
            if let Some(q) = expected {
                // Off by one either way is refused.
                for wrong in [q.wrapping_add(1), q.wrapping_sub(1)] {
                    assert!(
                        !holds(|api| {
                            let x = api.secret_u64("a", Some(a))?;
                            let y = api.secret_small("b", Some(b), 32)?;
                            let q = api.u64_mul_div(&x, &y, 32, d)?;
                            let e = api.u64_constant(wrong);
                            api.u64_assert_equal(&q, &e)
                        }),
                        "{a} * {b} / {d} != {wrong}"
                    );
                }
            }
        }
        // A quotient of 2^64 or more is unsatisfiable.
        assert!(!holds(|api| {
            let x = api.secret_u64("a", Some(u64::MAX))?;
            let y = api.secret_small("b", Some(2), 32)?;
            api.u64_mul_div(&x, &y, 32, 1).map(|_| ())
        }));
    }

    #[test]
    fn public_bools_and_id_equality() {
        for v in [false, true] {
            assert!(holds(|api| {
                let b = api.public_bool("b", Some(v))?;
                let e = api.bool_constant(v);
                let (b, e) = (api.bool_to_var(&b), api.bool_to_var(&e));
                api.assert_equal(&b, &e)
            }));
        }
        let id = Bytes32([7; 32]);
        let mut other = id;
        other.0[0] ^= 0x80;
        for (a, b) in [(id, id), (id, other), (Bytes32::ZERO, Bytes32::ZERO)] {
            assert!(holds(|api| {
                let x = api.secret_id("a", Some(a))?;
                let y = api.id_constant(b);
                let r = api.id_is_equal(&x, &y)?;
                let e = api.bool_constant(a == b);
                let (r, e) = (api.bool_to_var(&r), api.bool_to_var(&e));
                api.assert_equal(&r, &e)
            }));
        }
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
