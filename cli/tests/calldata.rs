//! `veil export calldata`: the arguments (and the full call data) of the Solidity verifier's
//! `verifyProof` for a Groth16 proof, as a user runs it; the revm test
//! (`prover/tests/solidity_evm.rs`) sends what the same library function builds.

use tempfile::TempDir;

mod common;

use common::{json, ok, read_json, refused, refused_with, write_json};

fn is_hex_word(s: &str, bytes: usize) -> bool {
    s.len() == 2 + 2 * bytes
        && s.starts_with("0x")
        && s[2..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

#[test]
fn calldata_of_a_groth16_proof_and_its_errors() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    ok(d, &["setup", "--circuit", "tier-4", "--out-dir", "keys"]);
    ok(d, &["sample", "--circuit", "tier-4", "--out", "w.json"]);
    ok(
        d,
        &[
            "prove",
            "--circuit",
            "tier-4",
            "--pk",
            "keys/tier-4.pk",
            "--witness",
            "w.json",
            "--out",
            "proof.json",
            "-q",
        ],
    );

    // The arguments, as Solidity literals: "0x<512 bytes>",["0x<word>",...] (6 inputs).
    let run = ok(d, &["export", "calldata", "--proof", "proof.json"]);
    let line = run.stdout.trim();
    let (proof, inputs) = line.split_once(',').unwrap();
    let proof = proof.trim_matches('"');
    assert!(is_hex_word(proof, 512), "{proof}");
    let inputs = inputs.strip_prefix('[').unwrap().strip_suffix(']').unwrap();
    let words: Vec<&str> = inputs.split(',').map(|w| w.trim_matches('"')).collect();
    assert_eq!(words.len(), 6, "{line}");
    assert!(words.iter().all(|w| is_hex_word(w, 32)), "{line}");

    // --json: the same arguments, the selector, the call data; --vk verifies first.
    let v = json(&ok(
        d,
        &[
            "export",
            "calldata",
            "--proof",
            "proof.json",
            "--vk",
            "keys/tier-4.vk",
            "--json",
        ],
    ));
    assert_eq!(v["verified"], true);
    assert_eq!(v["circuit"], "tier-4");
    assert_eq!(v["function"], "verifyProof(bytes,uint256[])");
    assert_eq!(v["n_public"], 6);
    assert_eq!(v["proof"], proof);
    let json_words: Vec<&str> = v["input"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(json_words, words);
    let selector = v["selector"].as_str().unwrap();
    assert!(is_hex_word(selector, 4));
    let calldata = v["calldata"].as_str().unwrap();
    // selector, two offsets, the bytes' length and 512 bytes, the array's length and words.
    assert!(is_hex_word(calldata, 4 + 32 * 3 + 512 + 32 + 32 * 6));
    assert!(calldata.starts_with(selector));
    assert!(calldata.contains(&proof[2..]));
    assert!(calldata.ends_with(&words[5][2..]));
    // The public inputs are the statement's, in snarkjs's public.json order: the first of
    // tier's is the root.
    ok(
        d,
        &[
            "export",
            "snarkjs",
            "--vk",
            "keys/tier-4.vk",
            "--proof",
            "proof.json",
            "--out-dir",
            "sj",
        ],
    );
    let public = read_json(&d.join("sj/public.json"));
    assert_eq!(public.as_array().unwrap().len(), 6);
    let min_tier: u64 = public[1].as_str().unwrap().parse().unwrap();
    assert_eq!(
        u64::from_str_radix(&words[1][2..][48..], 16).unwrap(),
        min_tier
    );

    // --raw --out: the full call data, written to a file.
    ok(
        d,
        &[
            "export",
            "calldata",
            "--proof",
            "proof.json",
            "--raw",
            "--out",
            "calldata.hex",
        ],
    );
    let written = std::fs::read_to_string(d.join("calldata.hex")).unwrap();
    assert_eq!(written.trim(), calldata);

    // Errors: a missing file; a proof that does not verify with the key; bytes that are not
    // a Groth16 proof; an envelope of another backend; not an envelope at all.
    refused(d, &["export", "calldata", "--proof", "nope.json"]);
    let mut env = read_json(&d.join("proof.json"));
    let mut changed = env.clone();
    let root = changed["statement"]["min_tier"].as_u64().unwrap();
    changed["statement"]["min_tier"] = (root + 1).into();
    write_json(&d.join("changed.json"), &changed);
    // Without --vk the call data is built (the contract would refuse it) ...
    ok(d, &["export", "calldata", "--proof", "changed.json"]);
    // ... with it, refused.
    refused_with(
        d,
        &[
            "export",
            "calldata",
            "--proof",
            "changed.json",
            "--vk",
            "keys/tier-4.vk",
        ],
        "does not verify",
    );
    let mut short = env.clone();
    short["proof"] = "00".into();
    write_json(&d.join("short.json"), &short);
    refused(d, &["export", "calldata", "--proof", "short.json"]);
    env["backend"] = "plonky2".into();
    write_json(&d.join("plonky2.json"), &env);
    refused_with(
        d,
        &["export", "calldata", "--proof", "plonky2.json"],
        "groth16",
    );
    std::fs::write(d.join("junk.json"), "{").unwrap();
    refused(d, &["export", "calldata", "--proof", "junk.json"]);
    // A Plonky2 verifying key is not a Groth16 one.
    refused(
        d,
        &[
            "export",
            "calldata",
            "--proof",
            "proof.json",
            "--vk",
            "proof.json",
        ],
    );
}
