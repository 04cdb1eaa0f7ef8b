//! `generate_waterfall_proof` (seed 000 §7.3): a solution's revenue split by its public rules.
//!
//! The rules are public: up to [`WATERFALL_MAX_TRANCHES`] tranches in order, each taking
//! min(remaining, cap) for its recipient (everything that remains if it has no cap), then a
//! residual split among up to [`WATERFALL_MAX_SHARES`] lines in basis points summing to
//! 10,000, each line taking floor(residual * bps / 10,000), and the rounding remainder (less
//! than the number of lines, in micros) to line `remainder_to`. The payouts are public too (per
//! line); the payments are secret, under the settlement module's commitment:
//!
//! ```text
//! c_0 = H_WaterfallPayments(solution_id, period_start, period_end, count)
//! c_{i+1} = H_WaterfallPayment(c_i, payment_digest_i, amount_micros_i)
//! ```
//!
//! with payment_digest = H_PaymentDigest(settlement_id, blinded_customer_id).
//!
//! | reveals (public)                                          | hides (secret)                          |
//! |-----------------------------------------------------------|-----------------------------------------|
//! | solution_id, the period, the total revenue                | every payment and its amount            |
//! | the rules (tranches, shares, remainder line)              | the customers and how many paid         |
//! | the payout of every rule line, the payments commitment    |                                         |
//!
//! The payouts are a function of the total and the rules, so revealing them adds nothing to
//! the total; the proof's value is that they are exact and that the total is the payments'.
//!
//! **Exposure to guessing (issue 10).** This commitment has no secret blinding, unlike the
//! metering one ([`crate::metering`]): a payment digest hashes the settlement id, which no
//! statement reveals, and the number of payments is hidden, so the payments are not
//! guessable from the statement as long as settlement ids are not. With guessable settlement
//! ids and a period of one payment (its amount is then the public total), a search over the
//! ids and the customers' blinded ids (public in metering statements) would find who paid.
//! Settlement ids must be unguessable; blinding this chain is left to a later circuit version.

use crate::api::{Api, HashInput};
use crate::batch::{
    alloc_masks, chain_commitment, chain_in_circuit, check_fits, fill_slots, zero_unless_u64,
};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher, NativeInput};
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::WaterfallPublic;
use veil_verifier::statement::{BPS_WHOLE, WATERFALL_MAX_SHARES, WATERFALL_MAX_TRANCHES};
use veil_verifier::{
    Bytes32, CircuitId, CircuitKind, Digest, Id, Share, Statement, Tranche, WaterfallStatement,
};

/// Basis points are range-checked to 14 bits (16384 > 10000).
const BPS_BITS: u32 = veil_verifier::statement::BPS_BITS;

/// A payment as the solution's commitment holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// H_PaymentDigest(settlement_id, blinded_customer_id).
    pub digest: Digest,
    pub amount_micros: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaterfallWitness {
    pub statement: WaterfallStatement,
    /// The solution's payments of the period, in committed order.
    pub payments: Vec<Payment>,
    /// Explicit contents of the padded slots; absent in every valid witness.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub padding: Vec<Payment>,
}

/// The digest the settlement module makes of a payment's identifying fields.
pub fn payment_digest<H: NativeHasher>(
    settlement_id: &Id,
    blinded_customer_id: &Id,
) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::PaymentDigest,
        &[
            NativeInput::Id(*settlement_id),
            NativeInput::Id(*blinded_customer_id),
        ],
    )
}

/// The settlement module's commitment to a solution's payments of a period.
pub fn payments_commitment<H: NativeHasher>(
    solution_id: &Id,
    period_start: u64,
    period_end: u64,
    payments: &[Payment],
) -> Result<Digest, CircuitError> {
    chain_commitment::<H>(
        Domain::WaterfallPayments,
        &[
            NativeInput::Id(*solution_id),
            NativeInput::U64(period_start),
            NativeInput::U64(period_end),
            NativeInput::Small(payments.len() as u64),
        ],
        Domain::WaterfallPayment,
        payments.iter().map(|p| {
            vec![
                NativeInput::Digest(p.digest),
                NativeInput::U64(p.amount_micros),
            ]
        }),
    )
}

/// The payouts of a waterfall: one per tranche, one per share line (the rounding remainder
/// in line `remainder_to`). Meaningful when `shares`' basis points sum to 10,000 and
/// `remainder_to` is a line (other rules give some answer, never a panic).
pub fn split(
    total: u64,
    tranches: &[Tranche],
    shares: &[Share],
    remainder_to: usize,
) -> (Vec<u64>, Vec<u64>) {
    let mut remaining = total;
    let tranche_payouts: Vec<u64> = tranches
        .iter()
        .map(|t| {
            let take = t.cap_micros.map_or(remaining, |c| c.min(remaining));
            remaining -= take;
            take
        })
        .collect();
    let mut share_payouts: Vec<u64> = shares
        .iter()
        .map(|l| {
            let q = u128::from(remaining) * u128::from(l.bps) / u128::from(BPS_WHOLE);
            u64::try_from(q).unwrap_or(u64::MAX)
        })
        .collect();
    let distributed = share_payouts
        .iter()
        .fold(0u64, |acc, p| acc.saturating_add(*p));
    if let Some(p) = share_payouts.get_mut(remainder_to) {
        *p = p.saturating_add(remaining.saturating_sub(distributed));
    }
    (tranche_payouts, share_payouts)
}

/// The waterfall circuit over up to `capacity` payments.
#[derive(Clone, Copy, Debug)]
pub struct Waterfall {
    pub id: CircuitId,
}

impl Waterfall {
    pub fn new(capacity: u32) -> Result<Self, String> {
        Ok(Waterfall {
            id: CircuitId::new(CircuitKind::Waterfall, capacity)?,
        })
    }
}

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

impl Circuit for Waterfall {
    type Witness = WaterfallWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &WaterfallWitness) -> Statement {
        Statement::Waterfall(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &WaterfallWitness) -> Result<(), Violation> {
        let s = &w.statement;
        s.check_shape().map_err(malformed)?;
        if !H::is_canonical(&s.payments_commitment) {
            return Err(malformed(
                "payments_commitment is not a canonical field element",
            ));
        }
        check_fits(
            "payments",
            w.payments.len(),
            w.padding.len(),
            self.id.capacity(),
        )?;
        if let Some(i) = w
            .payments
            .iter()
            .chain(&w.padding)
            .position(|p| !H::is_canonical(&p.digest))
        {
            return Err(malformed(format!(
                "the digest of slot {i} is not a canonical field element"
            )));
        }
        let bps: u64 = s.shares.iter().map(|l| u64::from(l.bps)).sum();
        if bps != u64::from(BPS_WHOLE) {
            return Err(Violation::new(
                Rule::WaterfallRules,
                format!("the share lines' basis points add up to {bps}, not {BPS_WHOLE}"),
            ));
        }
        if let Some((j, p)) = w
            .padding
            .iter()
            .enumerate()
            .find(|(_, p)| p.amount_micros != 0)
        {
            return Err(Violation::new(
                Rule::Padding,
                format!(
                    "padded slot {} (after the {} payments) is not empty: {} micros",
                    w.payments.len() + j,
                    w.payments.len(),
                    p.amount_micros
                ),
            ));
        }
        if payments_commitment::<H>(&s.solution_id, s.period_start, s.period_end, &w.payments)
            .map_err(malformed)?
            != s.payments_commitment
        {
            return Err(Violation::new(
                Rule::Commitment,
                format!(
                    "payments_commitment is not the commitment to these {} payments of the solution and period",
                    w.payments.len()
                ),
            ));
        }
        let paid: u128 = w.payments.iter().map(|p| u128::from(p.amount_micros)).sum();
        if paid > u128::from(u64::MAX) {
            return Err(Violation::new(
                Rule::Overflow,
                format!("the payments add up to {paid} micros, beyond 2^64 - 1"),
            ));
        }
        if paid != u128::from(s.total_revenue_micros) {
            return Err(Violation::new(
                Rule::Total,
                format!(
                    "total_revenue_micros is {}, the {} payments add up to {paid}",
                    s.total_revenue_micros,
                    w.payments.len()
                ),
            ));
        }
        let out: u128 = s
            .tranche_payouts
            .iter()
            .chain(&s.share_payouts)
            .map(|p| u128::from(*p))
            .sum();
        if out != paid {
            let (verb, n) = if out > paid {
                ("create", out - paid)
            } else {
                ("lose", paid - out)
            };
            return Err(Violation::new(
                Rule::Conservation,
                format!(
                    "the payouts add up to {out}, the total is {paid}: they would {verb} {n} micros"
                ),
            ));
        }
        let (tranches, shares) = split(
            s.total_revenue_micros,
            &s.tranches,
            &s.shares,
            s.remainder_to as usize,
        );
        if let Some(j) = (0..tranches.len()).find(|&j| tranches[j] != s.tranche_payouts[j]) {
            return Err(Violation::new(
                Rule::Tranches,
                format!(
                    "tranche {j} pays {}, the rules give it {} (min(remaining, cap), in order)",
                    s.tranche_payouts[j], tranches[j]
                ),
            ));
        }
        if let Some(k) = (0..shares.len()).find(|&k| shares[k] != s.share_payouts[k]) {
            return Err(Violation::new(
                Rule::ResidualSplit,
                format!(
                    "share line {k} pays {}, the residual split gives it {}{}",
                    s.share_payouts[k],
                    shares[k],
                    if k == s.remainder_to as usize {
                        " (its floor share plus the rounding remainder)"
                    } else {
                        " (its floor share)"
                    }
                ),
            ));
        }
        Ok(())
    }

    fn define<A: Api>(
        &self,
        api: &mut A,
        w: Option<&WaterfallWitness>,
    ) -> Result<(), CircuitError> {
        // The declaration refuses a statement whose shape the slots cannot hold.
        let WaterfallPublic {
            solution_id: solution,
            period_start: start,
            period_end: end,
            total_revenue_micros: total,
            tranches,
            shares,
            remainder_to: remainder_flags,
            tranche_payouts,
            share_payouts,
            payments_commitment: commitment,
        } = api.public_statement(w.map(|w| &w.statement))?;
        let tranches: Vec<_> = tranches
            .into_iter()
            .map(|t| {
                let cap = t.item.cap_micros;
                (t.active, t.item.recipient, cap.present, cap.value)
            })
            .collect();
        let shares: Vec<_> = shares
            .into_iter()
            .map(|l| (l.active, l.item.recipient, l.item.bps))
            .collect();

        // Rules: active slots form a prefix, and an unused slot is all zero (which also keeps
        // the encoding injective).
        api.begin_rule(Rule::WaterfallRules);
        let zero = api.u64_constant(0);
        let zero_id = api.id_constant(Bytes32::ZERO);
        let empty_slot = |api: &mut A, active: &A::Bool, recipient: &A::Id| {
            let is_zero = api.id_is_equal(recipient, &zero_id)?;
            let ok = api.or(active, &is_zero)?;
            api.assert_true(&ok)
        };
        for j in 0..WATERFALL_MAX_TRANCHES {
            let (active, recipient, capped, cap) = &tranches[j];
            if j > 0 {
                assert_implies(api, active, &tranches[j - 1].0)?;
            }
            empty_slot(api, active, recipient)?;
            assert_implies(api, capped, active)?;
            // No cap (or an unused slot): cap = 0.
            zero_unless_u64(api, capped, cap)?;
        }
        for k in 0..WATERFALL_MAX_SHARES {
            let (active, recipient, bps) = &shares[k];
            if k > 0 {
                assert_implies(api, active, &shares[k - 1].0)?;
            }
            empty_slot(api, active, recipient)?;
            let z = api.constant(0);
            let kept = api.select(active, bps, &z)?;
            api.assert_equal(bps, &kept)?;
            assert_implies(api, &remainder_flags[k], active)?;
        }
        let bps_terms: Vec<(u64, &A::Var)> = shares.iter().map(|(_, _, b)| (1, b)).collect();
        let bps_sum = api.linear_combination(&bps_terms);
        let whole = api.constant(BPS_WHOLE.into());
        api.assert_equal(&bps_sum, &whole)?;
        let flags: Vec<A::Var> = remainder_flags.iter().map(|f| api.bool_to_var(f)).collect();
        let flag_terms: Vec<(u64, &A::Var)> = flags.iter().map(|f| (1, f)).collect();
        let flag_sum = api.linear_combination(&flag_terms);
        let one = api.constant(1);
        api.assert_equal(&flag_sum, &one)?;

        // Tranches, in order: take = min(remaining, cap), or all that remains without a cap.
        api.begin_rule(Rule::Tranches);
        let mut remaining = total.clone();
        for (j, (active, _, capped, cap)) in tranches.iter().enumerate() {
            let cap_below = api.u64_less_than(cap, &remaining)?;
            let min = api.u64_select(&cap_below, cap, &remaining)?;
            let take = api.u64_select(capped, &min, &remaining)?;
            let take = api.u64_select(active, &take, &zero)?;
            api.u64_assert_equal(&take, &tranche_payouts[j])?;
            remaining = api.u64_sub(&remaining, &take)?;
        }
        // Residual split: floor(residual * bps / 10000) per line, the remainder to the flagged one.
        api.begin_rule(Rule::ResidualSplit);
        let mut floors = Vec::with_capacity(WATERFALL_MAX_SHARES);
        for (_, _, bps) in &shares {
            floors.push(api.u64_mul_div(&remaining, bps, BPS_BITS, BPS_WHOLE.into())?);
        }
        let distributed = api.u64_sum(&floors)?;
        let remainder = api.u64_sub(&remaining, &distributed)?;
        for k in 0..WATERFALL_MAX_SHARES {
            let extra = api.u64_select(&remainder_flags[k], &remainder, &zero)?;
            let pay = api.u64_sum(&[floors[k].clone(), extra])?;
            api.u64_assert_equal(&pay, &share_payouts[k])?;
        }
        // Conservation: the payouts add up to the total. The constraints above already imply
        // it; it is kept as the rule's own statement (one sum, 66 constraints).
        api.begin_rule(Rule::Conservation);
        let all: Vec<A::U64> = tranche_payouts
            .iter()
            .chain(&share_payouts)
            .cloned()
            .collect();
        let out = api.u64_sum(&all)?;
        api.u64_assert_equal(&out, &total)?;

        // Payments: committed, and they add up to the total.
        api.begin_rule(Rule::Total);
        let cap = self.id.capacity();
        let slots = w
            .map(|w| fill_slots(&w.payments, &w.padding, cap))
            .transpose()?;
        let m = alloc_masks(api, cap, w.map(|w| w.payments.len()))?;
        let mut digests = Vec::with_capacity(cap);
        let mut amounts = Vec::with_capacity(cap);
        for i in 0..cap {
            let slot = slots.as_ref().map(|s| &s[i]);
            let d = api.secret_digest("payment.digest", slot.map(|p| p.digest))?;
            let a = api.secret_u64("payment.amount_micros", slot.map(|p| p.amount_micros))?;
            zero_unless_u64(api, &m.masks[i], &a)?;
            digests.push(d);
            amounts.push(a);
        }
        let chain: Vec<(&A::Bool, Vec<HashInput<'_, A>>)> = (0..cap)
            .map(|i| {
                (
                    &m.masks[i],
                    vec![HashInput::Digest(&digests[i]), HashInput::U64(&amounts[i])],
                )
            })
            .collect();
        let c = chain_in_circuit(
            api,
            Domain::WaterfallPayments,
            &[
                HashInput::Id(&solution),
                HashInput::U64(&start),
                HashInput::U64(&end),
                HashInput::Small(&m.count),
            ],
            Domain::WaterfallPayment,
            &chain,
        )?;
        api.digest_assert_equal(&c, &commitment)?;
        let paid = api.u64_sum(&amounts)?;
        api.u64_assert_equal(&paid, &total)
    }
}

/// Enforces a => b.
fn assert_implies<A: Api>(api: &mut A, a: &A::Bool, b: &A::Bool) -> Result<(), CircuitError> {
    let not_a = api.not(a);
    let ok = api.or(&not_a, b)?;
    api.assert_true(&ok)
}

impl crate::Listed for Waterfall {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description: "A solution's revenue of a period, from these payments, was split exactly by the public waterfall rules",
        statement: &[
            crate::doc::field("solution_id", "the solution"),
            crate::doc::field("period_start", "start of the period, unix seconds"),
            crate::doc::field("period_end", "end of the period, unix seconds"),
            crate::doc::field("total_revenue_micros", "the solution's revenue of the period"),
            crate::doc::field("tranches", "up to 4 tranches in order: recipient and cap (or none)"),
            crate::doc::field("shares", "1 to 8 residual lines: recipient and basis points (summing to 10,000)"),
            crate::doc::field("remainder_to", "the share line that takes the rounding remainder"),
            crate::doc::field("tranche_payouts", "what each tranche pays"),
            crate::doc::field("share_payouts", "what each share line pays"),
            crate::doc::field("payments_commitment", "the settlement module's commitment to the period's payments"),
        ],
        rules: &[
            crate::doc::rule(crate::Rule::WellFormed, "at most 4 tranches and 8 share lines, one payout per line, the remainder line exists, the payments fit the slots"),
            crate::doc::rule(crate::Rule::WaterfallRules, "the share lines' basis points add up to 10,000"),
            crate::doc::PADDING,
            crate::doc::COMMITMENT,
            crate::doc::NO_OVERFLOW,
            crate::doc::rule(crate::Rule::Total, "total_revenue_micros is exactly the sum of the payments"),
            crate::doc::rule(crate::Rule::Conservation, "the payouts add up to the total: nothing created or lost"),
            crate::doc::rule(crate::Rule::Tranches, "each tranche pays min(remaining, cap), in order (all that remains without a cap)"),
            crate::doc::rule(crate::Rule::ResidualSplit, "each share line pays floor(residual * bps / 10,000); the remainder goes to remainder_to"),
        ],
        hides: "every payment and its amount, the customers, how many paid",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        Waterfall::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<WaterfallWitness, CircuitError> {
        crate::sample::waterfall_witness::<H>(size as usize, seed)
    }
}
