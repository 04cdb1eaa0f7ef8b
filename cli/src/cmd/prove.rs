//! `veil prove`: one witness, or a directory of witnesses in parallel.

use super::load_prover;
use crate::error::{CliError, CliResult};
use crate::io::{
    check_writable, create_dir, json_files, ms, note, out, out_json, parse_witness_file,
    read_witness, refuse_output_over_input, write_atomic,
};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::ProveArgs;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use veil_verifier::{Backend, ProofEnvelope};

pub fn run(args: &ProveArgs, json: bool) -> CliResult<()> {
    match (&args.witness, &args.batch, &args.out_dir) {
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

impl Task for ProveOne<'_> {
    type Output = (ProofEnvelope, Duration);
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        let w: C::Witness = read_witness(self.witness, &circuit.id().to_string())?;
        // The native check first: a bad witness is refused in words, before the (slow)
        // validated read of the key. The key's header says which backend's hash applies.
        let bytes = crate::io::read_bytes(self.pk, "proving key")?;
        let backend = super::key_backend(&bytes, veil_verifier::KeyKind::Proving, self.backend)
            .map_err(|e| crate::error::CliError::new(format!("{}: {e}", self.pk.display())))?;
        drop(bytes);
        super::check_witness_for(&circuit, &w, backend)?;
        let prover = load_prover(circuit, self.pk, Some(backend), self.quiet)?;
        let start = Instant::now();
        let spinner = crate::io::Spinner::start("proving", self.quiet);
        let env = prover.prove(&w)?;
        drop(spinner);
        Ok((env, start.elapsed()))
    }
}

fn prove_one(args: &ProveArgs, witness: &Path, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    if let Some(path) = &args.out {
        refuse_output_over_input(path, &[witness, &args.pk])?;
        check_writable(path)?;
    }
    let (env, took) = dispatch(
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
                "prove_ms": ms(took),
                "envelope": envelope,
            }));
        }
        out(text)?;
        if !args.quiet {
            note(format!("proved {id} in {:.0} ms", ms(took)));
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
            "prove_ms": ms(took),
        }));
    }
    if !args.quiet {
        out(format!(
            "proved {id} in {:.0} ms: {} ({} proof bytes)",
            ms(took),
            path.display(),
            env.proof.len()
        ))?;
    }
    Ok(())
}

struct ProveMany<'a> {
    pk: &'a Path,
    files: &'a [PathBuf],
    quiet: bool,
    backend: Option<Backend>,
}

struct BatchOutcome {
    results: Vec<Result<ProofEnvelope, String>>,
    took: Duration,
}

impl Task for ProveMany<'_> {
    type Output = BatchOutcome;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<BatchOutcome> {
        let name = circuit.id().to_string();
        let parsed: Vec<Result<C::Witness, String>> = self
            .files
            .iter()
            .map(|f| parse_witness_file(f, &name))
            .collect();
        let prover = load_prover(circuit, self.pk, self.backend, self.quiet)?;
        let witnesses: Vec<C::Witness> = parsed.iter().filter_map(|r| r.clone().ok()).collect();

        let bar = if self.quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(witnesses.len() as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "proving {wide_bar} {pos}/{len} [{elapsed_precise}, eta {eta}]",
            ) {
                bar.set_style(style);
            }
            bar
        };
        let start = Instant::now();
        let proofs = prover.prove_batch(&witnesses, &|| bar.inc(1));
        let took = start.elapsed();
        bar.finish_and_clear();

        let mut proofs = proofs.into_iter();
        let results = parsed
            .into_iter()
            .map(|p| match p {
                Err(e) => Err(e),
                Ok(_) => match proofs.next() {
                    Some(r) => r.map_err(|e| e.to_string()),
                    None => Err("no result from the prover".into()),
                },
            })
            .collect();
        Ok(BatchOutcome { results, took })
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

fn prove_batch(args: &ProveArgs, dir: &Path, out_dir: &Path, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let files = json_files(dir, Some(".proof.json"))?;
    create_dir(out_dir)?;
    let outcome = dispatch(
        id,
        ProveMany {
            pk: &args.pk,
            files: &files,
            quiet: args.quiet || json,
            backend: args.backend,
        },
    )?;

    let mut rows = Vec::new();
    let mut failed = 0usize;
    for (file, result) in files.iter().zip(outcome.results) {
        let written = result.and_then(|env| {
            let path = proof_path(file, out_dir);
            write_atomic(&path, format!("{}\n", env.to_json()).as_bytes())
                .map(|()| path)
                .map_err(|e| e.to_string())
        });
        match &written {
            Ok(path) => {
                if !json && !args.quiet {
                    out(format!("  {} -> {}", file.display(), path.display()))?;
                }
            }
            Err(e) => {
                failed += 1;
                note(format!(
                    "error: {}: {}",
                    file.display(),
                    CliError::new(e.as_str()).one_line()
                ));
            }
        }
        rows.push(serde_json::json!({
            "witness": file.display().to_string(),
            "proof": written.as_ref().ok().map(|p| p.display().to_string()),
            "error": written.as_ref().err(),
        }));
    }
    let proved = files.len() - failed;
    let secs = outcome.took.as_secs_f64();
    let rate = if secs > 0.0 {
        proved as f64 / secs
    } else {
        0.0
    };
    if json {
        out_json(&serde_json::json!({
            "circuit": id.to_string(),
            "proved": proved,
            "failed": failed,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "proofs_per_second": (rate * 100.0).round() / 100.0,
            "results": rows,
        }))?;
    } else if !args.quiet {
        out(format!(
            "proved {proved} of {} {id} witnesses in {secs:.2} s ({rate:.2} proofs/s) into {}",
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
