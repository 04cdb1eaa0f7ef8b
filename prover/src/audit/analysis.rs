//! The propagation analysis behind `veil audit`.
//!
//! A variable is *determined* when every satisfying assignment that agrees on the inputs
//! agrees on it. Starting from the inputs, the analysis applies these rules to fixpoint; each
//! is sound (it only ever concludes "determined" when uniqueness follows):
//!
//! 1. **Linear rows.** When A (or B) is a constant, or A and B are both determined, the row is
//!    a linear equation in its undetermined variables. One undetermined variable (with its
//!    non-zero coefficient) is determined by it.
//! 2. **Bit and range decompositions.** A linear equation Σ c_i x_i = K in several
//!    undetermined variables, each known to lie in [0, M_i], determines all of them when the
//!    coefficients are superincreasing over the bounds (sorted by |c_i|, each
//!    |c_i| > Σ_{j<i} |c_j|·M_j) and Σ |c_i|·M_i is below the modulus: two solutions would
//!    differ by an integer combination that cannot vanish. This covers Σ b_i 2^i = x with
//!    booleans b_i, and a quotient and remainder q·d + r = a·b with r < d.
//! 3. **Bounds.** b·(1 − b) = 0 bounds b to [0, 1]. A linear row with small integer
//!    coefficients whose variables are all bounded, with no room to wrap the modulus, is an
//!    integer equation: it bounds each variable by what the others leave (so
//!    Σ 2^i g_i + r = d − 1 gives r ≤ d − 1), and a variable equal (coefficient ±1) to a
//!    non-negative bounded sum is bounded by it (x = Σ 2^i b_i gives x < 2^n). A variable
//!    bounded by 0 is 0.
//! 4. **Inverses.** A·(B₀ + k·x) = c with A, B₀ determined and c a non-zero constant
//!    determines x (A cannot be zero).
//! 5. **Is-zero tests.** The pair A·m = y, A·(1 − y) = 0 (or A·y' = 0 with y' linear in y)
//!    with A determined determines y: A ≠ 0 fixes it by the second row, A = 0 by the first.
//!
//! A variable left over is *benign* when, in every row it occurs in, it is the only
//! undetermined variable and it multiplies a determined value (it is in A or in B, not in C,
//! and the other side is determined): where that value is non-zero the row fixes it, where it
//! is zero it multiplies zero, and since nothing was derived from it no determined value
//! depends on it (the inverse hint `m` of an is-zero test). Anything else, including a
//! variable in no constraint at all, is reported as free.
//!
//! **Unbound public inputs.** A public input is determined by definition (the verifier
//! supplies it), so the propagation cannot see one that no constraint looks at: any value
//! then verifies, and the statement claims something the proof does not say. Each public
//! input must occur in a row that binds it: a row whose equation changes with it (in a
//! linear row its coefficients must not cancel) and that holds no free variable that could
//! absorb the change. A public input in no row, or in none that binds it, is reported and
//! fails the audit.

use super::{LabelledSystem, VarKind};
use ark_bls12_381::Fr;
use ark_ff::{BigInteger, Field, PrimeField, Zero};
use num_bigint::BigUint;
use serde::Serialize;

type Lc = Vec<(Fr, usize)>;

/// Rows listed per free variable in a report.
const ROWS_SHOWN: usize = 6;

/// A row in a report: its index and the gadget that made it.
#[derive(Clone, Debug, Serialize)]
pub struct RowRef {
    pub row: usize,
    pub label: String,
}

/// A witness variable the inputs do not determine.
#[derive(Clone, Debug, Serialize)]
pub struct FreeVariable {
    /// Its index among all variables (0 = one, then the public inputs, then the witness).
    pub variable: usize,
    /// The gadget that allocated it (scope path and rule).
    pub label: String,
    pub kind: VarKind,
    /// How many rows it occurs in, and the first few.
    pub occurrences: usize,
    pub rows: Vec<RowRef>,
    /// Why it is harmless, for a benign one.
    pub explanation: Option<String>,
}

/// The result of an audit.
#[derive(Clone, Debug, Serialize)]
pub struct AuditReport {
    pub circuit: String,
    pub backend: &'static str,
    /// What was analysed.
    pub scope: &'static str,
    pub constraints: usize,
    pub public_inputs: usize,
    pub witness_variables: usize,
    pub input_variables: usize,
    pub intermediate_variables: usize,
    pub determined_intermediates: usize,
    /// Passes of the propagation until its fixpoint.
    pub passes: usize,
    /// Undetermined variables no pattern explains: each is a value a prover may choose.
    pub free: Vec<FreeVariable>,
    /// Undetermined variables explained as harmless.
    pub benign: Vec<FreeVariable>,
    /// Public inputs that no constraint binds: a verifier's value the proof says nothing
    /// about (any value verifies). Each fails the audit.
    pub unbound_inputs: Vec<UnboundInput>,
}

/// A public input that occurs in no constraint, or only where it cannot be bound: the proof
/// verifies whatever value the verifier puts there.
#[derive(Clone, Debug, Serialize)]
pub struct UnboundInput {
    /// Its index among all variables (1.. for public inputs).
    pub input: usize,
    pub label: String,
    pub occurrences: usize,
    pub rows: Vec<RowRef>,
    pub reason: String,
}

impl AuditReport {
    /// No unexplained free variable and no unbound public input.
    pub fn is_clean(&self) -> bool {
        self.free.is_empty() && self.unbound_inputs.is_empty()
    }
}

/// Merges terms of the same variable and drops zeros, sorted by variable.
fn normalize(lc: &[(Fr, usize)]) -> Lc {
    let mut v: Lc = lc.to_vec();
    v.sort_by_key(|t| t.1);
    let mut out: Lc = Vec::with_capacity(v.len());
    for (c, i) in v {
        match out.last_mut() {
            Some(last) if last.1 == i => last.0 += c,
            _ => out.push((c, i)),
        }
    }
    out.retain(|t| !t.0.is_zero());
    out
}

/// The value of an LC made of the constant one only (an empty LC is 0).
fn constant(lc: &Lc) -> Option<Fr> {
    lc.iter()
        .all(|t| t.1 == 0)
        .then(|| lc.iter().map(|t| t.0).sum())
}

/// a·x - y, merged.
fn scaled_minus(a: Fr, x: &Lc, y: &Lc) -> Lc {
    let mut terms: Lc = x.iter().map(|(c, i)| (a * c, *i)).collect();
    terms.extend(y.iter().map(|(c, i)| (-*c, *i)));
    normalize(&terms)
}

/// |f| as an integer: the smaller of f and −f.
fn magnitude(f: &Fr) -> BigUint {
    let plus: BigUint = f.into_bigint().into();
    let minus: BigUint = (-*f).into_bigint().into();
    plus.min(minus)
}

/// A field element as a small signed integer (|v| < 2^100), if it is one.
fn small(f: &Fr) -> Option<i128> {
    let as_int = |f: &Fr| {
        let b = f.into_bigint();
        (b.num_bits() <= 100).then(|| i128::from(b.0[0]) | (i128::from(b.0[1]) << 64))
    };
    as_int(f).or_else(|| as_int(&-*f).map(|v| -v))
}

pub(super) struct Row {
    a: Lc,
    b: Lc,
    c: Lc,
    /// The row as a linear equation Σ e_v v = k over small integers, when A or B is constant.
    linear: Option<(Vec<(i128, usize)>, i128)>,
}

impl Row {
    fn vars(&self) -> impl Iterator<Item = usize> + '_ {
        self.a
            .iter()
            .chain(&self.b)
            .chain(&self.c)
            .map(|t| t.1)
            .filter(|&v| v != 0)
    }

    /// b·(1 − b) = 0 (either order, any scaling): the boolean b.
    pub(super) fn booleanity(&self) -> Option<usize> {
        if !self.c.is_empty() {
            return None;
        }
        let check = |single: &Lc, pair: &Lc| -> Option<usize> {
            let [(_, b)] = single.as_slice() else {
                return None;
            };
            let [(one, 0), (minus, v)] = pair.as_slice() else {
                return None;
            };
            (*v == *b && *b != 0 && (*one + *minus).is_zero()).then_some(*b)
        };
        check(&self.a, &self.b).or_else(|| check(&self.b, &self.a))
    }
}

struct State<'a> {
    rows: &'a [Row],
    known: Vec<bool>,
    bound: Vec<Option<i128>>,
    changed: bool,
}

impl State<'_> {
    fn unknown<'l>(&'l self, lc: &'l Lc) -> impl Iterator<Item = &'l (Fr, usize)> + 'l {
        lc.iter().filter(move |t| !self.known[t.1])
    }

    fn count_unknown(&self, lc: &Lc) -> usize {
        lc.iter().filter(|t| !self.known[t.1]).count()
    }

    fn set_known(&mut self, v: usize) {
        if !self.known[v] {
            self.known[v] = true;
            self.changed = true;
        }
    }

    fn set_bound(&mut self, v: usize, m: i128) {
        if m < 0 {
            return; // the row is unsatisfiable; nothing to learn
        }
        if self.bound[v].is_none_or(|old| m < old) {
            self.bound[v] = Some(m);
            self.changed = true;
            if m == 0 {
                self.set_known(v);
            }
        }
    }

    /// Rule 2: several unknowns with superincreasing coefficients over their bounds. The
    /// coefficients may be as large as the field allows (a 128-bit limb's bits carry 2^127), so
    /// this works on big integers; the sum must stay below 2^253 < the modulus.
    fn superincreasing(&self, terms: &[(Fr, usize)]) -> bool {
        let try_with = |factor: Fr| -> Option<bool> {
            let mut items = Vec::with_capacity(terms.len());
            for (c, v) in terms {
                let bound = u128::try_from(self.bound[*v]?).ok()?;
                items.push((magnitude(&(factor * c)), BigUint::from(bound)));
            }
            items.sort();
            let mut acc = BigUint::zero();
            for (s, m) in items {
                if s <= acc {
                    return Some(false);
                }
                acc += s * m;
            }
            Some(acc.bits() < 253)
        };
        try_with(Fr::from(1u64)) == Some(true)
            || terms.first().and_then(|t| t.0.inverse()).and_then(try_with) == Some(true)
    }

    fn determine(&mut self, unknown_terms: &[(Fr, usize)]) {
        match unknown_terms {
            [] => {}
            [(_, v)] => self.set_known(*v),
            many => {
                if self.superincreasing(many) {
                    for (_, v) in many {
                        self.set_known(*v);
                    }
                }
            }
        }
    }

    /// Rule 3 on one linear row.
    fn bounds(&mut self, terms: &[(i128, usize)], k: i128) {
        let mut unbounded = None;
        let (mut pos, mut neg) = (0i128, 0i128);
        for &(e, v) in terms {
            match self.bound[v] {
                Some(m) => {
                    let Some(x) = e.checked_abs().and_then(|a| a.checked_mul(m)) else {
                        return;
                    };
                    if e > 0 {
                        pos = pos.saturating_add(x);
                    } else {
                        neg = neg.saturating_add(x);
                    }
                }
                None if unbounded.is_none() => unbounded = Some((e, v)),
                None => return,
            }
        }
        if pos.saturating_add(neg).saturating_add(k.saturating_abs()) >= 1 << 120 {
            return;
        }
        match unbounded {
            None => {
                // An integer equation pos_part - neg_part = k.
                // e·v is at most what the other side leaves: k + neg for e > 0, pos - k for e < 0.
                for &(e, v) in terms {
                    let rest = if e > 0 { k + neg } else { pos - k };
                    self.set_bound(v, rest / e.abs());
                }
            }
            Some((e, x)) if e == 1 || e == -1 => {
                // e·x = k - Σ others, whose integer value lies in [k - pos, k + neg].
                let (lo, hi) = if e == 1 {
                    (k - pos, k + neg)
                } else {
                    (-k - neg, -k + pos)
                };
                if lo >= 0 {
                    self.set_bound(x, hi);
                }
            }
            Some(_) => {}
        }
    }

    /// Rules 4 and 5: `known_side` determined and not constant, `other` with one unknown.
    fn nonlinear(&mut self, r: usize, known_side: &Lc, other: &Lc, c: &Lc) {
        let [(_, x)] = self.unknown(other).copied().collect::<Vec<_>>()[..] else {
            return;
        };
        if self.count_unknown(c) != 0 {
            return;
        }
        if constant(c).is_some_and(|v| !v.is_zero()) {
            self.set_known(x);
            return;
        }
        // Is-zero test: the previous row is known_side · m = (an LC whose only unknown is x).
        let Some(prev) = r.checked_sub(1).map(|p| &self.rows[p]) else {
            return;
        };
        for (pk, po) in [(&prev.a, &prev.b), (&prev.b, &prev.a)] {
            if pk != known_side || self.count_unknown(pk) != 0 {
                continue;
            }
            let m: Vec<usize> = self.unknown(po).map(|t| t.1).collect();
            let in_c: Vec<usize> = self.unknown(&prev.c).map(|t| t.1).collect();
            if m.len() == 1 && m[0] != x && in_c == [x] {
                self.set_known(x);
                return;
            }
        }
    }

    fn pass(&mut self) {
        for (i, row) in self.rows.iter().enumerate() {
            if let Some((terms, k)) = &row.linear {
                self.bounds(terms, *k);
            }
            let (ua, ub, uc) = (
                self.count_unknown(&row.a),
                self.count_unknown(&row.b),
                self.count_unknown(&row.c),
            );
            if ua + ub + uc == 0 {
                continue;
            }
            let linear_terms = match (constant(&row.a), constant(&row.b)) {
                (Some(k), _) => Some(scaled_minus(k, &row.b, &row.c)),
                (None, Some(k)) => Some(scaled_minus(k, &row.a, &row.c)),
                (None, None) if ua == 0 && ub == 0 => Some(row.c.clone()),
                _ => None,
            };
            match linear_terms {
                Some(terms) => {
                    let unknown: Lc = self.unknown(&terms).copied().collect();
                    self.determine(&unknown);
                }
                None => {
                    if ua == 0 {
                        self.nonlinear(i, &row.a, &row.b, &row.c);
                    } else if ub == 0 {
                        self.nonlinear(i, &row.b, &row.a, &row.c);
                    }
                }
            }
        }
    }
}

/// One row A·B = C, normalized, with its linear form when A or B is a constant.
pub(super) fn build_row(a: &[(Fr, usize)], b: &[(Fr, usize)], c: &[(Fr, usize)]) -> Row {
    let (a, b, c) = (normalize(a), normalize(b), normalize(c));
    let eq = match (constant(&a), constant(&b)) {
        (Some(k), _) => Some(scaled_minus(k, &b, &c)),
        (None, Some(k)) => Some(scaled_minus(k, &a, &c)),
        _ => None,
    };
    let linear = eq.and_then(|eq| {
        let mut k = 0i128;
        let mut terms = Vec::with_capacity(eq.len());
        for (c, v) in &eq {
            let s = small(c)?;
            if *v == 0 {
                k = -s;
            } else {
                terms.push((s, *v));
            }
        }
        Some((terms, k))
    });
    Row { a, b, c, linear }
}

pub(super) fn build_rows(sys: &LabelledSystem) -> Vec<Row> {
    let n = sys.num_constraints();
    (0..n)
        .map(|r| {
            let get = |m: usize| {
                sys.matrices
                    .get(m)
                    .and_then(|m| m.get(r))
                    .map_or(&[][..], |v| v)
            };
            build_row(get(0), get(1), get(2))
        })
        .collect()
}

/// Which variables are inputs (determined from the start): the constant one, the public
/// inputs, and the witness variables the circuit allocated as inputs.
pub(super) fn input_mask(sys: &LabelledSystem) -> Vec<bool> {
    (0..sys.num_instance + sys.num_witness)
        .map(|v| {
            v < sys.num_instance || sys.labels.witness_kind(v - sys.num_instance) == VarKind::Input
        })
        .collect()
}

/// The propagation to its fixpoint: which variables are determined, and the passes it took.
pub(super) fn solve(rows: &[Row], inputs: &[bool]) -> (Vec<bool>, usize) {
    let total = inputs.len();
    let mut state = State {
        rows,
        known: inputs.to_vec(),
        bound: vec![None; total],
        changed: false,
    };
    for row in rows {
        if let Some(b) = row.booleanity() {
            state.set_bound(b, 1);
        }
    }
    let mut passes = 0;
    loop {
        state.changed = false;
        state.pass();
        passes += 1;
        if !state.changed {
            break;
        }
    }
    (state.known, passes)
}

/// Rule 3 alone, to its fixpoint, over every row but `skip`: an upper bound on the integer
/// value of each variable that holds in every assignment satisfying those rows (booleanity
/// rows, then integer equations, see the module docs; and products of booleans,
/// [`product_bound`], which the audit itself does not use). Bound 0 means the variable is 0.
/// The mutation harness uses it to show a mutant equivalent (the rows other than the
/// mutated one already force what the mutant changes).
pub(super) fn bounds(rows: &[Row], total: usize, skip: Option<usize>) -> Vec<Option<i128>> {
    let mut state = State {
        rows,
        known: vec![false; total],
        bound: vec![None; total],
        changed: false,
    };
    let keep = |r: &usize| Some(*r) != skip;
    for (_, row) in rows.iter().enumerate().filter(|(r, _)| keep(r)) {
        if let Some(b) = row.booleanity() {
            state.set_bound(b, 1);
        }
    }
    // Bounds only shrink, so stopping at any pass leaves valid (if weaker) bounds; the cap
    // keeps a slow descent (an unsatisfiable cycle) from running long.
    for _ in 0..64 {
        state.changed = false;
        for (_, row) in rows.iter().enumerate().filter(|(r, _)| keep(r)) {
            if let Some((terms, k)) = &row.linear {
                state.bounds(terms, *k);
            } else if let Some((w, m)) = product_bound(row, &state.bound) {
                state.set_bound(w, m);
            }
        }
        if !state.changed {
            break;
        }
    }
    state.bound
}

/// A product of booleans: A = α + β·a and B = γ + δ·b with a, b bounded by 1 (so in
/// {0, 1}; either side may be a constant), C = c₀ + f·w with w in neither: w is one of the
/// (at most four) values ((α + βa)(γ + δb) − c₀)/f, and when they are all small non-negative
/// integers, w is bounded by the largest (a·b = and, 1 − (1 − a)(1 − b) = or).
fn product_bound(row: &Row, bound: &[Option<i128>]) -> Option<(usize, i128)> {
    // An LC as (constant, Some((coefficient, boolean variable))).
    let side = |lc: &Lc| -> Option<(Fr, Option<(Fr, usize)>)> {
        let mut k = Fr::zero();
        let mut var = None;
        for (c, v) in lc {
            if *v == 0 {
                k += c;
            } else if var.is_none() && bound[*v].is_some_and(|m| m <= 1) {
                var = Some((*c, *v));
            } else {
                return None;
            }
        }
        Some((k, var))
    };
    let (alpha, a) = side(&row.a)?;
    let (gamma, b) = side(&row.b)?;
    let (c0, (f, w)) = {
        let (mut k, mut var) = (Fr::zero(), None);
        for (c, v) in &row.c {
            if *v == 0 {
                k += c;
            } else if var.is_none() {
                var = Some((*c, *v));
            } else {
                return None;
            }
        }
        (k, var?)
    };
    if a.is_some_and(|t| t.1 == w) || b.is_some_and(|t| t.1 == w) {
        return None;
    }
    let inv = f.inverse()?;
    let values = |t: Option<(Fr, usize)>, k: Fr| match t {
        Some((c, _)) => vec![k, k + c],
        None => vec![k],
    };
    let mut max = 0i128;
    for x in values(a, alpha) {
        for y in values(b, gamma) {
            let value = small(&((x * y - c0) * inv)).filter(|v| (0..1 << 64).contains(v))?;
            max = max.max(value);
        }
    }
    Some((w, max))
}

/// The rows each variable occurs in.
pub(super) fn occurrences(rows: &[Row], total: usize) -> Vec<Vec<usize>> {
    let mut occurs: Vec<Vec<usize>> = vec![Vec::new(); total];
    for (r, row) in rows.iter().enumerate() {
        for v in row.vars() {
            if occurs[v].last() != Some(&r) {
                occurs[v].push(r);
            }
        }
    }
    occurs
}

/// The undetermined witness variables no pattern explains (the audit's free variables).
pub(super) fn unexplained(
    rows: &[Row],
    known: &[bool],
    num_instance: usize,
    occurs: &[Vec<usize>],
) -> Vec<usize> {
    (num_instance..known.len())
        .filter(|&v| !known[v] && explain(rows, known, v, &occurs[v]).is_none())
        .collect()
}

/// Whether row `r` binds variable `v`: its equation changes with v's value, and no free
/// variable in it can absorb the change. In a linear row (A or B a constant) v's
/// coefficients must not cancel; in a product row v must multiply a non-empty side or be in
/// C.
fn binds(row: &Row, v: usize, free: &[bool]) -> bool {
    if row.vars().any(|u| free[u]) {
        return false;
    }
    let has = |lc: &Lc| lc.iter().any(|t| t.1 == v);
    match (constant(&row.a), constant(&row.b)) {
        (Some(k), _) => scaled_minus(k, &row.b, &row.c).iter().any(|t| t.1 == v),
        (None, Some(k)) => scaled_minus(k, &row.a, &row.c).iter().any(|t| t.1 == v),
        (None, None) => has(&row.a) || has(&row.b) || has(&row.c),
    }
}

/// Public inputs no constraint binds (see [`UnboundInput`]), with the reason.
pub(super) fn unbound_inputs(
    rows: &[Row],
    num_instance: usize,
    free_vars: &[usize],
    occurs: &[Vec<usize>],
) -> Vec<(usize, &'static str)> {
    let mut free = vec![false; occurs.len()];
    for &v in free_vars {
        free[v] = true;
    }
    (1..num_instance)
        .filter_map(|v| {
            if occurs[v].is_empty() {
                Some((v, "occurs in no constraint"))
            } else if !occurs[v].iter().any(|&r| binds(&rows[r], v, &free)) {
                Some((
                    v,
                    "its occurrences cannot bind it (its coefficients cancel, or a free \
                     variable in the same row absorbs it)",
                ))
            } else {
                None
            }
        })
        .collect()
}

/// Runs the analysis (see the module docs) on a labelled constraint system.
pub fn analyse(sys: &LabelledSystem) -> AuditReport {
    let rows = build_rows(sys);
    let total = sys.num_instance + sys.num_witness;
    let mask = input_mask(sys);
    let inputs = mask[sys.num_instance..].iter().filter(|k| **k).count();
    let (known, passes) = solve(&rows, &mask);
    let occurs = occurrences(&rows, total);
    let row_label = |r: usize| sys.labels.row(r).map(|l| l.to_string()).unwrap_or_default();
    let rows_of = |v: usize| {
        occurs[v]
            .iter()
            .take(ROWS_SHOWN)
            .map(|&r| RowRef {
                row: r,
                label: row_label(r),
            })
            .collect()
    };
    let (mut free, mut benign) = (Vec::new(), Vec::new());
    #[allow(clippy::needless_range_loop)] // v indexes known, occurs and the labels alike
    for v in sys.num_instance..total {
        if known[v] {
            continue;
        }
        let (label, kind) = sys.variable(v);
        let explanation = explain(&rows, &known, v, &occurs[v]);
        let item = FreeVariable {
            variable: v,
            label,
            kind,
            occurrences: occurs[v].len(),
            rows: rows_of(v),
            explanation,
        };
        if item.explanation.is_some() {
            benign.push(item);
        } else {
            free.push(item);
        }
    }
    let free_vars: Vec<usize> = free.iter().map(|f| f.variable).collect();
    let unbound_inputs = unbound_inputs(&rows, sys.num_instance, &free_vars, &occurs)
        .into_iter()
        .map(|(v, why)| UnboundInput {
            input: v,
            label: sys.variable(v).0,
            occurrences: occurs[v].len(),
            rows: rows_of(v),
            reason: why.to_string(),
        })
        .collect();
    let determined = known.iter().filter(|k| **k).count();
    AuditReport {
        circuit: sys.name.clone(),
        backend: "groth16",
        scope: "the R1CS constraint system (groth16; `--backend plonky2` analyses the Plonky2 one)",
        constraints: rows.len(),
        public_inputs: sys.num_instance - 1,
        witness_variables: sys.num_witness,
        input_variables: inputs,
        intermediate_variables: sys.num_witness - inputs,
        determined_intermediates: determined - sys.num_instance - inputs,
        passes,
        free,
        benign,
        unbound_inputs,
    }
}

/// Why an undetermined variable is harmless, if a recognised pattern says so.
fn explain(rows: &[Row], known: &[bool], v: usize, occurs: &[usize]) -> Option<String> {
    if occurs.is_empty() {
        return None;
    }
    let only_v = |lc: &Lc| lc.iter().all(|t| known[t.1] || t.1 == v);
    let has_v = |lc: &Lc| lc.iter().any(|t| t.1 == v);
    let determined = |lc: &Lc| lc.iter().all(|t| known[t.1]);
    let multiplier = occurs.iter().all(|&r| {
        let row = &rows[r];
        only_v(&row.a)
            && only_v(&row.b)
            && determined(&row.c)
            && ((has_v(&row.a) && determined(&row.b)) || (has_v(&row.b) && determined(&row.a)))
    });
    multiplier.then(|| {
        format!(
            "a multiplier of a determined value in each of its {} row(s): where that value is \
             non-zero the row fixes it, where it is zero it multiplies zero, and no other value \
             depends on it (the inverse hint of an is-equal/is-zero test)",
            occurs.len()
        )
    })
}
