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
use crate::merkle::{alloc_path, merkle_root, root_from_path, MerklePath};
use crate::Circuit;
use serde::{Deserialize, Serialize};
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
        w.path.check_shape(self.id.levels()).map_err(malformed)?;
        for (name, d) in [
            ("root", &s.root),
            ("tag", &s.tag),
            ("blinding_factor", &w.blinding_factor),
            ("token.blinding_commitment", &w.token.blinding_commitment),
        ] {
            if !H::is_canonical(d) {
                return Err(malformed(format!(
                    "{name} is not a canonical field element"
                )));
            }
        }
        if blinding_commitment::<H>(&w.blinding_factor).map_err(malformed)?
            != w.token.blinding_commitment
        {
            return Err(Violation::new(
                Rule::BlindingFactor,
                "the blinding factor does not open the token's blinding commitment",
            ));
        }
        let leaf = token_leaf::<H>(&s.package_id, &w.token).map_err(malformed)?;
        if root_from_path::<H>(leaf, &w.path).map_err(malformed)? != s.root {
            return Err(Violation::new(
                Rule::Membership,
                "the token (for this package) is not in the tree with the stated root",
            ));
        }
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
        // Public inputs, in the order of veil_verifier::encoding.
        let root = api.public_digest("root", s.map(|s| s.root))?;
        let package_id = api.public_id("package_id", s.map(|s| s.package_id))?;
        let now = api.public_u64("now", s.map(|s| s.now))?;
        let challenge = api.public_id("challenge", s.map(|s| s.challenge))?;
        let tag_pub = api.public_digest("tag", s.map(|s| s.tag))?;

        let bf = api.secret_digest("blinding_factor", w.map(|w| w.blinding_factor))?;
        let commitment = api.secret_digest(
            "token.blinding_commitment",
            w.map(|w| w.token.blinding_commitment),
        )?;
        let expires_at = api.secret_u64("token.expires_at", w.map(|w| w.token.expires_at))?;
        let token_id = api.secret_id("token.token_id", w.map(|w| w.token.token_id))?;
        let path = alloc_path(api, self.id.levels(), w.map(|w| &w.path))?;

        // Knowledge of the blinding factor.
        let opened = api.hash(Domain::BlindingCommitment, &[HashInput::Digest(&bf)])?;
        api.digest_assert_equal(&opened, &commitment)?;
        // Membership.
        let leaf = api.hash(
            Domain::TokenLeaf,
            &[
                HashInput::Id(&package_id),
                HashInput::Digest(&commitment),
                HashInput::U64(&expires_at),
                HashInput::Id(&token_id),
            ],
        )?;
        let computed_root = merkle_root(api, &leaf, &path)?;
        api.digest_assert_equal(&computed_root, &root)?;
        // Expiry.
        api.u64_assert_less_than(&now, &expires_at)?;
        // Tag.
        let t = api.hash(
            Domain::OwnershipTag,
            &[HashInput::Digest(&bf), HashInput::Id(&challenge)],
        )?;
        api.digest_assert_equal(&t, &tag_pub)
    }
}
