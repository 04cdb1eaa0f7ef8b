//! Flow budgets with receipt chains (seed 001 §3, §3.5, §11.1): "I charged my budget for
//! (context, peer, epoch) and stayed within its limit", without revealing what was spent.
//!
//! A sender holds a budget per (context, peer, epoch) (001 §3.1). Its state is a blinded
//! commitment
//!
//! ```text
//! state = H_FlowState(account, ctx, peer, spent, epoch, last_receipt, blinding)
//! ```
//!
//! where `account` is the sender's account secret (below), `peer` the receiving peer's
//! identity in the context, `last_receipt` the hash of the budget's latest receipt and
//! `blinding` a fresh random field element per state. A charge of `cost` proves:
//!
//! | rule | what |
//! |---|---|
//! | membership | H_FlowAccount(account) is in the account registry with the public root |
//! | commitment | the public old state opens to (account, ctx, peer, spent, epoch_old, last, blinding) |
//! | context identity | the receipt's src = H_KeyDerive("aura.key.derive.v1", account, app_id, ctx) |
//! | epoch transition | epoch_old <= epoch: the same epoch, or a state of an earlier one |
//! | charge arithmetic | new spent = old spent + cost, exactly; at a new epoch old spent counts as 0 (001 §3.5: "spent resets") |
//! | budget limit | new spent <= limit (`InvariantFlowBudgetNonNegative`: charge-before-send, 001 §3.3) |
//! | receipt chain | in the same epoch, prev_receipt = the old state's last receipt |
//! | cross-epoch replay | at a new epoch, prev_receipt = the epoch's anchor H_ReceiptAnchor(ctx, epoch), never a receipt of another epoch (`InvariantCrossEpochReplayPrevention`) |
//! | receipt hash | receipt = H_FlowReceipt(ctx, src, dst, epoch, cost, nonce, prev_receipt): 001 §3.5's receipt without its signature |
//! | new state | new_state = H_FlowState(account, ctx, peer, new spent, epoch, receipt, new blinding) |
//!
//! | reveals (public) | hides (secret) |
//! |---|---|
//! | the account registry's root, app_id, ctx, epoch | which account, the account secret |
//! | the limit (the verifier computes it, 001 §3.2) | spent before and after, the cost |
//! | old and new state commitments (blinded) | src and dst (the context identities) |
//! | the receipt hash and the previous one | the receipt's nonce, the states' blindings |
//!
//! **Why the limit is public.** 001 §3.1: "the limit is computed at runtime by intersecting
//! Biscuit-derived capabilities with sovereign policy": the party that checks a charge
//! computes it, so committing to it would hide it from nobody who checks, and the check
//! `new spent <= limit` would need that party to open the commitment anyway. Only `spent` and
//! `epoch` are journal facts; `spent` stays hidden in the blinded state.
//!
//! **Why the cost is hidden.** 001 §5.2: a gossip neighbour sees fixed-size envelopes, never
//! the volume; the receipt hash binds the cost, and the peer, who holds the receipt, learns it.
//! The receipt hash is not guessable: its nonce is 32 random bytes.
//!
//! **Identity derivation (001 §11.1) and where this deviates from the seed.** The seed
//! derives context keys with HKDF: derive(root, app_id, context_label) with the domain label
//! `"aura.key.derive.v1"`. HKDF-SHA256 inside a circuit costs an HMAC extract and expand,
//! at least 8 SHA-256 compressions (each HMAC is an inner and an outer hash over a key block
//! and a message block), about 27,000 R1CS constraints each: over 200,000 constraints per
//! charge, against about 650 for the Poseidon derivation used here (two width-5 permutations
//! on BLS12-381). So veil splits it:
//! - **outside the circuit**, [`hkdf_context_key`] is the seed's derivation exactly:
//!   HKDF-SHA256 (RustCrypto `hkdf`) of the 32-byte account root with info
//!   `"aura.key.derive.v1" || app_id || context_label`, 32 bytes of key material per context
//!   (signing or encryption keys of the context come from it); and [`account_secret`] derives
//!   the circuit's account secret from the same root by HKDF with its own info, a canonical
//!   field element on both backends;
//! - **inside the circuit**, the context identity that receipts carry is
//!   src = H_KeyDerive(label, account secret, app_id, ctx), Poseidon with the same label (as a
//!   32-byte id constant) under its own domain tag. It is bound to a registered account: the
//!   account's commitment H_FlowAccount(account secret) is a leaf of the registry tree with the
//!   public root, and every state of a budget commits to the same account secret.
//!
//! Two contexts' identities are Poseidon outputs of distinct inputs under a secret key, so
//! they are unlinkable without the account secret (circuits/tests/linkability.rs measures it); each is
//! bound to the account. The deviation: the identity in a receipt is the Poseidon one, not the
//! HKDF bytes; a peer that needs the HKDF key material of the context gets it with the
//! relationship, out of band, as in the seed.
//!
//! **What the verifier (the peer's FlowGuard) keeps and checks outside the proof:** epoch is
//! its current epoch of ctx (acceptance window: the current epoch only, 001 §3.5); limit is
//! the one it computes; old_state is the latest state it holds for the relationship (the
//! first one is registered when the relationship is established); prev_receipt is its latest
//! receipt of (ctx, epoch), or the anchor H(ctx, epoch) for the first charge of an epoch. It
//! then stores new_state and receipt. A state is a chain: an older state of the same epoch
//! replayed is not the latest one, and a state of an earlier epoch only resets spent.
//!
//! Cost on R1CS at depth 20: see [`FlowBudget`] and BENCHMARKS.md (one charge per proof; the
//! registry's Merkle path is most of it).

use crate::api::{Api, HashInput};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher, NativeInput};
use crate::merkle::{alloc_path, merkle_root, root_from_path, MerklePath};
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::{FlowBudgetPublic, FlowBudgetStatement};
use veil_verifier::{Bytes32, CircuitId, CircuitKind, Digest, Id, Statement};

/// The seed's domain label for key derivation (001 §11.1).
pub const KEY_DERIVE_LABEL: &str = "aura.key.derive.v1";

/// [`KEY_DERIVE_LABEL`] as the 32-byte id the circuit hashes (zero-padded).
pub fn key_derive_label_id() -> Id {
    let mut b = [0u8; 32];
    b[..KEY_DERIVE_LABEL.len()].copy_from_slice(KEY_DERIVE_LABEL.as_bytes());
    Bytes32(b)
}

/// HKDF-SHA256 (RFC 5869): `out.len()` bytes of key material from `ikm`, `salt` and `info`.
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), String> {
    hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), ikm)
        .expand(info, out)
        .map_err(|_| format!("HKDF-SHA256 cannot give {} bytes", out.len()))
}

/// The seed's context key derivation, outside the circuit: HKDF-SHA256 of the account root
/// with info "aura.key.derive.v1" || app_id || context label, 32 bytes.
pub fn hkdf_context_key(account_root: &[u8; 32], app_id: &Id, context: &Id) -> [u8; 32] {
    let mut info = Vec::with_capacity(KEY_DERIVE_LABEL.len() + 64);
    info.extend_from_slice(KEY_DERIVE_LABEL.as_bytes());
    info.extend_from_slice(&app_id.0);
    info.extend_from_slice(&context.0);
    let mut out = [0u8; 32];
    hkdf_sha256(&[], account_root, &info, &mut out).expect("32 bytes is a valid HKDF length");
    out
}

/// The circuit's account secret from the account root: HKDF-SHA256 with info
/// "aura.key.derive.v1" || "veil.flow-budget.account", made a canonical field element on both
/// backends (below 2^254, each 8-byte limb below 2^63).
pub fn account_secret(account_root: &[u8; 32]) -> Digest {
    let mut info = Vec::new();
    info.extend_from_slice(KEY_DERIVE_LABEL.as_bytes());
    info.extend_from_slice(b"veil.flow-budget.account");
    let mut b = [0u8; 32];
    hkdf_sha256(&[], account_root, &info, &mut b).expect("32 bytes is a valid HKDF length");
    b[0] &= 0x3f;
    for limb in 1..4 {
        b[limb * 8] &= 0x7f;
    }
    Bytes32(b)
}

/// The account's registry leaf: H_FlowAccount(account secret).
pub fn account_leaf<H: NativeHasher>(account: &Digest) -> Result<Digest, CircuitError> {
    H::hash(Domain::FlowAccount, &[NativeInput::Digest(*account)])
}

/// The context identity (in-circuit DKD): H_KeyDerive(label, account, app_id, ctx).
pub fn context_identity<H: NativeHasher>(
    account: &Digest,
    app_id: &Id,
    ctx: &Id,
) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::KeyDerive,
        &[
            NativeInput::Id(key_derive_label_id()),
            NativeInput::Digest(*account),
            NativeInput::Id(*app_id),
            NativeInput::Id(*ctx),
        ],
    )
}

/// The anchor the first receipt of (ctx, epoch) chains to.
pub fn receipt_anchor<H: NativeHasher>(ctx: &Id, epoch: u64) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::ReceiptAnchor,
        &[NativeInput::Id(*ctx), NativeInput::U64(epoch)],
    )
}

/// 001 §3.5's receipt {ctx, src, dst, epoch, cost, nonce, prev_hash} (its signature is the
/// transport's, outside the proof).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub ctx: Id,
    pub src: Digest,
    pub dst: Digest,
    pub epoch: u64,
    pub cost: u64,
    pub nonce: Id,
    pub prev_hash: Digest,
}

impl Receipt {
    /// H_FlowReceipt(ctx, src, dst, epoch, cost, nonce, prev_hash).
    pub fn hash<H: NativeHasher>(&self) -> Result<Digest, CircuitError> {
        H::hash(
            Domain::FlowReceipt,
            &[
                NativeInput::Id(self.ctx),
                NativeInput::Digest(self.src),
                NativeInput::Digest(self.dst),
                NativeInput::U64(self.epoch),
                NativeInput::U64(self.cost),
                NativeInput::Id(self.nonce),
                NativeInput::Digest(self.prev_hash),
            ],
        )
    }
}

/// A budget's state, as the sender keeps it (the public state is its commitment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowState {
    pub spent: u64,
    pub epoch: u64,
    /// The hash of the budget's latest receipt (the epoch's anchor before the first).
    pub last_receipt: Digest,
    /// A fresh random field element per state.
    pub blinding: Digest,
}

/// H_FlowState(account, ctx, peer, spent, epoch, last_receipt, blinding).
pub fn state_commitment<H: NativeHasher>(
    account: &Digest,
    ctx: &Id,
    peer: &Digest,
    state: &FlowState,
) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::FlowState,
        &[
            NativeInput::Digest(*account),
            NativeInput::Id(*ctx),
            NativeInput::Digest(*peer),
            NativeInput::U64(state.spent),
            NativeInput::U64(state.epoch),
            NativeInput::Digest(state.last_receipt),
            NativeInput::Digest(state.blinding),
        ],
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowBudgetWitness {
    pub statement: FlowBudgetStatement,
    /// The sender's account secret ([`account_secret`] of its account root).
    pub account_secret: Digest,
    /// The account's leaf in the registry.
    pub path: MerklePath,
    /// The receipt's sender: the sender's identity in this context.
    pub src: Digest,
    /// The receipt's receiver: the peer's identity in this context.
    pub dst: Digest,
    /// The state before the charge.
    pub old: FlowState,
    pub cost: u64,
    /// Spent after the charge.
    pub new_spent: u64,
    /// The new state's blinding (fresh random).
    pub new_blinding: Digest,
    /// The receipt's nonce (32 random bytes).
    pub nonce: Id,
}

impl FlowBudgetWitness {
    /// Whether the charge starts a new epoch (the old state is of an earlier one).
    pub fn rollover(&self) -> bool {
        self.old.epoch < self.statement.epoch
    }

    /// The receipt this charge emits.
    pub fn receipt(&self) -> Receipt {
        Receipt {
            ctx: self.statement.ctx,
            src: self.src,
            dst: self.dst,
            epoch: self.statement.epoch,
            cost: self.cost,
            nonce: self.nonce,
            prev_hash: self.statement.prev_receipt,
        }
    }

    /// The state after the charge.
    pub fn new_state(&self) -> FlowState {
        FlowState {
            spent: self.new_spent,
            epoch: self.statement.epoch,
            last_receipt: self.statement.receipt,
            blinding: self.new_blinding,
        }
    }

    /// Recomputes the three commitments of the statement (old state, receipt, new state) from
    /// the witness's values, whatever they are: the honest charge calls it, and the tests call
    /// it after breaking one rule, so that only that rule is broken.
    pub fn seal<H: NativeHasher>(&mut self) -> Result<(), CircuitError> {
        let ctx = self.statement.ctx;
        self.statement.old_state =
            state_commitment::<H>(&self.account_secret, &ctx, &self.dst, &self.old)?;
        self.statement.receipt = self.receipt().hash::<H>()?;
        self.statement.new_state =
            state_commitment::<H>(&self.account_secret, &ctx, &self.dst, &self.new_state())?;
        Ok(())
    }
}

/// What an honest charge is made of.
pub struct Charge {
    pub root: Digest,
    pub path: MerklePath,
    pub account_secret: Digest,
    pub app_id: Id,
    pub ctx: Id,
    /// The peer's identity in the context.
    pub dst: Digest,
    pub epoch: u64,
    pub limit: u64,
    pub old: FlowState,
    pub cost: u64,
    pub nonce: Id,
    pub new_blinding: Digest,
}

/// The honest witness of a charge: src derived for the context, spent reset at a new epoch,
/// the receipt chained to the old state's last one (or to the epoch's anchor). It may break
/// the limit: the caller decides (charge-before-send refuses such a charge natively).
pub fn charge<H: NativeHasher>(c: Charge) -> Result<FlowBudgetWitness, CircuitError> {
    let rollover = c.old.epoch < c.epoch;
    let base = if rollover { 0 } else { c.old.spent };
    let prev = if rollover {
        receipt_anchor::<H>(&c.ctx, c.epoch)?
    } else {
        c.old.last_receipt
    };
    let mut w = FlowBudgetWitness {
        statement: FlowBudgetStatement {
            root: c.root,
            app_id: c.app_id,
            ctx: c.ctx,
            epoch: c.epoch,
            limit: c.limit,
            old_state: Bytes32::ZERO,
            new_state: Bytes32::ZERO,
            prev_receipt: prev,
            receipt: Bytes32::ZERO,
        },
        src: context_identity::<H>(&c.account_secret, &c.app_id, &c.ctx)?,
        account_secret: c.account_secret,
        path: c.path,
        dst: c.dst,
        old: c.old,
        cost: c.cost,
        new_spent: base
            .checked_add(c.cost)
            .ok_or_else(|| CircuitError::InvalidValue {
                name: "cost".into(),
                detail: "spent + cost does not fit in 64 bits".into(),
            })?,
        new_blinding: c.new_blinding,
        nonce: c.nonce,
    };
    w.seal::<H>()?;
    Ok(w)
}

/// The flow-budget circuit over an account registry of up to 2^depth accounts: one charge
/// per proof. R1CS cost at depth 20: `veil info --circuit flow-budget-20` (BENCHMARKS.md).
#[derive(Clone, Copy, Debug)]
pub struct FlowBudget {
    pub id: CircuitId,
}

impl FlowBudget {
    pub fn new(depth: u32) -> Result<Self, String> {
        Ok(FlowBudget {
            id: CircuitId::new(CircuitKind::FlowBudget, depth)?,
        })
    }
}

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

/// The state commitment in the circuit.
#[allow(clippy::too_many_arguments)]
fn state_hash<A: Api>(
    api: &mut A,
    account: &A::Digest,
    ctx: &A::Id,
    peer: &A::Digest,
    spent: &A::U64,
    epoch: &A::U64,
    last: &A::Digest,
    blinding: &A::Digest,
) -> Result<A::Digest, CircuitError> {
    api.hash(
        Domain::FlowState,
        &[
            HashInput::Digest(account),
            HashInput::Id(ctx),
            HashInput::Digest(peer),
            HashInput::U64(spent),
            HashInput::U64(epoch),
            HashInput::Digest(last),
            HashInput::Digest(blinding),
        ],
    )
}

impl Circuit for FlowBudget {
    type Witness = FlowBudgetWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &FlowBudgetWitness) -> Statement {
        Statement::FlowBudget(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &FlowBudgetWitness) -> Result<(), Violation> {
        let s = &w.statement;
        w.path.check_shape(self.id.levels()).map_err(malformed)?;
        for (name, d) in [
            ("root", &s.root),
            ("old_state", &s.old_state),
            ("new_state", &s.new_state),
            ("prev_receipt", &s.prev_receipt),
            ("receipt", &s.receipt),
            ("account_secret", &w.account_secret),
            ("src", &w.src),
            ("dst", &w.dst),
            ("old.last_receipt", &w.old.last_receipt),
            ("old.blinding", &w.old.blinding),
            ("new_blinding", &w.new_blinding),
        ] {
            if !H::is_canonical(d) {
                return Err(malformed(format!(
                    "{name} is not a canonical field element"
                )));
            }
        }
        let leaf = account_leaf::<H>(&w.account_secret).map_err(malformed)?;
        if root_from_path::<H>(leaf, &w.path).map_err(malformed)? != s.root {
            return Err(Violation::new(
                Rule::Membership,
                "the account is not in the registry with the stated root",
            ));
        }
        if state_commitment::<H>(&w.account_secret, &s.ctx, &w.dst, &w.old).map_err(malformed)?
            != s.old_state
        {
            return Err(Violation::new(
                Rule::Commitment,
                "old_state does not open to this account, context, peer and state",
            ));
        }
        if context_identity::<H>(&w.account_secret, &s.app_id, &s.ctx).map_err(malformed)? != w.src
        {
            return Err(Violation::new(
                Rule::ContextIdentity,
                "src is not the sender's identity derived for this context",
            ));
        }
        if w.old.epoch > s.epoch {
            return Err(Violation::new(
                Rule::EpochTransition,
                format!(
                    "the old state is of epoch {}, after the charge's epoch {}",
                    w.old.epoch, s.epoch
                ),
            ));
        }
        let rollover = w.rollover();
        let base = if rollover { 0 } else { w.old.spent };
        if base.checked_add(w.cost) != Some(w.new_spent) {
            return Err(Violation::new(
                Rule::BudgetArithmetic,
                format!(
                    "new spent {} != {} + cost {}{}",
                    w.new_spent,
                    base,
                    w.cost,
                    if rollover {
                        " (a new epoch starts at 0)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if w.new_spent > s.limit {
            return Err(Violation::new(
                Rule::BudgetLimit,
                format!("new spent {} is over the limit {}", w.new_spent, s.limit),
            ));
        }
        if !rollover && s.prev_receipt != w.old.last_receipt {
            return Err(Violation::new(
                Rule::ReceiptChain,
                "prev_receipt is not the budget's last receipt of this epoch",
            ));
        }
        if rollover && s.prev_receipt != receipt_anchor::<H>(&s.ctx, s.epoch).map_err(malformed)? {
            return Err(Violation::new(
                Rule::CrossEpochReplay,
                "the first receipt of an epoch must chain to the epoch's anchor, not to a receipt of another epoch",
            ));
        }
        if w.receipt().hash::<H>().map_err(malformed)? != s.receipt {
            return Err(Violation::new(
                Rule::ReceiptHash,
                "receipt != H(ctx, src, dst, epoch, cost, nonce, prev_receipt)",
            ));
        }
        if state_commitment::<H>(&w.account_secret, &s.ctx, &w.dst, &w.new_state())
            .map_err(malformed)?
            != s.new_state
        {
            return Err(Violation::new(
                Rule::NewState,
                "new_state != H(account, ctx, peer, new spent, epoch, receipt, new blinding)",
            ));
        }
        Ok(())
    }

    fn define<A: Api>(
        &self,
        api: &mut A,
        w: Option<&FlowBudgetWitness>,
    ) -> Result<(), CircuitError> {
        let FlowBudgetPublic {
            root,
            app_id,
            ctx,
            epoch,
            limit,
            old_state,
            new_state,
            prev_receipt,
            receipt,
        } = api.public_statement(w.map(|w| &w.statement))?;

        let account = api.secret_digest("account_secret", w.map(|w| w.account_secret))?;
        let path = alloc_path(api, self.id.levels(), w.map(|w| &w.path))?;
        let src = api.secret_digest("src", w.map(|w| w.src))?;
        let dst = api.secret_digest("dst", w.map(|w| w.dst))?;
        let old_spent = api.secret_u64("old.spent", w.map(|w| w.old.spent))?;
        let old_epoch = api.secret_u64("old.epoch", w.map(|w| w.old.epoch))?;
        let old_last = api.secret_digest("old.last_receipt", w.map(|w| w.old.last_receipt))?;
        let old_blinding = api.secret_digest("old.blinding", w.map(|w| w.old.blinding))?;
        let cost = api.secret_u64("cost", w.map(|w| w.cost))?;
        let new_spent = api.secret_u64("new_spent", w.map(|w| w.new_spent))?;
        let new_blinding = api.secret_digest("new_blinding", w.map(|w| w.new_blinding))?;
        let nonce = api.secret_id("nonce", w.map(|w| w.nonce))?;

        api.begin_rule(Rule::Membership);
        let leaf = api.hash(Domain::FlowAccount, &[HashInput::Digest(&account)])?;
        let computed_root = merkle_root(api, &leaf, &path)?;
        api.digest_assert_equal(&computed_root, &root)?;

        api.begin_rule(Rule::Commitment);
        let o = state_hash(
            api,
            &account,
            &ctx,
            &dst,
            &old_spent,
            &old_epoch,
            &old_last,
            &old_blinding,
        )?;
        api.digest_assert_equal(&o, &old_state)?;

        api.begin_rule(Rule::ContextIdentity);
        let label = api.id_constant(key_derive_label_id());
        let derived = api.hash(
            Domain::KeyDerive,
            &[
                HashInput::Id(&label),
                HashInput::Digest(&account),
                HashInput::Id(&app_id),
                HashInput::Id(&ctx),
            ],
        )?;
        api.digest_assert_equal(&derived, &src)?;

        api.begin_rule(Rule::EpochTransition);
        let backwards = api.u64_less_than(&epoch, &old_epoch)?;
        let not_backwards = api.not(&backwards);
        api.assert_true(&not_backwards)?;
        let rollover = api.u64_less_than(&old_epoch, &epoch)?;

        api.begin_rule(Rule::BudgetArithmetic);
        let zero = api.u64_constant(0);
        let base = api.u64_select(&rollover, &zero, &old_spent)?;
        let sum = api.u64_sum(&[base, cost.clone()])?;
        api.u64_assert_equal(&sum, &new_spent)?;

        api.begin_rule(Rule::BudgetLimit);
        let over = api.u64_less_than(&limit, &new_spent)?;
        let within = api.not(&over);
        api.assert_true(&within)?;

        api.begin_rule(Rule::ReceiptChain);
        // In the same epoch, prev_receipt is the old state's last receipt.
        let chained = api.digest_select(&rollover, &prev_receipt, &old_last)?;
        api.digest_assert_equal(&prev_receipt, &chained)?;

        api.begin_rule(Rule::CrossEpochReplay);
        // At a new epoch, prev_receipt is the epoch's anchor: no receipt of another epoch.
        let anchor = api.hash(
            Domain::ReceiptAnchor,
            &[HashInput::Id(&ctx), HashInput::U64(&epoch)],
        )?;
        let anchored = api.digest_select(&rollover, &anchor, &prev_receipt)?;
        api.digest_assert_equal(&prev_receipt, &anchored)?;

        api.begin_rule(Rule::ReceiptHash);
        let r = api.hash(
            Domain::FlowReceipt,
            &[
                HashInput::Id(&ctx),
                HashInput::Digest(&src),
                HashInput::Digest(&dst),
                HashInput::U64(&epoch),
                HashInput::U64(&cost),
                HashInput::Id(&nonce),
                HashInput::Digest(&prev_receipt),
            ],
        )?;
        api.digest_assert_equal(&r, &receipt)?;

        api.begin_rule(Rule::NewState);
        let n = state_hash(
            api,
            &account,
            &ctx,
            &dst,
            &new_spent,
            &epoch,
            &receipt,
            &new_blinding,
        )?;
        api.digest_assert_equal(&n, &new_state)
    }
}

impl crate::Listed for FlowBudget {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description: "I charged my budget for (ctx, a hidden peer, epoch) and stayed within limit; this is the charge's receipt, chained to the previous one, and its sender is my identity derived for ctx",
        statement: &[
            crate::doc::field("root", "root of the registry of account commitments H(account secret)"),
            crate::doc::field("app_id", "the application the context identities are derived for"),
            crate::doc::field("ctx", "the context (the receipt's ctx, DKD's context label)"),
            crate::doc::field("epoch", "the context's current epoch"),
            crate::doc::field("limit", "the budget's limit, computed by the verifier (001 §3.2)"),
            crate::doc::field("old_state", "blinded commitment to the budget before the charge"),
            crate::doc::field("new_state", "blinded commitment to the budget after the charge"),
            crate::doc::field("prev_receipt", "the previous receipt of (ctx, epoch), or the epoch's anchor H(ctx, epoch)"),
            crate::doc::field("receipt", "H(ctx, src, dst, epoch, cost, nonce, prev_receipt)"),
        ],
        rules: &[
            crate::doc::WELL_FORMED,
            crate::doc::rule(crate::Rule::Membership, "the account's commitment is in the registry with the public root"),
            crate::doc::rule(crate::Rule::Commitment, "old_state opens to (account, ctx, peer, spent, epoch, last receipt, blinding)"),
            crate::doc::rule(crate::Rule::ContextIdentity, "src = H(\"aura.key.derive.v1\", account secret, app_id, ctx): the sender's identity derived for this context"),
            crate::doc::rule(crate::Rule::EpochTransition, "the old state is of this epoch or an earlier one"),
            crate::doc::rule(crate::Rule::BudgetArithmetic, "new spent = old spent + cost exactly, old spent counting 0 at a new epoch"),
            crate::doc::rule(crate::Rule::BudgetLimit, "new spent <= limit"),
            crate::doc::rule(crate::Rule::ReceiptChain, "in the same epoch, prev_receipt is the old state's last receipt"),
            crate::doc::rule(crate::Rule::CrossEpochReplay, "at a new epoch, prev_receipt is the epoch's anchor, never a receipt of another epoch"),
            crate::doc::rule(crate::Rule::ReceiptHash, "receipt = H(ctx, src, dst, epoch, cost, nonce, prev_receipt)"),
            crate::doc::rule(crate::Rule::NewState, "new_state commits to the same account and peer, the new spent, this epoch and this receipt"),
        ],
        hides: "spent before and after, the cost, which account, the account secret, src and dst, the receipt's nonce, the blindings",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        FlowBudget::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<FlowBudgetWitness, CircuitError> {
        crate::sample::flow_budget_witness::<H>(size, seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// RFC 5869 appendix A, test cases 1 and 3 (HKDF-SHA256).
    #[test]
    fn hkdf_sha256_matches_rfc_5869() {
        let mut okm = [0u8; 42];
        hkdf_sha256(
            &unhex("000102030405060708090a0b0c"),
            &[0x0b; 22],
            &unhex("f0f1f2f3f4f5f6f7f8f9"),
            &mut okm,
        )
        .unwrap();
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
        hkdf_sha256(&[], &[0x0b; 22], &[], &mut okm).unwrap();
        assert_eq!(
            hex::encode(okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
        );
        let mut too_long = vec![0u8; 255 * 32 + 1];
        assert!(hkdf_sha256(&[], &[1], &[], &mut too_long).is_err());
    }

    /// Context keys and identities differ per context and per app, and are deterministic.
    #[test]
    fn derivations_are_per_context() {
        use crate::hash::{PoseidonBls12, PoseidonGoldilocks};
        let root = [7u8; 32];
        let (app, a, b) = (
            Bytes32::from_u64(1),
            Bytes32::from_u64(2),
            Bytes32::from_u64(3),
        );
        assert_eq!(
            hkdf_context_key(&root, &app, &a),
            hkdf_context_key(&root, &app, &a)
        );
        assert_ne!(
            hkdf_context_key(&root, &app, &a),
            hkdf_context_key(&root, &app, &b)
        );
        assert_ne!(
            hkdf_context_key(&root, &a, &b),
            hkdf_context_key(&root, &app, &b)
        );
        let secret = account_secret(&root);
        assert!(PoseidonBls12::is_canonical(&secret) && PoseidonGoldilocks::is_canonical(&secret));
        assert_ne!(secret.0, hkdf_context_key(&root, &app, &a));
        let ia = context_identity::<PoseidonBls12>(&secret, &app, &a).unwrap();
        let ib = context_identity::<PoseidonBls12>(&secret, &app, &b).unwrap();
        assert_ne!(ia, ib);
        assert_eq!(&key_derive_label_id().0[..18], b"aura.key.derive.v1");
    }
}
