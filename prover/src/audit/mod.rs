//! `veil audit` and `veil debug` over R1CS: under-constrained variables, found by analysis of
//! the compiled constraint system, and the first constraint a witness fails, named.
//!
//! **Audit.** The inputs (the constant one, the public inputs, and the witness variables the
//! circuit allocates as inputs: secrets, paths, readings) are *determined*. A constraint
//! A·B = C then determines more variables (see [`analysis`] for the rules: linear rows, bit
//! and range decompositions with their bounds, inverses, is-zero tests). Every intermediate
//! variable left undetermined is a value a dishonest prover may choose freely: it is
//! reported with the gadget that allocated it and the rows it occurs in, unless a
//! recognised pattern shows it harmless (a multiplier of a value that is zero exactly when it
//! is free, used nowhere else), which is reported as such, with the reason.
//!
//! Only the R1CS (Groth16) constraint system is analysed; the Plonky2 one is not (yet).

pub mod analysis;
pub mod debug;
pub mod labels;
pub mod mutate;
pub mod plonky2_audit;
pub mod plonky2_debug;
pub mod plonky2_labels;
pub mod solver;

pub use analysis::{analyse, AuditReport, FreeVariable, UnboundInput};
pub use debug::{debug, DebugReport};
pub use labels::{Label, LabelledR1cs, Labels, VarKind};

use crate::error::ProveError;
use ark_bls12_381::Fr;
use ark_relations::gr1cs::{
    ConstraintSystem, Matrix, OptimizationGoal, SynthesisMode, R1CS_PREDICATE_LABEL,
};
use veil_circuits::{Circuit, CircuitError};

/// A constraint system with the provenance of its rows and variables.
pub struct LabelledSystem {
    /// The circuit (or gadget) it was made from.
    pub name: String,
    /// A, B, C: row r is A_r · B_r = C_r over the variables (0 = one, then the public
    /// inputs, then the witness).
    pub matrices: Vec<Matrix<Fr>>,
    /// Instance variables including the constant one.
    pub num_instance: usize,
    pub num_witness: usize,
    pub labels: Labels,
}

impl LabelledSystem {
    pub fn num_constraints(&self) -> usize {
        self.matrices.first().map_or(0, Vec::len)
    }

    /// The label of variable `v` (matrix index), and whether it is an input.
    pub fn variable(&self, v: usize) -> (String, VarKind) {
        if v == 0 {
            return ("one (the constant)".into(), VarKind::Input);
        }
        if v < self.num_instance {
            let label = self.labels.instance(v).map(|l| l.path.clone());
            return (
                format!("public input {v}: {}", label.unwrap_or_default()),
                VarKind::Input,
            );
        }
        let w = v - self.num_instance;
        let label = self.labels.witness(w).map(|l| l.to_string());
        (label.unwrap_or_default(), self.labels.witness_kind(w))
    }
}

/// Synthesizes constraints built by `build` in setup mode, with labels (`name` is the
/// outermost scope). This is how a circuit, or a gadget under test, is audited.
pub fn synthesize_labelled(
    name: &str,
    build: impl FnOnce(&mut LabelledR1cs) -> Result<(), CircuitError>,
) -> Result<LabelledSystem, ProveError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    let mut api = LabelledR1cs::new(cs.clone(), name);
    build(&mut api)?;
    let labels = api.into_labels();
    cs.finalize();
    let mut all = cs
        .to_matrices()
        .map_err(|e| ProveError::Groth16(e.to_string()))?;
    let matrices = all
        .remove(R1CS_PREDICATE_LABEL)
        .ok_or_else(|| ProveError::Groth16("no R1CS constraints".into()))?;
    Ok(LabelledSystem {
        name: name.to_string(),
        matrices,
        num_instance: cs.num_instance_variables(),
        num_witness: cs.num_witness_variables(),
        labels,
    })
}

/// A circuit's constraint system (the same as [`crate::compile`]'s, row for row) with labels.
pub fn compile_labelled<C: Circuit>(circuit: &C) -> Result<LabelledSystem, ProveError> {
    let name = circuit.id().to_string();
    synthesize_labelled(&name, |api| circuit.define(api, None))
}

/// Audits a circuit's R1CS constraint system.
pub fn audit<C: Circuit>(circuit: &C) -> Result<AuditReport, ProveError> {
    Ok(analyse(&compile_labelled(circuit)?))
}
