//! End-to-end tests of `veil keygen`, `trust`, `attest`, `sign`, `verify-signature` and
//! `verify --attestation/--signed-root`: real processes, real files, the valid path and every
//! refusal (each a single `error:` line and exit code 1, never a panic).

use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

mod common;

use common::{ok, read_json, refused_with as refused, veil_in, write_json};

const CIRCUIT: &str = "tier-4";
const NOW: u64 = 1_767_225_600;

/// A temp dir with dev keys, a proof, two ML-DSA key pairs (auditor, issuer) and their
/// trusted-keys files, an attestation and a signed root.
struct Fx {
    dir: TempDir,
}

impl Fx {
    fn new() -> Self {
        let fx = Fx {
            dir: TempDir::new().unwrap(),
        };
        let d = fx.path();
        ok(d, &["setup", "--circuit", CIRCUIT]);
        ok(d, &["sample", "--circuit", CIRCUIT, "--out", "w.json"]);
        ok(
            d,
            &[
                "prove",
                "--circuit",
                CIRCUIT,
                "--pk",
                "keys/tier-4.pk",
                "--witness",
                "w.json",
                "--out",
                "proof.json",
                "-q",
            ],
        );
        ok(d, &["keygen", "--out", "auditor"]);
        ok(
            d,
            &["keygen", "--out", "issuer", "--seed", &"07".repeat(32)],
        );
        ok(d, &["keygen", "--out", "stranger"]);
        ok(
            d,
            &[
                "trust",
                "--pub",
                "auditor.pub",
                "--name",
                "auditor",
                "--trusted-keys",
                "trusted.json",
            ],
        );
        ok(
            d,
            &[
                "trust",
                "--pub",
                "issuer.pub",
                "--name",
                "issuer",
                "--trusted-keys",
                "issuers.json",
            ],
        );
        ok(
            d,
            &[
                "attest",
                "--key",
                "auditor.key",
                "--proof",
                "proof.json",
                "--out",
                "att.json",
            ],
        );
        let root = read_json(&fx.file("w.json"))["statement"]["root"].clone();
        write_json(
            &fx.file("root.json"),
            &serde_json::json!({
                "format": "veil-root", "format_version": 1, "tree_id": "11".repeat(32),
                "depth": 4, "root": root, "leaf_count": 16, "epoch": 3
            }),
        );
        fx.sign_root("issuer.key", NOW - 60, "sroot.json");
        fx
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }

    fn sign_root(&self, key: &str, at: u64, out: &str) {
        ok(
            self.path(),
            &[
                "attest",
                "--key",
                key,
                "--root",
                "root.json",
                "--signed-at",
                &at.to_string(),
                "--out",
                out,
            ],
        );
    }

    fn verify_att(&self, att: &str, trusted: &str) -> Vec<String> {
        [
            "verify",
            "--vk",
            "keys/tier-4.vk",
            "--attestation",
            att,
            "--trusted-keys",
            trusted,
        ]
        .map(String::from)
        .to_vec()
    }

    fn verify_root(&self, root: &str, extra: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = [
            "verify",
            "--vk",
            "keys/tier-4.vk",
            "--proof",
            "proof.json",
            "--signed-root",
            root,
            "--trusted-issuers",
            "issuers.json",
            "--now",
            &NOW.to_string(),
        ]
        .map(String::from)
        .to_vec();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn keygen_writes_fips204_sized_files_with_a_private_secret() {
    let fx = Fx::new();
    let d = fx.path();
    assert_eq!(
        std::fs::metadata(fx.file("auditor.pub")).unwrap().len(),
        2592
    );
    assert_eq!(std::fs::metadata(fx.file("auditor.key")).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(fx.file("auditor.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The secret is never printed, not even with --json.
    let seed = "5a".repeat(32);
    let run = ok(d, &["--json", "keygen", "--out", "seeded", "--seed", &seed]);
    assert!(!run.stdout.contains(&seed) && !run.stderr.contains(&seed));
    let id = serde_json::from_str::<Value>(&run.stdout).unwrap()["key_id"].clone();
    // A seed gives the same key every time; existing keys are not overwritten without --force.
    refused(
        d,
        &["keygen", "--out", "seeded", "--seed", &seed],
        "already exists",
    );
    let again = ok(
        d,
        &[
            "--json", "keygen", "--out", "seeded", "--seed", &seed, "--force",
        ],
    );
    assert_eq!(
        serde_json::from_str::<Value>(&again.stdout).unwrap()["key_id"],
        id
    );
    assert!(again.stderr.contains("tests only"));
    // Bad seeds are usage errors.
    assert_eq!(
        veil_in(d, &["keygen", "--out", "x", "--seed", "abc"]).code,
        2
    );
    // Two keys from the OS differ.
    assert_ne!(
        std::fs::read(fx.file("auditor.pub")).unwrap(),
        std::fs::read(fx.file("stranger.pub")).unwrap()
    );
}

#[test]
fn attested_proof_is_accepted_and_its_signer_reported() {
    let fx = Fx::new();
    let d = fx.path();
    let run = ok(d, &strs(&fx.verify_att("att.json", "trusted.json")));
    assert!(
        run.stdout.contains("attested by      auditor"),
        "{}",
        run.stdout
    );
    let mut args = vec!["--json"];
    let v = fx.verify_att("att.json", "trusted.json");
    args.extend(strs(&v));
    let run = ok(d, &args);
    let j: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(j["valid"], true);
    assert_eq!(j["attestation"]["signer"], "auditor");
    let att = read_json(&fx.file("att.json"));
    assert_eq!(att["format"], "veil-attestation");
    assert_eq!(att["format_version"], 2);
    assert_eq!(att["context"], "veil-attest-proof-v2");
    assert_eq!(j["attestation"]["key_id"], att["attester_key_id"]);
    assert_eq!(att["signature"].as_str().unwrap().len(), 2 * 4627);
}

/// RFC 8785 (JCS) for what veil's envelopes hold (objects, strings, non-negative integers up
/// to 2^53 - 1), written here from the RFC, apart from veil's own serializer: keys sorted by
/// UTF-16 code units, no whitespace, integers in decimal, strings with JSON's minimal escapes.
fn hand_jcs(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let x = n.as_u64().expect("a non-negative integer");
            assert!(x < 1 << 53, "an integer JCS represents exactly");
            out.push_str(&x.to_string());
        }
        Value::String(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\u{8}' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\u{c}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                hand_jcs(x, out);
            }
            out.push(']');
        }
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort_by_key(|k| k.encode_utf16().collect::<Vec<u16>>());
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                hand_jcs(&Value::String(k.clone()), out);
                out.push(':');
                hand_jcs(&o[k], out);
            }
            out.push('}');
        }
    }
}

/// The envelope's canonical form by Python 3's json module (sorted keys, no whitespace,
/// UTF-8 out), which is RFC 8785 for integer and ASCII content; None without python3.
fn python_jcs(att_file: &Path) -> Option<String> {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(concat!(
            "import json,sys\n",
            "a=json.load(open(sys.argv[1],encoding='utf-8'))\n",
            "sys.stdout.write(json.dumps(a['subject']['envelope'],sort_keys=True,",
            "separators=(',',':'),ensure_ascii=False))"
        ))
        .arg(att_file)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// A FIPS 204 verifier that has only the attestation file and the attester's public key
/// rebuilds the signed message as README "Attestations" documents it (key id ‖ signed_at ‖
/// JCS of the embedded envelope, context `veil-attest-proof-v2`) with its own JCS (written in
/// this test, and Python's json module where python3 is installed), and checks the
/// signature with the `ml-dsa` crate directly: no veil code touches the message.
#[test]
fn attestation_is_checkable_from_the_file_alone() {
    use ml_dsa::{EncodedSignature, EncodedVerifyingKey, MlDsa87, Signature, VerifyingKey};
    let fx = Fx::new();
    let att: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.file("att.json")).unwrap()).unwrap();
    assert_eq!(att["format_version"], 2);
    let ctx = att["context"].as_str().unwrap();
    assert_eq!(ctx, "veil-attest-proof-v2");

    let mut jcs = String::new();
    hand_jcs(&att["subject"]["envelope"], &mut jcs);
    match python_jcs(&fx.file("att.json")) {
        Some(py) => assert_eq!(
            py, jcs,
            "Python's canonical form and the hand-written JCS agree"
        ),
        None => eprintln!(
            "python3 not found: skipping the Python rebuild (the hand-written JCS still runs)"
        ),
    }

    let hex = |k: &str| hex::decode(att[k].as_str().unwrap()).unwrap();
    let mut msg = hex("attester_key_id");
    assert_eq!(msg.len(), 32);
    msg.extend_from_slice(&att["signed_at"].as_u64().unwrap().to_be_bytes());
    msg.extend_from_slice(jcs.as_bytes());

    let pk_bytes = std::fs::read(fx.file("auditor.pub")).unwrap();
    let pk = VerifyingKey::<MlDsa87>::decode(
        &EncodedVerifyingKey::<MlDsa87>::try_from(pk_bytes.as_slice()).unwrap(),
    );
    let sig_bytes = hex("signature");
    let sig = Signature::<MlDsa87>::decode(
        &EncodedSignature::<MlDsa87>::try_from(sig_bytes.as_slice()).unwrap(),
    )
    .unwrap();
    assert!(pk.verify_with_context(&msg, ctx.as_bytes(), &sig));
    // The subject digest names the same bytes.
    use sha3::Digest as _;
    let digest = sha3::Sha3_256::digest(jcs.as_bytes());
    assert_eq!(
        hex::encode(digest),
        att["subject"]["sha3_256"].as_str().unwrap()
    );
    // Any other byte, or the version 1 context, and the signature fails.
    let mut other = msg.clone();
    let last = other.len() - 2;
    other[last] ^= 1;
    assert!(!pk.verify_with_context(&other, ctx.as_bytes(), &sig));
    assert!(!pk.verify_with_context(&msg, b"veil-attest-proof-v1", &sig));
}

/// Attestations of format version 1 (written by earlier veils) still verify, and are still
/// refused when altered.
#[test]
fn version_1_attestations_still_verify() {
    let fx = Fx::new();
    let d = fx.path();
    let key = veil_prover::SecretKey::from_bytes(&std::fs::read(fx.file("auditor.key")).unwrap())
        .unwrap();
    let env = veil_verifier::ProofEnvelope::from_json(
        &std::fs::read_to_string(fx.file("proof.json")).unwrap(),
    )
    .unwrap();
    let v1 = key.attest_proof_v1(&env, NOW).unwrap();
    std::fs::write(fx.file("att-v1.json"), v1.to_json()).unwrap();
    let j = read_json(&fx.file("att-v1.json"));
    assert_eq!(j["format_version"], 1);
    assert_eq!(j["context"], "veil-attest-proof-v1");
    let run = ok(d, &strs(&fx.verify_att("att-v1.json", "trusted.json")));
    assert!(
        run.stdout.contains("attested by      auditor"),
        "{}",
        run.stdout
    );
    let mut bad = j.clone();
    bad["signed_at"] = (NOW + 1).into();
    write_json(&fx.file("att-v1-bad.json"), &bad);
    refused(
        d,
        &strs(&fx.verify_att("att-v1-bad.json", "trusted.json")),
        "does not verify",
    );
}

#[test]
fn attestation_refusals() {
    let fx = Fx::new();
    let d = fx.path();
    // An unknown key: signed by a key that is not in the trusted keys.
    ok(
        d,
        &[
            "attest",
            "--key",
            "stranger.key",
            "--proof",
            "proof.json",
            "--out",
            "s.json",
        ],
    );
    refused(
        d,
        &strs(&fx.verify_att("s.json", "trusted.json")),
        "not a trusted key",
    );
    // The right attestation against the wrong trusted keys.
    refused(
        d,
        &strs(&fx.verify_att("att.json", "issuers.json")),
        "not a trusted key",
    );

    let good = read_json(&fx.file("att.json"));
    let check = |name: &str, edit: &dyn Fn(&mut Value), needle: &str| {
        let mut v = good.clone();
        edit(&mut v);
        write_json(&fx.file(name), &v);
        refused(d, &strs(&fx.verify_att(name, "trusted.json")), needle);
    };
    // A signature over other bytes: the time of signing, the attester id, the statement.
    check(
        "t1.json",
        &|v| v["signed_at"] = (v["signed_at"].as_u64().unwrap() + 1).into(),
        "does not verify",
    );
    check(
        "t2.json",
        &|v| v["attester_key_id"] = "00".repeat(32).into(),
        "not a trusted key",
    );
    check(
        "t3.json",
        &|v| {
            v["subject"]["envelope"]["statement"]["quota"] = 99.into();
            // Keep the digest consistent so that the signature is what refuses it.
            let env =
                veil_verifier::ProofEnvelope::from_json_value(&v["subject"]["envelope"]).unwrap();
            let jcs = veil_verifier::attest::ProofAttestation::envelope_jcs(&env).unwrap();
            v["subject"]["sha3_256"] = veil_verifier::attest::sha3_256(&jcs).to_hex().into();
        },
        "does not verify",
    );
    check(
        "t4.json",
        &|v| v["subject"]["envelope"]["statement"]["quota"] = 99.into(),
        "sha3_256",
    );
    // Wrong-length and malformed signatures.
    check(
        "t5.json",
        &|v| {
            let s = v["signature"].as_str().unwrap();
            v["signature"] = s[..s.len() - 2].into();
        },
        "4626 bytes",
    );
    check("t6.json", &|v| v["signature"] = "nothex".into(), "not hex");
    // The wrong context string.
    check(
        "t7.json",
        &|v| v["context"] = "veil-root-v1".into(),
        "wrong context",
    );
    check("t8.json", &|v| v["format_version"] = 3.into(), "version 3");
    // Truncated files.
    let text = std::fs::read_to_string(fx.file("att.json")).unwrap();
    for (i, n) in [0, 1, text.len() / 2, text.len() - 2]
        .into_iter()
        .enumerate()
    {
        let name = format!("cut{i}.json");
        std::fs::write(fx.file(&name), &text[..n]).unwrap();
        refused(
            d,
            &strs(&fx.verify_att(&name, "trusted.json")),
            "proof attestation",
        );
    }
    std::fs::write(fx.file("bin.json"), [0xffu8, 0xfe, 0]).unwrap();
    refused(
        d,
        &strs(&fx.verify_att("bin.json", "trusted.json")),
        "UTF-8",
    );
    // A proof attested for the wrong verifying key.
    ok(d, &["setup", "--circuit", "tier-6"]);
    let mut args = fx.verify_att("att.json", "trusted.json");
    args[2] = "keys/tier-6.vk".into();
    refused(d, &strs(&args), "wrong circuit");
    // Broken trusted-keys files.
    std::fs::write(fx.file("broken.json"), "{\"format\":\"veil-trusted-keys\"").unwrap();
    refused(
        d,
        &strs(&fx.verify_att("att.json", "broken.json")),
        "trusted keys",
    );
    let mut tk = read_json(&fx.file("trusted.json"));
    let pk = tk["keys"][0]["public_key"].as_str().unwrap().to_string();
    tk["keys"][0]["public_key"] = pk[..pk.len() - 2].into();
    tk["keys"][0].as_object_mut().unwrap().remove("key_id");
    write_json(&fx.file("short.json"), &tk);
    refused(
        d,
        &strs(&fx.verify_att("att.json", "short.json")),
        "2592 bytes",
    );
    refused(
        d,
        &strs(&fx.verify_att("att.json", "missing.json")),
        "cannot read trusted-keys file",
    );
}

#[test]
fn attest_refuses_bad_keys_and_inputs() {
    let fx = Fx::new();
    let d = fx.path();
    // A public key given as the secret key, a truncated secret key, no key.
    refused(
        d,
        &["attest", "--key", "auditor.pub", "--proof", "proof.json"],
        "looks like a public key",
    );
    let key = std::fs::read(fx.file("auditor.key")).unwrap();
    std::fs::write(fx.file("short.key"), &key[..31]).unwrap();
    refused(
        d,
        &["attest", "--key", "short.key", "--proof", "proof.json"],
        "31 bytes",
    );
    refused(
        d,
        &["attest", "--key", "nope.key", "--proof", "proof.json"],
        "cannot read",
    );
    // Not a proof, not a root, a root that does not fit its tree.
    refused(
        d,
        &["attest", "--key", "auditor.key", "--proof", "w.json"],
        "w.json",
    );
    refused(
        d,
        &["attest", "--key", "auditor.key", "--root", "proof.json"],
        "veil-root",
    );
    let mut r = read_json(&fx.file("root.json"));
    r["leaf_count"] = 17.into();
    write_json(&fx.file("big.json"), &r);
    refused(
        d,
        &["attest", "--key", "issuer.key", "--root", "big.json"],
        "do not fit",
    );
    // Trusting the same key twice, a secret key as a public key.
    refused(
        d,
        &[
            "trust",
            "--pub",
            "auditor.pub",
            "--name",
            "again",
            "--trusted-keys",
            "trusted.json",
        ],
        "twice",
    );
    refused(
        d,
        &[
            "trust",
            "--pub",
            "auditor.key",
            "--name",
            "k",
            "--trusted-keys",
            "trusted.json",
        ],
        "looks like a secret key",
    );
}

#[test]
fn signed_root_checks_issuer_age_and_match() {
    let fx = Fx::new();
    let d = fx.path();
    let run = ok(d, &strs(&fx.verify_root("sroot.json", &[])));
    assert!(
        run.stdout.contains("root signed by   issuer"),
        "{}",
        run.stdout
    );
    let sr = read_json(&fx.file("sroot.json"));
    assert_eq!(sr["format"], "veil-signed-root");
    assert_eq!(sr["context"], "veil-root-v1");
    // With the attestation as well: both signers are reported.
    let run = ok(
        d,
        &[
            "verify",
            "--vk",
            "keys/tier-4.vk",
            "--attestation",
            "att.json",
            "--trusted-keys",
            "trusted.json",
            "--signed-root",
            "sroot.json",
            "--trusted-issuers",
            "issuers.json",
            "--now",
            &NOW.to_string(),
        ],
    );
    assert!(run.stdout.contains("attested by") && run.stdout.contains("root signed by"));

    // Signed by the wrong issuer.
    fx.sign_root("auditor.key", NOW - 60, "wrong.json");
    refused(
        d,
        &strs(&fx.verify_root("wrong.json", &[])),
        "not a trusted key",
    );
    // Too old (the default limit is a day; a tighter one), and from the future.
    fx.sign_root("issuer.key", NOW - 86_401, "old.json");
    refused(d, &strs(&fx.verify_root("old.json", &[])), "too old");
    refused(
        d,
        &strs(&fx.verify_root("sroot.json", &["--max-age", "59"])),
        "too old",
    );
    ok(
        d,
        &strs(&fx.verify_root("sroot.json", &["--max-age", "60"])),
    );
    fx.sign_root("issuer.key", NOW + 5, "future.json");
    refused(
        d,
        &strs(&fx.verify_root("future.json", &[])),
        "in the future",
    );
    // A root that is not the proof's.
    let mut r = read_json(&fx.file("root.json"));
    r["root"] = format!("{}01", "00".repeat(31)).into();
    write_json(&fx.file("root.json"), &r);
    fx.sign_root("issuer.key", NOW, "other.json");
    refused(
        d,
        &strs(&fx.verify_root("other.json", &[])),
        "the signed root is",
    );
    // A signed root edited after signing, with a cut signature, or another context.
    let mut v = sr.clone();
    v["root"]["epoch"] = 4.into();
    write_json(&fx.file("edited.json"), &v);
    refused(
        d,
        &strs(&fx.verify_root("edited.json", &[])),
        "does not verify",
    );
    let mut v = sr.clone();
    v["signature"] = "00".into();
    write_json(&fx.file("cut.json"), &v);
    refused(d, &strs(&fx.verify_root("cut.json", &[])), "1 bytes");
    let mut v = sr.clone();
    v["context"] = "veil-attest-proof-v1".into();
    write_json(&fx.file("ctx.json"), &v);
    refused(d, &strs(&fx.verify_root("ctx.json", &[])), "wrong context");
    // --signed-root needs exactly one proof.
    refused(
        d,
        &[
            "verify",
            "--vk",
            "keys/tier-4.vk",
            "--proof",
            "proof.json",
            "--proof",
            "proof.json",
            "--signed-root",
            "sroot.json",
            "--trusted-issuers",
            "issuers.json",
        ],
        "one proof",
    );
}

#[test]
fn file_signatures() {
    let fx = Fx::new();
    let d = fx.path();
    std::fs::write(fx.file("manifest.json"), b"{\"package\": 1}\n").unwrap();
    ok(
        d,
        &["sign", "--key", "issuer.key", "--file", "manifest.json"],
    );
    assert_eq!(
        std::fs::metadata(fx.file("manifest.json.sig"))
            .unwrap()
            .len(),
        4627
    );
    let run = ok(
        d,
        &[
            "verify-signature",
            "--pub",
            "issuer.pub",
            "--file",
            "manifest.json",
            "--sig",
            "manifest.json.sig",
        ],
    );
    assert!(run.stdout.starts_with("valid:"));
    // A signature over other bytes.
    std::fs::write(fx.file("other.json"), b"{\"package\": 2}\n").unwrap();
    refused(
        d,
        &[
            "verify-signature",
            "--pub",
            "issuer.pub",
            "--file",
            "other.json",
            "--sig",
            "manifest.json.sig",
        ],
        "does not verify",
    );
    // Another key.
    refused(
        d,
        &[
            "verify-signature",
            "--pub",
            "auditor.pub",
            "--file",
            "manifest.json",
            "--sig",
            "manifest.json.sig",
        ],
        "does not verify",
    );
    // Truncated signature and public key files.
    let sig = std::fs::read(fx.file("manifest.json.sig")).unwrap();
    std::fs::write(fx.file("short.sig"), &sig[..4000]).unwrap();
    refused(
        d,
        &[
            "verify-signature",
            "--pub",
            "issuer.pub",
            "--file",
            "manifest.json",
            "--sig",
            "short.sig",
        ],
        "4000 bytes",
    );
    let pk = std::fs::read(fx.file("issuer.pub")).unwrap();
    std::fs::write(fx.file("short.pub"), &pk[..2591]).unwrap();
    refused(
        d,
        &[
            "verify-signature",
            "--pub",
            "short.pub",
            "--file",
            "manifest.json",
            "--sig",
            "manifest.json.sig",
        ],
        "2591 bytes",
    );
    // A malformed signature encoding of the right length.
    let mut bad = sig.clone();
    for b in bad[4627 - 83..].iter_mut() {
        *b = 0xff;
    }
    std::fs::write(fx.file("bad.sig"), &bad).unwrap();
    refused(
        d,
        &[
            "verify-signature",
            "--pub",
            "issuer.pub",
            "--file",
            "manifest.json",
            "--sig",
            "bad.sig",
        ],
        "not a valid ML-DSA-87 signature",
    );
    // A root signature (other context, other message) is not a file signature.
    let sr = read_json(&fx.file("sroot.json"));
    let root_sig = hex::decode(sr["signature"].as_str().unwrap()).unwrap();
    std::fs::write(fx.file("root.sig"), root_sig).unwrap();
    refused(
        d,
        &[
            "verify-signature",
            "--pub",
            "issuer.pub",
            "--file",
            "root.json",
            "--sig",
            "root.sig",
        ],
        "does not verify",
    );
    // --out names the signature file; --json reports the context.
    let run = ok(
        d,
        &[
            "--json",
            "sign",
            "--key",
            "issuer.key",
            "--file",
            "manifest.json",
            "--out",
            "m.sig",
        ],
    );
    let j: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(j["context"], "veil-file-v1");
    ok(
        d,
        &[
            "verify-signature",
            "--pub",
            "issuer.pub",
            "--file",
            "manifest.json",
            "--sig",
            "m.sig",
        ],
    );
}
