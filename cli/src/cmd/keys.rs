//! `veil keygen` and `veil trust`: ML-DSA-87 key pairs and trusted-keys files.

use crate::error::{CliError, CliResult};
use crate::io::{note, out, out_json, read_bytes, write_atomic, write_secret_atomic};
use crate::{KeygenArgs, TrustArgs};
use std::path::{Path, PathBuf};
use veil_prover::SecretKey;
use veil_verifier::attest::{AttestError, PublicKey, TrustedKeys, PUBLIC_KEY_SIZE, SEED_SIZE};

/// `NAME` + `.ext`, keeping any directory and dots already in NAME.
fn with_suffix(base: &Path, ext: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

pub fn keygen(args: &KeygenArgs, json: bool) -> CliResult<()> {
    let names_a_dir = args.out.is_dir()
        || args.out.as_os_str().to_string_lossy().ends_with('/')
        || args.out.file_name().is_none();
    if names_a_dir {
        return Err(CliError::new(format!(
            "--out {} names a directory; give a base name for the key files, such as {}",
            args.out.display(),
            args.out.join("auditor").display()
        )));
    }
    let pub_path = with_suffix(&args.out, ".pub");
    let key_path = with_suffix(&args.out, ".key");
    if !args.force {
        for p in [&key_path, &pub_path] {
            if p.exists() {
                return Err(CliError::new(format!(
                    "{} already exists; refusing to overwrite a key (use --force)",
                    p.display()
                )));
            }
        }
    }
    let key = match &args.seed {
        Some(seed) => {
            note("warning: a key made from a given seed can be remade by anyone who knows the seed: use it for tests only");
            SecretKey::from_seed(seed)
        }
        None => SecretKey::generate()?,
    };
    // The secret first: if it cannot be written, no public key is left behind for it.
    write_secret_atomic(&key_path, &key.to_bytes())?;
    write_atomic(&pub_path, key.public_key().to_bytes())?;
    let id = key.key_id();
    if json {
        return out_json(&serde_json::json!({
            "public_key_file": pub_path.display().to_string(),
            "secret_key_file": key_path.display().to_string(),
            "key_id": id.to_hex(),
            "algorithm": "ML-DSA-87",
            "from_seed": args.seed.is_some(),
        }));
    }
    out(format!("ML-DSA-87 key pair, key id {id}"))?;
    out(format!(
        "  public key  {}  ({} bytes)",
        pub_path.display(),
        key.public_key().to_bytes().len()
    ))?;
    out(format!(
        "  secret key  {}  (mode 0600; keep it secret)",
        key_path.display()
    ))?;
    out(format!(
        "next: veil trust --pub {} --name NAME --trusted-keys trusted.json",
        pub_path.display()
    ))
}

/// Reads a trusted-keys file, naming it in errors.
pub fn read_trusted(path: &Path) -> CliResult<TrustedKeys> {
    let bytes = read_bytes(path, "trusted-keys file")?;
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::new(format!(
            "trusted keys {}: not a trusted-keys file (not UTF-8 text)",
            path.display()
        ))
    })?;
    TrustedKeys::from_json(&text)
        .map_err(|e| CliError::new(format!("trusted keys {}: {e}", path.display())))
}

/// Reads a public key file, naming it in errors.
pub fn read_public(path: &Path) -> CliResult<PublicKey> {
    let bytes = read_bytes(path, "public key")?;
    PublicKey::from_bytes(&bytes).map_err(|e| {
        let hint = if bytes.len() == SEED_SIZE {
            " (this looks like a secret key file: give NAME.pub)"
        } else {
            ""
        };
        CliError::new(format!("public key {}: {e}{hint}", path.display()))
    })
}

/// Reads a secret key file, naming it in errors; warns when others may read it.
pub fn read_secret(path: &Path) -> CliResult<SecretKey> {
    let key = SecretKey::read(path).map_err(|e| {
        if let AttestError::Io { source, .. } = &e {
            return CliError::new(format!(
                "cannot read secret key {}: {source}",
                path.display()
            ));
        }
        let hint = match &e {
            AttestError::WrongLength {
                found: PUBLIC_KEY_SIZE,
                ..
            } => " (this looks like a public key file: give NAME.key)",
            _ => "",
        };
        CliError::new(format!("secret key {}: {e}{hint}", path.display()))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                note(format!(
                    "warning: secret key {} can be read by other users (chmod 600 it)",
                    path.display()
                ));
            }
        }
    }
    Ok(key)
}

pub fn trust(args: &TrustArgs, json: bool) -> CliResult<()> {
    let key = read_public(&args.public)?;
    let mut trusted = if args.trusted_keys.exists() {
        read_trusted(&args.trusted_keys)?
    } else {
        TrustedKeys::new()
    };
    trusted
        .add(args.name.clone(), key.clone())
        .map_err(|e| CliError::new(format!("{}: {e}", args.trusted_keys.display())))?;
    write_atomic(
        &args.trusted_keys,
        format!("{}\n", trusted.to_json()).as_bytes(),
    )?;
    if json {
        return out_json(&serde_json::json!({
            "trusted_keys": args.trusted_keys.display().to_string(),
            "name": args.name,
            "key_id": key.key_id().to_hex(),
            "keys": trusted.len(),
        }));
    }
    out(format!(
        "trusted {:?} (key id {}) in {} ({} keys)",
        args.name,
        key.key_id(),
        args.trusted_keys.display(),
        trusted.len()
    ))
}
