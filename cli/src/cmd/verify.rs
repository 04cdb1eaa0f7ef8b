//! `veil verify`: one proof, or many checked together as a batch.

use crate::error::{CliError, CliResult};
use crate::io::{json_files, ms, out, out_json};
use crate::VerifyArgs;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;
use veil_verifier::{Groth16VerifyingKey, PreparedVerifier, ProofEnvelope};

/// Above this many proofs, a valid batch is summed up without each proof's statement.
const MAX_LISTED: usize = 10;

/// Reads and validates a verifying key file.
pub fn read_vk(path: &Path) -> CliResult<Groth16VerifyingKey> {
    let bytes = crate::io::read_bytes(path, "verifying key")?;
    Groth16VerifyingKey::from_bytes(&bytes)
        .map_err(|e| CliError::new(format!("verifying key {}: {e}", path.display())))
}

/// Reads a proof envelope file; the error names the problem but not the file.
fn read_envelope(path: &Path) -> Result<ProofEnvelope, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| "not a veil proof envelope (not UTF-8 text)".to_string())?;
    ProofEnvelope::from_json(&text).map_err(|e| e.to_string())
}

/// The outcome for each file, in order: the envelope when valid, the reason otherwise.
fn verify_all(pv: &PreparedVerifier, files: &[PathBuf]) -> Vec<Result<ProofEnvelope, String>> {
    let parsed: Vec<Result<ProofEnvelope, String>> =
        files.par_iter().map(|f| read_envelope(f)).collect();
    if let [one] = parsed.as_slice() {
        return vec![one
            .clone()
            .and_then(|env| pv.verify(&env).map(|()| env).map_err(|e| e.to_string()))];
    }
    let good: Vec<ProofEnvelope> = parsed.iter().filter_map(|p| p.clone().ok()).collect();
    if pv.verify_batch(&good).is_ok() {
        return parsed;
    }
    // The combined check failed: find out which proofs are invalid, and why.
    parsed
        .into_par_iter()
        .map(|p| p.and_then(|env| pv.verify(&env).map(|()| env).map_err(|e| e.to_string())))
        .collect()
}

pub fn run(args: &VerifyArgs, json: bool) -> CliResult<()> {
    let vk = read_vk(&args.vk)?;
    let mut files = args.proof.clone();
    if let Some(dir) = &args.batch {
        files.extend(json_files(dir, None)?);
    }
    let start = Instant::now();
    let pv = vk.prepare();
    let results = verify_all(&pv, &files);
    let took = start.elapsed();
    let circuit = vk.header.circuit;
    let invalid: Vec<String> = files
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.is_err())
        .map(|(f, _)| f.display().to_string())
        .collect();

    if json {
        let proofs: Vec<_> = files
            .iter()
            .zip(&results)
            .map(|(f, r)| match r {
                Ok(env) => serde_json::json!({
                    "file": f.display().to_string(),
                    "valid": true,
                    "statement": super::statement_json(&env.statement),
                }),
                Err(e) => serde_json::json!({
                    "file": f.display().to_string(),
                    "valid": false,
                    "error": e,
                }),
            })
            .collect();
        out_json(&serde_json::json!({
            "valid": invalid.is_empty(),
            "circuit": circuit.to_string(),
            "backend": vk.header.backend.name(),
            "key_id": vk.digest.to_hex(),
            "verify_ms": ms(took),
            "proofs": proofs,
        }))?;
    } else if invalid.is_empty() {
        let head = match files.as_slice() {
            [one] => format!("valid: {}", one.display()),
            many => format!(
                "valid: all {} proofs (batch-verified in {:.1} ms)",
                many.len(),
                ms(took)
            ),
        };
        out(head)?;
        out(format!(
            "  circuit          {circuit} ({})",
            vk.header.backend
        ))?;
        out(format!("  key id           {}", vk.digest))?;
        let several = files.len() > 1;
        if files.len() > MAX_LISTED {
            out("  (use --json to see the statement of each proof)")?;
            return Ok(());
        }
        for (f, r) in files.iter().zip(&results) {
            if let Ok(env) = r {
                if several {
                    out(format!("{}", f.display()))?;
                }
                for (k, v) in env.statement.named_values() {
                    out(format!("  {k:16} {v}"))?;
                }
            }
        }
    } else if files.len() > 1 {
        for (f, r) in files.iter().zip(&results) {
            match r {
                Ok(_) => out(format!("valid    {}", f.display()))?,
                Err(e) => out(format!(
                    "invalid  {}: {}",
                    f.display(),
                    CliError::new(e.as_str()).one_line()
                ))?,
            }
        }
    }

    match (invalid.len(), files.len()) {
        (0, _) => Ok(()),
        (_, 1) => Err(CliError::new(format!(
            "{}: {}",
            files[0].display(),
            results[0]
                .as_ref()
                .err()
                .map(String::as_str)
                .unwrap_or("invalid")
        ))),
        (n, total) => Err(CliError::new(format!(
            "{n} of {total} proofs are invalid: {}",
            invalid.join(", ")
        ))),
    }
}
