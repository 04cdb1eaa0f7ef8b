//! Settlement (seed 000 §6.2-§6.3, §7): transactions executed atomically across parties,
//! the waterfall rules of each solution applied exactly as the waterfall circuit proves them,
//! per-publisher transaction commitments and per-solution payment commitments maintained as
//! transactions arrive, and the revenue and waterfall witnesses for any period.
//!
//! A package belongs to one publisher and one solution. A solution has waterfall rules, a
//! period origin and a period length; its periods are [origin + k·len, origin + (k+1)·len). Each transaction, in one SQLite
//! transaction: is recorded; is appended to its publisher's transactions commitment and its
//! solution-period's payments commitment (both recomputed with veil-circuits'
//! [`transactions_commitment`] and [`payments_commitment`]: each chain starts from the count,
//! so a new transaction changes every link and the cost is linear in the chain); and moves
//! balances so that every rule line of the period has been paid exactly
//! `waterfall::split(period total, rules)` — the payouts the waterfall circuit proves. A line's
//! balance can go down by a micro when the rounding remainder moves to another line's floor.
//!
//! Amounts are micros in SQLite's signed 64-bit integers: a gross amount of 0, above
//! 2^63 - 1, or one that would take a publisher's or a period's total past 2^63 - 1, is
//! refused.
//!
//! The settlement store holds blinded customer ids only (per package, unlinkable).

use crate::error::{LedgerError, LedgerResult};
use crate::hashing::by_backend;
use crate::store::{b32, from_sql_u64, to_sql_u64, Role, Store};
use rusqlite::{OptionalExtension, Transaction as SqlTx};
use serde::{Deserialize, Serialize};
use std::path::Path;
use veil_circuits::revenue::{transaction_digest, transactions_commitment, Transaction};
use veil_circuits::waterfall::{payment_digest, payments_commitment, split, Payment};
use veil_circuits::{RevenueWitness, WaterfallWitness};
use veil_verifier::statement::{BPS_WHOLE, WATERFALL_MAX_SHARES, WATERFALL_MAX_TRANCHES};
use veil_verifier::{Backend, Digest, Id, RevenueStatement, Share, Tranche, WaterfallStatement};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE solutions (
    solution_id BLOB PRIMARY KEY NOT NULL,
    period_origin INTEGER NOT NULL,
    period_secs INTEGER NOT NULL,
    rules TEXT NOT NULL
) STRICT;
CREATE TABLE settle_packages (
    package_id BLOB PRIMARY KEY NOT NULL,
    publisher_id BLOB NOT NULL,
    solution_id BLOB NOT NULL REFERENCES solutions(solution_id)
) STRICT;
CREATE TABLE transactions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    settlement_id BLOB NOT NULL UNIQUE,
    package_id BLOB NOT NULL REFERENCES settle_packages(package_id),
    publisher_id BLOB NOT NULL,
    solution_id BLOB NOT NULL,
    blinded_customer_id BLOB NOT NULL,
    gross_amount_micros INTEGER NOT NULL CHECK (gross_amount_micros > 0),
    timestamp INTEGER NOT NULL,
    period_start INTEGER NOT NULL,
    tx_digest BLOB NOT NULL,
    payment_digest BLOB NOT NULL
) STRICT;
CREATE INDEX transactions_by_publisher ON transactions (publisher_id, seq);
CREATE INDEX transactions_by_period ON transactions (solution_id, period_start, seq);
CREATE TABLE publishers (
    publisher_id BLOB PRIMARY KEY NOT NULL,
    tx_count INTEGER NOT NULL,
    total_micros INTEGER NOT NULL,
    tx_commitment BLOB NOT NULL
) STRICT;
CREATE TABLE solution_periods (
    solution_id BLOB NOT NULL,
    period_start INTEGER NOT NULL,
    total_micros INTEGER NOT NULL,
    payment_count INTEGER NOT NULL,
    payments_commitment BLOB NOT NULL,
    PRIMARY KEY (solution_id, period_start)
) STRICT;
CREATE TABLE period_lines (
    solution_id BLOB NOT NULL,
    period_start INTEGER NOT NULL,
    line INTEGER NOT NULL,
    recipient BLOB NOT NULL,
    paid_micros INTEGER NOT NULL,
    PRIMARY KEY (solution_id, period_start, line)
) STRICT;
CREATE TABLE balances (
    account BLOB PRIMARY KEY NOT NULL,
    balance_micros INTEGER NOT NULL
) STRICT;
";

/// A solution's public waterfall rules (as in the waterfall statement).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub tranches: Vec<Tranche>,
    pub shares: Vec<Share>,
    pub remainder_to: u32,
}

impl Rules {
    /// The rules the waterfall circuit accepts: at most 4 tranches, 1 to 8 share lines whose
    /// basis points sum to 10,000, the remainder line among them.
    pub fn validate(&self) -> LedgerResult<()> {
        if self.tranches.len() > WATERFALL_MAX_TRANCHES {
            return Err(LedgerError::refused(format!(
                "{} tranches, at most {WATERFALL_MAX_TRANCHES}",
                self.tranches.len()
            )));
        }
        if self.shares.is_empty() || self.shares.len() > WATERFALL_MAX_SHARES {
            return Err(LedgerError::refused(format!(
                "{} share lines, 1 to {WATERFALL_MAX_SHARES}",
                self.shares.len()
            )));
        }
        let bps: u64 = self.shares.iter().map(|s| u64::from(s.bps)).sum();
        if bps != u64::from(BPS_WHOLE) {
            return Err(LedgerError::refused(format!(
                "the share lines' basis points add up to {bps}, not {BPS_WHOLE}"
            )));
        }
        if self.remainder_to as usize >= self.shares.len() {
            return Err(LedgerError::refused(format!(
                "remainder_to {} is not a share line (there are {})",
                self.remainder_to,
                self.shares.len()
            )));
        }
        Ok(())
    }

    /// Recipient of each line: tranches, then shares.
    fn recipients(&self) -> Vec<Id> {
        self.tranches
            .iter()
            .map(|t| t.recipient)
            .chain(self.shares.iter().map(|s| s.recipient))
            .collect()
    }

    /// Payout of each line for a period total, in the order of [`Rules::recipients`].
    pub fn payouts(&self, total: u64) -> Vec<u64> {
        let (t, s) = split(
            total,
            &self.tranches,
            &self.shares,
            self.remainder_to as usize,
        );
        t.into_iter().chain(s).collect()
    }
}

/// A settlement transaction as it arrives (seed 000 §6.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementTx {
    pub settlement_id: Id,
    pub package_id: Id,
    pub blinded_customer_id: Id,
    pub gross_amount_micros: u64,
    /// Unix seconds.
    pub timestamp: u64,
}

/// What a settled transaction changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Settled {
    pub settlement_id: Id,
    pub publisher_id: Id,
    pub solution_id: Id,
    pub period_start: u64,
    pub publisher_commitment: Digest,
    pub payments_commitment: Digest,
}

/// Totals for checking the store's invariants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub transactions: u64,
    pub gross_micros: i128,
    pub balances_micros: i128,
}

pub struct Settlement {
    store: Store,
}

fn sum_i64(a: i64, b: u64, what: &str) -> LedgerResult<i64> {
    i64::try_from(b)
        .ok()
        .and_then(|b| a.checked_add(b))
        .ok_or_else(|| LedgerError::refused(format!("{what} would exceed 2^63 - 1 micros")))
}

impl Settlement {
    pub fn open(path: &Path, backend: Option<Backend>) -> LedgerResult<Settlement> {
        Ok(Settlement {
            store: Store::open(path, Role::Settlement, backend)?,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Registers a solution with its waterfall rules and its periods
    /// [origin + k·len, origin + (k+1)·len).
    pub fn add_solution(
        &mut self,
        solution_id: &Id,
        period_origin: u64,
        period_secs: u64,
        rules: &Rules,
    ) -> LedgerResult<()> {
        rules.validate()?;
        if period_secs == 0 {
            return Err(LedgerError::refused(
                "the period length must be at least 1 second",
            ));
        }
        let json = serde_json::to_string(rules).map_err(|e| LedgerError::refused(e.to_string()))?;
        self.store.write(|tx, _| {
            let n = tx.execute(
                "INSERT OR IGNORE INTO solutions (solution_id, period_origin, period_secs, rules) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![
                    solution_id.0.to_vec(),
                    to_sql_u64(period_origin, "period origin")?,
                    to_sql_u64(period_secs, "period")?,
                    json
                ],
            )?;
            if n == 0 {
                return Err(LedgerError::refused(format!("solution {solution_id} already exists")));
            }
            Ok(())
        })
    }

    /// Registers a package of `publisher_id` sold under `solution_id`.
    pub fn add_package(
        &mut self,
        package_id: &Id,
        publisher_id: &Id,
        solution_id: &Id,
    ) -> LedgerResult<()> {
        self.store.write(|tx, _| {
            solution(tx, solution_id)?;
            let n = tx.execute(
                "INSERT OR IGNORE INTO settle_packages (package_id, publisher_id, solution_id) VALUES (?1, ?2, ?3)",
                rusqlite::params![package_id.0.to_vec(), publisher_id.0.to_vec(), solution_id.0.to_vec()],
            )?;
            if n == 0 {
                return Err(LedgerError::refused(format!("package {package_id} already exists")));
            }
            Ok(())
        })
    }

    /// Settles one transaction: everything it changes, in one transaction, or nothing.
    pub fn settle(&mut self, t: &SettlementTx) -> LedgerResult<Settled> {
        if t.gross_amount_micros == 0 {
            return Err(LedgerError::refused("the gross amount must be positive"));
        }
        let gross = to_sql_u64(t.gross_amount_micros, "gross amount")?;
        let ts = to_sql_u64(t.timestamp, "timestamp")?;
        self.store.write(|tx, b| {
            let (publisher, solution_id) = tx
                .query_row(
                    "SELECT publisher_id, solution_id FROM settle_packages WHERE package_id = ?1",
                    [t.package_id.0.to_vec()],
                    |r| Ok((b32(r, 0)?, b32(r, 1)?)),
                )
                .optional()?
                .ok_or_else(|| LedgerError::refused(format!("unknown package {}", t.package_id)))?;
            let dup: Option<i64> = tx
                .query_row(
                    "SELECT seq FROM transactions WHERE settlement_id = ?1",
                    [t.settlement_id.0.to_vec()],
                    |r| r.get(0),
                )
                .optional()?;
            if dup.is_some() {
                return Err(LedgerError::refused(format!(
                    "settlement {} is already settled (duplicate settlement id)",
                    t.settlement_id
                )));
            }
            let (origin, period_secs, rules) = solution(tx, &solution_id)?;
            if t.timestamp < origin {
                return Err(LedgerError::refused(format!(
                    "timestamp {} is before the solution's first period ({origin})",
                    t.timestamp
                )));
            }
            let period_start = t.timestamp - (t.timestamp - origin) % period_secs;
            let ps = to_sql_u64(period_start, "period start")?;

            // Totals (refused before anything is written if they would overflow).
            let (pub_count, pub_total): (i64, i64) = tx
                .query_row(
                    "SELECT tx_count, total_micros FROM publishers WHERE publisher_id = ?1",
                    [publisher.0.to_vec()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .unwrap_or((0, 0));
            let new_pub_total = sum_i64(pub_total, t.gross_amount_micros, "the publisher's total")?;
            let (old_period_total, period_count): (i64, i64) = tx
                .query_row(
                    "SELECT total_micros, payment_count FROM solution_periods WHERE solution_id = ?1 AND period_start = ?2",
                    rusqlite::params![solution_id.0.to_vec(), ps],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .unwrap_or((0, 0));
            let new_period_total = sum_i64(old_period_total, t.gross_amount_micros, "the period's total")?;
            sum_total_gross(tx, t.gross_amount_micros)?;

            let tx_digest = by_backend!(b, transaction_digest(&t.settlement_id, &t.package_id, &t.blinded_customer_id))?;
            let pay_digest = by_backend!(b, payment_digest(&t.settlement_id, &t.blinded_customer_id))?;
            tx.execute(
                "INSERT INTO transactions (settlement_id, package_id, publisher_id, solution_id, blinded_customer_id,
                   gross_amount_micros, timestamp, period_start, tx_digest, payment_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                rusqlite::params![
                    t.settlement_id.0.to_vec(),
                    t.package_id.0.to_vec(),
                    publisher.0.to_vec(),
                    solution_id.0.to_vec(),
                    t.blinded_customer_id.0.to_vec(),
                    gross,
                    ts,
                    ps,
                    tx_digest.0.to_vec(),
                    pay_digest.0.to_vec()
                ],
            )?;

            // The publisher's commitment over all its transactions.
            let txs = publisher_transactions(tx, &publisher)?;
            let pub_commitment = by_backend!(b, transactions_commitment(&publisher, &txs))?;
            tx.execute(
                "INSERT INTO publishers (publisher_id, tx_count, total_micros, tx_commitment) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (publisher_id) DO UPDATE SET tx_count = excluded.tx_count,
                   total_micros = excluded.total_micros, tx_commitment = excluded.tx_commitment",
                rusqlite::params![publisher.0.to_vec(), pub_count + 1, new_pub_total, pub_commitment.0.to_vec()],
            )?;

            // The solution-period's payments commitment.
            let period_end = period_start.saturating_add(period_secs);
            let payments = period_payments(tx, &solution_id, period_start)?;
            let pay_commitment = by_backend!(b, payments_commitment(&solution_id, period_start, period_end, &payments))?;
            tx.execute(
                "INSERT INTO solution_periods (solution_id, period_start, total_micros, payment_count, payments_commitment)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (solution_id, period_start) DO UPDATE SET total_micros = excluded.total_micros,
                   payment_count = excluded.payment_count, payments_commitment = excluded.payments_commitment",
                rusqlite::params![solution_id.0.to_vec(), ps, new_period_total, period_count + 1, pay_commitment.0.to_vec()],
            )?;

            // Balances: every line of the period paid exactly split(new total).
            let old = rules.payouts(from_sql_u64(old_period_total));
            let new = rules.payouts(from_sql_u64(new_period_total));
            for (line, ((recipient, before), after)) in
                rules.recipients().iter().zip(&old).zip(&new).enumerate()
            {
                let delta = i64::try_from(i128::from(*after) - i128::from(*before))
                    .map_err(|_| LedgerError::refused("a payout change overflows"))?;
                tx.execute(
                    "INSERT INTO period_lines (solution_id, period_start, line, recipient, paid_micros) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (solution_id, period_start, line) DO UPDATE SET paid_micros = excluded.paid_micros",
                    rusqlite::params![solution_id.0.to_vec(), ps, line as i64, recipient.0.to_vec(), to_sql_u64(*after, "payout")?],
                )?;
                tx.execute(
                    "INSERT INTO balances (account, balance_micros) VALUES (?1, ?2)
                     ON CONFLICT (account) DO UPDATE SET balance_micros = balance_micros + excluded.balance_micros",
                    rusqlite::params![recipient.0.to_vec(), delta],
                )?;
            }
            Ok(Settled {
                settlement_id: t.settlement_id,
                publisher_id: publisher,
                solution_id,
                period_start,
                publisher_commitment: pub_commitment,
                payments_commitment: pay_commitment,
            })
        })
    }

    /// The balance of an account (a waterfall recipient), in micros.
    pub fn balance(&mut self, account: &Id) -> LedgerResult<i64> {
        self.store.read(|tx, _| {
            Ok(tx
                .query_row(
                    "SELECT balance_micros FROM balances WHERE account = ?1",
                    [account.0.to_vec()],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0))
        })
    }

    /// Every account with its balance.
    pub fn balances(&mut self) -> LedgerResult<Vec<(Id, i64)>> {
        self.store.read(|tx, _| {
            let mut st =
                tx.prepare("SELECT account, balance_micros FROM balances ORDER BY account")?;
            let rows = st.query_map([], |r| Ok((b32(r, 0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The revenue witness (seed 000 §7.1) of `publisher` for [start, end): every
    /// transaction under its commitment, those in the period counted. Refused when the
    /// publisher has more transactions than the circuit's capacity.
    pub fn revenue_witness(
        &mut self,
        publisher: &Id,
        start: u64,
        end: u64,
        capacity: usize,
    ) -> LedgerResult<RevenueWitness> {
        if end < start {
            return Err(LedgerError::refused(format!(
                "the period ends ({end}) before it starts ({start})"
            )));
        }
        self.store.read(|tx, b| {
            let stored: Option<Digest> = tx
                .query_row(
                    "SELECT tx_commitment FROM publishers WHERE publisher_id = ?1",
                    [publisher.0.to_vec()],
                    |r| b32(r, 0),
                )
                .optional()?;
            let stored = stored
                .ok_or_else(|| LedgerError::refused(format!("unknown publisher {publisher}")))?;
            let txs = publisher_transactions(tx, publisher)?;
            if txs.len() > capacity {
                return Err(LedgerError::refused(format!(
                    "the publisher has {} transactions, more than revenue-{capacity} holds",
                    txs.len()
                )));
            }
            let commitment = by_backend!(b, transactions_commitment(publisher, &txs))?;
            if commitment != stored {
                return Err(LedgerError::refused(
                    "the stored publisher commitment does not match its transactions",
                ));
            }
            let inside: Vec<&Transaction> = txs
                .iter()
                .filter(|t| start <= t.timestamp && t.timestamp < end)
                .collect();
            let sum: u128 = inside
                .iter()
                .map(|t| u128::from(t.gross_amount_micros))
                .sum();
            let aggregate = u64::try_from(sum)
                .map_err(|_| LedgerError::refused("the period's revenue overflows 2^64 - 1"))?;
            Ok(RevenueWitness {
                statement: RevenueStatement {
                    publisher_id: *publisher,
                    period_start: start,
                    period_end: end,
                    aggregate_revenue_micros: aggregate,
                    transaction_count: inside.len() as u64,
                    transactions_commitment: commitment,
                },
                transactions: txs,
                padding: Vec::new(),
            })
        })
    }

    /// The waterfall witness (seed 000 §7.3) of `solution_id` for the period containing
    /// `period_start` (which must be a period boundary).
    pub fn waterfall_witness(
        &mut self,
        solution_id: &Id,
        period_start: u64,
        capacity: usize,
    ) -> LedgerResult<WaterfallWitness> {
        self.store.read(|tx, b| {
            let (origin, period_secs, rules) = solution(tx, solution_id)?;
            if period_start < origin || !(period_start - origin).is_multiple_of(period_secs) {
                return Err(LedgerError::refused(format!(
                    "{period_start} is not the start of a period (periods of {period_secs} seconds from {origin})"
                )));
            }
            let period_end = period_start.saturating_add(period_secs);
            let payments = period_payments(tx, solution_id, period_start)?;
            if payments.len() > capacity {
                return Err(LedgerError::refused(format!(
                    "the period has {} payments, more than waterfall-{capacity} holds",
                    payments.len()
                )));
            }
            let total = payments
                .iter()
                .try_fold(0u64, |a, p| a.checked_add(p.amount_micros))
                .ok_or_else(|| LedgerError::refused("the period's total overflows"))?;
            let commitment = by_backend!(b, payments_commitment(solution_id, period_start, period_end, &payments))?;
            if !payments.is_empty() {
                let stored: Digest = tx.query_row(
                    "SELECT payments_commitment FROM solution_periods WHERE solution_id = ?1 AND period_start = ?2",
                    rusqlite::params![solution_id.0.to_vec(), to_sql_u64(period_start, "period")?],
                    |r| b32(r, 0),
                )?;
                if stored != commitment {
                    return Err(LedgerError::refused("the stored payments commitment does not match the payments"));
                }
            }
            let (tp, sp) = split(total, &rules.tranches, &rules.shares, rules.remainder_to as usize);
            Ok(WaterfallWitness {
                statement: WaterfallStatement {
                    solution_id: *solution_id,
                    period_start,
                    period_end,
                    total_revenue_micros: total,
                    tranches: rules.tranches.clone(),
                    shares: rules.shares.clone(),
                    remainder_to: rules.remainder_to,
                    tranche_payouts: tp,
                    share_payouts: sp,
                    payments_commitment: commitment,
                },
                payments,
                padding: Vec::new(),
            })
        })
    }

    /// Checks the invariants: balances sum to the settled gross, each publisher's and each
    /// period's stored commitment matches its stored transactions, each period's lines are
    /// exactly the waterfall split of its total. Returns the totals.
    pub fn check_invariants(&mut self) -> LedgerResult<Totals> {
        self.store.read(|tx, b| {
            let (n, gross): (i64, i64) = tx.query_row(
                "SELECT COUNT(*), COALESCE(SUM(gross_amount_micros), 0) FROM transactions",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let balances: i64 = tx.query_row("SELECT COALESCE(SUM(balance_micros), 0) FROM balances", [], |r| r.get(0))?;
            let totals = Totals {
                transactions: from_sql_u64(n),
                gross_micros: i128::from(gross),
                balances_micros: i128::from(balances),
            };
            if totals.gross_micros != totals.balances_micros {
                return Err(LedgerError::refused(format!(
                    "balances sum to {} micros, the settled gross is {}",
                    totals.balances_micros, totals.gross_micros
                )));
            }
            let mut st = tx.prepare("SELECT publisher_id, tx_commitment, tx_count FROM publishers")?;
            let pubs: Vec<(Id, Digest, i64)> = st
                .query_map([], |r| Ok((b32(r, 0)?, b32(r, 1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            for (p, c, count) in pubs {
                let txs = publisher_transactions(tx, &p)?;
                if txs.len() as i64 != count || by_backend!(b, transactions_commitment(&p, &txs))? != c {
                    return Err(LedgerError::refused(format!("publisher {p}: the commitment does not match its transactions")));
                }
            }
            let mut st = tx.prepare("SELECT solution_id, period_start, payments_commitment, total_micros FROM solution_periods")?;
            let periods: Vec<(Id, i64, Digest, i64)> = st
                .query_map([], |r| Ok((b32(r, 0)?, r.get(1)?, b32(r, 2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?;
            for (s, start, c, total) in periods {
                let (_, secs, rules) = solution(tx, &s)?;
                let start = from_sql_u64(start);
                let payments = period_payments(tx, &s, start)?;
                if by_backend!(b, payments_commitment(&s, start, start.saturating_add(secs), &payments))? != c {
                    return Err(LedgerError::refused(format!("solution {s}, period {start}: the commitment does not match its payments")));
                }
                let mut st = tx.prepare("SELECT paid_micros FROM period_lines WHERE solution_id = ?1 AND period_start = ?2 ORDER BY line")?;
                let paid: Vec<u64> = st
                    .query_map(rusqlite::params![s.0.to_vec(), start as i64], |r| Ok(from_sql_u64(r.get(0)?)))?
                    .collect::<Result<_, _>>()?;
                if paid != rules.payouts(from_sql_u64(total)) {
                    return Err(LedgerError::refused(format!("solution {s}, period {start}: the payouts are not the waterfall split")));
                }
            }
            Ok(totals)
        })
    }

    /// Every settled transaction id, in settlement order.
    pub fn settlement_ids(&mut self) -> LedgerResult<Vec<Id>> {
        self.store.read(|tx, _| {
            let mut st = tx.prepare("SELECT settlement_id FROM transactions ORDER BY seq")?;
            let rows = st.query_map([], |r| b32(r, 0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

fn sum_total_gross(tx: &SqlTx, add: u64) -> LedgerResult<()> {
    let total: i64 = tx.query_row(
        "SELECT COALESCE(SUM(gross_amount_micros), 0) FROM transactions",
        [],
        |r| r.get(0),
    )?;
    sum_i64(total, add, "the settled total")?;
    Ok(())
}

/// A solution's (period origin, period length, rules).
fn solution(tx: &SqlTx, id: &Id) -> LedgerResult<(u64, u64, Rules)> {
    let (origin, secs, json): (i64, i64, String) = tx
        .query_row(
            "SELECT period_origin, period_secs, rules FROM solutions WHERE solution_id = ?1",
            [id.0.to_vec()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| LedgerError::refused(format!("unknown solution {id}")))?;
    let rules: Rules = serde_json::from_str(&json).map_err(|e| {
        LedgerError::refused(format!("solution {id}: stored rules unreadable: {e}"))
    })?;
    Ok((from_sql_u64(origin), from_sql_u64(secs).max(1), rules))
}

fn publisher_transactions(tx: &SqlTx, publisher: &Id) -> LedgerResult<Vec<Transaction>> {
    let mut st = tx.prepare_cached(
        "SELECT tx_digest, gross_amount_micros, timestamp FROM transactions WHERE publisher_id = ?1 ORDER BY seq",
    )?;
    let rows = st.query_map([publisher.0.to_vec()], |r| {
        Ok(Transaction {
            digest: b32(r, 0)?,
            gross_amount_micros: from_sql_u64(r.get(1)?),
            timestamp: from_sql_u64(r.get(2)?),
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn period_payments(tx: &SqlTx, solution_id: &Id, period_start: u64) -> LedgerResult<Vec<Payment>> {
    let mut st = tx.prepare_cached(
        "SELECT payment_digest, gross_amount_micros FROM transactions WHERE solution_id = ?1 AND period_start = ?2 ORDER BY seq",
    )?;
    let rows = st.query_map(
        rusqlite::params![solution_id.0.to_vec(), to_sql_u64(period_start, "period")?],
        |r| {
            Ok(Payment {
                digest: b32(r, 0)?,
                amount_micros: from_sql_u64(r.get(1)?),
            })
        },
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
