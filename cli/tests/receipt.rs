//! `veil receipt` (issue 16 §3): keys, encryption for participants and an auditor, logged
//! decryption, rotation, the access log's check, the receipts digest; every refusal one
//! `error:` line with a non-zero exit code.

use std::path::Path;

mod common;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let r = common::veil_in(dir, args);
    (r.code, r.stdout, r.stderr)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(dir, args);
    assert_eq!(code, 0, "veil {args:?} failed: {err}");
    out
}

fn refused(dir: &Path, args: &[&str], says: &str) {
    let (code, _, stderr) = run(dir, args);
    assert_eq!(code, 1, "veil {args:?} must be refused with exit code 1");
    let line = stderr.trim();
    assert!(line.starts_with("error:"), "not an error line: {line:?}");
    assert_eq!(line.lines().count(), 1, "more than one line: {line:?}");
    assert!(line.contains(says), "{line:?} should say {says:?}");
}

const TX_DIGEST: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn setup(dir: &Path, alg: &str) {
    for p in ["client", "miner", "auditor"] {
        ok(
            dir,
            &[
                "receipt",
                "keygen",
                "--db",
                "r.db",
                "--participant",
                p,
                "--alg",
                alg,
                "--out",
                p,
            ],
        );
    }
    std::fs::write(
        dir.join("fields.json"),
        r#"{ "amount_micros": 1200000, "pricing": { "hours": 3 }, "settlement_details": { "ref": "INV-1" } }"#,
    )
    .unwrap();
    ok(
        dir,
        &[
            "receipt",
            "encrypt",
            "--db",
            "r.db",
            "--fields",
            "fields.json",
            "--transaction",
            "s-1",
            "--participant",
            "client",
            "--participant",
            "miner",
            "--auditor",
            "auditor",
            "--alg",
            alg,
            "--tx-digest",
            TX_DIGEST,
            "--out",
            "r.json",
        ],
    );
}

#[test]
fn encrypt_decrypt_rotate_and_verify_the_log() {
    for alg in ["x25519", "ml-kem-1024"] {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path();
        setup(dir, alg);
        let text = std::fs::read_to_string(dir.join("r.json")).unwrap();
        assert!(
            !text.contains("1200000") && !text.contains("INV-1"),
            "fields in the clear"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("miner.rkey"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let dec = |who: &str, key: &str, purpose: &str| {
            ok(
                dir,
                &[
                    "receipt",
                    "decrypt",
                    "--db",
                    "r.db",
                    "--receipt",
                    "r.json",
                    "--as",
                    who,
                    "--key",
                    key,
                    "--purpose",
                    purpose,
                ],
            )
        };
        let fields: serde_json::Value =
            serde_json::from_str(&dec("miner", "miner.rkey", "settlement")).unwrap();
        assert_eq!(fields["amount_micros"], 1_200_000);
        assert!(fields["amount_blinding"].is_string());
        dec("auditor", "auditor.rkey", "court-order-123");
        // The old key file is kept to try it after the rotation.
        std::fs::copy(dir.join("miner.rkey"), dir.join("old-miner.rkey")).unwrap();
        let before: serde_json::Value = serde_json::from_str(&text).unwrap();
        let rot = ok(
            dir,
            &[
                "--json",
                "receipt",
                "rewrap",
                "--db",
                "r.db",
                "--participant",
                "miner",
                "--alg",
                alg,
                "--out",
                "miner",
                "--receipt",
                "r.json",
            ],
        );
        let rot: serde_json::Value = serde_json::from_str(&rot).unwrap();
        assert_eq!(rot["rewrapped"], 1);
        let after: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
        assert_eq!(
            before["ciphertext"], after["ciphertext"],
            "the ciphertext is untouched"
        );
        assert_ne!(before["wraps"][1], after["wraps"][1]);
        dec("miner", "miner.rkey", "settlement");
        refused(
            dir,
            &[
                "receipt",
                "decrypt",
                "--db",
                "r.db",
                "--receipt",
                "r.json",
                "--as",
                "miner",
                "--key",
                "old-miner.rkey",
                "--purpose",
                "x",
            ],
            "rotated away",
        );
        let log = ok(dir, &["--json", "receipt", "log", "verify", "--db", "r.db"]);
        let log: serde_json::Value = serde_json::from_str(&log).unwrap();
        assert_eq!(log["entries"], 3);
        let head = log["head"].as_str().unwrap().to_string();
        ok(
            dir,
            &["receipt", "log", "verify", "--db", "r.db", "--head", &head],
        );
        let shown = ok(dir, &["receipt", "log", "show", "--db", "r.db"]);
        assert_eq!(shown.lines().count(), 3);
        assert!(shown.contains("court-order-123"));
        let d = ok(
            dir,
            &[
                "--json",
                "receipt",
                "digest",
                "--publisher",
                "acme",
                "--receipt",
                "r.json",
            ],
        );
        assert!(
            serde_json::from_str::<serde_json::Value>(&d).unwrap()["receipts_commitment"]
                .is_string()
        );
    }
}

#[test]
fn bad_input_is_one_error_line() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    setup(dir, "x25519");
    let dec = |who: &str, key: &str| -> Vec<String> {
        [
            "receipt",
            "decrypt",
            "--db",
            "r.db",
            "--receipt",
            "r.json",
            "--as",
            who,
            "--key",
            key,
            "--purpose",
            "settlement",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    fn as_refs(v: &[String]) -> Vec<&str> {
        v.iter().map(|s| s.as_str()).collect()
    }
    // The wrong key (another participant's file).
    refused(dir, &as_refs(&dec("miner", "client.rkey")), "'s, not");
    // Unknown participant.
    ok(
        dir,
        &[
            "receipt",
            "keygen",
            "--db",
            "other.db",
            "--participant",
            "stranger",
            "--out",
            "stranger",
        ],
    );
    refused(
        dir,
        &as_refs(&dec("stranger", "stranger.rkey")),
        "unknown participant",
    );
    refused(
        dir,
        &[
            "receipt",
            "encrypt",
            "--db",
            "r.db",
            "--fields",
            "fields.json",
            "--transaction",
            "s-2",
            "--participant",
            "nobody",
            "--auditor",
            "auditor",
            "--out",
            "x.json",
        ],
        "unknown participant",
    );
    // Tampered ciphertext, wrap, public part.
    let text = std::fs::read_to_string(dir.join("r.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let flip = |s: &str| -> String {
        let mut b = hex::decode(s).unwrap();
        b[3] ^= 1;
        hex::encode(b)
    };
    let mut ct = v.clone();
    ct["ciphertext"] = flip(ct["ciphertext"].as_str().unwrap()).into();
    std::fs::write(dir.join("r.json"), ct.to_string()).unwrap();
    refused(
        dir,
        &as_refs(&dec("miner", "miner.rkey")),
        "ciphertext was altered",
    );
    let mut w = v.clone();
    w["wraps"][1]["wrapped"] = flip(w["wraps"][1]["wrapped"].as_str().unwrap()).into();
    std::fs::write(dir.join("r.json"), w.to_string()).unwrap();
    refused(
        dir,
        &as_refs(&dec("miner", "miner.rkey")),
        "wrapped data key",
    );
    v["public"]["transaction_id"] = "11".repeat(32).into();
    std::fs::write(dir.join("r.json"), v.to_string()).unwrap();
    refused(dir, &as_refs(&dec("miner", "miner.rkey")), "public part");
    // Not a receipt, missing files, bad values.
    std::fs::write(dir.join("r.json"), "{\"format\": 1}").unwrap();
    refused(dir, &as_refs(&dec("miner", "miner.rkey")), "receipt");
    refused(
        dir,
        &[
            "receipt",
            "decrypt",
            "--db",
            "r.db",
            "--receipt",
            "missing.json",
            "--as",
            "miner",
            "--purpose",
            "x",
        ],
        "missing.json",
    );
    std::fs::write(dir.join("r.json"), &text).unwrap();
    refused(
        dir,
        &[
            "receipt",
            "decrypt",
            "--db",
            "r.db",
            "--receipt",
            "r.json",
            "--as",
            "miner",
            "--purpose",
            "",
        ],
        "purpose",
    );
    refused(
        dir,
        &[
            "receipt",
            "keygen",
            "--db",
            "r.db",
            "--participant",
            "miner",
        ],
        "already has an active",
    );
    std::fs::write(dir.join("bad-fields.json"), "[1, 2]").unwrap();
    refused(
        dir,
        &[
            "receipt",
            "encrypt",
            "--db",
            "r.db",
            "--fields",
            "bad-fields.json",
            "--transaction",
            "s-3",
            "--participant",
            "client",
            "--auditor",
            "auditor",
            "--out",
            "y.json",
        ],
        "JSON object",
    );
    refused(
        dir,
        &[
            "receipt",
            "digest",
            "--publisher",
            "acme",
            "--backend",
            "plonky2",
            "--receipt",
            "r.json",
        ],
        "groth16 backend",
    );
    // A tampered log is found by `log verify` (the entry rewritten with the sqlite3 tool; the
    // library test ledger/tests/confidential.rs covers every case without it).
    ok(
        dir,
        &[
            "receipt",
            "decrypt",
            "--db",
            "r.db",
            "--receipt",
            "r.json",
            "--as",
            "client",
            "--key",
            "client.rkey",
            "--purpose",
            "settlement",
        ],
    );
    ok(dir, &["receipt", "log", "verify", "--db", "r.db"]);
    let sql = "DROP TRIGGER confidential_log_no_update; UPDATE confidential_log SET purpose = 'routine' WHERE seq = 1;";
    match std::process::Command::new("sqlite3")
        .arg(dir.join("r.db"))
        .arg(sql)
        .status()
    {
        Ok(s) if s.success() => refused(
            dir,
            &["receipt", "log", "verify", "--db", "r.db"],
            "access log is broken at entry 1",
        ),
        _ => eprintln!("skipped: no sqlite3 tool to rewrite the log with"),
    }
}
