//! Confidential receipts (seed 003, "AITBC confidential transactions"; issue 16 §3):
//! envelope encryption of a transaction's sensitive fields for its named participants and an
//! auditor, key management with rotation, and a hash-chained access log.
//!
//! **Envelope.** A receipt's sensitive fields (amount, pricing, settlement details: any JSON
//! object with an `amount_micros`) are encrypted once with a fresh random 256-bit data key
//! (DEK) under AES-256-GCM with a fresh random 96-bit nonce; the associated data is the
//! receipt's *binding* = SHA3-256("veil-receipt-public-v1" ‖ the public part's canonical JSON).
//! The public part carries only ids (receipt id, transaction id, participants, auditor) and,
//! when the receipt is tied to the revenue chain, its tx digest and blinded amount commitment
//! ([`veil_circuits::receipt`]). The DEK is then wrapped once per recipient ([`wrap`]):
//!
//! - **X25519** (RFC 7748): a fresh ephemeral key E per wrap, ss = X25519(e, R), refused if
//!   not contributory (small-order R); kek = HKDF-SHA256(salt = binding, ikm = ss,
//!   info = `veil-receipt-wrap-x25519-v1` ‖ R ‖ E ‖ recipient id); wrapped = E (32) ‖
//!   AES-256-GCM(kek, 12 zero bytes, DEK, aad = binding ‖ recipient id ‖ key id) (48).
//! - **ML-KEM-1024** (FIPS 203, RustCrypto `ml-kem`): (ct, ss) = Encaps(ek); kek =
//!   HKDF-SHA256(salt = binding, ikm = ss, info = `veil-receipt-wrap-ml-kem-1024-v1` ‖
//!   SHA3-256(ek) ‖ SHA3-256(ct) ‖ recipient id); wrapped = ct (1568) ‖ the same seal (48).
//!
//! Each kek seals exactly one DEK, so the zero GCM nonce is never reused under a key. Seed 003
//! names AES-256-GCM, X25519 and the envelope (one DEK per transaction, one wrap per
//! authorized party plus the audit escrow) but no KDF and no labels: HKDF-SHA256 and the labels
//! above are veil's. The seed's `_encrypt_dek` is this wrap; ML-KEM-1024 is the post-quantum
//! option (a hybrid X25519+ML-KEM wrap is not offered).
//!
//! Why not `veil-access`'s wrap (access/src/wrap.rs): that one wraps a content key to a
//! client's *ephemeral* request key with HKDF-SHA3-256 bound to a request nonce and a content
//! id, inside a service crate (tokio, axum) the ledger does not link. The primitives are the
//! same RustCrypto crates; the wrap format here binds a receipt and a long-term key id.
//!
//! **Keys** ([`keystore`]): one key pair per participant and algorithm, in the ledger's
//! store (a settlement store file: SQLite, as the ledger keeps every secret, such as the
//! wallet's blinding factors: the file is the protection, opened with `secure_delete` so a
//! retired secret's bytes are overwritten). **Rotation** makes a new pair, re-wraps the DEK of
//! every active receipt that has a wrap for the old key (the ciphertext is untouched), and
//! retires the old key: its secret is deleted, and a decryption with it is refused as
//! rotated away. **The access log** records every decryption (receipt, requester, key id,
//! purpose, time) in an append-only table (triggers refuse UPDATE and DELETE) whose entries are
//! hash-chained: h_i = SHA3-256("veil-receipt-log-v1" ‖ h_{i-1} ‖ seq ‖ fields), so a
//! rewritten, deleted or reordered entry breaks the chain ([`keystore::Keystore::verify_log`]);
//! a deleted tail is found against a head recorded elsewhere.

pub mod keystore;
pub mod wrap;

pub use keystore::{Keystore, LogEntry, LogReport};
pub use wrap::{Alg, PublicKey, SecretKey};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha3::{Digest as _, Sha3_256};
use veil_verifier::{Bytes32, Id};
use zeroize::Zeroizing;

pub const FORMAT: &str = "veil-confidential-receipt";
pub const FORMAT_VERSION: u32 = 1;
/// Receipts larger than this (the fields' JSON) are refused before anything is allocated.
pub const MAX_FIELDS_BYTES: usize = 64 * 1024;
/// At most this many recipients (participants and the auditor).
pub const MAX_RECIPIENTS: usize = 64;

/// Every refusal of the confidential module, in one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfidentialError {
    #[error("unknown participant {0}: no key registered for it")]
    UnknownParticipant(String),
    #[error("participant {0} is not a recipient of this receipt")]
    NotARecipient(String),
    #[error("the key {key_id} was rotated away: the receipt is now wrapped for another key of {participant}")]
    RotatedKey { participant: String, key_id: String },
    #[error(
        "wrong key: the receipt's wrap for {participant} is for key {wrapped_for}, not {given}"
    )]
    WrongKey {
        participant: String,
        wrapped_for: String,
        given: String,
    },
    #[error("the wrapped data key for {0} was altered (it does not open with the right key)")]
    WrapTampered(String),
    #[error("the ciphertext was altered (it does not open under the receipt's data key)")]
    CiphertextTampered,
    #[error(
        "the public part (associated data) was altered: the receipt no longer matches its binding"
    )]
    PublicTampered,
    #[error("malformed receipt: {0}")]
    Malformed(String),
    #[error("{0}")]
    Refused(String),
    #[error("the access log is broken at entry {seq}: {detail}")]
    LogBroken { seq: u64, detail: String },
    #[error("store: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("{0}")]
    Ledger(#[from] crate::LedgerError),
}

pub type ConfidentialResult<T> = Result<T, ConfidentialError>;

/// Who a wrap is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecipientRole {
    Participant,
    Auditor,
}

/// The public part of a receipt: ids only (and the blinded amount commitment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicPart {
    /// A fresh random id for the receipt.
    pub receipt_id: Id,
    /// The transaction (settlement id) the receipt is for.
    pub transaction_id: Id,
    /// The named participants, in order.
    pub participants: Vec<Id>,
    pub auditor: Id,
    /// The revenue chain's tx digest of the transaction, when the receipt is tied to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_digest: Option<Bytes32>,
    /// C = H_ReceiptAmount(tx digest, amount, blinding) of that backend's hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_commitment: Option<Bytes32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
}

impl PublicPart {
    /// SHA3-256 over the canonical JSON (fields in declaration order): the associated data.
    pub fn binding(&self) -> Bytes32 {
        let mut h = Sha3_256::new();
        h.update(b"veil-receipt-public-v1");
        h.update(serde_json::to_vec(self).expect("a public part serializes"));
        Bytes32(h.finalize().into())
    }
}

/// The data key wrapped for one recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wrap {
    pub recipient: Id,
    pub role: RecipientRole,
    pub alg: Alg,
    /// [`PublicKey::key_id`] of the key it is wrapped for.
    pub key_id: Bytes32,
    #[serde(with = "hex_bytes")]
    pub wrapped: Vec<u8>,
}

/// A confidential receipt file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfidentialReceipt {
    pub format: String,
    pub format_version: u32,
    pub public: PublicPart,
    pub cipher: String,
    #[serde(with = "hex_bytes")]
    pub nonce: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub ciphertext: Vec<u8>,
    pub wraps: Vec<Wrap>,
}

/// A recipient named at encryption.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub id: Id,
    pub role: RecipientRole,
    pub key: PublicKey,
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        // Bound before decoding: a receipt's largest field is its ciphertext.
        if s.len() > 2 * (super::MAX_FIELDS_BYTES + 4096) {
            return Err(serde::de::Error::custom("hex field too long"));
        }
        hex::decode(&s).map_err(serde::de::Error::custom)
    }
}

pub fn random32() -> [u8; 32] {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// The amount a fields object carries (`amount_micros`, a u64).
pub fn fields_amount(fields: &serde_json::Value) -> ConfidentialResult<u64> {
    fields
        .get("amount_micros")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| {
            ConfidentialError::Refused(
                "the fields must be a JSON object with \"amount_micros\" (an unsigned integer)"
                    .into(),
            )
        })
}

/// Encrypts `fields` once under a fresh data key and wraps that key for every recipient.
pub fn seal(
    public: PublicPart,
    fields: &serde_json::Value,
    recipients: &[Recipient],
) -> ConfidentialResult<ConfidentialReceipt> {
    if !fields.is_object() {
        return Err(ConfidentialError::Refused(
            "the fields must be a JSON object".into(),
        ));
    }
    if recipients.is_empty() || recipients.len() > MAX_RECIPIENTS {
        return Err(ConfidentialError::Refused(format!(
            "{} recipients: between 1 and {MAX_RECIPIENTS}",
            recipients.len()
        )));
    }
    let plain =
        Zeroizing::new(serde_json::to_vec(fields).map_err(|e| {
            ConfidentialError::Refused(format!("the fields do not serialize: {e}"))
        })?);
    if plain.len() > MAX_FIELDS_BYTES {
        return Err(ConfidentialError::Refused(format!(
            "the fields are {} bytes, at most {MAX_FIELDS_BYTES}",
            plain.len()
        )));
    }
    let dek = Zeroizing::new(random32());
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let binding = public.binding();
    let ciphertext = Aes256Gcm::new((&*dek).into())
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: &binding.0,
            },
        )
        .map_err(|e| ConfidentialError::Refused(format!("AES-GCM: {e}")))?;
    let mut wraps = Vec::with_capacity(recipients.len());
    for r in recipients {
        wraps.push(wrap::wrap(&dek, &binding, &r.id, r.role, &r.key)?);
    }
    Ok(ConfidentialReceipt {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        public,
        cipher: "aes-256-gcm".into(),
        nonce: nonce.to_vec(),
        ciphertext,
        wraps,
    })
}

impl ConfidentialReceipt {
    /// Reads a receipt file, refusing another format or shape.
    pub fn from_json(text: &str) -> ConfidentialResult<Self> {
        if text.len() > 4 * MAX_FIELDS_BYTES + MAX_RECIPIENTS * 8192 {
            return Err(ConfidentialError::Malformed("the file is too large".into()));
        }
        let r: ConfidentialReceipt =
            serde_json::from_str(text).map_err(|e| ConfidentialError::Malformed(e.to_string()))?;
        if r.format != FORMAT || r.format_version != FORMAT_VERSION {
            return Err(ConfidentialError::Malformed(format!(
                "format {:?} version {}, expected {FORMAT:?} version {FORMAT_VERSION}",
                r.format, r.format_version
            )));
        }
        if r.cipher != "aes-256-gcm" || r.nonce.len() != 12 {
            return Err(ConfidentialError::Malformed(
                "cipher must be aes-256-gcm with a 12-byte nonce".into(),
            ));
        }
        if r.wraps.len() > MAX_RECIPIENTS {
            return Err(ConfidentialError::Malformed("too many wraps".into()));
        }
        Ok(r)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a receipt serializes")
    }

    /// The wrap for `recipient`, if any.
    pub fn wrap_for(&self, recipient: &Id) -> Option<&Wrap> {
        self.wraps.iter().find(|w| &w.recipient == recipient)
    }

    /// Opens the data key for `recipient` with `key`; see [`Self::open`].
    pub fn unwrap_dek(
        &self,
        recipient: &Id,
        key: &SecretKey,
    ) -> ConfidentialResult<Zeroizing<[u8; 32]>> {
        let w = self
            .wrap_for(recipient)
            .ok_or_else(|| ConfidentialError::NotARecipient(recipient.to_hex()))?;
        let given = key.public().key_id();
        if w.key_id != given || w.alg != key.alg() {
            return Err(ConfidentialError::WrongKey {
                participant: recipient.to_hex(),
                wrapped_for: w.key_id.to_hex(),
                given: given.to_hex(),
            });
        }
        wrap::unwrap(w, &self.public.binding(), key)
    }

    /// Decrypts the fields as `recipient` with `key`. Without a store (see
    /// [`Keystore::decrypt`], which also tells a tampered public part or ciphertext apart by
    /// the digests it registered), an altered public part shows as the wrap failing to open.
    pub fn open(&self, recipient: &Id, key: &SecretKey) -> ConfidentialResult<serde_json::Value> {
        let dek = self.unwrap_dek(recipient, key)?;
        self.open_with(&dek)
    }

    /// Decrypts the fields with the data key.
    pub fn open_with(&self, dek: &[u8; 32]) -> ConfidentialResult<serde_json::Value> {
        let plain = Zeroizing::new(
            Aes256Gcm::new(dek.into())
                .decrypt(
                    Nonce::from_slice(&self.nonce),
                    Payload {
                        msg: &self.ciphertext,
                        aad: &self.public.binding().0,
                    },
                )
                .map_err(|_| ConfidentialError::CiphertextTampered)?,
        );
        serde_json::from_slice(&plain)
            .map_err(|e| ConfidentialError::Malformed(format!("the decrypted fields: {e}")))
    }

    /// Replaces `recipient`'s wrap by one for `new_key` (the ciphertext is untouched).
    pub fn rewrap(
        &mut self,
        recipient: &Id,
        old: &SecretKey,
        new_key: &PublicKey,
    ) -> ConfidentialResult<()> {
        let dek = self.unwrap_dek(recipient, old)?;
        let binding = self.public.binding();
        let i = self
            .wraps
            .iter()
            .position(|w| &w.recipient == recipient)
            .ok_or_else(|| ConfidentialError::NotARecipient(recipient.to_hex()))?;
        let role = self.wraps[i].role;
        self.wraps[i] = wrap::wrap(&dek, &binding, recipient, role, new_key)?;
        Ok(())
    }

    /// SHA3-256 of the ciphertext (what a store registers).
    pub fn ciphertext_digest(&self) -> Bytes32 {
        Bytes32(Sha3_256::digest(&self.ciphertext).into())
    }
}

/// The blinded amount commitment of a receipt for the revenue chain's `tx_digest`, and its
/// blinding (a fresh full field element of the backend; it goes into the sealed fields as
/// `amount_blinding`).
pub fn amount_commitment(
    backend: veil_verifier::Backend,
    tx_digest: &Bytes32,
    amount: u64,
) -> ConfidentialResult<(Bytes32, Bytes32)> {
    use veil_circuits::{batch::fresh_blinding, receipt};
    let map = |e: veil_circuits::CircuitError| ConfidentialError::Refused(e.to_string());
    Ok(match backend {
        veil_verifier::Backend::Groth16 => {
            let b = fresh_blinding::<veil_circuits::PoseidonBls12>().map_err(map)?;
            let c =
                receipt::amount_commitment::<veil_circuits::PoseidonBls12>(tx_digest, amount, &b)
                    .map_err(map)?;
            (c, b)
        }
        veil_verifier::Backend::Plonky2 => {
            let b = fresh_blinding::<veil_circuits::PoseidonGoldilocks>().map_err(map)?;
            let c = receipt::amount_commitment::<veil_circuits::PoseidonGoldilocks>(
                tx_digest, amount, &b,
            )
            .map_err(map)?;
            (c, b)
        }
    })
}
