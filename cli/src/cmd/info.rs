//! `veil info`: the size of a circuit's constraint system.

use crate::error::CliResult;
use crate::io::{out, out_json};
use crate::registry::{describe, dispatch, CliCircuit, Task};
use crate::InfoArgs;

struct Info;

struct InfoOut {
    info: veil_prover::CircuitInfo,
    /// Batch circuits: (constraints at capacity 1, marginal constraints per item).
    per_item: Option<(usize, f64)>,
}

impl Task for Info {
    type Output = InfoOut;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<InfoOut> {
        let id = circuit.id();
        let info = veil_prover::info(&circuit)?;
        // The cost of one more item: (constraints(N) - constraints(1)) / (N - 1).
        let per_item = match id.capacity() {
            0 | 1 => None,
            n => {
                let one = veil_prover::info(&C::with_size(1)?)?.constraints;
                let marginal = (info.constraints - one) as f64 / (n - 1) as f64;
                Some((one, marginal))
            }
        };
        Ok(InfoOut { info, per_item })
    }
}

pub fn run(args: &InfoArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let InfoOut { info, per_item } = dispatch(id, Info)?;
    let item = id.kind.item_name();
    if json {
        let mut v = serde_json::json!(info);
        v["size"] = id.size.into();
        v["size_description"] = id.size_description().into();
        if let (Some((_, marginal)), Some(item)) = (per_item, item) {
            v["item"] = item.into();
            v["constraints_per_item"] = ((marginal * 10.0).round() / 10.0).into();
        }
        return out_json(&v);
    }
    let statement: Vec<_> = describe(id.kind).statement.iter().map(|f| f.name).collect();
    out(format!("circuit          {}", info.circuit))?;
    out(format!("size             {}", id.size_description()))?;
    out(format!(
        "backend          {} (R1CS over BLS12-381)",
        info.backend
    ))?;
    out(format!("constraints      {}", info.constraints))?;
    if let (Some((one, marginal)), Some(item)) = (per_item, item) {
        out(format!(
            "per item         {marginal:.1} constraints per {item} ({one} at capacity 1; all rules included)"
        ))?;
    }
    out(format!(
        "public inputs    {}  (field elements encoding the statement: {})",
        info.public_inputs,
        statement.join(", ")
    ))?;
    out(format!("secret inputs    {}", info.secret_inputs))?;
    out(format!("variables        {}", info.variables))
}
