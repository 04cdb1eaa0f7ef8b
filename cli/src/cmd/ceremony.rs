//! `veil ceremony`: the trusted setup. Phase 1 (powers of tau, or an imported snarkjs
//! `.ptau`), then per circuit: init, contributions, a beacon, verify, finalize.

use crate::error::{CliError, CliResult};
use crate::io::{create_dir, human_bytes, ms, note, out, out_json, read_bytes, write_atomic};
use crate::registry::{dispatch, CliCircuit, Task};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use veil_params::ceremony::phase1::Phase1;
use veil_params::ceremony::phase2::{self, Phase2};
use veil_params::ceremony::{ptau, CeremonyError};
use veil_prover::Compiled;
use veil_verifier::groth16::Groth16VerifyingKey;
use veil_verifier::CircuitId;

#[derive(Args, Debug)]
#[command(after_help = "A phase 2 on a fresh phase 1, end to end:\n  \
    veil ceremony ptau new --power 11 --out pot0.vptau\n  \
    veil ceremony ptau contribute --in pot0.vptau --out pot1.vptau --name alice\n  \
    veil ceremony ptau beacon --in pot1.vptau --out pot.vptau --hash <64 hex> --iterations-exp 10\n  \
    veil ceremony init --circuit tier-4 --ptau pot.vptau --out tier-4.0.ph2\n  \
    veil ceremony contribute --in tier-4.0.ph2 --out tier-4.1.ph2 --name bob\n  \
    veil ceremony beacon --in tier-4.1.ph2 --out tier-4.final.ph2 --hash <64 hex> --iterations-exp 10\n  \
    veil ceremony verify --circuit tier-4 --ptau pot.vptau --transcript tier-4.final.ph2\n  \
    veil ceremony finalize --transcript tier-4.final.ph2 --out-dir keys\n\n\
    params/scripts/coordinator.sh and participant.sh drive a multi-party phase 2.")]
pub struct CeremonyArgs {
    #[command(subcommand)]
    pub command: CeremonyCommand,
}

#[derive(Subcommand, Debug)]
pub enum CeremonyCommand {
    /// Phase 1: powers of tau on BLS12-381.
    Ptau(PtauArgs),
    /// Phase 2: the initial parameters of a circuit from a phase-1 file and its R1CS.
    Init(InitArgs),
    /// Phase 2: add your contribution (fresh OS randomness, optionally mixed with --entropy).
    Contribute(ContributeArgs),
    /// Phase 2: the closing contribution from a public random beacon.
    Beacon(BeaconArgs),
    /// Phase 2: verify a whole transcript against the circuit and the powers of tau, or one
    /// new contribution against the previous file (--prev), or a verifying key (--vk).
    Verify(VerifyArgs),
    /// Phase 2: write the production keys <out-dir>/<circuit>.pk and .vk (their headers record
    /// the ceremony: its transcript hash and number of contributions).
    Finalize(FinalizeArgs),
}

#[derive(Args, Debug)]
pub struct PtauArgs {
    #[command(subcommand)]
    pub command: PtauCommand,
}

#[derive(Subcommand, Debug)]
pub enum PtauCommand {
    /// A fresh accumulator of 2^POWER powers (all secrets 1: contribute before use).
    New {
        #[arg(long, value_name = "POWER")]
        power: u32,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
    /// Add your contribution to an accumulator.
    Contribute(ContributeArgs),
    /// The closing contribution from a public random beacon.
    Beacon(BeaconArgs),
    /// Verify an accumulator: every contribution from the start, every point.
    Verify {
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },
    /// Read a snarkjs `.ptau` (curve bls12381), check its points, write a veil accumulator.
    Import {
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
        /// Keep only the first 2^POWER powers (a smaller ceremony is a prefix of a bigger one).
        #[arg(long, value_name = "POWER")]
        power: Option<u32>,
    },
    /// Write a veil accumulator as a snarkjs `.ptau` (curve bls12381).
    Export {
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        #[arg(long, short = 'o', value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct ContributeArgs {
    #[arg(long = "in", value_name = "FILE")]
    pub input: PathBuf,
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Your name in the transcript.
    #[arg(long, default_value = "anonymous")]
    pub name: String,
    /// Extra text mixed into the OS randomness.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub entropy: String,
}

#[derive(Args, Debug)]
pub struct BeaconArgs {
    #[arg(long = "in", value_name = "FILE")]
    pub input: PathBuf,
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// The beacon value in hex (e.g. a future block hash), 1 to 64 bytes.
    #[arg(long, value_name = "HEX")]
    pub hash: String,
    /// SHA-256 is applied 2^K times to the value.
    #[arg(long, value_name = "K", default_value_t = 10)]
    pub iterations_exp: u32,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub circuit: crate::CircuitArg,
    /// The phase-1 accumulator (veil format; import a snarkjs `.ptau` first).
    #[arg(long, value_name = "FILE")]
    pub ptau: PathBuf,
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub circuit: crate::CircuitArg,
    /// The phase-1 accumulator the transcript was initialised from.
    #[arg(long, value_name = "FILE", required_unless_present = "prev")]
    pub ptau: Option<PathBuf>,
    /// The phase-2 transcript.
    #[arg(long, value_name = "FILE")]
    pub transcript: PathBuf,
    /// Check only that the transcript is this file plus one valid contribution (what a
    /// coordinator runs before accepting an upload).
    #[arg(long, value_name = "FILE", conflicts_with = "ptau")]
    pub prev: Option<PathBuf>,
    /// Also check that this verifying key is the one the transcript gives.
    #[arg(long, value_name = "FILE", requires = "ptau")]
    pub vk: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct FinalizeArgs {
    #[arg(long, value_name = "FILE")]
    pub transcript: PathBuf,
    #[arg(long, value_name = "DIR", default_value = "keys")]
    pub out_dir: PathBuf,
}

fn ce(e: CeremonyError) -> CliError {
    CliError::new(e.to_string())
}

/// A progress bar on stderr: the share of the command's steps done, and the current step
/// (hidden with --json and when stderr is not a terminal). The library reports each step as
/// it starts; `total` is how many a command reports.
struct Steps {
    bar: ProgressBar,
    done: std::cell::Cell<u64>,
}

impl Steps {
    fn new(what: &str, total: u64, quiet: bool) -> Self {
        let bar = if !quiet && std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total.max(1));
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} {prefix}: [{bar:24}] {percent:>3}% {msg} [{elapsed_precise}]",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(what.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        Steps {
            bar,
            done: std::cell::Cell::new(0),
        }
    }
    fn step(&self, msg: &str) {
        let done = self.done.get();
        self.done.set(done + 1);
        if done >= self.bar.length().unwrap_or(0) {
            self.bar.set_length(done + 1);
        }
        self.bar.set_position(done);
        self.bar.set_message(msg.to_string());
    }
}

impl Drop for Steps {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

fn with_steps<T>(what: &str, total: u64, quiet: bool, f: impl FnOnce(&dyn Fn(&str)) -> T) -> T {
    let steps = Steps::new(what, total, quiet);
    f(&|m: &str| steps.step(m))
}

fn beacon_value(hex_value: &str) -> CliResult<Vec<u8>> {
    let v = hex::decode(hex_value.trim_start_matches("0x"))
        .map_err(|_| CliError::new("--hash: expected hex digits"))?;
    if v.is_empty() || v.len() > 64 {
        return Err(CliError::new("--hash: expected 1 to 64 bytes"));
    }
    Ok(v)
}

fn read_ptau(path: &Path) -> CliResult<Phase1> {
    Phase1::read(path).map_err(ce)
}

fn read_phase2(path: &Path) -> CliResult<Phase2> {
    Phase2::read(path).map_err(ce)
}

fn write(path: &Path, bytes: &[u8]) -> CliResult<()> {
    write_atomic(path, bytes)
}

struct CompileTask;

impl Task for CompileTask {
    type Output = Compiled;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Compiled> {
        Ok(veil_prover::compile(&circuit)?)
    }
}

fn compile(id: CircuitId) -> CliResult<Compiled> {
    dispatch(id, CompileTask)
}

pub fn run(args: &CeremonyArgs, json: bool) -> CliResult<()> {
    match &args.command {
        CeremonyCommand::Ptau(p) => run_ptau(&p.command, json),
        CeremonyCommand::Init(a) => init(a, json),
        CeremonyCommand::Contribute(a) => contribute2(a, json),
        CeremonyCommand::Beacon(a) => beacon2(a, json),
        CeremonyCommand::Verify(a) => verify2(a, json),
        CeremonyCommand::Finalize(a) => finalize(a, json),
    }
}

fn report(json: bool, value: serde_json::Value, lines: &[String]) -> CliResult<()> {
    if json {
        return out_json(&value);
    }
    for l in lines {
        out(l)?;
    }
    Ok(())
}

fn run_ptau(cmd: &PtauCommand, json: bool) -> CliResult<()> {
    let start = Instant::now();
    match cmd {
        PtauCommand::New { power, out } => {
            let p = Phase1::new(*power).map_err(ce)?;
            let bytes = p.to_bytes();
            write(out, &bytes)?;
            note("note: a fresh accumulator has all secrets 1; it needs contributions and a beacon before use");
            report(
                json,
                serde_json::json!({"power": power, "out": out.display().to_string(), "bytes": bytes.len()}),
                &[format!(
                    "new powers of tau (2^{power}) written to {} ({})",
                    out.display(),
                    human_bytes(bytes.len() as u64)
                )],
            )
        }
        PtauCommand::Contribute(a) => {
            let mut p = read_ptau(&a.input)?;
            let h = with_steps("contributing", 5, json, |s| {
                p.contribute(&a.name, a.entropy.as_bytes(), s)
            })
            .map_err(ce)?;
            write(&a.out, &p.to_bytes())?;
            let t = ms(start.elapsed());
            report(
                json,
                serde_json::json!({"name": a.name, "contribution": p.contributions.len(), "transcript_hash": hex::encode(h), "out": a.out.display().to_string(), "ms": t}),
                &[
                    format!(
                        "contribution {} ({}) written to {} in {t:.0} ms",
                        p.contributions.len(),
                        a.name,
                        a.out.display()
                    ),
                    format!("  transcript hash {}", hex::encode(h)),
                ],
            )
        }
        PtauCommand::Beacon(a) => {
            let value = beacon_value(&a.hash)?;
            let mut p = read_ptau(&a.input)?;
            let h = with_steps("beacon", 5, json, |s| p.beacon(&value, a.iterations_exp, s))
                .map_err(ce)?;
            write(&a.out, &p.to_bytes())?;
            report(
                json,
                serde_json::json!({"contribution": p.contributions.len(), "transcript_hash": hex::encode(h), "out": a.out.display().to_string()}),
                &[
                    format!("beacon contribution written to {}", a.out.display()),
                    format!("  transcript hash {}", hex::encode(h)),
                ],
            )
        }
        PtauCommand::Verify { input } => {
            let p = read_ptau(input)?;
            let r = with_steps("verifying", 7, json, |s| p.verify(s)).map_err(ce)?;
            let t = ms(start.elapsed());
            report(
                json,
                serde_json::json!({"valid": true, "power": r.power, "contributions": r.contributions, "transcript_hash": r.transcript_hash, "ms": t}),
                &[
                    format!(
                        "powers of tau {} OK: 2^{}, {} contributions ({}) in {t:.0} ms",
                        input.display(),
                        r.power,
                        r.contributions.len(),
                        r.contributions.join(", ")
                    ),
                    format!("  transcript hash {}", r.transcript_hash),
                ],
            )
        }
        PtauCommand::Import { input, out, power } => {
            let bytes = read_bytes(input, "the .ptau file")?;
            let mut p =
                with_steps("importing", 3, json, |s| ptau::import(&bytes, s)).map_err(ce)?;
            if let Some(pw) = power {
                p.truncate(*pw).map_err(ce)?;
            }
            with_steps("checking powers", 5, json, |s| p.verify_powers(s)).map_err(ce)?;
            let outb = p.to_bytes();
            write(out, &outb)?;
            report(
                json,
                serde_json::json!({"power": p.power, "ceremony_power": p.ceremony_power, "contributions": p.contributions.len(), "out": out.display().to_string()}),
                &[format!(
                    "imported {} (2^{} powers, points checked) into {}",
                    input.display(),
                    p.power,
                    out.display()
                )],
            )
        }
        PtauCommand::Export { input, out } => {
            let p = read_ptau(input)?;
            let bytes = ptau::export(&p).map_err(ce)?;
            write(out, &bytes)?;
            report(
                json,
                serde_json::json!({"power": p.power, "out": out.display().to_string(), "bytes": bytes.len()}),
                &[format!(
                    "exported {} as snarkjs .ptau to {}",
                    input.display(),
                    out.display()
                )],
            )
        }
    }
}

fn init(a: &InitArgs, json: bool) -> CliResult<()> {
    let start = Instant::now();
    let id = a.circuit.circuit;
    let compiled = compile(id)?;
    // Every point was checked (curve, subgroup) as it was read. Init checks the powers
    // themselves (batched) but not the chain of contributions: `veil ceremony ptau verify`
    // checks that once, and `veil ceremony verify --ptau`, which every verifier of the final
    // transcript runs, checks it again, so parameters made from a bad accumulator never pass.
    let ptau = read_ptau(&a.ptau)?;
    with_steps("checking powers of tau", 5, json, |s| ptau.verify_powers(s)).map_err(ce)?;
    let p2 = with_steps("phase-2 init", 3, json, |s| {
        Phase2::init(&ptau, &compiled, s)
    })
    .map_err(ce)?;
    let bytes = p2.to_bytes();
    write(&a.out, &bytes)?;
    let t = ms(start.elapsed());
    report(
        json,
        serde_json::json!({
            "circuit": id.to_string(), "constraints": compiled.num_constraints,
            "domain_power": phase2::required_power(&compiled).map_err(ce)?,
            "out": a.out.display().to_string(), "bytes": bytes.len(), "ms": t,
        }),
        &[
            format!("phase-2 parameters of {id} ({} constraints) written to {} ({}) in {t:.0} ms", compiled.num_constraints, a.out.display(), human_bytes(bytes.len() as u64)),
            "next: each participant runs `veil ceremony contribute`; close with `veil ceremony beacon`".into(),
        ],
    )
}

fn contribute2(a: &ContributeArgs, json: bool) -> CliResult<()> {
    let start = Instant::now();
    let mut p2 = read_phase2(&a.input)?;
    let h = with_steps("contributing", 2, json, |s| {
        p2.contribute(&a.name, a.entropy.as_bytes(), s)
    })
    .map_err(ce)?;
    write(&a.out, &p2.to_bytes())?;
    let t = ms(start.elapsed());
    report(
        json,
        serde_json::json!({"circuit": p2.circuit.to_string(), "name": a.name, "contribution": p2.contributions.len(), "transcript_hash": hex::encode(h), "out": a.out.display().to_string(), "ms": t}),
        &[
            format!(
                "contribution {} ({}) to {} written to {} in {t:.0} ms",
                p2.contributions.len(),
                a.name,
                p2.circuit,
                a.out.display()
            ),
            format!(
                "  transcript hash {} (publish it: anyone can check it is in the final transcript)",
                hex::encode(h)
            ),
        ],
    )
}

fn beacon2(a: &BeaconArgs, json: bool) -> CliResult<()> {
    let value = beacon_value(&a.hash)?;
    let mut p2 = read_phase2(&a.input)?;
    let h = with_steps("beacon", 2, json, |s| {
        p2.beacon(&value, a.iterations_exp, s)
    })
    .map_err(ce)?;
    write(&a.out, &p2.to_bytes())?;
    report(
        json,
        serde_json::json!({"circuit": p2.circuit.to_string(), "contribution": p2.contributions.len(), "transcript_hash": hex::encode(h), "out": a.out.display().to_string()}),
        &[
            format!(
                "beacon contribution to {} written to {}",
                p2.circuit,
                a.out.display()
            ),
            format!("  transcript hash {}", hex::encode(h)),
        ],
    )
}

fn verify2(a: &VerifyArgs, json: bool) -> CliResult<()> {
    let start = Instant::now();
    let id = a.circuit.circuit;
    let next = read_phase2(&a.transcript)?;
    if next.circuit != id {
        return Err(CliError::new(format!(
            "the transcript is for {}, not {id}",
            next.circuit
        )));
    }
    if let Some(prev) = &a.prev {
        let prev = read_phase2(prev)?;
        with_steps("verifying contribution", 1, json, |_| {
            prev.verify_extension(&next)
        })
        .map_err(ce)?;
        let c = next
            .contributions
            .last()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let t = ms(start.elapsed());
        return report(
            json,
            serde_json::json!({"valid": true, "contribution": next.contributions.len(), "name": c, "transcript_hash": hex::encode(next.transcript_hash()), "ms": t}),
            &[format!(
                "contribution {} ({c}) OK: extends {} in {t:.0} ms",
                next.contributions.len(),
                a.prev
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )],
        );
    }
    let ptau_path = a
        .ptau
        .as_ref()
        .ok_or_else(|| CliError::new("--ptau is required for a full verification"))?;
    let r = verify_full(id, ptau_path, &next, json)?;
    if let Some(vk_path) = &a.vk {
        let vk = Groth16VerifyingKey::read(vk_path)?;
        if vk.digest.to_hex() != r.vk_digest {
            return Err(CliError::new(format!(
                "{} is not the key of this transcript (key id {}, the transcript gives {}): it does not come from {id} as compiled here",
                vk_path.display(),
                vk.digest.to_hex(),
                r.vk_digest
            )));
        }
    }
    let t = ms(start.elapsed());
    let mut lines = vec![
        format!(
            "transcript {} OK for {id} as compiled here: {} contributions ({}) in {t:.0} ms",
            a.transcript.display(),
            r.contributions.len(),
            r.contributions.join(", ")
        ),
        format!("  transcript hash {}", r.transcript_hash),
        format!("  key id          {}", r.vk_digest),
    ];
    if let Some(vk) = &a.vk {
        lines.push(format!(
            "  {} is this transcript's verifying key",
            vk.display()
        ));
    }
    report(
        json,
        serde_json::json!({"valid": true, "circuit": r.circuit, "cs_digest": r.cs_digest, "ptau_hash": r.ptau_hash, "contributions": r.contributions, "transcript_hash": r.transcript_hash, "key_id": r.vk_digest, "vk_checked": a.vk.is_some(), "ms": t}),
        &lines,
    )
}

/// The full check of a transcript: the powers of tau (every contribution), then every query
/// of the parameters against them and the circuit compiled here (`Phase2::verify`: random
/// linear combinations, or a rebuild for a version 1 transcript), every phase-2 contribution
/// and the final L and H. Also what `veil key check` runs on a ceremony key.
pub(crate) fn verify_full(
    id: CircuitId,
    ptau_path: &Path,
    transcript: &Phase2,
    json: bool,
) -> CliResult<phase2::Phase2Report> {
    if transcript.circuit != id {
        return Err(CliError::new(format!(
            "the transcript is for {}, not {id}",
            transcript.circuit
        )));
    }
    let compiled = compile(id)?;
    let ptau = read_ptau(ptau_path)?;
    with_steps("verifying powers of tau", 7, json, |s| ptau.verify(s)).map_err(ce)?;
    with_steps("verifying transcript", 3, json, |s| {
        transcript.verify(&ptau, &compiled, s)
    })
    .map_err(ce)
}

/// Reads a phase-2 transcript (for `veil key check`).
pub(crate) fn read_transcript(path: &Path) -> CliResult<Phase2> {
    read_phase2(path)
}

fn finalize(a: &FinalizeArgs, json: bool) -> CliResult<()> {
    let p2 = read_phase2(&a.transcript)?;
    let (pk, vk) = p2.finalize().map_err(ce)?;
    let r = p2.report();
    let id = p2.circuit;
    // The proving key is written in the fast layout (version 3 body), which stores the
    // compiled constraint system: compile it here, and refuse a transcript whose
    // constraint-system digest is not the circuit's as compiled by this veil.
    let compiled = compile(id)?;
    if compiled.cs_digest != p2.cs_digest {
        return Err(CliError::new(format!(
            "the transcript's constraint-system digest {} is not {id}'s as compiled here ({}): \
             it was made for another version of the circuit",
            p2.cs_digest.to_hex(),
            compiled.cs_digest.to_hex()
        )));
    }
    let pk_bytes = pk.to_bytes_v3(&compiled)?;
    create_dir(&a.out_dir)?;
    let pk_path = a.out_dir.join(format!("{id}.pk"));
    let vk_path = a.out_dir.join(format!("{id}.vk"));
    write(&pk_path, &pk_bytes)?;
    write(&vk_path, &vk.to_bytes())?;
    report(
        json,
        serde_json::json!({"circuit": id.to_string(), "origin": "ceremony", "pk": pk_path.display().to_string(), "vk": vk_path.display().to_string(), "key_id": vk.digest.to_hex(), "transcript_hash": r.transcript_hash, "contributions": r.contributions}),
        &[
            format!(
                "ceremony keys of {id} ({} contributions: {})",
                r.contributions.len(),
                r.contributions.join(", ")
            ),
            format!(
                "  proving key    {}  ({})",
                pk_path.display(),
                human_bytes(pk_bytes.len() as u64)
            ),
            format!("  verifying key  {}", vk_path.display()),
            format!("  key id         {}", vk.digest.to_hex()),
            format!(
                "  transcript     {} (recorded in both key headers)",
                r.transcript_hash
            ),
            format!(
                "check: veil ceremony verify --circuit {id} --ptau PTAU --transcript {} --vk {}",
                a.transcript.display(),
                vk_path.display()
            ),
        ],
    )
}
