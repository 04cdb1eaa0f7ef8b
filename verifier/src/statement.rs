//! The public statement of each circuit: the named values a proof speaks about.
//!
//! Each statement is declared once ([`crate::statement!`]): its fields in order, with their
//! layouts. The JSON form, the display, the public-input encoding of each backend
//! ([`crate::encoding`]) and the public inputs a circuit's `define` allocates all come from
//! that declaration, so their orders cannot drift apart.

use crate::bytes::{Digest, Id};
use crate::declare::{layout, Declared, ShowItem};
pub use crate::list::Statement;

crate::statement! {
    /// `prove_token_ownership`: "I hold an active token for `package_id` in the tree with `root`,
    /// and I answer `challenge` with `tag`". Hides which token, its blinding factor and the
    /// customer; reveals the package, the time and the challenge-bound tag.
    pub struct OwnershipStatement => OwnershipPublic {
        /// Root of the issuer's Merkle tree of active tokens.
        pub root: Digest => layout::Digest,
        /// The package the token grants access to.
        pub package_id: Id => layout::Id,
        /// The verifier's clock (unix seconds); the token must expire strictly after it.
        pub now: u64 => layout::U64,
        /// A fresh verifier challenge, so that a proof cannot be replayed elsewhere.
        pub challenge: Id => layout::Id,
        /// H(blinding factor, challenge): binds the proof to the challenge and the token owner
        /// without identifying either across challenges.
        pub tag: Digest => layout::Digest,
    }
}

crate::statement! {
    /// The ZK tier proof (seed 002 §7): "I hold a tier commitment in the approved set with
    /// `root`, of tier at least `min_tier`, and this is my request number `slot < quota` of
    /// the epoch". Hides the exact tier, the commitment, the user and the slot.
    pub struct TierStatement => TierPublic {
        /// Root of the approved tier set's Merkle tree of tier commitments.
        pub root: Digest => layout::Digest,
        /// The lowest tier the verifier accepts.
        pub min_tier: u32 => layout::Small<TIER_BITS>,
        /// The epoch beacon K_epoch.
        pub epoch_beacon: Digest => layout::Digest,
        /// H(request nonce, ephemeral public key): ties the proof to one request.
        pub request_binding: Digest => layout::Digest,
        /// H(user secret, K_epoch, slot): the same slot in the same epoch gives the same
        /// nullifier, so a verifier that remembers nullifiers of the epoch enforces the quota.
        pub nullifier: Digest => layout::Digest,
        /// Requests allowed per epoch.
        pub quota: u32 => layout::Small<TIER_BITS>,
    }
}

crate::statement! {
    /// `renew_blinded_token` (seed 000 §3.6): "a token for `package_id` in the tree with `root`
    /// is mine, it is renewed now (before its expiry or within the grace period), and it becomes
    /// the token with leaf `new_leaf`, expiring at `new_expires_at`, later than before". The
    /// nullifier is the same for every renewal of the same token, so the issuer renews each
    /// token once. Hides which token, the blinding factor and the customer.
    pub struct RenewalStatement => RenewalPublic {
        /// Root of the issuer's Merkle tree of active tokens.
        pub root: Digest => layout::Digest,
        /// The package of the old and the new token.
        pub package_id: Id => layout::Id,
        /// The issuer's clock (unix seconds).
        pub now: u64 => layout::U64,
        /// H(blinding factor, old token's leaf): the issuer refuses a nullifier it has seen.
        pub nullifier: Digest => layout::Digest,
        /// The new token's leaf: same package, same blinding commitment, the new expiry.
        pub new_leaf: Digest => layout::Digest,
        /// The new token's expiry (unix seconds).
        pub new_expires_at: u64 => layout::U64,
    }
}

crate::statement! {
    /// `aggregate_hourly` (seed 000 §4.3, §6.3): "the readings under `readings_commitment` are
    /// all of `package_id` (in its isolation `scope`) and of `blinded_customer_id`, all taken in
    /// the hour starting at `hour_start`, and their units add up to `total_units`". Hides the
    /// readings (their number, times and units).
    pub struct MeteringStatement => MeteringPublic {
        pub package_id: Id => layout::Id,
        /// The package's isolation scope, H(package_id) under the metering-scope domain.
        pub scope: Digest => layout::Digest,
        pub blinded_customer_id: Id => layout::Id,
        /// Unix seconds, a multiple of 3600.
        pub hour_start: u64 => layout::Small<TIMESTAMP_BITS>,
        pub total_units: u64 => layout::U64,
        /// The meter's commitment to the hour's readings of this package and customer.
        pub readings_commitment: Digest => layout::Digest,
    }
}

crate::statement! {
    /// `verify_metering_isolation` (seed 000 §4.2): "`package_a` and `package_b` differ, each
    /// scope derives from its package, and every reading under `commitment_a` carries A's scope,
    /// every reading under `commitment_b` B's". Hides the readings and the customers.
    pub struct IsolationStatement => IsolationPublic {
        pub package_a: Id => layout::Id,
        pub package_b: Id => layout::Id,
        pub scope_a: Digest => layout::Digest,
        pub scope_b: Digest => layout::Digest,
        /// A readings commitment of package A (the `readings_commitment` of its hourly proof).
        pub commitment_a: Digest => layout::Digest,
        pub commitment_b: Digest => layout::Digest,
    }
}

crate::statement! {
    /// `generate_revenue_proof` (seed 000 §7.1, §7.4): "publisher `publisher_id` earned
    /// `aggregate_revenue_micros` from `transaction_count` transactions in [period_start,
    /// period_end)", where the transactions are all those of the publisher's
    /// `transactions_commitment` that fall in the period. Hides every transaction (amount, time,
    /// package, customer) and how many fall outside the period.
    pub struct RevenueStatement => RevenuePublic {
        pub publisher_id: Id => layout::Id,
        /// Unix seconds, inclusive.
        pub period_start: u64 => layout::U64,
        /// Unix seconds, exclusive.
        pub period_end: u64 => layout::U64,
        pub aggregate_revenue_micros: u64 => layout::U64,
        pub transaction_count: u64 => layout::Small<COUNT_BITS>,
        /// The settlement module's commitment to the publisher's transactions.
        pub transactions_commitment: Digest => layout::Digest,
    }
}

crate::statement! {
    /// A flow-budget charge (seed 001 §3): "the sender of a budget (context `ctx`, a hidden
    /// peer, `epoch`) whose state was `old_state` charged a hidden cost, staying within
    /// `limit`; the budget is now `new_state`, and the charge's receipt is `receipt`, chained
    /// to `prev_receipt`; the receipt's sender is the identity derived for `ctx` from a
    /// registered account". Hides spent, the cost, both identities, the account and nonce.
    pub struct FlowBudgetStatement => FlowBudgetPublic {
        /// Root of the registry of account commitments H(account secret).
        pub root: Digest => layout::Digest,
        /// The application the context identities are derived for (DKD's app_id).
        pub app_id: Id => layout::Id,
        /// The context (DKD's context label; the receipt's ctx).
        pub ctx: Id => layout::Id,
        /// The verifier's current epoch of the context.
        pub epoch: u64 => layout::U64,
        /// The budget's limit for this (context, peer), computed by the verifier (001 §3.2).
        pub limit: u64 => layout::U64,
        /// The budget's state before the charge (blinded commitment).
        pub old_state: Digest => layout::Digest,
        /// The budget's state after the charge (blinded commitment).
        pub new_state: Digest => layout::Digest,
        /// The previous receipt of (ctx, epoch), or the epoch's anchor H(ctx, epoch).
        pub prev_receipt: Digest => layout::Digest,
        /// H(ctx, src, dst, epoch, cost, nonce, prev_receipt): this charge's receipt.
        pub receipt: Digest => layout::Digest,
    }
}

/// Bits of the tier statement's small values (min_tier, quota): they are u32s.
pub const TIER_BITS: u32 = 32;
/// Bits of a metering timestamp (hour_start): timestamps are below 2^62.
pub const TIMESTAMP_BITS: u32 = 62;
/// Bits of a transaction count.
pub const COUNT_BITS: u32 = 32;
/// Bits of a basis-point share (at most 10,000 < 2^14).
pub const BPS_BITS: u32 = 14;

/// Largest number of tranches a waterfall's rules may have (fixed by the circuit version).
pub const WATERFALL_MAX_TRANCHES: usize = 4;
/// Largest number of residual-split recipients a waterfall's rules may have.
pub const WATERFALL_MAX_SHARES: usize = 8;
/// Basis points in a whole.
pub const BPS_WHOLE: u32 = 10_000;

crate::statement! {
    /// A waterfall tranche: takes min(remaining, cap) for its recipient, or everything that
    /// remains when it has no cap.
    #[derive(Default)]
    pub struct Tranche => TranchePublic {
        pub recipient: Id => layout::Id,
        pub cap_micros: Option<u64> => layout::OptionalU64,
    }
}

crate::statement! {
    /// A line of the residual split: `bps` basis points of what the tranches leave, rounded down.
    #[derive(Default)]
    pub struct Share => SharePublic {
        pub recipient: Id => layout::Id,
        pub bps: u32 => layout::Small<BPS_BITS>,
    }
}

crate::statement! {
    check = WaterfallStatement::check_shape, "waterfall statement";
    /// `generate_waterfall_proof` (seed 000 §7.3): "solution `solution_id` took
    /// `total_revenue_micros` in the period from the payments under `payments_commitment`, and
    /// the public rules split it into exactly these payouts". The rules: the tranches in order,
    /// then the shares of the residual (basis points summing to 10,000, floor division), the
    /// rounding remainder to share line `remainder_to`. Payouts are listed per rule line; a
    /// recipient named on several lines is paid the sum of its lines. Hides every payment and
    /// customer.
    pub struct WaterfallStatement => WaterfallPublic {
        pub solution_id: Id => layout::Id,
        pub period_start: u64 => layout::U64,
        pub period_end: u64 => layout::U64,
        pub total_revenue_micros: u64 => layout::U64,
        /// At most [`WATERFALL_MAX_TRANCHES`].
        pub tranches: Vec<Tranche> => layout::Slots<layout::Record, WATERFALL_MAX_TRANCHES>,
        /// One to [`WATERFALL_MAX_SHARES`] lines.
        pub shares: Vec<Share> => layout::Slots<layout::Record, WATERFALL_MAX_SHARES>,
        /// Index in `shares` of the line that also takes the rounding remainder.
        pub remainder_to: u32 => layout::OneHot<WATERFALL_MAX_SHARES>,
        /// One per tranche.
        pub tranche_payouts: Vec<u64> => layout::Padded<layout::U64, WATERFALL_MAX_TRANCHES>,
        /// One per share line, the remainder included in line `remainder_to`.
        pub share_payouts: Vec<u64> => layout::Padded<layout::U64, WATERFALL_MAX_SHARES>,
        /// The settlement module's commitment to the solution's payments of the period.
        pub payments_commitment: Digest => layout::Digest,
    }
}

impl WaterfallStatement {
    /// Checks the shape the circuit can encode: list lengths within the bounds, one payout
    /// per line, the remainder line among the shares.
    pub fn check_shape(&self) -> Result<(), String> {
        if self.tranches.len() > WATERFALL_MAX_TRANCHES {
            return Err(format!(
                "{} tranches, at most {WATERFALL_MAX_TRANCHES}",
                self.tranches.len()
            ));
        }
        if self.shares.is_empty() || self.shares.len() > WATERFALL_MAX_SHARES {
            return Err(format!(
                "{} share lines, between 1 and {WATERFALL_MAX_SHARES}",
                self.shares.len()
            ));
        }
        if self.tranche_payouts.len() != self.tranches.len() {
            return Err(format!(
                "{} tranche payouts for {} tranches",
                self.tranche_payouts.len(),
                self.tranches.len()
            ));
        }
        if self.share_payouts.len() != self.shares.len() {
            return Err(format!(
                "{} share payouts for {} share lines",
                self.share_payouts.len(),
                self.shares.len()
            ));
        }
        if self.remainder_to as usize >= self.shares.len() {
            return Err(format!(
                "remainder_to is line {}, there are {} share lines",
                self.remainder_to,
                self.shares.len()
            ));
        }
        Ok(())
    }

    /// The total paid to each recipient, in order of first appearance in the rules.
    pub fn payout_by_recipient(&self) -> Vec<(Id, u128)> {
        let mut out: Vec<(Id, u128)> = Vec::new();
        let lines = self
            .tranches
            .iter()
            .map(|t| t.recipient)
            .zip(self.tranche_payouts.iter())
            .chain(
                self.shares
                    .iter()
                    .map(|s| s.recipient)
                    .zip(self.share_payouts.iter()),
            );
        for (r, p) in lines {
            match out.iter_mut().find(|(id, _)| *id == r) {
                Some((_, sum)) => *sum += u128::from(*p),
                None => out.push((r, u128::from(*p))),
            }
        }
        out
    }
}

impl ShowItem for Tranche {
    fn show_item(&self) -> String {
        match self.cap_micros {
            Some(c) => format!("{} cap {c}", self.recipient),
            None => format!("{} no cap", self.recipient),
        }
    }
}

impl ShowItem for Share {
    fn show_item(&self) -> String {
        format!("{} {} bps", self.recipient, self.bps)
    }
}

/// Reads a declared statement from JSON (missing or extra fields refused) and checks its
/// shape; `Statement::from_json` (made by [`crate::list`]) calls it per kind.
pub(crate) fn read_declared<T: Declared + serde::de::DeserializeOwned>(
    name: &str,
    value: &serde_json::Value,
) -> Result<T, crate::error::VerifyError> {
    let bad =
        |e: String| crate::error::VerifyError::Format(format!("statement of a {name} proof: {e}"));
    let s: T = serde_json::from_value(value.clone()).map_err(|e| bad(e.to_string()))?;
    s.check_shape().map_err(bad)?;
    Ok(s)
}

// ---- receipt (issue 16 §3, seed 003): begin
crate::statement! {
    /// Confidential receipts (seed 003, "ZK proofs for privacy-preserving receipts"): "the
    /// receipts whose public amount commitments make `receipts_commitment` are exactly the
    /// transactions of the publisher's `transactions_commitment` (the revenue chain), each
    /// receipt's commitment holds its transaction's amount, and the receipts inside
    /// [period_start, period_end) add up to `aggregate_revenue_micros` over `transaction_count`
    /// transactions". The first six fields are a revenue statement's, so a verified revenue
    /// proof and a verified receipt proof with equal fields speak of the same total. Hides
    /// every amount, blinding, time and transaction digest.
    pub struct ReceiptStatement => ReceiptPublic {
        pub publisher_id: Id => layout::Id,
        /// Unix seconds, inclusive.
        pub period_start: u64 => layout::U64,
        /// Unix seconds, exclusive.
        pub period_end: u64 => layout::U64,
        pub aggregate_revenue_micros: u64 => layout::U64,
        pub transaction_count: u64 => layout::Small<COUNT_BITS>,
        /// The settlement module's commitment to the publisher's transactions (revenue's).
        pub transactions_commitment: Digest => layout::Digest,
        /// The chain over the receipts' public amount commitments, in the revenue chain's
        /// order: r_0 = H_ReceiptList(publisher_id, count), r_{i+1} = H_ReceiptStep(r_i, C_i).
        pub receipts_commitment: Digest => layout::Digest,
    }
}
// ---- receipt: end

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::Bytes32;
    use crate::encoding::bls12_381::public_inputs;

    fn waterfall() -> WaterfallStatement {
        use crate::statement::{Share, Tranche};
        WaterfallStatement {
            solution_id: Bytes32::from_u64(1),
            period_start: 10,
            period_end: 20,
            total_revenue_micros: 100,
            tranches: vec![Tranche {
                recipient: Bytes32::from_u64(2),
                cap_micros: Some(0),
            }],
            shares: vec![Share {
                recipient: Bytes32::from_u64(3),
                bps: 10_000,
            }],
            remainder_to: 0,
            tranche_payouts: vec![0],
            share_payouts: vec![100],
            payments_commitment: Bytes32::from_u64(4),
        }
    }

    #[test]
    fn waterfall_rules_take_fixed_slots_and_encode_injectively() {
        let s = waterfall();
        let inputs = public_inputs(&Statement::Waterfall(s.clone())).unwrap();
        let slots = 6 * WATERFALL_MAX_TRANCHES + 6 * WATERFALL_MAX_SHARES + 1;
        assert_eq!(inputs.len(), 5 + slots);
        // A cap of 0 and no cap differ; so do one tranche and one plus an empty one.
        let mut uncapped = s.clone();
        uncapped.tranches[0].cap_micros = None;
        assert_ne!(
            public_inputs(&Statement::Waterfall(uncapped)).unwrap(),
            inputs
        );
        let mut none = s.clone();
        none.tranches.clear();
        none.tranche_payouts.clear();
        assert_ne!(public_inputs(&Statement::Waterfall(none)).unwrap(), inputs);
        // Shapes the circuit cannot take are refused.
        let mut bad = s.clone();
        bad.remainder_to = 1;
        assert!(public_inputs(&Statement::Waterfall(bad)).is_err());
        let mut bad = s.clone();
        bad.share_payouts.push(0);
        assert!(public_inputs(&Statement::Waterfall(bad)).is_err());
        let mut bad = s;
        bad.tranches = vec![bad.tranches[0].clone(); WATERFALL_MAX_TRANCHES + 1];
        bad.tranche_payouts = vec![0; WATERFALL_MAX_TRANCHES + 1];
        assert!(public_inputs(&Statement::Waterfall(bad)).is_err());
    }

    #[test]
    fn waterfall_statement_json_round_trips() {
        let s = Statement::Waterfall(waterfall());
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            Statement::from_json(crate::CircuitKind::Waterfall, &v).unwrap(),
            s
        );
        let mut extra = v.clone();
        extra["tranches"][0]["bonus"] = 1.into();
        assert!(Statement::from_json(crate::CircuitKind::Waterfall, &extra).is_err());
        let mut short = v;
        short["share_payouts"] = serde_json::json!([]);
        assert!(Statement::from_json(crate::CircuitKind::Waterfall, &short).is_err());
    }
}
