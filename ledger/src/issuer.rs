//! The issuer (seed 000 §3.3-§3.6, §6.1; tier sets of seed 002): token records signed with
//! ML-DSA-87, the tree of active tokens, revocation, renewal, signed roots per epoch and
//! paths for holders; approved tier commitments, their signed roots and the per-epoch
//! nullifier store.
//!
//! What the issuer holds is what seed 000 §8.2 lets it learn: per token the *blinded*
//! customer id (one per package, unlinkable across packages), the package, SHA3-256 of the
//! blinding factor and its Poseidon commitment, times and status. It never sees a blinding
//! factor or a customer's real id. A renewal gives it only the proof's public values (root,
//! nullifier, new leaf, new expiry): it cannot tell which token was renewed.
//!
//! Token signature (FIPS 204 pure mode, context [`CONTEXT_TOKEN`] = `veil-ledger-token-v1`),
//! over 32 + 32 + 32 + 32 + 32 + 32 + 8 + 8 + 8 = 216 bytes:
//!
//! | bytes | field |
//! | --- | --- |
//! | 32 | issuer key id |
//! | 32 | token_id |
//! | 32 | blinded_customer_id |
//! | 32 | package_id |
//! | 32 | blinding_factor_hash = SHA3-256(bf) |
//! | 32 | blinding_commitment = H_BlindingCommitment(bf as a field element) |
//! | 8 | issued_at, big-endian u64 |
//! | 8 | expires_at, big-endian u64 |
//! | 8 | leaf_index, big-endian u64 |

use crate::error::{LedgerError, LedgerResult};
use crate::hashing::by_backend;
use crate::store::{b32, from_sql_u64, to_sql_u64, Role, Store};
use crate::tree::Tree;
use rand::RngCore;
use rusqlite::{OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use std::path::Path;
use veil_circuits::ownership::{token_leaf, Token};
use veil_circuits::{CircuitError, MerklePath, NativeHasher};
use veil_prover::attest::SecretKey;
use veil_verifier::attest::{sha3_256, KeyId, PublicKey, RootInfo, Signature, SignedRoot};
use veil_verifier::{
    AnyVerifyingKey, Backend, Bytes32, CircuitKind, Digest, Id, ProofEnvelope, Statement,
};

/// FIPS 204 context string of token signatures.
pub const CONTEXT_TOKEN: &str = "veil-ledger-token-v1";

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE packages (
    package_id BLOB PRIMARY KEY NOT NULL
) STRICT;
CREATE TABLE tokens (
    token_id BLOB PRIMARY KEY NOT NULL,
    blinded_customer_id BLOB NOT NULL,
    package_id BLOB NOT NULL REFERENCES packages(package_id),
    blinding_factor_hash BLOB NOT NULL,
    blinding_commitment BLOB NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    is_active INTEGER NOT NULL,
    leaf_index INTEGER NOT NULL UNIQUE,
    issuer_key_id BLOB NOT NULL,
    signature BLOB NOT NULL
) STRICT;
CREATE UNIQUE INDEX tokens_one_per_customer_package ON tokens (package_id, blinded_customer_id, blinding_factor_hash);
CREATE TABLE renewals (
    nullifier BLOB PRIMARY KEY NOT NULL,
    package_id BLOB NOT NULL,
    new_leaf BLOB NOT NULL,
    new_expires_at INTEGER NOT NULL,
    leaf_index INTEGER NOT NULL,
    epoch INTEGER NOT NULL
) STRICT;
CREATE TABLE tier_nullifiers (
    epoch_beacon BLOB NOT NULL,
    nullifier BLOB NOT NULL,
    request_binding BLOB NOT NULL,
    PRIMARY KEY (epoch_beacon, nullifier)
) STRICT;
";

/// What a wallet sends to be issued a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub blinded_customer_id: Id,
    pub package_id: Id,
    /// SHA3-256 of the 64-byte blinding factor.
    pub blinding_factor_hash: Bytes32,
    /// H_BlindingCommitment of the blinding factor's field element (what the leaf holds).
    pub blinding_commitment: Digest,
}

/// A token as the issuer keeps it, with the issuer's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRecord {
    pub token_id: Id,
    pub blinded_customer_id: Id,
    pub package_id: Id,
    pub blinding_factor_hash: Bytes32,
    pub blinding_commitment: Digest,
    pub issued_at: u64,
    pub expires_at: u64,
    pub is_active: bool,
    pub leaf_index: u64,
    pub issuer_key_id: KeyId,
    pub signature: String,
}

impl TokenRecord {
    /// The signed message (see the module documentation).
    pub fn message(&self, issuer: &KeyId) -> Vec<u8> {
        let mut m = Vec::with_capacity(216);
        for b in [
            &issuer.0,
            &self.token_id.0,
            &self.blinded_customer_id.0,
            &self.package_id.0,
            &self.blinding_factor_hash.0,
            &self.blinding_commitment.0,
        ] {
            m.extend_from_slice(b);
        }
        for v in [self.issued_at, self.expires_at, self.leaf_index] {
            m.extend_from_slice(&v.to_be_bytes());
        }
        m
    }

    /// The token as the circuits take it.
    pub fn token(&self) -> Token {
        Token {
            token_id: self.token_id,
            blinding_commitment: self.blinding_commitment,
            expires_at: self.expires_at,
        }
    }

    /// Checks the issuer's signature with its public key.
    pub fn verify(&self, issuer: &PublicKey) -> LedgerResult<()> {
        if self.issuer_key_id != issuer.key_id() {
            return Err(LedgerError::refused(format!(
                "the token was signed by key {}, not {}",
                self.issuer_key_id,
                issuer.key_id()
            )));
        }
        let sig = Signature::from_hex(&self.signature)?;
        issuer.verify(
            "token",
            CONTEXT_TOKEN,
            &self.message(&issuer.key_id()),
            &sig,
        )?;
        Ok(())
    }
}

/// A holder's path to its token, against the latest signed root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenPath {
    pub token_id: Id,
    pub root: Digest,
    pub epoch: u64,
    pub depth: u32,
    pub path: MerklePath,
}

/// What a renewal stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Renewed {
    pub nullifier: Digest,
    pub new_leaf: Digest,
    pub new_expires_at: u64,
    pub leaf_index: u64,
}

fn is_canonical<H: NativeHasher>(d: &Bytes32) -> Result<bool, CircuitError> {
    Ok(H::is_canonical(d))
}

pub(crate) fn check_canonical(backend: Backend, d: &Bytes32, what: &str) -> LedgerResult<()> {
    if by_backend!(backend, is_canonical(d))? {
        Ok(())
    } else {
        Err(LedgerError::refused(format!(
            "{what} is not a canonical {backend} field element"
        )))
    }
}

fn token_tree_id() -> Bytes32 {
    sha3_256(b"veil-ledger/token-tree")
}

fn tier_tree_id() -> Bytes32 {
    sha3_256(b"veil-ledger/tier-set")
}

/// A fresh random 32-byte id.
pub fn random_id() -> Id {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    Bytes32(b)
}

fn signed_root(
    tree: &Tree,
    tx: &Transaction,
    key: &SecretKey,
    epoch: u64,
    signed_at: u64,
) -> LedgerResult<SignedRoot> {
    let info = RootInfo {
        tree_id: tree.id,
        depth: tree.depth,
        root: tree.root(tx)?,
        leaf_count: tree.leaf_count,
        epoch,
    };
    Ok(key.sign_root(&info, signed_at)?)
}

/// The issuer's store.
pub struct Issuer {
    store: Store,
}

impl Issuer {
    pub fn open(path: &Path, backend: Option<Backend>) -> LedgerResult<Issuer> {
        Ok(Issuer {
            store: Store::open(path, Role::Issuer, backend)?,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Creates the token tree (depth from the ownership/renewal circuit id, e.g. 20) and the
    /// tier-set tree; calling it again with the same depths changes nothing.
    pub fn init(&mut self, token_depth: u32, tier_depth: u32) -> LedgerResult<()> {
        self.store.write(|tx, b| {
            Tree::create_or_open(tx, b, token_tree_id(), "token", token_depth)?;
            Tree::create_or_open(tx, b, tier_tree_id(), "tier", tier_depth)?;
            Ok(())
        })
    }

    pub fn add_package(&mut self, package_id: &Id) -> LedgerResult<()> {
        self.store.write(|tx, _| {
            tx.execute(
                "INSERT OR IGNORE INTO packages (package_id) VALUES (?1)",
                [package_id.0.to_vec()],
            )?;
            Ok(())
        })
    }

    /// Issues a token for a request: the record, its signature and its leaf, in one
    /// transaction.
    pub fn issue(
        &mut self,
        req: &TokenRequest,
        key: &SecretKey,
        issued_at: u64,
        expires_at: u64,
    ) -> LedgerResult<TokenRecord> {
        if expires_at <= issued_at {
            return Err(LedgerError::refused(format!(
                "the token would expire ({expires_at}) before it is issued ({issued_at})"
            )));
        }
        self.store.write(|tx, b| {
            known_package(tx, &req.package_id)?;
            check_canonical(b, &req.blinding_commitment, "blinding_commitment")?;
            let mut tree = Tree::open(tx, b, token_tree_id())?;
            let mut rec = TokenRecord {
                token_id: random_id(),
                blinded_customer_id: req.blinded_customer_id,
                package_id: req.package_id,
                blinding_factor_hash: req.blinding_factor_hash,
                blinding_commitment: req.blinding_commitment,
                issued_at,
                expires_at,
                is_active: true,
                leaf_index: tree.leaf_count,
                issuer_key_id: key.key_id(),
                signature: String::new(),
            };
            let leaf = by_backend!(b, token_leaf(&rec.package_id, &rec.token()))?;
            let index = tree.append(tx, leaf)?;
            debug_assert_eq!(index, rec.leaf_index);
            rec.signature = key
                .sign(CONTEXT_TOKEN, &rec.message(&key.key_id()))?
                .to_hex();
            let dup = tx.execute(
                "INSERT OR IGNORE INTO tokens (token_id, blinded_customer_id, package_id, blinding_factor_hash,
                   blinding_commitment, issued_at, expires_at, is_active, leaf_index, issuer_key_id, signature)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?10)",
                rusqlite::params![
                    rec.token_id.0.to_vec(),
                    rec.blinded_customer_id.0.to_vec(),
                    rec.package_id.0.to_vec(),
                    rec.blinding_factor_hash.0.to_vec(),
                    rec.blinding_commitment.0.to_vec(),
                    to_sql_u64(issued_at, "issued_at")?,
                    to_sql_u64(expires_at, "expires_at")?,
                    to_sql_u64(index, "leaf index")?,
                    rec.issuer_key_id.0.to_vec(),
                    rec.signature.as_bytes().to_vec(),
                ],
            )?;
            if dup == 0 {
                return Err(LedgerError::refused(
                    "a token was already issued for this request (same package, blinded id and blinding factor)",
                ));
            }
            Ok(rec)
        })
    }

    /// Revokes a token: it is marked inactive and its leaf emptied, so no path leads to it
    /// from the next root on.
    pub fn revoke(&mut self, token_id: &Id) -> LedgerResult<TokenRecord> {
        self.store.write(|tx, b| {
            let rec = token(tx, token_id)?;
            if !rec.is_active {
                return Err(LedgerError::refused(format!(
                    "token {token_id} is already revoked"
                )));
            }
            let tree = Tree::open(tx, b, token_tree_id())?;
            tree.clear(tx, rec.leaf_index)?;
            tx.execute(
                "UPDATE tokens SET is_active = 0 WHERE token_id = ?1",
                [token_id.0.to_vec()],
            )?;
            Ok(TokenRecord {
                is_active: false,
                ..rec
            })
        })
    }

    pub fn token(&mut self, token_id: &Id) -> LedgerResult<TokenRecord> {
        self.store.read(|tx, _| token(tx, token_id))
    }

    /// Signs and records the token tree's root as the next epoch's.
    pub fn publish_root(&mut self, key: &SecretKey, signed_at: u64) -> LedgerResult<SignedRoot> {
        self.publish(token_tree_id(), key, signed_at)
    }

    /// Signs and records the tier set's root as the next epoch's.
    pub fn publish_tier_root(
        &mut self,
        key: &SecretKey,
        signed_at: u64,
    ) -> LedgerResult<SignedRoot> {
        self.publish(tier_tree_id(), key, signed_at)
    }

    fn publish(
        &mut self,
        id: Bytes32,
        key: &SecretKey,
        signed_at: u64,
    ) -> LedgerResult<SignedRoot> {
        self.store.write(|tx, b| {
            let mut tree = Tree::open(tx, b, id)?;
            let signed = signed_root(&tree, tx, key, tree.epoch + 1, signed_at)?;
            tree.publish(tx, &signed.to_json())?;
            Ok(signed)
        })
    }

    /// The path of an active token against the latest signed root. Refused when the tree has
    /// changed since that root was published (publish a root first).
    pub fn path(&mut self, token_id: &Id) -> LedgerResult<TokenPath> {
        self.store.read(|tx, b| {
            let rec = token(tx, token_id)?;
            if !rec.is_active {
                return Err(LedgerError::refused(format!("token {token_id} is revoked")));
            }
            let tree = Tree::open(tx, b, token_tree_id())?;
            let (epoch, root) = current_root(&tree, tx)?;
            Ok(TokenPath {
                token_id: *token_id,
                root,
                epoch,
                depth: tree.depth,
                path: tree.path(tx, rec.leaf_index)?,
            })
        })
    }

    /// The path of leaf `index` against the latest signed root, with the zero token id: how a
    /// wallet fetches the path of a renewed token, whose id the issuer does not know.
    pub fn path_at(&mut self, index: u64) -> LedgerResult<TokenPath> {
        self.store.read(|tx, b| {
            let tree = Tree::open(tx, b, token_tree_id())?;
            if index >= tree.leaf_count {
                return Err(LedgerError::refused(format!(
                    "leaf {index} is not in the token tree ({} leaves)",
                    tree.leaf_count
                )));
            }
            let (epoch, root) = current_root(&tree, tx)?;
            Ok(TokenPath {
                token_id: Bytes32([0u8; 32]),
                root,
                epoch,
                depth: tree.depth,
                path: tree.path(tx, index)?,
            })
        })
    }

    /// A renewal (seed 000 §3.6): the proof must verify with `vk` (a renewal key for the
    /// tree's depth), be against the latest signed root, and carry a nullifier never seen;
    /// then the nullifier is stored and the new leaf inserted, in one transaction.
    pub fn renew(&mut self, env: &ProofEnvelope, vk: &AnyVerifyingKey) -> LedgerResult<Renewed> {
        let Statement::Renewal(s) = &env.statement else {
            return Err(LedgerError::refused(format!(
                "not a renewal proof: a {} proof",
                env.circuit
            )));
        };
        self.store.write(|tx, b| {
            let mut tree = Tree::open(tx, b, token_tree_id())?;
            if env.circuit.kind != CircuitKind::Renewal || env.circuit.size != tree.depth {
                return Err(LedgerError::refused(format!(
                    "a {} proof, the token tree needs renewal-{}",
                    env.circuit, tree.depth
                )));
            }
            if env.backend != b {
                return Err(LedgerError::refused(format!(
                    "a {} proof, this issuer's tree is {b}",
                    env.backend
                )));
            }
            known_package(tx, &s.package_id)?;
            tree.expect_current_root(tx, &s.root)?;
            let seen: Option<i64> = tx
                .query_row(
                    "SELECT epoch FROM renewals WHERE nullifier = ?1",
                    [s.nullifier.0.to_vec()],
                    |r| r.get(0),
                )
                .optional()?;
            if seen.is_some() {
                return Err(LedgerError::refused(
                    "this token was already renewed (its renewal nullifier is spent)",
                ));
            }
            vk.verify(env)?;
            let index = tree.append(tx, s.new_leaf)?;
            tx.execute(
                "INSERT INTO renewals (nullifier, package_id, new_leaf, new_expires_at, leaf_index, epoch)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    s.nullifier.0.to_vec(),
                    s.package_id.0.to_vec(),
                    s.new_leaf.0.to_vec(),
                    to_sql_u64(s.new_expires_at, "new_expires_at")?,
                    to_sql_u64(index, "leaf index")?,
                    to_sql_u64(tree.epoch, "epoch")?,
                ],
            )?;
            Ok(Renewed {
                nullifier: s.nullifier,
                new_leaf: s.new_leaf,
                new_expires_at: s.new_expires_at,
                leaf_index: index,
            })
        })
    }

    /// The number of stored renewal nullifiers.
    pub fn renewal_count(&mut self) -> LedgerResult<u64> {
        self.store.read(|tx, _| {
            Ok(from_sql_u64(tx.query_row(
                "SELECT COUNT(*) FROM renewals",
                [],
                |r| r.get(0),
            )?))
        })
    }

    /// Approves a tier commitment T_commit (seed 002): it becomes a leaf of the tier set.
    pub fn approve_tier(&mut self, commitment: &Digest) -> LedgerResult<u64> {
        self.store.write(|tx, b| {
            check_canonical(b, commitment, "tier commitment")?;
            let mut tree = Tree::open(tx, b, tier_tree_id())?;
            tree.append(tx, *commitment)
        })
    }

    /// The path of tier-set leaf `index` against the latest signed tier root.
    pub fn tier_path(&mut self, index: u64) -> LedgerResult<TokenPath> {
        self.store.read(|tx, b| {
            let tree = Tree::open(tx, b, tier_tree_id())?;
            let (epoch, root) = current_root(&tree, tx)?;
            Ok(TokenPath {
                token_id: Bytes32::from_u64(index),
                root,
                epoch,
                depth: tree.depth,
                path: tree.path(tx, index)?,
            })
        })
    }

    /// Redeems a tier proof: it must verify, be against the latest signed tier root, and its
    /// nullifier must be new for its epoch beacon (the quota: a reused nullifier is refused).
    pub fn redeem_tier(
        &mut self,
        env: &ProofEnvelope,
        vk: &AnyVerifyingKey,
    ) -> LedgerResult<Digest> {
        let Statement::Tier(s) = &env.statement else {
            return Err(LedgerError::refused(format!(
                "not a tier proof: a {} proof",
                env.circuit
            )));
        };
        self.store.write(|tx, b| {
            let tree = Tree::open(tx, b, tier_tree_id())?;
            if env.circuit.kind != CircuitKind::Tier || env.circuit.size != tree.depth {
                return Err(LedgerError::refused(format!(
                    "a {} proof, the tier set needs tier-{}",
                    env.circuit, tree.depth
                )));
            }
            tree.expect_current_root(tx, &s.root)?;
            let n = tx.execute(
                "INSERT OR IGNORE INTO tier_nullifiers (epoch_beacon, nullifier, request_binding) VALUES (?1, ?2, ?3)",
                rusqlite::params![
                    s.epoch_beacon.0.to_vec(),
                    s.nullifier.0.to_vec(),
                    s.request_binding.0.to_vec()
                ],
            )?;
            if n == 0 {
                return Err(LedgerError::refused(
                    "this tier nullifier was already used in this epoch (quota spent)",
                ));
            }
            vk.verify(env)?;
            Ok(s.nullifier)
        })
    }

    /// Every token record, in issue order.
    pub fn tokens(&mut self) -> LedgerResult<Vec<TokenRecord>> {
        self.store.read(|tx, _| {
            let mut st = tx.prepare(&format!("{TOKEN_SELECT} ORDER BY leaf_index"))?;
            let rows = st.query_map([], token_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The token tree's current root and leaf count.
    pub fn current(&mut self) -> LedgerResult<(Digest, u64, u64)> {
        self.store.read(|tx, b| {
            let tree = Tree::open(tx, b, token_tree_id())?;
            Ok((tree.root(tx)?, tree.leaf_count, tree.epoch))
        })
    }
}

/// What [`Issuer::check_invariants`] found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IssuerTotals {
    pub tokens: u64,
    pub active: u64,
    pub renewals: u64,
    pub leaves: u64,
    pub root: Digest,
}

fn leaves_root<H: NativeHasher>(depth: u32, leaves: Vec<Bytes32>) -> Result<Bytes32, CircuitError> {
    Ok(veil_circuits::MerkleTree::<H>::new(depth, leaves)?.root())
}

fn empty<H: NativeHasher>() -> Result<Bytes32, CircuitError> {
    Ok(H::empty_leaf())
}

impl Issuer {
    /// Checks the invariants: every leaf of the token tree is an issued token's leaf (empty
    /// if revoked) or a renewal's new leaf, each exactly once, and the persisted root equals
    /// the root veil-circuits' `MerkleTree` builds from them.
    pub fn check_invariants(&mut self) -> LedgerResult<IssuerTotals> {
        self.store.read(|tx, b| {
            let tree = Tree::open(tx, b, token_tree_id())?;
            let n = tree.leaf_count as usize;
            let mut leaves: Vec<Option<Bytes32>> = vec![None; n];
            let empty_leaf = by_backend!(b, empty())?;
            let mut st = tx.prepare(&format!("{TOKEN_SELECT} ORDER BY leaf_index"))?;
            let tokens: Vec<TokenRecord> =
                st.query_map([], token_row)?.collect::<Result<_, _>>()?;
            let mut place = |i: u64, leaf: Bytes32| -> LedgerResult<()> {
                match leaves.get_mut(i as usize) {
                    Some(slot @ None) => {
                        *slot = Some(leaf);
                        Ok(())
                    }
                    _ => Err(LedgerError::refused(format!(
                        "leaf {i} is claimed twice or lies outside the tree ({n} leaves)"
                    ))),
                }
            };
            let active = tokens.iter().filter(|t| t.is_active).count() as u64;
            for t in &tokens {
                let leaf = if t.is_active {
                    by_backend!(b, token_leaf(&t.package_id, &t.token()))?
                } else {
                    empty_leaf
                };
                place(t.leaf_index, leaf)?;
            }
            let mut st = tx.prepare("SELECT leaf_index, new_leaf FROM renewals")?;
            let renewals: Vec<(u64, Bytes32)> = st
                .query_map([], |r| Ok((from_sql_u64(r.get(0)?), b32(r, 1)?)))?
                .collect::<Result<_, _>>()?;
            for (i, leaf) in &renewals {
                place(*i, *leaf)?;
            }
            let leaves: Vec<Bytes32> = leaves
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    l.ok_or_else(|| LedgerError::refused(format!("leaf {i} belongs to no token")))
                })
                .collect::<LedgerResult<_>>()?;
            let root = tree.root(tx)?;
            if by_backend!(b, leaves_root(tree.depth, leaves))? != root {
                return Err(LedgerError::refused(
                    "the persisted tree's root is not the root of its tokens' leaves",
                ));
            }
            Ok(IssuerTotals {
                tokens: tokens.len() as u64,
                active,
                renewals: renewals.len() as u64,
                leaves: n as u64,
                root,
            })
        })
    }
}

fn current_root(tree: &Tree, tx: &Transaction) -> LedgerResult<(u64, Digest)> {
    let (epoch, root, _) = tree
        .published_root(tx)?
        .ok_or_else(|| LedgerError::refused("no root has been published yet: publish one first"))?;
    if tree.root(tx)? != root {
        return Err(LedgerError::refused(format!(
            "the tree has changed since the root of epoch {epoch}: publish a new root first"
        )));
    }
    Ok((epoch, root))
}

fn known_package(tx: &Transaction, package_id: &Id) -> LedgerResult<()> {
    let found: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM packages WHERE package_id = ?1",
            [package_id.0.to_vec()],
            |r| r.get(0),
        )
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| LedgerError::refused(format!("unknown package {package_id}")))
}

const TOKEN_SELECT: &str = "SELECT token_id, blinded_customer_id, package_id, blinding_factor_hash,
    blinding_commitment, issued_at, expires_at, is_active, leaf_index, issuer_key_id, signature FROM tokens";

fn token_row(r: &rusqlite::Row) -> rusqlite::Result<TokenRecord> {
    let sig: Vec<u8> = r.get(10)?;
    let sig = String::from_utf8(sig).unwrap_or_default();
    Ok(TokenRecord {
        token_id: b32(r, 0)?,
        blinded_customer_id: b32(r, 1)?,
        package_id: b32(r, 2)?,
        blinding_factor_hash: b32(r, 3)?,
        blinding_commitment: b32(r, 4)?,
        issued_at: from_sql_u64(r.get(5)?),
        expires_at: from_sql_u64(r.get(6)?),
        is_active: r.get::<_, i64>(7)? != 0,
        leaf_index: from_sql_u64(r.get(8)?),
        issuer_key_id: b32(r, 9)?,
        signature: sig,
    })
}

fn token(tx: &Transaction, token_id: &Id) -> LedgerResult<TokenRecord> {
    tx.query_row(
        &format!("{TOKEN_SELECT} WHERE token_id = ?1"),
        [token_id.0.to_vec()],
        token_row,
    )
    .optional()?
    .ok_or_else(|| LedgerError::refused(format!("unknown token {token_id}")))
}
