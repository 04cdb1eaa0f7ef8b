//! The public statement of each circuit: the named values a proof speaks about.
//!
//! The order of the fields in [`crate::encoding`] is the order in which each circuit's
//! `define` allocates its public inputs.

use crate::bytes::{Digest, Id};
use crate::circuit::CircuitKind;
use crate::error::VerifyError;
use serde::{Deserialize, Serialize};

/// `prove_token_ownership`: "I hold an active token for `package_id` in the tree with `root`,
/// and I answer `challenge` with `tag`". Hides which token, its blinding factor and the
/// customer; reveals the package, the time and the challenge-bound tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnershipStatement {
    /// Root of the issuer's Merkle tree of active tokens.
    pub root: Digest,
    /// The package the token grants access to.
    pub package_id: Id,
    /// The verifier's clock (unix seconds); the token must expire strictly after it.
    pub now: u64,
    /// A fresh verifier challenge, so that a proof cannot be replayed elsewhere.
    pub challenge: Id,
    /// H(blinding factor, challenge): binds the proof to the challenge and the token owner
    /// without identifying either across challenges.
    pub tag: Digest,
}

/// The ZK tier proof (seed 002 §7): "I hold a tier commitment in the approved set with
/// `root`, of tier at least `min_tier`, and this is my request number `slot < quota` of
/// the epoch". Hides the exact tier, the commitment, the user and the slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierStatement {
    /// Root of the approved tier set's Merkle tree of tier commitments.
    pub root: Digest,
    /// The lowest tier the verifier accepts.
    pub min_tier: u32,
    /// The epoch beacon K_epoch.
    pub epoch_beacon: Digest,
    /// H(request nonce, ephemeral public key): ties the proof to one request.
    pub request_binding: Digest,
    /// H(user secret, K_epoch, slot): the same slot in the same epoch gives the same
    /// nullifier, so a verifier that remembers nullifiers of the epoch enforces the quota.
    pub nullifier: Digest,
    /// Requests allowed per epoch.
    pub quota: u32,
}

/// `renew_blinded_token` (seed 000 §3.6): "a token for `package_id` in the tree with `root`
/// is mine, it is renewed now (before its expiry or within the grace period), and it becomes
/// the token with leaf `new_leaf`, expiring at `new_expires_at`, later than before". The
/// nullifier is the same for every renewal of the same token, so the issuer renews each
/// token once. Hides which token, the blinding factor and the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalStatement {
    /// Root of the issuer's Merkle tree of active tokens.
    pub root: Digest,
    /// The package of the old and the new token.
    pub package_id: Id,
    /// The issuer's clock (unix seconds).
    pub now: u64,
    /// H(blinding factor, old token's leaf): the issuer refuses a nullifier it has seen.
    pub nullifier: Digest,
    /// The new token's leaf: same package, same blinding commitment, the new expiry.
    pub new_leaf: Digest,
    /// The new token's expiry (unix seconds).
    pub new_expires_at: u64,
}

/// `aggregate_hourly` (seed 000 §4.3, §6.3): "the readings under `readings_commitment` are
/// all of `package_id` (in its isolation `scope`) and of `blinded_customer_id`, all taken in
/// the hour starting at `hour_start`, and their units add up to `total_units`". Hides the
/// readings (their number, times and units).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeteringStatement {
    pub package_id: Id,
    /// The package's isolation scope, H(package_id) under the metering-scope domain.
    pub scope: Digest,
    pub blinded_customer_id: Id,
    /// Unix seconds, a multiple of 3600.
    pub hour_start: u64,
    pub total_units: u64,
    /// The meter's commitment to the hour's readings of this package and customer.
    pub readings_commitment: Digest,
}

/// `verify_metering_isolation` (seed 000 §4.2): "`package_a` and `package_b` differ, each
/// scope derives from its package, and every reading under `commitment_a` carries A's scope,
/// every reading under `commitment_b` B's". Hides the readings and the customers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationStatement {
    pub package_a: Id,
    pub package_b: Id,
    pub scope_a: Digest,
    pub scope_b: Digest,
    /// A readings commitment of package A (the `readings_commitment` of its hourly proof).
    pub commitment_a: Digest,
    pub commitment_b: Digest,
}

/// `generate_revenue_proof` (seed 000 §7.1, §7.4): "publisher `publisher_id` earned
/// `aggregate_revenue_micros` from `transaction_count` transactions in [period_start,
/// period_end)", where the transactions are all those of the publisher's
/// `transactions_commitment` that fall in the period. Hides every transaction (amount, time,
/// package, customer) and how many fall outside the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevenueStatement {
    pub publisher_id: Id,
    /// Unix seconds, inclusive.
    pub period_start: u64,
    /// Unix seconds, exclusive.
    pub period_end: u64,
    pub aggregate_revenue_micros: u64,
    pub transaction_count: u64,
    /// The settlement module's commitment to the publisher's transactions.
    pub transactions_commitment: Digest,
}

/// Largest number of tranches a waterfall's rules may have (fixed by the circuit version).
pub const WATERFALL_MAX_TRANCHES: usize = 4;
/// Largest number of residual-split recipients a waterfall's rules may have.
pub const WATERFALL_MAX_SHARES: usize = 8;
/// Basis points in a whole.
pub const BPS_WHOLE: u32 = 10_000;

/// A waterfall tranche: takes min(remaining, cap) for its recipient, or everything that
/// remains when it has no cap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tranche {
    pub recipient: Id,
    pub cap_micros: Option<u64>,
}

/// A line of the residual split: `bps` basis points of what the tranches leave, rounded down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub recipient: Id,
    pub bps: u32,
}

/// `generate_waterfall_proof` (seed 000 §7.3): "solution `solution_id` took
/// `total_revenue_micros` in the period from the payments under `payments_commitment`, and
/// the public rules split it into exactly these payouts". The rules: the tranches in order,
/// then the shares of the residual (basis points summing to 10,000, floor division), the
/// rounding remainder to share line `remainder_to`. Payouts are listed per rule line; a
/// recipient named on several lines is paid the sum of its lines. Hides every payment and
/// customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaterfallStatement {
    pub solution_id: Id,
    pub period_start: u64,
    pub period_end: u64,
    pub total_revenue_micros: u64,
    /// At most [`WATERFALL_MAX_TRANCHES`].
    pub tranches: Vec<Tranche>,
    /// One to [`WATERFALL_MAX_SHARES`] lines.
    pub shares: Vec<Share>,
    /// Index in `shares` of the line that also takes the rounding remainder.
    pub remainder_to: u32,
    /// One per tranche.
    pub tranche_payouts: Vec<u64>,
    /// One per share line, the remainder included in line `remainder_to`.
    pub share_payouts: Vec<u64>,
    /// The settlement module's commitment to the solution's payments of the period.
    pub payments_commitment: Digest,
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

/// A statement of any circuit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Statement {
    Ownership(OwnershipStatement),
    Tier(TierStatement),
    Renewal(RenewalStatement),
    Metering(MeteringStatement),
    Isolation(IsolationStatement),
    Revenue(RevenueStatement),
    Waterfall(WaterfallStatement),
}

impl Statement {
    pub fn kind(&self) -> CircuitKind {
        match self {
            Statement::Ownership(_) => CircuitKind::Ownership,
            Statement::Tier(_) => CircuitKind::Tier,
            Statement::Renewal(_) => CircuitKind::Renewal,
            Statement::Metering(_) => CircuitKind::Metering,
            Statement::Isolation(_) => CircuitKind::Isolation,
            Statement::Revenue(_) => CircuitKind::Revenue,
            Statement::Waterfall(_) => CircuitKind::Waterfall,
        }
    }

    /// Reads the statement of a circuit of `kind` from JSON, refusing missing or extra fields.
    pub fn from_json(kind: CircuitKind, value: &serde_json::Value) -> Result<Self, VerifyError> {
        let bad = |e: serde_json::Error| {
            VerifyError::Format(format!("statement of a {} proof: {e}", kind.name()))
        };
        let v = value.clone();
        Ok(match kind {
            CircuitKind::Ownership => Statement::Ownership(serde_json::from_value(v).map_err(bad)?),
            CircuitKind::Tier => Statement::Tier(serde_json::from_value(v).map_err(bad)?),
            CircuitKind::Renewal => Statement::Renewal(serde_json::from_value(v).map_err(bad)?),
            CircuitKind::Metering => Statement::Metering(serde_json::from_value(v).map_err(bad)?),
            CircuitKind::Isolation => Statement::Isolation(serde_json::from_value(v).map_err(bad)?),
            CircuitKind::Revenue => Statement::Revenue(serde_json::from_value(v).map_err(bad)?),
            CircuitKind::Waterfall => {
                let s: WaterfallStatement = serde_json::from_value(v).map_err(bad)?;
                s.check_shape().map_err(|e| {
                    VerifyError::Format(format!("statement of a waterfall proof: {e}"))
                })?;
                Statement::Waterfall(s)
            }
        })
    }

    /// The statement as (name, value) pairs, for display.
    pub fn named_values(&self) -> Vec<(&'static str, String)> {
        match self {
            Statement::Ownership(s) => vec![
                ("root", s.root.to_hex()),
                ("package_id", s.package_id.to_hex()),
                ("now", s.now.to_string()),
                ("challenge", s.challenge.to_hex()),
                ("tag", s.tag.to_hex()),
            ],
            Statement::Tier(s) => vec![
                ("root", s.root.to_hex()),
                ("min_tier", s.min_tier.to_string()),
                ("epoch_beacon", s.epoch_beacon.to_hex()),
                ("request_binding", s.request_binding.to_hex()),
                ("nullifier", s.nullifier.to_hex()),
                ("quota", s.quota.to_string()),
            ],
            Statement::Renewal(s) => vec![
                ("root", s.root.to_hex()),
                ("package_id", s.package_id.to_hex()),
                ("now", s.now.to_string()),
                ("nullifier", s.nullifier.to_hex()),
                ("new_leaf", s.new_leaf.to_hex()),
                ("new_expires_at", s.new_expires_at.to_string()),
            ],
            Statement::Metering(s) => vec![
                ("package_id", s.package_id.to_hex()),
                ("scope", s.scope.to_hex()),
                ("blinded_customer_id", s.blinded_customer_id.to_hex()),
                ("hour_start", s.hour_start.to_string()),
                ("total_units", s.total_units.to_string()),
                ("readings_commitment", s.readings_commitment.to_hex()),
            ],
            Statement::Isolation(s) => vec![
                ("package_a", s.package_a.to_hex()),
                ("package_b", s.package_b.to_hex()),
                ("scope_a", s.scope_a.to_hex()),
                ("scope_b", s.scope_b.to_hex()),
                ("commitment_a", s.commitment_a.to_hex()),
                ("commitment_b", s.commitment_b.to_hex()),
            ],
            Statement::Revenue(s) => vec![
                ("publisher_id", s.publisher_id.to_hex()),
                ("period_start", s.period_start.to_string()),
                ("period_end", s.period_end.to_string()),
                (
                    "aggregate_revenue_micros",
                    s.aggregate_revenue_micros.to_string(),
                ),
                ("transaction_count", s.transaction_count.to_string()),
                (
                    "transactions_commitment",
                    s.transactions_commitment.to_hex(),
                ),
            ],
            Statement::Waterfall(s) => {
                let list = |items: Vec<String>| {
                    if items.is_empty() {
                        "(none)".to_string()
                    } else {
                        items.join("; ")
                    }
                };
                let u64s = |v: &[u64]| list(v.iter().map(u64::to_string).collect());
                vec![
                    ("solution_id", s.solution_id.to_hex()),
                    ("period_start", s.period_start.to_string()),
                    ("period_end", s.period_end.to_string()),
                    ("total_revenue_micros", s.total_revenue_micros.to_string()),
                    (
                        "tranches",
                        list(
                            s.tranches
                                .iter()
                                .map(|t| match t.cap_micros {
                                    Some(c) => format!("{} cap {c}", t.recipient),
                                    None => format!("{} no cap", t.recipient),
                                })
                                .collect(),
                        ),
                    ),
                    (
                        "shares",
                        list(
                            s.shares
                                .iter()
                                .map(|l| format!("{} {} bps", l.recipient, l.bps))
                                .collect(),
                        ),
                    ),
                    ("remainder_to", s.remainder_to.to_string()),
                    ("tranche_payouts", u64s(&s.tranche_payouts)),
                    ("share_payouts", u64s(&s.share_payouts)),
                    ("payments_commitment", s.payments_commitment.to_hex()),
                ]
            }
        }
    }
}
