//! `generate_revenue_proof` (seed 000 §7.1, §7.4): a publisher's revenue for a period.
//!
//! A settlement transaction is (settlement_id, package_id, publisher_id, blinded_customer_id,
//! gross_amount_micros, timestamp). The settlement module keeps one commitment per publisher
//! over all of that publisher's transactions, which may span more than the period (see
//! [`crate::batch`]):
//!
//! ```text
//! c_0 = H_RevenueTransactions(publisher_id, count)
//! c_{i+1} = H_RevenueTransaction(c_i, tx_digest_i, gross_amount_micros_i, timestamp_i)
//! ```
//!
//! where tx_digest = H_SettlementTransaction(settlement_id, package_id, blinded_customer_id)
//! stands for the fields the circuit does not reason about. The proof shows that every
//! transaction under the commitment is either inside [period_start, period_end) and counted,
//! or outside and not counted: none can be skipped and none added. The sum is exact (it must
//! fit 64 bits) and the count is the number of transactions in the period.
//!
//! | reveals (public)                                    | hides (secret)                                |
//! |-----------------------------------------------------|-----------------------------------------------|
//! | publisher_id, period_start, period_end              | every transaction: amount, time, package      |
//! | aggregate_revenue_micros, transaction_count         | customers (blinded or otherwise), settlement ids |
//! | the transactions commitment                         | per-package breakdown; transactions outside the period and their number |
//!
//! **Exposure to guessing (issue 10).** This commitment has no secret blinding, unlike the
//! metering one ([`crate::metering`]). Its items are not guessable from the statement as
//! long as settlement ids are not: each tx digest hashes a settlement id, which no statement
//! reveals, and the chain runs over all of the publisher's transactions (inside and outside
//! the period, their number hidden), so nothing can be checked against the commitment until
//! every transaction's (settlement id, package, customer, amount, time) has been guessed
//! jointly. It is exposed when settlement ids are guessable (a counter, or a name such as the
//! ledger examples' `s-1`) and the publisher has one transaction: then the amount is the
//! public aggregate and a search over ids, the publisher's packages, the customers' blinded
//! ids (public in metering statements) and the seconds of the period can succeed. Settlement
//! ids must be unguessable (a payment processor's random ids, or 32 random bytes); a blinded,
//! appendable form of this chain (issue 14: today's starts with the count, so the ledger
//! rebuilds it per transaction) is left to a later circuit version.

use crate::api::{Api, HashInput};
use crate::batch::{
    alloc_masks, chain_commitment, chain_in_circuit, check_fits, fill_slots, zero_unless_u64,
};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher, NativeInput};
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::RevenuePublic;
use veil_verifier::{CircuitId, CircuitKind, Digest, Id, RevenueStatement, Statement};

/// The public transaction count is range-checked to this many bits (it is at most the
/// capacity).
pub const COUNT_BITS: u32 = veil_verifier::statement::COUNT_BITS;

/// A settlement transaction as the publisher's commitment holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// H_SettlementTransaction(settlement_id, package_id, blinded_customer_id).
    pub digest: Digest,
    pub gross_amount_micros: u64,
    /// Unix seconds.
    pub timestamp: u64,
}

impl Transaction {
    pub fn is_empty(&self) -> bool {
        self.gross_amount_micros == 0 && self.timestamp == 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevenueWitness {
    pub statement: RevenueStatement,
    /// All of the publisher's transactions under the commitment, in order (inside the period
    /// or not).
    pub transactions: Vec<Transaction>,
    /// Explicit contents of the padded slots; absent in every valid witness.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub padding: Vec<Transaction>,
}

/// The digest the settlement module makes of a transaction's identifying fields.
pub fn transaction_digest<H: NativeHasher>(
    settlement_id: &Id,
    package_id: &Id,
    blinded_customer_id: &Id,
) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::SettlementTransaction,
        &[
            NativeInput::Id(*settlement_id),
            NativeInput::Id(*package_id),
            NativeInput::Id(*blinded_customer_id),
        ],
    )
}

/// The settlement module's commitment to a publisher's transactions.
pub fn transactions_commitment<H: NativeHasher>(
    publisher_id: &Id,
    transactions: &[Transaction],
) -> Result<Digest, CircuitError> {
    chain_commitment::<H>(
        Domain::RevenueTransactions,
        &[
            NativeInput::Id(*publisher_id),
            NativeInput::Small(transactions.len() as u64),
        ],
        Domain::RevenueTransaction,
        transactions.iter().map(|t| {
            vec![
                NativeInput::Digest(t.digest),
                NativeInput::U64(t.gross_amount_micros),
                NativeInput::U64(t.timestamp),
            ]
        }),
    )
}

/// Whether a timestamp lies in [start, end).
pub fn in_period(timestamp: u64, start: u64, end: u64) -> bool {
    start <= timestamp && timestamp < end
}

/// The revenue circuit over up to `capacity` transactions.
#[derive(Clone, Copy, Debug)]
pub struct Revenue {
    pub id: CircuitId,
}

impl Revenue {
    pub fn new(capacity: u32) -> Result<Self, String> {
        Ok(Revenue {
            id: CircuitId::new(CircuitKind::Revenue, capacity)?,
        })
    }
}

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

impl Circuit for Revenue {
    type Witness = RevenueWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &RevenueWitness) -> Statement {
        Statement::Revenue(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &RevenueWitness) -> Result<(), Violation> {
        let s = &w.statement;
        if !H::is_canonical(&s.transactions_commitment) {
            return Err(malformed(
                "transactions_commitment is not a canonical field element",
            ));
        }
        check_fits(
            "transactions",
            w.transactions.len(),
            w.padding.len(),
            self.id.capacity(),
        )?;
        if let Some(i) = w
            .transactions
            .iter()
            .chain(&w.padding)
            .position(|t| !H::is_canonical(&t.digest))
        {
            return Err(malformed(format!(
                "the digest of slot {i} is not a canonical field element"
            )));
        }
        if let Some((j, p)) = w.padding.iter().enumerate().find(|(_, p)| !p.is_empty()) {
            return Err(Violation::new(
                Rule::Padding,
                format!(
                    "padded slot {} (after the {} transactions) is not empty: {} micros at {}",
                    w.transactions.len() + j,
                    w.transactions.len(),
                    p.gross_amount_micros,
                    p.timestamp
                ),
            ));
        }
        if transactions_commitment::<H>(&s.publisher_id, &w.transactions).map_err(malformed)?
            != s.transactions_commitment
        {
            return Err(Violation::new(
                Rule::Commitment,
                format!(
                    "transactions_commitment is not the publisher's commitment to these {} transactions",
                    w.transactions.len()
                ),
            ));
        }
        let inside = |t: &Transaction| in_period(t.timestamp, s.period_start, s.period_end);
        let sum: u128 = w
            .transactions
            .iter()
            .filter(|t| inside(t))
            .map(|t| u128::from(t.gross_amount_micros))
            .sum();
        let count = w.transactions.iter().filter(|t| inside(t)).count() as u128;
        if sum > u128::from(u64::MAX) {
            return Err(Violation::new(
                Rule::Overflow,
                format!(
                    "the transactions inside the period add up to {sum} micros, beyond 2^64 - 1"
                ),
            ));
        }
        let claimed = (
            u128::from(s.aggregate_revenue_micros),
            u128::from(s.transaction_count),
        );
        if claimed == (sum, count) {
            return Ok(());
        }
        // Explain a skipped or an added transaction when that is what the claim amounts to.
        let period = format!("[{}, {})", s.period_start, s.period_end);
        for (i, t) in w.transactions.iter().enumerate() {
            let a = u128::from(t.gross_amount_micros);
            if inside(t) && claimed == (sum - a, count - 1) {
                return Err(Violation::new(
                    Rule::PeriodCoverage,
                    format!(
                        "transaction {i} (at {}) lies inside the period {period} but is not counted",
                        t.timestamp
                    ),
                ));
            }
            if !inside(t) && claimed == (sum + a, count + 1) {
                return Err(Violation::new(
                    Rule::PeriodCoverage,
                    format!(
                        "transaction {i} (at {}) lies outside the period {period} but is counted",
                        t.timestamp
                    ),
                ));
            }
        }
        if claimed.0 != sum {
            return Err(Violation::new(
                Rule::Total,
                format!(
                    "aggregate_revenue_micros is {}, the {count} transactions inside the period add up to {sum}",
                    s.aggregate_revenue_micros
                ),
            ));
        }
        Err(Violation::new(
            Rule::Count,
            format!(
                "transaction_count is {}, {count} transactions lie inside the period",
                s.transaction_count
            ),
        ))
    }

    fn define<A: Api>(&self, api: &mut A, w: Option<&RevenueWitness>) -> Result<(), CircuitError> {
        let s = w.map(|w| &w.statement);
        let RevenuePublic {
            publisher_id: publisher,
            period_start: start,
            period_end: end,
            aggregate_revenue_micros: total,
            transaction_count: count_pub,
            transactions_commitment: commitment,
        } = api.public_statement(s)?;

        let cap = self.id.capacity();
        let slots = w
            .map(|w| fill_slots(&w.transactions, &w.padding, cap))
            .transpose()?;
        let m = alloc_masks(api, cap, w.map(|w| w.transactions.len()))?;
        let zero = api.u64_constant(0);
        let mut digests = Vec::with_capacity(cap);
        let mut amounts = Vec::with_capacity(cap);
        let mut timestamps = Vec::with_capacity(cap);
        let mut counted = Vec::with_capacity(cap);
        let mut inside_vars = Vec::with_capacity(cap);
        for i in 0..cap {
            let slot = slots.as_ref().map(|s| &s[i]);
            let d = api.secret_digest("transaction.digest", slot.map(|t| t.digest))?;
            let a = api.secret_u64(
                "transaction.gross_amount_micros",
                slot.map(|t| t.gross_amount_micros),
            )?;
            let t = api.secret_u64("transaction.timestamp", slot.map(|t| t.timestamp))?;
            let mask = &m.masks[i];
            // Padding carries no value and no time.
            zero_unless_u64(api, mask, &a)?;
            zero_unless_u64(api, mask, &t)?;
            // Counted iff real and period_start <= t < period_end.
            api.begin_rule(Rule::PeriodCoverage);
            let before = api.u64_less_than(&t, &start)?;
            let before_end = api.u64_less_than(&t, &end)?;
            let not_before = api.not(&before);
            let in_period = api.and(&not_before, &before_end)?;
            let inside = api.and(&in_period, mask)?;
            counted.push(api.u64_select(&inside, &a, &zero)?);
            inside_vars.push(api.bool_to_var(&inside));
            digests.push(d);
            amounts.push(a);
            timestamps.push(t);
        }
        // Commitment over the real transactions, whichever period they fall in.
        api.begin_rule(Rule::Commitment);
        let chain: Vec<(&A::Bool, Vec<HashInput<'_, A>>)> = (0..cap)
            .map(|i| {
                (
                    &m.masks[i],
                    vec![
                        HashInput::Digest(&digests[i]),
                        HashInput::U64(&amounts[i]),
                        HashInput::U64(&timestamps[i]),
                    ],
                )
            })
            .collect();
        let c = chain_in_circuit(
            api,
            Domain::RevenueTransactions,
            &[HashInput::Id(&publisher), HashInput::Small(&m.count)],
            Domain::RevenueTransaction,
            &chain,
        )?;
        api.digest_assert_equal(&c, &commitment)?;
        // Total: exact, must fit 64 bits.
        api.begin_rule(Rule::Total);
        let sum = api.u64_sum(&counted)?;
        api.u64_assert_equal(&sum, &total)?;
        // Count.
        api.begin_rule(Rule::Count);
        let terms: Vec<(u64, &A::Var)> = inside_vars.iter().map(|v| (1, v)).collect();
        let count = api.linear_combination(&terms);
        api.assert_equal(&count, &count_pub)
    }
}

impl crate::Listed for Revenue {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description: "Publisher X earned Y micros from Z transactions in period P: every transaction of the period counted, none outside it",
        statement: &[
            crate::doc::field("publisher_id", "the publisher"),
            crate::doc::field("period_start", "start of the period, unix seconds, inclusive"),
            crate::doc::field("period_end", "end of the period, unix seconds, exclusive"),
            crate::doc::field("aggregate_revenue_micros", "the revenue of the period"),
            crate::doc::field("transaction_count", "the number of transactions in the period"),
            crate::doc::field("transactions_commitment", "the settlement module's commitment to the publisher's transactions"),
        ],
        rules: &[
            crate::doc::WELL_FORMED_BATCH,
            crate::doc::PADDING,
            crate::doc::COMMITMENT,
            crate::doc::NO_OVERFLOW,
            crate::doc::rule(crate::Rule::PeriodCoverage, "every committed transaction inside [period_start, period_end) is counted, none outside"),
            crate::doc::rule(crate::Rule::Total, "aggregate_revenue_micros is exactly the sum of the period's transactions"),
            crate::doc::rule(crate::Rule::Count, "transaction_count is the number of the period's transactions"),
        ],
        hides: "every transaction (amount, time, package, customer, settlement id), the per-package breakdown, the transactions outside the period",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        Revenue::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<RevenueWitness, CircuitError> {
        crate::sample::revenue_witness::<H>(size as usize, seed)
    }
}
