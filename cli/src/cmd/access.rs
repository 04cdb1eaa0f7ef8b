//! `veil access`: the creator's and the client's side of the access service (seed 004).
//!
//! - `veil access publish`: encrypt a file under a fresh K_content (AES-256-GCM), write its
//!   manifest signed by the creator, and put manifest and key in a service's content store.
//! - `veil access request`: prove tier membership for one request, ask the service, check
//!   its signature, unwrap K_content and decrypt the file.

use super::keys::read_secret;
use crate::error::{CliError, CliResult, Context};
use crate::io::{
    create_dir, out, out_json, read_bytes, unix_now, write_atomic, write_secret_atomic,
};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use veil_access::manifest::Manifest;
use veil_access::wire::ServiceInfo;
use veil_access::wrap::WrapMethod;
use veil_access_client::{request_access, AccessParams, Credential};
use veil_circuits::Tier;
use veil_prover::{Groth16ProvingKey, Prover};
use veil_verifier::attest::{Signature, SignedRoot};

#[derive(Args, Debug)]
pub struct AccessArgs {
    #[command(subcommand)]
    pub command: AccessCommand,
}

#[derive(Subcommand, Debug)]
pub enum AccessCommand {
    /// Encrypt a file for the access service: OUT, OUT.manifest, OUT.manifest.sig, and the
    /// manifest and key in the service's content store.
    #[command(
        after_help = "Example:\n  veil access publish --file film.mp4 --min-tier 2 --creator-key creator.key --store store --out film.enc"
    )]
    Publish(PublishArgs),
    /// Request a content key with a tier proof and decrypt the content.
    #[command(
        after_help = "Example:\n  veil access request --service http://127.0.0.1:8700 --service-info service.json \\\n    --pk keys/tier-4.pk --credential w.json --signed-root signed-root.json \\\n    --content film.enc --out film.mp4"
    )]
    Request(RequestArgs),
}

#[derive(Args, Debug)]
pub struct PublishArgs {
    /// The file to publish (plaintext).
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// The least tier that may read it.
    #[arg(long)]
    pub min_tier: u32,
    /// The creator's ML-DSA-87 key (NAME.key of `veil keygen`).
    #[arg(long, value_name = "FILE")]
    pub creator_key: PathBuf,
    /// The service's content store folder (created if absent).
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// The encrypted file; its manifest goes to OUT.manifest and OUT.manifest.sig.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct RequestArgs {
    /// The service's address, e.g. http://127.0.0.1:8700.
    #[arg(long, value_name = "URL")]
    pub service: String,
    /// The service's public description (`veil-access describe`).
    #[arg(long, value_name = "FILE")]
    pub service_info: PathBuf,
    /// The groth16 proving key of the service's tier circuit.
    #[arg(long, value_name = "FILE")]
    pub pk: PathBuf,
    /// The tier credential: a tier witness file (its statement's root is the approved set's).
    #[arg(long, value_name = "FILE")]
    pub credential: PathBuf,
    /// The issuer's signed root of the approved tier set (`veil attest --root`).
    #[arg(long, value_name = "FILE")]
    pub signed_root: PathBuf,
    /// The encrypted content file.
    #[arg(long, value_name = "FILE")]
    pub content: PathBuf,
    /// Its manifest; default CONTENT.manifest.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// The creator's signature of the manifest; default MANIFEST.sig.
    #[arg(long, value_name = "FILE")]
    pub manifest_sig: Option<PathBuf>,
    /// Where to write the decrypted content.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Which of the epoch's requests this is (0 to quota - 1; each works once per epoch).
    #[arg(long, default_value_t = 0)]
    pub slot: u32,
    /// How the key is wrapped to this request's ephemeral key: x25519 or ml-kem-1024.
    #[arg(long, default_value = "x25519")]
    pub wrap: WrapMethod,
}

pub fn run(args: &AccessArgs, json: bool) -> CliResult<()> {
    match &args.command {
        AccessCommand::Publish(a) => publish(a, json),
        AccessCommand::Request(a) => request(a, json),
    }
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn publish(a: &PublishArgs, json: bool) -> CliResult<()> {
    let creator = read_secret(&a.creator_key)?;
    let plain = read_bytes(&a.file, "file")?;
    let k_content = zeroize::Zeroizing::new(veil_access::random_32().map_err(CliError::new)?);
    let encrypted = veil_access::content::encrypt(&k_content, &plain)
        .map_err(|e| CliError::new(e.to_string()))?;
    let content_id = veil_access::content::content_id(&encrypted);
    let manifest = Manifest::new(content_id, creator.key_id(), a.min_tier).to_bytes();
    let sig = creator.sign_file(&manifest)?;
    create_dir(&a.store)?;
    write_atomic(&a.out, &encrypted)?;
    let manifest_path = with_suffix(&a.out, ".manifest");
    write_atomic(&manifest_path, &manifest)?;
    write_atomic(&with_suffix(&manifest_path, ".sig"), sig.to_bytes())?;
    write_atomic(&a.store.join(format!("{content_id}.manifest")), &manifest)?;
    write_secret_atomic(
        &a.store.join(format!("{content_id}.key")),
        k_content.as_ref(),
    )?;
    if json {
        return out_json(&serde_json::json!({
            "content_id": content_id.to_hex(),
            "encrypted": a.out.display().to_string(),
            "manifest": manifest_path.display().to_string(),
            "min_tier": a.min_tier,
        }));
    }
    out(format!(
        "published {} as {} (content id {content_id}, min tier {}); manifest {}; key in {}",
        a.file.display(),
        a.out.display(),
        a.min_tier,
        manifest_path.display(),
        a.store.display()
    ))
}

fn read_text(path: &Path, what: &str) -> CliResult<String> {
    String::from_utf8(read_bytes(path, what)?)
        .map_err(|_| CliError::new(format!("{what} {} is not UTF-8 text", path.display())))
}

fn request(a: &RequestArgs, json: bool) -> CliResult<()> {
    let service = ServiceInfo::from_json(&read_text(&a.service_info, "service description")?)
        .context(|| a.service_info.display().to_string())?;
    let credential = Credential::from_json(&read_text(&a.credential, "credential")?)
        .context(|| a.credential.display().to_string())?;
    let signed_root = SignedRoot::from_json(&read_text(&a.signed_root, "signed root")?)
        .context(|| a.signed_root.display().to_string())?;
    let manifest_path = a
        .manifest
        .clone()
        .unwrap_or_else(|| with_suffix(&a.content, ".manifest"));
    let sig_path = a
        .manifest_sig
        .clone()
        .unwrap_or_else(|| with_suffix(&manifest_path, ".sig"));
    let manifest_bytes = read_bytes(&manifest_path, "manifest")?;
    let manifest =
        Manifest::from_bytes(&manifest_bytes).context(|| manifest_path.display().to_string())?;
    let sig = Signature::from_bytes(&read_bytes(&sig_path, "manifest signature")?)
        .context(|| sig_path.display().to_string())?;
    let encrypted = read_bytes(&a.content, "content")?;
    if veil_access::content::content_id(&encrypted) != manifest.content_id {
        return Err(CliError::new(format!(
            "{} is not the content {} names (its SHA3-256 differs from the content id)",
            a.content.display(),
            manifest_path.display()
        )));
    }
    let circuit = Tier::new(service.circuit.size).map_err(CliError::new)?;
    if service.circuit != circuit.id {
        return Err(CliError::new(format!(
            "the service verifies {}, not a tier circuit",
            service.circuit
        )));
    }
    let pk = Groth16ProvingKey::read(&a.pk).context(|| a.pk.display().to_string())?;
    let prover = Prover::new(circuit, pk).context(|| a.pk.display().to_string())?;
    let grant = request_access(&AccessParams {
        service_url: &a.service,
        service: &service,
        prover: &prover,
        credential: &credential,
        signed_root: &signed_root,
        manifest: &manifest_bytes,
        creator_signature: &sig,
        slot: a.slot,
        wrap: a.wrap,
        now: unix_now()?,
    })
    .map_err(|e| CliError::new(e.to_string()))?;
    let plain = veil_access::content::decrypt(&grant.k_content, &encrypted)
        .map_err(|e| CliError::new(format!("{}: {e}", a.content.display())))?;
    write_atomic(&a.out, &plain)?;
    if json {
        return out_json(&serde_json::json!({
            "granted": true,
            "out": a.out.display().to_string(),
            "bytes": plain.len(),
        }));
    }
    out(format!(
        "granted: the service's signature checks; decrypted {} bytes to {}",
        plain.len(),
        a.out.display()
    ))
}
