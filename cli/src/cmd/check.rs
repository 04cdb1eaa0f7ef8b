//! `veil check`: the native check of a witness, explained in words.

use super::WitnessRefusal;
use crate::error::{CliError, CliResult};
use crate::io::{out, out_json, read_witness};
use crate::registry::{describe, dispatch, CliCircuit, Task};
use crate::CheckArgs;
use std::path::PathBuf;
use veil_verifier::{Backend, Statement};

struct Check {
    witness: PathBuf,
    backend: Backend,
}

impl Task for Check {
    type Output = (Statement, Result<(), WitnessRefusal>);
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        let w: C::Witness = read_witness(&self.witness, &circuit.id().to_string())?;
        let verdict = super::check_witness_for(&circuit, &w, self.backend);
        Ok((C::statement(&w), verdict))
    }
}

pub fn run(args: &CheckArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let (statement, verdict) = dispatch(
        id,
        Check {
            witness: args.witness.clone(),
            backend: args.backend.backend,
        },
    )?;
    let doc = describe(id.kind);
    let values = statement.named_values();
    match &verdict {
        Ok(()) => {
            if json {
                out_json(&serde_json::json!({
                    "circuit": id.to_string(),
                    "witness": args.witness.display().to_string(),
                    "ok": true,
                    "statement": super::statement_json(&statement),
                }))?;
            } else {
                out(format!(
                    "ok: {} satisfies every rule of {id}:",
                    args.witness.display()
                ))?;
                for r in &doc.rules {
                    out(format!("  - {}: {}", r.name, r.description))?;
                }
                out("it would prove the statement:")?;
                for (k, v) in &values {
                    out(format!("  {k:16} {v}"))?;
                }
            }
            Ok(())
        }
        Err(WitnessRefusal::OtherBackend { .. }) => {
            let refusal = verdict.clone().err();
            let msg = refusal.map(|r| r.to_string()).unwrap_or_default();
            if json {
                out_json(&serde_json::json!({
                    "circuit": id.to_string(),
                    "witness": args.witness.display().to_string(),
                    "ok": false,
                    "rule": null,
                    "backend_mismatch": true,
                    "detail": msg,
                }))?;
            }
            Err(CliError::new(msg))
        }
        Err(WitnessRefusal::Rule(v)) => {
            let rule = v.rule.to_string();
            let meaning = doc
                .rules
                .iter()
                .find(|r| r.name == rule)
                .map(|r| r.description);
            if json {
                out_json(&serde_json::json!({
                    "circuit": id.to_string(),
                    "witness": args.witness.display().to_string(),
                    "ok": false,
                    "rule": rule,
                    "rule_meaning": meaning,
                    "detail": v.detail,
                }))?;
            } else {
                out(format!(
                    "refused: {} breaks the rule \"{rule}\" of {id}",
                    args.witness.display()
                ))?;
                if let Some(m) = meaning {
                    out(format!("  the rule: {m}"))?;
                }
                out(format!("  what is wrong: {}", v.detail))?;
                out("  no valid proof can be made from this witness")?;
            }
            Err(CliError::from(v.clone()))
        }
    }
}
