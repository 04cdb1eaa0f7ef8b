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
    /// The witness has the wrong shape or out-of-range values.
    WellFormed,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Rule::Membership => "membership",
            Rule::BlindingFactor => "knowledge of the blinding factor",
            Rule::Expiry => "expiry",
            Rule::Tag => "tag",
            Rule::TierMinimum => "tier minimum",
            Rule::Quota => "quota",
            Rule::Nullifier => "nullifier",
            Rule::RequestBinding => "request binding",
            Rule::WellFormed => "well-formed witness",
        };
        f.write_str(s)
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
