//! `veil circuits`: what each circuit proves.

use crate::error::CliResult;
use crate::io::{out, out_json};
use crate::registry::describe;
use veil_verifier::circuit::{MAX_CAPACITY, MAX_DEPTH, MIN_CAPACITY, MIN_DEPTH};
use veil_verifier::{CircuitKind, SizeParam};

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
    let named = |param| {
        CircuitKind::ALL
            .into_iter()
            .filter(|k| k.size_param() == param)
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (trees, batches) = (named(SizeParam::Depth), named(SizeParam::Capacity));
    out(format!(
        "Name a circuit as NAME (its default size) or NAME-SIZE. For {trees} SIZE is a tree \
         depth (tier-16: a Merkle tree of 2^16 leaves), even from {MIN_DEPTH} to {MAX_DEPTH}; \
         for {batches} it is a capacity (revenue-1024: up to 1024 transactions), from \
         {MIN_CAPACITY} to {MAX_CAPACITY}. The size is fixed at setup: keys for one size are \
         refused for another."
    ))
}
