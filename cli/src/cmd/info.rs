//! `veil info`: the size of a circuit's constraint system.

use crate::error::CliResult;
use crate::io::{out, out_json};
use crate::registry::{describe, dispatch, CliCircuit, Task};
use crate::InfoArgs;

use veil_verifier::Backend;

struct Info;

impl Task for Info {
    type Output = veil_prover::CircuitInfo;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        Ok(veil_prover::info(&circuit)?)
    }
}

/// Plonky2 figures, with the size of a real proof of the built-in sample.
struct Plonky2Info;

impl Task for Plonky2Info {
    type Output = (veil_prover::plonky2::Plonky2Info, usize);
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        let info = veil_prover::plonky2::info(&circuit)?;
        let w = C::sample(circuit.id().depth, 1, Backend::Plonky2)?;
        let (pk, _) = veil_prover::plonky2::setup(&circuit)?;
        let prover = veil_prover::plonky2::Prover::new(circuit, pk)?;
        let proof_bytes = prover.prove(&w)?.proof.len();
        Ok((info, proof_bytes))
    }
}

pub fn run(args: &InfoArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    if args.backend.backend == Backend::Plonky2 {
        let (info, proof_bytes) = dispatch(id, Plonky2Info)?;
        if json {
            let mut v = serde_json::json!(info);
            v["proof_bytes"] = proof_bytes.into();
            return out_json(&v);
        }
        let statement: Vec<_> = describe(id.kind).statement.iter().map(|f| f.name).collect();
        out(format!("circuit          {}", info.circuit))?;
        out("backend          plonky2 (PLONK over Goldilocks, FRI, zero knowledge)")?;
        out(format!("gates            {}", info.gates))?;
        out(format!(
            "degree           2^{} rows (with zero-knowledge blinding and padding)",
            info.degree_bits
        ))?;
        out(format!(
            "public inputs    {}  (Goldilocks elements encoding the statement: {})",
            info.public_inputs,
            statement.join(", ")
        ))?;
        out(format!("gate types       {}", info.gate_types.join(", ")))?;
        out(format!(
            "verifying key    {} bytes",
            info.verifying_key_bytes
        ))?;
        return out(format!(
            "proof size       {proof_bytes} bytes (compressed, the built-in sample's)"
        ));
    }
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
