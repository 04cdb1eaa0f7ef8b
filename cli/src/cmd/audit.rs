//! `veil audit`: witness variables the inputs do not determine, found in the compiled
//! constraint system (see `veil_prover::audit`).

use crate::error::{CliError, CliResult};
use crate::io::{out, out_json};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::{BackendArg, CircuitArg};
use clap::Args;
use std::time::Instant;
use veil_prover::audit::plonky2_audit::{Plonky2AuditReport, UndeterminedClass};
use veil_prover::audit::{AuditReport, FreeVariable};
use veil_verifier::Backend;

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// `groth16`: the R1CS constraint system; `plonky2`: the Plonky2 gates and copy
    /// constraints.
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

struct Plonky2Audit;

impl Task for Plonky2Audit {
    type Output = Plonky2AuditReport;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Plonky2AuditReport> {
        Ok(veil_prover::audit::plonky2_audit::audit(&circuit)?)
    }
}

fn print_class(c: &UndeterminedClass) -> CliResult<()> {
    out(format!(
        "  - a value in {} ({} wires and targets)",
        c.label, c.members
    ))?;
    let rows: Vec<String> = c
        .rows
        .iter()
        .map(|r| format!("row {} col {} {} ({})", r.row, r.column, r.gate, r.label))
        .collect();
    out(format!("      at {}", rows.join("; ")))?;
    if let Some(why) = &c.explanation {
        out(format!("      benign: {why}"))?;
    }
    Ok(())
}

fn run_plonky2(args: &AuditArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let spinner = crate::io::Spinner::start(format!("auditing {id} (plonky2)"), json);
    let started = Instant::now();
    let report = dispatch(id, Plonky2Audit)?;
    let elapsed = started.elapsed();
    drop(spinner);
    if json {
        let mut v = serde_json::json!(report);
        v["clean"] = report.is_clean().into();
        v["ms"] = (elapsed.as_secs_f64() * 1000.0).round().into();
        out_json(&v)?;
    } else {
        out(format!("audit of {id}: {}", report.scope))?;
        out(format!(
            "gates            {} placed by the circuit, {} rows",
            report.gates, report.rows
        ))?;
        out(format!(
            "values           {} copy-connected classes: {} inputs and constants",
            report.classes, report.input_classes
        ))?;
        out(format!(
            "determined       {} of {} by the inputs ({} passes, {} ms); {} by the u64_mul_div lemma",
            report.determined_classes,
            report.classes,
            report.passes,
            elapsed.as_millis(),
            report.by_lemma
        ))?;
        out(format!(
            "unused           {} single wires no copy constraint touches",
            report.unused_wires
        ))?;
        if report.unknown_gate_rows > 0 {
            out(format!(
                "unknown gates    {} rows of gates the analysis does not know (nothing derived)",
                report.unknown_gate_rows
            ))?;
        }
        out(format!(
            "benign           {} undetermined, each explained:",
            report.benign.len()
        ))?;
        for c in report.benign.iter().take(3) {
            print_class(c)?;
        }
        if report.benign.len() > 3 {
            out(format!(
                "  ... and {} more of the same kind (--json lists them all)",
                report.benign.len() - 3
            ))?;
        }
        out(format!("undetermined     {}", report.free.len()))?;
        for c in report.free.iter().take(SHOWN) {
            print_class(c)?;
        }
        if report.free.len() > SHOWN {
            out(format!(
                "  ... and {} more (--json lists them all)",
                report.free.len() - SHOWN
            ))?;
        }
        if report.is_clean() {
            out("clean: every used value is determined by the inputs (or explained)")?;
        }
    }
    if report.is_clean() {
        Ok(())
    } else {
        Err(CliError::new(format!(
            "audit of {id} (plonky2): {} value(s) are not determined by the inputs as far as \
             the analysis can tell: a prover might choose them freely",
            report.free.len()
        )))
    }
}

pub fn run(args: &AuditArgs, json: bool) -> CliResult<()> {
    if args.backend.backend == Backend::Plonky2 {
        return run_plonky2(args, json);
    }
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
        out(format!("unbound inputs   {}", report.unbound_inputs.len()))?;
        for u in report.unbound_inputs.iter().take(SHOWN) {
            out(format!(
                "  public input {} ({}): {} ({} occurrence(s))",
                u.input, u.label, u.reason, u.occurrences
            ))?;
        }
        if report.is_clean() {
            out("clean: every intermediate value is determined by the inputs (or explained)")?;
        }
    }
    if report.is_clean() {
        Ok(())
    } else if !report.free.is_empty() {
        Err(CliError::new(format!(
            "audit of {id}: {} witness variable(s) are not determined by the inputs: a prover \
             could choose them freely",
            report.free.len()
        )))
    } else {
        Err(CliError::new(format!(
            "audit of {id}: {} public input(s) are not bound by any constraint: a proof \
             would verify whatever their value",
            report.unbound_inputs.len()
        )))
    }
}
