//! Deterministic sample witnesses: the ones in `examples/`, the demo's and the tests'.
//!
//! Values come from SHA3-256 of a label, so the samples are reproducible and need no RNG.

use crate::error::CircuitError;
use crate::hash::NativeHasher;
use crate::merkle::MerkleTree;
use crate::ownership::{self, OwnershipWitness, Token};
use crate::tier::{self, TierWitness};
use sha3::{Digest as _, Sha3_256};
use veil_verifier::{Bytes32, OwnershipStatement, TierStatement};

/// 32 pseudo-random bytes for (label, i).
pub fn sample_bytes(label: &str, i: u64) -> Bytes32 {
    let mut h = Sha3_256::new();
    h.update(b"veil-sample-v1/");
    h.update(label.as_bytes());
    h.update(i.to_be_bytes());
    Bytes32(h.finalize().into())
}

/// Pseudo-random bytes that are a canonical secret on every backend: below 2^254 (BLS12-381)
/// and with each 8-byte limb below 2^63 (Goldilocks).
pub fn sample_secret(label: &str, i: u64) -> Bytes32 {
    let mut b = sample_bytes(label, i);
    b.0[0] &= 0x3f;
    for limb in 1..4 {
        b.0[limb * 8] &= 0x7f;
    }
    b
}

/// A witness for the ownership circuit: five tokens issued, the prover holds token 3.
pub fn ownership_witness<H: NativeHasher>(
    depth: u32,
    seed: u64,
) -> Result<OwnershipWitness, CircuitError> {
    let package_id = sample_bytes("package", seed);
    let now = 1_767_225_600; // 2026-01-01
    let mut leaves = Vec::new();
    let mut mine = None;
    for i in 0..5u64 {
        let bf = sample_secret("blinding-factor", seed * 100 + i);
        let token = Token {
            token_id: sample_bytes("token", seed * 100 + i),
            blinding_commitment: ownership::blinding_commitment::<H>(&bf)?,
            expires_at: now + 30 * 86_400 + i,
        };
        leaves.push(ownership::token_leaf::<H>(&package_id, &token)?);
        if i == 3 {
            mine = Some((bf, token));
        }
    }
    let (bf, token) = mine.expect("token 3 exists");
    let tree = MerkleTree::<H>::new(depth, leaves)?;
    let challenge = sample_bytes("challenge", seed);
    Ok(OwnershipWitness {
        statement: OwnershipStatement {
            root: tree.root(),
            package_id,
            now,
            challenge,
            tag: ownership::tag::<H>(&bf, &challenge)?,
        },
        blinding_factor: bf,
        token,
        path: tree.path(3)?,
    })
}

/// A witness for the tier circuit: six members of tiers 0..=5; the prover holds tier 3 and
/// proves tier >= 2, request slot 1 of a quota of 10.
pub fn tier_witness<H: NativeHasher>(depth: u32, seed: u64) -> Result<TierWitness, CircuitError> {
    let mut leaves = Vec::new();
    for i in 0..6u64 {
        leaves.push(tier::tier_commitment::<H>(
            i as u32,
            &sample_secret("user-secret", seed * 100 + i),
            &sample_secret("randomness", seed * 100 + i),
        )?);
    }
    let tree = MerkleTree::<H>::new(depth, leaves)?;
    let me = 3u64;
    let user_secret = sample_secret("user-secret", seed * 100 + me);
    let epoch_beacon = sample_secret("epoch-beacon", seed);
    let request_nonce = sample_bytes("request-nonce", seed);
    let ephemeral_pubkey = sample_bytes("ephemeral-pubkey", seed);
    let slot = 1;
    Ok(TierWitness {
        statement: TierStatement {
            root: tree.root(),
            min_tier: 2,
            epoch_beacon,
            request_binding: tier::request_binding::<H>(&request_nonce, &ephemeral_pubkey)?,
            nullifier: tier::nullifier::<H>(&user_secret, &epoch_beacon, slot)?,
            quota: 10,
        },
        tier_id: me as u32,
        user_secret,
        randomness: sample_secret("randomness", seed * 100 + me),
        path: tree.path(me)?,
        slot,
        request_nonce,
        ephemeral_pubkey,
    })
}
