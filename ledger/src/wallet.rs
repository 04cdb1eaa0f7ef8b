//! The customer's wallet (seed 000 §3.2, §3.5, §3.6): blinding factors, blinded ids, tokens,
//! and the ownership and renewal witnesses built from a path the issuer hands out.
//!
//! - bf: 64 random bytes, one per package, kept only here.
//! - blinded customer id = HKDF-SHA3-256(IKM = PRIME id, salt = bf,
//!   info = "estream-license-v1" ‖ package id), 32 bytes: one per package, unlinkable across
//!   packages without the bfs.
//! - The circuits take the blinding factor as a field element: [`bf_field`] = SHA3-256(
//!   "veil-ledger/bf-field-v1" ‖ bf) with its top bits cleared so that it is canonical on
//!   both backends (below 2^254, and each 8-byte limb below 2^63).
//! - The request sends {blinded id, package id, SHA3-256(bf), H_BlindingCommitment(bf field)}.

use crate::error::{LedgerError, LedgerResult};
use crate::hashing::by_backend;
use crate::issuer::{TokenPath, TokenRecord, TokenRequest};
use crate::store::{Role, Store};
use hkdf::Hkdf;
use rand::RngCore;
use rusqlite::OptionalExtension;
use sha3::{Digest as _, Sha3_256};
use std::path::Path;
use veil_circuits::ownership::{blinding_commitment, tag, token_leaf};
use veil_circuits::renewal::{renewal_nullifier, renewed_token};
use veil_circuits::{OwnershipWitness, RenewalWitness};
use veil_verifier::attest::PublicKey;
use veil_verifier::{Backend, Bytes32, Digest, Id, OwnershipStatement, RenewalStatement};

/// HKDF's info prefix for blinded customer ids (seed 000 §3.2).
pub const BLINDED_ID_INFO: &[u8] = b"estream-license-v1";
/// Length of a blinding factor.
pub const BF_LEN: usize = 64;

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE wallet_tokens (
    package_id BLOB PRIMARY KEY NOT NULL,
    blinding_factor BLOB NOT NULL,
    blinded_customer_id BLOB NOT NULL,
    token TEXT
) STRICT;
";

/// Version 2: the tokens a renewal replaced, kept so that the wallet can show what it spent.
pub(crate) const SCHEMA_V2: &str = "
CREATE TABLE wallet_replaced (
    token_id BLOB PRIMARY KEY NOT NULL,
    package_id BLOB NOT NULL,
    token TEXT NOT NULL,
    replaced_by BLOB NOT NULL
) STRICT;
";

/// HKDF-SHA3-256(PRIME id, bf, "estream-license-v1" ‖ package id), 32 bytes.
pub fn blinded_customer_id(prime_id: &[u8], bf: &[u8; BF_LEN], package_id: &Id) -> Id {
    let hk = Hkdf::<Sha3_256>::new(Some(bf), prime_id);
    let mut info = BLINDED_ID_INFO.to_vec();
    info.extend_from_slice(&package_id.0);
    let mut out = [0u8; 32];
    hk.expand(&info, &mut out)
        .expect("32 bytes is a valid HKDF-SHA3-256 output length");
    Bytes32(out)
}

/// SHA3-256(bf): what the token records.
pub fn blinding_factor_hash(bf: &[u8; BF_LEN]) -> Bytes32 {
    Bytes32(Sha3_256::digest(bf).into())
}

/// The blinding factor as the circuits' field element (see the module documentation).
pub fn bf_field(bf: &[u8; BF_LEN]) -> Digest {
    let mut h = Sha3_256::new();
    h.update(b"veil-ledger/bf-field-v1");
    h.update(bf);
    let mut b: [u8; 32] = h.finalize().into();
    b[0] &= 0x3f;
    for limb in 1..4 {
        b[limb * 8] &= 0x7f;
    }
    Bytes32(b)
}

pub struct Wallet {
    store: Store,
}

struct Held {
    bf: [u8; BF_LEN],
    token: Option<TokenRecord>,
}

impl Wallet {
    pub fn open(path: &Path, backend: Option<Backend>) -> LedgerResult<Wallet> {
        Ok(Wallet {
            store: Store::open(path, Role::Wallet, backend)?,
        })
    }

    /// Makes a fresh blinding factor for `package_id`, stores it, and returns the request to
    /// send to the issuer. One per package: a second request for a package is refused.
    pub fn request(&mut self, prime_id: &[u8], package_id: &Id) -> LedgerResult<TokenRequest> {
        if prime_id.is_empty() {
            return Err(LedgerError::refused("the PRIME id is empty"));
        }
        let mut bf = [0u8; BF_LEN];
        rand::rngs::OsRng.fill_bytes(&mut bf);
        let blinded = blinded_customer_id(prime_id, &bf, package_id);
        self.store.write(|tx, b| {
            let n = tx.execute(
                "INSERT OR IGNORE INTO wallet_tokens (package_id, blinding_factor, blinded_customer_id) VALUES (?1, ?2, ?3)",
                rusqlite::params![package_id.0.to_vec(), bf.to_vec(), blinded.0.to_vec()],
            )?;
            if n == 0 {
                return Err(LedgerError::refused(format!(
                    "the wallet already holds a blinding factor for package {package_id}"
                )));
            }
            Ok(TokenRequest {
                blinded_customer_id: blinded,
                package_id: *package_id,
                blinding_factor_hash: blinding_factor_hash(&bf),
                blinding_commitment: by_backend!(b, blinding_commitment(&bf_field(&bf)))?,
            })
        })
    }

    /// Stores a token the issuer returned, after checking its signature and that it is for
    /// this wallet's request.
    pub fn accept(&mut self, token: &TokenRecord, issuer: &PublicKey) -> LedgerResult<()> {
        token.verify(issuer)?;
        let json = serde_json::to_string(token).map_err(|e| LedgerError::refused(e.to_string()))?;
        self.store.write(|tx, b| {
            let held = held(tx, &token.package_id)?;
            let bf = held.bf;
            if token.blinding_factor_hash != blinding_factor_hash(&bf)
                || token.blinding_commitment != by_backend!(b, blinding_commitment(&bf_field(&bf)))?
            {
                return Err(LedgerError::refused(
                    "the token is not for this wallet's blinding factor",
                ));
            }
            tx.execute(
                "UPDATE wallet_tokens SET token = ?1 WHERE package_id = ?2",
                rusqlite::params![json, token.package_id.0.to_vec()],
            )?;
            Ok(())
        })
    }

    fn held_token(&mut self, package_id: &Id) -> LedgerResult<([u8; BF_LEN], TokenRecord)> {
        let h = self.store.read(|tx, _| held(tx, package_id))?;
        let t = h.token.ok_or_else(|| {
            LedgerError::refused(format!(
                "the wallet holds no token for package {package_id}"
            ))
        })?;
        Ok((h.bf, t))
    }

    /// The ownership witness (seed 000 §3.5) for the held token of `package_id`.
    pub fn ownership_witness(
        &mut self,
        package_id: &Id,
        path: &TokenPath,
        challenge: &Id,
        now: u64,
    ) -> LedgerResult<OwnershipWitness> {
        let backend = self.store.backend();
        let (bf, t) = self.held_token(package_id)?;
        check_path(&t, path)?;
        let bf = bf_field(&bf);
        Ok(OwnershipWitness {
            statement: OwnershipStatement {
                root: path.root,
                package_id: *package_id,
                now,
                challenge: *challenge,
                tag: by_backend!(backend, tag(&bf, challenge))?,
            },
            blinding_factor: bf,
            token: t.token(),
            path: path.path.clone(),
        })
    }

    /// The renewal witness (seed 000 §3.6) renewing the held token to `new_expires_at` under
    /// the fresh id `new_token_id`.
    pub fn renewal_witness(
        &mut self,
        package_id: &Id,
        path: &TokenPath,
        now: u64,
        new_expires_at: u64,
        new_token_id: &Id,
    ) -> LedgerResult<RenewalWitness> {
        let backend = self.store.backend();
        let (bf, t) = self.held_token(package_id)?;
        check_path(&t, path)?;
        let bf = bf_field(&bf);
        let token = t.token();
        let old_leaf = by_backend!(backend, token_leaf(package_id, &token))?;
        let new = renewed_token(&token, new_expires_at, *new_token_id);
        Ok(RenewalWitness {
            statement: RenewalStatement {
                root: path.root,
                package_id: *package_id,
                now,
                nullifier: by_backend!(backend, renewal_nullifier(&bf, &old_leaf))?,
                new_leaf: by_backend!(backend, token_leaf(package_id, &new))?,
                new_expires_at,
            },
            blinding_factor: bf,
            token,
            path: path.path.clone(),
            new_token_id: *new_token_id,
        })
    }
}

impl Wallet {
    /// After the issuer accepted `witness`'s renewal proof (its new leaf at `leaf_index`):
    /// the held token is marked replaced and the renewed token (the witness's new id and
    /// expiry, at the new leaf) becomes the one later witnesses use, in one transaction.
    /// A renewed token carries no issuer signature: the issuer accepted it as an anonymous
    /// renewal proof, which is the point of renewal. Refused if the held token is not the one
    /// the renewal spent (a second `renewed` for the same renewal, for instance).
    pub fn renewed(
        &mut self,
        witness: &RenewalWitness,
        leaf_index: u64,
    ) -> LedgerResult<TokenRecord> {
        let package_id = witness.statement.package_id;
        self.store.write(|tx, b| {
            let held = held(tx, &package_id)?;
            let old = held.token.ok_or_else(|| {
                LedgerError::refused(format!("the wallet holds no token for package {package_id}"))
            })?;
            if old.token() != witness.token {
                return Err(LedgerError::refused(format!(
                    "the wallet's token {} for package {package_id} is not the one this renewal spends (already replaced?)",
                    old.token_id
                )));
            }
            let mut new = old.clone();
            new.token_id = witness.new_token_id;
            new.expires_at = witness.statement.new_expires_at;
            new.leaf_index = leaf_index;
            new.signature = String::new();
            if by_backend!(b, token_leaf(&package_id, &new.token()))? != witness.statement.new_leaf {
                return Err(LedgerError::refused(
                    "the renewed token does not give the renewal's new leaf",
                ));
            }
            let to_json = |t: &TokenRecord| {
                serde_json::to_string(t).map_err(|e| LedgerError::refused(e.to_string()))
            };
            tx.execute(
                "INSERT INTO wallet_replaced (token_id, package_id, token, replaced_by) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![old.token_id.0.to_vec(), package_id.0.to_vec(), to_json(&old)?, new.token_id.0.to_vec()],
            )?;
            tx.execute(
                "UPDATE wallet_tokens SET token = ?1 WHERE package_id = ?2",
                rusqlite::params![to_json(&new)?, package_id.0.to_vec()],
            )?;
            Ok(new)
        })
    }

    /// The ids of the tokens renewals replaced, oldest first.
    pub fn replaced(&mut self) -> LedgerResult<Vec<Id>> {
        self.store.read(|tx, _| {
            let mut st = tx.prepare("SELECT token_id FROM wallet_replaced ORDER BY rowid")?;
            let ids = st
                .query_map([], |r| crate::store::b32(r, 0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ids)
        })
    }
}

/// A path fetched by leaf index (a renewed token, whose id the issuer never learns) carries
/// the zero token id; otherwise the path must name the held token.
fn check_path(t: &TokenRecord, path: &TokenPath) -> LedgerResult<()> {
    let named = path.token_id == t.token_id || path.token_id == Bytes32([0u8; 32]);
    if !named || path.path.index != t.leaf_index {
        return Err(LedgerError::refused(format!(
            "the path is for token {} at index {}, the wallet holds token {} at index {}",
            path.token_id, path.path.index, t.token_id, t.leaf_index
        )));
    }
    Ok(())
}

fn held(tx: &rusqlite::Transaction, package_id: &Id) -> LedgerResult<Held> {
    let row = tx
        .query_row(
            "SELECT blinding_factor, token FROM wallet_tokens WHERE package_id = ?1",
            [package_id.0.to_vec()],
            |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?
        .ok_or_else(|| {
            LedgerError::refused(format!(
                "the wallet has no request for package {package_id}"
            ))
        })?;
    let bf: [u8; BF_LEN] = row
        .0
        .as_slice()
        .try_into()
        .map_err(|_| LedgerError::refused("the stored blinding factor is not 64 bytes"))?;
    let token = row
        .1
        .map(|j| serde_json::from_str::<TokenRecord>(&j))
        .transpose()
        .map_err(|e| LedgerError::refused(format!("the stored token is unreadable: {e}")))?;
    Ok(Held { bf, token })
}
