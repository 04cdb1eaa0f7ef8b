//! Confidential receipts (seed 003 "ZK proofs for privacy-preserving receipts"; issue 16 §3):
//! an auditor checks that the amounts hidden in a batch of confidential receipts add up to
//! the total the revenue commitment counts, without decrypting any receipt.
//!
//! Each confidential receipt (`veil_ledger::confidential`) carries, in its public part, a
//! blinded commitment to its amount:
//!
//! ```text
//! C_i = H_ReceiptAmount(tx_digest_i, gross_amount_micros_i, blinding_i)
//! ```
//!
//! where tx_digest is the revenue chain's H_SettlementTransaction(settlement_id, package_id,
//! blinded_customer_id) of the receipt's transaction and blinding a secret full field element
//! drawn from the OS RNG, kept inside the receipt's ciphertext (so the participants who can
//! decrypt it can open C_i; nobody else can test a guessed amount against it). The batch is
//! bound by one public digest over the receipts' commitments, in the revenue chain's order:
//!
//! ```text
//! r_0 = H_ReceiptList(publisher_id, count),  r_{i+1} = H_ReceiptStep(r_i, C_i),
//! receipts_commitment = r_count
//! ```
//!
//! **The binding (chosen here).** The statement is the revenue statement
//! ([`crate::revenue`]: publisher, period, aggregate, count, transactions commitment) plus
//! `receipts_commitment`. The circuit opens the *same* revenue chain
//! c_{i+1} = H_RevenueTransaction(c_i, tx_digest_i, amount_i, timestamp_i) from the *same*
//! secret (tx digest, amount) it puts into C_i, so each receipt is tied to its transaction of
//! the revenue chain by its tx digest and position, and its amount is the one the revenue
//! proof counts. A verified revenue proof and a verified receipt proof with equal first six
//! fields therefore speak of one total; the receipt proof alone already proves it.
//!
//! Rules: every receipt's C_i holds its transaction's amount (`Commitment`); the receipts are
//! exactly the transactions under `transactions_commitment`, none added, none left out
//! (`Membership`); the receipts inside [period_start, period_end) are counted, none outside
//! (`PeriodCoverage`); their sum is exact (`Overflow`) and is `aggregate_revenue_micros`
//! (`Total`); `transaction_count` is their number (`Count`); padded slots are empty.
//!
//! | reveals (public)                                        | hides (secret)                         |
//! |---------------------------------------------------------|----------------------------------------|
//! | publisher_id, the period, the aggregate and count       | every receipt's amount and blinding    |
//! | the transactions commitment, the receipts commitment    | every transaction's time and tx digest |
//! | (and, from the receipt files: each receipt's C_i)       | which receipts fall in the period      |
//!
//! An auditor holding the receipt files recomputes `receipts_commitment` from their public
//! C_i ([`receipts_commitment`]) and compares it with the statement.

use crate::api::{Api, HashInput};
use crate::batch::{
    alloc_masks, chain_commitment, chain_in_circuit, check_fits, fill_slots, zero_unless_u64,
};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher, NativeInput};
use crate::revenue::{self, Transaction};
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::{ReceiptPublic, ReceiptStatement};
use veil_verifier::{CircuitId, CircuitKind, Digest, Id, RevenueStatement, Statement};

/// One confidential receipt as the prover knows it: its transaction as the revenue chain
/// holds it, and its amount commitment's opening.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptItem {
    /// H_SettlementTransaction(settlement_id, package_id, blinded_customer_id).
    pub digest: Digest,
    pub gross_amount_micros: u64,
    /// Unix seconds.
    pub timestamp: u64,
    /// The secret blinding of the amount commitment.
    pub blinding: Digest,
    /// The receipt's public C = H_ReceiptAmount(digest, amount, blinding).
    pub amount_commitment: Digest,
}

impl ReceiptItem {
    pub fn is_empty(&self) -> bool {
        self.gross_amount_micros == 0 && self.timestamp == 0
    }

    fn transaction(&self) -> Transaction {
        Transaction {
            digest: self.digest,
            gross_amount_micros: self.gross_amount_micros,
            timestamp: self.timestamp,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptWitness {
    pub statement: ReceiptStatement,
    /// One receipt per transaction of the publisher's revenue chain, in its order.
    pub receipts: Vec<ReceiptItem>,
    /// Explicit contents of the padded slots; absent in every valid witness.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub padding: Vec<ReceiptItem>,
}

/// A receipt's public amount commitment.
pub fn amount_commitment<H: NativeHasher>(
    tx_digest: &Digest,
    gross_amount_micros: u64,
    blinding: &Digest,
) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::ReceiptAmount,
        &[
            NativeInput::Digest(*tx_digest),
            NativeInput::U64(gross_amount_micros),
            NativeInput::Digest(*blinding),
        ],
    )
}

/// The digest over a batch of receipts' amount commitments, in the revenue chain's order
/// (what an auditor recomputes from the receipt files).
pub fn receipts_commitment<H: NativeHasher>(
    publisher_id: &Id,
    amount_commitments: &[Digest],
) -> Result<Digest, CircuitError> {
    chain_commitment::<H>(
        Domain::ReceiptList,
        &[
            NativeInput::Id(*publisher_id),
            NativeInput::Small(amount_commitments.len() as u64),
        ],
        Domain::ReceiptStep,
        amount_commitments
            .iter()
            .map(|c| vec![NativeInput::Digest(*c)]),
    )
}

/// The revenue statement this receipt statement extends.
pub fn revenue_statement(s: &ReceiptStatement) -> RevenueStatement {
    RevenueStatement {
        publisher_id: s.publisher_id,
        period_start: s.period_start,
        period_end: s.period_end,
        aggregate_revenue_micros: s.aggregate_revenue_micros,
        transaction_count: s.transaction_count,
        transactions_commitment: s.transactions_commitment,
    }
}

/// The receipt circuit over up to `capacity` receipts.
#[derive(Clone, Copy, Debug)]
pub struct Receipt {
    pub id: CircuitId,
}

impl Receipt {
    pub fn new(capacity: u32) -> Result<Self, String> {
        Ok(Receipt {
            id: CircuitId::new(CircuitKind::Receipt, capacity)?,
        })
    }
}

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

impl Circuit for Receipt {
    type Witness = ReceiptWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &ReceiptWitness) -> Statement {
        Statement::Receipt(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &ReceiptWitness) -> Result<(), Violation> {
        let s = &w.statement;
        if !H::is_canonical(&s.receipts_commitment) {
            return Err(malformed(
                "receipts_commitment is not a canonical field element",
            ));
        }
        check_fits(
            "receipts",
            w.receipts.len(),
            w.padding.len(),
            self.id.capacity(),
        )?;
        if let Some(i) =
            w.receipts.iter().chain(&w.padding).position(|r| {
                !H::is_canonical(&r.blinding) || !H::is_canonical(&r.amount_commitment)
            })
        {
            return Err(malformed(format!(
                "the blinding or amount commitment of slot {i} is not a canonical field element"
            )));
        }
        // The revenue rules over the receipts' transactions; the revenue chain's commitment
        // rule is this circuit's membership rule.
        let rw = revenue::RevenueWitness {
            statement: revenue_statement(s),
            transactions: w.receipts.iter().map(ReceiptItem::transaction).collect(),
            padding: w.padding.iter().map(ReceiptItem::transaction).collect(),
        };
        // (Revenue's check reads only the capacity from its id.)
        let revenue = crate::revenue::Revenue { id: self.id };
        if let Err(v) = revenue.check::<H>(&rw) {
            if v.rule == Rule::Commitment {
                return Err(Violation::new(
                    Rule::Membership,
                    format!(
                        "the {} receipts are not the transactions of the revenue chain transactions_commitment (a receipt added, left out, reordered or of another transaction)",
                        w.receipts.len()
                    ),
                ));
            }
            return Err(v);
        }
        for (i, r) in w.receipts.iter().enumerate() {
            let c = amount_commitment::<H>(&r.digest, r.gross_amount_micros, &r.blinding)
                .map_err(malformed)?;
            if c != r.amount_commitment {
                return Err(Violation::new(
                    Rule::Commitment,
                    format!(
                        "receipt {i}'s amount commitment does not hold its amount ({} micros) with its blinding",
                        r.gross_amount_micros
                    ),
                ));
            }
        }
        let cs: Vec<Digest> = w.receipts.iter().map(|r| r.amount_commitment).collect();
        if receipts_commitment::<H>(&s.publisher_id, &cs).map_err(malformed)?
            != s.receipts_commitment
        {
            return Err(Violation::new(
                Rule::Commitment,
                format!(
                    "receipts_commitment is not the digest of these {} receipts' amount commitments",
                    cs.len()
                ),
            ));
        }
        Ok(())
    }

    fn define<A: Api>(&self, api: &mut A, w: Option<&ReceiptWitness>) -> Result<(), CircuitError> {
        let s = w.map(|w| &w.statement);
        let ReceiptPublic {
            publisher_id: publisher,
            period_start: start,
            period_end: end,
            aggregate_revenue_micros: total,
            transaction_count: count_pub,
            transactions_commitment: tx_commitment,
            receipts_commitment: r_commitment,
        } = api.public_statement(s)?;

        let cap = self.id.capacity();
        let slots = w
            .map(|w| fill_slots(&w.receipts, &w.padding, cap))
            .transpose()?;
        let m = alloc_masks(api, cap, w.map(|w| w.receipts.len()))?;
        let zero = api.u64_constant(0);
        let mut digests = Vec::with_capacity(cap);
        let mut amounts = Vec::with_capacity(cap);
        let mut timestamps = Vec::with_capacity(cap);
        let mut commitments = Vec::with_capacity(cap);
        let mut counted = Vec::with_capacity(cap);
        let mut inside_vars = Vec::with_capacity(cap);
        for i in 0..cap {
            let slot = slots.as_ref().map(|s| &s[i]);
            let d = api.secret_digest("receipt.digest", slot.map(|r| r.digest))?;
            let a = api.secret_u64(
                "receipt.gross_amount_micros",
                slot.map(|r| r.gross_amount_micros),
            )?;
            let t = api.secret_u64("receipt.timestamp", slot.map(|r| r.timestamp))?;
            let b = api.secret_digest("receipt.blinding", slot.map(|r| r.blinding))?;
            let mask = &m.masks[i];
            zero_unless_u64(api, mask, &a)?;
            zero_unless_u64(api, mask, &t)?;
            // The receipt's amount commitment, from the same amount the revenue chain holds.
            api.begin_rule(Rule::Commitment);
            let c = api.hash(
                Domain::ReceiptAmount,
                &[
                    HashInput::Digest(&d),
                    HashInput::U64(&a),
                    HashInput::Digest(&b),
                ],
            )?;
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
            commitments.push(c);
        }
        // Membership: the receipts are exactly the revenue chain's transactions.
        api.begin_rule(Rule::Membership);
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
        api.digest_assert_equal(&c, &tx_commitment)?;
        // Commitment: the receipts commitment over the amount commitments.
        let rchain: Vec<(&A::Bool, Vec<HashInput<'_, A>>)> = (0..cap)
            .map(|i| (&m.masks[i], vec![HashInput::Digest(&commitments[i])]))
            .collect();
        let r = chain_in_circuit(
            api,
            Domain::ReceiptList,
            &[HashInput::Id(&publisher), HashInput::Small(&m.count)],
            Domain::ReceiptStep,
            &rchain,
        )?;
        api.digest_assert_equal(&r, &r_commitment)?;
        api.begin_rule(Rule::Total);
        let sum = api.u64_sum(&counted)?;
        api.u64_assert_equal(&sum, &total)?;
        api.begin_rule(Rule::Count);
        let terms: Vec<(u64, &A::Var)> = inside_vars.iter().map(|v| (1, v)).collect();
        let count = api.linear_combination(&terms);
        api.assert_equal(&count, &count_pub)
    }
}

impl crate::Listed for Receipt {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description: "The confidential receipts under R hold exactly the amounts of publisher X's revenue chain, and those of period P add up to Y micros over Z receipts: an auditor checks totals without decrypting a receipt",
        statement: &[
            crate::doc::field("publisher_id", "the publisher"),
            crate::doc::field("period_start", "start of the period, unix seconds, inclusive"),
            crate::doc::field("period_end", "end of the period, unix seconds, exclusive"),
            crate::doc::field("aggregate_revenue_micros", "the revenue of the period (the revenue statement's)"),
            crate::doc::field("transaction_count", "the number of receipts in the period"),
            crate::doc::field("transactions_commitment", "the settlement module's commitment to the publisher's transactions (the revenue chain)"),
            crate::doc::field("receipts_commitment", "the digest over the receipts' public amount commitments C = H(tx digest, amount, blinding), in the chain's order"),
        ],
        rules: &[
            crate::doc::WELL_FORMED_BATCH,
            crate::doc::PADDING,
            crate::doc::rule(crate::Rule::Commitment, "every receipt's public amount commitment holds its transaction's amount, and receipts_commitment is the digest of those commitments"),
            crate::doc::rule(crate::Rule::Membership, "the receipts are exactly the transactions of the revenue chain transactions_commitment: none added, none left out, same amounts"),
            crate::doc::NO_OVERFLOW,
            crate::doc::rule(crate::Rule::PeriodCoverage, "every receipt inside [period_start, period_end) is counted, none outside"),
            crate::doc::rule(crate::Rule::Total, "aggregate_revenue_micros is exactly the sum of the period's receipts"),
            crate::doc::rule(crate::Rule::Count, "transaction_count is the number of the period's receipts"),
        ],
        hides: "every receipt's amount, blinding, time and transaction digest, and which receipts fall in the period (each receipt file shows only its ids and its blinded amount commitment)",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        Receipt::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<ReceiptWitness, CircuitError> {
        crate::sample::receipt_witness::<H>(size as usize, seed)
    }
}
