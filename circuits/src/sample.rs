//! Deterministic sample witnesses: the ones in `examples/`, the demo's and the tests'.
//!
//! Values come from SHA3-256 of a label, so the samples are reproducible and need no RNG.

use crate::error::CircuitError;
use crate::hash::NativeHasher;
use crate::isolation::{IsolationWitness, MeterBatch};
use crate::merkle::MerkleTree;
use crate::metering::{self, MeteringWitness, Reading, HOUR_SECS};
use crate::ownership::{self, OwnershipWitness, Token};
use crate::renewal::{self, RenewalWitness};
use crate::revenue::{self, RevenueWitness, Transaction};
use crate::tier::{self, TierWitness};
use crate::waterfall::{self, Payment, WaterfallWitness};
use sha3::{Digest as _, Sha3_256};
use veil_verifier::{
    Bytes32, Id, IsolationStatement, MeteringStatement, OwnershipStatement, RenewalStatement,
    RevenueStatement, Share, TierStatement, Tranche, WaterfallStatement,
};

/// 2026-01-01T00:00:00Z.
pub const SAMPLE_EPOCH: u64 = 1_767_225_600;
/// 2026-02-01T00:00:00Z.
pub const SAMPLE_PERIOD_END: u64 = 1_769_904_000;

/// 32 pseudo-random bytes for (label, i).
pub fn sample_bytes(label: &str, i: u64) -> Bytes32 {
    let mut h = Sha3_256::new();
    h.update(b"veil-sample-v1/");
    h.update(label.as_bytes());
    h.update(i.to_be_bytes());
    Bytes32(h.finalize().into())
}

/// Pseudo-random bytes that are a canonical secret on every backend: below 2^254 (BLS12-381)
/// and with each 8-byte limb below 2^63 (Goldilocks).
pub fn sample_secret(label: &str, i: u64) -> Bytes32 {
    let mut b = sample_bytes(label, i);
    b.0[0] &= 0x3f;
    for limb in 1..4 {
        b.0[limb * 8] &= 0x7f;
    }
    b
}

/// A witness for the ownership circuit: five tokens issued, the prover holds token 3.
pub fn ownership_witness<H: NativeHasher>(
    depth: u32,
    seed: u64,
) -> Result<OwnershipWitness, CircuitError> {
    let now = 1_767_225_600; // 2026-01-01
    ownership_at::<H>(depth, seed, now, now + 30 * 86_400)
}

/// The ownership sample at time `now`, token i expiring at `expires_at + i`.
pub fn ownership_at<H: NativeHasher>(
    depth: u32,
    seed: u64,
    now: u64,
    expires_at: u64,
) -> Result<OwnershipWitness, CircuitError> {
    let package_id = sample_bytes("package", seed);
    let mut leaves = Vec::new();
    let mut mine = None;
    for i in 0..5u64 {
        let bf = sample_secret("blinding-factor", seed * 100 + i);
        let token = Token {
            token_id: sample_bytes("token", seed * 100 + i),
            blinding_commitment: ownership::blinding_commitment::<H>(&bf)?,
            expires_at: expires_at.saturating_add(i),
        };
        leaves.push(ownership::token_leaf::<H>(&package_id, &token)?);
        if i == 3 {
            mine = Some((bf, token));
        }
    }
    let (bf, token) = mine.expect("token 3 exists");
    let tree = MerkleTree::<H>::new(depth, leaves)?;
    let challenge = sample_bytes("challenge", seed);
    Ok(OwnershipWitness {
        statement: OwnershipStatement {
            root: tree.root(),
            package_id,
            now,
            challenge,
            tag: ownership::tag::<H>(&bf, &challenge)?,
        },
        blinding_factor: bf,
        token,
        path: tree.path(3)?,
    })
}

/// A witness for the tier circuit: six members of tiers 0..=5; the prover holds tier 3 and
/// proves tier >= 2, request slot 1 of a quota of 10.
pub fn tier_witness<H: NativeHasher>(depth: u32, seed: u64) -> Result<TierWitness, CircuitError> {
    tier_at::<H>(depth, seed, 3, 2, (1, 10))
}

/// The tier sample with the prover's tier `tier_id` (the other members hold tiers 0..=5),
/// proving tier >= `min_tier` with request slot `slot` of a quota of `quota`.
pub fn tier_at<H: NativeHasher>(
    depth: u32,
    seed: u64,
    tier_id: u32,
    min_tier: u32,
    (slot, quota): (u32, u32),
) -> Result<TierWitness, CircuitError> {
    let me = 3u64;
    let tier_of = |i: u64| if i == me { tier_id } else { i as u32 };
    let mut leaves = Vec::new();
    for i in 0..6u64 {
        leaves.push(tier::tier_commitment::<H>(
            tier_of(i),
            &sample_secret("user-secret", seed * 100 + i),
            &sample_secret("randomness", seed * 100 + i),
        )?);
    }
    let tree = MerkleTree::<H>::new(depth, leaves)?;
    let user_secret = sample_secret("user-secret", seed * 100 + me);
    let epoch_beacon = sample_secret("epoch-beacon", seed);
    let request_nonce = sample_bytes("request-nonce", seed);
    let ephemeral_pubkey = sample_bytes("ephemeral-pubkey", seed);
    Ok(TierWitness {
        statement: TierStatement {
            root: tree.root(),
            min_tier,
            epoch_beacon,
            request_binding: tier::request_binding::<H>(&request_nonce, &ephemeral_pubkey)?,
            nullifier: tier::nullifier::<H>(&user_secret, &epoch_beacon, slot)?,
            quota,
        },
        tier_id,
        user_secret,
        randomness: sample_secret("randomness", seed * 100 + me),
        path: tree.path(me)?,
        slot,
        request_nonce,
        ephemeral_pubkey,
    })
}

/// A pseudo-random integer in [lo, lo + span) for (label, i).
fn sample_u64(label: &str, i: u64, lo: u64, span: u64) -> u64 {
    let b = sample_bytes(label, i);
    let v = u64::from_be_bytes(b.0[..8].try_into().expect("8 bytes"));
    lo + v % span
}

/// How many items a sample batch of `capacity` slots holds: one slot left as padding where
/// there is room, and at most `max` items.
pub fn sample_count(capacity: usize, max: usize) -> usize {
    capacity.saturating_sub(1).clamp(1, max)
}

/// A witness for the renewal circuit: five tokens issued; the prover renews token 3 the day
/// before it expires, for 30 more days.
pub fn renewal_witness<H: NativeHasher>(
    depth: u32,
    seed: u64,
) -> Result<RenewalWitness, CircuitError> {
    let now = SAMPLE_EPOCH;
    renewal_at::<H>(depth, seed, now, now + 86_400, 30 * 86_400)
}

/// The renewal sample at time `now`, token i expiring at `expires_at + i`, token 3 renewed
/// for `extension` seconds more.
pub fn renewal_at<H: NativeHasher>(
    depth: u32,
    seed: u64,
    now: u64,
    expires_at: u64,
    extension: u64,
) -> Result<RenewalWitness, CircuitError> {
    let package_id = sample_bytes("package", seed);
    let mut leaves = Vec::new();
    let mut mine = None;
    for i in 0..5u64 {
        let bf = sample_secret("blinding-factor", seed * 100 + i);
        let token = Token {
            token_id: sample_bytes("token", seed * 100 + i),
            blinding_commitment: ownership::blinding_commitment::<H>(&bf)?,
            expires_at: expires_at.saturating_add(i),
        };
        let leaf = ownership::token_leaf::<H>(&package_id, &token)?;
        leaves.push(leaf);
        if i == 3 {
            mine = Some((bf, token, leaf));
        }
    }
    let (bf, token, old_leaf) = mine.expect("token 3 exists");
    let tree = MerkleTree::<H>::new(depth, leaves)?;
    let new_expires_at = token.expires_at.saturating_add(extension);
    let new_token_id = sample_bytes("new-token", seed);
    let new = renewal::renewed_token(&token, new_expires_at, new_token_id);
    Ok(RenewalWitness {
        statement: RenewalStatement {
            root: tree.root(),
            package_id,
            now,
            nullifier: renewal::renewal_nullifier::<H>(&bf, &old_leaf)?,
            new_leaf: ownership::token_leaf::<H>(&package_id, &new)?,
            new_expires_at,
        },
        blinding_factor: bf,
        token,
        path: tree.path(3)?,
        new_token_id,
    })
}

/// `n` readings stamped with `key`, one a minute from `hour_start` (with a few seconds of
/// jitter), of 100 to 999 units each.
pub fn sample_readings(
    key: Bytes32,
    hour_start: u64,
    n: usize,
    label: &str,
    seed: u64,
) -> Vec<Reading> {
    (0..n as u64)
        .map(|i| Reading {
            key,
            timestamp: hour_start + (60 * i) % HOUR_SECS + i % 7,
            units: sample_u64(label, seed * 10_000 + i, 100, 900),
        })
        .collect()
}

/// A witness for the hourly metering circuit: a package's meter, one customer, one reading a
/// minute (up to 60, one slot left as padding) in an hour of 2026-01-01.
pub fn metering_witness<H: NativeHasher>(
    capacity: usize,
    seed: u64,
) -> Result<MeteringWitness, CircuitError> {
    metering_batch::<H>(sample_count(capacity, 60), seed)
}

/// A metering witness with exactly `n` readings (more than 60 share minutes).
pub fn metering_batch<H: NativeHasher>(
    n: usize,
    seed: u64,
) -> Result<MeteringWitness, CircuitError> {
    let package_id = sample_bytes("package", seed);
    let customer = sample_bytes("blinded-customer", seed);
    let hour_start = SAMPLE_EPOCH + HOUR_SECS * (seed % 24);
    let scope = metering::scope::<H>(&package_id)?;
    let key = metering::reading_key::<H>(&scope, &customer)?;
    let readings = sample_readings(key, hour_start, n, "units", seed);
    // A fixed-seed blinding keeps the samples reproducible; a real meter draws it from the
    // OS RNG (`batch::fresh_blinding`).
    let blinding = sample_secret("meter-blinding", seed);
    metering_of::<H>(package_id, customer, hour_start, readings, blinding)
}

/// The metering witness of a package's `readings` for one customer in the hour from
/// `hour_start` (the readings carry the key of that package and customer).
pub fn metering_of<H: NativeHasher>(
    package_id: Id,
    customer: Id,
    hour_start: u64,
    readings: Vec<Reading>,
    blinding: Bytes32,
) -> Result<MeteringWitness, CircuitError> {
    let scope = metering::scope::<H>(&package_id)?;
    Ok(MeteringWitness {
        statement: MeteringStatement {
            package_id,
            scope,
            blinded_customer_id: customer,
            hour_start,
            total_units: readings.iter().map(|r| r.units).sum(),
            readings_commitment: metering::readings_commitment::<H>(&blinding, &readings)?,
        },
        blinding,
        readings,
        padding: Vec::new(),
    })
}

/// One package's readings for the isolation sample.
fn isolation_batch<H: NativeHasher>(
    package_id: &Id,
    side: &str,
    n: usize,
    seed: u64,
) -> Result<(MeterBatch, Bytes32, Bytes32), CircuitError> {
    let customer = sample_bytes(&format!("blinded-customer-{side}"), seed);
    let scope = metering::scope::<H>(package_id)?;
    let key = metering::reading_key::<H>(&scope, &customer)?;
    let readings = sample_readings(key, SAMPLE_EPOCH, n, &format!("units-{side}"), seed);
    let blinding = sample_secret(&format!("meter-blinding-{side}"), seed);
    let commitment = metering::readings_commitment::<H>(&blinding, &readings)?;
    Ok((
        MeterBatch {
            blinded_customer_id: customer,
            blinding,
            readings,
            padding: Vec::new(),
        },
        scope,
        commitment,
    ))
}

/// A witness for the isolation circuit: two packages' meters, each with its own customer and
/// readings in the same hour.
pub fn isolation_witness<H: NativeHasher>(
    capacity: usize,
    seed: u64,
) -> Result<IsolationWitness, CircuitError> {
    let n = sample_count(capacity, 60);
    isolation_batches::<H>(n, n.saturating_sub(2).max(1), seed)
}

/// An isolation witness with exactly `n_a` and `n_b` readings.
pub fn isolation_batches<H: NativeHasher>(
    n_a: usize,
    n_b: usize,
    seed: u64,
) -> Result<IsolationWitness, CircuitError> {
    let package_a = sample_bytes("package-a", seed);
    let package_b = sample_bytes("package-b", seed);
    let (a, scope_a, commitment_a) = isolation_batch::<H>(&package_a, "a", n_a, seed)?;
    let (b, scope_b, commitment_b) = isolation_batch::<H>(&package_b, "b", n_b, seed)?;
    Ok(IsolationWitness {
        statement: IsolationStatement {
            package_a,
            package_b,
            scope_a,
            scope_b,
            commitment_a,
            commitment_b,
        },
        a,
        b,
    })
}

/// A witness for the revenue circuit: a publisher's transactions over three packages in
/// January 2026 (up to 40, one slot left as padding): the first is an hour before the period,
/// the second at its first second, the last at period_end (outside: the period is half-open).
pub fn revenue_witness<H: NativeHasher>(
    capacity: usize,
    seed: u64,
) -> Result<RevenueWitness, CircuitError> {
    revenue_batch::<H>(sample_count(capacity, 40), seed)
}

/// A revenue witness with exactly `n` transactions, spread over the period as in
/// [`revenue_witness`].
pub fn revenue_batch<H: NativeHasher>(n: usize, seed: u64) -> Result<RevenueWitness, CircuitError> {
    let publisher_id = sample_bytes("publisher", seed);
    let (start, end) = (SAMPLE_EPOCH, SAMPLE_PERIOD_END);
    let n = n as u64;
    let spacing = ((end - start) / n.max(1)).min(61_000);
    let mut transactions = Vec::new();
    for i in 0..n {
        let timestamp = match i {
            0 => start - 3600,
            _ if n >= 3 && i == n - 1 => end,
            _ => start + (i - 1) * spacing,
        };
        let k = seed * 10_000 + i;
        transactions.push(Transaction {
            digest: revenue::transaction_digest::<H>(
                &sample_bytes("settlement", k),
                &sample_bytes("package", seed * 10 + i % 3),
                &sample_bytes("blinded-customer", k),
            )?,
            gross_amount_micros: sample_u64("gross-amount", k, 1_000_000, 50_000_000),
            timestamp,
        });
    }
    revenue_of::<H>(publisher_id, start, end, transactions)
}

/// The revenue witness of a publisher's `transactions` over the period [start, end): the
/// statement is their sum and count inside it and the commitment to all of them.
pub fn revenue_of<H: NativeHasher>(
    publisher_id: Id,
    start: u64,
    end: u64,
    transactions: Vec<Transaction>,
) -> Result<RevenueWitness, CircuitError> {
    let inside: Vec<&Transaction> = transactions
        .iter()
        .filter(|t| revenue::in_period(t.timestamp, start, end))
        .collect();
    Ok(RevenueWitness {
        statement: RevenueStatement {
            publisher_id,
            period_start: start,
            period_end: end,
            aggregate_revenue_micros: inside.iter().map(|t| t.gross_amount_micros).sum(),
            transaction_count: inside.len() as u64,
            transactions_commitment: revenue::transactions_commitment::<H>(
                &publisher_id,
                &transactions,
            )?,
        },
        transactions,
        padding: Vec::new(),
    })
}

/// Waterfall rules of the samples: the publisher recoups up to 5 units (5,000,000 micros),
/// marketing up to 2; the residual goes 66.67% to the publisher, 23.33% to a co-author and
/// 10% to the platform, the rounding remainder to the publisher.
pub fn sample_rules(seed: u64) -> (Vec<Tranche>, Vec<Share>, u32) {
    let publisher = sample_bytes("recipient-publisher", seed);
    let tranches = vec![
        Tranche {
            recipient: publisher,
            cap_micros: Some(5_000_000),
        },
        Tranche {
            recipient: sample_bytes("recipient-marketing", seed),
            cap_micros: Some(2_000_000),
        },
    ];
    let shares = vec![
        Share {
            recipient: publisher,
            bps: 6_667,
        },
        Share {
            recipient: sample_bytes("recipient-coauthor", seed),
            bps: 2_333,
        },
        Share {
            recipient: sample_bytes("recipient-platform", seed),
            bps: 1_000,
        },
    ];
    (tranches, shares, 0)
}

/// A witness for the waterfall circuit: a solution's payments in January 2026 (up to 40, one
/// slot left as padding), split by [`sample_rules`].
pub fn waterfall_witness<H: NativeHasher>(
    capacity: usize,
    seed: u64,
) -> Result<WaterfallWitness, CircuitError> {
    waterfall_batch::<H>(sample_count(capacity, 40), seed)
}

/// A waterfall witness with exactly `n` payments.
pub fn waterfall_batch<H: NativeHasher>(
    n: usize,
    seed: u64,
) -> Result<WaterfallWitness, CircuitError> {
    let solution_id = sample_bytes("solution", seed);
    let (start, end) = (SAMPLE_EPOCH, SAMPLE_PERIOD_END);
    let n = n as u64;
    let mut payments = Vec::new();
    for i in 0..n {
        let k = seed * 10_000 + i;
        payments.push(Payment {
            digest: waterfall::payment_digest::<H>(
                &sample_bytes("settlement", k),
                &sample_bytes("blinded-customer", k),
            )?,
            amount_micros: sample_u64("payment", k, 500_000, 20_000_000),
        });
    }
    let (tranches, shares, remainder_to) = sample_rules(seed);
    let rules = (tranches, shares, remainder_to);
    waterfall_of::<H>(solution_id, (start, end), payments, rules)
}

/// The waterfall witness of a solution's `payments` in the period (start, end), split by
/// `rules` (tranches, shares, remainder line): the statement's total is their sum.
pub fn waterfall_of<H: NativeHasher>(
    solution_id: Id,
    (start, end): (u64, u64),
    payments: Vec<Payment>,
    (tranches, shares, remainder_to): (Vec<Tranche>, Vec<Share>, u32),
) -> Result<WaterfallWitness, CircuitError> {
    let total: u64 = payments.iter().map(|p| p.amount_micros).sum();
    let (tranche_payouts, share_payouts) =
        waterfall::split(total, &tranches, &shares, remainder_to as usize);
    Ok(WaterfallWitness {
        statement: WaterfallStatement {
            solution_id,
            period_start: start,
            period_end: end,
            total_revenue_micros: total,
            tranches,
            shares,
            remainder_to,
            tranche_payouts,
            share_payouts,
            payments_commitment: waterfall::payments_commitment::<H>(
                &solution_id,
                start,
                end,
                &payments,
            )?,
        },
        payments,
        padding: Vec::new(),
    })
}

// ---- receipt (issue 16 §3): begin
/// A receipt witness: one confidential receipt per transaction of the revenue sample
/// ([`revenue_witness`]), each with a fixed sample blinding (real receipts draw it from the OS
/// RNG).
pub fn receipt_witness<H: NativeHasher>(
    capacity: usize,
    seed: u64,
) -> Result<crate::receipt::ReceiptWitness, CircuitError> {
    receipts_of::<H>(&revenue_witness::<H>(capacity, seed)?, seed)
}

/// The receipt witness of a revenue witness's transactions: one confidential receipt each,
/// blinded by a sample blinding of `seed`.
pub fn receipts_of<H: NativeHasher>(
    rw: &RevenueWitness,
    seed: u64,
) -> Result<crate::receipt::ReceiptWitness, CircuitError> {
    use crate::receipt::{self, ReceiptItem};
    let mut receipts = Vec::with_capacity(rw.transactions.len());
    for (i, t) in rw.transactions.iter().enumerate() {
        let blinding = sample_secret("receipt-blinding", seed * 10_000 + i as u64);
        receipts.push(ReceiptItem {
            digest: t.digest,
            gross_amount_micros: t.gross_amount_micros,
            timestamp: t.timestamp,
            blinding,
            amount_commitment: receipt::amount_commitment::<H>(
                &t.digest,
                t.gross_amount_micros,
                &blinding,
            )?,
        });
    }
    let s = &rw.statement;
    let cs: Vec<_> = receipts.iter().map(|r| r.amount_commitment).collect();
    Ok(receipt::ReceiptWitness {
        statement: veil_verifier::statement::ReceiptStatement {
            publisher_id: s.publisher_id,
            period_start: s.period_start,
            period_end: s.period_end,
            aggregate_revenue_micros: s.aggregate_revenue_micros,
            transaction_count: s.transaction_count,
            transactions_commitment: s.transactions_commitment,
            receipts_commitment: receipt::receipts_commitment::<H>(&s.publisher_id, &cs)?,
        },
        receipts,
        padding: Vec::new(),
    })
}
// ---- receipt: end
// ---------------------------------------------------------------- flow budget

/// The sample flow budget's epoch, limit, and the charge: an earlier charge of 40 in the same
/// epoch, now 25 more of a limit of 100.
pub const FLOW_SAMPLE_EPOCH: u64 = 7;
pub const FLOW_SAMPLE_LIMIT: u64 = 100;

/// A witness for the flow-budget circuit: five registered accounts, the sender holds account
/// 2; its budget towards a peer in one context has one earlier charge (40) in epoch 7, and
/// it charges 25 more of a limit of 100.
pub fn flow_budget_witness<H: NativeHasher>(
    depth: u32,
    seed: u64,
) -> Result<crate::flow_budget::FlowBudgetWitness, CircuitError> {
    let epoch = FLOW_SAMPLE_EPOCH;
    flow_budget_charge::<H>(depth, seed, (epoch, 40), epoch, FLOW_SAMPLE_LIMIT, 25)
}

/// The sample accounts' charge of `cost` in `epoch` under `limit`, from a budget whose last
/// charge (`old` = its epoch and what was spent in it) is one receipt of that amount.
pub fn flow_budget_charge<H: NativeHasher>(
    depth: u32,
    seed: u64,
    old: (u64, u64),
    epoch: u64,
    limit: u64,
    cost: u64,
) -> Result<crate::flow_budget::FlowBudgetWitness, CircuitError> {
    use crate::flow_budget::{self as fb, FlowState, Receipt};
    let (old_epoch, old_spent) = old;
    let accounts: Vec<Bytes32> = (0..5u64)
        .map(|i| fb::account_secret(&sample_bytes("flow-account-root", seed * 100 + i).0))
        .collect();
    let leaves = accounts
        .iter()
        .map(fb::account_leaf::<H>)
        .collect::<Result<Vec<_>, _>>()?;
    let tree = MerkleTree::<H>::new(depth, leaves)?;
    let me = 2u64;
    let account = accounts[me as usize];
    let app_id = sample_bytes("flow-app", seed);
    let ctx = sample_bytes("flow-context", seed);
    let peer = fb::account_secret(&sample_bytes("flow-peer-root", seed).0);
    let dst = fb::context_identity::<H>(&peer, &app_id, &ctx)?;
    let earlier = Receipt {
        ctx,
        src: fb::context_identity::<H>(&account, &app_id, &ctx)?,
        dst,
        epoch: old_epoch,
        cost: old_spent,
        nonce: sample_bytes("flow-nonce", seed * 100),
        prev_hash: fb::receipt_anchor::<H>(&ctx, old_epoch)?,
    };
    fb::charge::<H>(fb::Charge {
        root: tree.root(),
        path: tree.path(me)?,
        account_secret: account,
        app_id,
        ctx,
        dst,
        epoch,
        limit,
        old: FlowState {
            spent: old_spent,
            epoch: old_epoch,
            last_receipt: earlier.hash::<H>()?,
            blinding: sample_secret("flow-blinding", seed * 100),
        },
        cost,
        nonce: sample_bytes("flow-nonce", seed * 100 + 1),
        new_blinding: sample_secret("flow-blinding", seed * 100 + 1),
    })
}
