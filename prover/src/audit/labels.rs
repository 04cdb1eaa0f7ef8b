//! Constraint provenance on R1CS: which gadget made each constraint, which gadget allocated
//! each witness variable, and whether that variable is an *input* (a value of the circuit's
//! witness: secrets, paths, readings) or *intermediate* (computed by a gadget from other
//! values: hash states, products, bits, quotients).
//!
//! [`LabelledR1cs`] is the R1CS backend ([`R1csApi`]) with a recorder around it: every call
//! goes to the backend unchanged (the constraint system is the same, row for row; the tests
//! compare the matrices), and the recorder notes the scope path and rule at each point where
//! they change. Proving never uses it, so labels cost nothing there.

use crate::r1cs::R1csApi;
use ark_bls12_381::Fr;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::Boolean;
use ark_relations::gr1cs::ConstraintSystemRef;
use std::fmt::Display;
use veil_circuits::api::{Api, HashInput};
use veil_circuits::error::{CircuitError, Rule};
use veil_circuits::hash::Domain;
use veil_verifier::Bytes32;

/// A scope path and the rule in force there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Scope names from the outside in, joined by `/`.
    pub path: String,
    pub rule: Option<Rule>,
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.rule {
            Some(rule) => write!(f, "{} [rule: {rule}]", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// Whether a witness variable is one of the circuit's inputs or computed by a gadget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VarKind {
    Input,
    Intermediate,
}

/// From these counts on (constraints, witness variables, instance variables), `label` holds.
#[derive(Clone, Copy, Debug)]
struct Mark {
    rows: usize,
    witnesses: usize,
    instances: usize,
    label: usize,
}

/// The labels of one synthesized constraint system.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    labels: Vec<Label>,
    marks: Vec<Mark>,
    /// Witness indices (from 0, as `cs.witness_assignment()` orders them) that are inputs.
    inputs: Vec<bool>,
}

impl Labels {
    fn find(&self, key: impl Fn(&Mark) -> usize, at: usize) -> Option<&Label> {
        let i = self.marks.partition_point(|m| key(m) <= at);
        i.checked_sub(1)
            .and_then(|i| self.labels.get(self.marks[i].label))
    }

    /// The label of constraint `row`.
    pub fn row(&self, row: usize) -> Option<&Label> {
        self.find(|m| m.rows, row)
    }

    /// The label of the gadget that allocated witness variable `index` (from 0).
    pub fn witness(&self, index: usize) -> Option<&Label> {
        self.find(|m| m.witnesses, index)
    }

    /// The label of public input `index` (from 1: instance 0 is the constant one).
    pub fn instance(&self, index: usize) -> Option<&Label> {
        self.find(|m| m.instances, index)
    }

    /// Input or intermediate.
    pub fn witness_kind(&self, index: usize) -> VarKind {
        if self.inputs.get(index).copied().unwrap_or(false) {
            VarKind::Input
        } else {
            VarKind::Intermediate
        }
    }
}

struct Frame {
    name: String,
    rule: Option<Rule>,
}

/// The R1CS backend with a provenance recorder (see the module docs).
pub struct LabelledR1cs {
    inner: R1csApi,
    cs: ConstraintSystemRef<Fr>,
    stack: Vec<Frame>,
    out: Labels,
}

impl LabelledR1cs {
    /// `root` names the outermost scope (the circuit).
    pub fn new(cs: ConstraintSystemRef<Fr>, root: &str) -> Self {
        let mut api = LabelledR1cs {
            inner: R1csApi::new(cs.clone()),
            cs,
            stack: Vec::new(),
            out: Labels::default(),
        };
        api.enter_scope(&root);
        api
    }

    pub fn cs(&self) -> &ConstraintSystemRef<Fr> {
        &self.cs
    }

    /// The backend underneath, for gadgets written directly on it.
    pub fn inner(&mut self) -> &mut R1csApi {
        &mut self.inner
    }

    pub fn into_labels(self) -> Labels {
        self.out
    }

    fn mark(&mut self) {
        let label = Label {
            path: self
                .stack
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join("/"),
            rule: self.stack.iter().rev().find_map(|f| f.rule),
        };
        let mark = Mark {
            rows: self.cs.num_constraints(),
            witnesses: self.cs.num_witness_variables(),
            instances: self.cs.num_instance_variables(),
            label: self.out.labels.len(),
        };
        if self.out.labels.last() == Some(&label) {
            return;
        }
        self.out.labels.push(label);
        self.out.marks.push(mark);
    }

    /// Runs one backend call inside a scope named after it.
    fn op<T>(&mut self, name: &dyn Display, f: impl FnOnce(&mut R1csApi) -> T) -> T {
        self.enter_scope(name);
        let out = f(&mut self.inner);
        self.leave_scope();
        out
    }

    /// An input allocation: its first `count` witness variables are inputs (the rest, range
    /// check bits, are intermediate).
    fn input<T>(
        &mut self,
        name: &dyn Display,
        count: usize,
        f: impl FnOnce(&mut R1csApi) -> T,
    ) -> T {
        let start = self.cs.num_witness_variables();
        let out = self.op(name, f);
        let end = self.cs.num_witness_variables().min(start + count);
        if self.out.inputs.len() < end {
            self.out.inputs.resize(end, false);
        }
        for flag in &mut self.out.inputs[start..end] {
            *flag = true;
        }
        out
    }
}

impl Api for LabelledR1cs {
    type Var = FpVar<Fr>;
    type Bool = Boolean<Fr>;
    type U64 = FpVar<Fr>;
    type Id = [FpVar<Fr>; 2];
    type Digest = FpVar<Fr>;

    fn enter_scope(&mut self, name: &dyn Display) {
        self.stack.push(Frame {
            name: name.to_string(),
            rule: None,
        });
        self.mark();
    }

    fn leave_scope(&mut self) {
        // The root scope stays.
        if self.stack.len() > 1 {
            self.stack.pop();
        }
        self.mark();
    }

    fn begin_rule(&mut self, rule: Rule) {
        if let Some(top) = self.stack.last_mut() {
            top.rule = Some(rule);
        }
        self.mark();
    }

    fn public_u64(&mut self, name: &str, value: Option<u64>) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&format_args!("public_u64({name})"), |a| {
            a.public_u64(name, value)
        })
    }
    fn secret_u64(&mut self, name: &str, value: Option<u64>) -> Result<FpVar<Fr>, CircuitError> {
        self.input(&format_args!("secret_u64({name})"), 1, |a| {
            a.secret_u64(name, value)
        })
    }
    fn public_small(
        &mut self,
        name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&format_args!("public_small({name})"), |a| {
            a.public_small(name, value, bits)
        })
    }
    fn secret_small(
        &mut self,
        name: &str,
        value: Option<u64>,
        bits: u32,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.input(&format_args!("secret_small({name})"), 1, |a| {
            a.secret_small(name, value, bits)
        })
    }
    fn public_id(&mut self, name: &str, value: Option<Bytes32>) -> Result<Self::Id, CircuitError> {
        self.op(&format_args!("public_id({name})"), |a| {
            a.public_id(name, value)
        })
    }
    fn secret_id(&mut self, name: &str, value: Option<Bytes32>) -> Result<Self::Id, CircuitError> {
        self.input(&format_args!("secret_id({name})"), 2, |a| {
            a.secret_id(name, value)
        })
    }
    fn public_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&format_args!("public_digest({name})"), |a| {
            a.public_digest(name, value)
        })
    }
    fn secret_digest(
        &mut self,
        name: &str,
        value: Option<Bytes32>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.input(&format_args!("secret_digest({name})"), 1, |a| {
            a.secret_digest(name, value)
        })
    }
    fn secret_bool(
        &mut self,
        name: &str,
        value: Option<bool>,
    ) -> Result<Boolean<Fr>, CircuitError> {
        self.input(&format_args!("secret_bool({name})"), 1, |a| {
            a.secret_bool(name, value)
        })
    }
    fn public_bool(
        &mut self,
        name: &str,
        value: Option<bool>,
    ) -> Result<Boolean<Fr>, CircuitError> {
        self.op(&format_args!("public_bool({name})"), |a| {
            a.public_bool(name, value)
        })
    }

    fn constant(&mut self, value: u64) -> FpVar<Fr> {
        self.inner.constant(value)
    }
    fn add(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> FpVar<Fr> {
        self.inner.add(a, b)
    }
    fn sub(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> FpVar<Fr> {
        self.inner.sub(a, b)
    }
    fn mul(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&"mul", |api| api.mul(a, b))
    }
    fn linear_combination(&mut self, terms: &[(u64, &FpVar<Fr>)]) -> FpVar<Fr> {
        self.inner.linear_combination(terms)
    }
    fn assert_equal(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        self.op(&"assert_equal", |api| api.assert_equal(a, b))
    }
    fn assert_not_equal(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        self.op(&"assert_not_equal", |api| api.assert_not_equal(a, b))
    }

    fn bool_constant(&mut self, value: bool) -> Boolean<Fr> {
        self.inner.bool_constant(value)
    }
    fn and(&mut self, a: &Boolean<Fr>, b: &Boolean<Fr>) -> Result<Boolean<Fr>, CircuitError> {
        self.op(&"and", |api| api.and(a, b))
    }
    fn or(&mut self, a: &Boolean<Fr>, b: &Boolean<Fr>) -> Result<Boolean<Fr>, CircuitError> {
        self.op(&"or", |api| api.or(a, b))
    }
    fn not(&mut self, a: &Boolean<Fr>) -> Boolean<Fr> {
        self.inner.not(a)
    }
    fn assert_true(&mut self, a: &Boolean<Fr>) -> Result<(), CircuitError> {
        self.op(&"assert_true", |api| api.assert_true(a))
    }
    fn select(
        &mut self,
        cond: &Boolean<Fr>,
        if_true: &FpVar<Fr>,
        if_false: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&"select", |api| api.select(cond, if_true, if_false))
    }
    fn bool_to_var(&mut self, b: &Boolean<Fr>) -> FpVar<Fr> {
        self.inner.bool_to_var(b)
    }

    fn range_check(&mut self, a: &FpVar<Fr>, bits: u32) -> Result<(), CircuitError> {
        self.op(&format_args!("range_check({bits})"), |api| {
            api.range_check(a, bits)
        })
    }
    fn less_than(
        &mut self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        bits: u32,
    ) -> Result<Boolean<Fr>, CircuitError> {
        self.op(&format_args!("less_than({bits})"), |api| {
            api.less_than(a, b, bits)
        })
    }
    fn assert_less_than(
        &mut self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        bits: u32,
    ) -> Result<(), CircuitError> {
        self.op(&format_args!("assert_less_than({bits})"), |api| {
            api.assert_less_than(a, b, bits)
        })
    }
    fn assert_less_or_equal(
        &mut self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        bits: u32,
    ) -> Result<(), CircuitError> {
        self.op(&format_args!("assert_less_or_equal({bits})"), |api| {
            api.assert_less_or_equal(a, b, bits)
        })
    }

    fn u64_constant(&mut self, value: u64) -> FpVar<Fr> {
        self.inner.u64_constant(value)
    }
    fn u64_sum(&mut self, items: &[FpVar<Fr>]) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&"u64_sum", |api| api.u64_sum(items))
    }
    fn u64_less_than(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<Boolean<Fr>, CircuitError> {
        self.op(&"u64_less_than", |api| api.u64_less_than(a, b))
    }
    fn u64_assert_less_than(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        self.op(&"u64_assert_less_than", |api| {
            api.u64_assert_less_than(a, b)
        })
    }
    fn u64_assert_equal(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        self.op(&"u64_assert_equal", |api| api.u64_assert_equal(a, b))
    }
    fn u64_select(
        &mut self,
        cond: &Boolean<Fr>,
        if_true: &FpVar<Fr>,
        if_false: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&"u64_select", |api| api.u64_select(cond, if_true, if_false))
    }
    fn u64_sub(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&"u64_sub", |api| api.u64_sub(a, b))
    }
    fn u64_mul_div(
        &mut self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        b_bits: u32,
        divisor: u64,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&format_args!("u64_mul_div(/{divisor})"), |api| {
            api.u64_mul_div(a, b, b_bits, divisor)
        })
    }

    fn id_constant(&mut self, value: Bytes32) -> Self::Id {
        self.inner.id_constant(value)
    }
    fn id_is_equal(&mut self, a: &Self::Id, b: &Self::Id) -> Result<Boolean<Fr>, CircuitError> {
        self.op(&"id_is_equal", |api| api.id_is_equal(a, b))
    }
    fn id_assert_equal(&mut self, a: &Self::Id, b: &Self::Id) -> Result<(), CircuitError> {
        self.op(&"id_assert_equal", |api| api.id_assert_equal(a, b))
    }
    fn id_assert_not_equal(&mut self, a: &Self::Id, b: &Self::Id) -> Result<(), CircuitError> {
        self.op(&"id_assert_not_equal", |api| api.id_assert_not_equal(a, b))
    }
    fn id_assert_canonical(&mut self, a: &Self::Id) -> Result<(), CircuitError> {
        self.op(&"id_assert_canonical", |api| api.id_assert_canonical(a))
    }

    fn hash(
        &mut self,
        domain: Domain,
        inputs: &[HashInput<'_, Self>],
    ) -> Result<FpVar<Fr>, CircuitError> {
        // HashInput<Self> and HashInput<R1csApi> hold the same handle types.
        let inner: Vec<HashInput<'_, R1csApi>> = inputs
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
        cond: &Boolean<Fr>,
        if_true: &FpVar<Fr>,
        if_false: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, CircuitError> {
        self.op(&"digest_select", |api| {
            api.digest_select(cond, if_true, if_false)
        })
    }
    fn digest_assert_equal(&mut self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), CircuitError> {
        self.op(&"digest_assert_equal", |api| api.digest_assert_equal(a, b))
    }
}
