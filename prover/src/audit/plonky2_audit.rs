//! `veil audit --backend plonky2`: witness values of the Plonky2 circuit that the inputs do
//! not determine, found by a propagation over the built circuit's gates and copy
//! constraints.
//!
//! The unit is a copy-connected set of wires and virtual targets (a *class*: Plonky2's
//! partition, one value per class). The public inputs, the circuit's input targets (secrets,
//! paths, readings: recorded by [`super::plonky2_labels::LabelledPlonky2`]), the constants
//! (`ConstantGate` outputs, with their values) and the public-input hash are *determined*.
//! Then, to a fixed point:
//! - `ArithmeticGate`, per operation `out = c0·m0·m1 + c1·addend` (the row's constants):
//!   out from determined operands; the addend from out and the product (c1 ≠ 0); a
//!   multiplicand from out when the other is a non-zero constant; and the *decomposition*
//!   `out = H·K + L` (K a constant, L ≤ bound(L) < K, H·K + L below p for every H, L within
//!   their bounds: the split is the integer's own), which determines H and L;
//! - `BaseSumGate` (base 2, k ≤ 63 limbs): the limbs from the sum (the binary decomposition is
//!   unique below 2^63 < p), the sum from the limbs; the sum's *bound* is 2^h − 1, h above the
//!   highest limb not wired to the constant 0 (how `range_check` works);
//! - bounds tighten through `out = X + K` with K a constant (X ≤ bound(out) − K when X's
//!   own bound keeps X + K below p): how `split_product` proves its high limb ≤ 2^32 − 2;
//! - `PoseidonGate`: every wire of the row from the 12 inputs and the swap flag;
//! - constants through an operation: out from constant operands, and a multiplicand from
//!   `m0·m1 = K` with K a non-zero constant (the other factor is then non-zero and fixed:
//!   K/k when it is a constant k, determined when it is determined);
//! - `x − y = 0` rows (plonky2's `sub` connected to the constant zero) make x and y one
//!   value for the is-equal rule below;
//! - the is-equal test (`e·d = 0`, `n = 1 − e`, and `d·m = n`, which plonky2 1.x writes as
//!   `d·m − n = 0`): e and n from d; the hint m is left undetermined and listed as *benign*
//!   when nothing else uses it (it is free exactly when d = 0, where it is multiplied by
//!   zero). Each of the three checks is needed: without `e·d = 0` or `d·m = n` the flag is
//!   free and reported (`prover/tests/audit.rs` builds both);
//! - veil's `u64_mul_div` (the outputs of its `MulDivGenerator`): q and r from a and b, by
//!   the gadget's lemma (a·b = q·d + r, r < d, checked exactly over 32-bit limbs; see
//!   `Plonky2Api::mul_div_exact`, proven there and tested by the gadget and dishonest-prover
//!   tests), not by this propagation: listed as such in the report.
//!
//! A class made of a single wire and nothing else (no copy constraint) can only matter to
//! its own row: if such a wire were free and its row let it change a used value, that used
//! value would be undetermined itself and reported; these are counted as unused. Every other
//! undetermined class is listed with its row, gate and gadget, except the blinding rows of
//! zero knowledge (`NoopGate` rows whose wires Plonky2 fills at random and copy-connects only
//! to each other: no gate reads them), which are counted as unused too. Gates the analysis does not
//! know determine nothing (their outputs are reported: conservative, never clean by
//! omission).
//!
//! **Status.** All nine circuits come out clean at size 4 (CI's `veil audit --backend plonky2`
//! over every circuit `veil circuits` lists). What stayed undetermined before the
//! is-equal rule matched plonky2 1.x's `d·m − n = 0` form was every flag of
//! `id_assert_not_equal`'s limb-wise tests and, through the `and` chain over them, the
//! Merkle selects that read the same token ids (renewal, isolation, waterfall): a dead rule,
//! not a gap in the circuits.

use super::plonky2_debug::{compile_labelled, gate_kind, row_gates, row_label, RowGates};
use super::plonky2_labels::{LabelledPlonky2, RowLabels};
use crate::error::ProveError;
use crate::plonky2::dishonest::Checker;
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::iop::generator::GeneratedValues;
use plonky2::iop::target::Target;
use plonky2::iop::witness::PartitionWitness;
use serde::Serialize;
use std::collections::HashMap;
use veil_circuits::{Circuit, CircuitError};
use veil_verifier::plonky2::F;

/// Classes listed with all their rows (the first of these are kept).
const ROWS_SHOWN: usize = 6;

/// A row that holds a wire of a class.
#[derive(Clone, Debug, Serialize)]
pub struct ClassRow {
    pub row: usize,
    pub column: usize,
    pub gate: String,
    pub label: String,
}

/// A class (copy-connected set) the inputs do not determine.
#[derive(Clone, Debug, Serialize)]
pub struct UndeterminedClass {
    /// The gadget of the first row holding it.
    pub label: String,
    pub rule: Option<String>,
    /// Wires (and virtual targets) in the class.
    pub members: usize,
    pub rows: Vec<ClassRow>,
    /// Why it is harmless, for a benign one.
    pub explanation: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Plonky2AuditReport {
    pub circuit: String,
    pub backend: &'static str,
    pub scope: String,
    /// Rows placed by the circuit, and rows in all.
    pub gates: usize,
    pub rows: usize,
    /// Copy-connected classes holding a used value (more than one member).
    pub classes: usize,
    /// Classes determined from the start: public inputs, secrets, constants.
    pub input_classes: usize,
    pub determined_classes: usize,
    pub passes: usize,
    /// Single wires no copy constraint touches (see the module docs), and the blinding wires
    /// of zero knowledge (copy-connected wires of `NoopGate` rows only).
    pub unused_wires: usize,
    /// Classes determined by the `u64_mul_div` lemma (quotient and remainder limbs).
    pub by_lemma: usize,
    /// Rows of gates the analysis does not know (nothing is derived from them).
    pub unknown_gate_rows: usize,
    pub benign: Vec<UndeterminedClass>,
    pub free: Vec<UndeterminedClass>,
}

impl Plonky2AuditReport {
    pub fn is_clean(&self) -> bool {
        self.free.is_empty()
    }
}

#[derive(Clone, Copy)]
struct Op {
    c0: F,
    c1: F,
    m0: usize,
    m1: usize,
    a: usize,
    out: usize,
}

enum Row {
    BaseSum { sum: usize, limbs: Vec<usize> },
    Poseidon { inputs: Vec<usize>, all: Vec<usize> },
}

/// The analysis state, by class representative.
struct State {
    det: Vec<bool>,
    konst: HashMap<usize, F>,
    bound: HashMap<usize, u128>,
    changed: bool,
}

impl State {
    fn set(&mut self, c: usize) {
        if !self.det[c] {
            self.det[c] = true;
            self.changed = true;
        }
    }
    fn tighten(&mut self, c: usize, b: u128) {
        let e = self.bound.entry(c).or_insert(u128::MAX);
        if b < *e {
            *e = b;
            self.changed = true;
        }
    }
    fn set_k(&mut self, c: usize, v: F) {
        self.set(c);
        if self.konst.insert(c, v).is_none() {
            self.changed = true;
        }
    }
    fn k(&self, c: usize) -> Option<F> {
        self.konst.get(&c).copied()
    }
    fn b(&self, c: usize) -> Option<u128> {
        self.bound.get(&c).copied()
    }
}

fn param(id: &str, name: &str) -> Option<usize> {
    let rest = &id[id.find(name)? + name.len()..];
    let digits: String = rest
        .trim_start_matches([':', ' '])
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

const P: u128 = F::ORDER as u128;

/// Audits a circuit's Plonky2 constraint system.
pub fn audit<Cir: Circuit>(circuit: &Cir) -> Result<Plonky2AuditReport, ProveError> {
    let (checker, labels) = compile_labelled(circuit)?;
    Ok(analyse(&circuit.id().to_string(), &checker, &labels))
}

/// Audits constraints built by `build` on the labelled Plonky2 backend (`name` is the
/// outermost scope): how a gadget under test is audited.
pub fn audit_definition(
    name: &str,
    build: impl FnOnce(&mut LabelledPlonky2<'_>) -> Result<(), CircuitError>,
) -> Result<Plonky2AuditReport, ProveError> {
    let (checker, labels) = Checker::new_with(|api| {
        let mut l = LabelledPlonky2::new(api, name);
        build(&mut l)?;
        Ok(l.into_labels())
    })?;
    Ok(analyse(name, &checker, &labels))
}

/// The propagation over a built circuit (see the module docs).
pub fn analyse(name: &str, checker: &Checker, labels: &RowLabels) -> Plonky2AuditReport {
    let data = &checker.data;
    let common = &data.common;
    let prover = &data.prover_only;
    let n = common.degree();
    let w = common.config.num_wires;
    let map = &prover.representative_map;
    let rg: RowGates = row_gates(data);
    let wire = |row: usize, col: usize| map[Target::wire(row, col).index(w, n)];
    let class = |t: Target| map[t.index(w, n)];

    let mut members = vec![0usize; map.len()];
    for &r in map.iter() {
        members[r] += 1;
    }
    let mut st = State {
        det: vec![false; map.len()],
        konst: HashMap::new(),
        bound: HashMap::new(),
        changed: false,
    };
    for t in &prover.public_inputs {
        st.set(class(*t));
    }
    for (t, _) in &labels.inputs {
        st.set(class(*t));
    }

    let mut ops: Vec<Op> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut unknown_gate_rows = 0;
    let gate_name = |row: usize| rg.gate[row].map(|g| common.gates[g].0.id());
    for row in 0..n {
        let Some(g) = rg.gate[row] else { continue };
        let id = common.gates[g].0.id();
        let consts = &rg.constants[row];
        match gate_kind(&id).as_str() {
            "ArithmeticGate" => {
                // One (c0, c1) per row: Plonky2 batches operations with equal constants.
                let num_ops = param(&id, "num_ops").unwrap_or(0);
                let c0 = consts.first().copied().unwrap_or(F::ZERO);
                let c1 = consts.get(1).copied().unwrap_or(F::ZERO);
                for i in 0..num_ops {
                    ops.push(Op {
                        c0,
                        c1,
                        m0: wire(row, 4 * i),
                        m1: wire(row, 4 * i + 1),
                        a: wire(row, 4 * i + 2),
                        out: wire(row, 4 * i + 3),
                    });
                }
            }
            "ConstantGate" => {
                let k = param(&id, "num_consts").unwrap_or(0);
                for i in 0..k {
                    let c = wire(row, i);
                    st.set(c);
                    if let Some(v) = consts.get(i) {
                        st.konst.insert(c, *v);
                    }
                }
            }
            "PublicInputGate" => {
                for i in 0..4 {
                    st.set(wire(row, i));
                }
            }
            "BaseSumGate" if id.ends_with("Base: 2") => {
                let k = param(&id, "num_limbs").unwrap_or(0);
                rows.push(Row::BaseSum {
                    sum: wire(row, 0),
                    limbs: (1..=k).map(|c| wire(row, c)).collect(),
                });
            }
            "PoseidonGate" => {
                let all: Vec<usize> = (0..common.gates[g].0.num_wires())
                    .map(|c| wire(row, c))
                    .collect();
                let mut inputs: Vec<usize> = (0..12).map(|c| wire(row, c)).collect();
                inputs.push(wire(row, 24));
                rows.push(Row::Poseidon { inputs, all });
            }
            "NoopGate" => {}
            _ => unknown_gate_rows += 1,
        }
    }
    let inputs_at_start = st
        .det
        .iter()
        .enumerate()
        .filter(|(c, d)| **d && members[*c] > 1)
        .count();

    // Bounds of range-checked sums (constants are known by now).
    for r in &rows {
        if let Row::BaseSum { sum, limbs } = r {
            let h = limbs
                .iter()
                .rposition(|l| st.k(*l) != Some(F::ZERO))
                .map_or(0, |i| i + 1);
            if h < 64 {
                st.tighten(*sum, (1u128 << h) - 1);
            }
        }
    }
    for (c, v) in st.konst.clone() {
        st.tighten(c, u128::from(v.to_canonical_u64()));
    }

    // u64_mul_div's quotient and remainder: the targets its generator sets.
    let mut lemma: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for g in &prover.generators {
        if g.0.id() != "VeilMulDivGenerator" {
            continue;
        }
        let deps = g.0.watch_list();
        let mut pw = PartitionWitness::new(w, n, map);
        if deps
            .iter()
            .any(|t| pw.set_target_returning_rep(*t, F::ZERO).is_err())
        {
            continue;
        }
        let mut buf = GeneratedValues::empty();
        let _ = g.0.run(&pw, &mut buf);
        let outs: Vec<usize> = buf.target_values.iter().map(|(t, _)| class(*t)).collect();
        lemma.push((deps.iter().map(|t| class(*t)).collect(), outs));
    }
    let mut by_lemma = std::collections::HashSet::new();

    // Ops by output class, for the is-equal pattern.
    let mut by_out: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, op) in ops.iter().enumerate() {
        by_out.entry(op.out).or_default().push(i);
    }
    // `x − y = 0` rows (plonky2's `sub` connected to zero): x and y are one value. Plonky2
    // 1.x's is-equal test checks `d·m − n = 0` this way instead of writing d·m into n.
    let mut equal_to: HashMap<usize, Vec<usize>> = HashMap::new();
    for op in &ops {
        if op.c1 != F::NEG_ONE || st.k(op.out) != Some(F::ZERO) {
            continue;
        }
        let x = match (st.k(op.m0), st.k(op.m1)) {
            (_, Some(k)) if k * op.c0 == F::ONE => op.m0,
            (Some(k), _) if k * op.c0 == F::ONE => op.m1,
            _ => continue,
        };
        equal_to.entry(x).or_default().push(op.a);
        equal_to.entry(op.a).or_default().push(x);
    }
    let mut hints: Vec<usize> = Vec::new();

    let mut passes = 0;
    loop {
        passes += 1;
        st.changed = false;
        for op in &ops {
            let first_zero = op.c0 == F::ZERO;
            let second_zero = op.c1 == F::ZERO || st.k(op.a) == Some(F::ZERO);
            let prod = first_zero || (st.det[op.m0] && st.det[op.m1]);
            let add = second_zero || st.det[op.a];
            if prod && add {
                st.set(op.out);
            }
            if st.det[op.out] && prod && op.c1 != F::ZERO {
                st.set(op.a);
            }
            if st.det[op.out] && add && !first_zero {
                if st.k(op.m0).is_some_and(|k| k != F::ZERO) {
                    st.set(op.m1);
                }
                if st.k(op.m1).is_some_and(|k| k != F::ZERO) {
                    st.set(op.m0);
                }
            }
            // Constants through the operation, both ways.
            let prod_k = if first_zero {
                Some(F::ZERO)
            } else {
                st.k(op.m0).zip(st.k(op.m1)).map(|(x, y)| op.c0 * x * y)
            };
            let add_k = if second_zero {
                Some(F::ZERO)
            } else {
                st.k(op.a).map(|a| op.c1 * a)
            };
            if let (Some(p), Some(a), None) = (prod_k, add_k, st.k(op.out)) {
                st.set_k(op.out, p + a);
            }
            // m0·m1 = K ≠ 0: each multiplicand is K over the other, and non-zero.
            if let (Some(out), Some(a), false) = (st.k(op.out), add_k, first_zero) {
                let product = (out - a) / op.c0;
                if product != F::ZERO {
                    for (x, y) in [(op.m0, op.m1), (op.m1, op.m0)] {
                        if let (Some(kx), None) = (st.k(x), st.k(y)) {
                            // kx = 0 cannot hold with a non-zero product: nothing to learn.
                            if kx != F::ZERO {
                                st.set_k(y, product / kx);
                            }
                        } else if st.det[x] {
                            st.set(y);
                        }
                    }
                }
            }
            // out = H·K + L: a unique split.
            if st.det[op.out] && !first_zero && op.c1 == F::ONE {
                for (h, kc) in [(op.m0, op.m1), (op.m1, op.m0)] {
                    let Some(k) = st.k(kc) else { continue };
                    let k = u128::from((k * op.c0).to_canonical_u64());
                    if let (Some(bh), Some(bl)) = (st.b(h), st.b(op.a)) {
                        if k > 0 && bl < k && bh.saturating_mul(k).saturating_add(bl) < P {
                            st.set(h);
                            st.set(op.a);
                        }
                    }
                }
            }
            // out = X + K: X ≤ bound(out) − K.
            if op.c0 == F::ONE && op.c1 == F::ONE {
                let x = if st.k(op.m1) == Some(F::ONE) {
                    Some(op.m0)
                } else if st.k(op.m0) == Some(F::ONE) {
                    Some(op.m1)
                } else {
                    None
                };
                if let (Some(x), Some(k), Some(bo)) = (x, st.k(op.a), st.b(op.out)) {
                    let k = u128::from(k.to_canonical_u64());
                    if let Some(bx) = st.b(x) {
                        if bx + k < P && bo >= k {
                            st.tighten(x, bo - k);
                        }
                    }
                }
            }
            // The is-equal test: this op is e·d = 0.
            if op.c0 != F::ZERO && second_zero && st.k(op.out) == Some(F::ZERO) {
                for (e, d) in [(op.m0, op.m1), (op.m1, op.m0)] {
                    if st.det[e] || !st.det[d] {
                        continue;
                    }
                    // n = 1 − e: an op with out n, c0·m0·m1 the constant 1, c1 = −1, addend e.
                    let not_e = ops.iter().find(|o| {
                        o.a == e
                            && o.c1 == F::NEG_ONE
                            && st.k(o.m0).zip(st.k(o.m1)).map(|(x, y)| x * y * o.c0) == Some(F::ONE)
                    });
                    let Some(not_e) = not_e else { continue };
                    // d·m = n (or d·m = t with t − n = 0).
                    let same_as_n = equal_to.get(&not_e.out).into_iter().flatten();
                    let hint = std::iter::once(&not_e.out).chain(same_as_n).find_map(|t| {
                        by_out.get(t)?.iter().map(|i| &ops[*i]).find_map(|o| {
                            let sz = o.c1 == F::ZERO || st.k(o.a) == Some(F::ZERO);
                            if o.c0 != F::ONE || !sz {
                                None
                            } else if o.m0 == d {
                                Some(o.m1)
                            } else if o.m1 == d {
                                Some(o.m0)
                            } else {
                                None
                            }
                        })
                    });
                    if let Some(m) = hint {
                        st.set(e);
                        st.set(not_e.out);
                        hints.push(m);
                    }
                }
            }
        }
        for r in &rows {
            match r {
                Row::BaseSum { sum, limbs } => {
                    if st.det[*sum] && limbs.len() <= 63 {
                        for l in limbs {
                            st.set(*l);
                        }
                    }
                    if limbs.iter().all(|l| st.det[*l]) {
                        st.set(*sum);
                    }
                }
                Row::Poseidon { inputs, all } => {
                    if inputs.iter().all(|c| st.det[*c]) {
                        for c in all {
                            st.set(*c);
                        }
                    }
                }
            }
        }
        for (deps, outs) in &lemma {
            if deps.iter().all(|c| st.det[*c]) {
                for o in outs {
                    if !st.det[*o] {
                        by_lemma.insert(*o);
                    }
                    st.set(*o);
                }
            }
        }
        if !st.changed || passes > 10_000 {
            break;
        }
    }

    // Where each class occurs, for the report.
    let mut occurs: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    let mut used = 0;
    let mut unused_wires = 0;
    for row in 0..n {
        for col in 0..w {
            let c = wire(row, col);
            if members[c] > 1 {
                occurs.entry(c).or_default().push((row, col));
            } else if !st.det[c] {
                unused_wires += 1;
            }
        }
    }
    let mut benign = Vec::new();
    let mut free = Vec::new();
    let mut determined = 0;
    let mut classes: Vec<(&usize, &Vec<(usize, usize)>)> = occurs.iter().collect();
    classes.sort_by_key(|(_, rows)| rows[0]);
    // How often each class is an operand of an arithmetic op or a gate row's wire.
    let mut op_uses: HashMap<usize, usize> = HashMap::new();
    for op in &ops {
        for c in [op.m0, op.m1, op.a] {
            *op_uses.entry(c).or_default() += 1;
        }
    }
    for (&c, at) in classes {
        // Zero-knowledge blinding: copy-connected wires of `NoopGate` rows only, which no
        // gate constrains and nothing else reads (random values by design).
        let noop =
            |row: usize| gate_name(row).as_deref().map(gate_kind).as_deref() == Some("NoopGate");
        if !st.det[c] && at.len() == members[c] && at.iter().all(|&(row, _)| noop(row)) {
            unused_wires += at.len();
            continue;
        }
        used += 1;
        if st.det[c] {
            determined += 1;
            continue;
        }
        let rows: Vec<ClassRow> = at
            .iter()
            .take(ROWS_SHOWN)
            .map(|&(row, column)| ClassRow {
                row,
                column,
                gate: gate_name(row).as_deref().map(gate_kind).unwrap_or_default(),
                label: row_label(labels, row, gate_name(row).as_deref()).to_string(),
            })
            .collect();
        let first = row_label(labels, at[0].0, gate_name(at[0].0).as_deref());
        // A hint used by one multiplication only, besides the wires of that operation.
        let is_hint = hints.contains(&c) && op_uses.get(&c).copied().unwrap_or(0) <= 1;
        let entry = UndeterminedClass {
            label: first.path.clone(),
            rule: first.rule.map(|r| r.to_string()),
            members: members[c],
            rows,
            explanation: is_hint.then(|| {
                "the inverse hint of an is-equal test: a multiplier of the difference d, free \
                 exactly when d = 0 (where d·m = 0 whatever m is), used nowhere else"
                    .to_string()
            }),
        };
        if is_hint {
            benign.push(entry);
        } else {
            free.push(entry);
        }
    }
    Plonky2AuditReport {
        circuit: name.to_string(),
        backend: "plonky2",
        scope: "the Plonky2 circuit: gate constraints and copy constraints over Goldilocks \
                (the R1CS constraint system is audited by `veil audit` without --backend)"
            .into(),
        gates: labels.gates,
        rows: n,
        classes: used,
        input_classes: inputs_at_start,
        determined_classes: determined,
        passes,
        unused_wires,
        by_lemma: by_lemma.len(),
        unknown_gate_rows,
        benign,
        free,
    }
}
