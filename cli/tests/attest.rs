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
    assert_eq!(att["context"], "veil-attest-proof-v1");
    assert_eq!(j["attestation"]["key_id"], att["attester_key_id"]);
    assert_eq!(att["signature"].as_str().unwrap().len(), 2 * 4627);
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
            v["subject"]["sha3_256"] = veil_verifier::attest::sha3_256(&env.canonical_bytes())
                .to_hex()
                .into();
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
    check("t8.json", &|v| v["format_version"] = 2.into(), "version 2");
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
