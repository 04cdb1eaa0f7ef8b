//! `veil verify`: one proof, or many checked together as a batch; or one proof with its
//! ML-DSA-87 attestation and/or a signed root.

use super::keys::read_trusted;
use crate::error::{CliError, CliResult};
use crate::io::{json_files, ms, out, out_json, read_bytes, unix_now};
use crate::VerifyArgs;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;
use veil_verifier::aggregate::AggregateEnvelope;
use veil_verifier::attest::{
    verify_proof_with_signed_root, ProofAttestation, SignedRoot, TrustedKey,
};
use veil_verifier::{AnyVerifyingKey, Backend, KeyKind, ProofEnvelope};

/// Above this many proofs, a valid batch is summed up without each proof's statement.
const MAX_LISTED: usize = 10;

/// Reads and validates a verifying key file of any backend (or of `wanted`).
pub fn read_vk(path: &Path, wanted: Option<Backend>) -> CliResult<AnyVerifyingKey> {
    let _spinner = crate::io::Spinner::start(format!("reading {}", path.display()), false);
    let bytes = crate::io::read_bytes(path, "verifying key")?;
    let at = |e: veil_verifier::VerifyError| {
        CliError::new(format!("verifying key {}: {e}", path.display()))
    };
    super::key_backend(&bytes, KeyKind::Verifying, wanted).map_err(at)?;
    AnyVerifyingKey::from_bytes(&bytes).map_err(at)
}

/// Reads an aggregate, if the file is one.
fn read_aggregate(path: &Path) -> Option<Result<AggregateEnvelope, String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    if !AggregateEnvelope::is_aggregate(&value) {
        return None;
    }
    Some(AggregateEnvelope::from_json_value(&value).map_err(|e| e.to_string()))
}

/// `veil verify` on an aggregate: one recursive proof covering many statements.
fn verify_aggregate(
    args: &VerifyArgs,
    vk: &AnyVerifyingKey,
    file: &Path,
    agg: Result<AggregateEnvelope, String>,
    json: bool,
) -> CliResult<()> {
    let fail = |e: String| CliError::new(format!("{}: {e}", file.display()));
    let agg = agg.map_err(fail)?;
    let AnyVerifyingKey::Plonky2(key) = vk else {
        return Err(fail(format!(
            "an aggregate is a Plonky2 proof; {} is a {} key",
            vk_path(args)?.display(),
            vk.header().backend
        )));
    };
    // The aggregate key: --agg-key, else the one beside the base key for this size if it is
    // there (written by `veil aggregate`), else the levels are rebuilt from the base key.
    let default_key = super::aggregate::default_agg_key_path(vk_path(args)?, agg.levels);
    let key_path = args
        .agg_key
        .clone()
        .or_else(|| (!args.rebuild && default_key.exists()).then_some(default_key));
    let agg_key = match &key_path {
        Some(p) => {
            let _s = crate::io::Spinner::start(
                if args.rebuild {
                    "checking the aggregate key against the rebuilt level circuits"
                } else {
                    "reading the aggregate key"
                },
                json,
            );
            Some(super::aggregate::read_agg_key(
                p,
                key,
                agg.levels,
                args.rebuild,
            )?)
        }
        None => None,
    };
    let spinner = crate::io::Spinner::start(
        format!(
            "verifying the aggregate of {} statements{}",
            agg.statements.len(),
            if agg_key.is_some() {
                ""
            } else {
                " (rebuilding its levels from the key)"
            }
        ),
        json,
    );
    let start = Instant::now();
    let verdict = match &agg_key {
        Some(k) => key.verify_aggregate_with(k, &agg),
        None => key.verify_aggregate(&agg),
    };
    let took = start.elapsed();
    drop(spinner);
    verdict.map_err(|e| fail(e.to_string()))?;
    if json {
        return out_json(&serde_json::json!({
            "valid": true,
            "aggregate": true,
            "circuit": agg.circuit.to_string(),
            "backend": "plonky2",
            "key_id": key.digest.to_hex(),
            "count": agg.statements.len(),
            "levels": agg.levels,
            "verify_ms": ms(took),
            "aggregate_key": key_path.as_ref().map(|p| p.display().to_string()),
            "rebuilt": agg_key.is_none() || args.rebuild,
            "proof_bytes": agg.proof.len(),
            "statements": agg.statements.iter().map(super::statement_json).collect::<Vec<_>>(),
        }));
    }
    out(format!(
        "valid: {} is one aggregate proof covering {} statements of {} (verified in {:.1} ms)",
        file.display(),
        agg.statements.len(),
        agg.circuit,
        ms(took)
    ))?;
    out(format!("  key id           {}", key.digest))?;
    out(format!(
        "  tree             {} levels of recursive verification, {} proof bytes",
        agg.levels,
        agg.proof.len()
    ))?;
    match &key_path {
        Some(p) => out(format!(
            "  aggregate key    {}{}",
            p.display(),
            if args.rebuild {
                " (checked against a rebuild from the key)"
            } else {
                ""
            }
        ))?,
        None => out("  aggregate key    none: the level circuits were rebuilt from the key")?,
    }
    for (i, st) in agg.statements.iter().enumerate() {
        out(format!("statement {}", i + 1))?;
        for (k, v) in st.named_values() {
            out(format!("  {k:16} {v}"))?;
        }
    }
    Ok(())
}

/// Reads a proof envelope file; the error names the problem but not the file.
fn read_envelope(path: &Path) -> Result<ProofEnvelope, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| "not a veil proof envelope (not UTF-8 text)".to_string())?;
    ProofEnvelope::from_json(&text).map_err(|e| e.to_string())
}

/// The outcome for each file, in order: the envelope when valid, the reason otherwise.
fn verify_all(pv: &AnyVerifyingKey, files: &[PathBuf]) -> Vec<Result<ProofEnvelope, String>> {
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

/// The `--vk` path (clap requires it unless `--snarkjs-vk` is given).
fn vk_path(args: &VerifyArgs) -> CliResult<&Path> {
    args.vk
        .as_deref()
        .ok_or_else(|| CliError::new("--vk is required"))
}

pub fn run(args: &VerifyArgs, json: bool) -> CliResult<()> {
    if args.snarkjs.snarkjs_vk.is_some() {
        return super::export::verify_snarkjs(&args.snarkjs, json);
    }
    if let Some(witness) = &args.witness_pub {
        return run_revenue(args, witness, json);
    }
    if args.attestation.is_some() || args.signed_root.is_some() {
        return run_attested(args, json);
    }
    let vk = read_vk(vk_path(args)?, args.backend)?;
    check_pins(args, &vk)?;
    let origin = key_origin(args, &vk, json)?;
    let mut files = args.proof.clone();
    if let Some(dir) = &args.batch {
        files.extend(json_files(dir, None)?);
    }
    if let [one] = files.as_slice() {
        if let Some(agg) = read_aggregate(one) {
            return verify_aggregate(args, &vk, one, agg, json);
        }
    } else if let Some(f) = files.iter().find(|f| read_aggregate(f).is_some()) {
        return Err(CliError::new(format!(
            "{}: an aggregate is verified on its own, not in a batch",
            f.display()
        )));
    }
    let start = Instant::now();
    let results = verify_all(&vk, &files);
    let took = start.elapsed();
    let header = vk.header().clone();
    let key_digest = vk.digest();
    let circuit = header.circuit;
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
            "backend": header.backend.name(),
            "key_id": key_digest.to_hex(),
            "key_origin": origin.kind(),
            "key_origin_detail": origin.describe(),
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
        out(format!("  circuit          {circuit} ({})", header.backend))?;
        out(format!("  key id           {key_digest}"))?;
        out(format!("  key origin       {}", origin.describe()))?;
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

/// An error about the file at `p`, as `p: error`.
fn at(p: &Path) -> impl Fn(veil_verifier::AttestError) -> CliError + '_ {
    move |e| CliError::new(format!("{}: {e}", p.display()))
}

/// Reads a text file that should hold JSON of kind `what`.
fn read_text(path: &Path, what: &str) -> CliResult<String> {
    String::from_utf8(read_bytes(path, what)?).map_err(|_| {
        CliError::new(format!(
            "{}: not a veil {what} (not UTF-8 text)",
            path.display()
        ))
    })
}

/// One proof with its attestation and/or signed root: the attester's signature first, then
/// the root (issuer, freshness, the proof's root), then the proof.
fn run_attested(args: &VerifyArgs, json: bool) -> CliResult<()> {
    let vk = read_vk(vk_path(args)?, args.backend)?;
    check_pins(args, &vk)?;
    let (label, envelope, attestation) = match (&args.attestation, args.proof.as_slice()) {
        (Some(p), _) => {
            let att = ProofAttestation::from_json(&read_text(p, "attestation")?).map_err(at(p))?;
            (p.clone(), att.envelope.clone(), Some(att))
        }
        (None, [one]) => (
            one.clone(),
            read_envelope(one).map_err(|e| CliError::new(format!("{}: {e}", one.display())))?,
            None,
        ),
        (None, _) => {
            return Err(CliError::new(
                "--signed-root checks one proof: give one --proof or --attestation",
            ))
        }
    };

    let start = Instant::now();
    let mut signer: Option<(TrustedKey, u64)> = None;
    if let (Some(att), Some(tk)) = (&attestation, &args.trusted_keys) {
        let trusted = read_trusted(tk)?;
        let key = att.check_signature(&trusted).map_err(at(&label))?;
        signer = Some((key.clone(), att.signed_at));
    }
    let mut issuer: Option<(TrustedKey, SignedRoot, u64)> = None;
    match (&args.signed_root, &args.trusted_issuers) {
        (Some(rp), Some(ti)) => {
            let root = SignedRoot::from_json(&read_text(rp, "signed root")?).map_err(at(rp))?;
            let issuers = read_trusted(ti)?;
            let now = match args.now {
                Some(n) => n,
                None => unix_now()?,
            };
            let key =
                verify_proof_with_signed_root(&envelope, &vk, &root, &issuers, now, args.max_age)
                    .map_err(at(&label))?;
            issuer = Some((key.clone(), root, now));
        }
        _ => vk
            .verify(&envelope)
            .map_err(|e| CliError::new(format!("{}: {e}", label.display())))?,
    }
    let took = start.elapsed();

    if json {
        return out_json(&serde_json::json!({
            "valid": true,
            "file": label.display().to_string(),
            "circuit": vk.header().circuit.to_string(),
            "backend": vk.header().backend.name(),
            "key_id": vk.digest().to_hex(),
            "verify_ms": ms(took),
            "statement": super::statement_json(&envelope.statement),
            "attestation": signer.as_ref().map(|(k, t)| serde_json::json!({
                "signer": k.name,
                "key_id": k.key.key_id().to_hex(),
                "signed_at": t,
            })),
            "signed_root": issuer.as_ref().map(|(k, r, now)| serde_json::json!({
                "issuer": k.name,
                "key_id": k.key.key_id().to_hex(),
                "tree_id": r.info.tree_id.to_hex(),
                "root": r.info.root.to_hex(),
                "depth": r.info.depth,
                "leaf_count": r.info.leaf_count,
                "epoch": r.info.epoch,
                "signed_at": r.signed_at,
                "age_seconds": now.saturating_sub(r.signed_at),
            })),
        }));
    }
    out(format!("valid: {}", label.display()))?;
    out(format!(
        "  circuit          {} ({})",
        vk.header().circuit,
        vk.header().backend
    ))?;
    out(format!("  key id           {}", vk.digest()))?;
    if let Some((k, t)) = &signer {
        out(format!(
            "  attested by      {} (key {}) at {t}",
            k.name,
            k.key.key_id()
        ))?;
    }
    if let Some((k, r, now)) = &issuer {
        out(format!(
            "  root signed by   {} (key {}) at {}, {} s ago; epoch {}, {} leaves",
            k.name,
            k.key.key_id(),
            r.signed_at,
            now.saturating_sub(r.signed_at),
            r.info.epoch,
            r.info.leaf_count
        ))?;
    }
    for (k, v) in envelope.statement.named_values() {
        out(format!("  {k:16} {v}"))?;
    }
    Ok(())
}

/// Where the key comes from, as its header records it (see [`KeyOrigin`]); a loud warning on
/// a dev key (stderr, not with --json, whose output carries `key_origin`), and a refusal of
/// anything but a ceremony Groth16 key under `--require-ceremony-key`.
pub fn key_origin(
    args: &VerifyArgs,
    vk: &AnyVerifyingKey,
    json: bool,
) -> CliResult<veil_verifier::pinning::KeyOrigin> {
    use veil_verifier::pinning::KeyOrigin;
    let origin = KeyOrigin::of(vk.header());
    if origin == KeyOrigin::Dev {
        if args.require_ceremony_key {
            return Err(CliError::new(format!(
                "--require-ceremony-key: {} is a {}: its header records no ceremony (key {})",
                vk_path(args)?.display(),
                origin.describe(),
                vk.digest()
            )));
        }
        if !json {
            crate::io::note("warning: dev key (forgeable, from public seed): UNSAFE FOR PRODUCTION; use `veil ceremony` keys");
        }
    }
    Ok(origin)
}

/// `--expect-key-digest` and `--trusted-vks`: the key must be one the caller pinned.
pub fn check_pins(args: &VerifyArgs, vk: &AnyVerifyingKey) -> CliResult<()> {
    use veil_verifier::pinning::{expect_key_digest, TrustedVerifyingKeys};
    let digest = vk.digest();
    if let Some(hex) = &args.expect_key_digest {
        let expected: veil_verifier::Bytes32 = hex
            .parse()
            .map_err(|_| CliError::new("--expect-key-digest: expected 64 hex digits"))?;
        expect_key_digest(&digest, &expected).map_err(|e| {
            CliError::new(format!(
                "{}: {e}",
                args.vk.as_deref().unwrap_or(Path::new("--vk")).display()
            ))
        })?;
    }
    if let Some(path) = &args.trusted_vks {
        let text = String::from_utf8(crate::io::read_bytes(path, "trusted verifying keys")?)
            .map_err(|_| CliError::new(format!("{}: not UTF-8", path.display())))?;
        let pins = TrustedVerifyingKeys::from_json(&text)
            .map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
        pins.check(vk.header().circuit, &digest).map_err(|e| {
            CliError::new(format!(
                "{}: {e}",
                args.vk.as_deref().unwrap_or(Path::new("--vk")).display()
            ))
        })?;
    }
    Ok(())
}

/// `veil verify --witness-pub`: a signed revenue proof, end to end (seed 000 §7.4).
fn run_revenue(args: &VerifyArgs, witness: &Path, json: bool) -> CliResult<()> {
    use veil_verifier::attest::{verify_revenue_proof_with_circuit, ZkRevenueProof};
    let [file] = args.proof.as_slice() else {
        return Err(CliError::new("give exactly one --proof with --witness-pub"));
    };
    let key = super::keys::read_public(witness)?;
    let vk = read_vk(vk_path(args)?, args.backend)?;
    let text = String::from_utf8(read_bytes(file, "revenue proof")?).map_err(|_| {
        CliError::new(format!(
            "{}: not a revenue proof (not UTF-8 text)",
            file.display()
        ))
    })?;
    let fail = |e: veil_verifier::AttestError| CliError::new(format!("{}: {e}", file.display()));
    let rp = ZkRevenueProof::from_json(&text).map_err(fail)?;
    let start = Instant::now();
    verify_revenue_proof_with_circuit(&rp, &key, &vk).map_err(fail)?;
    let took = start.elapsed();
    if json {
        return out_json(&serde_json::json!({
            "valid": true,
            "revenue_proof": true,
            "proof_id": rp.proof_id,
            "publisher_id": rp.publisher_id,
            "period_start": rp.period_start,
            "period_end": rp.period_end,
            "aggregate_revenue_micros": rp.aggregate_revenue_micros,
            "transaction_count": rp.transaction_count,
            "witness_key_id": key.key_id().to_hex(),
            "verify_ms": ms(took),
        }));
    }
    out(format!(
        "valid: publisher {} earned {} micros from {} transactions in [{}, {}) (witness {}, revenue proof checked with {} in {:.1} ms)",
        rp.publisher_id,
        rp.aggregate_revenue_micros,
        rp.transaction_count,
        rp.period_start,
        rp.period_end,
        key.key_id(),
        vk.header().circuit,
        ms(took)
    ))
}
