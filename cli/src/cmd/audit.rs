//! `veil audit`: witness variables the inputs do not determine, found in the compiled
//! constraint system (see `veil_prover::audit`).

use crate::error::{CliError, CliResult};
use crate::io::{out, out_json};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::{BackendArg, CircuitArg};
use clap::Args;
use std::time::Instant;
use veil_prover::audit::{AuditReport, FreeVariable};
use veil_verifier::Backend;

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// Only `groth16` (the R1CS constraint system) is analysed today.
    #[command(flatten)]
    pub backend: BackendArg,
}

/// Free variables printed in full; `--json` lists all.
const SHOWN: usize = 40;

struct Audit;

impl Task for Audit {
    type Output = AuditReport;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<AuditReport> {
        Ok(veil_prover::audit::audit(&circuit)?)
    }
}

/// Refuses a backend the analyses do not cover.
pub fn require_r1cs(backend: Backend, command: &str) -> CliResult<()> {
    match backend {
        Backend::Groth16 => Ok(()),
        Backend::Plonky2 => Err(CliError::new(format!(
            "veil {command} analyses the R1CS constraint system of the groth16 backend only; \
             the Plonky2 constraint system is not covered yet (run it without --backend plonky2)"
        ))),
    }
}

fn print_variable(v: &FreeVariable) -> CliResult<()> {
    out(format!(
        "  - variable {} ({:?}), allocated by {}",
        v.variable, v.kind, v.label
    ))?;
    let rows: Vec<String> = v
        .rows
        .iter()
        .map(|r| format!("{} ({})", r.row, r.label))
        .collect();
    if rows.is_empty() {
        out("      occurs in no constraint: nothing constrains it")?;
    } else {
        let more = v.occurrences.saturating_sub(v.rows.len());
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        out(format!("      rows {}{tail}", rows.join(", ")))?;
    }
    if let Some(why) = &v.explanation {
        out(format!("      benign: {why}"))?;
    }
    Ok(())
}

pub fn run(args: &AuditArgs, json: bool) -> CliResult<()> {
    require_r1cs(args.backend.backend, "audit")?;
    let id = args.circuit.circuit;
    let spinner = crate::io::Spinner::start(format!("auditing {id}"), json);
    let started = Instant::now();
    let report = dispatch(id, Audit)?;
    let elapsed = started.elapsed();
    drop(spinner);
    if json {
        let mut v = serde_json::json!(report);
        v["clean"] = report.is_clean().into();
        v["ms"] = (elapsed.as_secs_f64() * 1000.0).round().into();
        out_json(&v)?;
    } else {
        out(format!("audit of {id}: {}", report.scope))?;
        out(format!("constraints      {}", report.constraints))?;
        out(format!(
            "witness          {} variables: {} inputs, {} intermediate",
            report.witness_variables, report.input_variables, report.intermediate_variables
        ))?;
        out(format!(
            "determined       {} of {} intermediate variables by the inputs ({} passes, {} ms)",
            report.determined_intermediates,
            report.intermediate_variables,
            report.passes,
            elapsed.as_millis()
        ))?;
        out(format!(
            "benign           {} undetermined, each explained:",
            report.benign.len()
        ))?;
        for v in report.benign.iter().take(3) {
            print_variable(v)?;
        }
        if report.benign.len() > 3 {
            out(format!(
                "  ... and {} more of the same kind (--json lists them all)",
                report.benign.len() - 3
            ))?;
        }
        out(format!("free             {}", report.free.len()))?;
        for v in report.free.iter().take(SHOWN) {
            print_variable(v)?;
        }
        if report.free.len() > SHOWN {
            out(format!(
                "  ... and {} more (--json lists them all)",
                report.free.len() - SHOWN
            ))?;
        }
        if report.is_clean() {
            out("clean: every intermediate value is determined by the inputs (or explained)")?;
        }
    }
    if report.is_clean() {
        Ok(())
    } else {
        Err(CliError::new(format!(
            "audit of {id}: {} witness variable(s) are not determined by the inputs: a prover \
             could choose them freely",
            report.free.len()
        )))
    }
}
