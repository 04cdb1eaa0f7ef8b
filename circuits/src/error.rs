use std::fmt;

/// Errors while building a circuit (not rule violations: see [`Violation`]).
#[derive(Debug, thiserror::Error)]
pub enum CircuitError {
    #[error("constraint system error: {0}")]
    Backend(String),
    #[error("invalid witness value for {name}: {detail}")]
    InvalidValue { name: String, detail: String },
    #[error("witness does not fit the circuit: {0}")]
    Shape(String),
}

/// The rules veil's circuits enforce; every one has a test that breaks only it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The leaf (token or tier commitment) is in the tree with the public root.
    Membership,
    /// The prover knows the blinding factor the token commits to.
    BlindingFactor,
    /// The token has not expired: now < expires_at.
    Expiry,
    /// tag = H(blinding factor, challenge).
    Tag,
    /// The hidden tier is at least the public minimum.
    TierMinimum,
    /// slot < quota.
    Quota,
    /// nullifier = H(user secret, epoch beacon, slot).
    Nullifier,
    /// request binding = H(request nonce, ephemeral public key).
    RequestBinding,
    /// The public commitment opens to exactly the witness's items (readings, transactions,
    /// payments), in order, and their number.
    Commitment,
    /// Slots after the real items are empty: padding carries no value, count or reading.
    Padding,
    /// Sums of 64-bit amounts fit in 64 bits: nothing wraps.
    Overflow,
    /// The public total is exactly the sum of the counted items.
    Total,
    /// The public count is the number of counted items.
    Count,
    /// Revenue: every transaction inside the period is counted and none outside it.
    PeriodCoverage,
    /// Renewal: the new token's leaf keeps the package and the blinding commitment.
    NewLeaf,
    /// Renewal: the new expiry is later than the old one.
    LaterExpiry,
    /// Renewal: now is before the old expiry plus the grace period.
    RenewalWindow,
    /// Renewal: the new token id differs from the old one (and is a canonical id).
    FreshTokenId,
    /// Metering: a scope is H(package id) under the metering-scope domain.
    Scope,
    /// Metering: every reading carries the key of the package's scope and the customer.
    ReadingScope,
    /// Metering: the hour starts at a multiple of 3600 seconds.
    HourAlignment,
    /// Metering: every reading was taken inside the hour.
    HourWindow,
    /// Isolation: the two packages differ.
    DistinctPackages,
    /// Waterfall: the rules are well formed (basis points sum to 10,000).
    WaterfallRules,
    /// Waterfall: each tranche takes min(remaining, cap), in order.
    Tranches,
    /// Waterfall: the residual is split exactly, by floor division, with the remainder to the
    /// named line.
    ResidualSplit,
    /// Waterfall: the payouts add up to the total (nothing created or lost).
    Conservation,
    // ---- flow budgets (seed 001 §3, `flow-budget`) ----
    /// Flow budget: the receipt's sender is the identity derived for this context from the
    /// sender's account secret (DKD, 001 §11.1).
    ContextIdentity,
    /// Flow budget: the old state is of this epoch or an earlier one (a later epoch resets).
    EpochTransition,
    /// Flow budget: new spent = old spent (0 at a new epoch) + cost, exactly.
    BudgetArithmetic,
    /// Flow budget: new spent <= limit (`InvariantFlowBudgetNonNegative`).
    BudgetLimit,
    /// Flow budget: within an epoch the receipt chains to the previous receipt.
    ReceiptChain,
    /// Flow budget: the first receipt of an epoch chains to the epoch's anchor, never to a
    /// receipt of another epoch (`InvariantCrossEpochReplayPrevention`).
    CrossEpochReplay,
    /// Flow budget: the public receipt hash is H(ctx, src, dst, epoch, cost, nonce, prev).
    ReceiptHash,
    /// Flow budget: the new state commits to the same account and peer, the new spent, this
    /// epoch and this receipt.
    NewState,
    /// The witness has the wrong shape or out-of-range values.
    WellFormed,
}

impl Rule {
    pub const ALL: [Rule; 36] = [
        Rule::Membership,
        Rule::BlindingFactor,
        Rule::Expiry,
        Rule::Tag,
        Rule::TierMinimum,
        Rule::Quota,
        Rule::Nullifier,
        Rule::RequestBinding,
        Rule::Commitment,
        Rule::Padding,
        Rule::Overflow,
        Rule::Total,
        Rule::Count,
        Rule::PeriodCoverage,
        Rule::NewLeaf,
        Rule::LaterExpiry,
        Rule::RenewalWindow,
        Rule::FreshTokenId,
        Rule::Scope,
        Rule::ReadingScope,
        Rule::HourAlignment,
        Rule::HourWindow,
        Rule::DistinctPackages,
        Rule::WaterfallRules,
        Rule::Tranches,
        Rule::ResidualSplit,
        Rule::Conservation,
        Rule::ContextIdentity,
        Rule::EpochTransition,
        Rule::BudgetArithmetic,
        Rule::BudgetLimit,
        Rule::ReceiptChain,
        Rule::CrossEpochReplay,
        Rule::ReceiptHash,
        Rule::NewState,
        Rule::WellFormed,
    ];
}

impl Rule {
    /// The rule's name, as `veil check` and `veil circuits` say it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Membership => "membership",
            Rule::BlindingFactor => "knowledge of the blinding factor",
            Rule::Expiry => "expiry",
            Rule::Tag => "tag",
            Rule::TierMinimum => "tier minimum",
            Rule::Quota => "quota",
            Rule::Nullifier => "nullifier",
            Rule::RequestBinding => "request binding",
            Rule::Commitment => "commitment",
            Rule::Padding => "padding",
            Rule::Overflow => "no overflow",
            Rule::Total => "total",
            Rule::Count => "count",
            Rule::PeriodCoverage => "period coverage",
            Rule::NewLeaf => "new leaf",
            Rule::LaterExpiry => "later expiry",
            Rule::RenewalWindow => "renewal window",
            Rule::FreshTokenId => "fresh token id",
            Rule::Scope => "scope",
            Rule::ReadingScope => "reading scope",
            Rule::HourAlignment => "hour alignment",
            Rule::HourWindow => "hour window",
            Rule::DistinctPackages => "distinct packages",
            Rule::WaterfallRules => "rules",
            Rule::Tranches => "tranches",
            Rule::ResidualSplit => "residual split",
            Rule::Conservation => "conservation",
            Rule::ContextIdentity => "context identity",
            Rule::EpochTransition => "epoch transition",
            Rule::BudgetArithmetic => "charge arithmetic",
            Rule::BudgetLimit => "budget limit",
            Rule::ReceiptChain => "receipt chain",
            Rule::CrossEpochReplay => "cross-epoch replay",
            Rule::ReceiptHash => "receipt hash",
            Rule::NewState => "new state",
            Rule::WellFormed => "well-formed witness",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why the native check refused a witness, in words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("witness refused ({rule}): {detail}")]
pub struct Violation {
    pub rule: Rule,
    pub detail: String,
}

impl Violation {
    pub fn new(rule: Rule, detail: impl Into<String>) -> Self {
        Violation {
            rule,
            detail: detail.into(),
        }
    }
}
