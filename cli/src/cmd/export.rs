//! `veil export snarkjs|r1cs|wtns|solidity|calldata`: veil's Groth16 keys, proofs,
//! constraint systems and witnesses in the forms snarkjs, the iden3 tools and the EVM read;
//! and
//! `veil verify --snarkjs-vk`: a snarkjs-made BLS12-381 proof checked by veil.

use crate::error::{CliError, CliResult};
use crate::io::{create_dir, ms, out, out_json, read_bytes, read_witness, write_atomic};
use crate::registry::{dispatch, CliCircuit, Task};
use crate::CircuitArg;
use clap::{Args, Subcommand};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;
use veil_prover::export::iden3::{wtns_to_bytes, R1csFile};
use veil_prover::export::solidity;
use veil_verifier::encoding::bls12_381::public_inputs;
use veil_verifier::groth16::proof_from_bytes;
use veil_verifier::snarkjs;
use veil_verifier::{AnyVerifyingKey, Backend, Groth16VerifyingKey, ProofEnvelope};

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub what: ExportCommand,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// snarkjs JSON: verification_key.json, and with --proof also proof.json and public.json.
    #[command(after_help = "Example:\n  \
        veil export snarkjs --vk keys/tier-4.vk --proof proof.json --out-dir snarkjs/\n  \
        snarkjs groth16 verify snarkjs/verification_key.json snarkjs/public.json snarkjs/proof.json")]
    Snarkjs(SnarkjsExportArgs),
    /// The circuit's constraint system as an iden3 .r1cs (v1) file.
    #[command(after_help = "Example:\n  \
        veil export r1cs --circuit tier-4 --out tier-4.r1cs\n  \
        snarkjs r1cs info tier-4.r1cs")]
    R1cs(R1csExportArgs),
    /// A witness's full assignment as an iden3 .wtns (v2) file, wire by wire as in the .r1cs.
    #[command(after_help = "Example:\n  \
        veil export wtns --circuit tier-4 --witness w.json --out tier-4.wtns\n  \
        snarkjs wtns check tier-4.r1cs tier-4.wtns")]
    Wtns(WtnsExportArgs),
    /// A Solidity verifier for a Groth16 verifying key (BLS12-381, EIP-2537 precompiles).
    #[command(after_help = "Example:\n  \
        veil export solidity --vk keys/tier-4.vk --out Verifier.sol")]
    Solidity(SolidityExportArgs),
    /// The arguments (or the full ABI-encoded call data) of the Solidity verifier's
    /// verifyProof for a Groth16 proof, like `snarkjs zkey export soliditycalldata`.
    #[command(after_help = "Example:\n  \
        veil export calldata --proof proof.json --vk keys/tier-4.vk\n  \
        veil export calldata --proof proof.json --raw --out calldata.hex")]
    Calldata(CalldataExportArgs),
}

#[derive(Args, Debug)]
pub struct CalldataExportArgs {
    /// A Groth16 proof envelope (from `veil prove`).
    #[arg(long, short = 'p', value_name = "FILE")]
    pub proof: PathBuf,
    /// Verify the proof with this Groth16 verifying key first (refused if it does not verify).
    #[arg(long, value_name = "FILE")]
    pub vk: Option<PathBuf>,
    /// Print the full ABI-encoded call data (selector and arguments, one hex string) instead
    /// of the two arguments.
    #[arg(long)]
    pub raw: bool,
    /// Write the text form to this file instead of printing it.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SnarkjsExportArgs {
    /// The Groth16 verifying key (from `veil setup`).
    #[arg(long, value_name = "FILE")]
    pub vk: PathBuf,
    /// A proof envelope made with this key: written as proof.json and public.json.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub proof: Option<PathBuf>,
    /// Directory for the JSON files (created if missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct R1csExportArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// Where to write the file; default: <circuit-id>.r1cs.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct WtnsExportArgs {
    #[command(flatten)]
    pub circuit: CircuitArg,
    /// The witness (JSON, as for `veil prove`); it must pass the native check.
    #[arg(long, short = 'w', value_name = "FILE")]
    pub witness: PathBuf,
    /// Where to write the file; default: <circuit-id>.wtns.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SolidityExportArgs {
    /// The Groth16 verifying key (from `veil setup`).
    #[arg(long, value_name = "FILE")]
    pub vk: PathBuf,
    /// Where to write the contract.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "Verifier.sol")]
    pub out: PathBuf,
}

/// The flags of `veil verify` for a snarkjs proof.
#[derive(Args, Debug, Default)]
pub struct SnarkjsVerifyArgs {
    /// Verify a snarkjs proof instead: its verification_key.json (BLS12-381 Groth16). Every
    /// point is checked to be in its subgroup, every public input below r, and the key well
    /// formed (snarkjs checks none of these); the check that fails is named.
    #[arg(
        long,
        value_name = "FILE",
        requires_all = ["snarkjs_proof", "public"],
        conflicts_with_all = ["vk", "proof", "batch", "attestation", "signed_root"]
    )]
    pub snarkjs_vk: Option<PathBuf>,
    /// With --snarkjs-vk: the snarkjs proof.json.
    #[arg(long, value_name = "FILE", requires = "snarkjs_vk")]
    pub snarkjs_proof: Option<PathBuf>,
    /// With --snarkjs-vk: the public.json (public signals, decimal strings, in wire order).
    #[arg(long, value_name = "FILE", requires = "snarkjs_vk")]
    pub public: Option<PathBuf>,
}

pub fn run(args: &ExportArgs, json: bool) -> CliResult<()> {
    match &args.what {
        ExportCommand::Snarkjs(a) => export_snarkjs(a, json),
        ExportCommand::R1cs(a) => export_r1cs(a, json),
        ExportCommand::Wtns(a) => export_wtns(a, json),
        ExportCommand::Solidity(a) => export_solidity(a, json),
        ExportCommand::Calldata(a) => export_calldata(a, json),
    }
}

fn read_groth16_vk(path: &Path) -> CliResult<Groth16VerifyingKey> {
    match super::verify::read_vk(path, Some(Backend::Groth16))? {
        AnyVerifyingKey::Groth16(vk, _) => Ok(*vk),
        AnyVerifyingKey::Plonky2(_) => Err(CliError::new(format!(
            "verifying key {}: a Groth16 key is needed",
            path.display()
        ))),
    }
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

fn read_envelope(path: &Path) -> CliResult<ProofEnvelope> {
    let bytes = read_bytes(path, "proof")?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::new(format!("{}: not a veil proof envelope", path.display())))?;
    ProofEnvelope::from_json(&text).map_err(|e| CliError::new(format!("{}: {e}", path.display())))
}

fn export_snarkjs(args: &SnarkjsExportArgs, json: bool) -> CliResult<()> {
    let start = Instant::now();
    let vk = read_groth16_vk(&args.vk)?;
    let mut files = vec![(
        args.out_dir.join("verification_key.json"),
        snarkjs::vk_to_json(&vk.vk),
    )];
    if let Some(p) = &args.proof {
        let env = read_envelope(p)?;
        // Only a proof that verifies with this key is exported: snarkjs would refuse it anyway.
        vk.prepare()
            .verify(&env)
            .map_err(|e| CliError::new(format!("{}: {e}", p.display())))?;
        let proof = proof_from_bytes(&env.proof)?;
        let inputs = public_inputs(&env.statement)?;
        files.push((
            args.out_dir.join("proof.json"),
            snarkjs::proof_to_json(&proof),
        ));
        files.push((
            args.out_dir.join("public.json"),
            snarkjs::public_to_json(&inputs),
        ));
    }
    create_dir(&args.out_dir)?;
    for (path, value) in &files {
        write_atomic(path, &pretty(value))?;
    }
    let took = start.elapsed();
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    if json {
        return out_json(&serde_json::json!({
            "circuit": vk.header.circuit.to_string(),
            "files": names,
            "n_public": vk.num_public_inputs(),
            "export_ms": ms(took),
        }));
    }
    for n in names {
        out(format!("wrote {n}"))?;
    }
    Ok(())
}

fn default_out(given: &Option<PathBuf>, id: veil_verifier::CircuitId, ext: &str) -> PathBuf {
    given
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{id}.{ext}")))
}

struct R1csTask;

impl Task for R1csTask {
    type Output = R1csFile;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<R1csFile> {
        let compiled = veil_prover::compile(&circuit)?;
        R1csFile::from_compiled(&compiled).map_err(|e| CliError::new(e.to_string()))
    }
}

fn export_r1cs(args: &R1csExportArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let start = Instant::now();
    let file = dispatch(id, R1csTask)?;
    let bytes = file.to_bytes();
    let took = start.elapsed();
    let path = default_out(&args.out, id, "r1cs");
    write_atomic(&path, &bytes)?;
    if json {
        return out_json(&serde_json::json!({
            "circuit": id.to_string(),
            "file": path.display().to_string(),
            "constraints": file.constraints.len(),
            "wires": file.n_wires,
            "public_inputs": file.n_pub_in,
            "bytes": bytes.len(),
            "export_ms": ms(took),
        }));
    }
    out(format!(
        "wrote {}: {} constraints, {} wires ({} public inputs after wire 0 = 1)",
        path.display(),
        file.constraints.len(),
        file.n_wires,
        file.n_pub_in
    ))
}

struct WtnsTask {
    witness: PathBuf,
}

impl Task for WtnsTask {
    /// The file's bytes and the number of wires.
    type Output = (Vec<u8>, usize);
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output> {
        let w: C::Witness = read_witness(&self.witness, &circuit.id().to_string())?;
        circuit.check_for(&w, Backend::Groth16)?;
        let full = veil_prover::assignment(&circuit, &w)?;
        Ok((wtns_to_bytes(&full), full.len()))
    }
}

fn export_wtns(args: &WtnsExportArgs, json: bool) -> CliResult<()> {
    let id = args.circuit.circuit;
    let start = Instant::now();
    let (bytes, wires) = dispatch(
        id,
        WtnsTask {
            witness: args.witness.clone(),
        },
    )?;
    let took = start.elapsed();
    let path = default_out(&args.out, id, "wtns");
    write_atomic(&path, &bytes)?;
    if json {
        return out_json(&serde_json::json!({
            "circuit": id.to_string(),
            "file": path.display().to_string(),
            "wires": wires,
            "bytes": bytes.len(),
            "export_ms": ms(took),
        }));
    }
    out(format!("wrote {}: {wires} wires", path.display()))
}

fn export_solidity(args: &SolidityExportArgs, json: bool) -> CliResult<()> {
    let vk = read_groth16_vk(&args.vk)?;
    let source = solidity::verifier_source(
        &vk.vk,
        &vk.header.circuit.to_string(),
        Some(&vk.header.cs_digest),
    );
    write_atomic(&args.out, source.as_bytes())?;
    if json {
        return out_json(&serde_json::json!({
            "circuit": vk.header.circuit.to_string(),
            "file": args.out.display().to_string(),
            "n_public": vk.num_public_inputs(),
            "contract": "VeilGroth16Verifier",
        }));
    }
    out(format!(
        "wrote {}: contract VeilGroth16Verifier for {} ({} public inputs; EIP-2537, Prague or later)",
        args.out.display(),
        vk.header.circuit,
        vk.num_public_inputs()
    ))
}

/// The text form of `veil export calldata`: the two arguments as Solidity literals,
/// `"0x<proof>",["0x<input>",...]` (as snarkjs prints them), or with `raw` the full call data.
pub fn calldata_text(c: &solidity::Calldata, raw: bool) -> String {
    if raw {
        return solidity::hex0x(&c.to_bytes());
    }
    let (proof, inputs) = c.args();
    let inputs: Vec<String> = inputs.iter().map(|w| format!("\"{w}\"")).collect();
    format!("\"{proof}\",[{}]", inputs.join(","))
}

fn export_calldata(args: &CalldataExportArgs, json: bool) -> CliResult<()> {
    let env = read_envelope(&args.proof)?;
    let at_proof =
        |e: veil_verifier::VerifyError| CliError::new(format!("{}: {e}", args.proof.display()));
    let c = solidity::envelope_calldata(&env).map_err(at_proof)?;
    let verified = match &args.vk {
        Some(vk_path) => {
            let vk = read_groth16_vk(vk_path)?;
            vk.prepare().verify(&env).map_err(|e| {
                CliError::new(format!(
                    "{}: does not verify with {}: {e}",
                    args.proof.display(),
                    vk_path.display()
                ))
            })?;
            true
        }
        None => false,
    };
    let text = calldata_text(&c, args.raw);
    if let Some(path) = &args.out {
        write_atomic(path, format!("{text}\n").as_bytes())?;
    }
    if json {
        let (proof, input) = c.args();
        let mut v = serde_json::json!({
            "circuit": env.circuit.to_string(),
            "function": "verifyProof(bytes,uint256[])",
            "selector": solidity::hex0x(&solidity::selector()),
            "proof": proof,
            "input": input,
            "n_public": c.inputs.len(),
            "calldata": solidity::hex0x(&c.to_bytes()),
            "verified": verified,
        });
        if let Some(path) = &args.out {
            v["file"] = path.display().to_string().into();
        }
        return out_json(&v);
    }
    match &args.out {
        Some(path) => out(format!(
            "wrote {}: verifyProof {} for {} ({} public inputs{})",
            path.display(),
            if args.raw { "call data" } else { "arguments" },
            env.circuit,
            c.inputs.len(),
            if verified { ", proof verified" } else { "" }
        )),
        None => out(text),
    }
}

fn at(p: &Path) -> impl Fn(snarkjs::SnarkjsError) -> CliError + '_ {
    move |e| CliError::new(format!("{}: {e}", p.display()))
}

fn read_json(path: &Path, what: &'static str) -> CliResult<Value> {
    let bytes = read_bytes(path, what)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::new(format!("{}: {what} is not UTF-8 text", path.display())))?;
    snarkjs::parse_json(what, &text).map_err(|e| CliError::new(format!("{}: {e}", path.display())))
}

/// `veil verify --snarkjs-vk V --snarkjs-proof P --public J`.
pub fn verify_snarkjs(args: &SnarkjsVerifyArgs, json: bool) -> CliResult<()> {
    let (Some(vk_path), Some(proof_path), Some(public_path)) =
        (&args.snarkjs_vk, &args.snarkjs_proof, &args.public)
    else {
        return Err(CliError::new(
            "--snarkjs-vk needs --snarkjs-proof and --public",
        ));
    };
    let vk =
        snarkjs::vk_from_json(&read_json(vk_path, "verification key")?).map_err(at(vk_path))?;
    let proof =
        snarkjs::proof_from_json(&read_json(proof_path, "proof")?).map_err(at(proof_path))?;
    let inputs = snarkjs::public_from_json(&read_json(public_path, "public inputs")?)
        .map_err(at(public_path))?;
    let start = Instant::now();
    snarkjs::verify(&vk, &proof, &inputs).map_err(at(proof_path))?;
    let took = start.elapsed();
    if json {
        return out_json(&serde_json::json!({
            "valid": true,
            "snarkjs": true,
            "curve": snarkjs::CURVE,
            "n_public": inputs.len(),
            "verify_ms": ms(took),
            "public": snarkjs::public_to_json(&inputs),
        }));
    }
    out(format!(
        "valid: {} (snarkjs Groth16 proof on BLS12-381, {} public inputs, verified in {:.1} ms)",
        proof_path.display(),
        inputs.len(),
        ms(took)
    ))?;
    out("  checked          points on the curve and in their subgroups, inputs below r, key well formed")
}
