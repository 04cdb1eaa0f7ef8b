//! The ZK tier proof (seed 002 §4–§7): "I hold a valid tier commitment for a tier of at
//! least T", with a per-epoch rate limit that needs no identity.
//!
//! T_commit = H_TierCommitment(tier_id, user_secret, randomness) is a leaf of the approved
//! tier set's tree.
//!
//! | reveals (public)                                   | hides (secret)                        |
//! |----------------------------------------------------|---------------------------------------|
//! | root of the approved tier set                      | T_commit and its position             |
//! | min_tier (the proof says only tier >= min_tier)    | the exact tier_id                     |
//! | epoch beacon K_epoch, quota                        | user_secret, randomness               |
//! | nullifier = H(user_secret, K_epoch, slot)          | the slot number                       |
//! | request binding = H(request nonce, ephemeral key)  | (the nonce and key travel with the request, not in the proof) |
//!
//! Nullifiers of different epochs or slots are unlinkable; within one epoch a user has at
//! most `quota` distinct nullifiers, so a verifier that stores the epoch's nullifiers
//! enforces the rate limit.

use crate::api::{Api, HashInput};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher, NativeInput};
use crate::merkle::{alloc_path, merkle_root, root_from_path, MerklePath};
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::TierPublic;
use veil_verifier::{Bytes32, CircuitId, CircuitKind, Digest, Id, Statement, TierStatement};

/// Tiers, slots and quotas are 32-bit values.
pub const SMALL_BITS: u32 = veil_verifier::statement::TIER_BITS;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierWitness {
    pub statement: TierStatement,
    pub tier_id: u32,
    pub user_secret: Digest,
    pub randomness: Digest,
    pub path: MerklePath,
    /// Which of the epoch's `quota` requests this is.
    pub slot: u32,
    pub request_nonce: Id,
    /// The request's ephemeral public key (or its 32-byte digest, for longer keys).
    pub ephemeral_pubkey: Id,
}

pub fn tier_commitment<H: NativeHasher>(
    tier_id: u32,
    user_secret: &Digest,
    randomness: &Digest,
) -> Result<Bytes32, CircuitError> {
    H::hash(
        Domain::TierCommitment,
        &[
            NativeInput::Small(tier_id.into()),
            NativeInput::Digest(*user_secret),
            NativeInput::Digest(*randomness),
        ],
    )
}

pub fn nullifier<H: NativeHasher>(
    user_secret: &Digest,
    epoch_beacon: &Digest,
    slot: u32,
) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::Nullifier,
        &[
            NativeInput::Digest(*user_secret),
            NativeInput::Digest(*epoch_beacon),
            NativeInput::Small(slot.into()),
        ],
    )
}

pub fn request_binding<H: NativeHasher>(nonce: &Id, pubkey: &Id) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::RequestBinding,
        &[NativeInput::Id(*nonce), NativeInput::Id(*pubkey)],
    )
}

/// The tier circuit over an approved set of up to 2^depth commitments.
#[derive(Clone, Copy, Debug)]
pub struct Tier {
    pub id: CircuitId,
}

impl Tier {
    pub fn new(depth: u32) -> Result<Self, String> {
        Ok(Tier {
            id: CircuitId::new(CircuitKind::Tier, depth)?,
        })
    }
}

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

impl Circuit for Tier {
    type Witness = TierWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &TierWitness) -> Statement {
        Statement::Tier(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &TierWitness) -> Result<(), Violation> {
        let s = &w.statement;
        w.path.check_shape(self.id.levels()).map_err(malformed)?;
        for (name, d) in [
            ("root", &s.root),
            ("epoch_beacon", &s.epoch_beacon),
            ("request_binding", &s.request_binding),
            ("nullifier", &s.nullifier),
            ("user_secret", &w.user_secret),
            ("randomness", &w.randomness),
        ] {
            if !H::is_canonical(d) {
                return Err(malformed(format!(
                    "{name} is not a canonical field element"
                )));
            }
        }
        let leaf =
            tier_commitment::<H>(w.tier_id, &w.user_secret, &w.randomness).map_err(malformed)?;
        if root_from_path::<H>(leaf, &w.path).map_err(malformed)? != s.root {
            return Err(Violation::new(
                Rule::Membership,
                "the tier commitment is not in the approved set with the stated root",
            ));
        }
        if w.tier_id < s.min_tier {
            return Err(Violation::new(
                Rule::TierMinimum,
                format!(
                    "tier {} is below the minimum tier {}",
                    w.tier_id, s.min_tier
                ),
            ));
        }
        if w.slot >= s.quota {
            return Err(Violation::new(
                Rule::Quota,
                format!("slot {} is not below the epoch quota {}", w.slot, s.quota),
            ));
        }
        if nullifier::<H>(&w.user_secret, &s.epoch_beacon, w.slot).map_err(malformed)?
            != s.nullifier
        {
            return Err(Violation::new(
                Rule::Nullifier,
                "nullifier != H(user secret, epoch beacon, slot)",
            ));
        }
        if request_binding::<H>(&w.request_nonce, &w.ephemeral_pubkey).map_err(malformed)?
            != s.request_binding
        {
            return Err(Violation::new(
                Rule::RequestBinding,
                "request binding != H(request nonce, ephemeral public key)",
            ));
        }
        Ok(())
    }

    fn define<A: Api>(&self, api: &mut A, w: Option<&TierWitness>) -> Result<(), CircuitError> {
        let s = w.map(|w| &w.statement);
        let TierPublic {
            root,
            min_tier,
            epoch_beacon: beacon,
            request_binding: binding,
            nullifier: nullifier_pub,
            quota,
        } = api.public_statement(s)?;

        let tier_id = api.secret_small("tier_id", w.map(|w| w.tier_id.into()), SMALL_BITS)?;
        let user_secret = api.secret_digest("user_secret", w.map(|w| w.user_secret))?;
        let randomness = api.secret_digest("randomness", w.map(|w| w.randomness))?;
        let slot = api.secret_small("slot", w.map(|w| w.slot.into()), SMALL_BITS)?;
        let nonce = api.secret_id("request_nonce", w.map(|w| w.request_nonce))?;
        let pubkey = api.secret_id("ephemeral_pubkey", w.map(|w| w.ephemeral_pubkey))?;
        let path = alloc_path(api, self.id.levels(), w.map(|w| &w.path))?;

        api.begin_rule(Rule::Membership);
        let leaf = api.hash(
            Domain::TierCommitment,
            &[
                HashInput::Small(&tier_id),
                HashInput::Digest(&user_secret),
                HashInput::Digest(&randomness),
            ],
        )?;
        let computed_root = merkle_root(api, &leaf, &path)?;
        api.digest_assert_equal(&computed_root, &root)?;
        api.begin_rule(Rule::TierMinimum);
        api.assert_less_or_equal(&min_tier, &tier_id, SMALL_BITS)?;
        api.begin_rule(Rule::Quota);
        api.assert_less_than(&slot, &quota, SMALL_BITS)?;
        api.begin_rule(Rule::Nullifier);
        let n = api.hash(
            Domain::Nullifier,
            &[
                HashInput::Digest(&user_secret),
                HashInput::Digest(&beacon),
                HashInput::Small(&slot),
            ],
        )?;
        api.digest_assert_equal(&n, &nullifier_pub)?;
        api.begin_rule(Rule::RequestBinding);
        let b = api.hash(
            Domain::RequestBinding,
            &[HashInput::Id(&nonce), HashInput::Id(&pubkey)],
        )?;
        api.digest_assert_equal(&b, &binding)
    }
}

impl crate::Listed for Tier {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description: "I hold a tier commitment of at least min_tier, and this is request slot < quota of the epoch",
        statement: &[
            crate::doc::field("root", "root of the approved tier set's Merkle tree"),
            crate::doc::field("min_tier", "the lowest tier the verifier accepts"),
            crate::doc::field("epoch_beacon", "the epoch beacon K_epoch"),
            crate::doc::field("request_binding", "H(request nonce, ephemeral public key): ties the proof to one request"),
            crate::doc::field("nullifier", "H(user secret, K_epoch, slot): repeats if a slot is reused in the epoch"),
            crate::doc::field("quota", "requests allowed per epoch"),
        ],
        rules: &[
            crate::doc::WELL_FORMED,
            crate::doc::rule(crate::Rule::Membership, "the tier commitment H(tier, user secret, randomness) is in the approved set with the public root"),
            crate::doc::rule(crate::Rule::TierMinimum, "the hidden tier is at least min_tier"),
            crate::doc::rule(crate::Rule::Quota, "the hidden slot is below quota"),
            crate::doc::rule(crate::Rule::Nullifier, "nullifier = H(user secret, epoch beacon, slot)"),
            crate::doc::rule(crate::Rule::RequestBinding, "request_binding = H(request nonce, ephemeral public key)"),
        ],
        hides: "the exact tier, the commitment and its position, the user secret, the slot",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        Tier::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<TierWitness, CircuitError> {
        crate::sample::tier_witness::<H>(size, seed)
    }
}
