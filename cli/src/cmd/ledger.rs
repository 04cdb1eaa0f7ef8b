//! `veil ledger`: the stateful modules (wallet, issuer, meter, settlement) over their
//! SQLite stores, and the signed revenue proof made from the settlement store.
//!
//! Ids (`--package`, `--publisher`, `--customer`, ...) are 64 hex digits, or any other text,
//! which stands for SHA3-256("veil-ledger-id/" ‖ text) so that walks can use names.

use super::keys::{read_public, read_secret};
use crate::error::{CliError, CliResult};
use crate::io::{out, out_json, read_bytes, unix_now, write_atomic};
use clap::{Args, Subcommand};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::{Path, PathBuf};
use veil_circuits::{Circuit, Revenue};
use veil_ledger::issuer::random_id;
use veil_ledger::settlement::Rules;
use veil_ledger::{
    Issuer, LedgerError, Meter, Settlement, SettlementTx, TokenPath, TokenRecord, TokenRequest,
    Wallet,
};
use veil_verifier::attest::sha3_256;
use veil_verifier::format::{read_key_file, KeyKind};
use veil_verifier::{AnyVerifyingKey, Backend, Bytes32, CircuitKind, Id, ProofEnvelope};

#[derive(Args, Debug)]
pub struct LedgerArgs {
    #[command(subcommand)]
    pub command: LedgerCommand,
}

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// The customer's wallet: blinding factors, tokens, ownership and renewal witnesses.
    #[command(subcommand)]
    Wallet(WalletCommand),
    /// The issuer: tokens, the active-token tree, roots, paths, renewals, tier sets.
    #[command(subcommand)]
    Issuer(IssuerCommand),
    /// The meter: readings, hourly aggregates, metering witnesses, billing events.
    #[command(subcommand)]
    Meter(MeterCommand),
    /// Settlement: solutions, packages, transactions, balances, witnesses.
    #[command(subcommand)]
    Settle(SettleCommand),
    /// Prove and sign a publisher's revenue for a period (a ZkRevenueProof, seed 000 §7.1).
    #[command(after_help = "Example:\n  \
        veil ledger revenue-proof --db settle.db --publisher acme --period 1767225600..1769904000 \\\n    \
        --key witness.key --pk keys/revenue-8.pk --out revenue.json\n  \
        veil verify --vk keys/revenue-8.vk --proof revenue.json --witness-pub witness.pub")]
    RevenueProof(RevenueProofArgs),
}

#[derive(Args, Debug)]
pub struct Db {
    /// The store file (SQLite; created if missing). One per role.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// The backend of a new store (default groth16); an existing store must match.
    #[arg(long, short = 'b', value_name = "BACKEND", value_parser = crate::backend_arg)]
    pub backend: Option<Backend>,
}

#[derive(Subcommand, Debug)]
pub enum WalletCommand {
    /// Make a blinding factor for a package and write the token request for the issuer.
    Request {
        #[command(flatten)]
        db: Db,
        /// The customer's PRIME id (never leaves the wallet).
        #[arg(long, value_name = "TEXT")]
        prime_id: String,
        #[arg(long, value_name = "ID")]
        package: String,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
    /// Check the issuer's signature on a token and keep it.
    Accept {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "FILE")]
        token: PathBuf,
        /// The issuer's public key (NAME.pub).
        #[arg(long, value_name = "FILE")]
        issuer_pub: PathBuf,
    },
    /// Write the ownership witness for the held token, from a path the issuer handed out.
    OwnershipWitness {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        package: String,
        #[arg(long, value_name = "FILE")]
        path: PathBuf,
        /// The verifier's challenge.
        #[arg(long, value_name = "ID")]
        challenge: String,
        /// Unix seconds; default now.
        #[arg(long)]
        now: Option<u64>,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
    /// After the issuer accepted the renewal: replace the held token by the renewed one (the
    /// renewal witness's new id and expiry, at the new leaf the issuer reported).
    Renewed {
        #[command(flatten)]
        db: Db,
        /// The renewal witness the proof was made from.
        #[arg(long, value_name = "FILE")]
        renewal: PathBuf,
        /// The new leaf's index (`veil ledger issuer renew` prints it).
        #[arg(long)]
        leaf_index: u64,
    },
    /// Write the renewal witness for the held token.
    RenewalWitness {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        package: String,
        #[arg(long, value_name = "FILE")]
        path: PathBuf,
        #[arg(long)]
        now: Option<u64>,
        #[arg(long, value_name = "UNIX")]
        new_expires_at: u64,
        /// The renewed token's id; default random.
        #[arg(long, value_name = "ID")]
        new_token_id: Option<String>,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum IssuerCommand {
    /// Create the token tree and the tier set (depths as in `ownership-D`, `tier-D`).
    Init {
        #[command(flatten)]
        db: Db,
        #[arg(long, default_value_t = 20)]
        depth: u32,
        #[arg(long, default_value_t = 20)]
        tier_depth: u32,
    },
    /// Register a package tokens can be issued for.
    AddPackage {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        package: String,
    },
    /// Issue a token for a wallet's request (signed with the issuer's key).
    Issue {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "FILE")]
        request: PathBuf,
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[arg(long, value_name = "UNIX")]
        expires_at: u64,
        /// Issue time; default now.
        #[arg(long)]
        now: Option<u64>,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
    /// Revoke a token: its leaf is emptied.
    Revoke {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "HEX")]
        token_id: Bytes32,
    },
    /// Sign the current root of the token tree (or of the tier set) as the next epoch's.
    PublishRoot {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The tier set's root instead of the token tree's.
        #[arg(long)]
        tier: bool,
        #[arg(long)]
        now: Option<u64>,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
    /// Write a token's path against the latest signed root (by token id, or by leaf index
    /// for a renewed token).
    Path {
        #[command(flatten)]
        db: Db,
        #[arg(
            long,
            value_name = "HEX",
            required_unless_present = "leaf_index",
            conflicts_with = "leaf_index"
        )]
        token_id: Option<Bytes32>,
        #[arg(long)]
        leaf_index: Option<u64>,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
    /// Accept a renewal proof: store its nullifier, insert its new leaf.
    Renew {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "FILE")]
        proof: PathBuf,
        #[arg(long, value_name = "FILE")]
        vk: PathBuf,
    },
    /// Check the issuer's invariants (the persisted tree is the tree of its tokens' leaves).
    Check {
        #[command(flatten)]
        db: Db,
    },
    /// List the tokens.
    Tokens {
        #[command(flatten)]
        db: Db,
    },
    /// Approve a tier commitment into the tier set.
    ApproveTier {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "HEX")]
        commitment: Bytes32,
    },
    /// Write the path of tier-set leaf INDEX against the latest signed tier root.
    TierPath {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        index: u64,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
    /// Redeem a tier proof: its nullifier is spent for its epoch.
    RedeemTier {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "FILE")]
        proof: PathBuf,
        #[arg(long, value_name = "FILE")]
        vk: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum MeterCommand {
    /// Register a package, its hourly aggregates proven with `metering-CAPACITY`.
    AddPackage {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        package: String,
        #[arg(long, default_value_t = 64)]
        capacity: u32,
    },
    /// Record one reading.
    Record {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        package: String,
        /// The blinded customer id.
        #[arg(long, value_name = "ID")]
        customer: String,
        #[arg(long, value_name = "UNIX")]
        timestamp: u64,
        #[arg(long)]
        units: u64,
    },
    /// Aggregate every hour that has ended: write its metering witness and signed billing
    /// event to DIR, and delete its readings.
    Aggregate {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        package: String,
        /// The witness key that signs billing events.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[arg(long)]
        now: Option<u64>,
        #[arg(long, value_name = "DIR")]
        out_dir: PathBuf,
    },
    /// List a package's billing events.
    Events {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        package: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SettleCommand {
    /// Register a solution with its waterfall rules (JSON: tranches, shares, remainder_to).
    AddSolution {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        solution: String,
        /// The start of its first waterfall period, unix seconds.
        #[arg(long, value_name = "UNIX", default_value_t = 0)]
        period_origin: u64,
        /// The length of its waterfall periods, seconds.
        #[arg(long)]
        period_secs: u64,
        #[arg(long, value_name = "FILE")]
        rules: PathBuf,
    },
    /// Register a package of a publisher, sold under a solution.
    AddPackage {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        package: String,
        #[arg(long, value_name = "ID")]
        publisher: String,
        #[arg(long, value_name = "ID")]
        solution: String,
    },
    /// Settle one transaction.
    Tx {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        settlement_id: String,
        #[arg(long, value_name = "ID")]
        package: String,
        /// The blinded customer id.
        #[arg(long, value_name = "ID")]
        customer: String,
        #[arg(long, value_name = "MICROS")]
        gross: u64,
        #[arg(long, value_name = "UNIX")]
        timestamp: u64,
    },
    /// Settle every transaction of a JSON-lines file, each in its own transaction; one already
    /// settled is skipped (so a stream can be replayed after a crash).
    Batch {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// The balances, and the check of the store's invariants.
    Balances {
        #[command(flatten)]
        db: Db,
    },
    /// Write the revenue witness of a publisher for a period.
    RevenueWitness {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        publisher: String,
        /// START..END, unix seconds, END excluded.
        #[arg(long, value_name = "A..B", value_parser = period_arg)]
        period: (u64, u64),
        #[arg(long, default_value_t = 256)]
        capacity: u32,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
    /// Write the waterfall witness of a solution's period.
    WaterfallWitness {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        solution: String,
        #[arg(long, value_name = "UNIX")]
        period_start: u64,
        #[arg(long, default_value_t = 256)]
        capacity: u32,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct RevenueProofArgs {
    #[command(flatten)]
    pub db: Db,
    #[arg(long, value_name = "ID")]
    pub publisher: String,
    /// START..END, unix seconds, END excluded.
    #[arg(long, value_name = "A..B", value_parser = period_arg)]
    pub period: (u64, u64),
    /// The witness's ML-DSA-87 secret key (signs the claim).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// A proving key for `revenue-CAPACITY` of the store's backend (`veil setup`).
    #[arg(long, value_name = "FILE")]
    pub pk: PathBuf,
    /// The proof id; default random.
    #[arg(long, value_name = "ID")]
    pub proof_id: Option<String>,
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
}

fn period_arg(s: &str) -> Result<(u64, u64), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("expected START..END, got {s:?}"))?;
    let a: u64 = a.parse().map_err(|e| format!("period start {a:?}: {e}"))?;
    let b: u64 = b.parse().map_err(|e| format!("period end {b:?}: {e}"))?;
    if b < a {
        return Err(format!("the period ends ({b}) before it starts ({a})"));
    }
    Ok((a, b))
}

/// An id: 64 hex digits, or SHA3-256("veil-ledger-id/" ‖ text).
pub fn parse_id(s: &str) -> Id {
    if let Ok(b) = s.parse::<Bytes32>() {
        return b;
    }
    let mut m = b"veil-ledger-id/".to_vec();
    m.extend_from_slice(s.as_bytes());
    sha3_256(&m)
}

fn le(e: LedgerError) -> CliError {
    CliError::new(e.to_string())
}

fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> CliResult<T> {
    let bytes = read_bytes(path, what)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        CliError::new(format!(
            "{what} {}: not a valid {what}: {e}",
            path.display()
        ))
    })
}

fn write_json(path: &Path, v: &impl Serialize) -> CliResult<()> {
    let text = serde_json::to_string_pretty(v).map_err(|e| CliError::new(e.to_string()))?;
    write_atomic(path, format!("{text}\n").as_bytes())
}

fn report(json: bool, v: serde_json::Value, line: String) -> CliResult<()> {
    if json {
        out_json(&v)
    } else {
        out(line)
    }
}

fn now_or(t: Option<u64>) -> CliResult<u64> {
    match t {
        Some(t) => Ok(t),
        None => unix_now(),
    }
}

fn read_envelope(path: &Path) -> CliResult<ProofEnvelope> {
    let bytes = read_bytes(path, "proof envelope")?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::new(format!(
            "{}: not a proof envelope (not UTF-8)",
            path.display()
        ))
    })?;
    ProofEnvelope::from_json(&text).map_err(|e| CliError::new(format!("{}: {e}", path.display())))
}

fn read_vk(path: &Path) -> CliResult<AnyVerifyingKey> {
    super::verify::read_vk(path, None)
}

pub fn run(args: &LedgerArgs, json: bool) -> CliResult<()> {
    match &args.command {
        LedgerCommand::Wallet(c) => wallet(c, json),
        LedgerCommand::Issuer(c) => issuer(c, json),
        LedgerCommand::Meter(c) => meter(c, json),
        LedgerCommand::Settle(c) => settle(c, json),
        LedgerCommand::RevenueProof(a) => revenue_proof(a, json),
    }
}

fn wallet(c: &WalletCommand, json: bool) -> CliResult<()> {
    match c {
        WalletCommand::Request {
            db,
            prime_id,
            package,
            out,
        } => {
            let mut w = Wallet::open(&db.db, db.backend).map_err(le)?;
            let req = w
                .request(prime_id.as_bytes(), &parse_id(package))
                .map_err(le)?;
            write_json(out, &req)?;
            report(
                json,
                serde_json::json!({"request": out.display().to_string(), "blinded_customer_id": req.blinded_customer_id, "package_id": req.package_id}),
                format!(
                    "token request for package {} (blinded id {}): {}",
                    req.package_id,
                    req.blinded_customer_id,
                    out.display()
                ),
            )
        }
        WalletCommand::Accept {
            db,
            token,
            issuer_pub,
        } => {
            let t: TokenRecord = read_json(token, "token")?;
            let key = read_public(issuer_pub)?;
            let mut w = Wallet::open(&db.db, db.backend).map_err(le)?;
            w.accept(&t, &key).map_err(le)?;
            report(
                json,
                serde_json::json!({"accepted": true, "token_id": t.token_id, "package_id": t.package_id}),
                format!(
                    "accepted token {} for package {} (signature checked)",
                    t.token_id, t.package_id
                ),
            )
        }
        WalletCommand::OwnershipWitness {
            db,
            package,
            path,
            challenge,
            now,
            out,
        } => {
            let p: TokenPath = read_json(path, "token path")?;
            let mut w = Wallet::open(&db.db, db.backend).map_err(le)?;
            let wit = w
                .ownership_witness(&parse_id(package), &p, &parse_id(challenge), now_or(*now)?)
                .map_err(le)?;
            write_json(out, &wit)?;
            report(
                json,
                serde_json::json!({"witness": out.display().to_string(), "circuit": format!("ownership-{}", p.depth)}),
                format!(
                    "ownership witness for ownership-{}: {}",
                    p.depth,
                    out.display()
                ),
            )
        }
        WalletCommand::Renewed {
            db,
            renewal,
            leaf_index,
        } => {
            let wit: veil_circuits::RenewalWitness = read_json(renewal, "renewal witness")?;
            let mut w = Wallet::open(&db.db, db.backend).map_err(le)?;
            let t = w.renewed(&wit, *leaf_index).map_err(le)?;
            report(
                json,
                serde_json::json!({"token_id": t.token_id, "replaced": wit.token.token_id, "leaf_index": t.leaf_index, "expires_at": t.expires_at}),
                format!(
                    "token {} replaced by the renewed token {} at leaf {} (expires {})",
                    wit.token.token_id, t.token_id, t.leaf_index, t.expires_at
                ),
            )
        }
        WalletCommand::RenewalWitness {
            db,
            package,
            path,
            now,
            new_expires_at,
            new_token_id,
            out,
        } => {
            let p: TokenPath = read_json(path, "token path")?;
            let mut w = Wallet::open(&db.db, db.backend).map_err(le)?;
            let id = new_token_id
                .as_deref()
                .map(parse_id)
                .unwrap_or_else(random_id);
            let wit = w
                .renewal_witness(&parse_id(package), &p, now_or(*now)?, *new_expires_at, &id)
                .map_err(le)?;
            write_json(out, &wit)?;
            report(
                json,
                serde_json::json!({"witness": out.display().to_string(), "circuit": format!("renewal-{}", p.depth), "new_token_id": id}),
                format!(
                    "renewal witness for renewal-{} (new token {id}): {}",
                    p.depth,
                    out.display()
                ),
            )
        }
    }
}

fn issuer(c: &IssuerCommand, json: bool) -> CliResult<()> {
    match c {
        IssuerCommand::Init {
            db,
            depth,
            tier_depth,
        } => {
            let mut i = Issuer::open(&db.db, db.backend).map_err(le)?;
            i.init(*depth, *tier_depth).map_err(le)?;
            report(
                json,
                serde_json::json!({"store": db.db.display().to_string(), "backend": i.store().backend().name(), "depth": depth, "tier_depth": tier_depth}),
                format!(
                    "issuer store {} ({}): token tree depth {depth}, tier set depth {tier_depth}",
                    db.db.display(),
                    i.store().backend()
                ),
            )
        }
        IssuerCommand::AddPackage { db, package } => {
            let id = parse_id(package);
            Issuer::open(&db.db, db.backend)
                .map_err(le)?
                .add_package(&id)
                .map_err(le)?;
            report(
                json,
                serde_json::json!({"package_id": id}),
                format!("package {id} registered"),
            )
        }
        IssuerCommand::Issue {
            db,
            request,
            key,
            expires_at,
            now,
            out,
        } => {
            let req: TokenRequest = read_json(request, "token request")?;
            let key = read_secret(key)?;
            let mut i = Issuer::open(&db.db, db.backend).map_err(le)?;
            let t = i
                .issue(&req, &key, now_or(*now)?, *expires_at)
                .map_err(le)?;
            write_json(out, &t)?;
            report(
                json,
                serde_json::json!({"token_id": t.token_id, "leaf_index": t.leaf_index, "token": out.display().to_string()}),
                format!(
                    "issued token {} at leaf {}: {}",
                    t.token_id,
                    t.leaf_index,
                    out.display()
                ),
            )
        }
        IssuerCommand::Revoke { db, token_id } => {
            let t = Issuer::open(&db.db, db.backend)
                .map_err(le)?
                .revoke(token_id)
                .map_err(le)?;
            report(
                json,
                serde_json::json!({"revoked": t.token_id, "leaf_index": t.leaf_index}),
                format!(
                    "revoked token {} (leaf {} emptied; publish a new root)",
                    t.token_id, t.leaf_index
                ),
            )
        }
        IssuerCommand::PublishRoot {
            db,
            key,
            tier,
            now,
            out,
        } => {
            let key = read_secret(key)?;
            let mut i = Issuer::open(&db.db, db.backend).map_err(le)?;
            let at = now_or(*now)?;
            let s = if *tier {
                i.publish_tier_root(&key, at)
            } else {
                i.publish_root(&key, at)
            }
            .map_err(le)?;
            write_atomic(out, format!("{}\n", s.to_json()).as_bytes())?;
            report(
                json,
                serde_json::json!({"root": s.info.root, "epoch": s.info.epoch, "leaf_count": s.info.leaf_count, "signed_root": out.display().to_string()}),
                format!(
                    "signed root {} of epoch {} ({} leaves): {}",
                    s.info.root,
                    s.info.epoch,
                    s.info.leaf_count,
                    out.display()
                ),
            )
        }
        IssuerCommand::Path {
            db,
            token_id,
            leaf_index,
            out,
        } => {
            let mut issuer = Issuer::open(&db.db, db.backend).map_err(le)?;
            let p = match (token_id, leaf_index) {
                (Some(id), _) => issuer.path(id),
                (None, Some(i)) => issuer.path_at(*i),
                (None, None) => {
                    return Err(CliError::new("--token-id or --leaf-index is required"))
                }
            }
            .map_err(le)?;
            write_json(out, &p)?;
            report(
                json,
                serde_json::json!({"token_id": p.token_id, "root": p.root, "epoch": p.epoch, "path": out.display().to_string()}),
                format!(
                    "path of token {} against the root of epoch {}: {}",
                    p.token_id,
                    p.epoch,
                    out.display()
                ),
            )
        }
        IssuerCommand::Renew { db, proof, vk } => {
            let env = read_envelope(proof)?;
            let vk = read_vk(vk)?;
            let r = Issuer::open(&db.db, db.backend)
                .map_err(le)?
                .renew(&env, &vk)
                .map_err(le)?;
            report(
                json,
                serde_json::json!({"renewed": true, "nullifier": r.nullifier, "new_leaf": r.new_leaf, "leaf_index": r.leaf_index, "new_expires_at": r.new_expires_at}),
                format!(
                    "renewal accepted: nullifier {} spent, new leaf at {} (expires {})",
                    r.nullifier, r.leaf_index, r.new_expires_at
                ),
            )
        }
        IssuerCommand::Check { db } => {
            let t = Issuer::open(&db.db, db.backend)
                .map_err(le)?
                .check_invariants()
                .map_err(le)?;
            report(
                json,
                serde_json::to_value(&t).map_err(|e| CliError::new(e.to_string()))?,
                format!(
                    "{} tokens ({} active), {} renewals, {} leaves; the tree's root {} is the root of its leaves",
                    t.tokens, t.active, t.renewals, t.leaves, t.root
                ),
            )
        }
        IssuerCommand::Tokens { db } => {
            let ts = Issuer::open(&db.db, db.backend)
                .map_err(le)?
                .tokens()
                .map_err(le)?;
            if json {
                return out_json(
                    &serde_json::to_value(&ts).map_err(|e| CliError::new(e.to_string()))?,
                );
            }
            for t in &ts {
                out(format!(
                    "{} leaf {} package {} expires {} {}",
                    t.token_id,
                    t.leaf_index,
                    t.package_id,
                    t.expires_at,
                    if t.is_active { "active" } else { "revoked" }
                ))?;
            }
            Ok(())
        }
        IssuerCommand::ApproveTier { db, commitment } => {
            let idx = Issuer::open(&db.db, db.backend)
                .map_err(le)?
                .approve_tier(commitment)
                .map_err(le)?;
            report(
                json,
                serde_json::json!({"index": idx}),
                format!("tier commitment approved at leaf {idx}"),
            )
        }
        IssuerCommand::TierPath { db, index, out } => {
            let p = Issuer::open(&db.db, db.backend)
                .map_err(le)?
                .tier_path(*index)
                .map_err(le)?;
            write_json(out, &p)?;
            report(
                json,
                serde_json::json!({"root": p.root, "epoch": p.epoch, "path": out.display().to_string()}),
                format!(
                    "path of tier leaf {index} against the tier root of epoch {}: {}",
                    p.epoch,
                    out.display()
                ),
            )
        }
        IssuerCommand::RedeemTier { db, proof, vk } => {
            let env = read_envelope(proof)?;
            let vk = read_vk(vk)?;
            let n = Issuer::open(&db.db, db.backend)
                .map_err(le)?
                .redeem_tier(&env, &vk)
                .map_err(le)?;
            report(
                json,
                serde_json::json!({"nullifier": n}),
                format!("tier proof redeemed: nullifier {n} spent"),
            )
        }
    }
}

fn meter(c: &MeterCommand, json: bool) -> CliResult<()> {
    match c {
        MeterCommand::AddPackage {
            db,
            package,
            capacity,
        } => {
            let id = parse_id(package);
            Meter::open(&db.db, db.backend)
                .map_err(le)?
                .register_package(&id, *capacity)
                .map_err(le)?;
            report(
                json,
                serde_json::json!({"package_id": id, "capacity": capacity}),
                format!("package {id} metered with metering-{capacity}"),
            )
        }
        MeterCommand::Record {
            db,
            package,
            customer,
            timestamp,
            units,
        } => {
            let mut m = Meter::open(&db.db, db.backend).map_err(le)?;
            m.package(&parse_id(package))
                .map_err(le)?
                .record(&parse_id(customer), *timestamp, *units)
                .map_err(le)?;
            report(
                json,
                serde_json::json!({"recorded": true}),
                format!("recorded {units} units at {timestamp}"),
            )
        }
        MeterCommand::Aggregate {
            db,
            package,
            key,
            now,
            out_dir,
        } => {
            let key = read_secret(key)?;
            crate::io::create_dir(out_dir)?;
            let mut m = Meter::open(&db.db, db.backend).map_err(le)?;
            let mut p = m.package(&parse_id(package)).map_err(le)?;
            let cap = p.capacity();
            let done = p.aggregate_due(now_or(*now)?, &key).map_err(le)?;
            let mut files = Vec::new();
            for (w, e) in &done {
                let stem = format!(
                    "metering-{}-{}",
                    w.statement.hour_start,
                    &w.statement.blinded_customer_id.to_hex()[..16]
                );
                let wf = out_dir.join(format!("{stem}.json"));
                let ef = out_dir.join(format!("{stem}.event.json"));
                write_json(&wf, w)?;
                write_json(&ef, e)?;
                files.push(wf.display().to_string());
            }
            report(
                json,
                serde_json::json!({"aggregated": done.len(), "circuit": format!("metering-{cap}"), "witnesses": files}),
                format!("aggregated {} hour(s) into {} (metering-{cap} witnesses and signed billing events); their readings are deleted", done.len(), out_dir.display()),
            )
        }
        MeterCommand::Events { db, package } => {
            let mut m = Meter::open(&db.db, db.backend).map_err(le)?;
            let ev = m
                .package(&parse_id(package))
                .map_err(le)?
                .billing_events()
                .map_err(le)?;
            if json {
                return out_json(
                    &serde_json::to_value(&ev).map_err(|e| CliError::new(e.to_string()))?,
                );
            }
            for e in &ev {
                out(format!(
                    "hour {} customer {} units {} ({} readings)",
                    e.hour_start, e.blinded_customer_id, e.total_units, e.reading_count
                ))?;
            }
            Ok(())
        }
    }
}

fn settle(c: &SettleCommand, json: bool) -> CliResult<()> {
    match c {
        SettleCommand::AddSolution {
            db,
            solution,
            period_origin,
            period_secs,
            rules,
        } => {
            let r: Rules = read_json(rules, "waterfall rules")?;
            let id = parse_id(solution);
            Settlement::open(&db.db, db.backend)
                .map_err(le)?
                .add_solution(&id, *period_origin, *period_secs, &r)
                .map_err(le)?;
            report(
                json,
                serde_json::json!({"solution_id": id}),
                format!(
                    "solution {id} with {} tranches and {} share lines",
                    r.tranches.len(),
                    r.shares.len()
                ),
            )
        }
        SettleCommand::AddPackage {
            db,
            package,
            publisher,
            solution,
        } => {
            let id = parse_id(package);
            Settlement::open(&db.db, db.backend)
                .map_err(le)?
                .add_package(&id, &parse_id(publisher), &parse_id(solution))
                .map_err(le)?;
            report(
                json,
                serde_json::json!({"package_id": id}),
                format!("package {id} registered"),
            )
        }
        SettleCommand::Tx {
            db,
            settlement_id,
            package,
            customer,
            gross,
            timestamp,
        } => {
            let t = SettlementTx {
                settlement_id: parse_id(settlement_id),
                package_id: parse_id(package),
                blinded_customer_id: parse_id(customer),
                gross_amount_micros: *gross,
                timestamp: *timestamp,
            };
            let s = Settlement::open(&db.db, db.backend)
                .map_err(le)?
                .settle(&t)
                .map_err(le)?;
            report(
                json,
                serde_json::to_value(&s).map_err(|e| CliError::new(e.to_string()))?,
                format!(
                    "settled {} ({} micros); publisher commitment {}",
                    s.settlement_id, gross, s.publisher_commitment
                ),
            )
        }
        SettleCommand::Batch { db, file } => {
            let text = String::from_utf8(read_bytes(file, "transactions file")?)
                .map_err(|_| CliError::new(format!("{}: not UTF-8 text", file.display())))?;
            let mut s = Settlement::open(&db.db, db.backend).map_err(le)?;
            let done: std::collections::HashSet<Id> =
                s.settlement_ids().map_err(le)?.into_iter().collect();
            let (mut settled, mut skipped) = (0u64, 0u64);
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let t: SettlementTx = serde_json::from_str(line).map_err(|e| {
                    CliError::new(format!(
                        "{} line {}: not a settlement transaction: {e}",
                        file.display(),
                        n + 1
                    ))
                })?;
                if done.contains(&t.settlement_id) {
                    skipped += 1;
                    continue;
                }
                s.settle(&t).map_err(|e| {
                    CliError::new(format!("{} line {}: {e}", file.display(), n + 1))
                })?;
                settled += 1;
            }
            report(
                json,
                serde_json::json!({"settled": settled, "skipped": skipped}),
                format!("settled {settled} transactions ({skipped} already settled)"),
            )
        }
        SettleCommand::Balances { db } => {
            let mut s = Settlement::open(&db.db, db.backend).map_err(le)?;
            let totals = s.check_invariants().map_err(le)?;
            let bal = s.balances().map_err(le)?;
            if json {
                return out_json(&serde_json::json!({
                    "transactions": totals.transactions,
                    "gross_micros": totals.gross_micros.to_string(),
                    "balances": bal.iter().map(|(a, b)| serde_json::json!({"account": a, "micros": b})).collect::<Vec<_>>(),
                    "invariants": "hold",
                }));
            }
            out(format!(
                "{} transactions, {} micros settled; invariants hold",
                totals.transactions, totals.gross_micros
            ))?;
            for (a, b) in bal {
                out(format!("  {a} {b}"))?;
            }
            Ok(())
        }
        SettleCommand::RevenueWitness {
            db,
            publisher,
            period,
            capacity,
            out,
        } => {
            let w = Settlement::open(&db.db, db.backend)
                .map_err(le)?
                .revenue_witness(&parse_id(publisher), period.0, period.1, *capacity as usize)
                .map_err(le)?;
            write_json(out, &w)?;
            let s = &w.statement;
            report(
                json,
                serde_json::json!({"witness": out.display().to_string(), "aggregate_revenue_micros": s.aggregate_revenue_micros, "transaction_count": s.transaction_count}),
                format!(
                    "revenue-{capacity} witness: {} micros from {} transactions: {}",
                    s.aggregate_revenue_micros,
                    s.transaction_count,
                    out.display()
                ),
            )
        }
        SettleCommand::WaterfallWitness {
            db,
            solution,
            period_start,
            capacity,
            out,
        } => {
            let w = Settlement::open(&db.db, db.backend)
                .map_err(le)?
                .waterfall_witness(&parse_id(solution), *period_start, *capacity as usize)
                .map_err(le)?;
            write_json(out, &w)?;
            let s = &w.statement;
            report(
                json,
                serde_json::json!({"witness": out.display().to_string(), "total_revenue_micros": s.total_revenue_micros}),
                format!(
                    "waterfall-{capacity} witness: {} micros split: {}",
                    s.total_revenue_micros,
                    out.display()
                ),
            )
        }
    }
}

fn revenue_proof(a: &RevenueProofArgs, json: bool) -> CliResult<()> {
    let key = read_secret(&a.key)?;
    let bytes = read_bytes(&a.pk, "proving key")?;
    let (header, _) = read_key_file(&bytes, KeyKind::Proving)
        .map_err(|e| CliError::new(format!("{}: {e}", a.pk.display())))?;
    drop(bytes);
    if header.circuit.kind != CircuitKind::Revenue {
        return Err(CliError::new(format!(
            "{}: a {} key, a revenue proof needs a revenue-N key",
            a.pk.display(),
            header.circuit
        )));
    }
    let mut s = Settlement::open(&a.db.db, a.db.backend).map_err(le)?;
    if s.store().backend() != header.backend {
        return Err(CliError::new(format!(
            "{}: a {} key, the settlement store is for {}",
            a.pk.display(),
            header.backend,
            s.store().backend()
        )));
    }
    let circuit = Revenue::new(header.circuit.size).map_err(CliError::new)?;
    let capacity = circuit.id().capacity();
    let prover = super::load_prover(circuit, &a.pk, Some(header.backend), json)?;
    let proof_id = a
        .proof_id
        .as_deref()
        .map(parse_id)
        .unwrap_or_else(random_id);
    let rp = veil_ledger::revenue::revenue_proof(
        &mut s,
        &parse_id(&a.publisher),
        a.period.0,
        a.period.1,
        capacity,
        |w| prover.prove(w).map_err(|e| e.to_string()),
        &key,
        proof_id,
    )
    .map_err(le)?;
    write_atomic(&a.out, format!("{}\n", rp.to_json()).as_bytes())?;
    report(
        json,
        serde_json::json!({
            "revenue_proof": a.out.display().to_string(), "proof_id": rp.proof_id, "publisher_id": rp.publisher_id,
            "period_start": rp.period_start, "period_end": rp.period_end,
            "aggregate_revenue_micros": rp.aggregate_revenue_micros, "transaction_count": rp.transaction_count,
        }),
        format!(
            "revenue proof: publisher {} earned {} micros from {} transactions in [{}, {}), signed by {}: {}",
            rp.publisher_id, rp.aggregate_revenue_micros, rp.transaction_count, rp.period_start, rp.period_end,
            key.key_id(), a.out.display()
        ),
    )
}
