//! `veil circuits`: what each circuit proves.

use crate::error::CliResult;
use crate::io::{out, out_json};
use crate::registry::describe;
use veil_verifier::circuit::{MAX_DEPTH, MIN_DEPTH};
use veil_verifier::CircuitKind;

pub fn run(json: bool) -> CliResult<()> {
    let docs: Vec<_> = CircuitKind::ALL.into_iter().map(describe).collect();
    if json {
        return out_json(&serde_json::json!(docs));
    }
    for d in &docs {
        out(format!("{}  (default id {})", d.name, d.default_id))?;
        out(format!("  {}", d.description))?;
        out(format!("  hides: {}", d.hides))?;
        out("  public statement:")?;
        let width = d.statement.iter().map(|f| f.name.len()).max().unwrap_or(0);
        for f in &d.statement {
            out(format!("    {:width$}  {}", f.name, f.description))?;
        }
        out("  rules:")?;
        let width = d.rules.iter().map(|f| f.name.len()).max().unwrap_or(0);
        for f in &d.rules {
            out(format!("    {:width$}  {}", f.name, f.description))?;
        }
        out("")?;
    }
    out(format!(
        "Name a circuit as NAME or NAME-DEPTH (e.g. tier-16): a Merkle tree of 2^DEPTH leaves, \
         DEPTH even from {MIN_DEPTH} to {MAX_DEPTH}."
    ))
}
