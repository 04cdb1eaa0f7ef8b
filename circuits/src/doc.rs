//! What a circuit says about itself (`veil circuits` prints it): one [`CircuitDoc`] per circuit,
//! next to its `define`, as [`Listed::DOC`](crate::Listed::DOC). Nothing outside the circuit's
//! module describes it.

use crate::Rule;

/// A named thing with a one-line description (a statement field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub description: &'static str,
}

/// A rule the circuit enforces, named by [`Rule`] (as the native check names it), with what it
/// means for this circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    pub rule: Rule,
    pub description: &'static str,
}

/// What a circuit proves, reveals and hides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CircuitDoc {
    /// The claim a proof makes, in the prover's words.
    pub description: &'static str,
    /// The public values a proof reveals, in the order of the statement's declaration.
    pub statement: &'static [Field],
    /// The rules the circuit enforces.
    pub rules: &'static [RuleDoc],
    /// What stays hidden.
    pub hides: &'static str,
}

/// A statement field's documentation.
pub const fn field(name: &'static str, description: &'static str) -> Field {
    Field { name, description }
}

/// A rule's documentation.
pub const fn rule(rule: Rule, description: &'static str) -> RuleDoc {
    RuleDoc { rule, description }
}

// Rules several circuits share, worded once.

/// A tree circuit's witness fits the tree.
pub const WELL_FORMED: RuleDoc = rule(
    Rule::WellFormed,
    "the Merkle path fits the tree and every digest is a canonical field element",
);

/// A batch circuit's witness fits its slots.
pub const WELL_FORMED_BATCH: RuleDoc = rule(
    Rule::WellFormed,
    "the items fit the circuit's slots, every digest is a canonical field element, timestamps are in range",
);

/// A batch's commitment opens to its items.
pub const COMMITMENT: RuleDoc = rule(
    Rule::Commitment,
    "the public commitment is the hash chain of exactly these items, in order, and their number",
);

/// Padded slots carry nothing.
pub const PADDING: RuleDoc = rule(
    Rule::Padding,
    "slots after the real items are empty: padding carries no value, count or reading",
);

/// 64-bit sums are exact.
pub const NO_OVERFLOW: RuleDoc = rule(Rule::Overflow, "the sum fits in 64 bits: nothing wraps");

/// A token's leaf is in the issuer's tree (ownership, renewal).
pub const MEMBERSHIP_TOKEN: RuleDoc = rule(
    Rule::Membership,
    "the token's leaf (package, blinding commitment, expiry, token id) is in the tree with the public root",
);
