//! `veil aggregate`: many Plonky2 proofs of one circuit folded into one recursive proof.

use crate::error::{CliError, CliResult};
use crate::io::{
    check_writable, human_bytes, json_files, ms, note, out, out_json, refuse_output_over_input,
    write_atomic, Spinner,
};
use crate::AggregateArgs;
use std::time::Instant;
use veil_verifier::{AnyVerifyingKey, Backend, ProofEnvelope};

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

    let spinner = Spinner::start("folding the proofs (recursive proving)", json);
    let start = Instant::now();
    let agg = veil_prover::plonky2::aggregate::aggregate(&vk, &envs)?;
    let prove_ms = ms(start.elapsed());
    let text = agg.to_json();
    write_atomic(&args.out, format!("{text}\n").as_bytes())?;
    spinner.set("verifying the aggregate");
    let start = Instant::now();
    vk.verify_aggregate(&agg)?;
    let verify_ms = ms(start.elapsed());
    drop(spinner);
    let single_bytes: usize = envs.iter().map(|e| e.proof.len()).sum();
    if json {
        return out_json(&serde_json::json!({
            "circuit": agg.circuit.to_string(),
            "backend": "plonky2",
            "count": agg.statements.len(),
            "levels": agg.levels,
            "aggregate": args.out.display().to_string(),
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
        "  aggregate        {} proof, verifies in {verify_ms:.0} ms (rebuilding the levels from the key)",
        human_bytes(agg.proof.len() as u64)
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
