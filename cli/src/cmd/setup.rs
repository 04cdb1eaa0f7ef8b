//! `veil setup`: development keys.

use crate::error::CliResult;
use crate::io::{create_dir, human_bytes, ms, note, out, out_json, write_atomic};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::SetupArgs;
use std::time::Instant;
use veil_params::DEV_WARNING;
use veil_verifier::Backend;

struct Setup<'a> {
    label: &'a str,
    backend: Backend,
}

struct Keys {
    pk: Vec<u8>,
    vk: Vec<u8>,
    key_id: String,
    public_inputs: usize,
}

impl Task for Setup<'_> {
    type Output = Keys;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Keys> {
        Ok(match self.backend {
            Backend::Groth16 => {
                // Key file version 3: fast to load, with the compiled constraint system.
                let seed = veil_params::dev_seed(&circuit.id(), self.label);
                let (pk, vk, compiled) = veil_prover::groth16::dev_setup_compiled(&circuit, seed)?;
                Keys {
                    pk: pk.to_bytes_v3(&compiled)?,
                    vk: vk.to_bytes(),
                    key_id: vk.digest.to_hex(),
                    public_inputs: vk.num_public_inputs(),
                }
            }
            Backend::Plonky2 => {
                let (pk, vk) = veil_prover::plonky2::setup(&circuit)?;
                Keys {
                    pk: pk.to_bytes(),
                    vk: vk.to_bytes(),
                    key_id: vk.digest.to_hex(),
                    public_inputs: vk.num_public_inputs(),
                }
            }
        })
    }
}

pub fn run(args: &SetupArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let backend = args.backend.backend;
    let dev = backend == Backend::Groth16;
    if dev {
        note(format!("warning: {DEV_WARNING}"));
    }
    create_dir(&args.out_dir)?;
    let spinner = crate::io::Spinner::start(
        format!("setup of {id} ({backend}): compiling the circuit and making keys"),
        json,
    );
    let start = Instant::now();
    let keys = dispatch(
        id,
        Setup {
            label: &args.label,
            backend,
        },
    )?;
    let setup_ms = ms(start.elapsed());
    drop(spinner);
    let pk_path = args.out_dir.join(format!("{id}.pk"));
    let vk_path = args.out_dir.join(format!("{id}.vk"));
    write_atomic(&pk_path, &keys.pk)?;
    write_atomic(&vk_path, &keys.vk)?;
    if json {
        return out_json(&serde_json::json!({
            "circuit": id.to_string(),
            "backend": backend.name(),
            "dev": dev,
            "warning": if dev { Some(DEV_WARNING) } else { None },
            "label": args.label,
            "pk": pk_path.display().to_string(),
            "vk": vk_path.display().to_string(),
            "pk_bytes": keys.pk.len(),
            "vk_bytes": keys.vk.len(),
            "key_id": keys.key_id,
            "public_inputs": keys.public_inputs,
            "setup_ms": setup_ms,
        }));
    }
    if dev {
        out(format!(
            "dev setup of {id} (groth16) done in {setup_ms:.0} ms"
        ))?;
    } else {
        out(format!(
            "setup of {id} (plonky2: circuit data, no trusted setup) done in {setup_ms:.0} ms"
        ))?;
    }
    out(format!(
        "  proving key    {}  ({})",
        pk_path.display(),
        human_bytes(keys.pk.len() as u64)
    ))?;
    out(format!(
        "  verifying key  {}  ({})",
        vk_path.display(),
        human_bytes(keys.vk.len() as u64)
    ))?;
    out(format!("  key id         {}", keys.key_id))?;
    out(format!(
        "next: veil prove --circuit {id} --pk {} --witness W.json --out proof.json",
        pk_path.display()
    ))
}
