//! The token gadget: a token of the issuer's tree, opened by its owner. Shared by
//! [`crate::ownership`] and [`crate::renewal`].
//!
//! A token is a leaf H_TokenLeaf(package_id, blinding_commitment, expires_at, token_id) of the
//! issuer's tree of active tokens, with blinding_commitment = H_BlindingCommitment(bf). Opening
//! it proves knowledge of the blinding factor and the leaf's membership under the public root.
//!
//! Allocation and constraints are two steps ([`TokenVars::alloc`], [`TokenVars::open`]) so that
//! a circuit can allocate its other secrets in between, keeping its constraint system (and so
//! its keys) what it was.

use crate::api::{Api, HashInput};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher};
use crate::merkle::{alloc_path, merkle_root, root_from_path, MerklePath, PathVars};
use crate::ownership::{blinding_commitment, token_leaf, Token};
use veil_verifier::{Digest, Id};

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

/// The native check of a token opening: the path fits the tree, the digests are canonical
/// (`digests`: the circuit's public ones, checked with the token's), the blinding factor opens
/// the commitment and the leaf is in the tree with `root`. Returns the leaf.
pub fn check_token<H: NativeHasher>(
    levels: usize,
    package_id: &Id,
    root: &Digest,
    blinding_factor: &Digest,
    token: &Token,
    path: &MerklePath,
    digests: &[(&str, &Digest)],
) -> Result<Digest, Violation> {
    path.check_shape(levels).map_err(malformed)?;
    let own = [
        ("blinding_factor", blinding_factor),
        ("token.blinding_commitment", &token.blinding_commitment),
    ];
    for (name, d) in digests.iter().copied().chain(own) {
        if !H::is_canonical(d) {
            return Err(malformed(format!(
                "{name} is not a canonical field element"
            )));
        }
    }
    if blinding_commitment::<H>(blinding_factor).map_err(malformed)? != token.blinding_commitment {
        return Err(Violation::new(
            Rule::BlindingFactor,
            "the blinding factor does not open the token's blinding commitment",
        ));
    }
    let leaf = token_leaf::<H>(package_id, token).map_err(malformed)?;
    if root_from_path::<H>(leaf, path).map_err(malformed)? != *root {
        return Err(Violation::new(
            Rule::Membership,
            "the token (for this package) is not in the tree with the stated root",
        ));
    }
    Ok(leaf)
}

/// A token's secrets in a circuit.
pub struct TokenVars<A: Api> {
    pub blinding_factor: A::Digest,
    pub commitment: A::Digest,
    pub expires_at: A::U64,
    pub token_id: A::Id,
    pub path: PathVars<A>,
}

impl<A: Api> TokenVars<A> {
    /// Allocates the blinding factor, the token's fields and its Merkle path (secret).
    pub fn alloc(
        api: &mut A,
        levels: usize,
        w: Option<(&Digest, &Token, &MerklePath)>,
    ) -> Result<Self, CircuitError> {
        Ok(TokenVars {
            blinding_factor: api.secret_digest("blinding_factor", w.map(|w| *w.0))?,
            commitment: api.secret_digest(
                "token.blinding_commitment",
                w.map(|w| w.1.blinding_commitment),
            )?,
            expires_at: api.secret_u64("token.expires_at", w.map(|w| w.1.expires_at))?,
            token_id: api.secret_id("token.token_id", w.map(|w| w.1.token_id))?,
            path: alloc_path(api, levels, w.map(|w| w.2))?,
        })
    }

    /// Enforces knowledge of the blinding factor and the membership of the token's leaf (for
    /// `package_id`) under `root`; returns the leaf.
    pub fn open(
        &self,
        api: &mut A,
        package_id: &A::Id,
        root: &A::Digest,
    ) -> Result<A::Digest, CircuitError> {
        api.enter_scope(&"token");
        api.begin_rule(Rule::BlindingFactor);
        let opened = api.hash(
            Domain::BlindingCommitment,
            &[HashInput::Digest(&self.blinding_factor)],
        )?;
        api.digest_assert_equal(&opened, &self.commitment)?;
        api.begin_rule(Rule::Membership);
        let leaf = api.hash(
            Domain::TokenLeaf,
            &[
                HashInput::Id(package_id),
                HashInput::Digest(&self.commitment),
                HashInput::U64(&self.expires_at),
                HashInput::Id(&self.token_id),
            ],
        )?;
        let computed_root = merkle_root(api, &leaf, &self.path)?;
        api.digest_assert_equal(&computed_root, root)?;
        api.leave_scope();
        Ok(leaf)
    }
}
