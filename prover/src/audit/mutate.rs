//! Mutation testing of a compiled R1CS constraint system (issue 10 §4, the constraint-level
//! equivalent of `cargo mutants`): each mutant changes one constraint row, and the suite must
//! notice.
//!
//! **Mutants**, for every row A·B = C (or a deterministic sample of the rows, see
//! [`sample_rows`]): the row deleted; one coefficient of one term of A, B or C replaced by 1
//! (when it is not 1) or by itself plus 1 (when that is not 0); one term dropped.
//!
//! **Kills**, tried in this order (the cheap ones first):
//! 1. *honest*: a honest assignment no longer satisfies the mutated row (every honest test
//!    of the circuit then fails: the mutant is a broken circuit, not a weak one);
//! 2. *assignment*: a bad assignment (a rule-breaking witness's completion, a dishonest
//!    prover's splice, a value moved by a cheat) that violated the original system satisfies
//!    the mutated one. Only row i changed, so only a bad assignment whose violated rows are
//!    exactly {i} can, and for it only row i is evaluated again;
//! 3. *audit*: the audit ([`super::analysis`]) of the mutated system reports a free variable
//!    or an unbound public input that the original's did not;
//! 4. *solver* ([`super::solver`]): a honest assignment with one value of the row changed and
//!    the rows repaired gives a *cheat* (every row of the mutant holds, the original row
//!    fails) or a *valid assignment the mutant refuses* (every original row holds, the
//!    mutated row fails: a stricter mutant). Each found assignment is checked row by row.
//!
//! A mutant none of these kills is a **survivor**: the tests would pass on a circuit whose
//! constraints say something else. Each is listed with its row's label (gadget path and
//! rule), and classified as *equivalent* ([`Equivalence`]) when an argument shows the
//! mutated system has the same solutions: the row duplicates another one or holds
//! trivially; the mutated row is the same equation, or the original scaled by non-zero
//! factors; the row's variables are all held in {0, 1} by the other rows and the two rows
//! agree on those values; the changed term's variable is 0 in every solution of both
//! systems (bounds of the audit's rule 3, [`analysis::bounds`]). Else it is left
//! *unexplained*: a gap for a test to close, or an equivalence to argue by hand.
//!
//! Nothing here is used by the prover.

use super::analysis::{self, Row};
use super::solver;
use super::LabelledSystem;
use ark_bls12_381::Fr;
use ark_ff::{Field, One, Zero};
use serde::Serialize;

type Terms = Vec<(Fr, usize)>;

/// One change to one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mutation {
    DeleteRow,
    /// Term `term` of matrix `matrix` (0 = A, 1 = B, 2 = C) gets the coefficient 1.
    CoefficientOne {
        matrix: usize,
        term: usize,
    },
    /// Term `term`'s coefficient c becomes c + 1.
    CoefficientPlusOne {
        matrix: usize,
        term: usize,
    },
    DropTerm {
        matrix: usize,
        term: usize,
    },
}

impl std::fmt::Display for Mutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = |i: &usize| ["A", "B", "C"][*i];
        match self {
            Mutation::DeleteRow => f.write_str("row deleted"),
            Mutation::CoefficientOne { matrix, term } => {
                write!(f, "{} term {term}: coefficient := 1", m(matrix))
            }
            Mutation::CoefficientPlusOne { matrix, term } => {
                write!(f, "{} term {term}: coefficient + 1", m(matrix))
            }
            Mutation::DropTerm { matrix, term } => write!(f, "{} term {term} dropped", m(matrix)),
        }
    }
}

/// A bad assignment: a full assignment (1, public inputs, witness), or a honest one with one
/// value moved.
#[derive(Clone, Debug)]
pub enum Bad {
    Full {
        name: String,
        assignment: Vec<Fr>,
    },
    Moved {
        honest: usize,
        variable: usize,
        value: Fr,
    },
}

/// A mutant the suite does not kill.
#[derive(Clone, Debug, Serialize)]
pub struct Survivor {
    pub row: usize,
    pub label: String,
    pub mutation: Mutation,
    /// The variable of the term changed, with its label (coefficient and term mutants).
    pub variable: Option<String>,
    /// Why it is equivalent (the mutated system has the same solutions), when shown.
    pub equivalent: Option<String>,
    /// The kind of that argument (see [`Equivalence`]).
    pub kind: Option<Equivalence>,
}

/// The kinds of argument that show a surviving mutant equivalent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Equivalence {
    /// The deleted row repeats another row.
    RepeatedRow,
    /// The deleted row is 0 = 0.
    TrivialRow,
    /// The mutated row, merged, is the same equation.
    SameEquation,
    /// The changed term's variable is 0 in every assignment of the other rows.
    ForcedZero,
    /// The mutated row is the original scaled by non-zero factors.
    ScaledRow,
    /// The row's variables are all held in {0, 1} by the other rows, and on those values
    /// the mutated row agrees with the original.
    BooleanCases,
    /// The deleted row's variables are all held in {0, 1} by the other rows, and the row
    /// holds on every such value (a booleanity row the others already imply).
    ImpliedRow,
}

impl std::fmt::Display for Equivalence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Equivalence::RepeatedRow => "repeated row",
            Equivalence::TrivialRow => "0 = 0",
            Equivalence::SameEquation => "same equation",
            Equivalence::ForcedZero => "variable forced to 0",
            Equivalence::ScaledRow => "row scaled",
            Equivalence::BooleanCases => "agrees on the boolean cases",
            Equivalence::ImpliedRow => "row implied",
        })
    }
}

/// A mutant killed by the solver's cheat ([`super::solver`]).
#[derive(Clone, Debug, Serialize)]
pub struct SolverKill {
    pub row: usize,
    pub mutation: Mutation,
    /// The perturbation that led to the cheat: variable, value, start, strategy.
    pub how: String,
}

/// The result over one constraint system.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MutationReport {
    pub name: String,
    pub rows: usize,
    pub rows_mutated: usize,
    pub mutants: usize,
    pub killed_honest: usize,
    pub killed_assignment: usize,
    pub killed_moved_value: usize,
    pub killed_audit: usize,
    /// Killed by a cheat the solver found (an assignment the mutant accepts and the
    /// original row refuses), each listed in `solver_kills`.
    pub killed_solver: usize,
    /// Killed by a valid assignment of the original system (found by the solver) that the
    /// mutant refuses: a stricter mutant, which the honest samples did not expose.
    pub killed_solver_valid: usize,
    pub solver_kills: Vec<SolverKill>,
    pub survivors: Vec<Survivor>,
    /// Full bad assignments given, and moved values tried.
    pub bad_assignments: usize,
    pub moved_values: usize,
    /// Bad assignments the original system accepts: the circuit itself is unsound there (or
    /// the "bad" witness is not bad); each is a failure of its own.
    pub accepted_by_original: Vec<String>,
    /// Honest assignments the original system refuses (a broken setup).
    pub honest_refused: usize,
}

impl MutationReport {
    pub fn killed(&self) -> usize {
        self.killed_honest
            + self.killed_assignment
            + self.killed_moved_value
            + self.killed_audit
            + self.killed_solver
            + self.killed_solver_valid
    }

    /// The equivalent survivors of one kind.
    pub fn equivalent_of(&self, kind: Equivalence) -> usize {
        self.survivors
            .iter()
            .filter(|s| s.kind == Some(kind))
            .count()
    }

    pub fn equivalent(&self) -> usize {
        self.survivors
            .iter()
            .filter(|s| s.equivalent.is_some())
            .count()
    }

    pub fn unexplained(&self) -> impl Iterator<Item = &Survivor> {
        self.survivors.iter().filter(|s| s.equivalent.is_none())
    }

    /// Killed over killable (the equivalent survivors left out), in percent.
    pub fn score(&self) -> f64 {
        let killable = self.mutants - self.equivalent();
        if killable == 0 {
            100.0
        } else {
            100.0 * self.killed() as f64 / killable as f64
        }
    }
}

/// Up to `max` of `n` rows, chosen deterministically and spread (a fixed hash of the row
/// index decides, so that the periodic structure of a hash permutation does not line up with
/// a stride). All rows when `max >= n`.
pub fn sample_rows(n: usize, max: usize) -> Vec<usize> {
    if max >= n {
        return (0..n).collect();
    }
    let mix = |i: usize| {
        let mut z = (i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut keyed: Vec<(u64, usize)> = (0..n).map(|i| (mix(i), i)).collect();
    keyed.sort_unstable();
    let mut rows: Vec<usize> = keyed.into_iter().take(max).map(|(_, i)| i).collect();
    rows.sort_unstable();
    rows
}

fn eval(lc: &[(Fr, usize)], x: &[Fr], moved: Option<(usize, Fr)>) -> Fr {
    lc.iter()
        .map(|(c, v)| {
            let value = match moved {
                Some((m, val)) if m == *v => val,
                _ => x.get(*v).copied().unwrap_or_default(),
            };
            *c * value
        })
        .sum()
}

fn holds(row: &[Terms; 3], x: &[Fr], moved: Option<(usize, Fr)>) -> bool {
    eval(&row[0], x, moved) * eval(&row[1], x, moved) == eval(&row[2], x, moved)
}

/// The mutants of one row.
fn mutants_of(row: &[Terms; 3]) -> Vec<Mutation> {
    let mut out = vec![Mutation::DeleteRow];
    for (matrix, lc) in row.iter().enumerate() {
        for (term, (c, _)) in lc.iter().enumerate() {
            if !c.is_one() {
                out.push(Mutation::CoefficientOne { matrix, term });
            }
            if !(*c + Fr::one()).is_zero() {
                out.push(Mutation::CoefficientPlusOne { matrix, term });
            }
            out.push(Mutation::DropTerm { matrix, term });
        }
    }
    out
}

fn apply(row: &[Terms; 3], m: Mutation) -> [Terms; 3] {
    let mut out = row.clone();
    match m {
        Mutation::DeleteRow => out = [vec![], vec![], vec![]],
        Mutation::CoefficientOne { matrix, term } => out[matrix][term].0 = Fr::one(),
        Mutation::CoefficientPlusOne { matrix, term } => out[matrix][term].0 += Fr::one(),
        Mutation::DropTerm { matrix, term } => {
            out[matrix].remove(term);
        }
    }
    out
}

/// A row merged and sorted, for comparing rows.
fn canonical(row: &[Terms; 3]) -> [Terms; 3] {
    let norm = |lc: &Terms| {
        let mut v = lc.clone();
        v.sort_by_key(|t| t.1);
        let mut out: Terms = Vec::new();
        for (c, i) in v {
            match out.last_mut() {
                Some(last) if last.1 == i => last.0 += c,
                _ => out.push((c, i)),
            }
        }
        out.retain(|t| !t.0.is_zero());
        out
    };
    [norm(&row[0]), norm(&row[1]), norm(&row[2])]
}

/// Why deleting `row` changes no solution, when a syntactic argument shows it.
fn deletion_equivalent(
    rows: &[[Terms; 3]],
    canon: &[[Terms; 3]],
    i: usize,
) -> Option<(Equivalence, String)> {
    let me = &canon[i];
    // 0·B = C with C empty, or A·0 = 0: holds for every assignment.
    if (me[0].is_empty() || me[1].is_empty()) && me[2].is_empty() {
        return Some((
            Equivalence::TrivialRow,
            "the row holds for every assignment (0 = 0)".into(),
        ));
    }
    let swapped = [me[1].clone(), me[0].clone(), me[2].clone()];
    (0..rows.len())
        .find(|&j| j != i && (canon[j] == *me || canon[j] == swapped))
        .map(|j| {
            (
                Equivalence::RepeatedRow,
                format!(
                    "the row repeats row {j} (the same A·B = C): deleting one copy changes no \
                     solution"
                ),
            )
        })
}

/// The values a perturbation tries for a variable whose honest value is `h`.
fn perturbations(h: Fr) -> Vec<Fr> {
    let two = Fr::from(2u64);
    let mut out = vec![
        h + Fr::one(),
        h - Fr::one(),
        Fr::zero(),
        Fr::one(),
        two,
        -Fr::one(),
        Fr::from(1u64 << 32),
        Fr::from(u64::MAX) + Fr::one(),
    ];
    out.retain(|v| *v != h);
    let mut seen: Vec<Fr> = Vec::new();
    out.retain(|v| {
        let new = !seen.contains(v);
        seen.push(*v);
        new
    });
    out
}

/// Variables of row `i` perturbed by the cheat search, at most this many besides the
/// mutated term's.
const PERTURBED_PER_ROW: usize = 8;
/// Repairs per cheat search before it gives up.
const REPAIR_BUDGET: usize = 50_000;

/// The search against one mutant ([`solver`]): each variable of the row (the mutated term's
/// first) set to each of [`perturbations`], from each of the first two honest assignments,
/// repaired with each strategy, until the rows (row i as `m.accept`) hold and `m.refuse`
/// fails.
fn search(m: &solver::Mutant, honest: &[Vec<Fr>], first: Option<usize>) -> Option<String> {
    let mut vars: Vec<usize> = first.into_iter().collect();
    for lc in m.rows[m.i].iter() {
        for (_, v) in lc {
            if *v != 0 && !vars.contains(v) && vars.len() <= PERTURBED_PER_ROW {
                vars.push(*v);
            }
        }
    }
    let trace = std::env::var("VEIL_MUTANT_TRACE").is_ok_and(|t| t == m.i.to_string());
    for (hi, h) in honest.iter().enumerate().take(2) {
        for &v in &vars {
            for value in perturbations(h[v]) {
                for strategy in solver::STRATEGIES {
                    let r = solver::repair(m, h, &[(v, value)], strategy, REPAIR_BUDGET);
                    if trace {
                        eprintln!(
                            "  search row {} v{v} := {value} {strategy:?}: {:?}",
                            m.i,
                            r.as_ref().err()
                        );
                    }
                    if r.is_ok() {
                        return Some(format!(
                            "variable {v} := {value} in honest assignment {hi}, repaired \
                             ({strategy:?} first)"
                        ));
                    }
                }
            }
        }
    }
    None
}

/// The mutated row is the original scaled: A' = λA, B' = μB, C' = λμC (or A and B
/// swapped), λμ ≠ 0, so A'B' − C' = λμ(AB − C) vanishes exactly where the original does.
fn scaled(orig: &[Terms; 3], mutated: &[Terms; 3]) -> bool {
    // The factor f with y = f·x, when there is one (x non-empty).
    let factor = |x: &Terms, y: &Terms| -> Option<Fr> {
        if x.len() != y.len() || x.is_empty() {
            return None;
        }
        let f = y[0].0 * x[0].0.inverse()?;
        x.iter()
            .zip(y)
            .all(|(a, b)| a.1 == b.1 && a.0 * f == b.0)
            .then_some(f)
    };
    let me = canonical(mutated);
    [(&orig[0], &orig[1]), (&orig[1], &orig[0])]
        .into_iter()
        .any(|(a, b)| {
            let (Some(l), Some(u)) = (factor(a, &me[0]), factor(b, &me[1])) else {
                return false;
            };
            let lu = l * u;
            if orig[2].is_empty() {
                me[2].is_empty()
            } else {
                factor(&orig[2], &me[2]) == Some(lu)
            }
        })
}

/// Every variable of row `i` is held in {0, 1} by the other rows ([`analysis::bounds`]), and
/// on each of those values the original row and the mutated one (or no row, `None`, for a
/// deletion) hold or fail alike: every assignment of the other rows gives them the same
/// answer, so the mutant has the original's solutions.
fn boolean_cases(
    arows: &[Row],
    total: usize,
    base: &[Option<i128>],
    orig: &[Terms; 3],
    mutated: Option<&[Terms; 3]>,
    i: usize,
) -> Option<(Equivalence, String)> {
    let mut vars: Vec<usize> = Vec::new();
    for lc in orig {
        for (_, v) in lc {
            if *v != 0 && !vars.contains(v) {
                vars.push(*v);
            }
        }
    }
    if vars.is_empty() || vars.len() > 6 || vars.iter().any(|v| base[*v].is_none_or(|b| b > 1)) {
        return None;
    }
    let bounds = analysis::bounds(arows, total, Some(i));
    if vars.iter().any(|v| bounds[*v].is_none_or(|b| b > 1)) {
        return None;
    }
    let mut x = vec![Fr::zero(); total];
    x[0] = Fr::one();
    for bits in 0u32..(1 << vars.len()) {
        for (k, v) in vars.iter().enumerate() {
            x[*v] = Fr::from(u64::from((bits >> k) & 1));
        }
        let o = solver::holds(orig, &x);
        let mu = mutated.is_none_or(|m| solver::holds(m, &x));
        if o != mu {
            return None;
        }
    }
    let list = vars
        .iter()
        .map(|v| format!("{v}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some((
        if mutated.is_none() {
            Equivalence::ImpliedRow
        } else {
            Equivalence::BooleanCases
        },
        format!(
            "the other rows hold variables {list} in {{0, 1}} (integer equations over bounded \
             variables), and on each of those values the mutated row and the original agree"
        ),
    ))
}

/// Runs every mutant of the chosen `rows` of `sys` against the honest assignments, the bad
/// ones, and the audit (see the module docs). `moved_values`: also try every honest value
/// moved by one (and every 0/1 value flipped) as a bad assignment.
pub fn run(
    sys: &LabelledSystem,
    honest: &[Vec<Fr>],
    bad: &[(String, Vec<Fr>)],
    moved_values: bool,
    rows: &[usize],
) -> MutationReport {
    let n = sys.num_constraints();
    let total = sys.num_instance + sys.num_witness;
    let raw: Vec<[Terms; 3]> = (0..n)
        .map(|r| {
            let get = |m: usize| sys.matrices.get(m).and_then(|m| m.get(r)).cloned();
            [
                get(0).unwrap_or_default(),
                get(1).unwrap_or_default(),
                get(2).unwrap_or_default(),
            ]
        })
        .collect();
    let canon: Vec<[Terms; 3]> = raw.iter().map(canonical).collect();
    let mut report = MutationReport {
        name: sys.name.clone(),
        rows: n,
        rows_mutated: rows.len(),
        bad_assignments: bad.len(),
        ..MutationReport::default()
    };
    let violated =
        |x: &[Fr]| -> Vec<usize> { (0..n).filter(|&r| !holds(&raw[r], x, None)).collect() };
    report.honest_refused = honest.iter().filter(|h| !violated(h).is_empty()).count();

    // The bad assignments that violate exactly one row, by row.
    let mut single: Vec<Vec<Bad>> = vec![Vec::new(); n];
    for (name, x) in bad {
        match violated(x).as_slice() {
            [] => report.accepted_by_original.push(name.clone()),
            [r] => single[*r].push(Bad::Full {
                name: name.clone(),
                assignment: x.clone(),
            }),
            _ => {}
        }
    }
    if moved_values {
        let occurs = occurrences(&raw, total);
        for (hi, h) in honest.iter().enumerate() {
            for v in 1..total {
                let x = h[v];
                let mut values = vec![x + Fr::one()];
                if x.is_one() {
                    values.push(Fr::zero());
                }
                for value in values {
                    report.moved_values += 1;
                    let moved = Some((v, value));
                    let fails: Vec<usize> = occurs[v]
                        .iter()
                        .copied()
                        .filter(|&r| !holds(&raw[r], h, moved))
                        .collect();
                    if let [r] = fails.as_slice() {
                        single[*r].push(Bad::Moved {
                            honest: hi,
                            variable: v,
                            value,
                        });
                    }
                }
            }
        }
    }

    // The audit's baseline.
    let mut arows = analysis::build_rows(sys);
    let mask = analysis::input_mask(sys);
    let findings = |arows: &[Row]| -> (Vec<usize>, Vec<usize>) {
        let (known, _) = analysis::solve(arows, &mask);
        let occurs = analysis::occurrences(arows, total);
        let free = analysis::unexplained(arows, &known, sys.num_instance, &occurs);
        let unbound = analysis::unbound_inputs(arows, sys.num_instance, &free, &occurs)
            .into_iter()
            .map(|u| u.0)
            .collect();
        (free, unbound)
    };
    let (base_free, base_unbound) = findings(&arows);
    let label = |r: usize| sys.labels.row(r).map(|l| l.to_string()).unwrap_or_default();

    // The solver's view and the bounds (for the equivalence arguments).
    let occurs = occurrences(&raw, total);
    let mut boolean = vec![false; total];
    for row in &arows {
        if let Some(b) = row.booleanity() {
            boolean[b] = true;
        }
    }
    let base_bounds = analysis::bounds(&arows, total, None);

    for &i in rows {
        let row = &raw[i];
        for m in mutants_of(row) {
            report.mutants += 1;
            let mutated = apply(row, m);
            if honest.iter().any(|h| !holds(&mutated, h, None)) {
                report.killed_honest += 1;
                continue;
            }
            let by_bad = single[i].iter().find(|b| match b {
                Bad::Full { assignment, .. } => holds(&mutated, assignment, None),
                Bad::Moved {
                    honest: hi,
                    variable,
                    value,
                } => holds(&mutated, &honest[*hi], Some((*variable, *value))),
            });
            match by_bad {
                Some(Bad::Full { .. }) => {
                    report.killed_assignment += 1;
                    continue;
                }
                Some(Bad::Moved { .. }) => {
                    report.killed_moved_value += 1;
                    continue;
                }
                None => {}
            }
            let original = std::mem::replace(
                &mut arows[i],
                analysis::build_row(&mutated[0], &mutated[1], &mutated[2]),
            );
            let (free, unbound) = findings(&arows);
            arows[i] = original;
            let new_free = free.iter().find(|v| !base_free.contains(v));
            let new_unbound = unbound.iter().find(|v| !base_unbound.contains(v));
            if new_free.is_some() || new_unbound.is_some() {
                report.killed_audit += 1;
                continue;
            }
            let term_var = match m {
                Mutation::DeleteRow => None,
                Mutation::CoefficientOne { matrix, term }
                | Mutation::CoefficientPlusOne { matrix, term }
                | Mutation::DropTerm { matrix, term } => Some(row[matrix][term].1),
            };
            let mut mutant = solver::Mutant {
                rows: &raw,
                occurs: &occurs,
                boolean: &boolean,
                input: &mask,
                bound: &base_bounds,
                i,
                accept: &mutated,
                refuse: row,
            };
            let first = term_var.filter(|v| *v != 0);
            let equivalent = if m == Mutation::DeleteRow {
                deletion_equivalent(&raw, &canon, i)
            } else if canonical(&mutated) == canon[i] {
                Some((
                    Equivalence::SameEquation,
                    "the mutated row is the same equation".to_string(),
                ))
            } else if scaled(&canon[i], &mutated) {
                Some((
                    Equivalence::ScaledRow,
                    "the mutated row is the original scaled (A' = λA, B' = μB, C' = λμC): \
                     it holds exactly where the original does"
                        .to_string(),
                ))
            } else {
                None
            };
            if equivalent.is_none() {
                if let Some(how) = search(&mutant, honest, first) {
                    report.killed_solver += 1;
                    report.solver_kills.push(SolverKill {
                        row: i,
                        mutation: m,
                        how: format!("cheat: {how}"),
                    });
                    continue;
                }
                // A stricter mutant: a valid assignment of the original it refuses (never
                // a deletion, which refuses nothing the original accepts).
                mutant.accept = row;
                mutant.refuse = &mutated;
                let valid = (m != Mutation::DeleteRow)
                    .then(|| search(&mutant, honest, first))
                    .flatten();
                if let Some(how) = valid {
                    report.killed_solver_valid += 1;
                    report.solver_kills.push(SolverKill {
                        row: i,
                        mutation: m,
                        how: format!("valid assignment refused: {how}"),
                    });
                    continue;
                }
            }
            let equivalent = equivalent
                .or_else(|| {
                    let mutated = (m != Mutation::DeleteRow).then_some(&mutated);
                    boolean_cases(&arows, total, &base_bounds, row, mutated, i)
                })
                .or_else(|| {
                    let v = first?;
                    forced_zero(&mut arows, total, &base_bounds, i, &mutated, v, &|v| {
                        sys.variable(v).0
                    })
                });
            let variable = term_var.map(|v| format!("variable {v}: {}", sys.variable(v).0));
            let (kind, equivalent) = equivalent.unzip();
            report.survivors.push(Survivor {
                row: i,
                label: label(i),
                mutation: m,
                variable,
                equivalent,
                kind,
            });
        }
    }
    report
}

/// The rows each variable occurs in (row order, once each).
fn occurrences(raw: &[[Terms; 3]], total: usize) -> Vec<Vec<usize>> {
    let mut o: Vec<Vec<usize>> = vec![Vec::new(); total];
    for (r, row) in raw.iter().enumerate() {
        for lc in row {
            for (_, v) in lc {
                if o[*v].last() != Some(&r) {
                    o[*v].push(r);
                }
            }
        }
    }
    o
}

/// The mutated term's variable `v` is 0 in every solution of the original system and in
/// every solution of the mutant ([`analysis::bounds`] bounds it by 0 in both): the two rows
/// differ only in v's term, which is then 0, so both systems are (the other rows, v = 0,
/// row i at v = 0) and have the same solutions.
fn forced_zero(
    arows: &mut [Row],
    total: usize,
    base: &[Option<i128>],
    i: usize,
    mutated: &[Terms; 3],
    v: usize,
    name: &dyn Fn(usize) -> String,
) -> Option<(Equivalence, String)> {
    if base[v] != Some(0) {
        return None;
    }
    let original = std::mem::replace(
        &mut arows[i],
        analysis::build_row(&mutated[0], &mutated[1], &mutated[2]),
    );
    let bounds = analysis::bounds(arows, total, None);
    arows[i] = original;
    (bounds[v] == Some(0)).then(|| {
        (
            Equivalence::ForcedZero,
            format!(
                "variable {v} ({}) is 0 in every solution of the original and of the mutant \
                 (integer equations over bounded variables bound it by 0 in both), so its \
                 term, the only difference, is 0",
                name(v)
            ),
        )
    })
}

/// Row `r` of `sys` written out, with each variable's label and its value in `x` (for
/// reading survivors).
pub fn describe_row(sys: &LabelledSystem, r: usize, x: &[Fr]) -> String {
    let show = |f: &Fr| {
        let small = |f: &Fr| {
            let b: num_bigint::BigUint = (*f).into();
            (b.bits() <= 70).then(|| b.to_string())
        };
        small(f)
            .or_else(|| small(&-*f).map(|s| format!("-{s}")))
            .unwrap_or_else(|| "big".into())
    };
    let mut out = format!(
        "row {r} [{}]:",
        sys.labels.row(r).map(|l| l.to_string()).unwrap_or_default()
    );
    for (mi, name) in ["A", "B", "C"].iter().enumerate() {
        out.push_str(&format!("\n    {name}:"));
        for (c, v) in sys
            .matrices
            .get(mi)
            .and_then(|m| m.get(r))
            .map_or(&[][..], |v| v)
        {
            out.push_str(&format!(
                "\n      {} * v{v}={} ({})",
                show(c),
                x.get(*v).map_or("?".into(), show),
                sys.variable(*v).0
            ));
        }
    }
    out
}
