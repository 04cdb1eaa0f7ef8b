//! `veil demo`: the first command a new user runs. Dev setup, prove and verify every
//! circuit on both backends, with timings and, per proof, what it states. Small sizes by
//! default (trees of depth 4, batches of 4 items: under a minute on 2 cores); `--full` for
//! the default sizes (depth 20, capacities 64 and 256: minutes).

use crate::error::{CliError, CliResult};
use crate::io::{ms, note, out, out_json, read_witness};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::DemoArgs;
use std::path::Path;
use std::time::Instant;
use veil_params::DEV_WARNING;
use veil_prover::Prover;
use veil_verifier::{
    Backend, CircuitId, CircuitKind, Groth16VerifyingKey, Plonky2VerifyingKey, ProofEnvelope,
    Statement,
};

#[derive(Debug, serde::Serialize)]
struct Row {
    circuit: String,
    backend: &'static str,
    witness: String,
    /// R1CS constraints (groth16) or gates (plonky2).
    constraints: usize,
    setup_ms: f64,
    prove_ms: f64,
    verify_ms: f64,
    proof_bytes: usize,
    /// What the proof states, in one line ("tier >= 2 against root 48ca1f3e…").
    states: String,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

struct Demo<'a> {
    examples: &'a Path,
    json: bool,
    backend: Backend,
    /// Default sizes, whose witnesses `examples/` holds (at small sizes the built-in
    /// samples are the rule, and not worth a line each).
    full: bool,
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
        let backend = self.backend;
        // The witness: the example file, or the built-in sample when there is none.
        let file = match backend {
            Backend::Groth16 => self.examples.join(format!("{id}.json")),
            Backend::Plonky2 => self.examples.join("plonky2").join(format!("{id}.json")),
        };
        let (witness, source) = if file.is_file() {
            let w: C::Witness = read_witness(&file, &id.to_string())?;
            (w, file.display().to_string())
        } else {
            if self.full {
                say(format!(
                    "{id}: {} not found, using the built-in sample witness (seed 1)",
                    file.display()
                ));
            }
            (
                C::sample(id.size, 1, backend)?,
                "built-in sample (seed 1)".to_string(),
            )
        };

        say(format!(
            "{id} ({backend}): setup (compiling the circuit and making keys)..."
        ));
        let start = Instant::now();
        let (prover, vk_file, constraints) = match backend {
            Backend::Groth16 => {
                let (pk, vk) = veil_params::dev_keys(&circuit, "")?;
                let prover = Prover::new(circuit, pk)?;
                let n = prover.compiled().num_constraints;
                (super::AnyProver::Groth16(prover), vk.to_bytes(), n)
            }
            Backend::Plonky2 => {
                let (pk, vk) = veil_prover::plonky2::setup(&circuit)?;
                let prover = veil_prover::plonky2::Prover::new(circuit, pk)?;
                let n = prover.gates();
                (super::AnyProver::Plonky2(prover), vk.to_bytes(), n)
            }
        };
        let setup_ms = ms(start.elapsed());

        say(format!("{id} ({backend}): proving {source}..."));
        let start = Instant::now();
        let env = prover.prove(&witness)?;
        let prove_ms = ms(start.elapsed());
        let proof_json = env.to_json();

        // Verify as `veil verify` would: from the key file's bytes and the envelope's JSON.
        say(format!("{id} ({backend}): verifying..."));
        let start = Instant::now();
        let verdict = match backend {
            Backend::Groth16 => Groth16VerifyingKey::from_bytes(&vk_file).and_then(|vk| {
                let env = ProofEnvelope::from_json(&proof_json)?;
                vk.prepare().verify(&env)
            }),
            Backend::Plonky2 => Plonky2VerifyingKey::from_bytes(&vk_file).and_then(|vk| {
                let env = ProofEnvelope::from_json(&proof_json)?;
                vk.verify(&env)
            }),
        }
        .map_err(|e| e.to_string());
        let verify_ms = ms(start.elapsed());

        Ok(Row {
            circuit: id.to_string(),
            backend: backend.name(),
            witness: source,
            constraints,
            setup_ms,
            prove_ms,
            verify_ms,
            proof_bytes: env.proof.len(),
            states: proof_states(&env.statement),
            valid: verdict.is_ok(),
            error: verdict.err(),
        })
    }
}

fn table(rows: &[Row]) -> Vec<String> {
    let header = [
        "circuit",
        "backend",
        "constraints/gates",
        "setup ms",
        "prove ms",
        "verify ms",
        "proof bytes",
        "valid",
        "the proof states",
    ];
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r.circuit.clone(),
                r.backend.to_string(),
                r.constraints.to_string(),
                format!("{:.0}", r.setup_ms),
                format!("{:.0}", r.prove_ms),
                format!("{:.1}", r.verify_ms),
                r.proof_bytes.to_string(),
                if r.valid { "yes" } else { "NO" }.to_string(),
                r.states.clone(),
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
                if i == 0 || i == 8 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut lines = vec![line(&header).trim_end().to_string()];
    lines.push(
        width
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    for row in &cells {
        lines.push(
            line(&row.each_ref().map(String::as_str))
                .trim_end()
                .to_string(),
        );
    }
    lines
}

/// The first 8 hex digits of a 32-byte value, for a one-line summary.
fn short(b: &veil_verifier::Bytes32) -> String {
    let hex = b.to_hex();
    format!("{}…", hex.get(..8).unwrap_or(&hex))
}

/// What a proof states, in one line: the public statement in words, digests shortened.
fn proof_states(statement: &Statement) -> String {
    #[allow(unreachable_patterns)] // a circuit added later falls back to its named values
    match statement {
        Statement::Ownership(s) => format!(
            "holds a token for package {} in root {}, valid at {}",
            short(&s.package_id),
            short(&s.root),
            s.now
        ),
        Statement::Tier(s) => format!(
            "tier >= {} against root {}, slot < quota {}, nullifier {}",
            s.min_tier,
            short(&s.root),
            s.quota,
            short(&s.nullifier)
        ),
        Statement::Renewal(s) => format!(
            "renews a token of root {} until {}, nullifier {}",
            short(&s.root),
            s.new_expires_at,
            short(&s.nullifier)
        ),
        Statement::Metering(s) => format!(
            "{} units in the hour from {} for package {}",
            s.total_units,
            s.hour_start,
            short(&s.package_id)
        ),
        Statement::Isolation(s) => format!(
            "readings of packages {} and {} kept apart",
            short(&s.package_a),
            short(&s.package_b)
        ),
        Statement::Revenue(s) => format!(
            "publisher {} earned {} micros in {} transactions in [{}, {})",
            short(&s.publisher_id),
            s.aggregate_revenue_micros,
            s.transaction_count,
            s.period_start,
            s.period_end
        ),
        Statement::Waterfall(s) => format!(
            "{} micros split exactly over {} tranches and {} shares",
            s.total_revenue_micros,
            s.tranches.len(),
            s.shares.len()
        ),
        other => other
            .named_values()
            .into_iter()
            .map(|(k, v)| format!("{k} {}", v.get(..8).unwrap_or(&v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// What the demo suggests next. `veil` is not on PATH after `cargo run`: the lines say how
/// to install it, or how to run it without installing.
const NEXT_STEPS: [&str; 7] = [
    "Every proof verified. Next, step by step (see `veil --help`). Install veil with",
    "`cargo install --path cli` (or run each command as `cargo run --release -p veil-cli -- ...`):",
    "  veil circuits                        what each circuit proves",
    "  veil setup --circuit tier-4          dev keys in keys/",
    "  veil sample --circuit tier-4 --out w.json",
    "  veil prove --circuit tier-4 --pk keys/tier-4.pk --witness w.json --out proof.json",
    "  veil verify --vk keys/tier-4.vk --proof proof.json",
];

pub fn run(args: &DemoArgs, json: bool) -> CliResult<()> {
    note(format!("warning: {DEV_WARNING}"));
    if !json {
        note(if args.full {
            "veil demo --full: setup, prove and verify every circuit at its default size, on each backend (minutes)"
        } else {
            "veil demo: setup, prove and verify every circuit at a small size (trees of depth 4, batches of 4), on each backend; --full for the default sizes"
        });
    }
    let backends: Vec<Backend> = match args.backend {
        Some(b) => vec![b],
        None => Backend::ALL.to_vec(),
    };
    let mut rows = Vec::new();
    for kind in CircuitKind::ALL {
        let id = if args.full {
            CircuitId::default_for(kind)
        } else {
            CircuitId::new(kind, 4)?
        };
        for &backend in &backends {
            let task = Demo {
                examples: &args.examples,
                json,
                backend,
                full: args.full,
            };
            let row =
                dispatch(id, task).map_err(|e| CliError::new(format!("{id} ({backend}): {e}")))?;
            rows.push(row);
        }
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
            out(format!(
                "{} ({}): witness from {}",
                r.circuit, r.backend, r.witness
            ))?;
        }
        if all_valid {
            out("")?;
            for l in NEXT_STEPS {
                out(l)?;
            }
        }
    }
    let bad: Vec<String> = rows
        .iter()
        .filter(|r| !r.valid)
        .map(|r| {
            format!(
                "{} on {} ({})",
                r.circuit,
                r.backend,
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
