//! `veil info`: the size of a circuit's constraint system.

use crate::error::CliResult;
use crate::io::{out, out_json};
use crate::registry::{describe, dispatch, CliCircuit, Task};
use crate::InfoArgs;

use veil_verifier::Backend;

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

/// Plonky2 figures, with the size of a real proof of the built-in sample.
struct Plonky2Info;

impl Task for Plonky2Info {
    type Output = (veil_prover::plonky2::Plonky2Info, usize);
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        let info = veil_prover::plonky2::info(&circuit)?;
        let w = C::sample(circuit.id().size, 1, Backend::Plonky2)?;
        let (pk, _) = veil_prover::plonky2::setup(&circuit)?;
        let prover = veil_prover::plonky2::Prover::new(circuit, pk)?;
        let proof_bytes = prover.prove(&w)?.proof.len();
        Ok((info, proof_bytes))
    }
}

pub fn run(args: &InfoArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let spinner =
        crate::io::Spinner::start(format!("compiling {id} ({})", args.backend.backend), json);
    if args.backend.backend == Backend::Plonky2 {
        let (info, proof_bytes) = dispatch(id, Plonky2Info)?;
        drop(spinner);
        if json {
            let mut v = serde_json::json!(info);
            v["proof_bytes"] = proof_bytes.into();
            v["size"] = id.size.into();
            v["size_description"] = id.size_description().into();
            return out_json(&v);
        }
        let statement: Vec<_> = describe(id.kind).statement.iter().map(|f| f.name).collect();
        out(format!("circuit          {}", info.circuit))?;
        out(format!("size             {}", id.size_description()))?;
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
    let InfoOut { info, per_item } = dispatch(id, Info)?;
    drop(spinner);
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
