//! The embedded ACID store: one SQLite file per role, a versioned schema with explicit
//! migrations, every state change in one transaction.
//!
//! The file is opened in WAL mode with a busy timeout, so that two processes on one store
//! take turns (SQLite's file locks) instead of failing or corrupting it, and with
//! `secure_delete` on, so that a deleted row's bytes are overwritten in the file rather than
//! left in a free page (meter readings must really be gone once aggregated).

use crate::error::{LedgerError, LedgerResult};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;
use veil_verifier::Backend;

/// What a store file is for. One file per role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A customer's wallet: blinding factors and tokens (never leaves the device).
    Wallet,
    /// The token and tier-set issuer.
    Issuer,
    /// A package's meter (readings, hourly aggregates, billing events).
    Meter,
    /// The settlement module (transactions, balances, commitments).
    Settlement,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Wallet => "wallet",
            Role::Issuer => "issuer",
            Role::Meter => "meter",
            Role::Settlement => "settlement",
        }
    }

    /// The role's migrations: migration i takes the schema from version i to i + 1.
    fn migrations(self) -> &'static [&'static str] {
        match self {
            Role::Wallet => &[crate::wallet::SCHEMA_V1, crate::wallet::SCHEMA_V2],
            Role::Issuer => &[crate::tree::SCHEMA_V1, crate::issuer::SCHEMA_V1],
            Role::Meter => &[crate::meter::SCHEMA_V1, crate::meter::SCHEMA_V2],
            Role::Settlement => &[crate::settlement::SCHEMA_V1],
        }
    }
}

/// The schema version a fully migrated store of `role` has.
pub fn schema_version(role: Role) -> u32 {
    role.migrations().len() as u32
}

/// An open store of one role and one backend.
pub struct Store {
    pub(crate) conn: Connection,
    role: Role,
    backend: Backend,
    path: String,
}

const META: &str = "CREATE TABLE IF NOT EXISTS ledger_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;";

impl Store {
    /// Opens (creating if missing) the store at `path` for `role`. A new store is for
    /// `backend`; an existing one must be of `role`, and of `backend` if one is given.
    pub fn open(path: &Path, role: Role, backend: Option<Backend>) -> LedgerResult<Store> {
        let shown = path.display().to_string();
        let wrong = |detail: String| LedgerError::WrongStore {
            path: shown.clone(),
            detail,
        };
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| wrong(format!("not a SQLite store ({e})")))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(META)?;
        let get = |tx: &Transaction, k: &str| -> LedgerResult<Option<String>> {
            Ok(tx
                .query_row("SELECT value FROM ledger_meta WHERE key = ?1", [k], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?)
        };
        let stored_backend = match (get(&tx, "role")?, get(&tx, "backend")?) {
            (None, _) => {
                let b = backend.unwrap_or(Backend::Groth16);
                tx.execute(
                    "INSERT INTO ledger_meta (key, value) VALUES ('role', ?1), ('backend', ?2), ('schema_version', '0')",
                    [role.name(), b.name()],
                )?;
                b
            }
            (Some(r), Some(b)) => {
                if r != role.name() {
                    return Err(wrong(format!(
                        "this is a {r} store, not a {} store (one store file per role)",
                        role.name()
                    )));
                }
                let b = match b.as_str() {
                    "groth16" => Backend::Groth16,
                    "plonky2" => Backend::Plonky2,
                    other => return Err(wrong(format!("unknown backend {other:?}"))),
                };
                if let Some(want) = backend {
                    if want != b {
                        return Err(wrong(format!(
                            "this store is for the {b} backend, not {want} (a store is for one backend)"
                        )));
                    }
                }
                b
            }
            (Some(_), None) => return Err(wrong("the store has no backend recorded".into())),
        };
        let version: u32 = get(&tx, "schema_version")?
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| wrong("the store has no schema version".into()))?;
        let migrations = role.migrations();
        if version as usize > migrations.len() {
            return Err(wrong(format!(
                "schema version {version} is newer than this veil knows ({})",
                migrations.len()
            )));
        }
        for (i, m) in migrations.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m)?;
            tx.execute(
                "UPDATE ledger_meta SET value = ?1 WHERE key = 'schema_version'",
                [(i + 1).to_string()],
            )?;
        }
        tx.commit()?;
        Ok(Store {
            conn,
            role,
            backend: stored_backend,
            path: shown,
        })
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Runs `f` in one write transaction (taken at once, so that two writers queue): all of
    /// its changes are committed together, or none if it returns an error.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction, Backend) -> LedgerResult<T>,
    ) -> LedgerResult<T> {
        let backend = self.backend;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx, backend)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a consistent snapshot (a read transaction).
    pub(crate) fn read<T>(
        &mut self,
        f: impl FnOnce(&Transaction, Backend) -> LedgerResult<T>,
    ) -> LedgerResult<T> {
        let backend = self.backend;
        let tx = self.conn.transaction()?;
        let out = f(&tx, backend)?;
        tx.finish()?;
        Ok(out)
    }

    /// Moves everything in the write-ahead log into the main file and empties the log, so
    /// that deleted rows are gone from both files.
    pub fn checkpoint(&self) -> LedgerResult<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Reads a 32-byte value stored as a blob.
pub(crate) fn b32(row: &rusqlite::Row, i: usize) -> rusqlite::Result<veil_verifier::Bytes32> {
    let v: Vec<u8> = row.get(i)?;
    let arr: [u8; 32] = v.as_slice().try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Blob,
            format!("expected 32 bytes, found {}", v.len()).into(),
        )
    })?;
    Ok(veil_verifier::Bytes32(arr))
}

/// A u64 stored as SQLite's signed 64-bit INTEGER: amounts and times above 2^63 - 1 are
/// refused before they reach the store.
pub(crate) fn to_sql_u64(v: u64, what: &str) -> LedgerResult<i64> {
    i64::try_from(v)
        .map_err(|_| LedgerError::refused(format!("{what} {v} is too large (at most 2^63 - 1)")))
}

pub(crate) fn from_sql_u64(v: i64) -> u64 {
    v.max(0) as u64
}
