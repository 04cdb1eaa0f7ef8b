//! Domain-separated hashing: the domains, and the native twin of [`crate::Api::hash`].

use crate::error::CircuitError;
use veil_verifier::Bytes32;

/// What a hash is for. Each domain is a distinct function: the tag placed in the
/// Poseidon capacity element is `code << 8 | arity`, so a leaf can never be taken for an
/// inner node, nor one commitment kind for another, nor a 2-input hash for a 3-input one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domain {
    /// An inner node of a 4-ary Merkle tree: H(c0, c1, c2, c3).
    MerkleNode,
    /// A license token leaf: H(package_id, blinding commitment, expires_at, token_id).
    TokenLeaf,
    /// The commitment to a blinding factor stored in a token: H(blinding factor).
    BlindingCommitment,
    /// The ownership proof's tag: H(blinding factor, challenge).
    OwnershipTag,
    /// A tier commitment T_commit = H(tier_id, user_secret, randomness).
    TierCommitment,
    /// A tier nullifier: H(user_secret, K_epoch, slot).
    Nullifier,
    /// A request binding: H(request nonce, ephemeral public key).
    RequestBinding,
    /// A renewal nullifier: H(blinding factor, old token leaf).
    RenewalNullifier,
    /// A package's metering isolation scope: H(package_id).
    MeterScope,
    /// The key a meter stamps on each reading: H(scope, blinded_customer_id).
    MeterKey,
    /// The start of a readings commitment: H(secret blinding, number of readings).
    MeterReadings,
    /// One step of a readings commitment: H(previous, key, timestamp, units).
    MeterReading,
    /// The start of a publisher's transactions commitment: H(publisher_id, count).
    RevenueTransactions,
    /// One step of a transactions commitment: H(previous, tx digest, amount, timestamp).
    RevenueTransaction,
    /// A settlement transaction's digest, made by the settlement module:
    /// H(settlement_id, package_id, blinded_customer_id).
    SettlementTransaction,
    /// The start of a solution's payments commitment:
    /// H(solution_id, period_start, period_end, count).
    WaterfallPayments,
    /// One step of a payments commitment: H(previous, payment digest, amount).
    WaterfallPayment,
    /// A payment's digest, made by the settlement module: H(settlement_id, blinded_customer_id).
    PaymentDigest,
    /// Receipt (issue 16 §3): a confidential receipt's public amount commitment:
    /// H(tx digest, amount, secret blinding).
    ReceiptAmount,
    /// Receipt: the start of a receipts commitment: H(publisher_id, count).
    ReceiptList,
    /// Receipt: one step of a receipts commitment: H(previous, amount commitment).
    ReceiptStep,
    // ---- flow budgets (seed 001 §3); codes from 40 so that other new domains keep theirs ----
    /// A flow-budget account's registry leaf: H(account secret).
    FlowAccount,
    /// A context identity (DKD, 001 §11.1): H(label "aura.key.derive.v1", account secret,
    /// app_id, context).
    KeyDerive,
    /// A flow-budget state: H(account secret, ctx, peer, spent, epoch, last receipt, blinding).
    FlowState,
    /// A flow receipt (001 §3.5): H(ctx, src, dst, epoch, cost, nonce, prev_hash).
    FlowReceipt,
    /// The anchor the first receipt of (ctx, epoch) chains to: H(ctx, epoch).
    ReceiptAnchor,
}

impl Domain {
    pub fn code(self) -> u64 {
        match self {
            Domain::MerkleNode => 1,
            Domain::TokenLeaf => 2,
            Domain::BlindingCommitment => 3,
            Domain::OwnershipTag => 4,
            Domain::TierCommitment => 5,
            Domain::Nullifier => 6,
            Domain::RequestBinding => 7,
            Domain::RenewalNullifier => 8,
            Domain::MeterScope => 9,
            Domain::MeterKey => 10,
            Domain::MeterReadings => 11,
            Domain::MeterReading => 12,
            Domain::RevenueTransactions => 13,
            Domain::RevenueTransaction => 14,
            Domain::SettlementTransaction => 15,
            Domain::WaterfallPayments => 16,
            Domain::WaterfallPayment => 17,
            Domain::PaymentDigest => 18,
            // Receipt: codes far from the next free ones, so that circuits added at the same
            // time do not pick the same.
            Domain::ReceiptAmount => 61,
            Domain::ReceiptList => 62,
            Domain::ReceiptStep => 63,
            Domain::FlowAccount => 40,
            Domain::KeyDerive => 41,
            Domain::FlowState => 42,
            Domain::FlowReceipt => 43,
            Domain::ReceiptAnchor => 44,
        }
    }

    /// The capacity-element tag for a hash of `arity` logical inputs.
    pub fn tag(self, arity: usize) -> u64 {
        (self.code() << 8) | arity as u64
    }
}

/// A native value handed to [`NativeHasher::hash`], mirroring [`crate::api::HashInput`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NativeInput {
    Small(u64),
    U64(u64),
    Id(Bytes32),
    Digest(Bytes32),
}

/// The native twin of a backend's in-circuit hash: the same function on plain values.
pub trait NativeHasher {
    /// The value of an empty tree slot.
    fn empty_leaf() -> Bytes32 {
        Bytes32::ZERO
    }
    /// Refuses digests that are not canonical for the backend.
    fn hash(domain: Domain, inputs: &[NativeInput]) -> Result<Bytes32, CircuitError>;
    /// Whether a 32-byte value is a canonical digest/secret for this backend.
    fn is_canonical(value: &Bytes32) -> bool;
}

/// Poseidon over the BLS12-381 scalar field (the Groth16 backend's hash).
pub struct PoseidonBls12;

impl NativeHasher for PoseidonBls12 {
    fn hash(domain: Domain, inputs: &[NativeInput]) -> Result<Bytes32, CircuitError> {
        use veil_verifier::encoding::bls12_381 as enc;
        let mut elems = Vec::with_capacity(inputs.len() * 2);
        for input in inputs {
            match input {
                NativeInput::Small(v) | NativeInput::U64(v) => elems.push(enc::u64_to_fr(*v)),
                NativeInput::Id(id) => elems.extend(enc::id_to_fr(id)),
                NativeInput::Digest(d) => {
                    elems.push(
                        enc::digest_to_fr(d).map_err(|e| CircuitError::InvalidValue {
                            name: "digest".into(),
                            detail: e.to_string(),
                        })?,
                    )
                }
            }
        }
        let tag = enc::u64_to_fr(domain.tag(inputs.len()));
        Ok(enc::fr_to_digest(&crate::poseidon::hash_with_tag(
            tag, &elems,
        )))
    }

    fn is_canonical(value: &Bytes32) -> bool {
        veil_verifier::encoding::bls12_381::digest_to_fr(value).is_ok()
    }
}

/// Poseidon over Goldilocks (the Plonky2 backend's hash): see [`crate::poseidon_goldilocks`]
/// for the sponge, [`veil_verifier::encoding::goldilocks`] for how each input is laid out.
pub struct PoseidonGoldilocks;

impl PoseidonGoldilocks {
    /// The field elements of the inputs, in order (u64 as [hi, lo], ids as 8 limbs, digests
    /// as 4); a non-canonical digest is an error.
    pub fn flatten(
        inputs: &[NativeInput],
    ) -> Result<Vec<crate::poseidon_goldilocks::F>, CircuitError> {
        use veil_verifier::encoding::goldilocks as enc;
        let mut elems = Vec::with_capacity(inputs.len() * 4);
        for input in inputs {
            match input {
                NativeInput::Small(v) => {
                    // Small values are range-checked below 2^63 in circuits.
                    if *v >= 1 << 63 {
                        return Err(CircuitError::InvalidValue {
                            name: "small value".into(),
                            detail: format!("{v} does not fit in 63 bits"),
                        });
                    }
                    elems.push(plonky2::field::types::Field::from_canonical_u64(*v))
                }
                NativeInput::U64(v) => elems.extend(enc::u64_to_limbs(*v)),
                NativeInput::Id(id) => elems.extend(enc::id_to_limbs(id)),
                NativeInput::Digest(d) => elems.extend(enc::digest_to_limbs(d).map_err(|e| {
                    CircuitError::InvalidValue {
                        name: "digest".into(),
                        detail: e.to_string(),
                    }
                })?),
            }
        }
        Ok(elems)
    }
}

impl NativeHasher for PoseidonGoldilocks {
    fn hash(domain: Domain, inputs: &[NativeInput]) -> Result<Bytes32, CircuitError> {
        let elems = Self::flatten(inputs)?;
        let out = crate::poseidon_goldilocks::hash_with_tag(domain.tag(inputs.len()), &elems);
        Ok(veil_verifier::encoding::goldilocks::limbs_to_digest(&out))
    }

    fn is_canonical(value: &Bytes32) -> bool {
        veil_verifier::encoding::goldilocks::is_canonical_digest(value)
    }
}
