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
/// Attestations (ML-DSA-87, FIPS 204):
///
///   veil keygen --out auditor                   # auditor.pub, auditor.key (mode 0600)
///   veil trust --pub auditor.pub --name auditor --trusted-keys trusted.json
///   veil attest --key auditor.key --proof proof.json --out attested.json
///   veil verify --vk keys/tier-20.vk --attestation attested.json --trusted-keys trusted.json
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
    /// Set up, prove and verify every circuit on both backends (small sizes; --full for the default sizes), with timings.
    Demo(DemoArgs),
    /// Fold a batch of Plonky2 proofs of one circuit into one recursive proof.
    #[command(after_help = "Example:\n  \
        veil aggregate --vk keys-p2/tier-20.vk --batch proofs/ --out agg.json\n  \
        veil verify --vk keys-p2/tier-20.vk --proof agg.json\n\n\
        Every proof is verified first; the aggregate covers their statements, in file order.")]
    Aggregate(AggregateArgs),
    /// Make an ML-DSA-87 key pair: NAME.pub (public) and NAME.key (secret, mode 0600).
    #[command(after_help = "Examples:\n  \
        veil keygen --out auditor\n  \
        veil keygen --out test-issuer --seed 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n\
        NAME.pub is the 2592-byte FIPS 204 public key, NAME.key the 32-byte FIPS 204 \
        key-generation seed. The key id is SHA3-256 of NAME.pub. A key made with --seed is \
        known to whoever knows the seed: for tests only.")]
    Keygen(KeygenArgs),
    /// Add a public key, with a name, to a trusted-keys file (created if missing).
    #[command(after_help = "Example:\n  \
        veil trust --pub auditor.pub --name auditor --trusted-keys trusted.json")]
    Trust(TrustArgs),
    /// Sign a proof envelope (attestation) or a Merkle root (signed root) with an ML-DSA-87 key.
    #[command(after_help = "Examples:\n  \
        veil attest --key auditor.key --proof proof.json --out attested.json\n  \
        veil attest --key issuer.key --root root.json --out signed-root.json\n\n\
        A root file is JSON: {\"format\": \"veil-root\", \"format_version\": 1, \"tree_id\": \
        \"<64 hex>\", \"depth\": 20, \"root\": \"<64 hex>\", \"leaf_count\": 1000, \"epoch\": 7}.")]
    Attest(AttestArgs),
    /// Sign any file (roots, manifests, billing events) with an ML-DSA-87 key.
    #[command(after_help = "Example:\n  \
        veil sign --key issuer.key --file manifest.json --out manifest.json.sig\n\n\
        The signature (4627 bytes, raw) is FIPS 204 ML-DSA-87 in pure mode over the file's \
        bytes with the context string \"veil-file-v1\": any FIPS 204 implementation checks it.")]
    Sign(SignArgs),
    /// The stateful modules: wallet, issuer, meter, settlement (SQLite stores), revenue proofs.
    #[command(after_help = "Example:\n  \
        veil ledger issuer init --db issuer.db --depth 4 --tier-depth 4\n  \
        veil ledger settle tx --db settle.db --settlement-id s1 --package weather --customer c1 \\\n    \
        --gross 1000000 --timestamp 1767225600\n\n\
        See the README's \"Ledger\" section for a walk from issuance to a revenue proof.")]
    Ledger(cmd::ledger::LedgerArgs),
    /// Confidential receipts: keys, envelope encryption for participants and an auditor,
    /// logged decryption, rotation, the access log (seed 003).
    #[command(after_help = "Example:\n  \
        veil receipt keygen --db settle.db --participant miner-789 --out miner\n  \
        veil receipt encrypt --db settle.db --fields fields.json --transaction s-1 \\\n    \
        --participant client-456 --participant miner-789 --auditor auditor-001 --out r.json\n  \
        veil receipt decrypt --db settle.db --receipt r.json --as miner-789 --purpose settlement\n\n\
        See the README's \"Confidential receipts\" section.")]
    Receipt(cmd::receipt::ReceiptArgs),
    /// Check a `veil sign` signature; exit code 0 only if it is valid.
    #[command(
        name = "verify-signature",
        after_help = "Example:\n  \
        veil verify-signature --pub issuer.pub --file manifest.json --sig manifest.json.sig"
    )]
    VerifySignature(VerifySignatureArgs),
    /// Trusted setup: powers of tau, the per-circuit phase-2 ceremony, production Groth16 keys.
    Ceremony(cmd::ceremony::CeremonyArgs),
    /// Proving and verifying keys: `veil key check` (is this key the one its circuit gives?).
    Key(cmd::keys::KeyArgs),
    /// Export for other tools: snarkjs JSON, iden3 .r1cs/.wtns, a Solidity verifier.
    Export(cmd::export::ExportArgs),
    /// The access service's client: publish encrypted content, request a content key with a tier proof.
    Access(cmd::access::AccessArgs),
    /// Find witness variables the inputs do not determine (under-constrained values), in the R1CS.
    #[command(after_help = "Example:\n  veil audit --circuit tier-4\n\n\
        Exit code 0 only when every intermediate value is determined by the inputs (or \
        explained as harmless). Only the R1CS (groth16) constraint system is analysed.")]
    Audit(cmd::audit::AuditArgs),
    /// Evaluate every constraint on a witness and name the first that fails (or the cost per gadget).
    #[command(
        after_help = "Example:\n  veil debug --circuit tier-4 --witness w.json\n\n\
        The native check is not applied first: a witness it refuses still shows the constraint \
        it fails. Exit code 0 only when every constraint holds."
    )]
    Debug(cmd::debug::DebugArgs),
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
    /// The circuit: a name, optionally with its size (`tier-16`, `revenue-1024`); see `veil circuits`.
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
    /// With --batch: prove only slice K of N (K from 0; the witnesses at sorted positions
    /// congruent to K mod N). Without it, read from JOB_COMPLETION_INDEX (Kubernetes Indexed
    /// Jobs, with --completions) or SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (Slurm arrays).
    #[arg(long, value_name = "K/N", requires = "batch", value_parser = cmd::shard::parse_shard)]
    pub shard: Option<cmd::shard::Shard>,
    /// With --batch under a Kubernetes Indexed Job: the number of shards (the Job's
    /// completions); default: the JOB_COMPLETIONS variable.
    #[arg(long, value_name = "N", requires = "batch")]
    pub completions: Option<u64>,
    /// With --batch: prove every witness again, even those whose proof already exists in
    /// --out-dir and verifies (by default those are skipped, so a rerun resumes).
    #[arg(long, requires = "batch")]
    pub overwrite: bool,
    /// Groth16: the MSM engine, `ark` (arkworks, the reference) or `blst`; the proofs are the
    /// same bytes. Default: VEIL_MSM_ENGINE, else blst.
    #[arg(long, value_name = "ENGINE", value_parser = |s: &str| s.parse::<veil_prover::msm::EngineKind>())]
    pub msm_engine: Option<veil_prover::msm::EngineKind>,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The verifying key (from `veil setup`).
    #[arg(long, value_name = "FILE", required_unless_present = "snarkjs_vk")]
    pub vk: Option<PathBuf>,
    /// The backend; by default the verifying key's. Refused if the key is of another backend.
    #[arg(long, short = 'b', value_name = "BACKEND", value_parser = backend_arg)]
    pub backend: Option<Backend>,
    /// A proof envelope or an aggregate (JSON); repeat for several (verified as a batch).
    #[arg(
        long,
        short = 'p',
        value_name = "FILE",
        required_unless_present_any = ["batch", "attestation", "snarkjs_vk"]
    )]
    pub proof: Vec<PathBuf>,
    /// Verify every *.json in DIR as well.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["attestation", "signed_root"])]
    pub batch: Option<PathBuf>,
    /// An attested proof (from `veil attest --proof`): its attester must be in --trusted-keys
    /// and its signature must verify, then the proof it carries is verified.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "proof",
        requires = "trusted_keys"
    )]
    pub attestation: Option<PathBuf>,
    /// The attesters you trust (a trusted-keys file, see `veil trust`).
    #[arg(long, value_name = "FILE", requires = "attestation")]
    pub trusted_keys: Option<PathBuf>,
    /// A signed root (from `veil attest --root`): the proof's statement must be for this
    /// root, signed by a key in --trusted-issuers at most --max-age seconds ago.
    #[arg(long, value_name = "FILE", requires = "trusted_issuers")]
    pub signed_root: Option<PathBuf>,
    /// The root issuers you trust (a trusted-keys file).
    #[arg(long, value_name = "FILE", requires = "signed_root")]
    pub trusted_issuers: Option<PathBuf>,
    /// With --signed-root: the oldest root accepted, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 86_400,
        requires = "signed_root"
    )]
    pub max_age: u64,
    /// With --signed-root: the time to check freshness against (unix seconds; default: now).
    #[arg(long, value_name = "UNIX", requires = "signed_root")]
    pub now: Option<u64>,
    /// Refuse the verifying key unless its key id (SHA3-256 of the key file) is HEX.
    #[arg(long, value_name = "HEX")]
    pub expect_key_digest: Option<String>,
    /// Refuse the verifying key unless it is pinned for its circuit in this
    /// trusted-verifying-keys file (see the README, "Trusted setup").
    #[arg(long, value_name = "FILE")]
    pub trusted_vks: Option<PathBuf>,
    /// Refuse a Groth16 verifying key unless its header records a ceremony (the keys `veil
    /// ceremony finalize` writes).
    #[arg(long)]
    pub require_ceremony_key: bool,
    /// An aggregate's verifying key (from `veil aggregate`); default: the one beside --vk
    /// for the aggregate's size, if it is there. Without one the levels are rebuilt.
    #[arg(long, value_name = "FILE")]
    pub agg_key: Option<PathBuf>,
    /// With an aggregate: check the aggregate key against the level circuits rebuilt from
    /// --vk before trusting it (do this once with a key from someone else); without an
    /// aggregate key, rebuild the levels.
    #[arg(long)]
    pub rebuild: bool,
    #[command(flatten)]
    pub snarkjs: cmd::export::SnarkjsVerifyArgs,
    /// The proof is a signed revenue proof (`veil ledger revenue-proof`): check its witness
    /// signature with this public key (NAME.pub), then its revenue-circuit proof with --vk.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["batch", "attestation", "signed_root"])]
    pub witness_pub: Option<PathBuf>,
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
    /// Every circuit at a small size (trees of depth 4, batches of 4 items): the default,
    /// kept for scripts written when it was not.
    #[arg(long, conflicts_with = "full")]
    pub small: bool,
    /// Every circuit at its default size (trees of depth 20, capacities 64 and 256): minutes.
    #[arg(long)]
    pub full: bool,
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
    /// The aggregate verifying key of this base key and batch size: read if it exists (it
    /// must be for this key and size), written otherwise. Default: beside --vk,
    /// `<vk stem>.aggregate-<2^levels>.vk`.
    #[arg(long, value_name = "FILE")]
    pub agg_key: Option<PathBuf>,
    /// Check an existing aggregate key against the level circuits rebuilt from --vk first.
    #[arg(long)]
    pub rebuild: bool,
}

/// Parses 64 hex digits (an optional `0x` is accepted).
fn seed_arg(s: &str) -> Result<[u8; 32], String> {
    s.parse::<veil_verifier::Bytes32>()
        .map(|b| b.0)
        .map_err(|_| "expected a seed of 64 hex digits (32 bytes)".to_string())
}

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Base name of the key files: writes NAME.pub and NAME.key.
    #[arg(long, short = 'o', value_name = "NAME")]
    pub out: PathBuf,
    /// Make the key from this 32-byte seed (64 hex digits) instead of OS randomness. For
    /// reproducible tests only: whoever knows the seed can sign.
    #[arg(long, value_name = "HEX", value_parser = seed_arg)]
    pub seed: Option<[u8; 32]>,
    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct TrustArgs {
    /// The public key file (NAME.pub from `veil keygen`).
    #[arg(long = "pub", value_name = "FILE")]
    pub public: PathBuf,
    /// The name the key is known by (reported when it signs).
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// The trusted-keys file to add the key to; created if it does not exist.
    #[arg(long, value_name = "FILE")]
    pub trusted_keys: PathBuf,
}

#[derive(Args, Debug)]
pub struct AttestArgs {
    /// The secret key file (NAME.key from `veil keygen`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// A proof envelope to attest.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "root",
        conflicts_with = "root"
    )]
    pub proof: Option<PathBuf>,
    /// A root file to sign as its issuer.
    #[arg(long, value_name = "FILE")]
    pub root: Option<PathBuf>,
    /// Where to write the attestation or signed root (JSON); default: stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The time of signing to record, unix seconds (default: now).
    #[arg(long, value_name = "UNIX")]
    pub signed_at: Option<u64>,
    /// With --proof: verify the proof with this verifying key first, and refuse to sign a
    /// proof that does not verify (recommended).
    #[arg(long, value_name = "FILE", requires = "proof")]
    pub vk: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// The secret key file (NAME.key from `veil keygen`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The file to sign.
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// Where to write the signature (4627 bytes); default: FILE.sig.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct VerifySignatureArgs {
    /// The signer's public key file (NAME.pub).
    #[arg(long = "pub", value_name = "FILE")]
    pub public: PathBuf,
    /// The signed file.
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// The signature file (from `veil sign`).
    #[arg(long, value_name = "FILE")]
    pub sig: PathBuf,
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
        Command::Sample(a) => cmd::sample::run(&a, json),
        Command::Demo(a) => cmd::demo::run(&a, json),
        Command::Keygen(a) => cmd::keys::keygen(&a, json),
        Command::Trust(a) => cmd::keys::trust(&a, json),
        Command::Attest(a) => cmd::attest::run(&a, json),
        Command::Sign(a) => cmd::sign::sign(&a, json),
        Command::VerifySignature(a) => cmd::sign::verify(&a, json),
        Command::Aggregate(a) => cmd::aggregate::run(&a, json),
        Command::Ceremony(a) => cmd::ceremony::run(&a, json),
        Command::Key(a) => cmd::keys::key_run(&a, json),
        Command::Export(a) => cmd::export::run(&a, json),
        Command::Access(a) => cmd::access::run(&a, json),
        Command::Audit(a) => cmd::audit::run(&a, json),
        Command::Debug(a) => cmd::debug::run(&a, json),
        Command::Ledger(a) => cmd::ledger::run(&a, json),
        Command::Receipt(a) => cmd::receipt::run(&a, json),
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
