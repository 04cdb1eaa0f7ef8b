//! `veil demo`: the first command a new user runs. Dev setup, prove and verify every
//! circuit at its default size, with timings.

use crate::error::{CliError, CliResult};
use crate::io::{ms, note, out, out_json, read_witness};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::DemoArgs;
use std::path::Path;
use std::time::Instant;
use veil_params::DEV_WARNING;
use veil_prover::Prover;
use veil_verifier::{CircuitId, CircuitKind, Groth16VerifyingKey, ProofEnvelope};

#[derive(Debug, serde::Serialize)]
struct Row {
    circuit: String,
    witness: String,
    constraints: usize,
    setup_ms: f64,
    prove_ms: f64,
    verify_ms: f64,
    proof_bytes: usize,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

struct Demo<'a> {
    examples: &'a Path,
    json: bool,
}

impl Task for Demo<'_> {
    type Output = Row;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Row> {
        let id = circuit.id();
        let say = |s: String| {
            if !self.json {
                note(s);
            }
        };
        // The witness: the example file, or the built-in sample when there is none.
        let file = self.examples.join(format!("{id}.json"));
        let (witness, source) = if file.is_file() {
            let w: C::Witness = read_witness(&file, &id.to_string())?;
            (w, file.display().to_string())
        } else {
            say(format!(
                "{id}: {} not found, using the built-in sample witness (seed 1)",
                file.display()
            ));
            (
                C::sample(id.size, 1)?,
                "built-in sample (seed 1)".to_string(),
            )
        };

        say(format!(
            "{id}: dev setup (compiling the circuit and making keys)..."
        ));
        let start = Instant::now();
        let (pk, vk) = veil_params::dev_keys(&circuit, "")?;
        let setup_ms = ms(start.elapsed());
        let vk_file = vk.to_bytes();
        let prover = Prover::new(circuit, pk)?;
        let constraints = prover.compiled().num_constraints;

        say(format!("{id}: proving {source}..."));
        let start = Instant::now();
        let env = prover.prove(&witness)?;
        let prove_ms = ms(start.elapsed());
        let proof_json = env.to_json();

        // Verify as `veil verify` would: from the key file's bytes and the envelope's JSON.
        say(format!("{id}: verifying..."));
        let start = Instant::now();
        let verdict = Groth16VerifyingKey::from_bytes(&vk_file)
            .and_then(|vk| {
                let env = ProofEnvelope::from_json(&proof_json)?;
                vk.prepare().verify(&env)
            })
            .map_err(|e| e.to_string());
        let verify_ms = ms(start.elapsed());

        Ok(Row {
            circuit: id.to_string(),
            witness: source,
            constraints,
            setup_ms,
            prove_ms,
            verify_ms,
            proof_bytes: env.proof.len(),
            valid: verdict.is_ok(),
            error: verdict.err(),
        })
    }
}

fn table(rows: &[Row]) -> Vec<String> {
    let header = [
        "circuit",
        "constraints",
        "setup ms",
        "prove ms",
        "verify ms",
        "proof bytes",
        "valid",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.circuit.clone(),
                r.constraints.to_string(),
                format!("{:.0}", r.setup_ms),
                format!("{:.0}", r.prove_ms),
                format!("{:.1}", r.verify_ms),
                r.proof_bytes.to_string(),
                if r.valid { "yes" } else { "NO" }.to_string(),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |row: &[&str]| {
        row.iter()
            .zip(width)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut lines = vec![line(&header)];
    lines.push(
        width
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    for row in &cells {
        lines.push(line(&row.each_ref().map(String::as_str)));
    }
    lines
}

pub fn run(args: &DemoArgs, json: bool) -> CliResult<()> {
    note(format!("warning: {DEV_WARNING}"));
    if !json {
        note("veil demo: dev setup, prove and verify every circuit at its default size");
    }
    let mut rows = Vec::new();
    for kind in CircuitKind::ALL {
        let id = CircuitId::default_for(kind);
        let task = Demo {
            examples: &args.examples,
            json,
        };
        let row = dispatch(id, task).map_err(|e| CliError::new(format!("{id}: {e}")))?;
        rows.push(row);
    }
    let all_valid = rows.iter().all(|r| r.valid);
    if json {
        out_json(&serde_json::json!({
            "dev_warning": DEV_WARNING,
            "all_valid": all_valid,
            "circuits": rows,
        }))?;
    } else {
        out("")?;
        for l in table(&rows) {
            out(l)?;
        }
        out("")?;
        for r in &rows {
            out(format!("{}: witness from {}", r.circuit, r.witness))?;
        }
        if all_valid {
            out("")?;
            out("Every proof verified. Next, step by step (see `veil --help`):")?;
            out("  veil circuits                        what each circuit proves")?;
            out("  veil setup --circuit tier            dev keys in keys/")?;
            out("  veil prove --circuit tier --pk keys/tier-20.pk --witness examples/tier-20.json --out proof.json")?;
            out("  veil verify --vk keys/tier-20.vk --proof proof.json")?;
        }
    }
    let bad: Vec<String> = rows
        .iter()
        .filter(|r| !r.valid)
        .map(|r| {
            format!(
                "{} ({})",
                r.circuit,
                r.error.as_deref().unwrap_or("invalid")
            )
        })
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(CliError::new(format!(
            "the demo proof did not verify for {}",
            bad.join(", ")
        )))
    }
}
