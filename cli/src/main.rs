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
use veil_verifier::{Backend, CircuitId};

/// veil: zero-knowledge proofs for privacy-preserving licensing and billing.
///
/// Circuits are compiled to R1CS and proven with Groth16 on BLS12-381 (the default), or to
/// PLONK constraints on Goldilocks and proven with Plonky2 (`--backend plonky2`: no trusted
/// setup, recursive aggregation). A typical session:
///
///   veil demo                                   # everything at once, both backends, timings
///   veil setup --circuit tier                   # dev keys in keys/
///   veil sample --circuit tier --out w.json     # a sample witness
///   veil prove --circuit tier --pk keys/tier-20.pk --witness w.json --out proof.json
///   veil verify --vk keys/tier-20.vk --proof proof.json
///
/// The same with Plonky2: `veil setup --circuit tier --backend plonky2 --out-dir keys-p2`,
/// `veil sample --circuit tier --backend plonky2 ...`; prove and verify read the backend from
/// the key. `veil aggregate` folds a directory of Plonky2 proofs into one recursive proof.
///
/// Circuits are named `ownership` or `tier`, optionally with a tree depth: `tier-16`
/// (the default depth is 20, a tree of 2^20 leaves; depths are even, 2 to 32).
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
    /// Set up, prove and verify every circuit at its default depth on both backends, with timings.
    Demo(DemoArgs),
    /// Fold a batch of Plonky2 proofs of one circuit into one recursive proof.
    #[command(after_help = "Example:\n  \
        veil aggregate --vk keys-p2/tier-20.vk --batch proofs/ --out agg.json\n  \
        veil verify --vk keys-p2/tier-20.vk --proof agg.json\n\n\
        Every proof is verified first; the aggregate covers their statements, in file order.")]
    Aggregate(AggregateArgs),
}

/// Parses `--backend`.
fn backend_arg(s: &str) -> Result<Backend, String> {
    s.parse()
}

/// Parses `--circuit`.
fn circuit_arg(s: &str) -> Result<CircuitId, String> {
    s.parse()
}

#[derive(Args, Debug)]
pub struct CircuitArg {
    /// The circuit: `ownership` or `tier`, optionally with a tree depth (`tier-16`).
    #[arg(long, short = 'c', value_name = "CIRCUIT", value_parser = circuit_arg)]
    pub circuit: CircuitId,
}

#[derive(Args, Debug)]
pub struct BackendArg {
    /// The proving system: `groth16` (R1CS, BLS12-381) or `plonky2` (Goldilocks, no trusted setup).
    #[arg(long, short = 'b', value_name = "BACKEND", value_parser = backend_arg, default_value = "groth16")]
    pub backend: Backend,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    #[command(flatten)]
    pub backend: BackendArg,
}

#[derive(Args, Debug)]
pub struct SetupArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    #[command(flatten)]
    pub backend: BackendArg,
    /// Directory for the keys; written as <out-dir>/<circuit-id>.pk and .vk.
    #[arg(long, value_name = "DIR", default_value = "keys")]
    pub out_dir: PathBuf,
    /// Label mixed into the public dev seed: different labels give different keys (Groth16;
    /// Plonky2 keys have no seed and are the same for every label).
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
    /// The backend; by default the proving key's. Refused if the key is of another backend.
    #[arg(long, short = 'b', value_name = "BACKEND", value_parser = backend_arg)]
    pub backend: Option<Backend>,
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
    /// The backend; by default the verifying key's. Refused if the key is of another backend.
    #[arg(long, short = 'b', value_name = "BACKEND", value_parser = backend_arg)]
    pub backend: Option<Backend>,
    /// A proof envelope or an aggregate (JSON); repeat for several (verified as a batch).
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
    #[command(flatten)]
    pub backend: BackendArg,
    /// The witness (JSON) to check.
    #[arg(long, short = 'w', value_name = "FILE")]
    pub witness: PathBuf,
}

#[derive(Args, Debug)]
pub struct SampleArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// The backend whose hash the sample is built with (roots and digests differ).
    #[command(flatten)]
    pub backend: BackendArg,
    /// Seed of the sample: the same seed always gives the same witness.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the witness; default: stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Directory with the sample witnesses: <circuit-id>.json for Groth16 and
    /// plonky2/<circuit-id>.json for Plonky2 (built-in samples are used for missing files).
    #[arg(long, value_name = "DIR", default_value = "examples")]
    pub examples: PathBuf,
    /// Only this backend (default: both, side by side).
    #[arg(long, short = 'b', value_name = "BACKEND", value_parser = backend_arg)]
    pub backend: Option<Backend>,
}

#[derive(Args, Debug)]
pub struct AggregateArgs {
    /// The Plonky2 verifying key of the proofs' circuit.
    #[arg(long, value_name = "FILE")]
    pub vk: PathBuf,
    /// Aggregate every *.json proof envelope in DIR (in file-name order).
    #[arg(long, value_name = "DIR", required_unless_present = "proof")]
    pub batch: Option<PathBuf>,
    /// A proof envelope to aggregate; repeat for several (after those of --batch).
    #[arg(long, short = 'p', value_name = "FILE")]
    pub proof: Vec<PathBuf>,
    /// Where to write the aggregate (JSON).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
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
        Command::Aggregate(a) => cmd::aggregate::run(&a, json),
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
