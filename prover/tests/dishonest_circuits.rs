//! A dishonest prover against every rule of every circuit, on both backends.
//!
//! Each case starts from the circuit's sample witness, breaks one rule (in the statement or
//! the secrets) and plays two cheaters against the constraint system:
//! - the honest completion of the broken witness (what `satisfies` checks today) must be
//!   refused;
//! - the splice: the broken witness with every intermediate value that differs from the
//!   honest run put back to its honest (passing) value: comparison bits, borrows, equality
//!   flags, selections, quotients, hash states. The intermediates then look exactly like a
//!   passing run's, so only the constraints binding them to the changed input can refuse:
//!   an input or a rule left out of the constraints is accepted here.
//!
//! And the review's scenario, exactly: a forged waterfall split (one line's quotient off by
//! one, its remainder the divisor plus the true remainder, the unit moved to the remainder
//! line) is refused by the real `u64_mul_div`, by one constraint only, the remainder's
//! bound: a gadget without it would accept (the mutant itself is in dishonest_gadgets.rs).
//!
//! (On R1CS a secret the case changes is a witness variable too: the cheater keeps it, the
//! splice resets the intermediates after it.)
//!
//! Sizes: depth 4, capacity 4. The metering, isolation and renewal cases tamper the sample
//! witness's statement only, so they hold whatever secrets those witnesses carry.

use ark_bls12_381::Fr;
use plonky2::field::types::{Field, PrimeField64};

use veil_circuits::{
    Circuit, Isolation, Listed, Metering, NativeHasher, Ownership, PoseidonBls12,
    PoseidonGoldilocks, Renewal, Revenue, Tier, Waterfall,
};
use veil_prover::plonky2::dishonest as pd;
use veil_prover::r1cs::dishonest as rd;
use veil_verifier::Bytes32;

const DEPTH: u32 = 4;
const CAP: u32 = 4;

type Tamper<W> = (&'static str, fn(&mut W));

/// R1CS: every case refused, as the honest completion and as the splice.
fn r1cs_rules<C: Listed>(size: u32, cases: &[Tamper<C::Witness>]) {
    let circuit = C::with_size(size).unwrap();
    let honest = C::sample::<PoseidonBls12>(size, 1).unwrap();
    circuit.check::<PoseidonBls12>(&honest).unwrap();
    let checker = rd::Checker::new(|api| circuit.define(api, Some(&honest))).unwrap();
    let h = checker
        .run(&rd::Cheats::new(), |api| circuit.define(api, Some(&honest)))
        .unwrap();
    assert!(h.satisfied(), "{}: honest witness refused", circuit.id());
    let n = h.assignment.len() - h.num_instance;
    for (name, tamper) in cases {
        let mut broken = honest.clone();
        tamper(&mut broken);
        assert!(
            circuit.check::<PoseidonBls12>(&broken).is_err(),
            "{name}: the native check accepts the tampered witness"
        );
        let define = |api: &mut veil_prover::R1csApi| circuit.define(api, Some(&broken));
        let b = checker.run(&rd::Cheats::new(), define).unwrap();
        assert!(
            !b.satisfied(),
            "{}: {name}: honest completion accepted",
            circuit.id()
        );
        // A tampered secret is itself a witness variable, the first that differs: the
        // cheater keeps it (the splice resets what is computed from it).
        let secret_tamper = C::statement(&broken) == C::statement(&honest);
        let mut keep = secret_tamper;
        let mut splice = rd::Cheats::new();
        let mut differing = 0;
        for i in 0..n {
            if b.witness(i) != h.witness(i) && std::mem::take(&mut keep) {
                continue;
            }
            if b.witness(i) != h.witness(i) {
                splice = splice.set(i, h.witness(i));
                differing += 1;
            }
        }
        let s = checker.run(&splice, define).unwrap();
        assert!(
            !s.satisfied(),
            "{}: {name}: the splice of {differing} honest intermediates accepted",
            circuit.id()
        );
    }
}

/// Plonky2: the same, with the generated values.
fn plonky2_rules<C: Listed>(size: u32, cases: &[Tamper<C::Witness>]) {
    let circuit = C::with_size(size).unwrap();
    let honest = C::sample::<PoseidonGoldilocks>(size, 1).unwrap();
    circuit.check::<PoseidonGoldilocks>(&honest).unwrap();
    let checker = pd::Checker::new(|api| circuit.define(api, Some(&honest))).unwrap();
    let h = checker
        .run(&pd::Cheats::new(), |api| circuit.define(api, Some(&honest)))
        .unwrap();
    assert!(
        h.satisfied(),
        "{}: honest witness refused: {:?}",
        circuit.id(),
        h.verdict
    );
    for (name, tamper) in cases {
        let mut broken = honest.clone();
        tamper(&mut broken);
        assert!(
            circuit.check::<PoseidonGoldilocks>(&broken).is_err(),
            "{name}"
        );
        let define =
            |api: &mut veil_prover::plonky2::Plonky2Api| circuit.define(api, Some(&broken));
        let b = checker.run(&pd::Cheats::new(), define).unwrap();
        assert!(
            !b.satisfied(),
            "{}: {name}: honest completion accepted",
            circuit.id()
        );
        let mut splice = pd::Cheats::new();
        for g in &b.generated {
            for (t, v) in &g.values {
                // The statement is the verifier's and the secrets are the case's: the splice
                // resets intermediates only.
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
        assert!(
            !s.satisfied(),
            "{}: {name}: the splice accepted",
            circuit.id()
        );
    }
}

fn digest(v: u64) -> Bytes32 {
    Bytes32::from_u64(v)
}

// ---------------------------------------------------------------- the cases

fn ownership_cases() -> Vec<Tamper<veil_circuits::OwnershipWitness>> {
    vec![
        ("membership: another root", |w| w.statement.root = digest(7)),
        ("expiry: now = expires_at", |w| {
            w.statement.now = w.token.expires_at
        }),
        ("expiry: now = u64::MAX", |w| w.statement.now = u64::MAX),
        ("tag: another tag", |w| w.statement.tag = digest(9)),
        ("blinding factor: another one", |w| {
            w.blinding_factor = digest(11)
        }),
    ]
}

fn tier_cases() -> Vec<Tamper<veil_circuits::TierWitness>> {
    vec![
        ("membership: another root", |w| w.statement.root = digest(7)),
        ("tier minimum: above the tier", |w| {
            w.statement.min_tier = w.tier_id + 1
        }),
        ("quota: slot = quota", |w| w.statement.quota = w.slot),
        ("nullifier: another one", |w| {
            w.statement.nullifier = digest(3)
        }),
        ("request binding: another one", |w| {
            w.statement.request_binding = digest(4)
        }),
    ]
}

fn renewal_cases() -> Vec<Tamper<veil_circuits::RenewalWitness>> {
    vec![
        ("membership: another root", |w| w.statement.root = digest(7)),
        ("renewal window: now far past the expiry", |w| {
            w.statement.now = u64::MAX
        }),
        ("later expiry: new expiry 0", |w| {
            w.statement.new_expires_at = 0
        }),
        ("nullifier: another one", |w| {
            w.statement.nullifier = digest(3)
        }),
        ("new leaf: another one", |w| {
            w.statement.new_leaf = digest(5)
        }),
    ]
}

fn metering_cases() -> Vec<Tamper<veil_circuits::MeteringWitness>> {
    vec![
        ("total: one unit more", |w| w.statement.total_units += 1),
        ("scope: another scope", |w| w.statement.scope = digest(3)),
        ("hour alignment: start + 1", |w| w.statement.hour_start += 1),
        ("hour window: an hour later", |w| {
            w.statement.hour_start += 3600
        }),
        ("commitment: another one", |w| {
            w.statement.readings_commitment = digest(5)
        }),
        ("reading scope: another customer", |w| {
            w.statement.blinded_customer_id = Bytes32([9; 32])
        }),
    ]
}

fn isolation_cases() -> Vec<Tamper<veil_circuits::IsolationWitness>> {
    vec![
        ("distinct packages: b = a", |w| {
            w.statement.package_b = w.statement.package_a;
            w.statement.scope_b = w.statement.scope_a;
        }),
        ("scope: another scope a", |w| {
            w.statement.scope_a = digest(3)
        }),
        ("commitment: another commitment b", |w| {
            w.statement.commitment_b = digest(5)
        }),
    ]
}

fn revenue_cases() -> Vec<Tamper<veil_circuits::RevenueWitness>> {
    vec![
        ("total: one micro more", |w| {
            w.statement.aggregate_revenue_micros += 1
        }),
        ("count: one more", |w| w.statement.transaction_count += 1),
        ("period coverage: a transaction left out", |w| {
            let gross = w.transactions[0].gross_amount_micros;
            let s = &mut w.statement;
            s.aggregate_revenue_micros = s.aggregate_revenue_micros.wrapping_sub(gross);
            s.transaction_count = s.transaction_count.saturating_sub(1);
        }),
        ("commitment: another one", |w| {
            w.statement.transactions_commitment = digest(5)
        }),
    ]
}

fn waterfall_cases() -> Vec<Tamper<veil_circuits::WaterfallWitness>> {
    vec![
        ("total: one micro more", |w| {
            w.statement.total_revenue_micros += 1
        }),
        ("tranches: a micro moved from tranche 0 to 1", |w| {
            w.statement.tranche_payouts[0] -= 1;
            w.statement.tranche_payouts[1] += 1;
        }),
        ("residual split: a micro moved from line 1 to 2", |w| {
            w.statement.share_payouts[1] -= 1;
            w.statement.share_payouts[2] += 1;
        }),
        ("conservation: a micro created", |w| {
            w.statement.share_payouts[0] += 1
        }),
        ("rules: basis points summing to 10,001", |w| {
            w.statement.shares[0].bps += 1
        }),
        ("commitment: another one", |w| {
            w.statement.payments_commitment = digest(5)
        }),
    ]
}

#[test]
fn ownership_r1cs() {
    r1cs_rules::<Ownership>(DEPTH, &ownership_cases());
}

#[test]
fn ownership_plonky2() {
    plonky2_rules::<Ownership>(DEPTH, &ownership_cases());
}

#[test]
fn tier_r1cs() {
    r1cs_rules::<Tier>(DEPTH, &tier_cases());
}

#[test]
fn tier_plonky2() {
    plonky2_rules::<Tier>(DEPTH, &tier_cases());
}

#[test]
fn revenue_r1cs() {
    r1cs_rules::<Revenue>(CAP, &revenue_cases());
}

#[test]
fn revenue_plonky2() {
    plonky2_rules::<Revenue>(CAP, &revenue_cases());
}

#[test]
fn waterfall_r1cs() {
    r1cs_rules::<Waterfall>(CAP, &waterfall_cases());
}

#[test]
fn waterfall_plonky2() {
    plonky2_rules::<Waterfall>(CAP, &waterfall_cases());
}

#[test]
fn renewal_r1cs() {
    r1cs_rules::<Renewal>(DEPTH, &renewal_cases());
}

#[test]
fn renewal_plonky2() {
    plonky2_rules::<Renewal>(DEPTH, &renewal_cases());
}

#[test]
fn metering_r1cs() {
    r1cs_rules::<Metering>(CAP, &metering_cases());
}

#[test]
fn metering_plonky2() {
    plonky2_rules::<Metering>(CAP, &metering_cases());
}

#[test]
fn isolation_r1cs() {
    r1cs_rules::<Isolation>(CAP, &isolation_cases());
}

#[test]
fn isolation_plonky2() {
    plonky2_rules::<Isolation>(CAP, &isolation_cases());
}

// ---------------------------------------------------------------- the review's scenario

const BPS_WHOLE: u64 = 10_000;

/// The forged split: line `k`'s floor lowered by one, the unit moved to the remainder line;
/// returns the forged witness and line k's true (quotient, remainder).
fn forge_split<H: NativeHasher>() -> (
    veil_circuits::WaterfallWitness,
    veil_circuits::WaterfallWitness,
    u64,
    u64,
) {
    let honest = Waterfall::sample::<H>(CAP, 1).unwrap();
    let s = &honest.statement;
    let remaining = s.total_revenue_micros - s.tranche_payouts.iter().sum::<u64>();
    let to = s.remainder_to as usize;
    // A line other than the remainder's, with a remainder small enough that r + 10,000
    // still passes the mutant's 14-bit check when possible.
    let line = |k: usize| {
        let p = u128::from(remaining) * u128::from(s.shares[k].bps);
        ((p / 10_000) as u64, (p % 10_000) as u64)
    };
    let k = (0..s.shares.len())
        .filter(|&k| k != to && line(k).0 > 0)
        .min_by_key(|&k| line(k).1)
        .expect("a line to forge");
    let (q, r) = line(k);
    let mut forged = honest.clone();
    forged.statement.share_payouts[k] -= 1;
    forged.statement.share_payouts[to] += 1;
    println!("forging line {k}: q = {q}, r = {r} (remainder line {to})");
    (honest, forged, q, r)
}

#[test]
fn forged_waterfall_split_r1cs() {
    let circuit = Waterfall::new(CAP).unwrap();
    let (honest, forged, q, r) = forge_split::<PoseidonBls12>();
    let checker = rd::Checker::new(|api| circuit.define(api, Some(&honest))).unwrap();
    let h = checker
        .run(&rd::Cheats::new(), |api| circuit.define(api, Some(&honest)))
        .unwrap();
    assert!(h.satisfied());
    // The quotient and remainder of line k: allocated one after the other.
    let n = h.assignment.len() - h.num_instance;
    let at = (0..n - 1)
        .find(|&i| h.witness(i) == Fr::from(q) && h.witness(i + 1) == Fr::from(r))
        .expect("line k's quotient and remainder");
    let cheats = rd::Cheats::new()
        .set_u64(at, q - 1)
        .set_u64(at + 1, r + BPS_WHOLE);
    let run = checker
        .run(&cheats, |api| circuit.define(api, Some(&forged)))
        .unwrap();
    println!(
        "R1CS refuses the forged split at rows {:?}",
        run.unsatisfied_rows
    );
    assert!(!run.satisfied(), "the forged split verifies");
    if r + BPS_WHOLE < 1 << 14 {
        // Everything else holds: only the remainder's bound (r < 10,000) refuses it.
        assert_eq!(run.unsatisfied_rows.len(), 1);
    }
    // Without the cheat the forged statement is refused too (by the product or the payout).
    let plain = checker
        .run(&rd::Cheats::new(), |api| circuit.define(api, Some(&forged)))
        .unwrap();
    assert!(!plain.satisfied());
}

#[test]
fn forged_waterfall_split_plonky2() {
    let circuit = Waterfall::new(CAP).unwrap();
    let (honest, forged, q, r) = forge_split::<PoseidonGoldilocks>();
    let checker = pd::Checker::new(|api| circuit.define(api, Some(&honest))).unwrap();
    let h = checker
        .run(&pd::Cheats::new(), |api| circuit.define(api, Some(&honest)))
        .unwrap();
    assert!(h.satisfied(), "{:?}", h.verdict);
    let g = |v: u64| plonky2::field::goldilocks_field::GoldilocksField::from_canonical_u64(v);
    let gen = h
        .generated_by("VeilMulDivGenerator")
        .map(|x| x.values.clone())
        .find(|v| v[1].1 == g(q) && v[3].1 == g(r) && v[0].1.to_canonical_u64() == 0)
        .expect("line k's MulDivGenerator");
    let cheats = pd::Cheats::new()
        .set(gen[1].0, g(q - 1))
        .set(gen[3].0, g(r + BPS_WHOLE));
    let run = checker
        .run(&cheats, |api| circuit.define(api, Some(&forged)))
        .unwrap();
    println!("Plonky2 refuses the forged split: {:?}", run.failures);
    assert!(!run.satisfied(), "the forged split verifies");
    // Every failure is in the remainder's bound (u64_assert_less_than(r, d): its high limb
    // -1 does not split into 32 bits).
    assert!(run
        .failures
        .iter()
        .all(|(_, gate, _)| gate.starts_with("BaseSumGate") || gate.starts_with("Arithmetic")));
}
