//! `veil export solidity` for real: the generated verifier is compiled with solc (npm
//! `solc`, installed by the test into a cache under target/) and executed in revm on the
//! Prague spec, whose EIP-2537 precompiles it calls. Skipped with a message when node or
//! npm is absent.

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
use veil_circuits::{sample, Tier};
use veil_prover::export::solidity::{calldata, proof_bytes, verifier_source, verify_calldata};
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
    let script = dir.join("compile.js");
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
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("solidity-{}", std::process::id()));
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

#[test]
fn solidity_verifier_accepts_a_valid_proof_and_refuses_tampering_in_revm() {
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

    let (ok, gas) = chain.call(verifier, verify_calldata(&proof, &inputs));
    assert!(ok, "a valid proof is accepted");
    println!("gas: verifyProof for tier-4 (6 public inputs), whole transaction: {gas}");

    for i in 0..inputs.len() {
        let mut changed = inputs.clone();
        changed[i] += Fr::from(1u64);
        let (ok, _) = chain.call(verifier, verify_calldata(&proof, &changed));
        assert!(!ok, "public input {i} changed: refused");
    }

    // A tampered proof with valid points: A moved by the generator.
    let mut tampered = proof.clone();
    tampered.a = (tampered.a + G1Affine::generator()).into_affine();
    assert!(!chain.call(verifier, verify_calldata(&tampered, &inputs)).0);
    let mut swapped = proof.clone();
    std::mem::swap(&mut swapped.a, &mut swapped.c);
    assert!(!chain.call(verifier, verify_calldata(&swapped, &inputs)).0);

    // A off the curve: the precompile refuses it, so does the verifier.
    let mut bytes = proof_bytes(&proof);
    bytes[127] ^= 1;
    let words: Vec<[u8; 32]> = inputs.iter().map(word).collect();
    assert!(!chain.call(verifier, calldata(&bytes, &words)).0);

    // An input >= r (x + r is the same scalar to the MSM): refused.
    let mut big = words.clone();
    let mut r = [0u8; 32];
    r.copy_from_slice(&Fr::MODULUS.to_bytes_be());
    big[1] = r;
    assert!(!chain.call(verifier, calldata(&proof_bytes(&proof), &big)).0);

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
