//! `veil attest`: sign a proof envelope (an attestation) or a Merkle root (a signed root).

use super::keys::read_secret;
use crate::error::{CliError, CliResult};
use crate::io::{out, out_json, read_bytes, unix_now, write_atomic};
use crate::AttestArgs;
use std::path::Path;
use veil_verifier::attest::RootInfo;
use veil_verifier::ProofEnvelope;

fn read_text(path: &Path, what: &str) -> CliResult<String> {
    String::from_utf8(read_bytes(path, what)?).map_err(|_| {
        CliError::new(format!(
            "{what} {}: not a veil {what} (not UTF-8 text)",
            path.display()
        ))
    })
}

pub fn run(args: &AttestArgs, json: bool) -> CliResult<()> {
    let key = read_secret(&args.key)?;
    let signed_at = match args.signed_at {
        Some(t) => t,
        None => unix_now()?,
    };
    let (kind, subject, text) = match (&args.proof, &args.root) {
        (Some(p), None) => {
            let env = ProofEnvelope::from_json(&read_text(p, "proof envelope")?)
                .map_err(|e| CliError::new(format!("{}: {e}", p.display())))?;
            if let Some(vk_path) = &args.vk {
                let vk = super::verify::read_vk(vk_path, None)?;
                vk.verify(&env).map_err(|e| {
                    CliError::new(format!(
                        "{}: refusing to attest a proof that does not verify: {e}",
                        p.display()
                    ))
                })?;
            }
            let att = key.attest_proof(&env, signed_at)?;
            ("proof", p, att.to_json())
        }
        (None, Some(r)) => {
            let info = RootInfo::from_json(&read_text(r, "root file")?)
                .map_err(|e| CliError::new(format!("{}: {e}", r.display())))?;
            let signed = key.sign_root(&info, signed_at)?;
            ("root", r, signed.to_json())
        }
        // clap enforces exactly one; this is for completeness.
        _ => return Err(CliError::new("give either --proof FILE or --root FILE")),
    };
    let Some(path) = &args.out else {
        if json {
            let document: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| CliError::new(format!("cannot encode the {kind}: {e}")))?;
            return out_json(&serde_json::json!({
                "signed": kind,
                "subject": subject.display().to_string(),
                "key_id": key.key_id().to_hex(),
                "signed_at": signed_at,
                "document": document,
            }));
        }
        return out(text);
    };
    let mut inputs: Vec<&Path> = vec![subject, &args.key];
    if let Some(vk) = &args.vk {
        inputs.push(vk);
    }
    crate::io::refuse_output_over_input(path, &inputs)?;
    write_atomic(path, format!("{text}\n").as_bytes())?;
    if json {
        return out_json(&serde_json::json!({
            "signed": kind,
            "subject": subject.display().to_string(),
            "out": path.display().to_string(),
            "key_id": key.key_id().to_hex(),
            "signed_at": signed_at,
        }));
    }
    out(format!(
        "signed {kind} {} with key {} at {signed_at}: {}",
        subject.display(),
        key.key_id(),
        path.display()
    ))
}
