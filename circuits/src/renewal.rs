//! `renew_blinded_token` (seed 000 §3.6): extend a token's expiry without re-identification.
//!
//! The old token is a leaf H_TokenLeaf(package_id, blinding_commitment, expires_at, token_id)
//! of the issuer's tree of active tokens (see [`crate::ownership`]). The renewed token keeps
//! the package and the blinding commitment (so the customer stays the same, unnamed) and gets
//! a later expiry and a fresh token id. The nullifier H_RenewalNullifier(bf, old leaf) is the
//! same every time the same token is renewed, so an issuer that stores nullifiers renews each
//! token once; it says nothing about which token it is.
//!
//! | reveals (public)                                  | hides (secret)                                 |
//! |---------------------------------------------------|------------------------------------------------|
//! | root of the active-token tree, package_id, now    | which token (id, position, old expiry)         |
//! | the renewal nullifier                             | the blinding factor and its commitment         |
//! | the new leaf and the new expiry                   | the new token id, the customer                 |
//!
//! Renewal is allowed before the old expiry or within [`GRACE_PERIOD_SECS`] after it:
//! now < expires_at + grace. The grace period is fixed at setup (it is part of the circuit's
//! rules and version).
//!
//! **Fresh token id** (version 2): the new token id must differ from the old one. In the
//! circuit the new id's limbs are range-checked ([`Api::id_assert_canonical`]: two 128-bit
//! limbs on R1CS, eight 32-bit limbs on Plonky2) and then `id_assert_not_equal(new, old)`
//! (R1CS: an is-zero gadget, an inverse witness, per limb). Without the range check a prover
//! could write the old id's integer with other limbs (hi - 1, lo + 2^128), which pass a
//! limb-wise inequality and yet name the same 32 bytes.
//!
//! **Secret ids and range checks.** The new token id is the only secret id the prover chooses
//! freely, so it is the only one range-checked. The old token id (like ownership's token id,
//! tier's request nonce and ephemeral key, and isolation's blinded customer ids) is only ever
//! hashed into a value that must equal one an honest party made from canonical bytes (a leaf
//! under the issuer's root, the verifier's request binding, the meter's reading key), so a
//! non-canonical limb pair there would be a second Poseidon preimage: no range check needed,
//! and none is paid for. With the old id canonical by that argument and the new one by its
//! range check, limbs differ exactly when the bytes do.

use crate::api::{Api, HashInput};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher, NativeInput};
use crate::merkle::MerklePath;
use crate::ownership::{token_leaf, Token};
use crate::token::{check_token, TokenVars};
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::RenewalPublic;
use veil_verifier::{CircuitId, CircuitKind, Digest, Id, RenewalStatement, Statement};

/// How long after its expiry a token may still be renewed: 7 days.
pub const GRACE_PERIOD_SECS: u64 = 7 * 86_400;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalWitness {
    pub statement: RenewalStatement,
    /// The customer's secret blinding factor.
    pub blinding_factor: Digest,
    /// The token being renewed, as the issuer committed it.
    pub token: Token,
    pub path: MerklePath,
    /// The renewed token's id (fresh, chosen with the issuer).
    pub new_token_id: Id,
}

/// The renewal nullifier of a token: H_RenewalNullifier(bf, the token's leaf).
pub fn renewal_nullifier<H: NativeHasher>(
    bf: &Digest,
    old_leaf: &Digest,
) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::RenewalNullifier,
        &[NativeInput::Digest(*bf), NativeInput::Digest(*old_leaf)],
    )
}

/// The renewed token: same package and blinding commitment, new expiry and id.
pub fn renewed_token(old: &Token, new_expires_at: u64, new_token_id: Id) -> Token {
    Token {
        token_id: new_token_id,
        blinding_commitment: old.blinding_commitment,
        expires_at: new_expires_at,
    }
}

/// The renewal circuit over a tree of 2^depth leaves.
#[derive(Clone, Copy, Debug)]
pub struct Renewal {
    pub id: CircuitId,
}

impl Renewal {
    pub fn new(depth: u32) -> Result<Self, String> {
        Ok(Renewal {
            id: CircuitId::new(CircuitKind::Renewal, depth)?,
        })
    }
}

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

impl Circuit for Renewal {
    type Witness = RenewalWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &RenewalWitness) -> Statement {
        Statement::Renewal(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &RenewalWitness) -> Result<(), Violation> {
        let s = &w.statement;
        let old_leaf = check_token::<H>(
            self.id.levels(),
            &s.package_id,
            &s.root,
            &w.blinding_factor,
            &w.token,
            &w.path,
            &[
                ("root", &s.root),
                ("nullifier", &s.nullifier),
                ("new_leaf", &s.new_leaf),
            ],
        )?;
        match w.token.expires_at.checked_add(GRACE_PERIOD_SECS) {
            Some(deadline) if s.now < deadline => {}
            Some(deadline) => {
                return Err(Violation::new(
                    Rule::RenewalWindow,
                    format!(
                    "the token expired at {} and the grace period ended at {deadline}; now is {}",
                    w.token.expires_at, s.now
                ),
                ))
            }
            None => {
                return Err(Violation::new(
                    Rule::RenewalWindow,
                    format!(
                        "the token's expiry {} plus the grace period does not fit 64 bits",
                        w.token.expires_at
                    ),
                ))
            }
        }
        if s.new_expires_at <= w.token.expires_at {
            return Err(Violation::new(
                Rule::LaterExpiry,
                format!(
                    "the new expiry {} is not later than the old one {}",
                    s.new_expires_at, w.token.expires_at
                ),
            ));
        }
        if renewal_nullifier::<H>(&w.blinding_factor, &old_leaf).map_err(malformed)? != s.nullifier
        {
            return Err(Violation::new(
                Rule::Nullifier,
                "nullifier != H(blinding factor, old token leaf)",
            ));
        }
        if w.new_token_id == w.token.token_id {
            return Err(Violation::new(
                Rule::FreshTokenId,
                "the new token id is the old token's id: a renewal must issue a fresh id",
            ));
        }
        let new = renewed_token(&w.token, s.new_expires_at, w.new_token_id);
        if token_leaf::<H>(&s.package_id, &new).map_err(malformed)? != s.new_leaf {
            return Err(Violation::new(
                Rule::NewLeaf,
                "new_leaf is not the token leaf of (package, the same blinding commitment, new expiry, new token id)",
            ));
        }
        Ok(())
    }

    fn define<A: Api>(&self, api: &mut A, w: Option<&RenewalWitness>) -> Result<(), CircuitError> {
        let s = w.map(|w| &w.statement);
        let RenewalPublic {
            root,
            package_id,
            now,
            nullifier,
            new_leaf,
            new_expires_at,
        } = api.public_statement(s)?;

        let token = TokenVars::alloc(
            api,
            self.id.levels(),
            w.map(|w| (&w.blinding_factor, &w.token, &w.path)),
        )?;
        let new_token_id = api.secret_id("new_token_id", w.map(|w| w.new_token_id))?;

        // Knowledge of the blinding factor; membership of the old token.
        let old_leaf = token.open(api, &package_id, &root)?;
        let (bf, commitment, expires_at) =
            (&token.blinding_factor, &token.commitment, &token.expires_at);
        // Renewal window: now < expires_at + grace (the sum must fit 64 bits).
        let grace = api.u64_constant(GRACE_PERIOD_SECS);
        let deadline = api.u64_sum(&[expires_at.clone(), grace])?;
        api.u64_assert_less_than(&now, &deadline)?;
        // Later expiry.
        api.u64_assert_less_than(expires_at, &new_expires_at)?;
        // Nullifier.
        let n = api.hash(
            Domain::RenewalNullifier,
            &[HashInput::Digest(bf), HashInput::Digest(&old_leaf)],
        )?;
        api.digest_assert_equal(&n, &nullifier)?;
        // New leaf: same package, same blinding commitment, the public new expiry.
        let leaf = api.hash(
            Domain::TokenLeaf,
            &[
                HashInput::Id(&package_id),
                HashInput::Digest(commitment),
                HashInput::U64(&new_expires_at),
                HashInput::Id(&new_token_id),
            ],
        )?;
        api.digest_assert_equal(&leaf, &new_leaf)?;
        // Fresh token id: canonical limbs, different from the old token's.
        api.id_assert_canonical(&new_token_id)?;
        api.id_assert_not_equal(&new_token_id, &token.token_id)
    }
}

impl crate::Listed for Renewal {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description: "My token for this package, once and only once, becomes a token with a later expiry (without saying which one)",
        statement: &[
            crate::doc::field("root", "root of the issuer's Merkle tree of active tokens"),
            crate::doc::field("package_id", "the package of the old and the new token"),
            crate::doc::field("now", "the issuer's clock, unix seconds"),
            crate::doc::field("nullifier", "H(blinding factor, old leaf): the same for every renewal of a token, so it renews once"),
            crate::doc::field("new_leaf", "the new token's leaf, for the issuer to add to its tree"),
            crate::doc::field("new_expires_at", "the new token's expiry, unix seconds"),
        ],
        rules: &[
            crate::doc::WELL_FORMED,
            crate::doc::rule(crate::Rule::BlindingFactor, "the prover opens the old token's blinding commitment"),
            crate::doc::MEMBERSHIP_TOKEN,
            crate::doc::rule(crate::Rule::RenewalWindow, "now < the old expiry + the grace period (7 days, fixed at setup)"),
            crate::doc::rule(crate::Rule::LaterExpiry, "new_expires_at > the old expiry"),
            crate::doc::rule(crate::Rule::Nullifier, "nullifier = H(blinding factor, old token leaf)"),
            crate::doc::rule(crate::Rule::NewLeaf, "new_leaf = leaf(package, the same blinding commitment, new_expires_at, a new token id)"),
            crate::doc::rule(crate::Rule::FreshTokenId, "the new token id is canonical (range-checked limbs) and differs from the old one"),
        ],
        hides: "which token (its id, position and old expiry), the blinding factor, the new token id, the customer",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        Renewal::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<RenewalWitness, CircuitError> {
        crate::sample::renewal_witness::<H>(size, seed)
    }
}
