//! `veil info`: the size of a circuit's constraint system.

use crate::error::CliResult;
use crate::io::{out, out_json};
use crate::registry::{describe, dispatch, CliCircuit, Task};
use crate::InfoArgs;

struct Info;

impl Task for Info {
    type Output = veil_prover::CircuitInfo;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        Ok(veil_prover::info(&circuit)?)
    }
}

pub fn run(args: &InfoArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let info = dispatch(id, Info)?;
    if json {
        return out_json(&serde_json::json!(info));
    }
    let statement: Vec<_> = describe(id.kind).statement.iter().map(|f| f.name).collect();
    out(format!("circuit          {}", info.circuit))?;
    out(format!(
        "backend          {} (R1CS over BLS12-381)",
        info.backend
    ))?;
    out(format!("constraints      {}", info.constraints))?;
    out(format!(
        "public inputs    {}  (field elements encoding the statement: {})",
        info.public_inputs,
        statement.join(", ")
    ))?;
    out(format!("secret inputs    {}", info.secret_inputs))?;
    out(format!("variables        {}", info.variables))
}
