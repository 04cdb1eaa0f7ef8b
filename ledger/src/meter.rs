//! The meter (seed 000 §4, §6.3): per-minute readings per (package, blinded customer), kept
//! until their hour is aggregated and then deleted; hourly aggregates with the readings
//! commitment the metering circuit proves against; the metering witness; blinded billing
//! events signed by a witness key.
//!
//! Isolation: every operation on readings, aggregates or events goes through a
//! [`PackageMeter`], the handle of one package, and every query it runs is bound to that
//! handle's package id (`WHERE package_id = ?`). The API has no operation that takes two
//! packages, lists packages' data together or joins across them; the meter's scope and reading
//! keys come from veil-circuits ([`veil_circuits::metering::scope`], [`reading_key`]), and the
//! commitment from [`readings_commitment`] alone.
//!
//! Blinding: each aggregate's readings commitment starts from a secret blinding value the
//! meter draws from the OS RNG ([`fresh_blinding`]) at aggregation; it goes into the metering
//! witness and is kept with the aggregate (column `aggregates.blinding`, schema version 2),
//! never into the billing event or the statement. Without it a reading could be recovered
//! from the public commitment by guessing its second and units.
//!
//! Deletion is real: the store runs with `secure_delete` on and the meter checkpoints the
//! write-ahead log after an aggregation, so a deleted reading's bytes are gone from the file.
//!
//! Billing event signature (FIPS 204 pure mode, context [`CONTEXT_BILLING`] =
//! `veil-ledger-billing-v1`): key id (32) ‖ package_id (32) ‖ blinded_customer_id (32) ‖
//! hour_start (8, BE) ‖ total_units (8, BE) ‖ reading_count (8, BE) ‖ readings_commitment (32).

use crate::error::{LedgerError, LedgerResult};
use crate::hashing::by_backend;
use crate::store::{b32, from_sql_u64, to_sql_u64, Role, Store};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::path::Path;
use veil_circuits::batch::fresh_blinding;
use veil_circuits::metering::{
    reading_key, readings_commitment, scope, Reading, HOUR_SECS, TIMESTAMP_BITS,
};
use veil_circuits::MeteringWitness;
use veil_prover::attest::SecretKey;
use veil_verifier::attest::{KeyId, PublicKey, Signature};
use veil_verifier::{Backend, Digest, Id, MeteringStatement};

/// FIPS 204 context string of billing event signatures.
pub const CONTEXT_BILLING: &str = "veil-ledger-billing-v1";

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE meter_packages (
    package_id BLOB PRIMARY KEY NOT NULL,
    capacity INTEGER NOT NULL
) STRICT;
CREATE TABLE readings (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    package_id BLOB NOT NULL REFERENCES meter_packages(package_id),
    blinded_customer_id BLOB NOT NULL,
    hour_start INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    units INTEGER NOT NULL
) STRICT;
CREATE INDEX readings_by_hour ON readings (package_id, blinded_customer_id, hour_start);
CREATE TABLE aggregates (
    package_id BLOB NOT NULL REFERENCES meter_packages(package_id),
    blinded_customer_id BLOB NOT NULL,
    hour_start INTEGER NOT NULL,
    total_units INTEGER NOT NULL,
    reading_count INTEGER NOT NULL,
    readings_commitment BLOB NOT NULL,
    signer_key_id BLOB NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (package_id, blinded_customer_id, hour_start)
) STRICT;
";

/// Schema version 2 (issue 10): the secret blinding of each aggregate's readings commitment.
/// NULL for aggregates made before it, whose commitments were unblinded.
pub(crate) const SCHEMA_V2: &str = "
ALTER TABLE aggregates ADD COLUMN blinding BLOB;
";

/// A blinded billing event: one aggregate, signed by the meter's witness key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingEvent {
    pub package_id: Id,
    pub blinded_customer_id: Id,
    pub hour_start: u64,
    pub total_units: u64,
    pub reading_count: u64,
    pub readings_commitment: Digest,
    pub signer_key_id: KeyId,
    pub signature: String,
}

impl BillingEvent {
    pub fn message(&self, signer: &KeyId) -> Vec<u8> {
        let mut m = Vec::with_capacity(152);
        m.extend_from_slice(&signer.0);
        m.extend_from_slice(&self.package_id.0);
        m.extend_from_slice(&self.blinded_customer_id.0);
        for v in [self.hour_start, self.total_units, self.reading_count] {
            m.extend_from_slice(&v.to_be_bytes());
        }
        m.extend_from_slice(&self.readings_commitment.0);
        m
    }

    pub fn verify(&self, key: &PublicKey) -> LedgerResult<()> {
        let sig = Signature::from_hex(&self.signature)?;
        key.verify(
            "billing event",
            CONTEXT_BILLING,
            &self.message(&key.key_id()),
            &sig,
        )?;
        Ok(())
    }
}

pub struct Meter {
    store: Store,
}

impl Meter {
    pub fn open(path: &Path, backend: Option<Backend>) -> LedgerResult<Meter> {
        Ok(Meter {
            store: Store::open(path, Role::Meter, backend)?,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Registers a package whose hourly aggregates are proven with `metering-CAPACITY`.
    pub fn register_package(&mut self, package_id: &Id, capacity: u32) -> LedgerResult<()> {
        if capacity == 0 {
            return Err(LedgerError::refused("the capacity must be at least 1"));
        }
        self.store.write(|tx, _| {
            let n = tx.execute(
                "INSERT OR IGNORE INTO meter_packages (package_id, capacity) VALUES (?1, ?2)",
                rusqlite::params![package_id.0.to_vec(), capacity],
            )?;
            if n == 0 {
                return Err(LedgerError::refused(format!(
                    "package {package_id} is already registered"
                )));
            }
            Ok(())
        })
    }

    /// The handle of one package: the only way to its readings and aggregates.
    pub fn package(&mut self, package_id: &Id) -> LedgerResult<PackageMeter<'_>> {
        let capacity: Option<i64> = self
            .store
            .conn
            .query_row(
                "SELECT capacity FROM meter_packages WHERE package_id = ?1",
                [package_id.0.to_vec()],
                |r| r.get(0),
            )
            .optional()?;
        let capacity = capacity
            .ok_or_else(|| LedgerError::refused(format!("unknown package {package_id}")))?;
        let scope = by_backend!(self.store.backend(), scope(package_id))?;
        Ok(PackageMeter {
            store: &mut self.store,
            package_id: *package_id,
            capacity: from_sql_u64(capacity) as usize,
            scope,
        })
    }
}

/// One package's meter.
pub struct PackageMeter<'a> {
    store: &'a mut Store,
    package_id: Id,
    capacity: usize,
    scope: Digest,
}

impl PackageMeter<'_> {
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records one reading. Refused: a time beyond 2^62, a reading in an hour already
    /// aggregated (it is outside the hour that can still be committed), and a reading past
    /// the circuit's capacity for its hour.
    pub fn record(&mut self, customer: &Id, timestamp: u64, units: u64) -> LedgerResult<()> {
        if timestamp >> TIMESTAMP_BITS != 0 {
            return Err(LedgerError::refused(format!(
                "timestamp {timestamp} is not below 2^{TIMESTAMP_BITS}"
            )));
        }
        let hour = timestamp - timestamp % HOUR_SECS;
        let pkg = self.package_id;
        let cap = self.capacity;
        self.store.write(|tx, _| {
            let done: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM aggregates WHERE package_id = ?1 AND blinded_customer_id = ?2 AND hour_start = ?3",
                    rusqlite::params![pkg.0.to_vec(), customer.0.to_vec(), to_sql_u64(hour, "hour")?],
                    |r| r.get(0),
                )
                .optional()?;
            if done.is_some() {
                return Err(LedgerError::refused(format!(
                    "a reading at {timestamp} is outside its hour: the hour starting {hour} is already aggregated"
                )));
            }
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM readings WHERE package_id = ?1 AND blinded_customer_id = ?2 AND hour_start = ?3",
                rusqlite::params![pkg.0.to_vec(), customer.0.to_vec(), to_sql_u64(hour, "hour")?],
                |r| r.get(0),
            )?;
            if from_sql_u64(n) as usize >= cap {
                return Err(LedgerError::refused(format!(
                    "the hour starting {hour} already holds {cap} readings, the capacity of metering-{cap}"
                )));
            }
            tx.execute(
                "INSERT INTO readings (package_id, blinded_customer_id, hour_start, timestamp, units) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    pkg.0.to_vec(),
                    customer.0.to_vec(),
                    to_sql_u64(hour, "hour")?,
                    to_sql_u64(timestamp, "timestamp")?,
                    to_sql_u64(units, "units")?
                ],
            )?;
            Ok(())
        })
    }

    /// Aggregates one (customer, hour): the metering witness, the signed billing event, the
    /// stored aggregate, and the deletion of the hour's readings, in one transaction.
    pub fn aggregate(
        &mut self,
        customer: &Id,
        hour_start: u64,
        key: &SecretKey,
    ) -> LedgerResult<(MeteringWitness, BillingEvent)> {
        if !hour_start.is_multiple_of(HOUR_SECS) {
            return Err(LedgerError::refused(format!(
                "hour_start {hour_start} is not a multiple of 3600"
            )));
        }
        let pkg = self.package_id;
        let scope = self.scope;
        let out = self.store.write(|tx, b| {
            let hour = to_sql_u64(hour_start, "hour")?;
            let mut st = tx.prepare(
                "SELECT timestamp, units FROM readings WHERE package_id = ?1 AND blinded_customer_id = ?2 AND hour_start = ?3 ORDER BY seq",
            )?;
            let key_digest = by_backend!(b, reading_key(&scope, customer))?;
            let readings: Vec<Reading> = st
                .query_map(rusqlite::params![pkg.0.to_vec(), customer.0.to_vec(), hour], |r| {
                    Ok(Reading {
                        key: key_digest,
                        timestamp: from_sql_u64(r.get(0)?),
                        units: from_sql_u64(r.get(1)?),
                    })
                })?
                .collect::<Result<_, _>>()?;
            drop(st);
            if readings.is_empty() {
                return Err(LedgerError::refused(format!(
                    "no readings for this customer in the hour starting {hour_start}"
                )));
            }
            let total = readings
                .iter()
                .try_fold(0u64, |acc, r| acc.checked_add(r.units))
                .ok_or_else(|| LedgerError::refused("the hour's units overflow 2^64 - 1"))?;
            let blinding = by_backend!(b, fresh_blinding())?;
            let commitment = by_backend!(b, readings_commitment(&blinding, &readings))?;
            let mut event = BillingEvent {
                package_id: pkg,
                blinded_customer_id: *customer,
                hour_start,
                total_units: total,
                reading_count: readings.len() as u64,
                readings_commitment: commitment,
                signer_key_id: key.key_id(),
                signature: String::new(),
            };
            event.signature = key
                .sign(CONTEXT_BILLING, &event.message(&key.key_id()))?
                .to_hex();
            tx.execute(
                "INSERT INTO aggregates (package_id, blinded_customer_id, hour_start, total_units, reading_count,
                   readings_commitment, signer_key_id, signature, blinding) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                rusqlite::params![
                    pkg.0.to_vec(),
                    customer.0.to_vec(),
                    hour,
                    to_sql_u64(total, "total units")?,
                    readings.len() as i64,
                    commitment.0.to_vec(),
                    key.key_id().0.to_vec(),
                    event.signature,
                    blinding.0.to_vec()
                ],
            )?;
            tx.execute(
                "DELETE FROM readings WHERE package_id = ?1 AND blinded_customer_id = ?2 AND hour_start = ?3",
                rusqlite::params![pkg.0.to_vec(), customer.0.to_vec(), hour],
            )?;
            let witness = MeteringWitness {
                statement: MeteringStatement {
                    package_id: pkg,
                    scope,
                    blinded_customer_id: *customer,
                    hour_start,
                    total_units: total,
                    readings_commitment: commitment,
                },
                blinding,
                readings,
                padding: Vec::new(),
            };
            Ok((witness, event))
        })?;
        self.store.checkpoint()?;
        Ok(out)
    }

    /// Aggregates every (customer, hour) of this package whose hour has ended by `now`, so
    /// that no reading is kept past its hour's end.
    pub fn aggregate_due(
        &mut self,
        now: u64,
        key: &SecretKey,
    ) -> LedgerResult<Vec<(MeteringWitness, BillingEvent)>> {
        let pkg = self.package_id;
        let due: Vec<(Id, u64)> = self.store.read(|tx, _| {
            let mut st = tx.prepare(
                "SELECT DISTINCT blinded_customer_id, hour_start FROM readings WHERE package_id = ?1 AND hour_start + 3600 <= ?2 ORDER BY hour_start, blinded_customer_id",
            )?;
            let rows = st.query_map(
                rusqlite::params![pkg.0.to_vec(), to_sql_u64(now, "now")?],
                |r| Ok((b32(r, 0)?, from_sql_u64(r.get(1)?))),
            )?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        due.into_iter()
            .map(|(c, h)| self.aggregate(&c, h, key))
            .collect()
    }

    /// This package's billing events, in hour order.
    pub fn billing_events(&mut self) -> LedgerResult<Vec<BillingEvent>> {
        let pkg = self.package_id;
        self.store.read(|tx, _| {
            let mut st = tx.prepare(
                "SELECT blinded_customer_id, hour_start, total_units, reading_count, readings_commitment, signer_key_id, signature
                 FROM aggregates WHERE package_id = ?1 ORDER BY hour_start, blinded_customer_id",
            )?;
            let rows = st.query_map([pkg.0.to_vec()], |r| {
                Ok(BillingEvent {
                    package_id: pkg,
                    blinded_customer_id: b32(r, 0)?,
                    hour_start: from_sql_u64(r.get(1)?),
                    total_units: from_sql_u64(r.get(2)?),
                    reading_count: from_sql_u64(r.get(3)?),
                    readings_commitment: b32(r, 4)?,
                    signer_key_id: b32(r, 5)?,
                    signature: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The number of readings of this package not yet aggregated.
    pub fn pending_readings(&mut self) -> LedgerResult<u64> {
        let pkg = self.package_id;
        self.store.read(|tx, _| {
            Ok(from_sql_u64(tx.query_row(
                "SELECT COUNT(*) FROM readings WHERE package_id = ?1",
                [pkg.0.to_vec()],
                |r| r.get(0),
            )?))
        })
    }
}
