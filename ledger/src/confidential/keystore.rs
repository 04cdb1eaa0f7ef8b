//! The key manager, the receipt registry and the access log, in a settlement store.
//!
//! Tables (created at open if missing, versioned by `confidential_schema` in `ledger_meta`):
//! `confidential_keys` (one row per key: participant, algorithm, public key, secret key until
//! it is retired), `confidential_receipts` (each registered receipt's JSON, its binding and
//! ciphertext digest, and whether it is active, i.e. re-wrapped on rotation) and
//! `confidential_log` (append-only: triggers refuse UPDATE and DELETE; hash-chained).

use super::{
    ConfidentialError, ConfidentialReceipt, ConfidentialResult, PublicKey, Recipient,
    RecipientRole, SecretKey,
};
use crate::store::{Role, Store};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha3::{Digest as _, Sha3_256};
use std::path::Path;
use veil_verifier::{Bytes32, Id};

use super::wrap::Alg;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS confidential_keys (
    key_id BLOB PRIMARY KEY NOT NULL,
    participant BLOB NOT NULL,
    alg TEXT NOT NULL,
    public BLOB NOT NULL,
    secret BLOB,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS confidential_keys_participant ON confidential_keys (participant, alg);
CREATE TABLE IF NOT EXISTS confidential_receipts (
    receipt_id BLOB PRIMARY KEY NOT NULL,
    binding BLOB NOT NULL,
    ciphertext_digest BLOB NOT NULL,
    body TEXT NOT NULL,
    active INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS confidential_log (
    seq INTEGER PRIMARY KEY NOT NULL,
    receipt_id BLOB NOT NULL,
    requester BLOB NOT NULL,
    key_id BLOB NOT NULL,
    purpose TEXT NOT NULL,
    at INTEGER NOT NULL,
    prev_hash BLOB NOT NULL,
    entry_hash BLOB NOT NULL
) STRICT;
CREATE TRIGGER IF NOT EXISTS confidential_log_no_update BEFORE UPDATE ON confidential_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS confidential_log_no_delete BEFORE DELETE ON confidential_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
INSERT OR IGNORE INTO ledger_meta (key, value) VALUES ('confidential_schema', '1');
";

/// A `confidential_keys` row: participant, algorithm, secret (absent once retired), retired at.
type KeyRow = (Vec<u8>, String, Option<Vec<u8>>, Option<i64>);
/// Purposes are short words ("settlement", "audit", "court-order-123").
pub const MAX_PURPOSE: usize = 256;

/// One access-log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub seq: u64,
    pub receipt_id: Id,
    pub requester: Id,
    pub key_id: Bytes32,
    pub purpose: String,
    pub at: u64,
    pub prev_hash: Bytes32,
    pub entry_hash: Bytes32,
}

/// What [`Keystore::verify_log`] found: the number of entries and the head hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogReport {
    pub entries: u64,
    pub head: Bytes32,
}

/// h = SHA3-256("veil-receipt-log-v1" ‖ prev ‖ seq ‖ receipt ‖ requester ‖ key id ‖
/// len(purpose) (u32 BE) ‖ purpose ‖ at), integers big-endian.
pub fn entry_hash(
    prev: &Bytes32,
    seq: u64,
    receipt_id: &Id,
    requester: &Id,
    key_id: &Bytes32,
    purpose: &str,
    at: u64,
) -> Bytes32 {
    let mut h = Sha3_256::new();
    h.update(b"veil-receipt-log-v1");
    h.update(prev.0);
    h.update(seq.to_be_bytes());
    h.update(receipt_id.0);
    h.update(requester.0);
    h.update(key_id.0);
    h.update((purpose.len() as u32).to_be_bytes());
    h.update(purpose.as_bytes());
    h.update(at.to_be_bytes());
    Bytes32(h.finalize().into())
}

/// A settlement store with the confidential tables.
pub struct Keystore {
    store: Store,
}

fn blob32(v: Vec<u8>) -> ConfidentialResult<Bytes32> {
    let a: [u8; 32] = v
        .as_slice()
        .try_into()
        .map_err(|_| ConfidentialError::Malformed(format!("a stored id of {} bytes", v.len())))?;
    Ok(Bytes32(a))
}

fn i64_of(v: u64) -> ConfidentialResult<i64> {
    i64::try_from(v).map_err(|_| {
        ConfidentialError::Refused(format!("time {v} is too large (at most 2^63 - 1)"))
    })
}

impl Keystore {
    /// Opens (creating if missing) the settlement store at `path` and its confidential tables.
    pub fn open(path: &Path) -> ConfidentialResult<Keystore> {
        let mut store = Store::open(path, Role::Settlement, None)?;
        store.write(|tx, _| {
            tx.execute_batch(SCHEMA)?;
            Ok(())
        })?;
        Ok(Keystore { store })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Makes and stores a new key pair for `participant` (who may already have keys of
    /// another algorithm; a second active key of the same algorithm is refused: rotate).
    pub fn generate(
        &mut self,
        participant: &Id,
        alg: Alg,
        now: u64,
    ) -> ConfidentialResult<PublicKey> {
        if self.active_key(participant, alg)?.is_some() {
            return Err(ConfidentialError::Refused(format!(
                "participant {} already has an active {} key: rotate it",
                participant.to_hex(),
                alg.name()
            )));
        }
        let sk = SecretKey::generate(alg);
        self.insert_key(participant, &sk, now)?;
        Ok(sk.public().clone())
    }

    fn insert_key(&mut self, participant: &Id, sk: &SecretKey, now: u64) -> ConfidentialResult<()> {
        let now = i64_of(now)?;
        let p = sk.public();
        self.store.conn.execute(
            "INSERT INTO confidential_keys (key_id, participant, alg, public, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![p.key_id().0.to_vec(), participant.0.to_vec(), sk.alg().name(), p.as_bytes(), sk.secret_bytes(), now],
        )?;
        Ok(())
    }

    /// The active (not retired) public key of `participant` for `alg`.
    pub fn active_key(&self, participant: &Id, alg: Alg) -> ConfidentialResult<Option<PublicKey>> {
        let row: Option<Vec<u8>> = self
            .store
            .conn
            .query_row(
                "SELECT public FROM confidential_keys WHERE participant = ?1 AND alg = ?2 AND retired_at IS NULL",
                params![participant.0.to_vec(), alg.name()],
                |r| r.get(0),
            )
            .optional()?;
        row.map(|b| PublicKey::from_bytes(alg, &b)).transpose()
    }

    /// The participant's active keys (any algorithm); an error if it has none.
    pub fn public_keys(&self, participant: &Id) -> ConfidentialResult<Vec<PublicKey>> {
        let mut out = Vec::new();
        for alg in [Alg::X25519, Alg::MlKem1024] {
            if let Some(k) = self.active_key(participant, alg)? {
                out.push(k);
            }
        }
        if out.is_empty() {
            return Err(ConfidentialError::UnknownParticipant(participant.to_hex()));
        }
        Ok(out)
    }

    /// The secret key of `key_id`, if it is held here and not retired.
    fn secret_key(&self, key_id: &Bytes32) -> ConfidentialResult<Option<(Id, SecretKey, bool)>> {
        let row: Option<KeyRow> = self
            .store
            .conn
            .query_row(
                "SELECT participant, alg, secret, retired_at FROM confidential_keys WHERE key_id = ?1",
                params![key_id.0.to_vec()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((p, alg, secret, retired)) = row else {
            return Ok(None);
        };
        let alg: Alg = alg.parse().map_err(ConfidentialError::Malformed)?;
        let participant = blob32(p)?;
        match secret {
            Some(s) => Ok(Some((
                participant,
                SecretKey::from_bytes(alg, &s)?,
                retired.is_some(),
            ))),
            None => Err(ConfidentialError::RotatedKey {
                participant: participant.to_hex(),
                key_id: key_id.to_hex(),
            }),
        }
    }

    fn is_retired(&self, key_id: &Bytes32) -> ConfidentialResult<Option<Id>> {
        let row: Option<(Vec<u8>, Option<i64>)> = self
            .store
            .conn
            .query_row(
                "SELECT participant, retired_at FROM confidential_keys WHERE key_id = ?1",
                params![key_id.0.to_vec()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            Some((p, Some(_))) => Ok(Some(blob32(p)?)),
            _ => Ok(None),
        }
    }

    /// The recipients for an encryption: each participant's and the auditor's active key of
    /// `alg`; an unknown participant is refused.
    pub fn recipients(
        &self,
        participants: &[Id],
        auditor: &Id,
        alg: Alg,
    ) -> ConfidentialResult<Vec<Recipient>> {
        let mut out = Vec::new();
        let all = participants
            .iter()
            .map(|p| (p, RecipientRole::Participant))
            .chain(std::iter::once((auditor, RecipientRole::Auditor)));
        for (id, role) in all {
            let key = self
                .active_key(id, alg)?
                .ok_or_else(|| ConfidentialError::UnknownParticipant(id.to_hex()))?;
            out.push(Recipient { id: *id, role, key });
        }
        Ok(out)
    }

    /// Registers a receipt as active (its digests are what [`Self::decrypt`] compares to tell
    /// a tampered public part or ciphertext apart).
    pub fn register(&mut self, r: &ConfidentialReceipt) -> ConfidentialResult<()> {
        self.store.conn.execute(
            "INSERT INTO confidential_receipts (receipt_id, binding, ciphertext_digest, body, active) VALUES (?1, ?2, ?3, ?4, 1)",
            params![r.public.receipt_id.0.to_vec(), r.public.binding().0.to_vec(), r.ciphertext_digest().0.to_vec(), r.to_json()],
        ).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                ConfidentialError::Refused(format!("receipt {} is already registered", r.public.receipt_id.to_hex()))
            }
            e => e.into(),
        })?;
        Ok(())
    }

    /// The registered copy of a receipt (re-wrapped by rotations).
    pub fn receipt(&self, receipt_id: &Id) -> ConfidentialResult<Option<ConfidentialReceipt>> {
        let body: Option<String> = self
            .store
            .conn
            .query_row(
                "SELECT body FROM confidential_receipts WHERE receipt_id = ?1",
                params![receipt_id.0.to_vec()],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| ConfidentialReceipt::from_json(&b)).transpose()
    }

    /// Marks a receipt inactive (settled and archived): rotations no longer re-wrap it.
    pub fn deactivate(&mut self, receipt_id: &Id) -> ConfidentialResult<()> {
        self.store.conn.execute(
            "UPDATE confidential_receipts SET active = 0 WHERE receipt_id = ?1",
            params![receipt_id.0.to_vec()],
        )?;
        Ok(())
    }

    /// Decrypts `receipt` as `requester` for `purpose` at `now`, with `key` or, when `None`,
    /// the requester's key held here, and appends the access to the log (in one transaction
    /// with the check, so every returned plaintext is logged).
    pub fn decrypt(
        &mut self,
        receipt: &ConfidentialReceipt,
        requester: &Id,
        key: Option<&SecretKey>,
        purpose: &str,
        now: u64,
    ) -> ConfidentialResult<serde_json::Value> {
        if purpose.is_empty()
            || purpose.len() > MAX_PURPOSE
            || purpose.chars().any(char::is_control)
        {
            return Err(ConfidentialError::Refused(format!(
                "the purpose must be 1 to {MAX_PURPOSE} bytes of printable text"
            )));
        }
        let at = i64_of(now)?;
        let has_keys = self.store.conn.query_row(
            "SELECT COUNT(*) FROM confidential_keys WHERE participant = ?1",
            params![requester.0.to_vec()],
            |r| r.get::<_, i64>(0),
        )?;
        if has_keys == 0 {
            return Err(ConfidentialError::UnknownParticipant(requester.to_hex()));
        }
        // Tell a tampered public part or ciphertext apart by the registered digests.
        let registered: Option<(Vec<u8>, Vec<u8>)> = self
            .store
            .conn
            .query_row(
                "SELECT binding, ciphertext_digest FROM confidential_receipts WHERE receipt_id = ?1",
                params![receipt.public.receipt_id.0.to_vec()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((binding, ct)) = registered {
            if binding != receipt.public.binding().0.to_vec() {
                return Err(ConfidentialError::PublicTampered);
            }
            if ct != receipt.ciphertext_digest().0.to_vec() {
                return Err(ConfidentialError::CiphertextTampered);
            }
        }
        let wrap = receipt
            .wrap_for(requester)
            .ok_or_else(|| ConfidentialError::NotARecipient(requester.to_hex()))?;
        let held;
        let key = match key {
            Some(k) => k,
            None => {
                held = match self.secret_key(&wrap.key_id)? {
                    Some((p, sk, _)) if &p == requester => sk,
                    _ => {
                        return Err(ConfidentialError::Refused(format!(
                            "no secret key of {} for this receipt is held here",
                            requester.to_hex()
                        )))
                    }
                };
                &held
            }
        };
        let given = key.public().key_id();
        if given != wrap.key_id && self.is_retired(&given)?.is_some() {
            return Err(ConfidentialError::RotatedKey {
                participant: requester.to_hex(),
                key_id: given.to_hex(),
            });
        }
        if self.is_retired(&wrap.key_id)?.is_some() {
            // The file predates a rotation: the registered copy carries the new wrap.
            return Err(ConfidentialError::RotatedKey {
                participant: requester.to_hex(),
                key_id: wrap.key_id.to_hex(),
            });
        }
        let fields = receipt.open(requester, key)?;
        self.append_log(&receipt.public.receipt_id, requester, &given, purpose, at)?;
        Ok(fields)
    }

    fn append_log(
        &mut self,
        receipt_id: &Id,
        requester: &Id,
        key_id: &Bytes32,
        purpose: &str,
        at: i64,
    ) -> ConfidentialResult<()> {
        self.store.write(|tx, _| {
            let last: Option<(i64, Vec<u8>)> = tx
                .query_row(
                    "SELECT seq, entry_hash FROM confidential_log ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (seq, prev) = match last {
                Some((s, h)) => (s as u64 + 1, h),
                None => (1, vec![0u8; 32]),
            };
            let prev32 = Bytes32(prev.as_slice().try_into().map_err(|_| crate::LedgerError::refused("a stored log hash is not 32 bytes"))?);
            let h = entry_hash(&prev32, seq, receipt_id, requester, key_id, purpose, at as u64);
            tx.execute(
                "INSERT INTO confidential_log (seq, receipt_id, requester, key_id, purpose, at, prev_hash, entry_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![seq as i64, receipt_id.0.to_vec(), requester.0.to_vec(), key_id.0.to_vec(), purpose, at, prev, h.0.to_vec()],
            )?;
            Ok(())
        })?;
        Ok(())
    }

    /// Every log entry, in order.
    pub fn log(&self) -> ConfidentialResult<Vec<LogEntry>> {
        let mut stmt = self.store.conn.prepare(
            "SELECT seq, receipt_id, requester, key_id, purpose, at, prev_hash, entry_hash FROM confidential_log ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Vec<u8>>(6)?,
                r.get::<_, Vec<u8>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, rid, req, kid, purpose, at, prev, h) = row?;
            out.push(LogEntry {
                seq: seq.max(0) as u64,
                receipt_id: blob32(rid)?,
                requester: blob32(req)?,
                key_id: blob32(kid)?,
                purpose,
                at: at.max(0) as u64,
                prev_hash: blob32(prev)?,
                entry_hash: blob32(h)?,
            });
        }
        Ok(out)
    }

    /// Checks the log's hash chain: entries numbered 1, 2, … with no gap, each linked to the
    /// one before and hashing to its stored hash. With `head`, a head hash recorded earlier
    /// (by an auditor) must still be in the chain, so a deleted tail is found too.
    pub fn verify_log(&self, head: Option<&Bytes32>) -> ConfidentialResult<LogReport> {
        let entries = self.log()?;
        let mut prev = Bytes32([0u8; 32]);
        let mut seen_head = head.is_none();
        for (i, e) in entries.iter().enumerate() {
            let want = i as u64 + 1;
            if e.seq != want {
                return Err(ConfidentialError::LogBroken {
                    seq: want,
                    detail: format!("entry {want} is missing (found {} next)", e.seq),
                });
            }
            if e.prev_hash != prev {
                return Err(ConfidentialError::LogBroken {
                    seq: e.seq,
                    detail:
                        "it does not link to the entry before it (deleted, reordered or rewritten)"
                            .into(),
                });
            }
            let h = entry_hash(
                &prev,
                e.seq,
                &e.receipt_id,
                &e.requester,
                &e.key_id,
                &e.purpose,
                e.at,
            );
            if h != e.entry_hash {
                return Err(ConfidentialError::LogBroken {
                    seq: e.seq,
                    detail: "its contents do not hash to its stored hash (rewritten)".into(),
                });
            }
            if Some(&h) == head {
                seen_head = true;
            }
            prev = h;
        }
        if !seen_head {
            return Err(ConfidentialError::LogBroken {
                seq: entries.len() as u64 + 1,
                detail: "the recorded head is not in the chain (entries deleted from the end, or another log)".into(),
            });
        }
        Ok(LogReport {
            entries: entries.len() as u64,
            head: prev,
        })
    }

    /// Rotates `participant`'s `alg` key: a new pair, every active registered receipt with a
    /// wrap for the old key re-wrapped for the new one (the ciphertext untouched), the old key
    /// retired and its secret deleted, all in one transaction. Returns the new public key and
    /// the number of receipts re-wrapped.
    pub fn rotate(
        &mut self,
        participant: &Id,
        alg: Alg,
        now: u64,
    ) -> ConfidentialResult<(PublicKey, usize)> {
        let old_pub = self
            .active_key(participant, alg)?
            .ok_or_else(|| ConfidentialError::UnknownParticipant(participant.to_hex()))?;
        let old_id = old_pub.key_id();
        let (_, old_sk, _) = self.secret_key(&old_id)?.ok_or_else(|| {
            ConfidentialError::Refused(format!(
                "the secret of key {} is not held here",
                old_id.to_hex()
            ))
        })?;
        let new_sk = SecretKey::generate(alg);
        let new_pub = new_sk.public().clone();
        // Re-wrap in memory first: a failure changes nothing.
        let mut stmt = self
            .store
            .conn
            .prepare("SELECT receipt_id, body FROM confidential_receipts WHERE active = 1")?;
        let rows: Vec<(Vec<u8>, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        drop(stmt);
        let mut updated = Vec::new();
        for (rid, body) in rows {
            let mut r = ConfidentialReceipt::from_json(&body)?;
            if r.wrap_for(participant).is_some_and(|w| w.key_id == old_id) {
                let ct_before = r.ciphertext.clone();
                r.rewrap(participant, &old_sk, &new_pub)?;
                debug_assert_eq!(ct_before, r.ciphertext);
                updated.push((rid, r.to_json()));
            }
        }
        let now = i64_of(now)?;
        let n = updated.len();
        let new_id = new_pub.key_id();
        self.store.write(|tx, _| {
            for (rid, body) in &updated {
                tx.execute(
                    "UPDATE confidential_receipts SET body = ?1 WHERE receipt_id = ?2",
                    params![body, rid],
                )?;
            }
            tx.execute(
                "UPDATE confidential_keys SET retired_at = ?1, secret = NULL WHERE key_id = ?2",
                params![now, old_id.0.to_vec()],
            )?;
            tx.execute(
                "INSERT INTO confidential_keys (key_id, participant, alg, public, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![new_id.0.to_vec(), participant.0.to_vec(), alg.name(), new_pub.as_bytes(), new_sk.secret_bytes(), now],
            )?;
            Ok(())
        })?;
        Ok((new_pub, n))
    }

    /// The secret key of the participant's active `alg` key (to hand to its holder, e.g. a
    /// key file written with mode 0600).
    pub fn export_secret(&self, participant: &Id, alg: Alg) -> ConfidentialResult<SecretKey> {
        let p = self
            .active_key(participant, alg)?
            .ok_or_else(|| ConfidentialError::UnknownParticipant(participant.to_hex()))?;
        match self.secret_key(&p.key_id())? {
            Some((_, sk, _)) => Ok(sk),
            None => Err(ConfidentialError::UnknownParticipant(participant.to_hex())),
        }
    }
}
