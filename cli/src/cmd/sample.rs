//! `veil sample`: a deterministic sample witness.

use crate::error::{CliResult, Context};
use crate::io::{note, out, out_json, write_atomic};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::SampleArgs;

struct Sample {
    seed: u64,
    backend: veil_verifier::Backend,
}

impl Task for Sample {
    type Output = String;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<String> {
        let w = C::sample(circuit.id().size, self.seed, self.backend)?;
        serde_json::to_string_pretty(&w).context(|| "cannot encode the witness")
    }
}

pub fn run(args: &SampleArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let backend = args.backend.backend;
    let text = dispatch(
        id,
        Sample {
            seed: args.seed,
            backend,
        },
    )?;
    match &args.out {
        None => out(text),
        Some(path) => {
            write_atomic(path, format!("{text}\n").as_bytes())?;
            if json {
                return out_json(&serde_json::json!({
                    "circuit": id.to_string(),
                    "backend": backend.name(),
                    "seed": args.seed,
                    "witness": path.display().to_string(),
                }));
            }
            note(format!(
                "wrote a sample {id} witness for {backend} (seed {}) to {}",
                args.seed,
                path.display()
            ));
            Ok(())
        }
    }
}
