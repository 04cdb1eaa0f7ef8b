//! Every rule of every circuit, on both backends: one table of cases per circuit (valid
//! witnesses, and witnesses that break exactly one rule) runs against Groth16/R1CS and
//! Plonky2. Each valid witness must pass the native check and satisfy the backend's
//! constraint system; each violation must be refused by the native check (naming the rule)
//! AND by the constraint system (R1CS: an unsatisfied row; Plonky2: proving fails). A case
//! that one backend accepts and the other refuses fails here.
//!
//! Witnesses depend on the backend's hash (roots differ), so the tables are built per
//! backend from the same recipe.

use veil_circuits::merkle::MerkleTree;
use veil_circuits::sample::{ownership_witness, sample_bytes, sample_secret, tier_witness};
use veil_circuits::{
    ownership, tier, Circuit, NativeHasher, Ownership, OwnershipWitness, PoseidonBls12,
    PoseidonGoldilocks, Rule, Tier, TierWitness,
};
use veil_prover::plonky2 as p2;

const DEPTH: u32 = 6;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Valid,
    Refused(Rule),
    /// Bad shape or non-canonical values: the native check says WellFormed and the circuit
    /// cannot even be defined with the witness.
    Malformed,
}

struct Case<W> {
    name: &'static str,
    witness: W,
    expect: Expect,
}

fn case<W>(name: &'static str, witness: W, expect: Expect) -> Case<W> {
    Case {
        name,
        witness,
        expect,
    }
}

fn ownership_cases<H: NativeHasher>() -> Vec<Case<OwnershipWitness>> {
    use Expect::*;
    let w = ownership_witness::<H>(DEPTH, 1).unwrap();
    let mut out = vec![case("valid", w.clone(), Valid)];
    let mut v = |name, f: &dyn Fn(&mut OwnershipWitness), e| {
        let mut x = w.clone();
        f(&mut x);
        out.push(case(name, x, e));
    };
    // Boundaries: one second before expiry is still valid; the 64-bit extremes.
    v(
        "now = expires_at - 1",
        &|x| x.statement.now = x.token.expires_at - 1,
        Valid,
    );
    v("now = 0", &|x| x.statement.now = 0, Valid);
    // Membership.
    v(
        "another tree's root",
        &|x| {
            x.statement.root = MerkleTree::<H>::new(DEPTH, vec![sample_secret("x", 1)])
                .unwrap()
                .root()
        },
        Refused(Rule::Membership),
    );
    v(
        "a token of another package",
        &|x| x.statement.package_id = sample_bytes("package", 99),
        Refused(Rule::Membership),
    );
    v(
        "expiry extended by the holder",
        &|x| x.token.expires_at += 1,
        Refused(Rule::Membership),
    );
    v(
        "expiry extended by 2^32",
        &|x| x.token.expires_at += 1 << 32,
        Refused(Rule::Membership),
    );
    v(
        "another token's path",
        &|x| x.path.index ^= 1,
        Refused(Rule::Membership),
    );
    // Knowledge of the blinding factor.
    v(
        "someone else's blinding factor",
        &|x| {
            x.blinding_factor = sample_secret("not-mine", 7);
            x.statement.tag =
                ownership::tag::<H>(&x.blinding_factor, &x.statement.challenge).unwrap();
        },
        Refused(Rule::BlindingFactor),
    );
    // Expiry.
    v(
        "now = expires_at",
        &|x| x.statement.now = x.token.expires_at,
        Refused(Rule::Expiry),
    );
    v(
        "now = u64::MAX",
        &|x| x.statement.now = u64::MAX,
        Refused(Rule::Expiry),
    );
    v(
        "now = expires_at + 2^32 (same low limb)",
        &|x| x.statement.now = x.token.expires_at + (1 << 32),
        Refused(Rule::Expiry),
    );
    // Tag.
    v(
        "tag for another challenge",
        &|x| {
            x.statement.tag =
                ownership::tag::<H>(&x.blinding_factor, &sample_bytes("challenge", 2)).unwrap()
        },
        Refused(Rule::Tag),
    );
    v(
        "another challenge",
        &|x| x.statement.challenge = sample_bytes("challenge", 3),
        Refused(Rule::Tag),
    );
    // Malformed.
    v(
        "a level missing",
        &|x| {
            x.path.siblings.pop();
        },
        Malformed,
    );
    v(
        "non-canonical blinding factor",
        &|x| x.blinding_factor = veil_verifier::Bytes32([0xff; 32]),
        Malformed,
    );
    v(
        "index outside the tree",
        &|x| x.path.index = 1 << (DEPTH + 1),
        Malformed,
    );
    out
}

fn tier_cases<H: NativeHasher>() -> Vec<Case<TierWitness>> {
    use Expect::*;
    let w = tier_witness::<H>(DEPTH, 1).unwrap();
    let mut out = vec![case("valid", w.clone(), Valid)];
    let mut v = |name, f: &dyn Fn(&mut TierWitness), e| {
        let mut x = w.clone();
        f(&mut x);
        out.push(case(name, x, e));
    };
    v(
        "tier = min, last slot of the quota",
        &|x| {
            x.statement.min_tier = x.tier_id;
            x.slot = x.statement.quota - 1;
            x.statement.nullifier =
                tier::nullifier::<H>(&x.user_secret, &x.statement.epoch_beacon, x.slot).unwrap();
        },
        Valid,
    );
    v("min tier 0", &|x| x.statement.min_tier = 0, Valid);
    // Membership.
    v(
        "another tree's root",
        &|x| {
            x.statement.root = MerkleTree::<H>::new(DEPTH, vec![sample_secret("x", 2)])
                .unwrap()
                .root()
        },
        Refused(Rule::Membership),
    );
    v(
        "a higher tier than committed",
        &|x| x.tier_id += 1,
        Refused(Rule::Membership),
    );
    v(
        "someone else's randomness",
        &|x| x.randomness = sample_secret("randomness", 999),
        Refused(Rule::Membership),
    );
    // Tier minimum.
    v(
        "tier below the minimum",
        &|x| x.statement.min_tier = x.tier_id + 1,
        Refused(Rule::TierMinimum),
    );
    v(
        "min tier u32::MAX",
        &|x| x.statement.min_tier = u32::MAX,
        Refused(Rule::TierMinimum),
    );
    // Quota.
    v(
        "slot = quota",
        &|x| x.statement.quota = x.slot,
        Refused(Rule::Quota),
    );
    v("quota 0", &|x| x.statement.quota = 0, Refused(Rule::Quota));
    // Nullifier.
    v(
        "nullifier of another slot",
        &|x| {
            x.statement.nullifier =
                tier::nullifier::<H>(&x.user_secret, &x.statement.epoch_beacon, x.slot + 1).unwrap()
        },
        Refused(Rule::Nullifier),
    );
    v(
        "another epoch",
        &|x| x.statement.epoch_beacon = sample_secret("epoch-beacon", 42),
        Refused(Rule::Nullifier),
    );
    // Request binding.
    v(
        "binding of another nonce",
        &|x| {
            x.statement.request_binding =
                tier::request_binding::<H>(&sample_bytes("request-nonce", 77), &x.ephemeral_pubkey)
                    .unwrap()
        },
        Refused(Rule::RequestBinding),
    );
    v(
        "another ephemeral key",
        &|x| x.ephemeral_pubkey = sample_bytes("ephemeral-pubkey", 78),
        Refused(Rule::RequestBinding),
    );
    // Malformed.
    v(
        "a level too many",
        &|x| x.path.siblings.push([veil_verifier::Bytes32::ZERO; 3]),
        Malformed,
    );
    out
}

/// The native check's verdict against the case's expectation.
fn check_native<C: Circuit, H: NativeHasher>(c: &C, case: &Case<C::Witness>) {
    let verdict = c.check::<H>(&case.witness);
    match case.expect {
        Expect::Valid => verdict.unwrap_or_else(|v| panic!("{}: native check: {v}", case.name)),
        Expect::Refused(rule) => {
            let v = verdict.expect_err(case.name);
            assert_eq!(
                v.rule, rule,
                "{}: native check named the wrong rule: {v}",
                case.name
            );
            assert!(!v.detail.is_empty());
        }
        Expect::Malformed => {
            assert_eq!(
                verdict.expect_err(case.name).rule,
                Rule::WellFormed,
                "{}",
                case.name
            )
        }
    }
}

/// The constraint system's verdict: Ok(true) satisfied, Ok(false) refused, Err cannot define.
fn expect_cs(name: &str, backend: &str, expect: Expect, cs: Result<bool, String>) {
    match (expect, cs) {
        (Expect::Valid, Ok(true)) => {}
        (Expect::Refused(_), Ok(false)) => {}
        (Expect::Malformed, Err(_)) => {}
        (e, got) => {
            panic!("{backend}: case {name:?}: expected {e:?}, the constraint system said {got:?}")
        }
    }
}

fn run_groth16<C: Circuit>(c: &C, cases: &[Case<C::Witness>]) {
    for case in cases {
        check_native::<C, PoseidonBls12>(c, case);
        let cs = veil_prover::satisfies(c, &case.witness).map_err(|e| e.to_string());
        expect_cs(case.name, "groth16", case.expect, cs);
    }
}

fn run_plonky2<C: Circuit + Clone>(c: &C, cases: &[Case<C::Witness>]) {
    let (pk, _) = p2::setup(c).unwrap();
    let prover = p2::Prover::new(c.clone(), pk).unwrap();
    for case in cases {
        check_native::<C, PoseidonGoldilocks>(c, case);
        let cs = prover
            .prove_unchecked(&case.witness)
            .map(|p| p.is_some())
            .map_err(|e| e.to_string());
        expect_cs(case.name, "plonky2", case.expect, cs);
        // The full prover (native check first) agrees.
        let full = prover.prove(&case.witness);
        assert_eq!(full.is_ok(), case.expect == Expect::Valid, "{}", case.name);
    }
}

#[test]
fn ownership_rules_groth16() {
    run_groth16(
        &Ownership::new(DEPTH).unwrap(),
        &ownership_cases::<PoseidonBls12>(),
    );
}

#[test]
fn ownership_rules_plonky2() {
    run_plonky2(
        &Ownership::new(DEPTH).unwrap(),
        &ownership_cases::<PoseidonGoldilocks>(),
    );
}

#[test]
fn tier_rules_groth16() {
    run_groth16(&Tier::new(DEPTH).unwrap(), &tier_cases::<PoseidonBls12>());
}

#[test]
fn tier_rules_plonky2() {
    run_plonky2(
        &Tier::new(DEPTH).unwrap(),
        &tier_cases::<PoseidonGoldilocks>(),
    );
}

/// Both tables list the same cases with the same expectations.
#[test]
fn the_tables_are_the_same_on_both_backends() {
    let names = |v: Vec<(&'static str, Expect)>| v;
    assert_eq!(
        names(
            ownership_cases::<PoseidonBls12>()
                .into_iter()
                .map(|c| (c.name, c.expect))
                .collect()
        ),
        names(
            ownership_cases::<PoseidonGoldilocks>()
                .into_iter()
                .map(|c| (c.name, c.expect))
                .collect()
        )
    );
    assert_eq!(
        names(
            tier_cases::<PoseidonBls12>()
                .into_iter()
                .map(|c| (c.name, c.expect))
                .collect()
        ),
        names(
            tier_cases::<PoseidonGoldilocks>()
                .into_iter()
                .map(|c| (c.name, c.expect))
                .collect()
        )
    );
}
