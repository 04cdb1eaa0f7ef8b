//! `veil prove`: one witness, or a directory of witnesses in parallel.

use super::{load_prover, shard, AnyProver};
use crate::error::{CliError, CliResult};
use crate::io::{
    check_writable, create_dir, json_files, ms, note, out, out_json, parse_witness_file,
    read_witness, refuse_output_over_input, write_atomic,
};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::ProveArgs;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use veil_verifier::{Backend, ProofEnvelope};

pub fn run(args: &ProveArgs, json: bool) -> CliResult<()> {
    if let Some(engine) = args.msm_engine {
        veil_prover::msm::set_default_engine(engine).map_err(CliError::new)?;
    }
    match (&args.witness, &args.batch, &args.out_dir) {
        (Some(_), None, _) if args.shard.is_some() || args.completions.is_some() => Err(
            CliError::new("--shard and --completions slice a batch: use them with --batch"),
        ),
        (Some(w), None, _) => prove_one(args, w, json),
        (None, Some(dir), Some(out_dir)) => prove_batch(args, dir, out_dir, json),
        // clap enforces the combinations; this is for completeness.
        _ => Err(CliError::new(
            "give either --witness FILE or --batch DIR --out-dir DIR",
        )),
    }
}

struct ProveOne<'a> {
    pk: &'a Path,
    witness: &'a Path,
    backend: Option<Backend>,
    quiet: bool,
}

/// Where the time of one `veil prove` goes (in `--json`, beside `prove_ms`).
struct Stages {
    /// Reading the witness and checking it natively.
    check: Duration,
    /// Reading and decoding the proving key.
    key_load: Duration,
    /// The proof: witness synthesis, MSMs, and the check against the verifying half.
    prove: Duration,
}

impl Task for ProveOne<'_> {
    type Output = (ProofEnvelope, Stages);
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        let begin = Instant::now();
        let w: C::Witness = read_witness(self.witness, &circuit.id().to_string())?;
        // The native check first: a bad witness is refused in words, before the (slow)
        // validated read of the key. The key's header says which backend's hash applies.
        let bytes = crate::io::read_bytes(self.pk, "proving key")?;
        let backend = super::key_backend(&bytes, veil_verifier::KeyKind::Proving, self.backend)
            .map_err(|e| crate::error::CliError::new(format!("{}: {e}", self.pk.display())))?;
        super::check_witness_for(&circuit, &w, backend)?;
        let check = begin.elapsed();
        let loading = Instant::now();
        let prover = {
            let _spinner = crate::io::Spinner::start(
                format!("reading the proving key {}", self.pk.display()),
                self.quiet,
            );
            super::load_prover_from(circuit, self.pk, bytes, Some(backend))?
        };
        let key_load = loading.elapsed();
        let start = Instant::now();
        let spinner = crate::io::Spinner::start("proving", self.quiet);
        let env = prover.prove(&w)?;
        drop(spinner);
        let prove = start.elapsed();
        Ok((
            env,
            Stages {
                check,
                key_load,
                prove,
            },
        ))
    }
}

fn prove_one(args: &ProveArgs, witness: &Path, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    if let Some(path) = &args.out {
        refuse_output_over_input(path, &[witness, &args.pk])?;
        check_writable(path)?;
    }
    let (env, stages) = dispatch(
        id,
        ProveOne {
            pk: &args.pk,
            witness,
            backend: args.backend,
            quiet: args.quiet || json,
        },
    )?;
    let text = env.to_json();
    let Some(path) = &args.out else {
        if json {
            // --json: one JSON document, the envelope inside it.
            let envelope: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| CliError::new(format!("cannot encode the proof: {e}")))?;
            return out_json(&serde_json::json!({
                "circuit": id.to_string(),
                "witness": witness.display().to_string(),
                "key_id": env.key_digest.to_hex(),
                "proof_bytes": env.proof.len(),
                "prove_ms": ms(stages.prove),
                "key_load_ms": ms(stages.key_load),
                "check_ms": ms(stages.check),
                "envelope": envelope,
            }));
        }
        out(text)?;
        if !args.quiet {
            note(format!("proved {id} in {:.0} ms", ms(stages.prove)));
        }
        return Ok(());
    };
    write_atomic(path, format!("{text}\n").as_bytes())?;
    if json {
        return out_json(&serde_json::json!({
            "circuit": id.to_string(),
            "witness": witness.display().to_string(),
            "proof": path.display().to_string(),
            "key_id": env.key_digest.to_hex(),
            "proof_bytes": env.proof.len(),
            "prove_ms": ms(stages.prove),
            "key_load_ms": ms(stages.key_load),
            "check_ms": ms(stages.check),
        }));
    }
    if !args.quiet {
        out(format!(
            "proved {id} in {:.0} ms: {} ({} proof bytes)",
            ms(stages.prove),
            path.display(),
            env.proof.len()
        ))?;
    }
    Ok(())
}

struct ProveMany<'a> {
    pk: &'a Path,
    /// The witnesses of this process's slice.
    files: &'a [PathBuf],
    out_dir: &'a Path,
    quiet: bool,
    overwrite: bool,
    backend: Option<Backend>,
}

/// What became of one witness of the batch.
enum Outcome {
    /// Proved now; the proof is written.
    Proved(PathBuf),
    /// Its proof was already in the output directory and verifies: left as it is.
    Skipped(PathBuf),
    Failed(String),
}

struct BatchOutcome {
    results: Vec<Outcome>,
    took: Duration,
}

/// Whether `path` holds a proof of exactly this witness's statement that verifies with the
/// prover's key: then a rerun need not prove it again.
fn already_proved<C: CliCircuit>(prover: &AnyProver<C>, path: &Path, w: &C::Witness) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let Ok(env) = ProofEnvelope::from_json(&text) else {
        return false;
    };
    if env.statement != C::statement(w) {
        return false;
    }
    match prover {
        AnyProver::Groth16(p) => p.verify(&env).is_ok(),
        AnyProver::Plonky2(p) => p.verifying_key().verify(&env).is_ok(),
    }
}

impl Task for ProveMany<'_> {
    type Output = BatchOutcome;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<BatchOutcome> {
        let name = circuit.id().to_string();
        let prover = load_prover(circuit, self.pk, self.backend, self.quiet)?;
        let start = Instant::now();

        // Parse every witness and skip those whose proof is there already and verifies.
        enum Todo<W> {
            Prove(W, PathBuf),
            Done(Outcome),
        }
        let todo: Vec<Todo<C::Witness>> = self
            .files
            .par_iter()
            .map(|f| {
                let path = proof_path(f, self.out_dir);
                match parse_witness_file::<C::Witness>(f, &name) {
                    Err(e) => Todo::Done(Outcome::Failed(e)),
                    Ok(w) if !self.overwrite && already_proved(&prover, &path, &w) => {
                        Todo::Done(Outcome::Skipped(path))
                    }
                    Ok(w) => Todo::Prove(w, path),
                }
            })
            .collect();
        let to_prove = todo.iter().filter(|t| matches!(t, Todo::Prove(..))).count();

        let bar = if self.quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(to_prove as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "proving {wide_bar} {pos}/{len} [{elapsed_precise}, eta {eta}]",
            ) {
                bar.set_style(style);
            }
            bar
        };
        // Each proof is written (atomically) as soon as it is done, so a batch stopped at
        // any point keeps every proof finished before it.
        let results = todo
            .into_par_iter()
            .map(|t| match t {
                Todo::Done(outcome) => outcome,
                Todo::Prove(w, path) => {
                    let written = prover.prove(&w).map_err(|e| e.to_string()).and_then(|env| {
                        write_atomic(&path, format!("{}\n", env.to_json()).as_bytes())
                            .map_err(|e| e.to_string())
                    });
                    bar.inc(1);
                    match written {
                        Ok(()) => Outcome::Proved(path),
                        Err(e) => Outcome::Failed(e),
                    }
                }
            })
            .collect();
        bar.finish_and_clear();
        Ok(BatchOutcome {
            results,
            took: start.elapsed(),
        })
    }
}

/// `dir/name.json` gives `out_dir/name.proof.json`.
fn proof_path(witness: &Path, out_dir: &Path) -> PathBuf {
    let name = witness
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    out_dir.join(format!("{stem}.proof.json"))
}

/// Removes the temporary files a killed run left for this slice's proofs (`write_atomic`
/// names them `.<name>.proof.json.<random>.tmp`). Only those older than a minute: a
/// temporary file lives for the milliseconds of one write, so an older one is stale, and
/// another process's write in progress is never touched.
fn remove_stale_temporaries(out_dir: &Path, files: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(out_dir) else {
        return;
    };
    let prefixes: Vec<String> = files
        .iter()
        .filter_map(|f| {
            proof_path(f, out_dir)
                .file_name()
                .map(|n| format!(".{}.", n.to_string_lossy()))
        })
        .collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".tmp") || !prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(60));
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn prove_batch(args: &ProveArgs, dir: &Path, out_dir: &Path, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let all = json_files(dir, Some(".proof.json"))?;
    let shard = shard::resolve(args.shard, args.completions, |name| {
        std::env::var(name).ok()
    })
    .map_err(CliError::new)?;
    let files: Vec<PathBuf> = match shard {
        Some(s) => all
            .iter()
            .enumerate()
            .filter(|(i, _)| s.holds(*i))
            .map(|(_, f)| f.clone())
            .collect(),
        None => all.clone(),
    };
    create_dir(out_dir)?;
    remove_stale_temporaries(out_dir, &files);
    let quiet = args.quiet || json;
    let outcome = dispatch(
        id,
        ProveMany {
            pk: &args.pk,
            files: &files,
            out_dir,
            quiet,
            overwrite: args.overwrite,
            backend: args.backend,
        },
    )?;

    let mut rows = Vec::new();
    let (mut proved, mut skipped, mut failed) = (0usize, 0usize, 0usize);
    for (file, result) in files.iter().zip(&outcome.results) {
        let (status, proof, error) = match result {
            Outcome::Proved(p) => {
                proved += 1;
                ("proved", Some(p), None)
            }
            Outcome::Skipped(p) => {
                skipped += 1;
                ("skipped", Some(p), None)
            }
            Outcome::Failed(e) => {
                failed += 1;
                note(format!(
                    "error: {}: {}",
                    file.display(),
                    CliError::new(e.as_str()).one_line()
                ));
                ("failed", None, Some(e))
            }
        };
        if !quiet {
            if let Some(p) = proof {
                let how = if status == "skipped" {
                    " (already proved, verifies)"
                } else {
                    ""
                };
                out(format!("  {} -> {}{how}", file.display(), p.display()))?;
            }
        }
        rows.push(serde_json::json!({
            "witness": file.display().to_string(),
            "status": status,
            "proof": proof.map(|p| p.display().to_string()),
            "error": error,
        }));
    }
    let secs = outcome.took.as_secs_f64();
    let rate = if secs > 0.0 {
        proved as f64 / secs
    } else {
        0.0
    };
    let slice = match shard {
        Some(s) => format!(" (shard {s}: {} of the batch's {})", files.len(), all.len()),
        None => String::new(),
    };
    if json {
        out_json(&serde_json::json!({
            "circuit": id.to_string(),
            "shard": shard.map(|s| serde_json::json!({"index": s.index, "count": s.count})),
            "batch_size": all.len(),
            "witnesses": files.len(),
            "proved": proved,
            "skipped": skipped,
            "failed": failed,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "proofs_per_second": (rate * 100.0).round() / 100.0,
            "results": rows,
        }))?;
    } else if !args.quiet {
        let skipped_note = if skipped > 0 {
            format!(", {skipped} already proved")
        } else {
            String::new()
        };
        out(format!(
            "proved {proved} of {} {id} witnesses{slice} in {secs:.2} s ({rate:.2} proofs/s){skipped_note} into {}",
            files.len(),
            out_dir.display()
        ))?;
    }
    if failed > 0 {
        return Err(CliError::new(format!(
            "{failed} of {} witnesses failed",
            files.len()
        )));
    }
    Ok(())
}
