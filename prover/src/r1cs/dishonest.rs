//! Playing a dishonest prover on R1CS (for tests): replace the values of chosen witness
//! variables after honest witness generation and ask whether the constraint system still
//! holds, and which row refuses.
//!
//! A variable is addressed by its witness index (its position among the witness variables,
//! in allocation order): take it from a handle a gadget returned ([`witness_index`],
//! [`bool_index`]) or from [`R1csApi::next_witness_index`] read before and after a gadget
//! (the gadget allocated every index in between, in its own order).
//!
//! A cheat takes effect in two places:
//! - at allocation, for the values [`R1csApi`] computes itself (secret inputs, the quotient
//!   and remainder of `u64_mul_div`, the bits of every range check and comparison, secret
//!   booleans): the gadgets go on with the cheating value, so every value allocated later is
//!   computed from it, as a cheater's honest-looking completion would be (a non-boolean
//!   value for a bit is kept for the assignment only: the Rust side of a `Boolean` is a
//!   `bool`);
//! - in the final assignment, for every index, including the variables arkworks' own
//!   gadgets allocate (products, selections, equality flags and inverses): those are written
//!   after synthesis, and values computed from them are not recomputed.
//!
//! Nothing here is used by the prover: an [`R1csApi`] made by [`R1csApi::new`] has no cheats.

use super::R1csApi;
use ark_bls12_381::Fr;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{
    ConstraintSystem, ConstraintSystemRef, Matrix, OptimizationGoal, SynthesisMode,
    R1CS_PREDICATE_LABEL,
};
use std::collections::BTreeMap;
use veil_circuits::error::CircuitError;

/// The values a dishonest prover substitutes, by witness index.
#[derive(Clone, Debug, Default)]
pub struct Cheats {
    values: BTreeMap<usize, Fr>,
}

impl Cheats {
    pub fn new() -> Self {
        Self::default()
    }

    /// Witness variable `index` takes `value` instead of its honest value.
    pub fn set(mut self, index: usize, value: Fr) -> Self {
        self.values.insert(index, value);
        self
    }

    pub fn set_u64(self, index: usize, value: u64) -> Self {
        self.set(index, Fr::from(value))
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value to allocate at `index`: the cheat, if any, while proving.
    pub(super) fn value_at(&self, index: usize, honest: Option<Fr>) -> Option<Fr> {
        match (honest, self.values.get(&index)) {
            (Some(_), Some(v)) => Some(*v),
            (h, _) => h,
        }
    }

    /// The bit to allocate at `index`: the cheat if it is 0 or 1 (any other value is written
    /// into the assignment only).
    pub(super) fn bit_at(&self, index: usize, honest: Option<bool>) -> Option<bool> {
        match (honest, self.values.get(&index)) {
            (Some(_), Some(v)) if *v == Fr::from(0u64) => Some(false),
            (Some(_), Some(v)) if *v == Fr::from(1u64) => Some(true),
            (h, _) => h,
        }
    }
}

/// The witness index of a variable, if it is one (not a constant, input or combination).
pub fn witness_index(v: &FpVar<Fr>) -> Option<usize> {
    match v {
        FpVar::Var(a) if a.variable.is_witness() => a.variable.index(),
        _ => None,
    }
}

/// The witness index of a boolean, if it is one.
pub fn bool_index(b: &Boolean<Fr>) -> Option<usize> {
    match b {
        Boolean::Var(a) if a.variable().is_witness() => a.variable().index(),
        _ => None,
    }
}

impl R1csApi {
    /// The witness index the next allocated witness variable gets.
    pub fn next_witness_index(&self) -> usize {
        self.cs.num_witness_variables()
    }

    /// The constraint system (for test gadgets written directly on arkworks).
    pub fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.cs.clone()
    }

    /// A witness variable allocated the way the gadgets allocate theirs (cheats apply):
    /// lets a test write a variant of a gadget.
    pub fn hint(&mut self, value: Option<Fr>) -> Result<FpVar<Fr>, CircuitError> {
        self.witness(value)
    }
}

/// The constraint matrices of a definition, made once; [`Checker::run`] then checks any
/// number of (dishonest) assignments of the same definition against them.
pub struct Checker {
    matrices: Vec<Matrix<Fr>>,
    num_instance: usize,
    num_witness: usize,
}

/// One synthesis with cheats: the definition's handles, the assignment, the verdict.
pub struct Run<T> {
    pub handles: T,
    /// 1, the public inputs, then the witness variables.
    pub assignment: Vec<Fr>,
    pub num_instance: usize,
    /// The first constraint row the assignment violates; `None` when it satisfies them all.
    pub unsatisfied: Option<usize>,
    /// Every row it violates: a well-aimed cheat breaks exactly the one it is about.
    pub unsatisfied_rows: Vec<usize>,
}

impl<T> Run<T> {
    pub fn satisfied(&self) -> bool {
        self.unsatisfied.is_none()
    }

    /// The value of witness variable `index`.
    pub fn witness(&self, index: usize) -> Fr {
        self.assignment[self.num_instance + index]
    }
}

fn be(e: impl ToString) -> CircuitError {
    CircuitError::Backend(e.to_string())
}

impl Checker {
    /// Compiles `define` (in setup mode: the values it passes are not used; it must make the
    /// same constraints whatever they are, as every veil circuit does).
    pub fn new<T>(
        define: impl FnOnce(&mut R1csApi) -> Result<T, CircuitError>,
    ) -> Result<Self, CircuitError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        define(&mut R1csApi::new(cs.clone()))?;
        cs.finalize();
        let mut all = cs.to_matrices().map_err(be)?;
        let matrices = all
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or_else(|| be("no R1CS constraints"))?;
        Ok(Checker {
            matrices,
            num_instance: cs.num_instance_variables(),
            num_witness: cs.num_witness_variables(),
        })
    }

    pub fn num_constraints(&self) -> usize {
        self.matrices.first().map_or(0, |m| m.len())
    }

    /// Synthesizes `define` with its values and the cheats (see the module docs), and checks
    /// the resulting assignment row by row.
    pub fn run<T>(
        &self,
        cheats: &Cheats,
        define: impl FnOnce(&mut R1csApi) -> Result<T, CircuitError>,
    ) -> Result<Run<T>, CircuitError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
            generate_lc_assignments: false,
        });
        let mut api = R1csApi::new(cs.clone());
        api.cheats = cheats.clone();
        let handles = define(&mut api)?;
        let mut assignment = cs.instance_assignment().map_err(be)?;
        let num_instance = assignment.len();
        assignment.extend(cs.witness_assignment().map_err(be)?);
        if num_instance != self.num_instance || assignment.len() != num_instance + self.num_witness
        {
            return Err(be(
                "the definition made other variables than the compiled one",
            ));
        }
        for (i, v) in &cheats.values {
            let slot = assignment
                .get_mut(num_instance + i)
                .ok_or_else(|| be(format!("no witness variable {i}")))?;
            *slot = *v;
        }
        let eval = |row: &[(Fr, usize)]| -> Fr {
            row.iter()
                .map(|(c, i)| *c * assignment.get(*i).copied().unwrap_or_default())
                .sum()
        };
        let unsatisfied_rows: Vec<usize> = (0..self.num_constraints())
            .filter(|&r| {
                eval(&self.matrices[0][r]) * eval(&self.matrices[1][r])
                    != eval(&self.matrices[2][r])
            })
            .collect();
        Ok(Run {
            handles,
            unsatisfied: unsatisfied_rows.first().copied(),
            unsatisfied_rows,
            assignment,
            num_instance,
        })
    }
}
