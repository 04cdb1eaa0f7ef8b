//! Every rule of every circuit: a witness that breaks only that rule is refused by the
//! native check (naming the rule) AND leaves the R1CS constraint system unsatisfied.

use veil_circuits::merkle::MerkleTree;
use veil_circuits::sample::{ownership_witness, sample_bytes, sample_secret, tier_witness};
use veil_circuits::{ownership, tier, Circuit, Ownership, Rule, Tier};
use veil_prover::{satisfies, Hasher};

const DEPTH: u32 = 6;

fn assert_refused<C: Circuit>(circuit: &C, w: &C::Witness, rule: Rule) {
    let v = circuit
        .check::<Hasher>(w)
        .expect_err("the native check must refuse");
    assert_eq!(v.rule, rule, "native check named the wrong rule: {v}");
    assert!(!v.detail.is_empty());
    assert!(
        !satisfies(circuit, w).expect("synthesis"),
        "constraint system accepted a witness breaking {rule}"
    );
}

fn assert_accepted<C: Circuit>(circuit: &C, w: &C::Witness) {
    circuit.check::<Hasher>(w).expect("native check");
    assert!(
        satisfies(circuit, w).unwrap(),
        "constraint system refused a valid witness"
    );
}

fn own() -> (Ownership, veil_circuits::OwnershipWitness) {
    (
        Ownership::new(DEPTH).unwrap(),
        ownership_witness::<Hasher>(DEPTH, 1).unwrap(),
    )
}

fn tie() -> (Tier, veil_circuits::TierWitness) {
    (
        Tier::new(DEPTH).unwrap(),
        tier_witness::<Hasher>(DEPTH, 1).unwrap(),
    )
}

#[test]
fn ownership_valid_witnesses_are_accepted() {
    let (c, w) = own();
    assert_accepted(&c, &w);
    // Boundary: one second before expiry is still valid.
    let mut edge = w.clone();
    edge.statement.now = edge.token.expires_at - 1;
    assert_accepted(&c, &edge);
    // Extremes of the 64-bit range.
    let mut far = w.clone();
    far.statement.now = 0;
    assert_accepted(&c, &far);
}

#[test]
fn ownership_membership() {
    let (c, w) = own();
    let mut bad = w.clone();
    let other = MerkleTree::<Hasher>::new(DEPTH, vec![sample_secret("x", 1)]).unwrap();
    bad.statement.root = other.root();
    assert_refused(&c, &bad, Rule::Membership);
    // A token of another package.
    let mut bad = w.clone();
    bad.statement.package_id = sample_bytes("package", 99);
    assert_refused(&c, &bad, Rule::Membership);
    // A token whose expiry was extended by the holder.
    let mut bad = w.clone();
    bad.token.expires_at += 1;
    assert_refused(&c, &bad, Rule::Membership);
    // Another token's path.
    let mut bad = w.clone();
    bad.path.index ^= 1;
    assert_refused(&c, &bad, Rule::Membership);
}

#[test]
fn ownership_knowledge_of_blinding_factor() {
    let (c, w) = own();
    let mut bad = w.clone();
    bad.blinding_factor = sample_secret("not-mine", 7);
    bad.statement.tag =
        ownership::tag::<Hasher>(&bad.blinding_factor, &w.statement.challenge).unwrap();
    assert_refused(&c, &bad, Rule::BlindingFactor);
}

#[test]
fn ownership_expiry() {
    let (c, w) = own();
    let mut bad = w.clone();
    bad.statement.now = w.token.expires_at;
    assert_refused(&c, &bad, Rule::Expiry);
    bad.statement.now = u64::MAX;
    assert_refused(&c, &bad, Rule::Expiry);
}

#[test]
fn ownership_tag() {
    let (c, w) = own();
    let mut bad = w.clone();
    bad.statement.tag =
        ownership::tag::<Hasher>(&w.blinding_factor, &sample_bytes("challenge", 2)).unwrap();
    assert_refused(&c, &bad, Rule::Tag);
    let mut bad = w.clone();
    bad.statement.challenge = sample_bytes("challenge", 3);
    assert_refused(&c, &bad, Rule::Tag);
}

#[test]
fn ownership_malformed_witnesses_are_errors_not_panics() {
    let (c, w) = own();
    let mut bad = w.clone();
    bad.path.siblings.pop();
    assert_eq!(c.check::<Hasher>(&bad).unwrap_err().rule, Rule::WellFormed);
    assert!(satisfies(&c, &bad).is_err());
    let mut bad = w.clone();
    bad.blinding_factor = veil_verifier::Bytes32([0xff; 32]);
    assert_eq!(c.check::<Hasher>(&bad).unwrap_err().rule, Rule::WellFormed);
    assert!(satisfies(&c, &bad).is_err());
    let mut bad = w;
    bad.path.index = 1 << (DEPTH + 1);
    assert_eq!(c.check::<Hasher>(&bad).unwrap_err().rule, Rule::WellFormed);
    assert!(satisfies(&c, &bad).is_err());
}

#[test]
fn tier_valid_witnesses_are_accepted() {
    let (c, w) = tie();
    assert_accepted(&c, &w);
    // Boundaries: tier equal to the minimum, last slot of the quota.
    let mut edge = w.clone();
    edge.statement.min_tier = w.tier_id;
    edge.slot = w.statement.quota - 1;
    edge.statement.nullifier =
        tier::nullifier::<Hasher>(&w.user_secret, &w.statement.epoch_beacon, edge.slot).unwrap();
    assert_accepted(&c, &edge);
    let mut zero = w.clone();
    zero.statement.min_tier = 0;
    assert_accepted(&c, &zero);
}

#[test]
fn tier_membership() {
    let (c, w) = tie();
    let mut bad = w.clone();
    bad.statement.root = MerkleTree::<Hasher>::new(DEPTH, vec![sample_secret("x", 2)])
        .unwrap()
        .root();
    assert_refused(&c, &bad, Rule::Membership);
    // Claiming a higher tier than the one committed to.
    let mut bad = w.clone();
    bad.tier_id += 1;
    assert_refused(&c, &bad, Rule::Membership);
    // Someone else's secret.
    let mut bad = w.clone();
    bad.randomness = sample_secret("randomness", 999);
    assert_refused(&c, &bad, Rule::Membership);
}

#[test]
fn tier_minimum() {
    let (c, w) = tie();
    let mut bad = w.clone();
    bad.statement.min_tier = w.tier_id + 1;
    assert_refused(&c, &bad, Rule::TierMinimum);
    bad.statement.min_tier = u32::MAX;
    assert_refused(&c, &bad, Rule::TierMinimum);
}

#[test]
fn tier_quota() {
    let (c, w) = tie();
    let mut bad = w.clone();
    bad.statement.quota = w.slot;
    assert_refused(&c, &bad, Rule::Quota);
    let mut bad = w.clone();
    bad.statement.quota = 0;
    assert_refused(&c, &bad, Rule::Quota);
}

#[test]
fn tier_nullifier() {
    let (c, w) = tie();
    let mut bad = w.clone();
    bad.statement.nullifier =
        tier::nullifier::<Hasher>(&w.user_secret, &w.statement.epoch_beacon, w.slot + 1).unwrap();
    assert_refused(&c, &bad, Rule::Nullifier);
    let mut bad = w.clone();
    bad.statement.epoch_beacon = sample_secret("epoch-beacon", 42);
    assert_refused(&c, &bad, Rule::Nullifier);
}

#[test]
fn tier_request_binding() {
    let (c, w) = tie();
    let mut bad = w.clone();
    bad.statement.request_binding =
        tier::request_binding::<Hasher>(&sample_bytes("request-nonce", 77), &w.ephemeral_pubkey)
            .unwrap();
    assert_refused(&c, &bad, Rule::RequestBinding);
    let mut bad = w.clone();
    bad.ephemeral_pubkey = sample_bytes("ephemeral-pubkey", 78);
    assert_refused(&c, &bad, Rule::RequestBinding);
}

#[test]
fn tier_malformed_witness_is_an_error() {
    let (c, w) = tie();
    let mut bad = w;
    bad.path.siblings.push([veil_verifier::Bytes32::ZERO; 3]);
    assert_eq!(c.check::<Hasher>(&bad).unwrap_err().rule, Rule::WellFormed);
    assert!(satisfies(&c, &bad).is_err());
}
