//! Gate provenance on Plonky2: which gadget placed each row, and which targets are the
//! circuit's inputs. [`LabelledPlonky2`] wraps the Plonky2 backend ([`Plonky2Api`]) as
//! [`super::LabelledR1cs`] wraps the R1CS one: every call goes to the backend unchanged
//! (the same gates; the tests compare the circuit digests), every API call is its own scope
//! (`hash(MerkleNode)`, `secret_u64(token.expires_at)`), the circuits' and gadgets' own
//! scopes and rules are recorded, and the scopes are passed on to the builder as Plonky2
//! context names (`push_context`/`pop_context`), so Plonky2's own gate-count log and copy
//! constraint names agree.
//!
//! A row is labelled with the scope in force when the builder placed it. Plonky2 batches
//! some operations: an `ArithmeticGate` row holds 20 base-field operations, and one that a
//! scope opened is filled by the operations that follow it (in later scopes too) until it is
//! full; such a row's label names the scope that opened it. Rows placed while building
//! (constants, the public-input hash, padding) come after the circuit's own.

use crate::plonky2::api::{IdTarget, Plonky2Api, U64Target};
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::iop::target::{BoolTarget, Target};
use std::fmt::Display;
use veil_circuits::api::{Api, HashInput};
use veil_circuits::error::{CircuitError, Rule};
use veil_circuits::hash::Domain;
use veil_verifier::Bytes32;

use super::Label;

/// The labels of one Plonky2 circuit definition.
#[derive(Clone, Debug, Default)]
pub struct RowLabels {
    labels: Vec<Label>,
    /// (first row, label index), by row.
    marks: Vec<(usize, usize)>,
    /// The circuit's input targets (secrets; public inputs are known from the circuit data),
    /// each with the label of the call that allocated it.
    pub inputs: Vec<(Target, usize)>,
    /// Rows the definition placed (before building adds constants and padding).
    pub gates: usize,
}

impl RowLabels {
    /// The label of `row` (None for rows placed while building).
    pub fn row(&self, row: usize) -> Option<&Label> {
        if row >= self.gates {
            return None;
        }
        let i = self.marks.partition_point(|m| m.0 <= row);
        i.checked_sub(1)
            .and_then(|i| self.labels.get(self.marks[i].1))
    }

    /// The label with this index (as [`RowLabels::inputs`] holds them).
    pub fn label(&self, index: usize) -> Option<&Label> {
        self.labels.get(index)
    }
}

struct Frame {
    name: String,
    rule: Option<Rule>,
}

/// The Plonky2 backend with a provenance recorder (see the module docs).
pub struct LabelledPlonky2<'a> {
    inner: &'a mut Plonky2Api,
    stack: Vec<Frame>,
    out: RowLabels,
}

type Var = Target;

impl<'a> LabelledPlonky2<'a> {
    /// `root` names the outermost scope (the circuit).
    pub fn new(inner: &'a mut Plonky2Api, root: &str) -> Self {
        let mut api = LabelledPlonky2 {
            inner,
            stack: Vec::new(),
            out: RowLabels::default(),
        };
        api.enter_scope(&root);
        api
    }

    /// The backend underneath, for gadgets written directly on it (tests).
    pub fn inner(&mut self) -> &mut Plonky2Api {
        &mut *self.inner
    }

    pub fn into_labels(mut self) -> RowLabels {
        self.out.gates = self.inner.builder.num_gates();
        // Close the builder's contexts this wrapper opened.
        for _ in 0..self.stack.len() {
            self.inner.builder.pop_context();
        }
        self.out
    }

    fn current(&self) -> Label {
        Label {
            path: self
                .stack
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join("/"),
            rule: self.stack.iter().rev().find_map(|f| f.rule),
        }
    }

    fn mark(&mut self) {
        let label = self.current();
        if self.out.labels.last() == Some(&label) {
            return;
        }
        let rows = self.inner.builder.num_gates();
        self.out.labels.push(label);
        let index = self.out.labels.len() - 1;
        match self.out.marks.last_mut() {
            // Nothing placed since the last mark: this label replaces it.
            Some(last) if last.0 == rows => last.1 = index,
            _ => self.out.marks.push((rows, index)),
        }
    }

    /// Runs one backend call inside a scope named after it.
    fn op<T>(&mut self, name: &dyn Display, f: impl FnOnce(&mut Plonky2Api) -> T) -> T {
        self.enter_scope(name);
        let out = f(&mut *self.inner);
        self.leave_scope();
        out
    }

    /// An input allocation: the targets `targets` picks from its result are inputs.
    fn input<T>(
        &mut self,
        name: &dyn Display,
        f: impl FnOnce(&mut Plonky2Api) -> Result<T, CircuitError>,
        targets: impl Fn(&T) -> Vec<Target>,
    ) -> Result<T, CircuitError> {
        self.enter_scope(name);
        let out = f(&mut *self.inner);
        if let Ok(v) = &out {
            let label = self.out.labels.len().saturating_sub(1);
            self.out
                .inputs
                .extend(targets(v).into_iter().map(|t| (t, label)));
        }
        self.leave_scope();
        out
    }
}

fn u64_targets(v: &U64Target) -> Vec<Target> {
    vec![v.hi, v.lo]
}

impl Api for LabelledPlonky2<'_> {
    type Var = Target;
    type Bool = BoolTarget;
    type U64 = U64Target;
    type Id = IdTarget;
    type Digest = HashOutTarget;

    fn enter_scope(&mut self, name: &dyn Display) {
        self.stack.push(Frame {
            name: name.to_string(),
            rule: None,
        });
        self.inner.enter_scope(name);
        self.mark();
    }

    fn leave_scope(&mut self) {
        // The root scope stays.
        if self.stack.len() > 1 {
            self.stack.pop();
            self.inner.leave_scope();
        }
        self.mark();
    }

    fn begin_rule(&mut self, rule: Rule) {
        if let Some(top) = self.stack.last_mut() {
            top.rule = Some(rule);
        }
        self.inner.begin_rule(rule);
        self.mark();
    }

    fn public_u64(&mut self, name: &str, value: Option<u64>) -> Result<U64Target, CircuitError> {
        self.op(&format_args!("public_u64({name})"), |a| {
            a.public_u64(name, value)
        })
    }
    fn secret_u64(&mut self, name: &str, value: Option<u64>) -> Result<U64Target, CircuitError> {
        self.input(
            &format_args!("secret_u64({name})"),
            |a| a.secret_u64(name, value),
            u64_targets,
        )
    }
    fn public_small(
        &mut self,
        name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<Var, CircuitError> {
        self.op(&format_args!("public_small({name})"), |a| {
            a.public_small(name, value, bits)
        })
    }
    fn secret_small(
        &mut self,
        name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<Var, CircuitError> {
        self.input(
            &format_args!("secret_small({name})"),
            |a| a.secret_small(name, value, bits),
            |t| vec![*t],
        )
    }
    fn public_id(&mut self, name: &str, value: Option<Bytes32>) -> Result<IdTarget, CircuitError> {
        self.op(&format_args!("public_id({name})"), |a| {
            a.public_id(name, value)
        })
    }
    fn secret_id(&mut self, name: &str, value: Option<Bytes32>) -> Result<IdTarget, CircuitError> {
        self.input(
            &format_args!("secret_id({name})"),
            |a| a.secret_id(name, value),
            |id| id.to_vec(),
        )
    }
    fn public_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<HashOutTarget, CircuitError> {
        self.op(&format_args!("public_digest({name})"), |a| {
            a.public_digest(name, value)
        })
    }
    fn secret_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<HashOutTarget, CircuitError> {
        self.input(
            &format_args!("secret_digest({name})"),
            |a| a.secret_digest(name, value),
            |d| d.elements.to_vec(),
        )
    }
    fn secret_bool(&mut self, name: &str, value: Option<bool>) -> Result<BoolTarget, CircuitError> {
        self.input(
            &format_args!("secret_bool({name})"),
            |a| a.secret_bool(name, value),
            |b| vec![b.target],
        )
    }
    fn public_bool(&mut self, name: &str, value: Option<bool>) -> Result<BoolTarget, CircuitError> {
        self.op(&format_args!("public_bool({name})"), |a| {
            a.public_bool(name, value)
        })
    }

    fn constant(&mut self, value: u64) -> Var {
        self.inner.constant(value)
    }
    fn add(&mut self, a: &Var, b: &Var) -> Var {
        self.inner.add(a, b)
    }
    fn sub(&mut self, a: &Var, b: &Var) -> Var {
        self.inner.sub(a, b)
    }
    fn mul(&mut self, a: &Var, b: &Var) -> Result<Var, CircuitError> {
        self.op(&"mul", |api| api.mul(a, b))
    }
    fn linear_combination(&mut self, terms: &[(u64, &Var)]) -> Var {
        self.inner.linear_combination(terms)
    }
    fn assert_equal(&mut self, a: &Var, b: &Var) -> Result<(), CircuitError> {
        self.op(&"assert_equal", |api| api.assert_equal(a, b))
    }
    fn assert_not_equal(&mut self, a: &Var, b: &Var) -> Result<(), CircuitError> {
        self.op(&"assert_not_equal", |api| api.assert_not_equal(a, b))
    }

    fn bool_constant(&mut self, value: bool) -> BoolTarget {
        self.inner.bool_constant(value)
    }
    fn and(&mut self, a: &BoolTarget, b: &BoolTarget) -> Result<BoolTarget, CircuitError> {
        self.op(&"and", |api| api.and(a, b))
    }
    fn or(&mut self, a: &BoolTarget, b: &BoolTarget) -> Result<BoolTarget, CircuitError> {
        self.op(&"or", |api| api.or(a, b))
    }
    fn not(&mut self, a: &BoolTarget) -> BoolTarget {
        self.inner.not(a)
    }
    fn assert_true(&mut self, a: &BoolTarget) -> Result<(), CircuitError> {
        self.op(&"assert_true", |api| api.assert_true(a))
    }
    fn select(
        &mut self,
        cond: &BoolTarget,
        if_true: &Var,
        if_false: &Var,
    ) -> Result<Var, CircuitError> {
        self.op(&"select", |api| api.select(cond, if_true, if_false))
    }
    fn bool_to_var(&mut self, b: &BoolTarget) -> Var {
        self.inner.bool_to_var(b)
    }

    fn range_check(&mut self, a: &Var, bits: u32) -> Result<(), CircuitError> {
        self.op(&format_args!("range_check({bits})"), |api| {
            api.range_check(a, bits)
        })
    }
    fn less_than(&mut self, a: &Var, b: &Var, bits: u32) -> Result<BoolTarget, CircuitError> {
        self.op(&format_args!("less_than({bits})"), |api| {
            api.less_than(a, b, bits)
        })
    }
    fn assert_less_than(&mut self, a: &Var, b: &Var, bits: u32) -> Result<(), CircuitError> {
        self.op(&format_args!("assert_less_than({bits})"), |api| {
            api.assert_less_than(a, b, bits)
        })
    }
    fn assert_less_or_equal(&mut self, a: &Var, b: &Var, bits: u32) -> Result<(), CircuitError> {
        self.op(&format_args!("assert_less_or_equal({bits})"), |api| {
            api.assert_less_or_equal(a, b, bits)
        })
    }

    fn u64_constant(&mut self, value: u64) -> U64Target {
        self.inner.u64_constant(value)
    }
    fn u64_sum(&mut self, items: &[U64Target]) -> Result<U64Target, CircuitError> {
        self.op(&"u64_sum", |api| api.u64_sum(items))
    }
    fn u64_less_than(&mut self, a: &U64Target, b: &U64Target) -> Result<BoolTarget, CircuitError> {
        self.op(&"u64_less_than", |api| api.u64_less_than(a, b))
    }
    fn u64_assert_less_than(&mut self, a: &U64Target, b: &U64Target) -> Result<(), CircuitError> {
        self.op(&"u64_assert_less_than", |api| {
            api.u64_assert_less_than(a, b)
        })
    }
    fn u64_assert_equal(&mut self, a: &U64Target, b: &U64Target) -> Result<(), CircuitError> {
        self.op(&"u64_assert_equal", |api| api.u64_assert_equal(a, b))
    }
    fn u64_select(
        &mut self,
        cond: &BoolTarget,
        if_true: &U64Target,
        if_false: &U64Target,
    ) -> Result<U64Target, CircuitError> {
        self.op(&"u64_select", |api| api.u64_select(cond, if_true, if_false))
    }
    fn u64_sub(&mut self, a: &U64Target, b: &U64Target) -> Result<U64Target, CircuitError> {
        self.op(&"u64_sub", |api| api.u64_sub(a, b))
    }
    fn u64_mul_div(
        &mut self,
        a: &U64Target,
        b: &Var,
        b_bits: u32,
        divisor: u64,
    ) -> Result<U64Target, CircuitError> {
        self.op(&format_args!("u64_mul_div(/{divisor})"), |api| {
            api.u64_mul_div(a, b, b_bits, divisor)
        })
    }

    fn id_constant(&mut self, value: Bytes32) -> IdTarget {
        self.inner.id_constant(value)
    }
    fn id_is_equal(&mut self, a: &IdTarget, b: &IdTarget) -> Result<BoolTarget, CircuitError> {
        self.op(&"id_is_equal", |api| api.id_is_equal(a, b))
    }
    fn id_assert_equal(&mut self, a: &IdTarget, b: &IdTarget) -> Result<(), CircuitError> {
        self.op(&"id_assert_equal", |api| api.id_assert_equal(a, b))
    }
    fn id_assert_not_equal(&mut self, a: &IdTarget, b: &IdTarget) -> Result<(), CircuitError> {
        self.op(&"id_assert_not_equal", |api| api.id_assert_not_equal(a, b))
    }
    fn id_assert_canonical(&mut self, a: &IdTarget) -> Result<(), CircuitError> {
        self.op(&"id_assert_canonical", |api| api.id_assert_canonical(a))
    }

    fn hash(
        &mut self,
        domain: Domain,
        inputs: &[HashInput<'_, Self>],
    ) -> Result<HashOutTarget, CircuitError> {
        // HashInput<Self> and HashInput<Plonky2Api> hold the same handle types.
        let inner: Vec<HashInput<'_, Plonky2Api>> = inputs
            .iter()
            .map(|i| match i {
                HashInput::Small(v) => HashInput::Small(*v),
                HashInput::U64(v) => HashInput::U64(*v),
                HashInput::Id(v) => HashInput::Id(*v),
                HashInput::Digest(v) => HashInput::Digest(*v),
            })
            .collect();
        self.op(&format_args!("hash({domain:?})"), |api| {
            api.hash(domain, &inner)
        })
    }
    fn digest_select(
        &mut self,
        cond: &BoolTarget,
        if_true: &HashOutTarget,
        if_false: &HashOutTarget,
    ) -> Result<HashOutTarget, CircuitError> {
        self.op(&"digest_select", |api| {
            api.digest_select(cond, if_true, if_false)
        })
    }
    fn digest_assert_equal(
        &mut self,
        a: &HashOutTarget,
        b: &HashOutTarget,
    ) -> Result<(), CircuitError> {
        self.op(&"digest_assert_equal", |api| api.digest_assert_equal(a, b))
    }
}
