//! The suite circuits (renewal, metering, isolation, revenue, waterfall) on Plonky2, at a
//! small size (depth 6, capacity 8): a valid sample witness proves and its proof verifies,
//! and witnesses that break a rule are refused by the native check (naming the rule) AND by
//! the Plonky2 constraint system (`prove_unchecked`: proving fails). Each circuit's key is
//! built once and reused for all its cases.
//!
//! The full rule tables run on R1CS in `suite_soundness.rs`; here a selection, at least
//! one per circuit, chosen to cover the gadgets the suite added to the Plonky2 API
//! (`u64_sub`, `u64_mul_div`, `public_bool`, `id_is_equal`) and the shared ones.

use veil_circuits::renewal::GRACE_PERIOD_SECS;
use veil_circuits::sample::{
    isolation_witness, metering_witness, renewal_witness, revenue_witness, waterfall_witness,
};
use veil_circuits::waterfall;
use veil_circuits::{
    Circuit, Isolation, Metering, PoseidonGoldilocks, Renewal, Revenue, Rule, Waterfall,
};
use veil_prover::plonky2 as p2;
use veil_verifier::AnyVerifyingKey;

type G = PoseidonGoldilocks;

const DEPTH: u32 = 6;
const CAP: usize = 8;

/// Proves the valid witness (full prover: native check, prove, public inputs), verifies
/// the envelope with the verifying key, then checks every bad case.
fn run<C: Circuit + Clone>(c: &C, valid: &C::Witness, bad: &[(&str, C::Witness, Rule)]) {
    let (pk, vk) = p2::setup(c).unwrap();
    let prover = p2::Prover::new(c.clone(), pk).unwrap();
    let env = prover.prove(valid).expect("a valid witness proves");
    AnyVerifyingKey::Plonky2(Box::new(vk))
        .verify(&env)
        .expect("the proof verifies");
    for (name, w, rule) in bad {
        let v = c
            .check::<G>(w)
            .expect_err(&format!("{name}: the native check must refuse"));
        assert_eq!(
            v.rule, *rule,
            "{name}: native check named the wrong rule: {v}"
        );
        let cs = prover.prove_unchecked(w).map(|p| p.is_some());
        assert!(
            matches!(cs, Ok(false)),
            "{name}: the Plonky2 constraint system did not refuse ({cs:?})"
        );
        assert!(prover.prove(w).is_err(), "{name}");
    }
}

#[test]
fn renewal_on_plonky2() {
    let c = Renewal::new(DEPTH).unwrap();
    let w = renewal_witness::<G>(DEPTH, 1).unwrap();
    let mut late = w.clone();
    late.statement.now = w.token.expires_at + GRACE_PERIOD_SECS;
    let mut nullifier = w.clone();
    nullifier.statement.nullifier = renewal_witness::<G>(DEPTH, 2).unwrap().statement.nullifier;
    // The old token's id reused, with the new leaf that goes with it.
    let mut reused = w.clone();
    reused.new_token_id = w.token.token_id;
    let new = veil_circuits::renewal::renewed_token(
        &w.token,
        w.statement.new_expires_at,
        reused.new_token_id,
    );
    reused.statement.new_leaf =
        veil_circuits::ownership::token_leaf::<G>(&w.statement.package_id, &new).unwrap();
    run(
        &c,
        &w,
        &[
            ("past the grace period", late, Rule::RenewalWindow),
            ("another token's nullifier", nullifier, Rule::Nullifier),
            ("the old token id reused", reused, Rule::FreshTokenId),
        ],
    );
}

#[test]
fn metering_on_plonky2() {
    let c = Metering::new(CAP as u32).unwrap();
    let w = metering_witness::<G>(CAP, 1).unwrap();
    let mut total = w.clone();
    total.statement.total_units += 1;
    let mut window = w.clone();
    window.statement.hour_start += 3600;
    run(
        &c,
        &w,
        &[
            ("total one unit over", total, Rule::Total),
            ("readings outside the hour", window, Rule::HourWindow),
        ],
    );
}

#[test]
fn isolation_on_plonky2() {
    let c = Isolation::new(CAP as u32).unwrap();
    let w = isolation_witness::<G>(CAP, 1).unwrap();
    let mut same = w.clone();
    same.statement.commitment_b = w.statement.commitment_a;
    let mut scope = w.clone();
    scope.statement.scope_b = w.statement.scope_a;
    run(
        &c,
        &w,
        &[
            ("A's commitment as B's", same, Rule::Commitment),
            ("A's scope as B's", scope, Rule::Scope),
        ],
    );
}

#[test]
fn revenue_on_plonky2() {
    let c = Revenue::new(CAP as u32).unwrap();
    let w = revenue_witness::<G>(CAP, 1).unwrap();
    let mut total = w.clone();
    total.statement.aggregate_revenue_micros += 1;
    let mut count = w.clone();
    count.statement.transaction_count += 1;
    run(
        &c,
        &w,
        &[
            ("total one micro over", total, Rule::Total),
            ("count one over", count, Rule::Count),
        ],
    );
}

#[test]
fn waterfall_on_plonky2() {
    let c = Waterfall::new(CAP as u32).unwrap();
    let w = waterfall_witness::<G>(CAP, 1).unwrap();
    // One micro moved between share lines: the floors of u64_mul_div are exact.
    let mut moved = w.clone();
    moved.statement.share_payouts[1] -= 1;
    moved.statement.share_payouts[2] += 1;
    // The remainder to another line than the rules name.
    let mut remainder = w.clone();
    remainder.statement.remainder_to = 1;
    // A tranche one micro over its cap (u64_sub of the remaining amount).
    let mut tranche = w.clone();
    tranche.statement.tranche_payouts[0] += 1;
    let s = &tranche.statement;
    let residual = s.total_revenue_micros - s.tranche_payouts.iter().sum::<u64>();
    let (_, shares) = waterfall::split(residual, &[], &s.shares, s.remainder_to as usize);
    tranche.statement.share_payouts = shares;
    run(
        &c,
        &w,
        &[
            ("a micro moved between lines", moved, Rule::ResidualSplit),
            (
                "the remainder to another line",
                remainder,
                Rule::ResidualSplit,
            ),
            ("a tranche over its cap", tranche, Rule::Tranches),
        ],
    );
}
