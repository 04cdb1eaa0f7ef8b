//! The flow-budget circuit (seed 001 §3): for every rule, a witness that breaks only that
//! rule is refused by the native check (naming the rule), leaves the R1CS constraint system
//! unsatisfied and is refused by the Plonky2 constraint system; valid witnesses (the sample,
//! a charge up to the limit exactly, a charge that starts a new epoch) prove and verify on
//! both backends; and a dishonest prover (values set after honest witness generation, the
//! splice of `dishonest_circuits.rs`) is refused on both backends for every case.
//!
//! Every case is built by changing one value of the sample and re-sealing the commitments
//! computed from it (`FlowBudgetWitness::seal`), so that it breaks exactly one rule.

use veil_circuits::flow_budget::{self as fb, FlowBudgetWitness};
use veil_circuits::{
    Circuit, FlowBudget, Listed, NativeHasher, PoseidonBls12, PoseidonGoldilocks, Rule,
};
use veil_prover::plonky2 as p2;
use veil_prover::plonky2::dishonest as pd;
use veil_prover::r1cs::dishonest as rd;
use veil_prover::{dev_setup, satisfies, Prover};
use veil_verifier::{AnyVerifyingKey, Bytes32};

const DEPTH: u32 = 4;

type Case = (&'static str, Rule, fn(&mut FlowBudgetWitness));

fn sample<H: NativeHasher>() -> FlowBudgetWitness {
    FlowBudget::sample::<H>(DEPTH, 1).unwrap()
}

/// The sample's charge moved to the next epoch: the old state (epoch 7) resets.
fn rollover<H: NativeHasher>() -> FlowBudgetWitness {
    let w = sample::<H>();
    fb::charge::<H>(fb::Charge {
        root: w.statement.root,
        path: w.path.clone(),
        account_secret: w.account_secret,
        app_id: w.statement.app_id,
        ctx: w.statement.ctx,
        dst: w.dst,
        epoch: w.old.epoch + 1,
        limit: w.statement.limit,
        old: w.old.clone(),
        cost: w.cost,
        nonce: w.nonce,
        new_blinding: w.new_blinding,
    })
    .unwrap()
}

/// A charge of `cost` on the sample's old state (same epoch).
fn with_cost<H: NativeHasher>(cost: u64, limit: u64) -> FlowBudgetWitness {
    let mut w = sample::<H>();
    w.cost = cost;
    w.new_spent = w.old.spent + cost;
    w.statement.limit = limit;
    w.seal::<H>().unwrap();
    w
}

/// Breaks one rule of `w` (built with hash `H`); the case's function calls `reseal`.
fn reseal<H: NativeHasher>(w: &mut FlowBudgetWitness) {
    w.seal::<H>().unwrap()
}

/// The cases, each a function of the sample witness; those that need the hash re-seal with
/// both hashes' helpers through `H` chosen by the caller. Written twice (one per hash) by the
/// macro below.
macro_rules! cases {
    ($H:ty) => {{
        let v: Vec<Case> = vec![
            ("membership: another registry root", Rule::Membership, |w| {
                w.statement.root = Bytes32::from_u64(7)
            }),
            (
                "commitment: old_state of another state",
                Rule::Commitment,
                |w| w.statement.old_state = Bytes32::from_u64(8),
            ),
            (
                "context identity: src derived for another context",
                Rule::ContextIdentity,
                |w| {
                    w.src = fb::context_identity::<$H>(
                        &w.account_secret,
                        &w.statement.app_id,
                        &Bytes32::from_u64(99),
                    )
                    .unwrap();
                    reseal::<$H>(w)
                },
            ),
            (
                "context identity: another account's identity for this context",
                Rule::ContextIdentity,
                |w| {
                    let other = fb::account_secret(&[5; 32]);
                    w.src =
                        fb::context_identity::<$H>(&other, &w.statement.app_id, &w.statement.ctx)
                            .unwrap();
                    reseal::<$H>(w)
                },
            ),
            (
                "epoch transition: the old state is of a later epoch",
                Rule::EpochTransition,
                |w| {
                    w.old.epoch = w.statement.epoch + 1;
                    reseal::<$H>(w)
                },
            ),
            (
                "charge arithmetic: new spent one more than old + cost",
                Rule::BudgetArithmetic,
                |w| {
                    w.new_spent += 1;
                    reseal::<$H>(w)
                },
            ),
            (
                "charge arithmetic: new spent one less (charging gives budget back)",
                Rule::BudgetArithmetic,
                |w| {
                    w.new_spent -= 1;
                    reseal::<$H>(w)
                },
            ),
            (
                "charge arithmetic: spent + cost wraps 64 bits",
                Rule::BudgetArithmetic,
                |w| {
                    w.old.spent = u64::MAX - 10;
                    w.new_spent = w.old.spent.wrapping_add(w.cost);
                    w.statement.limit = u64::MAX;
                    reseal::<$H>(w)
                },
            ),
            ("budget limit: one over the limit", Rule::BudgetLimit, |w| {
                w.cost = w.statement.limit - w.old.spent + 1;
                w.new_spent = w.old.spent + w.cost;
                reseal::<$H>(w)
            }),
            (
                "receipt chain: prev_receipt is not the budget's last receipt",
                Rule::ReceiptChain,
                |w| {
                    w.statement.prev_receipt = Bytes32::from_u64(12);
                    reseal::<$H>(w)
                },
            ),
            (
                "receipt hash: another receipt (new state re-made for it)",
                Rule::ReceiptHash,
                |w| {
                    w.statement.receipt = Bytes32::from_u64(13);
                    w.statement.new_state = fb::state_commitment::<$H>(
                        &w.account_secret,
                        &w.statement.ctx,
                        &w.dst,
                        &w.new_state(),
                    )
                    .unwrap();
                },
            ),
            (
                "receipt hash: the receipt's cost is not the one charged",
                Rule::ReceiptHash,
                |w| {
                    let mut r = w.receipt();
                    r.cost += 1;
                    w.statement.receipt = r.hash::<$H>().unwrap();
                    w.statement.new_state = fb::state_commitment::<$H>(
                        &w.account_secret,
                        &w.statement.ctx,
                        &w.dst,
                        &w.new_state(),
                    )
                    .unwrap();
                },
            ),
            ("new state: another new state", Rule::NewState, |w| {
                w.statement.new_state = Bytes32::from_u64(14)
            }),
        ];
        v
    }};
}

/// Cases on the rollover witness (a charge that starts epoch 8).
macro_rules! rollover_cases {
    ($H:ty) => {{
        let v: Vec<Case> = vec![
            (
                "cross-epoch replay: the first receipt of epoch 8 chains to epoch 7's last",
                Rule::CrossEpochReplay,
                |w| {
                    w.statement.prev_receipt = w.old.last_receipt;
                    reseal::<$H>(w)
                },
            ),
            (
                "cross-epoch replay: chained to epoch 7's anchor",
                Rule::CrossEpochReplay,
                |w| {
                    w.statement.prev_receipt =
                        fb::receipt_anchor::<$H>(&w.statement.ctx, w.old.epoch).unwrap();
                    reseal::<$H>(w)
                },
            ),
            (
                "charge arithmetic: old spent carried into the new epoch",
                Rule::BudgetArithmetic,
                |w| {
                    w.new_spent = w.old.spent + w.cost;
                    reseal::<$H>(w)
                },
            ),
        ];
        v
    }};
}

fn broken(base: &FlowBudgetWitness, f: fn(&mut FlowBudgetWitness)) -> FlowBudgetWitness {
    let mut w = base.clone();
    f(&mut w);
    w
}

// ---------------------------------------------------------------- R1CS

#[test]
fn flow_budget_rules_r1cs() {
    type H = PoseidonBls12;
    let c = FlowBudget::new(DEPTH).unwrap();
    for valid in [
        sample::<H>(),
        rollover::<H>(),
        with_cost::<H>(60, 100), // up to the limit exactly
        with_cost::<H>(0, 40),   // a zero charge at a full budget
    ] {
        c.check::<H>(&valid).unwrap();
        assert!(satisfies(&c, &valid).unwrap(), "a valid charge is refused");
    }
    let runs = [
        (sample::<H>(), cases!(H)),
        (rollover::<H>(), rollover_cases!(H)),
    ];
    for (base, cases) in runs {
        for (name, rule, f) in cases {
            let w = broken(&base, f);
            let v = c.check::<H>(&w).expect_err(name);
            assert_eq!(
                v.rule, rule,
                "{name}: native check named the wrong rule: {v}"
            );
            assert!(
                !satisfies(&c, &w).unwrap_or(false),
                "{name}: the R1CS constraint system accepted it"
            );
        }
    }
    // A path of the wrong depth.
    let mut w = sample::<H>();
    w.path.siblings.pop();
    assert_eq!(c.check::<H>(&w).unwrap_err().rule, Rule::WellFormed);
    assert!(!satisfies(&c, &w).unwrap_or(false));
    // A digest that is not a field element.
    let mut w = sample::<H>();
    w.dst = Bytes32([0xff; 32]);
    assert_eq!(c.check::<H>(&w).unwrap_err().rule, Rule::WellFormed);
    assert!(!satisfies(&c, &w).unwrap_or(false));
}

#[test]
fn flow_budget_proves_and_verifies_groth16() {
    type H = PoseidonBls12;
    let c = FlowBudget::new(DEPTH).unwrap();
    let (pk, vk) = dev_setup(&c, [3; 32]).unwrap();
    let prover = Prover::new(c, pk).unwrap();
    let verifier = vk.prepare();
    for w in [sample::<H>(), rollover::<H>()] {
        let env = prover.prove(&w).unwrap();
        verifier.verify(&env).unwrap();
        // Another limit, a later epoch: the same proof does not verify.
        let mut bad = env.clone();
        if let veil_verifier::Statement::FlowBudget(s) = &mut bad.statement {
            s.limit += 1;
        }
        assert!(verifier.verify(&bad).is_err());
        let mut bad = env.clone();
        if let veil_verifier::Statement::FlowBudget(s) = &mut bad.statement {
            s.epoch += 1;
        }
        assert!(verifier.verify(&bad).is_err());
    }
    // The prover refuses an over-budget charge before proving (charge-before-send).
    assert!(prover.prove(&with_cost::<H>(61, 100)).is_err());
}

// ---------------------------------------------------------------- Plonky2

#[test]
fn flow_budget_rules_plonky2() {
    type H = PoseidonGoldilocks;
    let c = FlowBudget::new(DEPTH).unwrap();
    let (pk, vk) = p2::setup(&c).unwrap();
    let prover = p2::Prover::new(c, pk).unwrap();
    let vk = AnyVerifyingKey::Plonky2(Box::new(vk));
    for valid in [sample::<H>(), rollover::<H>()] {
        let env = prover.prove(&valid).expect("a valid charge proves");
        vk.verify(&env).expect("the proof verifies");
    }
    let runs = [
        (sample::<H>(), cases!(H)),
        (rollover::<H>(), rollover_cases!(H)),
    ];
    for (base, cases) in runs {
        for (name, rule, f) in cases {
            let w = broken(&base, f);
            let v = c.check::<H>(&w).expect_err(name);
            assert_eq!(
                v.rule, rule,
                "{name}: native check named the wrong rule: {v}"
            );
            let cs = prover.prove_unchecked(&w).map(|p| p.is_some());
            assert!(
                matches!(cs, Ok(false)),
                "{name}: the Plonky2 constraint system did not refuse ({cs:?})"
            );
        }
    }
}

// ---------------------------------------------------------------- dishonest provers

/// R1CS: each case's honest completion is refused, and so is the splice (every intermediate
/// that differs from the honest run put back to its honest value), as in
/// dishonest_circuits.rs.
fn r1cs_dishonest(base: &FlowBudgetWitness, cases: &[Case]) {
    type H = PoseidonBls12;
    let circuit = FlowBudget::new(DEPTH).unwrap();
    let honest = base.clone();
    circuit.check::<H>(&honest).unwrap();
    let checker = rd::Checker::new(|api| circuit.define(api, Some(&honest))).unwrap();
    let h = checker
        .run(&rd::Cheats::new(), |api| circuit.define(api, Some(&honest)))
        .unwrap();
    assert!(h.satisfied());
    let n = h.assignment.len() - h.num_instance;
    for (name, _, f) in cases {
        let w = broken(&honest, *f);
        let define = |api: &mut veil_prover::R1csApi| circuit.define(api, Some(&w));
        let b = checker.run(&rd::Cheats::new(), define).unwrap();
        assert!(!b.satisfied(), "{name}: honest completion accepted");
        let mut keep = FlowBudget::statement(&w) == FlowBudget::statement(&honest);
        let mut splice = rd::Cheats::new();
        for i in 0..n {
            if b.witness(i) != h.witness(i) && std::mem::take(&mut keep) {
                continue;
            }
            if b.witness(i) != h.witness(i) {
                splice = splice.set(i, h.witness(i));
            }
        }
        let s = checker.run(&splice, define).unwrap();
        assert!(!s.satisfied(), "{name}: the splice accepted");
    }
}

fn plonky2_dishonest(base: &FlowBudgetWitness, cases: &[Case]) {
    type H = PoseidonGoldilocks;
    let circuit = FlowBudget::new(DEPTH).unwrap();
    let honest = base.clone();
    circuit.check::<H>(&honest).unwrap();
    let checker = pd::Checker::new(|api| circuit.define(api, Some(&honest))).unwrap();
    let h = checker
        .run(&pd::Cheats::new(), |api| circuit.define(api, Some(&honest)))
        .unwrap();
    assert!(h.satisfied(), "{:?}", h.verdict);
    for (name, _, f) in cases {
        let w = broken(&honest, *f);
        let define = |api: &mut veil_prover::plonky2::Plonky2Api| circuit.define(api, Some(&w));
        let b = checker.run(&pd::Cheats::new(), define).unwrap();
        assert!(!b.satisfied(), "{name}: honest completion accepted");
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
        let s = checker.run(&splice, define).unwrap();
        assert!(!s.satisfied(), "{name}: the splice accepted");
    }
}

#[test]
fn flow_budget_dishonest_r1cs() {
    type H = PoseidonBls12;
    r1cs_dishonest(&sample::<H>(), &cases!(H));
    r1cs_dishonest(&rollover::<H>(), &rollover_cases!(H));
}

#[test]
fn flow_budget_dishonest_plonky2() {
    type H = PoseidonGoldilocks;
    plonky2_dishonest(&sample::<H>(), &cases!(H));
    plonky2_dishonest(&rollover::<H>(), &rollover_cases!(H));
}

/// The cheat the rules are there for, set directly: an honest same-epoch charge whose
/// new_spent the prover then lowers to the cost alone (as if the epoch had rolled over),
/// new state re-made for it. The native check and both constraint systems refuse it.
#[test]
fn flow_budget_forged_reset_is_refused() {
    fn forged<H: NativeHasher>() -> FlowBudgetWitness {
        let mut w = sample::<H>();
        w.new_spent = w.cost;
        w.seal::<H>().unwrap();
        w
    }
    let c = FlowBudget::new(DEPTH).unwrap();
    let w = forged::<PoseidonBls12>();
    assert_eq!(
        c.check::<PoseidonBls12>(&w).unwrap_err().rule,
        Rule::BudgetArithmetic
    );
    assert!(!satisfies(&c, &w).unwrap());
    // Plonky2: the honest run's new_spent target set to the cost after generation.
    let honest = sample::<PoseidonGoldilocks>();
    let checker = pd::Checker::new(|api| c.define(api, Some(&honest))).unwrap();
    let h = checker
        .run(&pd::Cheats::new(), |api| c.define(api, Some(&honest)))
        .unwrap();
    assert!(h.satisfied());
    let w = forged::<PoseidonGoldilocks>();
    let b = checker
        .run(&pd::Cheats::new(), |api| c.define(api, Some(&w)))
        .unwrap();
    assert!(!b.satisfied());
}

/// `veil audit`: no free witness variable in the R1CS (depths 2 and 4).
#[test]
fn flow_budget_audits_clean() {
    use veil_prover::audit::{analyse, compile_labelled};
    for depth in [2, 4] {
        let c = FlowBudget::new(depth).unwrap();
        let report = analyse(&compile_labelled(&c).unwrap());
        assert!(
            report.is_clean(),
            "{}: {} free variables, e.g. {:#?}",
            report.circuit,
            report.free.len(),
            &report.free[..report.free.len().min(5)]
        );
    }
}

/// The states are blinded: the same (spent, epoch, receipt) under two blindings gives two
/// unrelated commitments, and a search over every spent value up to the limit, without the
/// blinding, does not find the sample's state.
#[test]
fn flow_budget_states_are_blinded() {
    type H = PoseidonBls12;
    let w = sample::<H>();
    let mut other = w.old.clone();
    other.blinding = veil_circuits::sample::sample_secret("another blinding", 1);
    let a = fb::state_commitment::<H>(&w.account_secret, &w.statement.ctx, &w.dst, &w.old);
    let b = fb::state_commitment::<H>(&w.account_secret, &w.statement.ctx, &w.dst, &other);
    assert_ne!(a.unwrap(), b.unwrap());
    // Even knowing the account, the peer and the last receipt, a search over spent with a
    // guessed blinding (zero) finds nothing.
    let found = (0..=w.statement.limit).any(|spent| {
        let guess = fb::FlowState {
            spent,
            epoch: w.old.epoch,
            last_receipt: w.old.last_receipt,
            blinding: Bytes32::ZERO,
        };
        fb::state_commitment::<H>(&w.account_secret, &w.statement.ctx, &w.dst, &guess).unwrap()
            == w.statement.old_state
    });
    assert!(!found);
}

/// The figures of BENCHMARKS.md ("Flow budgets"): constraints, gates, and one-shot prove and
/// verify times per backend at depths 4 and 20. Not a check (no timing is asserted): run with
/// `cargo test --release -p veil-prover --test flow_budget_soundness -- --ignored --nocapture`.
#[test]
#[ignore]
fn flow_budget_figures() {
    use std::time::Instant;
    for depth in [4, 20] {
        let c = FlowBudget::new(depth).unwrap();
        let r = veil_prover::info(&c).unwrap();
        let p = p2::info(&c).unwrap();
        eprintln!(
            "{}: R1CS {} constraints, {} public inputs; Plonky2 {} gates, degree 2^{}, {} public inputs",
            c.id(),
            r.constraints,
            r.public_inputs,
            p.gates,
            p.degree_bits,
            p.public_inputs
        );
        let w = FlowBudget::sample::<PoseidonBls12>(depth, 1).unwrap();
        let (pk, vk) = dev_setup(&c, [3; 32]).unwrap();
        let prover = Prover::new(c, pk).unwrap();
        let verifier = vk.prepare();
        let t = Instant::now();
        let env = prover.prove(&w).unwrap();
        let prove = t.elapsed();
        let t = Instant::now();
        verifier.verify(&env).unwrap();
        eprintln!(
            "{}: groth16 prove {prove:?}, verify {:?}",
            c.id(),
            t.elapsed()
        );
        let w = FlowBudget::sample::<PoseidonGoldilocks>(depth, 1).unwrap();
        let (pk, vk) = p2::setup(&c).unwrap();
        let prover = p2::Prover::new(c, pk).unwrap();
        let vk = AnyVerifyingKey::Plonky2(Box::new(vk));
        let t = Instant::now();
        let env = prover.prove(&w).unwrap();
        let prove = t.elapsed();
        let t = Instant::now();
        vk.verify(&env).unwrap();
        eprintln!(
            "{}: plonky2 prove {prove:?}, verify {:?}",
            c.id(),
            t.elapsed()
        );
    }
}
