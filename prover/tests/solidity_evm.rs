//! `veil export solidity` for real: the generated verifier is compiled with solc (npm
//! `solc`, installed by the test into a cache under target/) and executed in revm on the
//! Prague spec, whose EIP-2537 precompiles it calls, for every Groth16 circuit (at size 4),
//! with the call data `veil export calldata` builds. Skipped with a message when node or npm
//! is absent. Prints the gas per circuit (`-- --nocapture`).

use ark_bls12_381::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField};
use revm::context::{CfgEnv, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, TxKind};
use revm::{Context, ExecuteCommitEvm, MainBuilder, MainContext};
use std::path::{Path, PathBuf};
use std::process::Command;
use veil_circuits::{
    sample, Isolation, Listed, Metering, Ownership, Renewal, Revenue, Tier, Waterfall,
};
use veil_prover::export::solidity::{
    calldata, envelope_calldata, proof_bytes, verifier_source, verify_calldata,
};
use veil_prover::{dev_setup, Hasher, Prover};
use veil_verifier::encoding::bls12_381::public_inputs;
use veil_verifier::groth16::proof_from_bytes;

const SOLC: &str = "solc@0.8.30";

#[path = "../../cli/tests/common/npm.rs"]
mod npm;

/// The directory holding node_modules/solc, installing it if needed; None when npm is absent.
fn solc_dir() -> Option<PathBuf> {
    let probe = npm::package(
        SOLC,
        "solc",
        "node_modules/solc/package.json",
        "the Solidity verifier is not compiled or run",
    )?;
    Some(probe.ancestors().nth(3)?.to_path_buf())
}

const COMPILE_JS: &str = r#"
const solc = require('solc');
const fs = require('fs');
const input = {
  language: 'Solidity',
  sources: { 'Verifier.sol': { content: fs.readFileSync(process.argv[2], 'utf8') } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'prague',
    outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of out.errors || []) {
  if (e.severity === 'error') { console.error(e.formattedMessage); process.exit(1); }
}
process.stdout.write(out.contracts['Verifier.sol'].VeilGroth16Verifier.evm.bytecode.object);
"#;

fn compile(dir: &Path, source: &str) -> Vec<u8> {
    let work = tempfile_dir();
    let sol = work.join("Verifier.sol");
    std::fs::write(&sol, source).unwrap();
    // Next to node_modules (for require), one per compilation.
    let script = dir.join(format!(
        "compile-{}.js",
        work.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&script, COMPILE_JS).unwrap();
    let out = Command::new("node")
        .arg(&script)
        .arg(&sol)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "solc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    hex::decode(String::from_utf8(out.stdout).unwrap().trim()).unwrap()
}

fn tempfile_dir() -> PathBuf {
    // One directory per compilation: the tests run in parallel.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("solidity-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Chain {
    evm: revm::handler::MainnetEvm<revm::handler::MainnetContext<CacheDB<EmptyDB>>>,
    caller: Address,
    nonce: u64,
}

impl Chain {
    fn new() -> Self {
        let evm = Context::mainnet()
            .with_db(CacheDB::new(EmptyDB::default()))
            .with_cfg(CfgEnv::new_with_spec(SpecId::PRAGUE))
            .build_mainnet();
        Chain {
            evm,
            caller: Address::repeat_byte(0x11),
            nonce: 0,
        }
    }

    fn send(&mut self, kind: TxKind, data: Vec<u8>) -> revm::context::result::ExecutionResult {
        let tx = TxEnv::builder()
            .caller(self.caller)
            .kind(kind)
            .data(Bytes::from(data))
            .gas_limit(30_000_000)
            .nonce(self.nonce)
            .build()
            .unwrap();
        self.nonce += 1;
        self.evm.transact_commit(tx).unwrap()
    }

    fn deploy(&mut self, code: Vec<u8>) -> Address {
        let r = self.send(TxKind::Create, code);
        assert!(r.is_success(), "deployment failed: {r:?}");
        r.created_address().unwrap()
    }

    /// Whether `verifyProof` returned true, and the gas the transaction used.
    fn call(&mut self, to: Address, data: Vec<u8>) -> (bool, u64) {
        let r = self.send(TxKind::Call(to), data);
        assert!(r.is_success(), "the call reverted: {r:?}");
        let out = r.output().unwrap().to_vec();
        assert_eq!(out.len(), 32, "verifyProof returns one word");
        (
            out[31] == 1 && out[..31].iter().all(|b| *b == 0),
            r.tx_gas_used(),
        )
    }
}

fn word(f: &Fr) -> [u8; 32] {
    let be = f.into_bigint().to_bytes_be();
    let mut w = [0u8; 32];
    w[32 - be.len()..].copy_from_slice(&be);
    w
}

/// One circuit, end to end: setup, prove, export the verifier, compile, deploy, and call it
/// with the call data of `veil export calldata` (its library function). Returns the gas of a
/// valid `verifyProof` transaction and the number of public inputs.
fn check_circuit<C: Listed>(dir: &Path, size: u32) -> (String, u64, usize) {
    let circuit = C::with_size(size).unwrap();
    let id = circuit.id().to_string();
    let (pk, vk) = dev_setup(&circuit, [5; 32]).unwrap();
    let w = C::sample::<Hasher>(size, 1).unwrap();
    let env = Prover::new(circuit, pk).unwrap().prove(&w).unwrap();
    let proof = proof_from_bytes(&env.proof).unwrap();
    let inputs = public_inputs(&env.statement).unwrap();
    let args = envelope_calldata(&env).unwrap();
    // The CLI's function and the encoder of the parts agree.
    assert_eq!(args.to_bytes(), verify_calldata(&proof, &inputs), "{id}");
    assert_eq!(args.inputs.len(), inputs.len());

    let source = verifier_source(&vk.vk, &id, Some(&vk.header.cs_digest));
    let code = compile(dir, &source);
    let mut chain = Chain::new();
    let verifier = chain.deploy(code);

    let (ok, gas) = chain.call(verifier, args.to_bytes());
    assert!(ok, "{id}: a valid proof is accepted");
    println!(
        "gas: verifyProof for {id} ({} public inputs), whole transaction: {gas}",
        inputs.len()
    );

    // Every public input changed by one: refused.
    for (i, input) in inputs.iter().enumerate().take(args.inputs.len()) {
        let mut changed = args.clone();
        changed.inputs[i] = word(&(*input + Fr::from(1u64)));
        assert!(
            !chain.call(verifier, changed.to_bytes()).0,
            "{id}: public input {i} changed: refused"
        );
    }

    // A tampered proof with valid points: A moved by the generator.
    let mut tampered = proof.clone();
    tampered.a = (tampered.a + G1Affine::generator()).into_affine();
    assert!(
        !chain.call(verifier, verify_calldata(&tampered, &inputs)).0,
        "{id}: tampered proof refused"
    );

    // An input >= r (x + r is the same scalar to the MSM): refused.
    let mut big = args.clone();
    let mut r = [0u8; 32];
    r.copy_from_slice(&Fr::MODULUS.to_bytes_be());
    big.inputs[0] = r;
    assert!(
        !chain.call(verifier, big.to_bytes()).0,
        "{id}: input >= r refused"
    );
    // x + r for the first input (the same scalar modulo r): refused too.
    let x_plus_r = (num_bigint::BigUint::from_bytes_be(&args.inputs[0])
        + num_bigint::BigUint::from_bytes_be(&r))
    .to_bytes_be();
    if x_plus_r.len() <= 32 {
        let mut alias = args.clone();
        alias.inputs[0] = [0; 32];
        alias.inputs[0][32 - x_plus_r.len()..].copy_from_slice(&x_plus_r);
        assert!(
            !chain.call(verifier, alias.to_bytes()).0,
            "{id}: input + r refused"
        );
    }
    (id, gas, inputs.len())
}

#[test]
fn solidity_verifier_of_every_circuit_accepts_a_valid_proof_and_refuses_tampering_in_revm() {
    let Some(dir) = solc_dir() else { return };
    let rows = [
        check_circuit::<Ownership>(&dir, 4),
        check_circuit::<Tier>(&dir, 4),
        check_circuit::<Renewal>(&dir, 4),
        check_circuit::<Metering>(&dir, 4),
        check_circuit::<Isolation>(&dir, 4),
        check_circuit::<Revenue>(&dir, 4),
        check_circuit::<Waterfall>(&dir, 4),
    ];
    println!("| circuit | public inputs | gas per `verifyProof` transaction |");
    println!("|---|---:|---:|");
    for (id, gas, n) in rows {
        println!("| {id} | {n} | {gas} |");
    }
}

#[test]
fn solidity_verifier_refuses_malformed_proofs_in_revm() {
    let Some(dir) = solc_dir() else { return };
    let circuit = Tier::new(4).unwrap();
    let (pk, vk) = dev_setup(&circuit, [5; 32]).unwrap();
    let w = sample::tier_witness::<Hasher>(4, 1).unwrap();
    let env = Prover::new(circuit, pk).unwrap().prove(&w).unwrap();
    let proof = proof_from_bytes(&env.proof).unwrap();
    let inputs = public_inputs(&env.statement).unwrap();

    let source = verifier_source(&vk.vk, "tier-4", Some(&vk.header.cs_digest));
    let code = compile(&dir, &source);
    let mut chain = Chain::new();
    let verifier = chain.deploy(code);
    assert!(chain.call(verifier, verify_calldata(&proof, &inputs)).0);

    let mut swapped = proof.clone();
    std::mem::swap(&mut swapped.a, &mut swapped.c);
    assert!(!chain.call(verifier, verify_calldata(&swapped, &inputs)).0);

    // A off the curve: the precompile refuses it, so does the verifier.
    let mut bytes = proof_bytes(&proof);
    bytes[127] ^= 1;
    let words: Vec<[u8; 32]> = inputs.iter().map(word).collect();
    assert!(!chain.call(verifier, calldata(&bytes, &words)).0);

    // Wrong lengths.
    assert!(
        !chain
            .call(verifier, calldata(&proof_bytes(&proof), &words[1..]))
            .0
    );
    assert!(
        !chain
            .call(verifier, calldata(&proof_bytes(&proof)[1..], &words))
            .0
    );
}
