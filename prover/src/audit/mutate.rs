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
//!    or an unbound public input that the original's did not.
//!
//! A mutant none of these kills is a **survivor**: the tests would pass on a circuit whose
//! constraints say something else. Each is listed with its row's label (gadget path and
//! rule), and classified as *equivalent* when a syntactic argument shows the mutated system
//! has the same solutions (the row duplicates another one; the row holds trivially), else
//! left *unexplained*: a gap for a test to close, or an equivalence to argue by hand.
//!
//! Nothing here is used by the prover.

use super::analysis::{self, Row};
use super::LabelledSystem;
use ark_bls12_381::Fr;
use ark_ff::{One, Zero};
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
        self.killed_honest + self.killed_assignment + self.killed_moved_value + self.killed_audit
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
fn deletion_equivalent(rows: &[[Terms; 3]], canon: &[[Terms; 3]], i: usize) -> Option<String> {
    let me = &canon[i];
    // 0·B = C with C empty, or A·0 = 0: holds for every assignment.
    if (me[0].is_empty() || me[1].is_empty()) && me[2].is_empty() {
        return Some("the row holds for every assignment (0 = 0)".into());
    }
    let swapped = [me[1].clone(), me[0].clone(), me[2].clone()];
    (0..rows.len())
        .find(|&j| j != i && (canon[j] == *me || canon[j] == swapped))
        .map(|j| {
            format!(
                "the row repeats row {j} (the same A·B = C): deleting one copy changes no solution"
            )
        })
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
        let occurs = {
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
        };
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
            let variable = match m {
                Mutation::DeleteRow => None,
                Mutation::CoefficientOne { matrix, term }
                | Mutation::CoefficientPlusOne { matrix, term }
                | Mutation::DropTerm { matrix, term } => {
                    let v = row[matrix][term].1;
                    Some(format!("variable {v}: {}", sys.variable(v).0))
                }
            };
            let equivalent = match m {
                Mutation::DeleteRow => deletion_equivalent(&raw, &canon, i),
                _ => (canonical(&mutated) == canon[i])
                    .then(|| "the mutated row is the same equation".to_string()),
            };
            report.survivors.push(Survivor {
                row: i,
                label: label(i),
                mutation: m,
                variable,
                equivalent,
            });
        }
    }
    report
}
