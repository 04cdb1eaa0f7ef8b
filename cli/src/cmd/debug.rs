//! `veil debug`: which constraint a witness fails, named; or, for a witness that satisfies
//! them all, what each gadget costs.

use crate::error::{CliError, CliResult};
use crate::io::{out, out_json, read_witness};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::{BackendArg, CircuitArg};
use clap::Args;
use std::path::PathBuf;
use veil_prover::audit::plonky2_debug::Plonky2DebugReport;
use veil_prover::audit::DebugReport;

#[derive(Args, Debug)]
pub struct DebugArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// The witness (JSON, as for `veil prove`). The native check is not applied first.
    #[arg(long, short = 'w', value_name = "FILE")]
    pub witness: PathBuf,
    /// `groth16`: the R1CS constraint system; `plonky2`: the Plonky2 gates and copy
    /// constraints.
    #[command(flatten)]
    pub backend: BackendArg,
}

/// Gadgets listed in the text output; `--json` lists all.
const GADGETS_SHOWN: usize = 15;

struct DebugTask {
    witness: PathBuf,
}

impl Task for DebugTask {
    /// The report, and the native check's verdict (for context).
    type Output = (DebugReport, Option<String>);
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        let w: C::Witness = read_witness(&self.witness, &circuit.id().to_string())?;
        let native = circuit
            .check_for(&w, veil_verifier::Backend::Groth16)
            .err()
            .map(|v| v.to_string());
        Ok((veil_prover::audit::debug(&circuit, &w)?, native))
    }
}

struct Plonky2DebugTask {
    witness: PathBuf,
}

impl Task for Plonky2DebugTask {
    type Output = (Plonky2DebugReport, Option<String>);
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        let w: C::Witness = read_witness(&self.witness, &circuit.id().to_string())?;
        let native = circuit
            .check_for(&w, veil_verifier::Backend::Plonky2)
            .err()
            .map(|v| v.to_string());
        Ok((
            veil_prover::audit::plonky2_debug::debug(&circuit, &w)?,
            native,
        ))
    }
}

fn run_plonky2(args: &DebugArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let (report, native) = dispatch(
        id,
        Plonky2DebugTask {
            witness: args.witness.clone(),
        },
    )?;
    if json {
        let mut v = serde_json::json!(report);
        v["witness"] = args.witness.display().to_string().into();
        v["native_check"] = native.clone().unwrap_or_else(|| "ok".into()).into();
        out_json(&v)?;
    } else {
        out(format!(
            "debug of {id} (plonky2) with {}: {} gates placed, {} rows (native check: {})",
            args.witness.display(),
            report.gates,
            report.rows,
            native.as_deref().unwrap_or("ok")
        ))?;
        match &report.first_failure {
            None => {
                out("ok: the witness satisfies every gate and copy constraint")?;
                out("gates per gadget:")?;
                for g in report.gadgets.iter().take(GADGETS_SHOWN) {
                    out(format!("  {:>8}  {}", g.gates, g.gadget))?;
                }
                if report.gadgets.len() > GADGETS_SHOWN {
                    out(format!(
                        "  ... and {} more gadgets (--json lists them all)",
                        report.gadgets.len() - GADGETS_SHOWN
                    ))?;
                }
                out("gates per rule:")?;
                for (rule, n) in &report.rules {
                    out(format!("  {n:>8}  {rule}"))?;
                }
                out("rows per gate type:")?;
                for (gate, n) in &report.gate_types {
                    out(format!("  {n:>8}  {gate}"))?;
                }
            }
            Some(f) => {
                let row = f.row.map_or_else(|| "?".into(), |r| r.to_string());
                out(format!(
                    "unsatisfied: {} constraint at row {row} fails ({} gate constraints fail in all)",
                    f.kind, report.failing_constraints
                ))?;
                out(format!("  gadget    {}", f.label))?;
                out(format!(
                    "  rule      {}",
                    f.rule.as_deref().unwrap_or("(not marked)")
                ))?;
                if let Some(g) = &f.gate {
                    out(format!(
                        "  gate      {g}{}",
                        f.constraint
                            .map(|c| format!(", constraint {c}"))
                            .unwrap_or_default()
                    ))?;
                }
                out(format!("  {}", f.message))?;
                if !f.wires.is_empty() {
                    out("  wires:")?;
                }
                for w in &f.wires {
                    out(format!(
                        "    row {:>6} col {:>3} = {}  {}",
                        w.row,
                        w.column,
                        w.value.map_or_else(|| "(unset)".into(), |v| v.to_string()),
                        w.label
                    ))?;
                }
            }
        }
    }
    match &report.first_failure {
        None => Ok(()),
        Some(f) => Err(CliError::new(format!(
            "{} constraint{} of {id} (plonky2) fails ({}{})",
            f.kind,
            f.row.map(|r| format!(" at row {r}")).unwrap_or_default(),
            f.label,
            f.rule
                .as_ref()
                .map(|r| format!(", rule: {r}"))
                .unwrap_or_default()
        ))),
    }
}

pub fn run(args: &DebugArgs, json: bool) -> CliResult<()> {
    if args.backend.backend == veil_verifier::Backend::Plonky2 {
        return run_plonky2(args, json);
    }
    let id = args.circuit.circuit;
    let (report, native) = dispatch(
        id,
        DebugTask {
            witness: args.witness.clone(),
        },
    )?;
    if json {
        let mut v = serde_json::json!(report);
        v["witness"] = args.witness.display().to_string().into();
        v["native_check"] = native.clone().unwrap_or_else(|| "ok".into()).into();
        out_json(&v)?;
    } else {
        out(format!(
            "debug of {id} with {}: {} constraints evaluated (native check: {})",
            args.witness.display(),
            report.constraints,
            native.as_deref().unwrap_or("ok")
        ))?;
        match &report.first_failure {
            None => {
                out("ok: the witness satisfies every constraint")?;
                out("constraints per gadget:")?;
                for g in report.gadgets.iter().take(GADGETS_SHOWN) {
                    out(format!("  {:>8}  {}", g.constraints, g.gadget))?;
                }
                if report.gadgets.len() > GADGETS_SHOWN {
                    out(format!(
                        "  ... and {} more gadgets (--json lists them all)",
                        report.gadgets.len() - GADGETS_SHOWN
                    ))?;
                }
                out("constraints per rule:")?;
                for (rule, n) in &report.rules {
                    out(format!("  {n:>8}  {rule}"))?;
                }
            }
            Some(f) => {
                out(format!(
                    "unsatisfied: constraint {} fails ({} of {} fail in all)",
                    f.row, report.failing_constraints, report.constraints
                ))?;
                out(format!("  gadget    {}", f.label))?;
                out(format!(
                    "  rule      {}",
                    f.rule.as_deref().unwrap_or("(not marked)")
                ))?;
                out(format!("  A·B = C   A = {}, B = {}, C = {}", f.a, f.b, f.c))?;
                out(format!("  variables ({}):", f.variable_count))?;
                for v in &f.variables {
                    out(format!(
                        "    {:>6} = {}  ({:?}) {}",
                        v.variable, v.value, v.kind, v.label
                    ))?;
                }
            }
        }
    }
    match &report.first_failure {
        None => Ok(()),
        Some(f) => Err(CliError::new(format!(
            "constraint {} of {id} fails ({}{})",
            f.row,
            f.label,
            f.rule
                .as_ref()
                .map(|r| format!(", rule: {r}"))
                .unwrap_or_default()
        ))),
    }
}
