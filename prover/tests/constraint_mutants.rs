//! Constraint-system mutation testing (issue 10 §4; `veil_prover::audit::mutate`): every
//! listed circuit at depth 4 / capacity 4, and the gadgets of the builder API in small
//! circuits, compiled to R1CS; each row deleted, one coefficient replaced (by 1, or plus 1),
//! one term dropped; and each mutant must be killed by a honest witness that no longer
//! satisfies it, by a bad assignment that now does, or by the audit.
//!
//! The honest assignments: samples 1 to 6 of each circuit, the variants of sample 1 the
//! native check accepts, and the circuit's *wide samples* ([`wide_samples`]): values across
//! the whole range of each bound (alternating bit patterns, the maximum, 0) and both branches
//! of each choice, so that a mutant fixing a high bit or a branch meets a witness that has
//! the other.
//!
//! The bad assignments:
//! - *rule-breaking witnesses*: every value of sample 1 and of each wide sample (statement
//!   and secrets, walked in its JSON form) moved (+1, −1, 0, the maximum; a digest or id with its low
//!   bit flipped); each variant the native check refuses gives its honest completion and its
//!   splice (the broken statement or secret with the honest run's intermediates, as in
//!   dishonest_circuits.rs). Variants the native check accepts are more honest witnesses.
//! - *moved values*: each value of a honest assignment moved by one (and each 0/1 flipped),
//!   alone: the generic form of the dishonest-prover cheats of dishonest_gadgets.rs.
//!
//! The circuits come from the circuit list (`veil_verifier::for_each_circuit!`): a circuit
//! added there is mutated here with no line of this file. CI mutates a deterministic sample
//! of rows per circuit (`VEIL_MUTANT_ROWS`, default below); `VEIL_MUTANT_ROWS=all` mutates
//! every row (see MUTATION.md for the figures and the survivors).
//!
//! Also here: the audit refuses a public input that occurs in no constraint (or where it
//! cannot be bound), on toy circuits.

use ark_bls12_381::Fr;
use serde_json::Value;
use veil_circuits::api::{Api, HashInput};
use veil_circuits::error::CircuitError;
use veil_circuits::hash::{Domain, NativeInput};
use veil_circuits::merkle::{alloc_path, merkle_root, MerkleTree};
use veil_circuits::{Circuit, Listed, NativeHasher, PoseidonBls12};
use veil_prover::audit::mutate::{self, Equivalence, MutationReport};
use veil_prover::audit::{analyse, compile_labelled, synthesize_labelled, LabelledR1cs};
use veil_prover::r1cs::dishonest as rd;
use veil_prover::R1csApi;
use veil_verifier::Bytes32;

type Res<T> = Result<T, CircuitError>;

const SIZE: u32 = 4;
/// Rows mutated per circuit in CI (every row of each gadget).
const CI_ROWS: usize = 150;

fn row_budget() -> usize {
    match std::env::var("VEIL_MUTANT_ROWS").as_deref() {
        Ok("all") => usize::MAX,
        Ok(n) => n.parse().unwrap_or(CI_ROWS),
        Err(_) => CI_ROWS,
    }
}

// ---------------------------------------------------------------- witness variants

/// Every leaf of a JSON value moved: (path, variant).
fn json_variants(v: &Value) -> Vec<(String, Value)> {
    fn leaves(v: &Value, path: &mut String, out: &mut Vec<(String, Value)>, root: &Value) {
        let mut push = |p: &str, new: Value| {
            let mut whole = root.clone();
            *whole.pointer_mut(p).unwrap() = new;
            out.push((p.to_string(), whole));
        };
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let len = path.len();
                    path.push('/');
                    path.push_str(k);
                    leaves(x, path, out, root);
                    path.truncate(len);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{i}"));
                    leaves(x, path, out, root);
                    path.truncate(len);
                }
            }
            Value::Bool(b) => push(path, Value::Bool(!b)),
            Value::Number(n) => {
                if let Some(n) = n.as_u64() {
                    let mut vs = vec![n.wrapping_add(1), n.wrapping_sub(1), 0, u64::MAX];
                    vs.sort_unstable();
                    vs.dedup();
                    for x in vs.into_iter().filter(|x| *x != n) {
                        push(path, Value::from(x));
                    }
                }
            }
            Value::String(s) if s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit()) => {
                let mut flipped = s.clone().into_bytes();
                let last = flipped[63];
                let d = u8::from_str_radix(std::str::from_utf8(&[last]).unwrap(), 16).unwrap();
                flipped[63] = format!("{:x}", d ^ 1).as_bytes()[0];
                push(path, Value::String(String::from_utf8(flipped).unwrap()));
                if s.bytes().any(|c| c != b'0') {
                    push(path, Value::String("0".repeat(64)));
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    leaves(v, &mut String::new(), &mut out, v);
    out
}

/// The honest and bad assignments of a circuit (see the module docs).
struct Assignments {
    honest: Vec<Vec<Fr>>,
    bad: Vec<(String, Vec<Fr>)>,
}

fn circuit_assignments<C: Listed>(circuit: &C) -> Assignments {
    let w1 = C::sample::<PoseidonBls12>(SIZE, 1).unwrap();
    let checker = rd::Checker::new(|api| circuit.define(api, Some(&w1))).unwrap();
    let complete = |w: &C::Witness| -> Option<rd::Run<()>> {
        checker
            .run(&rd::Cheats::new(), |api| circuit.define(api, Some(w)))
            .ok()
    };
    let mut honest = Vec::new();
    for seed in [1, 2, 3, 4, 5, 6] {
        let w = C::sample::<PoseidonBls12>(SIZE, seed).unwrap();
        circuit.check::<PoseidonBls12>(&w).unwrap();
        let run = complete(&w).unwrap();
        assert!(run.satisfied(), "{}: sample {seed} refused", circuit.id());
        honest.push(run.assignment);
    }
    // The bases of the rule-breaking variants: sample 1 and each wide sample (whose
    // variants reach rules sample 1's cannot, such as a remainder line that is not a line).
    let mut bases = vec![(String::from("sample 1"), w1.clone(), honest[0].clone())];
    for (name, json) in wide_samples(circuit.id()) {
        let w: C::Witness = serde_json::from_value(json).unwrap();
        circuit.check::<PoseidonBls12>(&w).unwrap();
        let run = complete(&w).unwrap();
        assert!(
            run.satisfied(),
            "{}: wide sample {name} refused",
            circuit.id()
        );
        honest.push(run.assignment.clone());
        bases.push((format!("wide sample {name}"), w, run.assignment));
    }
    let ni = complete(&w1).unwrap().num_instance;
    let mut bad = Vec::new();
    for (base, wb, h) in &bases {
        let json = serde_json::to_value(wb).unwrap();
        for (path, variant) in json_variants(&json) {
            let Ok(w) = serde_json::from_value::<C::Witness>(variant) else {
                continue;
            };
            let native = circuit.check::<PoseidonBls12>(&w);
            let Some(run) = complete(&w) else { continue };
            match native {
                Ok(()) => {
                    if run.satisfied() {
                        honest.push(run.assignment);
                    }
                }
                // A variant the native check refuses only for a field the circuit derives
                // itself (receipt's per-receipt amount_commitment, which the circuit
                // recomputes from the amount and blinding): its completion is the honest
                // assignment, so the constraint system sees no cheat at all and the
                // statement is unchanged.
                Err(_) if run.assignment == *h => {}
                Err(v) => {
                    let name = format!("{base}: {path} ({})", v.rule);
                    // The splice: the broken statement (or the one broken secret) with the
                    // honest run's intermediates.
                    let secret = C::statement(&w) == C::statement(wb);
                    let mut keep = secret;
                    let mut splice = run.assignment.clone();
                    for i in ni..splice.len() {
                        if splice[i] != h[i] && !std::mem::take(&mut keep) {
                            splice[i] = h[i];
                        }
                    }
                    bad.push((format!("{name}: honest completion"), run.assignment));
                    bad.push((format!("{name}: splice"), splice));
                }
            }
        }
    }
    Assignments { honest, bad }
}

/// Honest witnesses with wide values, for the circuits whose samples (realistic amounts)
/// leave the high bits of every decomposed value at 0 and take one branch of each choice:
/// there, a mutant that forces such a bit to 0 (a booleanity row `b·(1 − b) = 0` with −b
/// dropped) or fixes the branch survives every sample. Each value below sets bits the others
/// clear (alternating patterns, the maximum, 0), and the rules take both sides of every
/// `min(remaining, cap)`, an uncapped tranche, every share line count and remainder line.
fn wide_samples(id: veil_verifier::CircuitId) -> Vec<(&'static str, Value)> {
    match id.kind {
        veil_verifier::CircuitKind::Waterfall => wide_waterfalls(id.capacity()),
        veil_verifier::CircuitKind::Ownership => wide_times(id.size, false),
        veil_verifier::CircuitKind::Renewal => wide_times(id.size, true),
        veil_verifier::CircuitKind::Tier => wide_tiers(id.size),
        veil_verifier::CircuitKind::Metering => wide_meterings(id.capacity()),
        veil_verifier::CircuitKind::FlowBudget => wide_flow_budgets(id.size),
        veil_verifier::CircuitKind::Revenue => wide_revenues(id.capacity())
            .into_iter()
            .map(|(name, w)| (name, serde_json::to_value(w).unwrap()))
            .collect(),
        veil_verifier::CircuitKind::Receipt => wide_revenues(id.capacity())
            .into_iter()
            .enumerate()
            .map(|(i, (name, w))| {
                let r = veil_circuits::sample::receipts_of::<PoseidonBls12>(&w, 50 + i as u64);
                (name, serde_json::to_value(r.unwrap()).unwrap())
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Ownership (`now < expires_at`) and renewal (`now < expires_at + grace`, a later new
/// expiry) at times across the u64 range, the smallest and largest differences among them.
fn wide_times(depth: u32, renewal: bool) -> Vec<(&'static str, Value)> {
    use veil_circuits::renewal::GRACE_PERIOD_SECS;
    use veil_circuits::sample::{ownership_at, renewal_at};
    const A: u64 = 0xAAAA_AAAA_AAAA_AAAA;
    const FIVE: u64 = 0x5555_5555_5555_5555;
    const MAX: u64 = u64::MAX;
    // (name, now, expiry of token 0 (the prover's, token 3, expires 3 s later), extension)
    let cases: [(&'static str, u64, u64, u64); 6] = [
        ("from 0 to 0x55..", 0, FIVE, A - 3),
        ("from 0 to 0xAA..", 0, A, FIVE),
        ("a second before expiry at 0xAA..", A + 2, A, 1),
        ("0x2AA.. to 0x7FF..", FIVE >> 1, A >> 1, FIVE),
        ("expiry 0", 0, 0, 1 << 63),
        (
            "the last expiry renewal allows",
            MAX - GRACE_PERIOD_SECS - 100,
            MAX - GRACE_PERIOD_SECS - 102,
            1,
        ),
    ];
    cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, now, expires_at, extension))| {
            let seed = 50 + i as u64;
            let w = if renewal {
                serde_json::to_value(
                    renewal_at::<PoseidonBls12>(depth, seed, now, expires_at, extension).unwrap(),
                )
            } else {
                serde_json::to_value(
                    ownership_at::<PoseidonBls12>(depth, seed, now, expires_at).unwrap(),
                )
            };
            (name, w.unwrap())
        })
        .collect()
}

/// Tiers, minimums, slots and quotas across the 32-bit range, at both ends of each bound.
fn wide_tiers(depth: u32) -> Vec<(&'static str, Value)> {
    use veil_circuits::sample::tier_at;
    const A: u32 = 0xAAAA_AAAA;
    const FIVE: u32 = 0x5555_5555;
    const MAX: u32 = u32::MAX;
    // (name, tier, min_tier, (slot, quota))
    let cases: [(&'static str, u32, u32, (u32, u32)); 5] = [
        ("the top tier over a minimum of 0", MAX, 0, (0, 1)),
        ("0xAA.. over 0x55..", A, FIVE, (FIVE, A)),
        ("exactly the minimum, the last slot", FIVE, FIVE, (A - 1, A)),
        ("the top of every range", MAX, MAX, (MAX - 1, MAX)),
        ("tier 0", 0, 0, (A >> 1, MAX)),
    ];
    cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, tier, min_tier, slot))| {
            let w = tier_at::<PoseidonBls12>(depth, 50 + i as u64, tier, min_tier, slot);
            (name, serde_json::to_value(w.unwrap()).unwrap())
        })
        .collect()
}

/// Epochs, limits, spent amounts and costs across the u64 range, within an epoch and across
/// a rollover (where the spent amount restarts from 0), each at both ends of its bound.
fn wide_flow_budgets(depth: u32) -> Vec<(&'static str, Value)> {
    use veil_circuits::sample::flow_budget_charge;
    const A: u64 = 0xAAAA_AAAA_AAAA_AAAA;
    const FIVE: u64 = 0x5555_5555_5555_5555;
    const MAX: u64 = u64::MAX;
    // (name, (old epoch, old spent), epoch, limit, cost)
    type Case = (&'static str, (u64, u64), u64, u64, u64);
    let cases: [Case; 5] = [
        ("the same 0xAA.. epoch", (A, FIVE >> 1), A, MAX, FIVE),
        (
            "a rollover to 0xAA.., the limit reached",
            (FIVE, A),
            A,
            A,
            A,
        ),
        (
            "a rollover from 0 to the last epoch, nothing charged",
            (0, 0),
            MAX,
            FIVE,
            0,
        ),
        (
            "the last epoch, the largest amounts",
            (MAX, MAX - 1),
            MAX,
            MAX,
            1,
        ),
        (
            "a rollover to 2^63",
            (FIVE >> 1, MAX),
            1 << 63,
            1 << 63,
            1 << 63,
        ),
    ];
    cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, old, epoch, limit, cost))| {
            let w =
                flow_budget_charge::<PoseidonBls12>(depth, 50 + i as u64, old, epoch, limit, cost);
            (name, serde_json::to_value(w.unwrap()).unwrap())
        })
        .collect()
}

/// Hours at both ends of the 62-bit timestamp range and between, readings at the first and
/// last second of the hour and at alternating-bit offsets, units whose sum reaches 2^64 − 1,
/// and 1 to `capacity` readings.
fn wide_meterings(capacity: usize) -> Vec<(&'static str, Value)> {
    use veil_circuits::metering::{self, Reading, HOUR_SECS, TIMESTAMP_BITS};
    use veil_circuits::sample::{metering_of, sample_bytes, sample_secret};
    const A: u64 = 0xAAAA_AAAA_AAAA_AAAA;
    const FIVE: u64 = 0x5555_5555_5555_5555;
    let hour = |t: u64| t - t % HOUR_SECS;
    let last_hour = hour((1 << TIMESTAMP_BITS) - HOUR_SECS);
    type Case = (&'static str, u64, Vec<(u64, u64)>);
    let cases: Vec<Case> = vec![
        (
            "an hour of 0x2AA.. seconds, the largest sum",
            hour(A >> 2),
            vec![(0, A), (HOUR_SECS - 1, FIVE), (0xAAA, 0), (0x555, 0)],
        ),
        ("the last hour", last_hour, vec![(0x555, u64::MAX)]),
        (
            "the first hour",
            0,
            vec![(0xAAA, FIVE >> 1), (HOUR_SECS - 1, A >> 1)],
        ),
        (
            "an hour of 0x155.. seconds",
            hour(FIVE >> 2),
            vec![(1, 1 << 63), (0x7FF, (1 << 63) - 1), (HOUR_SECS - 2, 0)],
        ),
        (
            "four readings of 2^62 − 1 units in the last hour",
            last_hour,
            [0, 0xAAA, 0x555, HOUR_SECS - 1]
                .into_iter()
                .map(|offset| (offset, (1 << 62) - 1))
                .collect(),
        ),
    ];
    cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, hour_start, readings))| {
            assert!(readings.len() <= capacity);
            let package = sample_bytes("wide-package", i as u64);
            let customer = sample_bytes("wide-customer", i as u64);
            let scope = metering::scope::<PoseidonBls12>(&package).unwrap();
            let key = metering::reading_key::<PoseidonBls12>(&scope, &customer).unwrap();
            let readings = readings
                .into_iter()
                .map(|(offset, units)| Reading {
                    key,
                    timestamp: hour_start + offset,
                    units,
                })
                .collect();
            let blinding = sample_secret("wide-meter-blinding", i as u64);
            let w = metering_of::<PoseidonBls12>(package, customer, hour_start, readings, blinding);
            (name, serde_json::to_value(w.unwrap()).unwrap())
        })
        .collect()
}

/// Revenue over periods and timestamps at the ends of the u64 range (every comparison of
/// `in_period` decided both ways, with differences that set the high bits), amounts whose
/// sum inside the period reaches 2^64 − 1, and 1 to `capacity` transactions.
fn wide_revenues(capacity: usize) -> Vec<(&'static str, veil_circuits::RevenueWitness)> {
    use veil_circuits::revenue::{transaction_digest, Transaction};
    use veil_circuits::sample::{revenue_of, sample_bytes};
    const A: u64 = 0xAAAA_AAAA_AAAA_AAAA;
    const FIVE: u64 = 0x5555_5555_5555_5555;
    let tx = |k: u64, amount: u64, timestamp: u64| Transaction {
        digest: transaction_digest::<PoseidonBls12>(
            &sample_bytes("wide-settlement", k),
            &sample_bytes("wide-package", k),
            &sample_bytes("wide-customer", k),
        )
        .unwrap(),
        gross_amount_micros: amount,
        timestamp,
    };
    type Case = (&'static str, u64, u64, Vec<(u64, u64)>);
    let cases: Vec<Case> = vec![
        (
            "a 0x55.. to 0xAA.. period, transactions at both ends and outside",
            FIVE,
            A,
            vec![(A, 0), (FIVE, FIVE), (A >> 2, A - 1), (u64::MAX, u64::MAX)],
        ),
        (
            "the whole range, the largest sum",
            0,
            u64::MAX,
            vec![(A, 0), (FIVE, u64::MAX - 1), (0, 1 << 63)],
        ),
        (
            "one transaction just before a period in the top half",
            1 << 63,
            u64::MAX,
            vec![(u64::MAX, (1 << 63) - 1)],
        ),
        (
            "alternating bits the other way",
            A >> 1,
            A,
            vec![(FIVE >> 1, A >> 1), (A >> 1, (A >> 1) + 1)],
        ),
        (
            "the top bits in every slot, three outside",
            1,
            u64::MAX,
            vec![
                (u64::MAX, 0),
                ((1 << 62) - 1, 1),
                (u64::MAX, u64::MAX),
                (3 << 62, 0),
            ],
        ),
    ];
    cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, start, end, txs))| {
            assert!(txs.len() <= capacity);
            let txs = txs
                .into_iter()
                .enumerate()
                .map(|(j, (amount, ts))| tx(100 * i as u64 + j as u64, amount, ts))
                .collect();
            let publisher = sample_bytes("wide-publisher", i as u64);
            let w = revenue_of::<PoseidonBls12>(publisher, start, end, txs).unwrap();
            (name, w)
        })
        .collect()
}

fn wide_waterfalls(capacity: usize) -> Vec<(&'static str, Value)> {
    use veil_circuits::sample::{sample_bytes, waterfall_of, SAMPLE_EPOCH, SAMPLE_PERIOD_END};
    use veil_circuits::waterfall::{self, Payment};
    use veil_verifier::{Share, Tranche};
    let tranche = |i: u64, cap: Option<u64>| Tranche {
        recipient: sample_bytes("wide-tranche", i),
        cap_micros: cap,
    };
    let share = |i: u64, bps: u32| Share {
        recipient: sample_bytes("wide-share", i),
        bps,
    };
    let witness = |seed: u64, total: u64, tranches: Vec<Tranche>, shares: Vec<Share>, rem: u32| {
        // The total in 1 to `capacity` payments (the seed picks how many, so the padding
        // masks take both values in every slot): halves of what is left, the rest last.
        let n = (1 + (seed as usize + 2) % capacity) as u64;
        let mut left = total;
        let mut payments = Vec::new();
        for i in 0..n {
            let amount = if i + 1 == n { left } else { left / 2 + (i & 1) };
            let amount = amount.min(left);
            left -= amount;
            payments.push(Payment {
                digest: waterfall::payment_digest::<PoseidonBls12>(
                    &sample_bytes("wide-settlement", seed * 100 + i),
                    &sample_bytes("wide-customer", seed * 100 + i),
                )
                .unwrap(),
                amount_micros: amount,
            });
        }
        let solution_id = sample_bytes("wide-solution", seed);
        let period = (SAMPLE_EPOCH, SAMPLE_PERIOD_END);
        let rules = (tranches, shares, rem);
        let w = waterfall_of::<PoseidonBls12>(solution_id, period, payments, rules).unwrap();
        serde_json::to_value(w).unwrap()
    };
    const A: u64 = 0xAAAA_AAAA_AAAA_AAAA;
    const FIVE: u64 = 0x5555_5555_5555_5555;
    let mut samples = vec![
        (
            "0xAA.. total, four capped tranches, eight lines",
            witness(
                1,
                A,
                vec![
                    tranche(0, Some(FIVE >> 1)),
                    tranche(1, Some(A >> 3)),
                    tranche(2, Some(FIVE >> 5)),
                    tranche(3, Some(0x0555)),
                ],
                [5461, 2730, 1365, 256, 128, 32, 16, 12]
                    .iter()
                    .enumerate()
                    .map(|(i, b)| share(i as u64, *b))
                    .collect(),
                7,
            ),
        ),
        (
            "0x55.. total, a cap above what remains, then an uncapped tranche",
            witness(
                2,
                FIVE,
                vec![
                    tranche(10, Some(A >> 2)),
                    tranche(11, Some(u64::MAX)),
                    tranche(12, None),
                ],
                vec![share(10, 10_000)],
                0,
            ),
        ),
        (
            "the largest total, no tranche, seven lines",
            witness(
                3,
                u64::MAX,
                Vec::new(),
                [8192, 1, 2, 4, 1001, 600, 200]
                    .iter()
                    .enumerate()
                    .map(|(i, b)| share(20 + i as u64, *b))
                    .collect(),
                6,
            ),
        ),
        (
            "an uncapped first tranche over a 0x5A.. total",
            witness(
                4,
                0x5A5A_5A5A_5A5A_5A5A,
                vec![tranche(30, None), tranche(31, Some(A))],
                [5000, 5000]
                    .iter()
                    .enumerate()
                    .map(|(i, b)| share(30 + i as u64, *b))
                    .collect(),
                1,
            ),
        ),
        (
            "a zero total",
            witness(5, 0, vec![tranche(40, Some(1))], vec![share(40, 10_000)], 0),
        ),
    ];
    // The remainder to each line the samples above leave out.
    // (Four partly paid tranches, so that every payout of the remainder's line is non-zero.)
    for (i, rem) in [1u32, 2, 3, 4, 5].into_iter().enumerate() {
        let seed = 6 + i as u64;
        let total = 0x0123_4567_89AB_CDEFu64.rotate_left(16 * i as u32) | 1 << 63;
        let shares = (0..8).map(|j| share(100 * seed + j, 1250)).collect();
        let tranches = (0..4)
            .map(|k| tranche(100 * seed + k, Some(total >> (3 + k + i as u64))))
            .collect();
        samples.push((
            "eight even lines",
            witness(seed, total, tranches, shares, rem),
        ));
    }
    samples
}

// ---------------------------------------------------------------- the report

const EQUIVALENCES: [Equivalence; 7] = [
    Equivalence::RepeatedRow,
    Equivalence::TrivialRow,
    Equivalence::SameEquation,
    Equivalence::ScaledRow,
    Equivalence::BooleanCases,
    Equivalence::ImpliedRow,
    Equivalence::ForcedZero,
];

fn print(report: &MutationReport) {
    println!(
        "{}: {} rows, {} mutated, {} mutants: killed {} (honest {}, rule-breaking or \
         cheat {}, moved value {}, audit {}, solver cheat {}, solver valid refused {}), survived {} ({} equivalent: \
         {}; {} unexplained), score {:.1} % [{} bad assignments, {} moved values]",
        report.name,
        report.rows,
        report.rows_mutated,
        report.mutants,
        report.killed(),
        report.killed_honest,
        report.killed_assignment,
        report.killed_moved_value,
        report.killed_audit,
        report.killed_solver,
        report.killed_solver_valid,
        report.survivors.len(),
        report.equivalent(),
        EQUIVALENCES
            .iter()
            .map(|k| format!("{k} {}", report.equivalent_of(*k)))
            .collect::<Vec<_>>()
            .join(", "),
        report.unexplained().count(),
        report.score(),
        report.bad_assignments,
        report.moved_values,
    );
    for s in &report.survivors {
        println!(
            "  survivor: row {} {} | {} | {} | {}",
            s.row,
            s.label,
            s.mutation,
            s.variable.as_deref().unwrap_or("-"),
            s.equivalent.as_deref().unwrap_or("UNEXPLAINED"),
        );
    }
}

/// The checks every report must pass.
fn assert_sound(report: &MutationReport) {
    assert_eq!(
        report.honest_refused, 0,
        "{}: a honest witness refused",
        report.name
    );
    assert!(
        report.accepted_by_original.is_empty(),
        "{}: bad assignments the circuit accepts: {:?}",
        report.name,
        report.accepted_by_original
    );
}

fn mutate_circuit<C: Listed>() -> MutationReport {
    let circuit = C::with_size(SIZE).unwrap();
    let sys = compile_labelled(&circuit).unwrap();
    let a = circuit_assignments(&circuit);
    let rows = mutate::sample_rows(sys.num_constraints(), row_budget());
    let report = mutate::run(&sys, &a.honest, &a.bad, true, &rows);
    print(&report);
    debug_survivors(&sys, &report, &a.honest[0]);
    assert_sound(&report);
    assert!(
        !a.bad.is_empty(),
        "{}: no rule-breaking variant",
        report.name
    );
    report
}

macro_rules! circuit_mutation_tests {
    ($( $kind:ident { name: $name:literal, module: $module:ident, $($rest:tt)* }, )*) => {
        $(
            mod $module {
                #[test]
                fn constraint_mutants() {
                    let report = super::mutate_circuit::<veil_circuits::$kind>();
                    super::assert_survivors(&report, super::row_budget() == super::CI_ROWS);
                }
            }
        )*
    };
}
veil_verifier::for_each_circuit!(circuit_mutation_tests);

/// Unexplained survivors allowed per system: a ratchet, at the figure reached on the CI
/// sample (150 rows per circuit, every row of each gadget) on 2026-12-03, after the wide
/// samples ([`wide_samples`]: values that set the high bits the realistic samples leave at
/// 0, and both branches of every choice), the solver's kills and the equivalence arguments
/// (see MUTATION.md). The test fails when a system has more than its figure (a new
/// survivor: a constraint the tests stopped holding); lower a figure when a change kills
/// more, never raise one without an equivalence argument. A system not listed allows none.
const UNEXPLAINED_ALLOWED: &[(&str, usize)] = &[
    ("ownership-4", 0),
    ("tier-4", 0),
    ("renewal-4", 0),
    ("metering-4", 3),
    ("isolation-4", 0),
    ("revenue-4", 0),
    ("waterfall-4", 12),
    ("receipt-4", 0),
    ("flow-budget-4", 0),
    ("range checks", 0),
    ("booleans", 2),
    ("less_than", 0),
    ("assert_less_than, assert_less_or_equal", 0),
    ("u64_less_than, u64_assert_less_than", 0),
    ("u64_mul_div", 0),
    ("u64_sum, u64_sub, u64_select", 2),
    ("equality, ids, select, mul", 6),
    ("hash", 0),
    ("merkle path, digest_select", 0),
];

/// The survivors are printed (row, label, mutation, variable, why equivalent) for
/// MUTATION.md; on the CI sample (the default rows) the unexplained ones must not exceed
/// the ratchet [`UNEXPLAINED_ALLOWED`]. With `VEIL_MUTANT_ROWS` set otherwise the figures
/// differ and are printed only.
fn assert_survivors(report: &MutationReport, ci_sample: bool) {
    assert!(report.mutants > 0 && report.killed() > 0, "{}", report.name);
    let unexplained = report.unexplained().count();
    let allowed = UNEXPLAINED_ALLOWED
        .iter()
        .find(|(name, _)| *name == report.name)
        .map_or(0, |(_, n)| *n);
    println!(
        "{}: {unexplained} unexplained survivors (ratchet {allowed})",
        report.name
    );
    if ci_sample {
        assert!(
            unexplained <= allowed,
            "{}: {unexplained} unexplained survivors, more than the {allowed} of the ratchet \
             (UNEXPLAINED_ALLOWED): a mutant of the constraints no test kills and no argument \
             shows equivalent; the new ones are the lines marked UNEXPLAINED above",
            report.name
        );
        if unexplained < allowed {
            println!(
                "{}: fewer unexplained survivors than the ratchet: lower it to {unexplained}",
                report.name
            );
        }
    }
}

// ---------------------------------------------------------------- the gadgets

/// A gadget under test: its values, what they mean natively, its definition.
struct Gadget {
    name: &'static str,
    values: Vec<u64>,
    /// More honest value sets, with alternating bit patterns (0xAA…, 0x55…) and extremes,
    /// so that each bit of a decomposition is 1 in some honest assignment and 0 in another:
    /// a mutant that forces a bit (or a sign) the first sample happens to have is then
    /// killed as honest, not left to the solver.
    extra: Vec<Vec<u64>>,
    check: fn(&[u64]) -> bool,
    labelled: fn(&mut LabelledR1cs, Option<&[u64]>) -> Res<()>,
    r1cs: fn(&mut R1csApi, Option<&[u64]>) -> Res<()>,
}

macro_rules! gadget {
    ($name:literal, $f:ident, $values:expr, $check:expr) => {
        gadget!($name, $f, $values, vec![], $check)
    };
    ($name:literal, $f:ident, $values:expr, $extra:expr, $check:expr) => {
        Gadget {
            name: $name,
            values: $values,
            extra: $extra,
            check: $check,
            labelled: $f::<LabelledR1cs>,
            r1cs: $f::<R1csApi>,
        }
    };
}

fn at(v: Option<&[u64]>, i: usize) -> Option<u64> {
    v.map(|v| v[i])
}

fn bit(v: Option<&[u64]>, i: usize) -> Option<bool> {
    v.map(|v| v[i] != 0)
}

fn g_range<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    api.secret_small("s", at(v, 0), 16)?;
    api.secret_u64("u", at(v, 1))?;
    api.public_small("p", at(v, 2), 8)?;
    api.public_u64("q", at(v, 3))?;
    let r = api.secret_small("r", at(v, 4), 32)?;
    api.range_check(&r, 20)
}

fn g_booleans<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    let a = api.secret_bool("a", bit(v, 0))?;
    let b = api.public_bool("b", bit(v, 1))?;
    let and = api.and(&a, &b)?;
    let or = api.or(&a, &b)?;
    let not = api.not(&a);
    for (x, i) in [(and, 2), (or, 3), (not, 4)] {
        let claim = api.public_bool("claim", bit(v, i))?;
        let (x, claim) = (api.bool_to_var(&x), api.bool_to_var(&claim));
        api.assert_equal(&x, &claim)?;
    }
    let t = api.secret_bool("t", bit(v, 5))?;
    api.assert_true(&t)
}

fn g_less_than<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    let a = api.secret_small("a", at(v, 0), 8)?;
    let b = api.secret_small("b", at(v, 1), 8)?;
    let f = api.less_than(&a, &b, 8)?;
    let claim = api.public_bool("claim", bit(v, 2))?;
    let (f, claim) = (api.bool_to_var(&f), api.bool_to_var(&claim));
    api.assert_equal(&f, &claim)
}

fn g_assert_less<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    let a = api.secret_small("a", at(v, 0), 8)?;
    let b = api.secret_small("b", at(v, 1), 8)?;
    api.assert_less_than(&a, &b, 8)?;
    let c = api.secret_small("c", at(v, 2), 8)?;
    api.assert_less_or_equal(&c, &b, 8)
}

fn g_u64_compare<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    let a = api.secret_u64("a", at(v, 0))?;
    let b = api.public_u64("b", at(v, 1))?;
    let f = api.u64_less_than(&a, &b)?;
    let claim = api.public_bool("claim", bit(v, 2))?;
    let (f, claim) = (api.bool_to_var(&f), api.bool_to_var(&claim));
    api.assert_equal(&f, &claim)?;
    let c = api.secret_u64("c", at(v, 3))?;
    api.u64_assert_less_than(&c, &b)
}

const D: u64 = 10_000;

fn g_mul_div<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    let a = api.secret_u64("a", at(v, 0))?;
    let b = api.secret_small("b", at(v, 1), 14)?;
    let q = api.u64_mul_div(&a, &b, 14, D)?;
    let claim = api.public_u64("claim", at(v, 2))?;
    api.u64_assert_equal(&q, &claim)
}

fn g_u64_arith<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    let x = api.secret_u64("x", at(v, 0))?;
    let y = api.secret_u64("y", at(v, 1))?;
    let c = api.secret_bool("c", bit(v, 2))?;
    let sum = api.u64_sum(&[x.clone(), y.clone()])?;
    let sub = api.u64_sub(&x, &y)?;
    let sel = api.u64_select(&c, &x, &y)?;
    for (val, i) in [(sum, 3), (sub, 4), (sel, 5)] {
        let claim = api.public_u64("claim", at(v, i))?;
        api.u64_assert_equal(&val, &claim)?;
    }
    Ok(())
}

fn g_equality<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    let a = api.secret_small("a", at(v, 0), 8)?;
    let b = api.secret_small("b", at(v, 1), 8)?;
    api.assert_not_equal(&a, &b)?;
    let id = |v: Option<&[u64]>, i| at(v, i).map(Bytes32::from_u64);
    let ia = api.secret_id("ia", id(v, 2))?;
    let ib = api.secret_id("ib", id(v, 3))?;
    // Its own id, so that the claim is 1 in some honest sets and 0 in others.
    let id2 = api.secret_id("id2", id(v, 9))?;
    let eq = api.id_is_equal(&ia, &id2)?;
    let claim = api.public_bool("claim", bit(v, 4))?;
    let (eq, claim) = (api.bool_to_var(&eq), api.bool_to_var(&claim));
    api.assert_equal(&eq, &claim)?;
    api.id_assert_not_equal(&ia, &ib)?;
    let ic = api.public_id("ic", id(v, 5))?;
    api.id_assert_equal(&ia, &ic)?;
    api.id_assert_canonical(&ia)?;
    let c = api.secret_bool("c", bit(v, 6))?;
    let s = api.select(&c, &a, &b)?;
    let sc = api.public_small("select", at(v, 7), 8)?;
    api.assert_equal(&s, &sc)?;
    let p = api.mul(&a, &b)?;
    let pc = api.public_small("product", at(v, 8), 16)?;
    api.assert_equal(&p, &pc)
}

fn native_hash(v: &[u64]) -> Bytes32 {
    PoseidonBls12::hash(
        Domain::TokenLeaf,
        &[
            NativeInput::Small(v[0]),
            NativeInput::U64(v[1]),
            NativeInput::Id(Bytes32::from_u64(v[2])),
            NativeInput::Digest(Bytes32::from_u64(v[3])),
        ],
    )
    .unwrap()
}

fn g_hash<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    let s = api.secret_small("s", at(v, 0), 8)?;
    let u = api.secret_u64("u", at(v, 1))?;
    let i = api.secret_id("i", at(v, 2).map(Bytes32::from_u64))?;
    let d = api.secret_digest("d", at(v, 3).map(Bytes32::from_u64))?;
    let h = api.hash(
        Domain::TokenLeaf,
        &[
            HashInput::Small(&s),
            HashInput::U64(&u),
            HashInput::Id(&i),
            HashInput::Digest(&d),
        ],
    )?;
    // The claim: the hash of values 4..8 (equal to 0..4 when honest).
    let claim = api.public_digest("claim", v.map(|v| native_hash(&v[4..8])))?;
    api.digest_assert_equal(&h, &claim)
}

fn tree() -> MerkleTree<PoseidonBls12> {
    MerkleTree::new(4, (1..=9u64).map(Bytes32::from_u64).collect()).unwrap()
}

fn g_merkle<A: Api>(api: &mut A, v: Option<&[u64]>) -> Res<()> {
    let t = tree();
    let path = match v {
        Some(v) => Some(t.path(v[1])?),
        None => None,
    };
    let leaf = api.secret_digest("leaf", at(v, 0).map(Bytes32::from_u64))?;
    let root = v.map(|v| {
        if v[2] == 0 {
            t.root()
        } else {
            Bytes32::from_u64(v[2])
        }
    });
    let root = api.public_digest("root", root)?;
    let vars = alloc_path(api, 2, path.as_ref())?;
    let computed = merkle_root(api, &leaf, &vars)?;
    api.digest_assert_equal(&computed, &root)?;
    let c = api.secret_bool("c", bit(v, 3))?;
    let other = api.secret_digest("other", at(v, 5).map(Bytes32::from_u64))?;
    let s = api.digest_select(&c, &leaf, &other)?;
    let sc = api.public_digest("selected", v.map(|v| Bytes32::from_u64(v[4])))?;
    api.digest_assert_equal(&s, &sc)
}

/// The alternating bit patterns of the extra honest values.
const A64: u64 = 0xAAAA_AAAA_AAAA_AAAA;
const F64: u64 = 0x5555_5555_5555_5555;

fn fits(x: u64, bits: u32) -> bool {
    x < (1 << bits)
}

fn gadgets() -> Vec<Gadget> {
    vec![
        gadget!(
            "range checks",
            g_range,
            vec![40_000, u64::MAX - 3, 200, 5, 1 << 19],
            vec![
                vec![0xAAAA, A64, 0xAA, F64, 0xA_AAAA],
                vec![0x5555, F64, 0x55, A64, 0x5_5555],
                vec![0xFFFF, u64::MAX, 0xFF, u64::MAX, 0xF_FFFF],
            ],
            |v| v[0] < 1 << 16 && v[2] < 256 && v[4] < 1 << 20
        ),
        gadget!(
            "booleans",
            g_booleans,
            vec![1, 0, 0, 1, 0, 1],
            vec![
                vec![0, 0, 0, 0, 1, 1],
                vec![0, 1, 0, 1, 1, 1],
                vec![1, 1, 1, 1, 0, 1]
            ],
            |v| {
                let (a, b) = (v[0] != 0, v[1] != 0);
                (v[2] != 0) == (a && b) && (v[3] != 0) == (a || b) && (v[4] != 0) != a && v[5] != 0
            }
        ),
        gadget!(
            "less_than",
            g_less_than,
            vec![3, 5, 1],
            vec![
                vec![0xAA, 0x55, 0],
                vec![0x55, 0xAA, 1],
                vec![0xFF, 0, 0],
                vec![0, 0xFF, 1]
            ],
            |v| { fits(v[0], 8) && fits(v[1], 8) && (v[0] < v[1]) == (v[2] != 0) }
        ),
        gadget!(
            "assert_less_than, assert_less_or_equal",
            g_assert_less,
            vec![3, 5, 5],
            vec![
                vec![0x55, 0xAA, 0xAA],
                vec![0xAA, 0xFF, 0x55],
                vec![0, 1, 0],
                vec![0xFE, 0xFF, 0xFF],
                // The widest gap: b − a − 1 = 0b1111_1110.
                vec![0, 0xFF, 0]
            ],
            |v| fits(v[0], 8) && fits(v[1], 8) && fits(v[2], 8) && v[0] < v[1] && v[2] <= v[1]
        ),
        gadget!(
            "u64_less_than, u64_assert_less_than",
            g_u64_compare,
            vec![3, 1 << 40, 1, (1 << 40) - 1],
            vec![
                vec![F64, A64, 1, A64 - 1],
                vec![A64, F64, 0, F64 - 1],
                vec![u64::MAX, u64::MAX, 0, 0],
                vec![0, u64::MAX, 1, u64::MAX - 1],
            ],
            |v| (v[0] < v[1]) == (v[2] != 0) && v[3] < v[1]
        ),
        gadget!(
            "u64_mul_div",
            g_mul_div,
            vec![123_457, 3_333, 123_457 * 3_333 / D],
            [
                (A64, 0x2AAA),
                (F64, 0x1555),
                (u64::MAX, 9_999),
                (F64, 0x3FFF),
                // Remainders with every bit set in one of them (9,999; 8,191; 0x1AAA).
                (9_999, 1),
                (8_191, 1),
                (0x1AAA, 1),
                (0, 0x3FFF)
            ]
            .iter()
            .map(|&(a, b)| vec![a, b, (u128::from(a) * u128::from(b) / u128::from(D)) as u64])
            .collect(),
            |v| fits(v[1], 14)
                && u128::from(v[0]) * u128::from(v[1]) / u128::from(D) == u128::from(v[2])
        ),
        gadget!(
            "u64_sum, u64_sub, u64_select",
            g_u64_arith,
            vec![1 << 40, 5, 1, (1 << 40) + 5, (1 << 40) - 5, 1 << 40],
            [
                (0x9555_5555_5555_5555, 0x2AAA_AAAA_AAAA_AAAA, 0),
                (A64, F64, 1),
                (u64::MAX, 0, 1),
                (1 << 63, (1 << 63) - 1, 0),
                (F64, F64, 1),
            ]
            .iter()
            .map(|&(x, y, c)| vec![
                x,
                y,
                c,
                x.wrapping_add(y),
                x.wrapping_sub(y),
                if c != 0 { x } else { y }
            ])
            .collect(),
            |v| v[0].checked_add(v[1]) == Some(v[3])
                && v[0].checked_sub(v[1]) == Some(v[4])
                && v[5] == if v[2] != 0 { v[0] } else { v[1] }
        ),
        gadget!(
            "equality, ids, select, mul",
            g_equality,
            vec![7, 9, 1, 2, 0, 1, 1, 7, 63, 5],
            vec![
                vec![0xAA, 0x55, A64, F64, 1, A64, 0, 0x55, 0xAA * 0x55, A64],
                vec![0x55, 0xAA, F64, A64, 0, F64, 1, 0x55, 0xAA * 0x55, 0],
                vec![0xFF, 0, u64::MAX, 0, 1, u64::MAX, 1, 0xFF, 0, u64::MAX],
                // Products with every bit of the 16-bit claim set in one of them.
                vec![0xFF, 0xFE, 3, 4, 1, 3, 0, 0xFE, 0xFF * 0xFE, 3],
                vec![0xB5, 0xD3, 5, 6, 0, 5, 1, 0xB5, 0xB5 * 0xD3, 6],
                vec![0x80, 1, 7, 8, 1, 7, 0, 1, 0x80, 7],
            ],
            |v| fits(v[0], 8)
                && fits(v[1], 8)
                && v[0] != v[1]
                && (v[2] == v[9]) == (v[4] != 0)
                && v[2] != v[3]
                && v[2] == v[5]
                && fits(v[7], 8)
                && v[7] == if v[6] != 0 { v[0] } else { v[1] }
                && fits(v[8], 16)
                && v[8] == v[0] * v[1]
        ),
        gadget!(
            "hash",
            g_hash,
            vec![5, u64::MAX, 3, 9, 5, u64::MAX, 3, 9],
            vec![
                vec![0xAA, A64, F64, A64, 0xAA, A64, F64, A64],
                vec![0x55, F64, A64, F64, 0x55, F64, A64, F64],
            ],
            |v| fits(v[0], 8) && v[..4] == v[4..8]
        ),
        gadget!(
            "merkle path, digest_select",
            g_merkle,
            vec![7, 6, 0, 0, 11, 11],
            vec![
                vec![1, 0, 0, 1, 1, A64],
                vec![9, 8, 0, 0, F64, F64],
                vec![4, 3, 0, 1, 4, 77],
                vec![6, 5, 0, 0, 0, 0],
            ],
            |v| {
                v[1] < 9
                    && v[0] == v[1] + 1
                    && v[2] == 0
                    && v[4] == if v[3] != 0 { v[0] } else { v[5] }
            }
        ),
    ]
}

/// Each value moved, as for the circuits' witnesses.
fn value_variants(values: &[u64]) -> Vec<(String, Vec<u64>)> {
    let mut out = Vec::new();
    for i in 0..values.len() {
        let n = values[i];
        let mut vs = vec![n.wrapping_add(1), n.wrapping_sub(1), 0, u64::MAX, n ^ 1];
        vs.sort_unstable();
        vs.dedup();
        for x in vs.into_iter().filter(|x| *x != n) {
            let mut v = values.to_vec();
            v[i] = x;
            out.push((format!("value {i} := {x}"), v));
        }
    }
    out
}

fn mutate_gadget(g: &Gadget) -> MutationReport {
    let labelled = g.labelled;
    let r1cs = g.r1cs;
    let sys = synthesize_labelled(g.name, |api| labelled(api, None)).unwrap();
    let checker = rd::Checker::new(|api| r1cs(api, None)).unwrap();
    assert_eq!(
        checker.num_constraints(),
        sys.num_constraints(),
        "{}",
        g.name
    );
    let complete = |v: &[u64]| -> Option<rd::Run<()>> {
        checker
            .run(&rd::Cheats::new(), |api| r1cs(api, Some(v)))
            .ok()
    };
    assert!((g.check)(&g.values), "{}: the honest values", g.name);
    let run = complete(&g.values).unwrap();
    assert!(
        run.satisfied(),
        "{}: honest refused at {:?}",
        g.name,
        run.unsatisfied
    );
    let (mut honest, mut bad) = (vec![run.assignment], Vec::new());
    for v in &g.extra {
        assert!((g.check)(v), "{}: the extra honest values {v:?}", g.name);
        let run = complete(v).unwrap();
        assert!(
            run.satisfied(),
            "{}: {v:?} refused at {:?}",
            g.name,
            run.unsatisfied
        );
        honest.push(run.assignment);
    }
    for (name, v) in value_variants(&g.values) {
        let Some(run) = complete(&v) else { continue };
        if (g.check)(&v) {
            assert!(
                run.satisfied(),
                "{}: {name}: a valid variant refused",
                g.name
            );
            honest.push(run.assignment);
        } else {
            bad.push((name, run.assignment));
        }
    }
    let rows = mutate::sample_rows(sys.num_constraints(), usize::MAX);
    let report = mutate::run(&sys, &honest, &bad, true, &rows);
    print(&report);
    debug_survivors(&sys, &report, &honest[0]);
    assert_sound(&report);
    report
}

/// VEIL_MUTANT_DEBUG=N: the rows of the first N unexplained survivors, and of the rows their
/// variables occur in, written out.
fn debug_survivors(sys: &veil_prover::audit::LabelledSystem, report: &MutationReport, h: &[Fr]) {
    // VEIL_MUTANT_SHOW=r,s,...: those rows written out.
    if let Ok(list) = std::env::var("VEIL_MUTANT_SHOW") {
        for r in list.split(',').filter_map(|r| r.parse::<usize>().ok()) {
            if r < sys.num_constraints() {
                println!("  {}", mutate::describe_row(sys, r, h));
            }
        }
    }
    let Some(n) = std::env::var("VEIL_MUTANT_DEBUG")
        .ok()
        .and_then(|n| n.parse().ok())
    else {
        return;
    };
    for s in report.unexplained().take(n) {
        println!(
            "=== {} | {}",
            s.mutation,
            s.variable.as_deref().unwrap_or("-")
        );
        println!("  {}", mutate::describe_row(sys, s.row, h));
        let mut seen = vec![s.row];
        for mi in 0..3 {
            for (_, v) in &sys.matrices[mi][s.row] {
                if *v == 0 {
                    continue;
                }
                for r in 0..sys.num_constraints() {
                    if seen.contains(&r) || seen.len() > 12 {
                        continue;
                    }
                    if (0..3).any(|m| sys.matrices[m][r].iter().any(|t| t.1 == *v)) {
                        seen.push(r);
                        println!("  uses v{v}: {}", mutate::describe_row(sys, r, h));
                    }
                }
            }
        }
    }
}

#[test]
fn gadget_constraint_mutants() {
    let mut all = Vec::new();
    for g in gadgets() {
        all.push(mutate_gadget(&g));
    }
    let (mutants, killed, equivalent): (usize, usize, usize) = all
        .iter()
        .map(|r| (r.mutants, r.killed(), r.equivalent()))
        .fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!("gadgets: {mutants} mutants, {killed} killed, {equivalent} equivalent");
    for r in &all {
        assert_survivors(r, true);
    }
}

/// The engine itself: a toy circuit where each kind of kill happens.
#[test]
fn the_engine_kills_what_it_should() {
    // x public, y = x·x a product (its row determines y), y = 9 checked.
    let build = |api: &mut LabelledR1cs| -> Res<()> {
        let x = api.public_u64("x", None)?;
        let y = api.mul(&x, &x)?;
        let nine = api.constant(9);
        api.assert_equal(&y, &nine)
    };
    let sys = synthesize_labelled("toy", build).unwrap();
    let checker = rd::Checker::new(|api| {
        let x = api.public_u64("x", Some(3))?;
        let y = api.mul(&x, &x)?;
        let nine = api.constant(9);
        api.assert_equal(&y, &nine)
    })
    .unwrap();
    let run = |x: u64| {
        checker
            .run(&rd::Cheats::new(), |api| {
                let x = api.public_u64("x", Some(x))?;
                let y = api.mul(&x, &x)?;
                let nine = api.constant(9);
                api.assert_equal(&y, &nine)
            })
            .unwrap()
    };
    let honest = run(3);
    assert!(honest.satisfied());
    let four = run(4);
    assert_eq!(four.unsatisfied_rows.len(), 1, "x = 4 breaks only y = 9");
    let all = mutate::sample_rows(sys.num_constraints(), usize::MAX);
    let last = sys.num_constraints() - 1;
    // Without the bad assignment, deleting the check survives; with it, it is killed.
    let without = mutate::run(
        &sys,
        std::slice::from_ref(&honest.assignment),
        &[],
        false,
        &[last],
    );
    assert!(without
        .survivors
        .iter()
        .any(|s| s.mutation == mutate::Mutation::DeleteRow));
    let with = mutate::run(
        &sys,
        std::slice::from_ref(&honest.assignment),
        &[("x = 4".into(), four.assignment.clone())],
        false,
        &[last],
    );
    assert!(with.killed_assignment >= 1, "{with:#?}");
    let report = mutate::run(
        &sys,
        std::slice::from_ref(&honest.assignment),
        &[("x = 4".into(), four.assignment)],
        true,
        &all,
    );
    print(&report);
    assert!(
        report.killed_honest > 0 && report.killed_audit > 0,
        "{report:#?}"
    );
    assert_sound(&report);
}

/// The solver: an 8-bit value x = 4 (bits 0 and 7 are 0 in the one honest assignment).
/// Dropping −b₀ from b₀'s booleanity row says b₀ = 0, a stricter mutant: the solver kills it
/// with the valid assignment x = 5. Bit 7's coefficient 128 → 129 keeps the decomposition
/// determined (129 > 127, the audit passes) and no single moved value satisfies it: the
/// solver kills it with a cheat, b₇ = 1 and x = 133 (the original row says 132).
#[test]
fn the_solver_kills_what_the_samples_miss() {
    let build = |api: &mut LabelledR1cs| -> Res<()> { api.secret_small("x", None, 8).map(|_| ()) };
    let sys = synthesize_labelled("toy", build).unwrap();
    let checker = rd::Checker::new(|api| api.secret_small("x", Some(4), 8).map(|_| ())).unwrap();
    let honest = checker
        .run(&rd::Cheats::new(), |api| {
            api.secret_small("x", Some(4), 8).map(|_| ())
        })
        .unwrap();
    assert!(honest.satisfied());
    let all = mutate::sample_rows(sys.num_constraints(), usize::MAX);
    let report = mutate::run(&sys, &[honest.assignment], &[], true, &all);
    print(&report);
    assert_sound(&report);
    let killed = |m: mutate::Mutation, valid: bool| {
        report
            .solver_kills
            .iter()
            .any(|k| k.mutation == m && k.how.starts_with("valid assignment refused") == valid)
    };
    let drop_b = mutate::Mutation::DropTerm { matrix: 0, term: 1 };
    assert!(killed(drop_b, true), "{report:#?}");
    let top = mutate::Mutation::CoefficientPlusOne { matrix: 0, term: 8 };
    assert!(
        report
            .solver_kills
            .iter()
            .any(|k| k.mutation == top && k.how.starts_with("cheat")),
        "{report:#?}"
    );
    assert_eq!(report.unexplained().count(), 0, "{report:#?}");
}

// ---------------------------------------------------------------- unbound public inputs

#[test]
fn an_unused_public_input_fails_the_audit() {
    // "limit" is declared and never used: any value verifies.
    let sys = synthesize_labelled("toy", |api| {
        let x = api.secret_small("x", None, 8)?;
        let _limit = api.public_digest("limit", None)?;
        let y = api.public_digest("y", None)?;
        let h = api.hash(Domain::TokenLeaf, &[HashInput::Small(&x)])?;
        api.digest_assert_equal(&h, &y)
    })
    .unwrap();
    let report = analyse(&sys);
    assert!(report.free.is_empty(), "{:#?}", report.free);
    assert!(!report.is_clean());
    assert_eq!(
        report.unbound_inputs.len(),
        1,
        "{:#?}",
        report.unbound_inputs
    );
    let u = &report.unbound_inputs[0];
    assert!(u.label.contains("public_digest(limit)"), "{}", u.label);
    assert_eq!(u.occurrences, 0);
    assert!(u.reason.contains("no constraint"));

    // Used: clean.
    let sys = synthesize_labelled("toy", |api| {
        let x = api.secret_small("x", None, 8)?;
        let y = api.public_digest("y", None)?;
        let h = api.hash(Domain::TokenLeaf, &[HashInput::Small(&x)])?;
        api.digest_assert_equal(&h, &y)
    })
    .unwrap();
    let report = analyse(&sys);
    assert!(report.is_clean(), "{report:#?}");
}

macro_rules! every_public_input_bound {
    ($( $kind:ident { name: $name:literal, $($rest:tt)* }, )*) => {
        /// Every listed circuit binds each of its public inputs (and is clean otherwise).
        #[test]
        fn every_listed_circuit_binds_its_public_inputs() {
            $(
                let c = <veil_circuits::$kind as Listed>::with_size(SIZE).unwrap();
                let report = analyse(&compile_labelled(&c).unwrap());
                assert!(
                    report.unbound_inputs.is_empty(),
                    "{}: {:#?}",
                    c.id(),
                    report.unbound_inputs
                );
                assert!(report.is_clean(), "{}", c.id());
            )*
        }
    };
}
veil_verifier::for_each_circuit!(every_public_input_bound);
