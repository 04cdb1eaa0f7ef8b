//! `veil`: zero-knowledge proofs from the command line, modelled on snarkjs.
//!
//! A first run: `cargo run --release -p veil-cli -- demo`.

mod cmd;
mod error;
mod io;
mod registry;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use veil_verifier::CircuitId;

/// veil: zero-knowledge proofs for privacy-preserving licensing and billing.
///
/// Circuits are compiled to R1CS and proven with Groth16 on BLS12-381. A typical session:
///
///   veil demo                                   # everything at once, with timings
///   veil setup --circuit tier                   # dev keys in keys/
///   veil sample --circuit tier --out w.json     # a sample witness
///   veil prove --circuit tier --pk keys/tier-20.pk --witness w.json --out proof.json
///   veil verify --vk keys/tier-20.vk --proof proof.json
///
/// Circuits are named NAME or NAME-SIZE. For ownership, tier and renewal the size is a tree
/// depth (`tier-16`; default 20, a tree of 2^20 leaves; even, 2 to 32); for metering,
/// isolation, revenue and waterfall it is a capacity in items (`revenue-1024`; defaults 64,
/// 64, 256, 256). `veil circuits` lists them all.
#[derive(Parser, Debug)]
#[command(
    name = "veil",
    version,
    about,
    long_about,
    verbatim_doc_comment,
    max_term_width = 100
)]
pub struct Cli {
    /// Machine-readable JSON output on stdout (errors still go to stderr).
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the circuits: what each proves, its public statement, the rules it enforces.
    Circuits,
    /// Size of a circuit's constraint system (like `snarkjs r1cs info`).
    Info(InfoArgs),
    /// Development setup: write a proving and a verifying key (UNSAFE FOR PRODUCTION).
    #[command(
        after_help = "Example:\n  veil setup --circuit tier-20 --out-dir keys\n\n\
        The keys come from a public seed: anyone can forge proofs for them. Use them for \
        development, tests and demos only."
    )]
    Setup(SetupArgs),
    /// Prove a witness (or a directory of witnesses) with a proving key.
    #[command(after_help = "Examples:\n  \
        veil prove --circuit tier --pk keys/tier-20.pk --witness examples/tier-20.json --out proof.json\n  \
        veil prove --circuit tier --pk keys/tier-20.pk --batch witnesses/ --out-dir proofs/\n\n\
        The witness is checked natively first: a witness breaking a rule is refused with the \
        rule named, and no proof is written.")]
    Prove(ProveArgs),
    /// Verify one or more proofs with a verifying key; exit code 0 only if all are valid.
    #[command(after_help = "Examples:\n  \
        veil verify --vk keys/tier-20.vk --proof proof.json\n  \
        veil verify --vk keys/tier-20.vk --batch proofs/ --json")]
    Verify(VerifyArgs),
    /// Check a witness against the circuit's rules natively, without proving.
    Check(CheckArgs),
    /// Write a deterministic sample witness (the files in examples/ come from here).
    Sample(SampleArgs),
    /// Set up, prove and verify every circuit at its default size, with timings.
    Demo(DemoArgs),
}

/// Parses `--circuit`.
fn circuit_arg(s: &str) -> Result<CircuitId, String> {
    s.parse()
}

#[derive(Args, Debug)]
pub struct CircuitArg {
    /// The circuit: a name, optionally with its size (`tier-16`, `revenue-1024`); see `veil circuits`.
    #[arg(long, short = 'c', value_name = "CIRCUIT", value_parser = circuit_arg)]
    pub circuit: CircuitId,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
}

#[derive(Args, Debug)]
pub struct SetupArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// Directory for the keys; written as <out-dir>/<circuit-id>.pk and .vk.
    #[arg(long, value_name = "DIR", default_value = "keys")]
    pub out_dir: PathBuf,
    /// Label mixed into the public dev seed: different labels give different keys.
    #[arg(long, value_name = "LABEL", default_value = "")]
    pub label: String,
}

#[derive(Args, Debug)]
pub struct ProveArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// The proving key (from `veil setup`).
    #[arg(long, value_name = "FILE")]
    pub pk: PathBuf,
    /// The witness (JSON) to prove.
    #[arg(
        long,
        short = 'w',
        value_name = "FILE",
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    pub witness: Option<PathBuf>,
    /// Where to write the proof envelope (JSON); default: stdout.
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "batch")]
    pub out: Option<PathBuf>,
    /// Prove every *.json in DIR in parallel (files named *.proof.json are skipped).
    #[arg(long, value_name = "DIR", requires = "out_dir")]
    pub batch: Option<PathBuf>,
    /// With --batch: where to write <name>.proof.json for each <name>.json.
    #[arg(long, value_name = "DIR", requires = "batch")]
    pub out_dir: Option<PathBuf>,
    /// No progress bar or status lines on stderr (errors are still reported).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The verifying key (from `veil setup`).
    #[arg(long, value_name = "FILE")]
    pub vk: PathBuf,
    /// A proof envelope (JSON); repeat for several (verified together as a batch).
    #[arg(
        long,
        short = 'p',
        value_name = "FILE",
        required_unless_present = "batch"
    )]
    pub proof: Vec<PathBuf>,
    /// Verify every *.json in DIR as well.
    #[arg(long, value_name = "DIR")]
    pub batch: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// The witness (JSON) to check.
    #[arg(long, short = 'w', value_name = "FILE")]
    pub witness: PathBuf,
}

#[derive(Args, Debug)]
pub struct SampleArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// Seed of the sample: the same seed always gives the same witness.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the witness; default: stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Directory with the sample witnesses <circuit-id>.json (built-in samples are used for
    /// missing files).
    #[arg(long, value_name = "DIR", default_value = "examples")]
    pub examples: PathBuf,
}

fn run(cli: Cli) -> error::CliResult<()> {
    let json = cli.json;
    match cli.command {
        Command::Circuits => cmd::circuits::run(json),
        Command::Info(a) => cmd::info::run(&a, json),
        Command::Setup(a) => cmd::setup::run(&a, json),
        Command::Prove(a) => cmd::prove::run(&a, json),
        Command::Verify(a) => cmd::verify::run(&a, json),
        Command::Check(a) => cmd::check::run(&a, json),
        Command::Sample(a) => cmd::sample::run(&a),
        Command::Demo(a) => cmd::demo::run(&a, json),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            io::note(format!("error: {}", e.one_line()));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
