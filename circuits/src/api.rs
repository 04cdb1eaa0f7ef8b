//! The backend-neutral builder API (veil's `frontend.API`).
//!
//! A circuit is written once against [`Api`]; the R1CS/Groth16 backend (and later Plonky2)
//! implements it. What a value looks like inside a backend (one field element, limbs,
//! four Goldilocks elements for a digest) is the backend's business: circuits see only
//! the associated types.
//!
//! Inputs take `Option` values: `None` while keys are generated (no witness exists then),
//! `Some` while proving. A backend must produce the same constraints in both cases.

use crate::error::{CircuitError, Rule};
use crate::hash::Domain;
use std::fmt::Display;
use std::marker::PhantomData;
use veil_verifier::declare::{Declared, PublicSink, PublicTypes};
use veil_verifier::Bytes32;

/// The handle types of an [`Api`], for the statement declarations of veil-verifier: a u64
/// becomes an `A::U64`, a small value an `A::Var`, an id an `A::Id`, a digest an `A::Digest`,
/// a flag an `A::Bool`.
pub struct ApiTypes<A: ?Sized>(PhantomData<fn() -> Box<A>>);

impl<A: Api + ?Sized> PublicTypes for ApiTypes<A> {
    type U64 = A::U64;
    type Small = A::Var;
    type Id = A::Id;
    type Digest = A::Digest;
    type Flag = A::Bool;
}

/// The public handles of statement `T` in a circuit over `A`
/// (`veil_verifier::OwnershipPublic<ApiTypes<A>>` for an ownership statement).
pub type Public<A, T> = <T as Declared>::Public<ApiTypes<A>>;

/// A declared statement's walk, allocating public inputs.
struct ApiSink<'a, A: ?Sized>(&'a mut A);

impl<A: Api + ?Sized> PublicSink for ApiSink<'_, A> {
    type Types = ApiTypes<A>;
    type Error = CircuitError;
    fn u64(&mut self, name: &'static str, v: Option<u64>) -> Result<A::U64, CircuitError> {
        self.0.public_u64(name, v)
    }
    fn small(
        &mut self,
        name: &'static str,
        v: Option<u64>,
        bits: u32,
    ) -> Result<A::Var, CircuitError> {
        self.0.public_small(name, v, bits)
    }
    fn id(&mut self, name: &'static str, v: Option<Bytes32>) -> Result<A::Id, CircuitError> {
        self.0.public_id(name, v)
    }
    fn digest(
        &mut self,
        name: &'static str,
        v: Option<Bytes32>,
    ) -> Result<A::Digest, CircuitError> {
        self.0.public_digest(name, v)
    }
    fn flag(&mut self, name: &'static str, v: Option<bool>) -> Result<A::Bool, CircuitError> {
        self.0.public_bool(name, v)
    }
    fn refuse(&mut self, _what: &'static str, reason: String) -> CircuitError {
        CircuitError::Shape(reason)
    }
}

/// One input to [`Api::hash`]: the backend decides how each kind is laid out in its field.
pub enum HashInput<'a, A: Api + ?Sized> {
    /// A small value (already range-checked to fewer bits than the field).
    Small(&'a A::Var),
    /// An exact unsigned 64-bit value.
    U64(&'a A::U64),
    /// A 32-byte identifier.
    Id(&'a A::Id),
    /// A digest or a secret: one element of the backend's hash domain.
    Digest(&'a A::Digest),
}

pub trait Api {
    /// One element of the backend's native field.
    type Var: Clone;
    /// A value constrained to 0 or 1.
    type Bool: Clone;
    /// An exact unsigned 64-bit value: sums and comparisons never wrap the field.
    type U64: Clone;
    /// A 32-byte identifier, encoded injectively.
    type Id: Clone;
    /// A hash output (or secret) of the backend's hash.
    type Digest: Clone;

    // ---- inputs: public ones are the statement, in allocation order ----
    /// Allocates every public input of a declared statement, in its declaration order (the
    /// order of its encoding in veil-verifier), and returns their typed handles. Circuits
    /// take their public inputs from here, never one by one.
    fn public_statement<T: Declared>(
        &mut self,
        statement: Option<&T>,
    ) -> Result<Public<Self, T>, CircuitError>
    where
        Self: Sized,
    {
        T::put(&mut ApiSink(self), statement)
    }
    fn public_u64(&mut self, name: &str, value: Option<u64>) -> Result<Self::U64, CircuitError>;
    fn secret_u64(&mut self, name: &str, value: Option<u64>) -> Result<Self::U64, CircuitError>;
    /// A public value range-checked to `bits` bits (bits < 64).
    fn public_small(
        &mut self,
        name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<Self::Var, CircuitError>;
    /// A secret value range-checked to `bits` bits (bits < 64).
    fn secret_small(
        &mut self,
        name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<Self::Var, CircuitError>;
    fn public_id(&mut self, name: &str, value: Option<Bytes32>) -> Result<Self::Id, CircuitError>;
    fn secret_id(&mut self, name: &str, value: Option<Bytes32>) -> Result<Self::Id, CircuitError>;
    /// A public digest; a value that is not canonical for the backend is an error.
    fn public_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<Self::Digest, CircuitError>;
    fn secret_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<Self::Digest, CircuitError>;
    fn secret_bool(&mut self, name: &str, value: Option<bool>) -> Result<Self::Bool, CircuitError>;
    /// A public flag (0 or 1; anything else is unsatisfiable).
    fn public_bool(&mut self, name: &str, value: Option<bool>) -> Result<Self::Bool, CircuitError>;

    // ---- field arithmetic ----
    fn constant(&mut self, value: u64) -> Self::Var;
    fn add(&mut self, a: &Self::Var, b: &Self::Var) -> Self::Var;
    fn sub(&mut self, a: &Self::Var, b: &Self::Var) -> Self::Var;
    fn mul(&mut self, a: &Self::Var, b: &Self::Var) -> Result<Self::Var, CircuitError>;
    /// sum of coeff_i * var_i (free on R1CS).
    fn linear_combination(&mut self, terms: &[(u64, &Self::Var)]) -> Self::Var;
    fn assert_equal(&mut self, a: &Self::Var, b: &Self::Var) -> Result<(), CircuitError>;
    fn assert_not_equal(&mut self, a: &Self::Var, b: &Self::Var) -> Result<(), CircuitError>;

    // ---- booleans ----
    fn bool_constant(&mut self, value: bool) -> Self::Bool;
    fn and(&mut self, a: &Self::Bool, b: &Self::Bool) -> Result<Self::Bool, CircuitError>;
    fn or(&mut self, a: &Self::Bool, b: &Self::Bool) -> Result<Self::Bool, CircuitError>;
    fn not(&mut self, a: &Self::Bool) -> Self::Bool;
    fn assert_true(&mut self, a: &Self::Bool) -> Result<(), CircuitError>;
    fn select(
        &mut self,
        cond: &Self::Bool,
        if_true: &Self::Var,
        if_false: &Self::Var,
    ) -> Result<Self::Var, CircuitError>;
    fn bool_to_var(&mut self, b: &Self::Bool) -> Self::Var;

    // ---- ranges and comparisons on n-bit values (n < 64) ----
    fn range_check(&mut self, a: &Self::Var, bits: u32) -> Result<(), CircuitError>;
    /// a < b, for a and b already known to fit in `bits` bits.
    fn less_than(
        &mut self,
        a: &Self::Var,
        b: &Self::Var,
        bits: u32,
    ) -> Result<Self::Bool, CircuitError>;
    /// Enforces a < b, for a and b already known to fit in `bits` bits.
    fn assert_less_than(
        &mut self,
        a: &Self::Var,
        b: &Self::Var,
        bits: u32,
    ) -> Result<(), CircuitError>;
    /// Enforces a <= b, for a and b already known to fit in `bits` bits.
    fn assert_less_or_equal(
        &mut self,
        a: &Self::Var,
        b: &Self::Var,
        bits: u32,
    ) -> Result<(), CircuitError>;

    // ---- exact 64-bit values ----
    fn u64_constant(&mut self, value: u64) -> Self::U64;
    /// The exact sum; unsatisfiable if it does not fit in 64 bits.
    fn u64_sum(&mut self, items: &[Self::U64]) -> Result<Self::U64, CircuitError>;
    fn u64_less_than(&mut self, a: &Self::U64, b: &Self::U64) -> Result<Self::Bool, CircuitError>;
    fn u64_assert_less_than(&mut self, a: &Self::U64, b: &Self::U64) -> Result<(), CircuitError>;
    fn u64_assert_equal(&mut self, a: &Self::U64, b: &Self::U64) -> Result<(), CircuitError>;
    fn u64_select(
        &mut self,
        cond: &Self::Bool,
        if_true: &Self::U64,
        if_false: &Self::U64,
    ) -> Result<Self::U64, CircuitError>;
    /// The exact difference a - b; unsatisfiable if b > a.
    fn u64_sub(&mut self, a: &Self::U64, b: &Self::U64) -> Result<Self::U64, CircuitError>;
    /// floor(a * b / divisor), exactly, for b known to fit in `b_bits` bits (at most 32) and
    /// a constant divisor > 0; unsatisfiable if the quotient does not fit in 64 bits.
    fn u64_mul_div(
        &mut self,
        a: &Self::U64,
        b: &Self::Var,
        b_bits: u32,
        divisor: u64,
    ) -> Result<Self::U64, CircuitError>;

    // ---- identifiers ----
    fn id_constant(&mut self, value: Bytes32) -> Self::Id;
    fn id_is_equal(&mut self, a: &Self::Id, b: &Self::Id) -> Result<Self::Bool, CircuitError>;
    fn id_assert_equal(&mut self, a: &Self::Id, b: &Self::Id) -> Result<(), CircuitError>;
    /// Enforces a != b (the ids differ in at least one byte).
    fn id_assert_not_equal(&mut self, a: &Self::Id, b: &Self::Id) -> Result<(), CircuitError>;
    /// Enforces that a secret id's limbs are canonical, each within its encoding's range
    /// (R1CS: two 128-bit limbs; Plonky2: eight 32-bit limbs), so that the id is the encoding
    /// of 32 bytes and two ids' limbs differ exactly when their bytes do. Public ids need it
    /// not: the verifier encodes them from bytes.
    fn id_assert_canonical(&mut self, a: &Self::Id) -> Result<(), CircuitError>;

    // ---- hashing ----
    /// Poseidon (the backend's instance) of the inputs under a domain tag that also fixes
    /// the number of inputs: two domains, or two arities, never give the same function.
    fn hash(
        &mut self,
        domain: Domain,
        inputs: &[HashInput<'_, Self>],
    ) -> Result<Self::Digest, CircuitError>;
    fn digest_select(
        &mut self,
        cond: &Self::Bool,
        if_true: &Self::Digest,
        if_false: &Self::Digest,
    ) -> Result<Self::Digest, CircuitError>;
    fn digest_assert_equal(
        &mut self,
        a: &Self::Digest,
        b: &Self::Digest,
    ) -> Result<(), CircuitError>;

    // ---- provenance: names for `veil audit` and `veil debug` ----
    // No-ops unless the backend records labels (only while auditing or debugging), so they
    // cost nothing when proving. They never change the constraints.

    /// Enters a named scope: what is built until the matching [`Api::leave_scope`] belongs to
    /// it. Scopes nest into a path (`membership/merkle.level[3]/hash`). Prefer [`scoped`].
    fn enter_scope(&mut self, _name: &dyn Display) {}
    /// Leaves the innermost scope.
    fn leave_scope(&mut self) {}
    /// Marks what follows, until the next mark or the end of the current scope, as the code
    /// that enforces `rule`.
    fn begin_rule(&mut self, _rule: Rule) {}
}

/// Runs `f` inside the scope `name` (see [`Api::enter_scope`]).
pub fn scoped<A: Api + ?Sized, T>(
    api: &mut A,
    name: &dyn Display,
    f: impl FnOnce(&mut A) -> T,
) -> T {
    api.enter_scope(name);
    let out = f(api);
    api.leave_scope();
    out
}
