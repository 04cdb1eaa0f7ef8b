//! `veil debug`: evaluate every constraint on a witness's assignment, without the native
//! check, and name the first one that fails; on success, what each gadget costs.

use super::{compile_labelled, LabelledSystem, VarKind};
use crate::error::ProveError;
use ark_bls12_381::Fr;
use ark_ff::{BigInteger, PrimeField};
use serde::Serialize;
use std::collections::BTreeMap;
use veil_circuits::Circuit;

/// Variables listed per failing constraint.
const VARIABLES_SHOWN: usize = 24;

/// A variable of a failing constraint, with its value.
#[derive(Clone, Debug, Serialize)]
pub struct InvolvedVariable {
    pub variable: usize,
    pub label: String,
    pub kind: VarKind,
    pub value: String,
}

/// The first constraint the assignment violates.
#[derive(Clone, Debug, Serialize)]
pub struct FailingConstraint {
    pub row: usize,
    /// The scope path of the gadget that made it.
    pub label: String,
    /// The circuit rule it enforces, where the circuit marks one.
    pub rule: Option<String>,
    /// The values of A, B and C on the assignment (A·B should equal C).
    pub a: String,
    pub b: String,
    pub c: String,
    pub variables: Vec<InvolvedVariable>,
    /// How many variables the row involves (the first [`VARIABLES_SHOWN`] are listed).
    pub variable_count: usize,
}

/// Constraints per gadget (scope path with indices folded: `merkle.level[*]`).
#[derive(Clone, Debug, Serialize)]
pub struct GadgetCost {
    pub gadget: String,
    pub constraints: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct DebugReport {
    pub circuit: String,
    pub constraints: usize,
    pub satisfied: bool,
    /// How many constraints fail in all.
    pub failing_constraints: usize,
    pub first_failure: Option<FailingConstraint>,
    /// Per gadget, most expensive first.
    pub gadgets: Vec<GadgetCost>,
    /// Per rule the circuit marks (constraints outside any rule under "(none)").
    pub rules: BTreeMap<String, usize>,
}

/// A field element for people: small values in decimal, values just below the modulus as
/// negatives, anything else in hex.
pub fn show(f: &Fr) -> String {
    let small = |f: &Fr| {
        let b = f.into_bigint();
        (b.num_bits() <= 64).then(|| b.0[0])
    };
    if let Some(v) = small(f) {
        return v.to_string();
    }
    if let Some(v) = small(&-*f) {
        return format!("-{v}");
    }
    format!("0x{}", hex_be(&f.into_bigint().to_bytes_be()))
}

fn hex_be(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Folds indices (`level[3]` → `level[*]`) so that repeated gadgets add up.
pub(crate) fn fold_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for ch in path.chars() {
        match ch {
            '[' => {
                in_index = true;
                out.push_str("[*");
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            c if in_index && c.is_ascii_digit() => {}
            c => {
                if in_index {
                    // Not a plain index: keep it as written.
                    in_index = false;
                    out.pop();
                    out.push(c);
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Evaluates every row of `sys` on `assignment` (one, public inputs, witness).
pub fn evaluate(sys: &LabelledSystem, assignment: &[Fr]) -> DebugReport {
    let value = |v: usize| assignment.get(v).copied().unwrap_or_default();
    let eval = |lc: &[(Fr, usize)]| -> Fr { lc.iter().map(|(c, v)| *c * value(*v)).sum() };
    let n = sys.num_constraints();
    let mut first = None;
    let mut failing = 0;
    let mut gadgets: BTreeMap<String, usize> = BTreeMap::new();
    let mut rules: BTreeMap<String, usize> = BTreeMap::new();
    for r in 0..n {
        let row = |m: usize| sys.matrices[m][r].as_slice();
        let (a, b, c) = (eval(row(0)), eval(row(1)), eval(row(2)));
        let label = sys.labels.row(r);
        *gadgets
            .entry(label.map(|l| fold_indices(&l.path)).unwrap_or_default())
            .or_default() += 1;
        *rules
            .entry(
                label
                    .and_then(|l| l.rule)
                    .map_or_else(|| "(none)".to_string(), |r| r.to_string()),
            )
            .or_default() += 1;
        if a * b == c {
            continue;
        }
        failing += 1;
        if first.is_some() {
            continue;
        }
        let mut vars: Vec<usize> = row(0)
            .iter()
            .chain(row(1))
            .chain(row(2))
            .map(|t| t.1)
            .filter(|&v| v != 0)
            .collect();
        vars.sort_unstable();
        vars.dedup();
        first = Some(FailingConstraint {
            row: r,
            label: label.map(|l| l.path.clone()).unwrap_or_default(),
            rule: label.and_then(|l| l.rule).map(|r| r.to_string()),
            a: show(&a),
            b: show(&b),
            c: show(&c),
            variable_count: vars.len(),
            variables: vars
                .iter()
                .take(VARIABLES_SHOWN)
                .map(|&v| {
                    let (label, kind) = sys.variable(v);
                    InvolvedVariable {
                        variable: v,
                        label,
                        kind,
                        value: show(&value(v)),
                    }
                })
                .collect(),
        });
    }
    let mut gadgets: Vec<GadgetCost> = gadgets
        .into_iter()
        .map(|(gadget, constraints)| GadgetCost {
            gadget,
            constraints,
        })
        .collect();
    gadgets.sort_by(|x, y| {
        y.constraints
            .cmp(&x.constraints)
            .then(x.gadget.cmp(&y.gadget))
    });
    DebugReport {
        circuit: sys.name.clone(),
        constraints: n,
        satisfied: failing == 0,
        failing_constraints: failing,
        first_failure: first,
        gadgets,
        rules,
    }
}

/// Builds the assignment of `witness` (without the native check) and evaluates every
/// constraint of the circuit on it. An error only when no assignment can be built at all
/// (a witness of the wrong shape, a value that is not a field element).
pub fn debug<C: Circuit>(circuit: &C, witness: &C::Witness) -> Result<DebugReport, ProveError> {
    let sys = compile_labelled(circuit)?;
    let assignment = crate::groth16::assignment(circuit, witness)?;
    if assignment.len() != sys.num_instance + sys.num_witness {
        return Err(ProveError::Groth16(format!(
            "the assignment has {} values, the constraint system {} variables",
            assignment.len(),
            sys.num_instance + sys.num_witness
        )));
    }
    Ok(evaluate(&sys, &assignment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_fold() {
        assert_eq!(
            fold_indices("tier-4/merkle.level[12]/hash(MerkleNode)"),
            "tier-4/merkle.level[*]/hash(MerkleNode)"
        );
        assert_eq!(fold_indices("u64_mul_div(/10000)"), "u64_mul_div(/10000)");
        assert_eq!(fold_indices("a[x]"), "a[x]");
        assert_eq!(show(&Fr::from(5u64)), "5");
        assert_eq!(show(&-Fr::from(5u64)), "-5");
    }
}
