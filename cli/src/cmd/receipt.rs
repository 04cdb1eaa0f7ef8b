//! `veil receipt`: confidential receipts (seed 003; issue 16 §3) over a settlement store:
//! participant keys, envelope encryption for participants and an auditor, logged decryption,
//! rotation, the access log's check, and the receipts digest an auditor compares with a
//! `receipt` proof. Formats: `veil_ledger::confidential`.

use super::ledger::parse_id;
use crate::error::{CliError, CliResult};
use crate::io::{out, out_json, read_bytes, unix_now, write_atomic, write_secret_atomic};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use veil_ledger::confidential::{
    self, Alg, ConfidentialError, ConfidentialReceipt, Keystore, PublicKey, PublicPart, Recipient,
    RecipientRole, SecretKey,
};
use veil_verifier::{Backend, Bytes32, Id};

#[derive(Args, Debug)]
pub struct ReceiptArgs {
    #[command(subcommand)]
    pub command: ReceiptCommand,
}

#[derive(Args, Debug)]
pub struct Db {
    /// The settlement store holding the keys, the receipts and the access log (created if
    /// missing).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
}

fn alg_arg(s: &str) -> Result<Alg, String> {
    s.parse()
}

#[derive(Subcommand, Debug)]
pub enum ReceiptCommand {
    /// Make a participant's (or the auditor's) key pair; the store keeps it, NAME.rpub and
    /// NAME.rkey (mode 0600) are written with --out.
    #[command(
        after_help = "Example:\n  veil receipt keygen --db settle.db --participant miner-789 --out miner"
    )]
    Keygen {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        participant: String,
        /// x25519 (default) or ml-kem-1024 (post-quantum).
        #[arg(long, value_name = "ALG", default_value = "x25519", value_parser = alg_arg)]
        alg: Alg,
        #[arg(long, short = 'o', value_name = "NAME")]
        out: Option<PathBuf>,
    },
    /// Encrypt a transaction's sensitive fields (a JSON object) once, for each participant
    /// and the auditor, and register the receipt in the store.
    #[command(
        after_help = "Example:\n  veil receipt encrypt --db settle.db --fields fields.json --transaction s-1 \\\n    \
        --participant client-456 --participant miner-789 --auditor auditor-001 --out r.json\n\n\
        Keys are the store's active keys of --alg, or --pub files (NAME.rpub) for recipients \
        whose keys live elsewhere. With --tx-digest (the revenue chain's digest of the \
        transaction) the public part also carries a blinded commitment to \"amount_micros\", \
        for the `receipt` circuit."
    )]
    Encrypt {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "FILE")]
        fields: PathBuf,
        /// The transaction (settlement id) the receipt is for.
        #[arg(long, value_name = "ID")]
        transaction: String,
        #[arg(long = "participant", value_name = "ID")]
        participants: Vec<String>,
        #[arg(long, value_name = "ID")]
        auditor: String,
        /// Public key files for recipients (they override the store's key).
        #[arg(long = "pub", value_name = "FILE")]
        pubs: Vec<PathBuf>,
        #[arg(long, value_name = "ALG", default_value = "x25519", value_parser = alg_arg)]
        alg: Alg,
        /// The revenue chain's tx digest (64 hex) of the transaction.
        #[arg(long, value_name = "HEX")]
        tx_digest: Option<Bytes32>,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
    /// Decrypt a receipt as a recipient, for a stated purpose; the access is logged.
    #[command(
        after_help = "Example:\n  veil receipt decrypt --db settle.db --receipt r.json --as miner-789 --key miner.rkey --purpose settlement"
    )]
    Decrypt {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "FILE")]
        receipt: PathBuf,
        /// Who decrypts (a participant or the auditor).
        #[arg(long = "as", value_name = "ID")]
        requester: String,
        /// The secret key file (NAME.rkey); default: the key the store holds.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        #[arg(long, value_name = "TEXT")]
        purpose: String,
        /// Write the fields here instead of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Rotate a participant's key: re-wrap every active receipt's data key for a new key
    /// (ciphertexts untouched) and retire the old key.
    #[command(
        after_help = "Example:\n  veil receipt rewrap --db settle.db --participant miner-789 --out miner --receipt r.json"
    )]
    Rewrap {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_name = "ID")]
        participant: String,
        #[arg(long, value_name = "ALG", default_value = "x25519", value_parser = alg_arg)]
        alg: Alg,
        /// Write the new NAME.rpub and NAME.rkey.
        #[arg(long, short = 'o', value_name = "NAME")]
        out: Option<PathBuf>,
        /// Receipt files to rewrite from the store's re-wrapped copies.
        #[arg(long = "receipt", value_name = "FILE")]
        receipts: Vec<PathBuf>,
    },
    /// The access log.
    #[command(subcommand)]
    Log(LogCommand),
    /// The receipts digest of a batch of receipt files (in the revenue chain's order): what
    /// a `receipt` proof's `receipts_commitment` must be.
    #[command(
        after_help = "Example:\n  veil receipt digest --publisher acme --backend groth16 --receipt r1.json --receipt r2.json"
    )]
    Digest {
        #[arg(long, value_name = "ID")]
        publisher: String,
        #[arg(long, short = 'b', value_name = "BACKEND", default_value = "groth16", value_parser = crate::backend_arg)]
        backend: Backend,
        #[arg(long = "receipt", value_name = "FILE", required = true)]
        receipts: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum LogCommand {
    /// Check the log's hash chain; exit code 0 only if it is intact.
    #[command(after_help = "Example:\n  veil receipt log verify --db settle.db [--head HEX]")]
    Verify {
        #[command(flatten)]
        db: Db,
        /// A head hash recorded earlier: it must still be in the chain.
        #[arg(long, value_name = "HEX")]
        head: Option<Bytes32>,
    },
    /// Print every entry.
    Show {
        #[command(flatten)]
        db: Db,
    },
}

const PUB_FORMAT: &str = "veil-receipt-public-key";
const KEY_FORMAT: &str = "veil-receipt-secret-key";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: String,
    format_version: u32,
    participant: Id,
    alg: Alg,
    public: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

fn ce(e: ConfidentialError) -> CliError {
    CliError::new(e.to_string())
}

fn open(db: &Db) -> CliResult<Keystore> {
    Keystore::open(&db.db).map_err(|e| CliError::new(format!("{}: {e}", db.db.display())))
}

fn read_text(path: &Path, what: &str, max: usize) -> CliResult<String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| CliError::new(format!("cannot read {what} {}: {e}", path.display())))?;
    if meta.len() > max as u64 {
        return Err(CliError::new(format!(
            "{what} {} is {} bytes, at most {max}",
            path.display(),
            meta.len()
        )));
    }
    String::from_utf8(read_bytes(path, what)?)
        .map_err(|_| CliError::new(format!("{what} {} is not UTF-8 text", path.display())))
}

fn read_key_file(path: &Path, want: &str) -> CliResult<KeyFile> {
    let text = read_text(path, "key file", 16 * 1024)?;
    let k: KeyFile = serde_json::from_str(&text)
        .map_err(|e| CliError::new(format!("key file {}: {e}", path.display())))?;
    if k.format != want || k.format_version != 1 {
        return Err(CliError::new(format!(
            "key file {}: format {:?}, expected {want:?} version 1",
            path.display(),
            k.format
        )));
    }
    Ok(k)
}

fn hex_field(s: &str, path: &Path) -> CliResult<Vec<u8>> {
    hex::decode(s).map_err(|e| CliError::new(format!("key file {}: {e}", path.display())))
}

fn read_public(path: &Path) -> CliResult<(Id, PublicKey)> {
    let k = read_key_file(path, PUB_FORMAT)?;
    let pk = PublicKey::from_bytes(k.alg, &hex_field(&k.public, path)?).map_err(ce)?;
    Ok((k.participant, pk))
}

fn read_secret(path: &Path) -> CliResult<(Id, SecretKey)> {
    let k = read_key_file(path, KEY_FORMAT)?;
    let secret = k
        .secret
        .as_deref()
        .ok_or_else(|| CliError::new(format!("key file {}: no secret", path.display())))?;
    let sk = SecretKey::from_bytes(k.alg, &hex_field(secret, path)?).map_err(ce)?;
    Ok((k.participant, sk))
}

fn with_ext(name: &Path, ext: &str) -> PathBuf {
    let mut s = name.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

fn write_keys(name: &Path, participant: &Id, sk: &SecretKey) -> CliResult<(PathBuf, PathBuf)> {
    let mut file = KeyFile {
        format: PUB_FORMAT.into(),
        format_version: 1,
        participant: *participant,
        alg: sk.alg(),
        public: hex::encode(sk.public().as_bytes()),
        secret: None,
    };
    let public = with_ext(name, ".rpub");
    write_atomic(
        &public,
        serde_json::to_string_pretty(&file).unwrap().as_bytes(),
    )?;
    file.format = KEY_FORMAT.into();
    file.secret = Some(hex::encode(sk.secret_bytes()));
    let secret = with_ext(name, ".rkey");
    write_secret_atomic(
        &secret,
        serde_json::to_string_pretty(&file).unwrap().as_bytes(),
    )?;
    Ok((public, secret))
}

fn read_receipt(path: &Path) -> CliResult<ConfidentialReceipt> {
    let text = read_text(path, "receipt", 1 << 20)?;
    ConfidentialReceipt::from_json(&text)
        .map_err(|e| CliError::new(format!("receipt {}: {e}", path.display())))
}

pub fn run(a: &ReceiptArgs, json: bool) -> CliResult<()> {
    match &a.command {
        ReceiptCommand::Keygen {
            db,
            participant,
            alg,
            out: name,
        } => {
            let mut ks = open(db)?;
            let p = parse_id(participant);
            let pk = ks.generate(&p, *alg, unix_now()?).map_err(ce)?;
            let files = match name {
                Some(n) => Some(write_keys(n, &p, &ks.export_secret(&p, *alg).map_err(ce)?)?),
                None => None,
            };
            if json {
                out_json(&serde_json::json!({
                    "participant": p, "alg": alg.name(), "key_id": pk.key_id(),
                    "public_file": files.as_ref().map(|f| f.0.display().to_string()),
                    "secret_file": files.as_ref().map(|f| f.1.display().to_string()),
                }))
            } else {
                out(format!(
                    "{} key {} for participant {}{}",
                    alg.name(),
                    pk.key_id(),
                    p,
                    files
                        .map(|(a, b)| format!(": {} and {} (mode 0600)", a.display(), b.display()))
                        .unwrap_or_default()
                ))
            }
        }
        ReceiptCommand::Encrypt {
            db,
            fields,
            transaction,
            participants,
            auditor,
            pubs,
            alg,
            tx_digest,
            out: path,
        } => {
            let mut ks = open(db)?;
            let text = read_text(fields, "fields file", confidential::MAX_FIELDS_BYTES)?;
            let mut fields: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| CliError::new(format!("fields {}: {e}", fields.display())))?;
            if participants.is_empty() {
                return Err(CliError::new("name at least one --participant"));
            }
            let participants: Vec<Id> = participants.iter().map(|p| parse_id(p)).collect();
            let auditor = parse_id(auditor);
            let mut given = Vec::new();
            for f in pubs {
                given.push(read_public(f)?);
            }
            let mut recipients = Vec::new();
            for (id, role) in participants
                .iter()
                .map(|p| (*p, RecipientRole::Participant))
                .chain(std::iter::once((auditor, RecipientRole::Auditor)))
            {
                let key = match given.iter().find(|(p, _)| *p == id) {
                    Some((_, k)) => k.clone(),
                    None => ks
                        .active_key(&id, *alg)
                        .map_err(ce)?
                        .ok_or_else(|| ce(ConfidentialError::UnknownParticipant(id.to_hex())))?,
                };
                recipients.push(Recipient { id, role, key });
            }
            let backend = ks.store().backend();
            let (amount_commitment, backend_name) = match tx_digest {
                Some(d) => {
                    let amount = confidential::fields_amount(&fields).map_err(ce)?;
                    let (c, b) = confidential::amount_commitment(backend, d, amount).map_err(ce)?;
                    fields["amount_blinding"] = serde_json::Value::String(b.to_hex());
                    (Some(c), Some(backend.name().to_string()))
                }
                None => (None, None),
            };
            let public = PublicPart {
                receipt_id: Bytes32(confidential::random32()),
                transaction_id: parse_id(transaction),
                participants,
                auditor,
                tx_digest: *tx_digest,
                amount_commitment,
                backend: backend_name,
            };
            let r = confidential::seal(public, &fields, &recipients).map_err(ce)?;
            ks.register(&r).map_err(ce)?;
            write_atomic(path, r.to_json().as_bytes())?;
            if json {
                out_json(&serde_json::json!({
                    "receipt": path.display().to_string(), "receipt_id": r.public.receipt_id,
                    "recipients": r.wraps.len(), "alg": alg.name(),
                    "amount_commitment": r.public.amount_commitment,
                }))
            } else {
                out(format!(
                    "receipt {} written to {}: encrypted once, wrapped for {} recipients ({})",
                    r.public.receipt_id,
                    path.display(),
                    r.wraps.len(),
                    alg.name()
                ))
            }
        }
        ReceiptCommand::Decrypt {
            db,
            receipt,
            requester,
            key,
            purpose,
            out: path,
        } => {
            let mut ks = open(db)?;
            let r = read_receipt(receipt)?;
            let requester = parse_id(requester);
            let sk = match key {
                Some(k) => {
                    let (p, sk) = read_secret(k)?;
                    if p != requester {
                        return Err(CliError::new(format!(
                            "key file {} is {}'s, not {}'s",
                            k.display(),
                            p,
                            requester
                        )));
                    }
                    Some(sk)
                }
                None => None,
            };
            let fields = ks
                .decrypt(&r, &requester, sk.as_ref(), purpose, unix_now()?)
                .map_err(ce)?;
            let text = serde_json::to_string_pretty(&fields).unwrap();
            match path {
                Some(p) => {
                    write_secret_atomic(p, text.as_bytes())?;
                    if json {
                        out_json(
                            &serde_json::json!({ "fields": p.display().to_string(), "logged": true }),
                        )
                    } else {
                        out(format!("fields written to {} (access logged)", p.display()))
                    }
                }
                None => out(text),
            }
        }
        ReceiptCommand::Rewrap {
            db,
            participant,
            alg,
            out: name,
            receipts,
        } => {
            let mut ks = open(db)?;
            let p = parse_id(participant);
            // Read the files first: an unreadable one stops before anything changes.
            let mut files = Vec::new();
            for f in receipts {
                files.push((f, read_receipt(f)?));
            }
            let (pk, n) = ks.rotate(&p, *alg, unix_now()?).map_err(ce)?;
            let keyfiles = match name {
                Some(nm) => Some(write_keys(
                    nm,
                    &p,
                    &ks.export_secret(&p, *alg).map_err(ce)?,
                )?),
                None => None,
            };
            let mut rewritten = Vec::new();
            for (f, r) in files {
                if let Some(stored) = ks.receipt(&r.public.receipt_id).map_err(ce)? {
                    write_atomic(f, stored.to_json().as_bytes())?;
                    rewritten.push(f.display().to_string());
                }
            }
            if json {
                out_json(&serde_json::json!({
                    "participant": p, "alg": alg.name(), "key_id": pk.key_id(),
                    "rewrapped": n, "files": rewritten,
                    "secret_file": keyfiles.map(|k| k.1.display().to_string()),
                }))
            } else {
                out(format!(
                    "{}'s {} key rotated to {}: {n} active receipts re-wrapped (ciphertexts unchanged), {} files rewritten",
                    p,
                    alg.name(),
                    pk.key_id(),
                    rewritten.len()
                ))
            }
        }
        ReceiptCommand::Log(LogCommand::Verify { db, head }) => {
            let ks = open(db)?;
            let report = ks.verify_log(head.as_ref()).map_err(ce)?;
            if json {
                out_json(&serde_json::to_value(&report).unwrap())
            } else {
                out(format!(
                    "access log intact: {} entries, head {}",
                    report.entries, report.head
                ))
            }
        }
        ReceiptCommand::Log(LogCommand::Show { db }) => {
            let ks = open(db)?;
            let entries = ks.log().map_err(ce)?;
            if json {
                return out_json(&serde_json::to_value(&entries).unwrap());
            }
            for e in entries {
                out(format!(
                    "{} at {} receipt {} by {} for {:?}",
                    e.seq, e.at, e.receipt_id, e.requester, e.purpose
                ))?;
            }
            Ok(())
        }
        ReceiptCommand::Digest {
            publisher,
            backend,
            receipts,
        } => {
            let mut cs = Vec::new();
            for f in receipts {
                let r = read_receipt(f)?;
                let c = r.public.amount_commitment.ok_or_else(|| {
                    CliError::new(format!(
                        "receipt {} carries no amount commitment (encrypted without --tx-digest)",
                        f.display()
                    ))
                })?;
                if r.public.backend.as_deref() != Some(backend.name()) {
                    return Err(CliError::new(format!(
                        "receipt {}'s commitment is for the {} backend, not {backend}",
                        f.display(),
                        r.public.backend.as_deref().unwrap_or("unknown")
                    )));
                }
                cs.push(c);
            }
            let p = parse_id(publisher);
            use veil_circuits::receipt::receipts_commitment;
            let d = match backend {
                Backend::Groth16 => receipts_commitment::<veil_circuits::PoseidonBls12>(&p, &cs)?,
                Backend::Plonky2 => {
                    receipts_commitment::<veil_circuits::PoseidonGoldilocks>(&p, &cs)?
                }
            };
            if json {
                out_json(&serde_json::json!({ "receipts_commitment": d, "receipts": cs.len() }))
            } else {
                out(format!("receipts_commitment {d} ({} receipts)", cs.len()))
            }
        }
    }
}
