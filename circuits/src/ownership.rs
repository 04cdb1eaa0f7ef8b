//! `prove_token_ownership` (seed 000 §3.5, §7.2), made unlinkable.
//!
//! A token is a leaf H_TokenLeaf(package_id, blinding_commitment, expires_at, token_id) of
//! the issuer's tree of active tokens, with blinding_commitment = H_BlindingCommitment(bf).
//!
//! | reveals (public)                                   | hides (secret)                         |
//! |----------------------------------------------------|----------------------------------------|
//! | root of the active-token tree                      | which token (token_id, leaf position)  |
//! | package_id                                         | the blinding factor and its commitment |
//! | now, the verifier's challenge                      | expires_at (only that it is after now) |
//! | tag = H(bf, challenge): fresh per challenge        | the blinded customer id                |
//!
//! Two proofs of the same token under different challenges share nothing but the package
//! and the root.

use crate::api::{Api, HashInput};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher, NativeInput};
use crate::merkle::MerklePath;
use crate::token::{check_token, TokenVars};
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::OwnershipPublic;
use veil_verifier::{Bytes32, CircuitId, CircuitKind, Digest, Id, OwnershipStatement, Statement};

/// The token's fields as the issuer committed them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    pub token_id: Id,
    /// H_BlindingCommitment(blinding factor), stored in the token.
    pub blinding_commitment: Digest,
    pub expires_at: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnershipWitness {
    /// The public values the proof will claim.
    pub statement: OwnershipStatement,
    /// The customer's secret blinding factor (never leaves the device).
    pub blinding_factor: Digest,
    pub token: Token,
    pub path: MerklePath,
}

/// The leaf a token occupies in the issuer's tree.
pub fn token_leaf<H: NativeHasher>(
    package_id: &Id,
    token: &Token,
) -> Result<Bytes32, CircuitError> {
    H::hash(
        Domain::TokenLeaf,
        &[
            NativeInput::Id(*package_id),
            NativeInput::Digest(token.blinding_commitment),
            NativeInput::U64(token.expires_at),
            NativeInput::Id(token.token_id),
        ],
    )
}

pub fn blinding_commitment<H: NativeHasher>(bf: &Digest) -> Result<Digest, CircuitError> {
    H::hash(Domain::BlindingCommitment, &[NativeInput::Digest(*bf)])
}

pub fn tag<H: NativeHasher>(bf: &Digest, challenge: &Id) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::OwnershipTag,
        &[NativeInput::Digest(*bf), NativeInput::Id(*challenge)],
    )
}

/// The ownership circuit over a tree of 2^depth leaves.
#[derive(Clone, Copy, Debug)]
pub struct Ownership {
    pub id: CircuitId,
}

impl Ownership {
    pub fn new(depth: u32) -> Result<Self, String> {
        Ok(Ownership {
            id: CircuitId::new(CircuitKind::Ownership, depth)?,
        })
    }
}

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

impl Circuit for Ownership {
    type Witness = OwnershipWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &OwnershipWitness) -> Statement {
        Statement::Ownership(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &OwnershipWitness) -> Result<(), Violation> {
        let s = &w.statement;
        check_token::<H>(
            self.id.levels(),
            &s.package_id,
            &s.root,
            &w.blinding_factor,
            &w.token,
            &w.path,
            &[("root", &s.root), ("tag", &s.tag)],
        )?;
        if s.now >= w.token.expires_at {
            return Err(Violation::new(
                Rule::Expiry,
                format!(
                    "the token expired at {} (now is {})",
                    w.token.expires_at, s.now
                ),
            ));
        }
        if tag::<H>(&w.blinding_factor, &s.challenge).map_err(malformed)? != s.tag {
            return Err(Violation::new(
                Rule::Tag,
                "tag != H(blinding factor, challenge)",
            ));
        }
        Ok(())
    }

    fn define<A: Api>(
        &self,
        api: &mut A,
        w: Option<&OwnershipWitness>,
    ) -> Result<(), CircuitError> {
        let s = w.map(|w| &w.statement);
        let OwnershipPublic {
            root,
            package_id,
            now,
            challenge,
            tag: tag_pub,
        } = api.public_statement(s)?;

        let token = TokenVars::alloc(
            api,
            self.id.levels(),
            w.map(|w| (&w.blinding_factor, &w.token, &w.path)),
        )?;
        // Knowledge of the blinding factor; membership.
        token.open(api, &package_id, &root)?;
        api.begin_rule(Rule::Expiry);
        api.u64_assert_less_than(&now, &token.expires_at)?;
        api.begin_rule(Rule::Tag);
        let t = api.hash(
            Domain::OwnershipTag,
            &[
                HashInput::Digest(&token.blinding_factor),
                HashInput::Id(&challenge),
            ],
        )?;
        api.digest_assert_equal(&t, &tag_pub)
    }
}

impl crate::Listed for Ownership {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description:
            "I hold an active, unexpired token for this package (without saying which one)",
        statement: &[
            crate::doc::field("root", "root of the issuer's Merkle tree of active tokens"),
            crate::doc::field("package_id", "the package the token grants access to"),
            crate::doc::field("now", "the verifier's clock, unix seconds"),
            crate::doc::field(
                "challenge",
                "a fresh verifier challenge, so the proof cannot be replayed",
            ),
            crate::doc::field(
                "tag",
                "H(blinding factor, challenge): binds the proof to the challenge",
            ),
        ],
        rules: &[
            crate::doc::WELL_FORMED,
            crate::doc::rule(
                crate::Rule::BlindingFactor,
                "the prover opens the token's blinding commitment",
            ),
            crate::doc::MEMBERSHIP_TOKEN,
            crate::doc::rule(crate::Rule::Expiry, "now < the token's expiry"),
            crate::doc::rule(crate::Rule::Tag, "tag = H(blinding factor, challenge)"),
        ],
        hides: "which token (its id and position), the blinding factor, the expiry date",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        Ownership::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<OwnershipWitness, CircuitError> {
        crate::sample::ownership_witness::<H>(size, seed)
    }
}
