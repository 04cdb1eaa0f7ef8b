//! The `receipt` circuit (issue 16 §3): for every rule, a witness that breaks only that rule
//! is refused by the native check (naming the rule) AND unsatisfiable on R1CS and on Plonky2;
//! a valid witness proves and verifies on both; and a dishonest prover (the broken witness
//! with every intermediate spliced back to its honest value, as in dishonest_circuits.rs) is
//! refused on both backends.
//!
//! Capacity 4: the sample holds 3 receipts (one before the period, one inside, one at its
//! end, i.e. outside) and one padded slot.

use veil_circuits::receipt::{self, ReceiptItem, ReceiptWitness};
use veil_circuits::revenue::{self, Transaction};
use veil_circuits::sample::{receipt_witness, sample_bytes};
use veil_circuits::{
    Circuit, Listed, NativeHasher, PoseidonBls12, PoseidonGoldilocks, Receipt, Rule,
};
use veil_prover::plonky2 as p2;
use veil_prover::plonky2::dishonest as pd;
use veil_prover::r1cs::dishonest as rd;
use veil_verifier::{AnyVerifyingKey, Bytes32};

const CAP: u32 = 4;

/// Recomputes the statement's commitments and totals from the receipts (amount commitments
/// are left as they are).
fn reseal<H: NativeHasher>(w: &mut ReceiptWitness, revenue_too: bool) {
    let s = &mut w.statement;
    if revenue_too {
        let txs: Vec<Transaction> = w
            .receipts
            .iter()
            .map(|r| Transaction {
                digest: r.digest,
                gross_amount_micros: r.gross_amount_micros,
                timestamp: r.timestamp,
            })
            .collect();
        s.transactions_commitment =
            revenue::transactions_commitment::<H>(&s.publisher_id, &txs).unwrap();
        let inside: Vec<&Transaction> = txs
            .iter()
            .filter(|t| revenue::in_period(t.timestamp, s.period_start, s.period_end))
            .collect();
        s.aggregate_revenue_micros = inside.iter().map(|t| t.gross_amount_micros).sum();
        s.transaction_count = inside.len() as u64;
    }
    let cs: Vec<Bytes32> = w.receipts.iter().map(|r| r.amount_commitment).collect();
    s.receipts_commitment = receipt::receipts_commitment::<H>(&s.publisher_id, &cs).unwrap();
}

fn inside_index(w: &ReceiptWitness) -> usize {
    let s = &w.statement;
    w.receipts
        .iter()
        .position(|r| revenue::in_period(r.timestamp, s.period_start, s.period_end))
        .unwrap()
}

/// The cases, each breaking one rule, for hash `H`.
fn cases<H: NativeHasher>() -> Vec<(&'static str, ReceiptWitness, Rule)> {
    let w = receipt_witness::<H>(CAP as usize, 1).unwrap();
    let i = inside_index(&w);
    let mut out = Vec::new();

    // A receipt's amount differs from its commitment: the revenue chain (and its totals)
    // hold the new amount, the receipt's public commitment the old one.
    let mut b = w.clone();
    b.receipts[i].gross_amount_micros += 1;
    reseal::<H>(&mut b, true);
    out.push(("amount differs from its commitment", b, Rule::Commitment));

    // The receipts commitment is not the digest of the receipts' commitments.
    let mut b = w.clone();
    b.statement.receipts_commitment = receipt_witness::<H>(CAP as usize, 2)
        .unwrap()
        .statement
        .receipts_commitment;
    out.push(("another receipts commitment", b, Rule::Commitment));

    // A receipt not in the revenue set: another transaction's digest, its own commitment and
    // the receipts commitment consistent with it.
    let mut b = w.clone();
    let other = revenue::transaction_digest::<H>(
        &sample_bytes("settlement", 999),
        &sample_bytes("package", 999),
        &sample_bytes("blinded-customer", 999),
    )
    .unwrap();
    let r = &mut b.receipts[i];
    r.digest = other;
    r.amount_commitment =
        receipt::amount_commitment::<H>(&r.digest, r.gross_amount_micros, &r.blinding).unwrap();
    reseal::<H>(&mut b, false);
    out.push(("a receipt not in the revenue set", b, Rule::Membership));

    // A receipt added that the revenue chain does not hold (outside the period: totals hold).
    let mut b = w.clone();
    let mut extra = b.receipts[0].clone();
    extra.timestamp -= 1;
    extra.amount_commitment =
        receipt::amount_commitment::<H>(&extra.digest, extra.gross_amount_micros, &extra.blinding)
            .unwrap();
    b.receipts.push(extra);
    reseal::<H>(&mut b, false);
    out.push(("a receipt added to the revenue set", b, Rule::Membership));

    // The sum differs.
    let mut b = w.clone();
    b.statement.aggregate_revenue_micros += 1;
    out.push(("the sum differs by one micro", b, Rule::Total));

    // The count differs.
    let mut b = w.clone();
    b.statement.transaction_count += 1;
    out.push(("the count differs", b, Rule::Count));

    // A receipt inside the period left out of the total.
    let mut b = w.clone();
    b.statement.aggregate_revenue_micros -= w.receipts[i].gross_amount_micros;
    b.statement.transaction_count -= 1;
    out.push((
        "a receipt of the period not counted",
        b,
        Rule::PeriodCoverage,
    ));

    // A padded slot carrying an amount.
    let mut b = w.clone();
    b.padding = vec![ReceiptItem {
        gross_amount_micros: 5,
        ..Default::default()
    }];
    b.statement.aggregate_revenue_micros += 5;
    out.push(("padding carries an amount", b, Rule::Padding));
    out
}

#[test]
fn receipt_rules_on_r1cs() {
    let c = Receipt::new(CAP).unwrap();
    let w = receipt_witness::<PoseidonBls12>(CAP as usize, 1).unwrap();
    c.check::<PoseidonBls12>(&w).unwrap();
    assert!(veil_prover::satisfies(&c, &w).unwrap());
    for (name, b, rule) in cases::<PoseidonBls12>() {
        let v = c.check::<PoseidonBls12>(&b).expect_err(name);
        assert_eq!(
            v.rule, rule,
            "{name}: native check named the wrong rule: {v}"
        );
        assert!(
            !veil_prover::satisfies(&c, &b).unwrap_or(false),
            "{name}: the R1CS constraint system accepted it"
        );
    }
}

#[test]
fn receipt_rules_on_plonky2() {
    type G = PoseidonGoldilocks;
    let c = Receipt::new(CAP).unwrap();
    let w = receipt_witness::<G>(CAP as usize, 1).unwrap();
    let (pk, vk) = p2::setup(&c).unwrap();
    let prover = p2::Prover::new(c, pk).unwrap();
    let env = prover.prove(&w).expect("a valid witness proves");
    AnyVerifyingKey::Plonky2(Box::new(vk))
        .verify(&env)
        .expect("the proof verifies");
    for (name, b, rule) in cases::<G>() {
        let v = c.check::<G>(&b).expect_err(name);
        assert_eq!(
            v.rule, rule,
            "{name}: native check named the wrong rule: {v}"
        );
        let cs = prover.prove_unchecked(&b).map(|p| p.is_some());
        assert!(
            matches!(cs, Ok(false)),
            "{name}: the Plonky2 constraint system did not refuse ({cs:?})"
        );
    }
}

#[test]
fn receipt_proves_and_verifies_on_groth16() {
    let c = Receipt::new(CAP).unwrap();
    let w = receipt_witness::<PoseidonBls12>(CAP as usize, 1).unwrap();
    let (pk, vk) = veil_prover::dev_setup(&c, [7u8; 32]).unwrap();
    let prover = veil_prover::Prover::new(c, pk).unwrap();
    let env = prover.prove(&w).unwrap();
    vk.prepare().verify(&env).unwrap();
}

// ------------------------------------------------------------ the dishonest prover

/// R1CS: the broken witness's honest completion, then with every intermediate that differs
/// from the honest run spliced back (the cheater keeps a tampered secret).
fn r1cs_cheats(cases: &[(&'static str, ReceiptWitness, Rule)]) {
    let circuit = Receipt::with_size(CAP).unwrap();
    let honest = Receipt::sample::<PoseidonBls12>(CAP, 1).unwrap();
    let checker = rd::Checker::new(|api| circuit.define(api, Some(&honest))).unwrap();
    let h = checker
        .run(&rd::Cheats::new(), |api| circuit.define(api, Some(&honest)))
        .unwrap();
    assert!(h.satisfied());
    let n = h.assignment.len() - h.num_instance;
    for (name, broken, _) in cases {
        if broken.receipts.len() != honest.receipts.len() || !broken.padding.is_empty() {
            continue; // another shape: the masks differ, not a splice of one run
        }
        let define = |api: &mut veil_prover::R1csApi| circuit.define(api, Some(broken));
        let b = checker.run(&rd::Cheats::new(), define).unwrap();
        assert!(!b.satisfied(), "{name}: honest completion accepted");
        let mut keep = Receipt::statement(broken) == Receipt::statement(&honest);
        let mut splice = rd::Cheats::new();
        for i in 0..n {
            if b.witness(i) != h.witness(i) && std::mem::take(&mut keep) {
                continue;
            }
            if b.witness(i) != h.witness(i) {
                splice = splice.set(i, h.witness(i));
            }
        }
        assert!(
            !checker.run(&splice, define).unwrap().satisfied(),
            "{name}: the splice accepted"
        );
    }
}

fn plonky2_cheats(cases: &[(&'static str, ReceiptWitness, Rule)]) {
    let circuit = Receipt::with_size(CAP).unwrap();
    let honest = Receipt::sample::<PoseidonGoldilocks>(CAP, 1).unwrap();
    let checker = pd::Checker::new(|api| circuit.define(api, Some(&honest))).unwrap();
    let h = checker
        .run(&pd::Cheats::new(), |api| circuit.define(api, Some(&honest)))
        .unwrap();
    assert!(h.satisfied(), "{:?}", h.verdict);
    for (name, broken, _) in cases {
        let define = |api: &mut veil_prover::plonky2::Plonky2Api| circuit.define(api, Some(broken));
        let b = checker.run(&pd::Cheats::new(), define).unwrap();
        assert!(!b.satisfied(), "{name}: honest completion accepted");
        if broken.receipts.len() != honest.receipts.len() || !broken.padding.is_empty() {
            continue;
        }
        let mut splice = pd::Cheats::new();
        for g in &b.generated {
            for (t, v) in &g.values {
                if checker.is_input(&b, *t) {
                    continue;
                }
                if let Some(hv) = h.value(*t) {
                    if hv != *v {
                        splice = splice.set(*t, hv);
                    }
                }
            }
        }
        assert!(
            !checker.run(&splice, define).unwrap().satisfied(),
            "{name}: the splice accepted"
        );
    }
}

#[test]
fn a_dishonest_prover_is_refused_on_r1cs() {
    r1cs_cheats(&cases::<PoseidonBls12>());
}

#[test]
fn a_dishonest_prover_is_refused_on_plonky2() {
    plonky2_cheats(&cases::<PoseidonGoldilocks>());
}
