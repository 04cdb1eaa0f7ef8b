//! A value solver over R1CS rows, for the mutation harness ([`super::mutate`]): it searches
//! for an assignment that tells a mutant from the original system: a **cheat** (every row of
//! the mutated system holds and the original row fails) or a **valid assignment the mutant
//! refuses** (every original row holds and the mutated row fails). Either one found proves
//! that the mutant changes the solutions (it is killed); the search proves nothing when it
//! finds none.
//!
//! **Repair propagation.** Start from a honest assignment, set one variable to another value
//! (the *perturbation*), and repair: while a row A·B = C fails (the smallest such row first,
//! the order the circuit computes its values in), pick a variable of the row not yet touched
//! whose value the row fixes linearly (the row is a₀b₀ + (a₀b₁ + a₁b₀)·u = c₀ + c₁·u in it,
//! with a₁b₁ = 0 and a non-zero multiplier), set it, and look again at the rows it occurs
//! in. A touched variable is never changed again, so the search ends; it fails when a
//! failing row has nothing left to repair. A variable that a booleanity row holds in {0, 1}
//! is only repaired to 0 or 1. A row that several derived values solve together is repaired
//! by integer decomposition (greedy from the largest coefficient, each value capped by its
//! bound): a bit decomposition x = Σ 2^i b_i, a quotient and remainder q·d + r = a·b. The
//! *strategy* says which candidate goes first: derived values (the change flows forward),
//! the decomposition, or the prover's own values (inputs absorb the change); C before A, B.
//!
//! Whatever the search does, the answer is checked: every row is evaluated on it, and the
//! row that should fail must fail. So a wrong turn of the heuristics can only miss an
//! assignment, never report a false one.

use ark_bls12_381::Fr;
use ark_ff::{Field, One, PrimeField, Zero};
use num_bigint::BigUint;
use std::collections::BTreeSet;

pub(super) type Terms = Vec<(Fr, usize)>;

/// The rows, with row `i` replaced by `accept`; the search wants an assignment of them that
/// fails `refuse`. For a cheat, `accept` is the mutated row and `refuse` the original; for a
/// valid assignment the mutant refuses (the mutant is stricter than the original), the
/// other way round.
pub(super) struct Mutant<'a> {
    pub rows: &'a [[Terms; 3]],
    pub occurs: &'a [Vec<usize>],
    /// Variables held in {0, 1} by a booleanity row.
    pub boolean: &'a [bool],
    /// Inputs: the constant one, the public inputs, the prover's witness inputs.
    pub input: &'a [bool],
    /// Upper bounds of the variables' integer values in the original system
    /// (`analysis::bounds`), used by the decomposition repair only as a guide.
    pub bound: &'a [Option<i128>],
    pub i: usize,
    pub accept: &'a [Terms; 3],
    pub refuse: &'a [Terms; 3],
}

/// How a failing row picks the variable it repairs.
#[derive(Clone, Copy, Debug)]
pub(super) enum Strategy {
    /// Derived values first (forward propagation of the change), C before A and B.
    Derived,
    /// As `Derived`, but a row that several derived values solve together (a quotient and
    /// remainder, a bit decomposition) is decomposed before any one of them is solved alone.
    Decompose,
    /// Inputs first (the prover changes its own values to absorb the change).
    Inputs,
}

pub(super) const STRATEGIES: [Strategy; 3] =
    [Strategy::Derived, Strategy::Decompose, Strategy::Inputs];

fn eval(lc: &[(Fr, usize)], x: &[Fr]) -> Fr {
    lc.iter().map(|(c, v)| *c * x[*v]).sum()
}

pub(super) fn holds(row: &[Terms; 3], x: &[Fr]) -> bool {
    eval(&row[0], x) * eval(&row[1], x) == eval(&row[2], x)
}

/// An LC split at variable u: (value of the other terms, coefficient of u).
fn split(lc: &[(Fr, usize)], x: &[Fr], u: usize) -> (Fr, Fr) {
    let (mut rest, mut coef) = (Fr::zero(), Fr::zero());
    for (c, v) in lc {
        if *v == u {
            coef += c;
        } else {
            rest += *c * x[*v];
        }
    }
    (rest, coef)
}

/// The value of u that makes the row hold with the other values as they are, when the row
/// is linear in u with a non-zero multiplier.
fn solve_for(row: &[Terms; 3], x: &[Fr], u: usize) -> Option<Fr> {
    let (a0, a1) = split(&row[0], x, u);
    let (b0, b1) = split(&row[1], x, u);
    let (c0, c1) = split(&row[2], x, u);
    if !(a1 * b1).is_zero() {
        return None;
    }
    let k = a0 * b1 + a1 * b0 - c1;
    k.inverse().map(|inv| (c0 - a0 * b0) * inv)
}

fn to_big(f: &Fr) -> BigUint {
    f.into_bigint().into()
}

/// A linear row (A or B a constant) as Σ e_v v = k over the field: its terms (merged) and k.
fn linear(row: &[Terms; 3]) -> Option<(Vec<(Fr, usize)>, Fr)> {
    let constant = |lc: &Terms| {
        lc.iter()
            .all(|t| t.1 == 0)
            .then(|| lc.iter().map(|t| t.0).sum::<Fr>())
    };
    let (k, other) = match (constant(&row[0]), constant(&row[1])) {
        (Some(k), _) => (k, &row[1]),
        (None, Some(k)) => (k, &row[0]),
        _ => return None,
    };
    let mut terms: Vec<(Fr, usize)> = Vec::new();
    let mut add = |c: Fr, v: usize| match terms.iter_mut().find(|t| t.1 == v) {
        Some(t) => t.0 += c,
        None => terms.push((c, v)),
    };
    for (c, v) in other {
        add(k * c, *v);
    }
    for (c, v) in &row[2] {
        add(-*c, *v);
    }
    let mut rhs = Fr::zero();
    terms.retain(|(c, v)| {
        if *v == 0 {
            rhs -= c;
            false
        } else {
            !c.is_zero()
        }
    });
    Some((terms, rhs))
}

/// Repairs a failing row by integer decomposition: the row as Σ c_v v = t over its
/// untouched derived variables (a linear row; or a product row A·B = C whose C holds them,
/// A·B taken at the current values), after one common scaling with non-negative integer
/// coefficients, is solved greedily from the largest coefficient down, each variable taking
/// ⌊t / c⌋ capped by its bound (1 for a boolean, else [`Mutant::bound`]). That repairs a bit
/// decomposition x = Σ 2^i b_i, and a quotient and remainder q·d + r = a·b, at once.
///
/// With `bits_only`, only the boolean variables are free (the others keep their values).
fn decompose(
    row: &[Terms; 3],
    x: &[Fr],
    m: &Mutant,
    frozen: &[bool],
    bits_only: bool,
) -> Option<Vec<(usize, Fr)>> {
    let free_var = |v: usize| !frozen[v] && !m.input[v] && (m.boolean[v] || !bits_only);
    let (terms, rhs) = match linear(row) {
        Some(l) => l,
        None => {
            let in_ab = |v: usize| row[0].iter().chain(&row[1]).any(|t| t.1 == v);
            if row[2].iter().any(|t| free_var(t.1) && in_ab(t.1)) {
                return None;
            }
            let mut terms: Vec<(Fr, usize)> = Vec::new();
            for (c, v) in &row[2] {
                match terms.iter_mut().find(|t| t.1 == *v) {
                    Some(t) => t.0 += c,
                    None => terms.push((*c, *v)),
                }
            }
            (terms, eval(&row[0], x) * eval(&row[1], x))
        }
    };
    let (free, fixed): (Vec<_>, Vec<_>) = terms
        .iter()
        .filter(|t| !t.0.is_zero())
        .partition(|(_, v)| free_var(*v));
    if free.len() < 2 {
        return None;
    }
    let cap = |v: usize| -> Option<BigUint> {
        if m.boolean[v] {
            return Some(BigUint::one());
        }
        let b = m.bound.get(v).copied().flatten()?;
        u128::try_from(b).ok().map(BigUint::from)
    };
    // Σ_free c_v v = rhs − Σ_fixed c_v x_v.
    let target = fixed.iter().fold(rhs, |acc, (c, v)| acc - *c * x[*v]);
    for factor in [
        Fr::one(),
        -Fr::one(),
        free[0].0.inverse()?,
        -free[0].0.inverse()?,
    ] {
        let mut items: Vec<(BigUint, usize)> = free
            .iter()
            .map(|(c, v)| (to_big(&(factor * c)), *v))
            .collect();
        if items.iter().any(|(c, _)| c.bits() > 200) {
            continue;
        }
        items.sort();
        let mut t = to_big(&(factor * target));
        if t.bits() > 200 {
            continue;
        }
        let mut out = Vec::with_capacity(items.len());
        for (c, v) in items.iter().rev() {
            let mut k = &t / c;
            if let Some(cap) = cap(*v) {
                k = k.min(cap);
            }
            t -= &k * c;
            out.push((*v, Fr::from(k)));
        }
        if t.is_zero() {
            return Some(out);
        }
    }
    None
}

/// Why a search found nothing.
#[derive(Clone, Copy, Debug)]
pub(super) enum Fail {
    /// A failing row with nothing left to repair.
    #[allow(dead_code)] // read through Debug, by VEIL_MUTANT_TRACE
    Stuck(usize),
    /// Too many repairs.
    Budget,
    /// Every row holds, and so does the one that should fail.
    NotRefused,
}

/// The repair search from `start` with `perturb` applied (see the module docs). Returns an
/// assignment every row holds (row `i` as `accept`) and `refuse` fails.
pub(super) fn repair(
    m: &Mutant,
    start: &[Fr],
    perturb: &[(usize, Fr)],
    strategy: Strategy,
    budget: usize,
) -> Result<Vec<Fr>, Fail> {
    let row = |r: usize| if r == m.i { m.accept } else { &m.rows[r] };
    let mut x = start.to_vec();
    let mut frozen = vec![false; x.len()];
    frozen[0] = true;
    // Failing rows are repaired in row order, the order the circuit computes its values in,
    // so that a change flows forward (a hash's rounds one after the other) rather than
    // being solved backwards through a row visited out of turn.
    let mut work: BTreeSet<usize> = BTreeSet::from([m.i]);
    for &(v, val) in perturb {
        if v == 0 || v >= x.len() {
            return Err(Fail::Stuck(m.i));
        }
        x[v] = val;
        frozen[v] = true;
        work.extend(&m.occurs[v]);
    }
    let mut steps = 0;
    while let Some(r) = work.pop_first() {
        let rr = row(r);
        if holds(rr, &x) {
            continue;
        }
        steps += 1;
        if steps > budget {
            return Err(Fail::Budget);
        }
        // The candidates: untouched variables of the row, once each, in the strategy's order.
        let mut cands: Vec<(u8, usize)> = Vec::new();
        for (mi, lc) in rr.iter().enumerate() {
            for (_, v) in lc {
                if frozen[*v] || cands.iter().any(|c| c.1 == *v) {
                    continue;
                }
                // C before A and B; inputs or derived values as the strategy says, below.
                cands.push((u8::from(mi != 2), *v));
            }
        }
        cands.sort();
        let single = |inputs: bool| {
            cands
                .iter()
                .filter(|c| m.input[c.1] == inputs)
                .find_map(|&(_, u)| {
                    let val = solve_for(rr, &x, u)?;
                    (!m.boolean[u] || val.is_zero() || val.is_one()).then(|| vec![(u, val)])
                })
        };
        let bits = || decompose(rr, &x, m, &frozen, true);
        let whole = || decompose(rr, &x, m, &frozen, false);
        let set = match strategy {
            Strategy::Derived => single(false).or_else(|| single(true)).or_else(bits),
            Strategy::Decompose => whole().or_else(|| single(false)).or_else(|| single(true)),
            Strategy::Inputs => single(true).or_else(|| single(false)).or_else(bits),
        }
        .ok_or(Fail::Stuck(r))?;
        for (u, val) in set {
            x[u] = val;
            frozen[u] = true;
            work.extend(&m.occurs[u]);
        }
        work.insert(r);
    }
    // The answer, checked in full.
    if let Some(r) = (0..m.rows.len()).find(|&r| !holds(row(r), &x)) {
        return Err(Fail::Stuck(r));
    }
    if holds(m.refuse, &x) {
        return Err(Fail::NotRefused);
    }
    Ok(x)
}
