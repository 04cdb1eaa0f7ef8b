//! The rest of the suite (renewal, metering, isolation, revenue, waterfall): for every rule, a
//! witness that breaks it is refused by the native check (naming the rule) AND leaves the
//! R1CS constraint system unsatisfied; valid witnesses, boundaries included, are accepted.
//! Batches use capacity 8 (the samples hold 7 items and one padded slot).

use veil_circuits::batch::fill_slots;
use veil_circuits::merkle::MerkleTree;
use veil_circuits::metering::{self, Reading, HOUR_SECS};
use veil_circuits::ownership::{self, Token};
use veil_circuits::renewal::{self, GRACE_PERIOD_SECS};
use veil_circuits::revenue::{self, Transaction};
use veil_circuits::sample::{
    isolation_witness, metering_witness, renewal_witness, revenue_witness, sample_bytes,
    sample_secret, waterfall_witness,
};
use veil_circuits::waterfall::{self, Payment};
use veil_circuits::{
    Circuit, Isolation, IsolationWitness, Metering, MeteringWitness, Renewal, RenewalWitness,
    Revenue, RevenueWitness, Rule, Waterfall, WaterfallWitness,
};
use veil_prover::{satisfies, Hasher};
use veil_verifier::{Bytes32, RenewalStatement, Share, Tranche};

const DEPTH: u32 = 6;
const CAP: usize = 8;

fn assert_refused<C: Circuit>(circuit: &C, w: &C::Witness, rule: Rule) {
    let v = circuit
        .check::<Hasher>(w)
        .expect_err("the native check must refuse");
    assert_eq!(v.rule, rule, "native check named the wrong rule: {v}");
    assert!(!v.detail.is_empty());
    assert!(
        !satisfies(circuit, w).expect("synthesis"),
        "constraint system accepted a witness breaking {rule}: {v}"
    );
}

fn assert_accepted<C: Circuit>(circuit: &C, w: &C::Witness) {
    if let Err(v) = circuit.check::<Hasher>(w) {
        panic!("native check refused a valid witness: {v}");
    }
    assert!(
        satisfies(circuit, w).unwrap(),
        "constraint system refused a valid witness"
    );
}

/// A malformed witness: refused as such natively, and no proof can come of it (the backend
/// either errors or finds the constraints unsatisfied).
fn assert_malformed<C: Circuit>(circuit: &C, w: &C::Witness) {
    assert_eq!(
        circuit.check::<Hasher>(w).unwrap_err().rule,
        Rule::WellFormed
    );
    assert!(!satisfies(circuit, w).unwrap_or(false));
}

// ---------------------------------------------------------------- renewal

fn renewal() -> (Renewal, RenewalWitness) {
    (
        Renewal::new(DEPTH).unwrap(),
        renewal_witness::<Hasher>(DEPTH, 1).unwrap(),
    )
}

/// A renewal of a lone token expiring at `expires_at`, at `now`, to `new_expires_at`.
fn renewal_of(expires_at: u64, now: u64, new_expires_at: u64) -> RenewalWitness {
    let package_id = sample_bytes("package", 5);
    let bf = sample_secret("blinding-factor", 5);
    let token = Token {
        token_id: sample_bytes("token", 5),
        blinding_commitment: ownership::blinding_commitment::<Hasher>(&bf).unwrap(),
        expires_at,
    };
    let leaf = ownership::token_leaf::<Hasher>(&package_id, &token).unwrap();
    let tree = MerkleTree::<Hasher>::new(DEPTH, vec![leaf]).unwrap();
    let new_token_id = sample_bytes("new-token", 5);
    let new = renewal::renewed_token(&token, new_expires_at, new_token_id);
    RenewalWitness {
        statement: RenewalStatement {
            root: tree.root(),
            package_id,
            now,
            nullifier: renewal::renewal_nullifier::<Hasher>(&bf, &leaf).unwrap(),
            new_leaf: ownership::token_leaf::<Hasher>(&package_id, &new).unwrap(),
            new_expires_at,
        },
        blinding_factor: bf,
        token,
        path: tree.path(0).unwrap(),
        new_token_id,
    }
}

/// Sets the public new expiry and the new leaf that goes with it.
fn renew_to(w: &mut RenewalWitness, new_expires_at: u64) {
    w.statement.new_expires_at = new_expires_at;
    let new = renewal::renewed_token(&w.token, new_expires_at, w.new_token_id);
    w.statement.new_leaf = ownership::token_leaf::<Hasher>(&w.statement.package_id, &new).unwrap();
}

#[test]
fn renewal_valid_witnesses_are_accepted() {
    let (c, w) = renewal();
    assert_accepted(&c, &w);
    // Within the grace period, on its last second.
    let mut late = w.clone();
    late.statement.now = w.token.expires_at + GRACE_PERIOD_SECS - 1;
    assert_accepted(&c, &late);
    // The smallest extension.
    let mut edge = w.clone();
    renew_to(&mut edge, w.token.expires_at + 1);
    assert_accepted(&c, &edge);
    // Extremes of the 64-bit range.
    assert_accepted(&c, &renewal_of(5, 0, u64::MAX));
    assert_accepted(
        &c,
        &renewal_of(u64::MAX - GRACE_PERIOD_SECS - 1, u64::MAX - 2, u64::MAX),
    );
}

#[test]
fn renewal_knowledge_of_blinding_factor() {
    let (c, w) = renewal();
    let mut bad = w.clone();
    bad.blinding_factor = sample_secret("not-mine", 7);
    assert_refused(&c, &bad, Rule::BlindingFactor);
}

#[test]
fn renewal_membership() {
    let (c, w) = renewal();
    let mut bad = w.clone();
    bad.statement.root = MerkleTree::<Hasher>::new(DEPTH, vec![sample_secret("x", 1)])
        .unwrap()
        .root();
    assert_refused(&c, &bad, Rule::Membership);
    // The holder extends the old token's expiry before renewing it.
    let mut bad = w.clone();
    bad.token.expires_at += 1;
    assert_refused(&c, &bad, Rule::Membership);
    // Another package.
    let mut bad = w.clone();
    bad.statement.package_id = sample_bytes("package", 99);
    assert_refused(&c, &bad, Rule::Membership);
}

#[test]
fn renewal_window() {
    let (c, w) = renewal();
    let mut bad = w.clone();
    bad.statement.now = w.token.expires_at + GRACE_PERIOD_SECS;
    assert_refused(&c, &bad, Rule::RenewalWindow);
    bad.statement.now = u64::MAX;
    assert_refused(&c, &bad, Rule::RenewalWindow);
    // expiry + grace does not fit 64 bits: refused, never wrapped into an early deadline.
    let bad = renewal_of(u64::MAX - 10, 0, u64::MAX);
    assert_refused(&c, &bad, Rule::RenewalWindow);
}

#[test]
fn renewal_later_expiry() {
    let (c, w) = renewal();
    let mut bad = w.clone();
    renew_to(&mut bad, w.token.expires_at);
    assert_refused(&c, &bad, Rule::LaterExpiry);
    renew_to(&mut bad, 0);
    assert_refused(&c, &bad, Rule::LaterExpiry);
}

#[test]
fn renewal_fresh_token_id() {
    let (c, w) = renewal();
    // The old token's id reused (the new leaf made with it, so only this rule breaks).
    let mut bad = w.clone();
    bad.new_token_id = w.token.token_id;
    renew_to(&mut bad, w.statement.new_expires_at);
    assert_refused(&c, &bad, Rule::FreshTokenId);
    // One bit away is a fresh id.
    let mut fresh = w.clone();
    fresh.new_token_id = w.token.token_id;
    fresh.new_token_id.0[31] ^= 1;
    renew_to(&mut fresh, w.statement.new_expires_at);
    assert_accepted(&c, &fresh);
    let mut fresh = w.clone();
    fresh.new_token_id = w.token.token_id;
    fresh.new_token_id.0[0] ^= 0x80;
    renew_to(&mut fresh, w.statement.new_expires_at);
    assert_accepted(&c, &fresh);
}

/// The range check behind the fresh id (`id_assert_canonical`, R1CS: two 128-bit limbs): the
/// old id's integer written with other limbs (hi - 1, lo + 2^128) passes the limb-wise
/// inequality but not the range check; canonical limbs at their extremes pass.
#[test]
fn secret_id_limbs_are_range_checked_r1cs() {
    use ark_bls12_381::Fr;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use veil_circuits::Api;
    use veil_prover::R1csApi;
    let two128 = Fr::from(u128::MAX) + Fr::from(1u64);
    let holds = |limbs: [Fr; 2], other: Option<[Fr; 2]>| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut api = R1csApi::new(cs.clone());
        let id = limbs.map(|l| FpVar::new_witness(cs.clone(), || Ok(l)).unwrap());
        api.id_assert_canonical(&id).unwrap();
        if let Some(o) = other {
            let o = o.map(|l| FpVar::new_witness(cs.clone(), || Ok(l)).unwrap());
            api.id_assert_not_equal(&id, &o).unwrap();
        }
        cs.is_satisfied().unwrap()
    };
    let max = Fr::from(u128::MAX);
    assert!(holds([Fr::from(0u64), Fr::from(0u64)], None));
    assert!(holds([max, max], None));
    assert!(!holds([two128, Fr::from(0u64)], None));
    assert!(!holds([Fr::from(0u64), two128], None));
    assert!(!holds([-Fr::from(1u64), Fr::from(0u64)], None));
    // The alias of id (hi, lo) = (5, 7): same integer hi * 2^128 + lo, other limbs.
    let (hi, lo) = (Fr::from(5u64), Fr::from(7u64));
    let alias = [hi - Fr::from(1u64), lo + two128];
    assert_eq!(alias[0] * two128 + alias[1], hi * two128 + lo);
    assert!(!holds(alias, Some([hi, lo])));
    assert!(holds([hi, lo + Fr::from(1u64)], Some([hi, lo])));
}

#[test]
fn renewal_nullifier() {
    let (c, w) = renewal();
    // A fresh-looking nullifier for the same token, to renew it twice.
    let mut bad = w.clone();
    bad.statement.nullifier =
        renewal::renewal_nullifier::<Hasher>(&w.blinding_factor, &sample_secret("leaf", 1))
            .unwrap();
    assert_refused(&c, &bad, Rule::Nullifier);
    let mut bad = w.clone();
    bad.statement.nullifier = sample_secret("nullifier", 1);
    assert_refused(&c, &bad, Rule::Nullifier);
}

#[test]
fn renewal_new_leaf() {
    let (c, w) = renewal();
    // The new token committed to another customer's blinding commitment.
    let mut bad = w.clone();
    let other = Token {
        blinding_commitment: ownership::blinding_commitment::<Hasher>(&sample_secret("bf", 9))
            .unwrap(),
        ..renewal::renewed_token(&w.token, w.statement.new_expires_at, w.new_token_id)
    };
    bad.statement.new_leaf =
        ownership::token_leaf::<Hasher>(&w.statement.package_id, &other).unwrap();
    assert_refused(&c, &bad, Rule::NewLeaf);
    // For another package.
    let mut bad = w.clone();
    let same = renewal::renewed_token(&w.token, w.statement.new_expires_at, w.new_token_id);
    bad.statement.new_leaf =
        ownership::token_leaf::<Hasher>(&sample_bytes("package", 42), &same).unwrap();
    assert_refused(&c, &bad, Rule::NewLeaf);
    // Expiring later than the public new expiry.
    let mut bad = w.clone();
    let longer = renewal::renewed_token(&w.token, w.statement.new_expires_at + 1, w.new_token_id);
    bad.statement.new_leaf =
        ownership::token_leaf::<Hasher>(&w.statement.package_id, &longer).unwrap();
    assert_refused(&c, &bad, Rule::NewLeaf);
}

#[test]
fn renewal_malformed_witness() {
    let (c, w) = renewal();
    let mut bad = w.clone();
    bad.path.siblings.pop();
    assert_malformed(&c, &bad);
    let mut bad = w;
    bad.statement.new_leaf = Bytes32([0xff; 32]);
    assert_malformed(&c, &bad);
}

// ---------------------------------------------------------------- metering

fn metering() -> (Metering, MeteringWitness) {
    (
        Metering::new(CAP as u32).unwrap(),
        metering_witness::<Hasher>(CAP, 1).unwrap(),
    )
}

/// Replaces the readings, with the commitment and the total that go with them.
fn set_readings(w: &mut MeteringWitness, readings: Vec<Reading>) {
    w.statement.readings_commitment =
        metering::readings_commitment::<Hasher>(&w.blinding, &readings).unwrap();
    w.statement.total_units = readings.iter().map(|r| r.units).sum();
    w.readings = readings;
}

fn key_of(w: &MeteringWitness) -> Bytes32 {
    metering::reading_key::<Hasher>(&w.statement.scope, &w.statement.blinded_customer_id).unwrap()
}

#[test]
fn metering_valid_witnesses_are_accepted() {
    let (c, w) = metering();
    assert_eq!((w.readings.len(), CAP), (7, 8));
    assert_accepted(&c, &w);
    // The first and last second of the hour, and every slot full.
    let key = key_of(&w);
    let hs = w.statement.hour_start;
    let mut full = w.clone();
    let mut readings: Vec<Reading> = (0..CAP as u64)
        .map(|i| Reading {
            key,
            timestamp: hs + i * 500,
            units: i,
        })
        .collect();
    readings[CAP - 1].timestamp = hs + HOUR_SECS - 1;
    set_readings(&mut full, readings);
    assert_accepted(&c, &full);
    // No readings at all.
    let mut empty = w.clone();
    set_readings(&mut empty, vec![]);
    assert_accepted(&c, &empty);
    // A total of exactly 2^64 - 1.
    let mut max = w.clone();
    let mut readings = w.readings[..2].to_vec();
    readings[0].units = u64::MAX - 5;
    readings[1].units = 5;
    set_readings(&mut max, readings);
    assert_accepted(&c, &max);
    // Explicitly empty padding is padding.
    let mut padded = w.clone();
    padded.padding = vec![Reading::default()];
    assert_accepted(&c, &padded);
}

#[test]
fn metering_commitment() {
    let (c, w) = metering();
    // A reading dropped from the committed hour (and from the total).
    let mut bad = w.clone();
    let dropped = bad.readings.pop().unwrap();
    bad.statement.total_units -= dropped.units;
    assert_refused(&c, &bad, Rule::Commitment);
    // Units changed after the meter committed them.
    let mut bad = w.clone();
    bad.readings[2].units += 1;
    bad.statement.total_units += 1;
    assert_refused(&c, &bad, Rule::Commitment);
    // Another hour's commitment.
    let mut bad = w.clone();
    bad.statement.readings_commitment = metering_witness::<Hasher>(CAP, 2)
        .unwrap()
        .statement
        .readings_commitment;
    assert_refused(&c, &bad, Rule::Commitment);
}

#[test]
fn metering_padding() {
    let (c, w) = metering();
    // A padded slot with units, carried into the total.
    let mut bad = w.clone();
    bad.padding = vec![Reading {
        key: Bytes32::ZERO,
        timestamp: 0,
        units: 5,
    }];
    bad.statement.total_units += 5;
    assert_refused(&c, &bad, Rule::Padding);
    // ... or not carried into the total: still refused.
    bad.statement.total_units -= 5;
    assert_refused(&c, &bad, Rule::Padding);
    // A padded slot holding a reading of the hour.
    let mut bad = w.clone();
    bad.padding = vec![w.readings[0].clone()];
    assert_refused(&c, &bad, Rule::Padding);
    // A real reading marked as padding (left out of the total, the commitment kept).
    let mut bad = w.clone();
    let last = bad.readings.pop().unwrap();
    bad.statement.total_units -= last.units;
    bad.padding = vec![last];
    assert_refused(&c, &bad, Rule::Padding);
}

#[test]
fn metering_scope() {
    let (c, w) = metering();
    let mut bad = w.clone();
    bad.statement.scope = metering::scope::<Hasher>(&sample_bytes("package", 77)).unwrap();
    assert_refused(&c, &bad, Rule::Scope);
}

#[test]
fn metering_reading_scope() {
    let (c, w) = metering();
    // A reading of another package (same customer) aggregated into this package's hour.
    let other_scope = metering::scope::<Hasher>(&sample_bytes("package", 77)).unwrap();
    let mut readings = w.readings.clone();
    readings[3].key =
        metering::reading_key::<Hasher>(&other_scope, &w.statement.blinded_customer_id).unwrap();
    let mut bad = w.clone();
    set_readings(&mut bad, readings);
    assert_refused(&c, &bad, Rule::ReadingScope);
    // A reading of another customer of the same package.
    let mut readings = w.readings.clone();
    readings[0].key =
        metering::reading_key::<Hasher>(&w.statement.scope, &sample_bytes("customer", 8)).unwrap();
    let mut bad = w.clone();
    set_readings(&mut bad, readings);
    assert_refused(&c, &bad, Rule::ReadingScope);
}

#[test]
fn metering_hour_alignment() {
    let (c, w) = metering();
    // Every reading inside [hour_start, hour_start + 3600), but hour_start is off the hour.
    let mut bad = w.clone();
    bad.statement.hour_start += 1;
    let readings = w
        .readings
        .iter()
        .map(|r| Reading {
            timestamp: r.timestamp + 1,
            ..r.clone()
        })
        .collect();
    set_readings(&mut bad, readings);
    assert_refused(&c, &bad, Rule::HourAlignment);
}

#[test]
fn metering_hour_window() {
    let (c, w) = metering();
    let hs = w.statement.hour_start;
    for ts in [hs + HOUR_SECS, hs - 1, hs + 4096, hs + 100_000, 0] {
        let mut readings = w.readings.clone();
        readings[1].timestamp = ts;
        let mut bad = w.clone();
        set_readings(&mut bad, readings);
        assert_refused(&c, &bad, Rule::HourWindow);
    }
}

#[test]
fn metering_overflow() {
    let (c, w) = metering();
    let mut readings = w.readings[..3].to_vec();
    readings[0].units = u64::MAX;
    readings[1].units = 1;
    readings[2].units = 0;
    let mut bad = w.clone();
    bad.statement.readings_commitment =
        metering::readings_commitment::<Hasher>(&bad.blinding, &readings).unwrap();
    bad.readings = readings;
    bad.statement.total_units = 0; // 2^64 wrapped
    assert_refused(&c, &bad, Rule::Overflow);
    bad.statement.total_units = u64::MAX;
    assert_refused(&c, &bad, Rule::Overflow);
}

#[test]
fn metering_total() {
    let (c, w) = metering();
    let mut bad = w.clone();
    bad.statement.total_units += 1;
    assert_refused(&c, &bad, Rule::Total);
    bad.statement.total_units -= 2;
    assert_refused(&c, &bad, Rule::Total);
}

#[test]
fn metering_malformed_witness() {
    let (c, w) = metering();
    let mut bad = w.clone();
    bad.padding = vec![Reading::default(); 2];
    assert_malformed(&c, &bad);
    let mut bad = w.clone();
    bad.readings[0].key = Bytes32([0xff; 32]);
    assert_malformed(&c, &bad);
    let mut bad = w.clone();
    bad.statement.hour_start = 1 << 62;
    assert_malformed(&c, &bad);
    let mut readings = w.readings.clone();
    readings[0].timestamp = 1 << 62;
    let mut bad = w;
    set_readings(&mut bad, readings);
    assert_malformed(&c, &bad);
}

// ---------------------------------------------------------------- isolation

fn isolation() -> (Isolation, IsolationWitness) {
    (
        Isolation::new(CAP as u32).unwrap(),
        isolation_witness::<Hasher>(CAP, 1).unwrap(),
    )
}

fn key_a(w: &IsolationWitness) -> Bytes32 {
    metering::reading_key::<Hasher>(&w.statement.scope_a, &w.a.blinded_customer_id).unwrap()
}

/// Replaces A's readings and commitment.
fn set_a(w: &mut IsolationWitness, readings: Vec<Reading>) {
    w.statement.commitment_a =
        metering::readings_commitment::<Hasher>(&w.a.blinding, &readings).unwrap();
    w.a.readings = readings;
}

#[test]
fn isolation_valid_witnesses_are_accepted() {
    let (c, w) = isolation();
    assert_accepted(&c, &w);
    // A full batch on one side, an empty one on the other.
    let mut edge = w.clone();
    let key = key_a(&w);
    set_a(
        &mut edge,
        (0..CAP as u64)
            .map(|i| Reading {
                key,
                timestamp: i,
                units: u64::MAX - i,
            })
            .collect(),
    );
    edge.b.readings.clear();
    edge.statement.commitment_b =
        metering::readings_commitment::<Hasher>(&edge.b.blinding, &[]).unwrap();
    assert_accepted(&c, &edge);
    // Packages that differ in one bit of one byte.
    let mut close = w.clone();
    let mut b = w.statement.package_a;
    b.0[31] ^= 1;
    close.statement.package_b = b;
    close.statement.scope_b = metering::scope::<Hasher>(&b).unwrap();
    let kb = metering::reading_key::<Hasher>(&close.statement.scope_b, &w.b.blinded_customer_id)
        .unwrap();
    for r in &mut close.b.readings {
        r.key = kb;
    }
    close.statement.commitment_b =
        metering::readings_commitment::<Hasher>(&close.b.blinding, &close.b.readings).unwrap();
    assert_accepted(&c, &close);
}

#[test]
fn isolation_distinct_packages() {
    let (c, w) = isolation();
    // B claims to be A: same package, same scope, its readings stamped with A's scope.
    let mut bad = w.clone();
    bad.statement.package_b = w.statement.package_a;
    bad.statement.scope_b = w.statement.scope_a;
    let kb =
        metering::reading_key::<Hasher>(&w.statement.scope_a, &w.b.blinded_customer_id).unwrap();
    for r in &mut bad.b.readings {
        r.key = kb;
    }
    bad.statement.commitment_b =
        metering::readings_commitment::<Hasher>(&bad.b.blinding, &bad.b.readings).unwrap();
    assert_refused(&c, &bad, Rule::DistinctPackages);
}

#[test]
fn isolation_scope() {
    let (c, w) = isolation();
    let mut bad = w.clone();
    bad.statement.scope_b = w.statement.scope_a;
    assert_refused(&c, &bad, Rule::Scope);
    let mut bad = w.clone();
    bad.statement.scope_a = metering::scope::<Hasher>(&sample_bytes("package", 3)).unwrap();
    assert_refused(&c, &bad, Rule::Scope);
}

#[test]
fn isolation_commitment() {
    let (c, w) = isolation();
    let mut bad = w.clone();
    bad.statement.commitment_b = w.statement.commitment_a;
    assert_refused(&c, &bad, Rule::Commitment);
    let mut bad = w.clone();
    bad.a.readings.pop();
    assert_refused(&c, &bad, Rule::Commitment);
}

#[test]
fn isolation_reading_scope() {
    let (c, w) = isolation();
    // One of B's readings hidden under A's commitment.
    let mut bad = w.clone();
    let mut readings = w.a.readings.clone();
    readings.push(w.b.readings[0].clone());
    set_a(&mut bad, readings);
    assert_refused(&c, &bad, Rule::ReadingScope);
    // A reading of A's package but another customer than the batch's.
    let mut bad = w.clone();
    let mut readings = w.a.readings.clone();
    readings[1].key =
        metering::reading_key::<Hasher>(&w.statement.scope_a, &sample_bytes("customer", 4))
            .unwrap();
    set_a(&mut bad, readings);
    assert_refused(&c, &bad, Rule::ReadingScope);
}

#[test]
fn isolation_padding() {
    let (c, w) = isolation();
    let mut bad = w.clone();
    bad.b.padding = vec![Reading {
        key: Bytes32::ZERO,
        timestamp: 7,
        units: 0,
    }];
    assert_refused(&c, &bad, Rule::Padding);
    let mut bad = w;
    bad.a.padding = vec![Reading {
        units: 1,
        ..Reading::default()
    }];
    assert_refused(&c, &bad, Rule::Padding);
}

#[test]
fn isolation_malformed_witness() {
    let (c, w) = isolation();
    let mut bad = w.clone();
    bad.b.readings.extend(w.a.readings.clone());
    assert_malformed(&c, &bad);
    let mut bad = w;
    bad.statement.commitment_a = Bytes32([0xff; 32]);
    assert_malformed(&c, &bad);
}

// ---------------------------------------------------------------- revenue

fn revenue() -> (Revenue, RevenueWitness) {
    (
        Revenue::new(CAP as u32).unwrap(),
        revenue_witness::<Hasher>(CAP, 1).unwrap(),
    )
}

/// Replaces the transactions, with the commitment, total and count that go with them.
fn set_transactions(w: &mut RevenueWitness, transactions: Vec<Transaction>) {
    let s = &mut w.statement;
    s.transactions_commitment =
        revenue::transactions_commitment::<Hasher>(&s.publisher_id, &transactions).unwrap();
    let inside: Vec<&Transaction> = transactions
        .iter()
        .filter(|t| revenue::in_period(t.timestamp, s.period_start, s.period_end))
        .collect();
    s.aggregate_revenue_micros = inside.iter().map(|t| t.gross_amount_micros).sum();
    s.transaction_count = inside.len() as u64;
    w.transactions = transactions;
}

#[test]
fn revenue_valid_witnesses_are_accepted() {
    let (c, w) = revenue();
    let s = &w.statement;
    // The sample: one transaction before the period, one on its first second, one at
    // period_end (outside), the rest inside.
    assert_eq!(w.transactions.len(), 7);
    assert_eq!(w.transactions[1].timestamp, s.period_start);
    assert_eq!(w.transactions[6].timestamp, s.period_end);
    assert_eq!(s.transaction_count, 5);
    assert_accepted(&c, &w);
    // An empty period counts nothing.
    let mut empty = w.clone();
    empty.statement.period_end = empty.statement.period_start;
    set_transactions(&mut empty, w.transactions.clone());
    assert_eq!(empty.statement.transaction_count, 0);
    assert_accepted(&c, &empty);
    // Huge amounts outside the period do not count; inside, a total of exactly 2^64 - 1.
    let mut big = w.clone();
    let mut txs = w.transactions.clone();
    txs[0].gross_amount_micros = u64::MAX;
    txs[6].gross_amount_micros = u64::MAX;
    let inside_rest: u64 = txs[2..6].iter().map(|t| t.gross_amount_micros).sum();
    txs[1].gross_amount_micros = u64::MAX - inside_rest;
    set_transactions(&mut big, txs);
    assert_eq!(big.statement.aggregate_revenue_micros, u64::MAX);
    assert_accepted(&c, &big);
    // Extreme timestamps and a full batch.
    let mut full = w.clone();
    let mut txs = w.transactions.clone();
    txs.push(Transaction {
        timestamp: u64::MAX,
        ..txs[2].clone()
    });
    txs[0].timestamp = 0;
    set_transactions(&mut full, txs);
    assert_eq!(full.transactions.len(), CAP);
    assert_accepted(&c, &full);
    // A period covering all of time but its last second.
    let mut all = full.clone();
    all.statement.period_start = 0;
    all.statement.period_end = u64::MAX;
    set_transactions(&mut all, full.transactions.clone());
    assert_eq!(all.statement.transaction_count, 7);
    assert_accepted(&c, &all);
    // A period from time 0: the padded slot (timestamp 0) is still not counted.
    let mut from_zero = w.clone();
    from_zero.statement.period_start = 0;
    set_transactions(&mut from_zero, w.transactions.clone());
    assert_eq!(from_zero.statement.transaction_count, 6);
    assert_accepted(&c, &from_zero);
}

#[test]
fn revenue_commitment() {
    let (c, w) = revenue();
    // Another publisher's claim on this commitment.
    let mut bad = w.clone();
    bad.statement.publisher_id = sample_bytes("publisher", 2);
    assert_refused(&c, &bad, Rule::Commitment);
    // A transaction dropped from the opening (the attested commitment kept).
    let mut bad = w.clone();
    let dropped = bad.transactions.remove(3);
    bad.statement.aggregate_revenue_micros -= dropped.gross_amount_micros;
    bad.statement.transaction_count -= 1;
    assert_refused(&c, &bad, Rule::Commitment);
    // A transaction moved into the period.
    let mut bad = w.clone();
    bad.transactions[0].timestamp = w.statement.period_start;
    bad.statement.aggregate_revenue_micros += w.transactions[0].gross_amount_micros;
    bad.statement.transaction_count += 1;
    assert_refused(&c, &bad, Rule::Commitment);
}

#[test]
fn revenue_padding() {
    let (c, w) = revenue();
    // A padded slot with a nonzero amount, inside the period, counted.
    let mut bad = w.clone();
    bad.padding = vec![Transaction {
        digest: Bytes32::ZERO,
        gross_amount_micros: 1_000,
        timestamp: w.statement.period_start,
    }];
    bad.statement.aggregate_revenue_micros += 1_000;
    bad.statement.transaction_count += 1;
    assert_refused(&c, &bad, Rule::Padding);
    // A padded slot with no amount but a time in the period: it must not count either.
    let mut bad = w.clone();
    bad.padding = vec![Transaction {
        digest: Bytes32::ZERO,
        gross_amount_micros: 0,
        timestamp: w.statement.period_start + 1,
    }];
    bad.statement.transaction_count += 1;
    assert_refused(&c, &bad, Rule::Padding);
    // A real, in-period transaction marked as padding and left out of the totals.
    let mut bad = w.clone();
    let moved = bad.transactions.remove(5);
    bad.statement.aggregate_revenue_micros -= moved.gross_amount_micros;
    bad.statement.transaction_count -= 1;
    bad.padding = vec![moved];
    assert_refused(&c, &bad, Rule::Padding);
}

#[test]
fn revenue_period_coverage() {
    let (c, w) = revenue();
    // An in-period transaction skipped.
    let mut bad = w.clone();
    bad.statement.aggregate_revenue_micros -= w.transactions[4].gross_amount_micros;
    bad.statement.transaction_count -= 1;
    assert_refused(&c, &bad, Rule::PeriodCoverage);
    // The boundary transactions: at period_start (inside) skipped ...
    let mut bad = w.clone();
    bad.statement.aggregate_revenue_micros -= w.transactions[1].gross_amount_micros;
    bad.statement.transaction_count -= 1;
    assert_refused(&c, &bad, Rule::PeriodCoverage);
    // ... at period_end (outside) counted as inside.
    let mut bad = w.clone();
    bad.statement.aggregate_revenue_micros += w.transactions[6].gross_amount_micros;
    bad.statement.transaction_count += 1;
    assert_refused(&c, &bad, Rule::PeriodCoverage);
    // The one before the period counted as inside.
    let mut bad = w.clone();
    bad.statement.aggregate_revenue_micros += w.transactions[0].gross_amount_micros;
    bad.statement.transaction_count += 1;
    assert_refused(&c, &bad, Rule::PeriodCoverage);
}

#[test]
fn revenue_total() {
    let (c, w) = revenue();
    let mut bad = w.clone();
    bad.statement.aggregate_revenue_micros += 1;
    assert_refused(&c, &bad, Rule::Total);
    bad.statement.aggregate_revenue_micros = 0;
    assert_refused(&c, &bad, Rule::Total);
}

#[test]
fn revenue_count() {
    let (c, w) = revenue();
    let mut bad = w.clone();
    bad.statement.transaction_count += 1;
    assert_refused(&c, &bad, Rule::Count);
    bad.statement.transaction_count = u64::MAX;
    assert_refused(&c, &bad, Rule::Count);
    bad.statement.transaction_count = 1 << 32 | 5;
    assert_refused(&c, &bad, Rule::Count);
    // With a period from time 0, counting the (empty) padded slot too.
    let mut bad = w.clone();
    bad.statement.period_start = 0;
    set_transactions(&mut bad, w.transactions.clone());
    bad.statement.transaction_count += 1;
    assert_refused(&c, &bad, Rule::Count);
}

#[test]
fn revenue_overflow() {
    let (c, w) = revenue();
    let mut txs = w.transactions.clone();
    txs[2].gross_amount_micros = 1 << 63;
    txs[3].gross_amount_micros = 1 << 63;
    let mut bad = w.clone();
    set_transactions(&mut bad, vec![]);
    bad.statement.transactions_commitment =
        revenue::transactions_commitment::<Hasher>(&w.statement.publisher_id, &txs).unwrap();
    let rest: u64 = [1, 4, 5].iter().map(|&i| txs[i].gross_amount_micros).sum();
    bad.transactions = txs;
    bad.statement.transaction_count = 5;
    // 2^64 + rest wrapped to rest.
    bad.statement.aggregate_revenue_micros = rest;
    assert_refused(&c, &bad, Rule::Overflow);
    bad.statement.aggregate_revenue_micros = u64::MAX;
    assert_refused(&c, &bad, Rule::Overflow);
}

#[test]
fn revenue_malformed_witness() {
    let (c, w) = revenue();
    let mut bad = w.clone();
    bad.padding = vec![Transaction::default(); 2];
    assert_malformed(&c, &bad);
    let mut bad = w;
    bad.transactions[1].digest = Bytes32([0xff; 32]);
    assert_malformed(&c, &bad);
}

// ---------------------------------------------------------------- waterfall

fn waterfall() -> (Waterfall, WaterfallWitness) {
    (
        Waterfall::new(CAP as u32).unwrap(),
        waterfall_witness::<Hasher>(CAP, 1).unwrap(),
    )
}

/// Recomputes the payouts from the total and the rules.
fn resplit(w: &mut WaterfallWitness) {
    let s = &mut w.statement;
    let (t, p) = waterfall::split(
        s.total_revenue_micros,
        &s.tranches,
        &s.shares,
        s.remainder_to as usize,
    );
    s.tranche_payouts = t;
    s.share_payouts = p;
}

/// Replaces the payments, with the commitment, the total and the payouts that go with them.
fn set_payments(w: &mut WaterfallWitness, payments: Vec<Payment>) {
    let s = &mut w.statement;
    s.payments_commitment = waterfall::payments_commitment::<Hasher>(
        &s.solution_id,
        s.period_start,
        s.period_end,
        &payments,
    )
    .unwrap();
    s.total_revenue_micros = payments.iter().map(|p| p.amount_micros).sum();
    w.payments = payments;
    resplit(w);
}

#[test]
fn waterfall_split_is_exact() {
    let tranches = vec![
        Tranche {
            recipient: sample_bytes("r", 1),
            cap_micros: Some(10),
        },
        Tranche {
            recipient: sample_bytes("r", 2),
            cap_micros: Some(5),
        },
    ];
    let shares = vec![
        Share {
            recipient: sample_bytes("r", 1),
            bps: 3_333,
        },
        Share {
            recipient: sample_bytes("r", 3),
            bps: 3_333,
        },
        Share {
            recipient: sample_bytes("r", 4),
            bps: 3_334,
        },
    ];
    // 12 = 10 + 2: the second tranche gets what remains, nothing is left to split.
    assert_eq!(
        waterfall::split(12, &tranches, &shares, 2),
        (vec![10, 2], vec![0, 0, 0])
    );
    // 115 = 10 + 5 + 100: floors 33, 33, 33, remainder 1 to line 2.
    assert_eq!(
        waterfall::split(115, &tranches, &shares, 2),
        (vec![10, 5], vec![33, 33, 34])
    );
}

#[test]
fn waterfall_valid_witnesses_are_accepted() {
    let (c, w) = waterfall();
    assert_accepted(&c, &w);
    let s = &w.statement;
    // The sample has a rounding remainder, and the tranches are both full.
    let floors: u64 = s.share_payouts.iter().sum::<u64>();
    assert_eq!(
        s.tranche_payouts.iter().sum::<u64>() + floors,
        s.total_revenue_micros
    );
    assert_eq!(s.tranche_payouts, vec![5_000_000, 2_000_000]);
    // A total below the first cap: the first tranche takes everything.
    let mut small = w.clone();
    set_payments(&mut small, w.payments[..1].to_vec());
    small.statement.tranches[0].cap_micros = Some(u64::MAX);
    resplit(&mut small);
    assert_eq!(small.statement.share_payouts, vec![0, 0, 0]);
    assert_accepted(&c, &small);
    // No payments at all.
    let mut none = w.clone();
    set_payments(&mut none, vec![]);
    assert_accepted(&c, &none);
    // An uncapped tranche takes all that remains after the first.
    let mut uncapped = w.clone();
    uncapped.statement.tranches[1].cap_micros = None;
    resplit(&mut uncapped);
    assert_eq!(uncapped.statement.share_payouts, vec![0, 0, 0]);
    assert_accepted(&c, &uncapped);
    // No tranches, one share of everything, the remainder to it.
    let mut simple = w.clone();
    simple.statement.tranches.clear();
    simple.statement.shares.truncate(1);
    simple.statement.shares[0].bps = 10_000;
    resplit(&mut simple);
    assert_accepted(&c, &simple);
    // The most rules the circuit takes, the remainder to the last line, a total of 2^64 - 1.
    let mut most = w.clone();
    let big = vec![
        Payment {
            digest: w.payments[0].digest,
            amount_micros: u64::MAX - 7,
        },
        Payment {
            digest: w.payments[1].digest,
            amount_micros: 7,
        },
    ];
    most.statement.tranches = (0..4)
        .map(|j| Tranche {
            recipient: sample_bytes("tranche", j),
            cap_micros: Some(1_000_003 * (j + 1)),
        })
        .collect();
    most.statement.shares = (0..8)
        .map(|k| Share {
            recipient: sample_bytes("share", k),
            bps: if k == 0 { 1_257 } else { 1_249 },
        })
        .collect();
    most.statement.remainder_to = 7;
    set_payments(&mut most, big);
    assert_eq!(most.statement.total_revenue_micros, u64::MAX);
    assert!(most.statement.share_payouts[7] > most.statement.share_payouts[6]);
    assert_accepted(&c, &most);
}

#[test]
fn waterfall_rules() {
    let (c, w) = waterfall();
    let mut bad = w.clone();
    bad.statement.shares[2].bps -= 1; // 9,999 bps: one basis point unaccounted for
    resplit(&mut bad);
    assert_refused(&c, &bad, Rule::WaterfallRules);
    let mut bad = w.clone();
    bad.statement.shares[2].bps += 1;
    resplit(&mut bad);
    assert_refused(&c, &bad, Rule::WaterfallRules);
}

#[test]
fn waterfall_padding() {
    let (c, w) = waterfall();
    let mut bad = w.clone();
    bad.padding = vec![Payment {
        digest: Bytes32::ZERO,
        amount_micros: 1,
    }];
    bad.statement.total_revenue_micros += 1;
    resplit(&mut bad);
    assert_refused(&c, &bad, Rule::Padding);
    // A real payment marked as padding, the total and payouts without it.
    let mut bad = w.clone();
    let moved = bad.payments.pop().unwrap();
    bad.statement.total_revenue_micros -= moved.amount_micros;
    resplit(&mut bad);
    bad.padding = vec![moved];
    assert_refused(&c, &bad, Rule::Padding);
}

#[test]
fn waterfall_commitment() {
    let (c, w) = waterfall();
    // The same payments claimed for another period.
    let mut bad = w.clone();
    bad.statement.period_end += 1;
    assert_refused(&c, &bad, Rule::Commitment);
    // A payment left out.
    let mut bad = w.clone();
    let dropped = bad.payments.pop().unwrap();
    bad.statement.total_revenue_micros -= dropped.amount_micros;
    resplit(&mut bad);
    assert_refused(&c, &bad, Rule::Commitment);
}

#[test]
fn waterfall_overflow() {
    let (c, w) = waterfall();
    let payments = vec![
        Payment {
            digest: w.payments[0].digest,
            amount_micros: u64::MAX,
        },
        Payment {
            digest: w.payments[1].digest,
            amount_micros: 2,
        },
    ];
    let mut bad = w.clone();
    set_payments(&mut bad, vec![]);
    bad.statement.payments_commitment = waterfall::payments_commitment::<Hasher>(
        &w.statement.solution_id,
        w.statement.period_start,
        w.statement.period_end,
        &payments,
    )
    .unwrap();
    bad.payments = payments;
    bad.statement.total_revenue_micros = 1; // 2^64 + 1 wrapped
    resplit(&mut bad);
    assert_refused(&c, &bad, Rule::Overflow);
}

#[test]
fn waterfall_total() {
    let (c, w) = waterfall();
    let mut bad = w.clone();
    bad.statement.total_revenue_micros += 1;
    resplit(&mut bad);
    assert_refused(&c, &bad, Rule::Total);
    let mut bad = w.clone();
    bad.statement.total_revenue_micros -= 1_000_000;
    resplit(&mut bad);
    assert_refused(&c, &bad, Rule::Total);
}

#[test]
fn waterfall_conservation() {
    let (c, w) = waterfall();
    // Losing one micro: the rounding remainder paid to nobody.
    let mut bad = w.clone();
    bad.statement.share_payouts[0] -= 1;
    let v = c.check::<Hasher>(&bad).unwrap_err();
    assert!(v.detail.contains("lose 1 micros"), "{v}");
    assert_refused(&c, &bad, Rule::Conservation);
    // Creating one micro.
    let mut bad = w.clone();
    bad.statement.share_payouts[1] += 1;
    let v = c.check::<Hasher>(&bad).unwrap_err();
    assert!(v.detail.contains("create 1 micros"), "{v}");
    assert_refused(&c, &bad, Rule::Conservation);
    let mut bad = w.clone();
    bad.statement.tranche_payouts[1] += 1;
    assert_refused(&c, &bad, Rule::Conservation);
}

#[test]
fn waterfall_tranches() {
    let (c, w) = waterfall();
    // The first tranche takes one micro over its cap; the residual split follows from it.
    let mut bad = w.clone();
    bad.statement.tranche_payouts[0] += 1;
    let s = &bad.statement;
    let residual = s.total_revenue_micros - s.tranche_payouts.iter().sum::<u64>();
    let (_, shares) = waterfall::split(residual, &[], &s.shares, s.remainder_to as usize);
    bad.statement.share_payouts = shares;
    assert_refused(&c, &bad, Rule::Tranches);
    // The tranches paid out of order.
    let mut bad = w.clone();
    bad.statement.tranche_payouts.swap(0, 1);
    assert_refused(&c, &bad, Rule::Tranches);
}

#[test]
fn waterfall_residual_split() {
    let (c, w) = waterfall();
    // One micro moved from a line to another.
    let mut bad = w.clone();
    bad.statement.share_payouts[1] -= 1;
    bad.statement.share_payouts[2] += 1;
    assert_refused(&c, &bad, Rule::ResidualSplit);
    // The rounding remainder to another line than the rules name.
    let mut bad = w.clone();
    bad.statement.remainder_to = 1;
    assert_refused(&c, &bad, Rule::ResidualSplit);
    // Rounding up instead of down.
    let mut bad = w.clone();
    let s = &bad.statement;
    let residual = s.total_revenue_micros - s.tranche_payouts.iter().sum::<u64>();
    let mut p: Vec<u64> = s
        .shares
        .iter()
        .map(|l| (u128::from(residual) * u128::from(l.bps)).div_ceil(10_000) as u64)
        .collect();
    let over: u64 = p.iter().sum::<u64>() - residual;
    p[0] -= over;
    bad.statement.share_payouts = p;
    assert_refused(&c, &bad, Rule::ResidualSplit);
}

#[test]
fn waterfall_malformed_witness() {
    let (c, w) = waterfall();
    let mut bad = w.clone();
    bad.statement.tranches = (0..5)
        .map(|j| Tranche {
            recipient: sample_bytes("t", j),
            cap_micros: Some(1),
        })
        .collect();
    resplit(&mut bad);
    assert_malformed(&c, &bad);
    let mut bad = w.clone();
    bad.statement.remainder_to = 3;
    assert_malformed(&c, &bad);
    let mut bad = w.clone();
    bad.statement.share_payouts.pop();
    assert_malformed(&c, &bad);
    let mut bad = w;
    bad.padding = vec![Payment::default(); 2];
    assert_malformed(&c, &bad);
}

/// The circuits pad with empty slots; `fill_slots` is what they use.
#[test]
fn fill_slots_pads_and_refuses_overflowing_batches() {
    let slots = fill_slots(&[1u8, 2], &[0], 5).unwrap();
    assert_eq!(slots, vec![1, 2, 0, 0, 0]);
    assert!(fill_slots(&[1u8, 2], &[0], 2).is_err());
}
