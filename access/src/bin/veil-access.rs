//! `veil-access`: the access service (seed 004).
//!
//! `veil-access serve --config access.json [flags]` runs it; `veil-access describe
//! --config access.json` prints the public description clients need. What it writes: one line
//! when it is listening (the address), one line when it stops, and one line for a start-up
//! error. Nothing per request.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use veil_access::config::ConfigFile;
use veil_access::server::{serve, Service};
use veil_verifier::Bytes32;

#[derive(Parser)]
#[command(
    name = "veil-access",
    version,
    about = "veil's access service: verifies tier proofs, returns wrapped content keys"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service.
    Serve(Flags),
    /// Print the service's public description (JSON) for its clients, or write it to --out.
    Describe {
        #[command(flatten)]
        flags: Flags,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Args)]
struct Flags {
    /// Configuration file (JSON, see the README); flags override its fields.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8700 (port 0: any free port).
    #[arg(long)]
    listen: Option<String>,
    /// The service's ML-DSA-87 key (the 32-byte seed file of `veil keygen`).
    #[arg(long)]
    service_key: Option<PathBuf>,
    /// The groth16 verifying key of the tier circuit.
    #[arg(long)]
    verifying_key: Option<PathBuf>,
    /// Trusted keys of the creators whose manifests are honoured.
    #[arg(long)]
    trusted_creators: Option<PathBuf>,
    /// Trusted keys of the issuers of approved tier set roots.
    #[arg(long)]
    trusted_issuers: Option<PathBuf>,
    /// Folder of <content_id>.manifest and <content_id>.key files.
    #[arg(long)]
    content_store: Option<PathBuf>,
    /// The public seed of the epoch beacons (64 hex digits).
    #[arg(long)]
    epoch_beacon_seed: Option<Bytes32>,
    /// Length of an epoch in seconds (the nullifier set is dropped at each rotation).
    #[arg(long)]
    epoch_seconds: Option<u64>,
    /// Requests per user per epoch.
    #[arg(long)]
    quota: Option<u32>,
    /// Oldest signed root accepted, in seconds.
    #[arg(long)]
    max_root_age: Option<u64>,
    /// Largest request body accepted, in bytes.
    #[arg(long)]
    max_body_bytes: Option<usize>,
}

impl Flags {
    fn config(self) -> Result<veil_access::config::Config, String> {
        let file = match &self.config {
            Some(p) => ConfigFile::read(p)?,
            None => ConfigFile::default(),
        };
        file.overridden_by(ConfigFile {
            listen: self.listen,
            service_key: self.service_key,
            verifying_key: self.verifying_key,
            trusted_creators: self.trusted_creators,
            trusted_issuers: self.trusted_issuers,
            content_store: self.content_store,
            epoch_beacon_seed: self.epoch_beacon_seed,
            epoch_seconds: self.epoch_seconds,
            quota: self.quota,
            max_root_age: self.max_root_age,
            max_body_bytes: self.max_body_bytes,
            ..ConfigFile::default()
        })
        .complete()
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Describe { flags, out } => {
            let svc = Service::load(flags.config()?)?;
            let json = svc.info().to_json() + "\n";
            match out {
                Some(p) => write_atomic(&p, json.as_bytes()),
                None => {
                    print!("{json}");
                    Ok(())
                }
            }
        }
        Command::Serve(flags) => {
            let svc = Arc::new(Service::load(flags.config()?)?);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the runtime: {e}"))?;
            rt.block_on(serve(svc, |addr| {
                use std::io::Write;
                println!("veil-access listening on {addr}");
                let _ = std::io::stdout().flush();
            }))?;
            println!("veil-access stopped");
            Ok(())
        }
    }
}

fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!(
            "error: {}",
            e.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        std::process::exit(1);
    }
}
