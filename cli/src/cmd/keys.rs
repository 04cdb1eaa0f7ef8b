//! `veil keygen` and `veil trust`: ML-DSA-87 key pairs and trusted-keys files; `veil key
//! check`: whether a proving or verifying key is the one its circuit gives.

use crate::error::{CliError, CliResult};
use crate::io::{note, out, out_json, read_bytes, write_atomic, write_secret_atomic};
use crate::{KeygenArgs, TrustArgs};
use std::path::{Path, PathBuf};
use veil_prover::SecretKey;
use veil_verifier::attest::{AttestError, PublicKey, TrustedKeys, PUBLIC_KEY_SIZE, SEED_SIZE};
use veil_verifier::{Backend, KeyKind, VerifyError};

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

// ---- `veil key check`: is a proving or verifying key the one its circuit gives? ----

/// `veil key check`.
#[derive(clap::Args, Debug)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum KeyCommand {
    /// Check that a key (proving or verifying, either backend) was made for its circuit as
    /// compiled here: once per key, then pin its key id.
    #[command(after_help = "Examples:\n  \
        veil key check --key keys-p2/tier-20.vk\n  \
        veil key check --key keys/tier-20.vk --circuit tier-20\n  \
        veil key check --key ceremony-keys/tier-20.vk --ptau pot.vptau --transcript tier-20.final.ph2\n\n\
        Plonky2: the circuit is rebuilt from its id (seconds) and the key must be the one it \
        gives, byte for byte. Groth16: the constraint-system digest must be the circuit's as \
        compiled here, and the key must be veil's dev key for the circuit (rebuilt from the \
        public seed, --label as given to `veil setup`) or a ceremony key whose transcript \
        (--ptau, --transcript) verifies and gives this very key. Exit code 0 only if so.")]
    Check(KeyCheckArgs),
}

fn circuit_id(s: &str) -> Result<veil_verifier::CircuitId, String> {
    s.parse()
}

#[derive(clap::Args, Debug)]
pub struct KeyCheckArgs {
    /// The key file (`.pk` or `.vk`, either backend).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The circuit the key must be for (by default the one its header names).
    #[arg(long, short = 'c', value_name = "CIRCUIT", value_parser = circuit_id)]
    pub circuit: Option<veil_verifier::CircuitId>,
    /// Groth16 dev keys: the label given to `veil setup --label`.
    #[arg(long, value_name = "LABEL", default_value = "")]
    pub label: String,
    /// Groth16 ceremony keys: the powers of tau the transcript was initialised from.
    #[arg(long, value_name = "FILE", requires = "transcript")]
    pub ptau: Option<PathBuf>,
    /// Groth16 ceremony keys: the phase-2 transcript the key was finalized from.
    #[arg(long, value_name = "FILE", requires = "ptau")]
    pub transcript: Option<PathBuf>,
}

pub fn key_run(args: &KeyArgs, json: bool) -> CliResult<()> {
    match &args.command {
        KeyCommand::Check(a) => key_check(a, json),
    }
}

/// The verifying key a circuit gives on Plonky2 (its setup is deterministic).
struct RebuildPlonky2;

impl crate::registry::Task for RebuildPlonky2 {
    type Output = veil_verifier::Plonky2VerifyingKey;
    fn run<C: crate::registry::CliCircuit>(
        self,
        circuit: C,
    ) -> CliResult<veil_verifier::Plonky2VerifyingKey> {
        let compiled = veil_prover::plonky2::compile(&circuit)?;
        Ok(veil_verifier::Plonky2VerifyingKey::new(
            circuit.id(),
            compiled.data.verifier_data(),
        ))
    }
}

/// The circuit compiled here (Groth16) and veil's dev verifying key for it under a label.
struct RebuildGroth16<'a> {
    label: &'a str,
    dev_key: bool,
}

impl crate::registry::Task for RebuildGroth16<'_> {
    type Output = (
        veil_verifier::Bytes32,
        Option<veil_verifier::Groth16VerifyingKey>,
    );
    fn run<C: crate::registry::CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        if !self.dev_key {
            return Ok((veil_prover::compile(&circuit)?.cs_digest, None));
        }
        let (pk, vk) = veil_params::dev_keys(&circuit, self.label)?;
        Ok((pk.header.cs_digest, Some(vk)))
    }
}

/// A key file's verifying half: the file itself for a verifying key, the embedded verifying
/// key of a Plonky2 proving key, the verifying half of a Groth16 proving key.
fn verifying_half(bytes: &[u8]) -> Result<(KeyKind, AnyVerifyingKeyOwned), VerifyError> {
    use veil_verifier::format::read_key_file;
    // The kind byte (after the magic and the version) decides which reader's errors to show.
    if bytes.starts_with(b"VEILKEY\0") && bytes.get(12) == Some(&1) {
        let (header, body) = read_key_file(bytes, KeyKind::Proving)?;
        return Ok((
            KeyKind::Proving,
            match header.backend {
                Backend::Groth16 => AnyVerifyingKeyOwned::Groth16(Box::new(
                    veil_prover::Groth16ProvingKey::from_bytes(bytes)?.verifying_key(),
                )),
                Backend::Plonky2 => {
                    // The body: the verifying key file (length-prefixed), then the prover's
                    // data, which the prover checks against it when it loads the key.
                    let len = body
                        .get(..8)
                        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
                        .and_then(|n| usize::try_from(n).ok())
                        .filter(|n| n.checked_add(8).is_some_and(|end| end <= body.len()))
                        .ok_or_else(|| {
                            VerifyError::Truncated(
                                "the Plonky2 proving key's embedded verifying key is cut short"
                                    .into(),
                            )
                        })?;
                    let vk = veil_verifier::Plonky2VerifyingKey::from_bytes(&body[8..8 + len])?;
                    if vk.header.cs_digest != header.cs_digest
                        || vk.header.circuit != header.circuit
                    {
                        return Err(VerifyError::Format(
                            "the proving key's header and its embedded verifying key disagree"
                                .into(),
                        ));
                    }
                    AnyVerifyingKeyOwned::Plonky2(Box::new(vk))
                }
            },
        ));
    }
    let (header, _) = read_key_file(bytes, KeyKind::Verifying)?;
    Ok((
        KeyKind::Verifying,
        match header.backend {
            Backend::Groth16 => AnyVerifyingKeyOwned::Groth16(Box::new(
                veil_verifier::Groth16VerifyingKey::from_bytes(bytes)?,
            )),
            Backend::Plonky2 => AnyVerifyingKeyOwned::Plonky2(Box::new(
                veil_verifier::Plonky2VerifyingKey::from_bytes(bytes)?,
            )),
        },
    ))
}

enum AnyVerifyingKeyOwned {
    // Both boxed: the two keys differ in size by hundreds of bytes inline.
    Groth16(Box<veil_verifier::Groth16VerifyingKey>),
    Plonky2(Box<veil_verifier::Plonky2VerifyingKey>),
}

impl AnyVerifyingKeyOwned {
    fn header(&self) -> &veil_verifier::KeyHeader {
        match self {
            AnyVerifyingKeyOwned::Groth16(k) => &k.header,
            AnyVerifyingKeyOwned::Plonky2(k) => &k.header,
        }
    }
    fn digest(&self) -> veil_verifier::Bytes32 {
        match self {
            AnyVerifyingKeyOwned::Groth16(k) => k.digest,
            AnyVerifyingKeyOwned::Plonky2(k) => k.digest,
        }
    }
}

fn key_check(a: &KeyCheckArgs, json: bool) -> CliResult<()> {
    use veil_verifier::pinning::KeyOrigin;
    let path = &a.key;
    let bytes = read_bytes(path, "key")?;
    let at = |e: VerifyError| CliError::new(format!("{}: {e}", path.display()));
    let (kind, vk) = verifying_half(&bytes).map_err(at)?;
    drop(bytes);
    let header = vk.header().clone();
    let id = header.circuit;
    if let Some(c) = a.circuit {
        if c != id {
            return Err(CliError::new(format!(
                "{}: the key is for {id}, not {c}",
                path.display()
            )));
        }
    }
    let refuse = |why: String| CliError::new(format!("{}: REFUSED: {why}", path.display()));
    let origin = KeyOrigin::of(&header);
    let spinner = crate::io::Spinner::start(
        format!("rebuilding {id} ({}) to compare keys", header.backend),
        json,
    );
    // What was established, for the report.
    let how: String = match &vk {
        AnyVerifyingKeyOwned::Plonky2(key) => {
            let rebuilt = crate::registry::dispatch(id, RebuildPlonky2)?;
            drop(spinner);
            if rebuilt.header.cs_digest != key.header.cs_digest {
                return Err(refuse(format!(
                    "its circuit digest {} is not {id}'s as built here ({}): the key was made for another circuit",
                    key.header.cs_digest.to_hex(),
                    rebuilt.header.cs_digest.to_hex()
                )));
            }
            if rebuilt.digest != key.digest {
                return Err(refuse(format!(
                    "its verifying key (id {}) is not the one {id} gives here (id {}), though the circuit digests agree: the verifier data differs",
                    key.digest.to_hex(),
                    rebuilt.digest.to_hex()
                )));
            }
            format!("the verifying key {id} gives when rebuilt here, byte for byte")
        }
        AnyVerifyingKeyOwned::Groth16(key) => {
            let ceremony = matches!(origin, KeyOrigin::Ceremony { .. });
            let (cs_digest, dev) = crate::registry::dispatch(
                id,
                RebuildGroth16 {
                    label: &a.label,
                    dev_key: !ceremony,
                },
            )?;
            drop(spinner);
            if cs_digest != key.header.cs_digest {
                return Err(refuse(format!(
                    "its constraint-system digest {} is not {id}'s as compiled here ({})",
                    key.header.cs_digest.to_hex(),
                    cs_digest.to_hex()
                )));
            }
            match dev {
                Some(dev) => {
                    if dev.digest != key.digest {
                        return Err(refuse(format!(
                            "it records no ceremony and is not veil's dev key for {id} (label {:?}: key id {}): nothing ties it to {id}; a relabelled key for another circuit looks like this",
                            a.label,
                            dev.digest.to_hex()
                        )));
                    }
                    note("warning: dev key (forgeable, from public seed): UNSAFE FOR PRODUCTION; use `veil ceremony` keys");
                    format!(
                        "veil's dev key for {id} (label {:?}), rebuilt here from its public seed",
                        a.label
                    )
                }
                None => {
                    let (Some(ptau), Some(transcript)) = (&a.ptau, &a.transcript) else {
                        return Err(refuse(format!(
                            "a ceremony key is tied to {id} by its transcript: give --ptau and --transcript (the check `veil ceremony verify --circuit {id} --ptau P --transcript T --vk K` makes)"
                        )));
                    };
                    let t = super::ceremony::read_transcript(transcript)?;
                    let r = super::ceremony::verify_full(id, ptau, &t, json)?;
                    if r.vk_digest != key.digest.to_hex() {
                        return Err(refuse(format!(
                            "it is not the key of transcript {} (key id {}, the transcript gives {})",
                            transcript.display(),
                            key.digest.to_hex(),
                            r.vk_digest
                        )));
                    }
                    format!(
                        "the key of transcript {} ({} contributions), which verifies against the powers of tau and {id} as compiled here",
                        transcript.display(),
                        r.contributions.len()
                    )
                }
            }
        }
    };
    let key_id = vk.digest();
    if json {
        return out_json(&serde_json::json!({
            "valid": true,
            "key": path.display().to_string(),
            "kind": kind.name(),
            "circuit": id.to_string(),
            "backend": header.backend.name(),
            "key_id": key_id.to_hex(),
            "cs_digest": header.cs_digest.to_hex(),
            "key_origin": origin.kind(),
            "checked": how,
        }));
    }
    out(format!(
        "key OK: {} is a {} for {id} ({})",
        path.display(),
        kind.name(),
        header.backend
    ))?;
    out(format!("  checked          {how}"))?;
    out(format!("  key origin       {}", origin.describe()))?;
    out(format!(
        "  key id           {key_id} (pin it: veil verify --expect-key-digest {key_id})"
    ))
}
