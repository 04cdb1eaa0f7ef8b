//! `veil sign` and `veil verify-signature`: ML-DSA-87 signatures over any file.
//!
//! FIPS 204 ML-DSA-87, pure mode, context string `veil-file-v1`, message = the file's bytes;
//! the signature file is the raw 4627-byte encoding.

use super::keys::{read_public, read_secret};
use crate::error::{CliError, CliResult};
use crate::io::{out, out_json, read_bytes, refuse_output_over_input, write_atomic};
use crate::{SignArgs, VerifySignatureArgs};
use std::path::PathBuf;
use veil_verifier::attest::{verify_file_signature, Signature, CONTEXT_FILE};

pub fn sign(args: &SignArgs, json: bool) -> CliResult<()> {
    let key = read_secret(&args.key)?;
    let bytes = read_bytes(&args.file, "file")?;
    let sig = key.sign_file(&bytes)?;
    let path = args.out.clone().unwrap_or_else(|| {
        let mut s = args.file.as_os_str().to_owned();
        s.push(".sig");
        PathBuf::from(s)
    });
    refuse_output_over_input(&path, &[&args.file, &args.key])?;
    write_atomic(&path, sig.to_bytes())?;
    if json {
        return out_json(&serde_json::json!({
            "file": args.file.display().to_string(),
            "signature": path.display().to_string(),
            "key_id": key.key_id().to_hex(),
            "context": CONTEXT_FILE,
        }));
    }
    out(format!(
        "signed {} with key {}: {}",
        args.file.display(),
        key.key_id(),
        path.display()
    ))
}

pub fn verify(args: &VerifySignatureArgs, json: bool) -> CliResult<()> {
    let key = read_public(&args.public)?;
    let sig_bytes = read_bytes(&args.sig, "signature")?;
    let sig = Signature::from_bytes(&sig_bytes)
        .map_err(|e| CliError::new(format!("signature {}: {e}", args.sig.display())))?;
    let bytes = read_bytes(&args.file, "file")?;
    verify_file_signature(&key, &bytes, &sig)
        .map_err(|e| CliError::new(format!("{}: {e}", args.file.display())))?;
    if json {
        return out_json(&serde_json::json!({
            "valid": true,
            "file": args.file.display().to_string(),
            "key_id": key.key_id().to_hex(),
            "context": CONTEXT_FILE,
        }));
    }
    out(format!(
        "valid: {} is signed by key {}",
        args.file.display(),
        key.key_id()
    ))
}
