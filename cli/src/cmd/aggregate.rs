//! `veil aggregate`: many Plonky2 proofs of one circuit folded into one recursive proof, and
//! the aggregate verifying key of its size (written once per base key and size, beside the
//! base key by default).

use crate::error::{CliError, CliResult};
use crate::io::{
    check_writable, human_bytes, json_files, ms, note, out, out_json, refuse_output_over_input,
    write_atomic, Spinner,
};
use crate::AggregateArgs;
use std::path::{Path, PathBuf};
use std::time::Instant;
use veil_verifier::aggregate::{levels_for, AggregateKey};
use veil_verifier::plonky2::Plonky2VerifyingKey;
use veil_verifier::{AnyVerifyingKey, Backend, ProofEnvelope};

/// Where the aggregate key of `levels` levels sits by default: beside the base key,
/// `<stem>.aggregate-<2^levels>.vk` (`keys/tier-20.vk` -> `keys/tier-20.aggregate-8.vk`).
pub fn default_agg_key_path(vk: &Path, levels: usize) -> PathBuf {
    let stem = vk
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "key".into());
    vk.with_file_name(format!("{stem}.aggregate-{}.vk", 1usize << levels))
}

/// Reads an aggregate key and checks it is for `base` and `levels` levels (and, with
/// `rebuild`, against the level circuits rebuilt from `base`).
pub fn read_agg_key(
    path: &Path,
    base: &Plonky2VerifyingKey,
    levels: usize,
    rebuild: bool,
) -> CliResult<AggregateKey> {
    let at = |e: veil_verifier::VerifyError| {
        CliError::new(format!("aggregate key {}: {e}", path.display()))
    };
    let key = AggregateKey::read(path).map_err(at)?;
    key.check_base(base).map_err(at)?;
    if key.levels != levels {
        return Err(CliError::new(format!(
            "aggregate key {}: it is for aggregates of up to {} proofs ({} levels), not {} levels \
             (pass the key of this size with --agg-key)",
            path.display(),
            1usize << key.levels,
            key.levels,
            levels
        )));
    }
    if rebuild {
        key.check_rebuild(base).map_err(at)?;
    }
    Ok(key)
}

pub fn run(args: &AggregateArgs, json: bool) -> CliResult<()> {
    // Before any proving: the output must be writable and must not be an input.
    check_writable(&args.out)?;
    let mut inputs: Vec<&std::path::Path> = vec![&args.vk];
    inputs.extend(args.proof.iter().map(|p| p.as_path()));
    refuse_output_over_input(&args.out, &inputs)?;
    let vk = super::verify::read_vk(&args.vk, Some(Backend::Plonky2))?;
    let AnyVerifyingKey::Plonky2(vk) = vk else {
        return Err(CliError::new("aggregation needs a Plonky2 verifying key"));
    };
    let mut files = Vec::new();
    if let Some(dir) = &args.batch {
        files.extend(json_files(dir, None)?);
    }
    files.extend(args.proof.iter().cloned());
    let mut envs = Vec::with_capacity(files.len());
    for f in &files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| CliError::new(format!("{}: cannot read the file: {e}", f.display())))?;
        envs.push(
            ProofEnvelope::from_json(&text)
                .map_err(|e| CliError::new(format!("{}: {e}", f.display())))?,
        );
    }
    if !json {
        note(format!(
            "aggregating {} {} proofs (each is verified first)...",
            envs.len(),
            vk.header.circuit
        ));
    }
    // Verifying them one by one, for comparison.
    let spinner = Spinner::start(format!("verifying {} proofs", envs.len()), json);
    let start = Instant::now();
    let each = vk.verify_batch(&envs);
    let verify_each_ms = ms(start.elapsed());
    drop(spinner);
    if let Err(veil_verifier::VerifyError::BatchItem { index, source }) = &each {
        return Err(CliError::new(format!(
            "{}: {source}",
            files[*index].display()
        )));
    }
    if let Err(veil_verifier::VerifyError::InvalidProofs(bad)) = &each {
        let names: Vec<String> = bad
            .iter()
            .map(|i| files[*i].display().to_string())
            .collect();
        return Err(CliError::new(format!(
            "cannot aggregate invalid proofs: {}",
            names.join(", ")
        )));
    }
    each.map_err(CliError::from)?;

    // The aggregate key of this size: read and checked when it exists, else made from the
    // level circuits (built once, then shared with the proving below) and written.
    let levels = levels_for(envs.len());
    let key_path = args
        .agg_key
        .clone()
        .unwrap_or_else(|| default_agg_key_path(&args.vk, levels));
    let spinner = Spinner::start("building the level circuits", json);
    let start = Instant::now();
    let (key, key_written) = if key_path.exists() {
        (read_agg_key(&key_path, &vk, levels, args.rebuild)?, false)
    } else {
        let key = veil_prover::plonky2::aggregate::aggregate_key(&vk, envs.len())?;
        // The default place beside the base key may not be writable (a shared key
        // directory): then the aggregate is still made, and the key is not kept.
        let written = match write_atomic(&key_path, &key.to_bytes()) {
            Ok(()) => true,
            Err(e) if args.agg_key.is_none() => {
                if !json {
                    note(format!("the aggregate key is not kept: {e}"));
                }
                false
            }
            Err(e) => return Err(e),
        };
        (key, written)
    };
    let key_ms = ms(start.elapsed());
    spinner.set("folding the proofs (recursive proving)");
    let start = Instant::now();
    let agg = veil_prover::plonky2::aggregate::aggregate(&vk, &envs)?;
    let prove_ms = ms(start.elapsed());
    spinner.set("verifying the aggregate");
    let start = Instant::now();
    vk.verify_aggregate_with(&key, &agg).map_err(|e| {
        CliError::new(format!(
            "the aggregate does not verify with the aggregate key {}: {e}",
            key_path.display()
        ))
    })?;
    let verify_ms = ms(start.elapsed());
    let text = agg.to_json();
    write_atomic(&args.out, format!("{text}\n").as_bytes())?;
    drop(spinner);
    let single_bytes: usize = envs.iter().map(|e| e.proof.len()).sum();
    if json {
        return out_json(&serde_json::json!({
            "circuit": agg.circuit.to_string(),
            "backend": "plonky2",
            "count": agg.statements.len(),
            "levels": agg.levels,
            "aggregate": args.out.display().to_string(),
            "aggregate_key": key_path.display().to_string(),
            "aggregate_key_written": key_written,
            "levels_ms": key_ms,
            "prove_ms": prove_ms,
            "verify_ms": verify_ms,
            "proof_bytes": agg.proof.len(),
            "batch_proof_bytes": single_bytes,
            "batch_verify_ms": verify_each_ms,
        }));
    }
    out(format!(
        "aggregated {} proofs of {} into {} in {prove_ms:.0} ms ({} levels)",
        agg.statements.len(),
        agg.circuit,
        args.out.display(),
        agg.levels
    ))?;
    out(format!(
        "  aggregate        {} proof, verifies in {verify_ms:.1} ms with the aggregate key",
        human_bytes(agg.proof.len() as u64)
    ))?;
    out(format!(
        "  aggregate key    {} ({}, {key_ms:.0} ms; for batches of up to {} proofs of this key)",
        key_path.display(),
        if key_written {
            "written"
        } else if key_path.exists() {
            "read"
        } else {
            "not kept"
        },
        1usize << levels
    ))?;
    out(format!(
        "  one by one       {} of proofs, verified in {verify_each_ms:.0} ms",
        human_bytes(single_bytes as u64)
    ))?;
    out(format!(
        "next: veil verify --vk {} --proof {}",
        args.vk.display(),
        args.out.display()
    ))
}
