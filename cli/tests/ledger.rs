//! `veil ledger` as a user runs it: the README's walk script, a settlement process killed
//! with SIGKILL at random points (then restarted, invariants checked each time), two processes
//! on one store, and bad input (one `error:` line, non-zero exit, never a panic).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const T0: u64 = 1_767_225_600;
const MONTH: u64 = 2_678_400;
const PUBLISHER: &str = "7075626c69736865720000000000000000000000000000000000000000000000";
const PKG: &str = "706b670000000000000000000000000000000000000000000000000000000000";

mod common;

fn veil() -> &'static str {
    env!("CARGO_BIN_EXE_veil")
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let r = common::veil_in(dir, args);
    (r.code, r.stdout, r.stderr)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    common::ok(dir, args).stdout
}

fn refused(dir: &Path, args: &[&str], says: &str) {
    let (code, _, stderr) = run(dir, args);
    assert_ne!(code, 0, "veil {args:?} must be refused");
    let line = stderr.trim();
    assert!(line.starts_with("error:"), "not an error line: {line:?}");
    assert_eq!(line.lines().count(), 1, "more than one line: {line:?}");
    assert!(line.contains(says), "{line:?} should say {says:?}");
}

#[test]
fn the_ledger_walk_script_runs() {
    let dir = tempfile::tempdir().unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/ledger-walk.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(dir.path())
        .env("VEIL", veil())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the walk failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("ledger walk done"));
    assert!(stdout.contains("valid: publisher"));
    assert!(stdout.contains("already renewed"));
    assert!(stdout.contains("stale root"));
}

/// A settlement store with one solution and one package.
fn settlement_store(dir: &Path) {
    std::fs::write(
        dir.join("rules.json"),
        format!(
            r#"{{"tranches": [{{"recipient": "{}", "cap_micros": 5000}}],
               "shares": [{{"recipient": "{PUBLISHER}", "bps": 6000}}, {{"recipient": "{}", "bps": 4000}}],
               "remainder_to": 1}}"#,
            "11".repeat(32),
            "22".repeat(32)
        ),
    )
    .unwrap();
    let origin = T0.to_string();
    let month = MONTH.to_string();
    ok(
        dir,
        &[
            "ledger",
            "settle",
            "add-solution",
            "--db",
            "s.db",
            "--solution",
            "suite",
            "--period-origin",
            &origin,
            "--period-secs",
            &month,
            "--rules",
            "rules.json",
        ],
    );
    ok(
        dir,
        &[
            "ledger",
            "settle",
            "add-package",
            "--db",
            "s.db",
            "--package",
            PKG,
            "--publisher",
            PUBLISHER,
            "--solution",
            "suite",
        ],
    );
}

/// `n` transactions as JSON lines; returns their gross total.
fn transactions(dir: &Path, name: &str, first: u64, n: u64) -> u64 {
    let pkg = PKG;
    let mut lines = String::new();
    let mut total = 0;
    for i in first..first + n {
        let gross = 1_000 + 7 * i;
        total += gross;
        lines.push_str(&format!(
            "{{\"settlement_id\": \"{:064x}\", \"package_id\": \"{pkg}\", \"blinded_customer_id\": \"{:064x}\", \"gross_amount_micros\": {gross}, \"timestamp\": {}}}\n",
            i + 1,
            i % 5 + 1,
            T0 + i * 60_000
        ));
    }
    std::fs::write(dir.join(name), lines).unwrap();
    total
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn balances(dir: &Path) -> Value {
    serde_json::from_str(&ok(
        dir,
        &["--json", "ledger", "settle", "balances", "--db", "s.db"],
    ))
    .unwrap()
}

#[test]
fn settlement_survives_sigkill_at_random_points() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    settlement_store(d);
    let n: u64 = std::env::var("VEIL_CRASH_TXS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let total = transactions(d, "txs.jsonl", 0, n);
    let kills: u64 = std::env::var("VEIL_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut last = 0;
    for round in 0..kills {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = Command::new(veil())
            .args([
                "ledger",
                "settle",
                "batch",
                "--db",
                "s.db",
                "--file",
                "txs.jsonl",
            ])
            .current_dir(d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 + seed % 150));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // After each crash: the store opens, the invariants hold (checked by `balances`), no
        // transaction is lost or doubled.
        let b = balances(d);
        let count = b["transactions"].as_u64().unwrap();
        assert!(
            count >= last && count <= n,
            "round {round}: {count} after {last}"
        );
        eprintln!("crash round {round}: {count} of {n} transactions committed");
        last = count;
    }
    ok(
        d,
        &[
            "ledger",
            "settle",
            "batch",
            "--db",
            "s.db",
            "--file",
            "txs.jsonl",
        ],
    );
    let b = balances(d);
    assert_eq!(b["transactions"].as_u64().unwrap(), n);
    assert_eq!(b["gross_micros"].as_str().unwrap(), total.to_string());
    let sum: i64 = b["balances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["micros"].as_i64().unwrap())
        .sum();
    assert_eq!(sum as u64, total);
    // The revenue witness from the store satisfies the revenue circuit.
    let capacity = n.max(64).next_power_of_two().to_string();
    let circuit = format!("revenue-{capacity}");
    let period = format!("{T0}..{}", T0 + MONTH);
    ok(
        d,
        &[
            "ledger",
            "settle",
            "revenue-witness",
            "--db",
            "s.db",
            "--publisher",
            PUBLISHER,
            "--period",
            &period,
            "--capacity",
            &capacity,
            "--out",
            "rev.json",
        ],
    );
    ok(
        d,
        &["check", "--circuit", &circuit, "--witness", "rev.json"],
    );
}

#[test]
fn issuance_survives_sigkill_at_random_points() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["keygen", "--out", "issuer"]);
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "init",
            "--db",
            "i.db",
            "--depth",
            "4",
            "--tier-depth",
            "4",
        ],
    );
    let rounds = 8u64;
    for k in 0..rounds {
        let pkg = format!("package-{k}");
        ok(
            d,
            &[
                "ledger",
                "issuer",
                "add-package",
                "--db",
                "i.db",
                "--package",
                &pkg,
            ],
        );
        let req = format!("req-{k}.json");
        ok(
            d,
            &[
                "ledger",
                "wallet",
                "request",
                "--db",
                "w.db",
                "--prime-id",
                "alice",
                "--package",
                &pkg,
                "--out",
                &req,
            ],
        );
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for k in 0..rounds {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let req = format!("req-{k}.json");
        let mut child = Command::new(veil())
            .args([
                "ledger",
                "issuer",
                "issue",
                "--db",
                "i.db",
                "--request",
                &req,
                "--key",
                "issuer.key",
                "--expires-at",
                "99999999999",
                "--out",
                "t.json",
            ])
            .current_dir(d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(seed % 120));
        let _ = child.kill();
        let _ = child.wait();
        // The tree is always the tree of the issued tokens: no half-applied issuance.
        let c: Value = serde_json::from_str(&ok(
            d,
            &["--json", "ledger", "issuer", "check", "--db", "i.db"],
        ))
        .unwrap();
        assert_eq!(c["tokens"], c["leaves"], "round {k}: {c}");
        eprintln!("issuance crash round {k}: {} tokens", c["tokens"]);
    }
}

#[test]
fn two_processes_on_one_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    settlement_store(d);
    let a = transactions(d, "a.jsonl", 0, 25);
    let b = transactions(d, "b.jsonl", 1_000, 25);
    let spawn = |f: &str| {
        Command::new(veil())
            .args(["ledger", "settle", "batch", "--db", "s.db", "--file", f])
            .current_dir(d)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (pa, pb) = (spawn("a.jsonl"), spawn("b.jsonl"));
    for p in [pa, pb] {
        let out = p.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let bal = balances(d);
    assert_eq!(bal["transactions"].as_u64().unwrap(), 50);
    assert_eq!(bal["gross_micros"].as_str().unwrap(), (a + b).to_string());
}

#[test]
fn bad_input_is_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    settlement_store(d);
    let tx = |id: &str, pkg: &str, gross: &str| {
        vec![
            "ledger".to_string(),
            "settle".into(),
            "tx".into(),
            "--db".into(),
            "s.db".into(),
            "--settlement-id".into(),
            id.into(),
            "--package".into(),
            pkg.into(),
            "--customer".into(),
            "c".into(),
            "--gross".into(),
            gross.into(),
            "--timestamp".into(),
            T0.to_string(),
        ]
    };
    ok(d, &args(&tx("s1", PKG, "100")));
    refused(d, &args(&tx("s1", PKG, "100")), "duplicate settlement id");
    refused(d, &args(&tx("s2", "other", "100")), "unknown package");
    refused(d, &args(&tx("s3", PKG, "0")), "must be positive");
    refused(d, &args(&tx("s4", PKG, "9223372036854775808")), "too large");
    // Amounts that are not a u64 at all are refused by the argument parser (clap's error).
    for bad in ["18446744073709551616", "-5", "1.5"] {
        let (code, _, stderr) = run(d, &args(&tx("s5", PKG, bad)));
        assert_ne!(code, 0, "--gross {bad} must be refused");
        assert!(stderr.starts_with("error:"), "{stderr}");
    }
    let b = balances(d);
    assert_eq!(
        b["transactions"].as_u64().unwrap(),
        1,
        "refusals changed nothing"
    );
    // Stores: another role's file, a file that is not a store.
    refused(
        d,
        &[
            "ledger",
            "meter",
            "add-package",
            "--db",
            "s.db",
            "--package",
            "p",
        ],
        "not a meter store",
    );
    std::fs::write(d.join("junk.db"), vec![0x42u8; 4096]).unwrap();
    refused(
        d,
        &["ledger", "issuer", "init", "--db", "junk.db"],
        "junk.db",
    );
    // Meter: unknown package, a reading of an hour already aggregated.
    ok(d, &["keygen", "--out", "m"]);
    ok(
        d,
        &[
            "ledger",
            "meter",
            "add-package",
            "--db",
            "m.db",
            "--package",
            "p",
            "--capacity",
            "4",
        ],
    );
    let ts = (T0 + 10).to_string();
    let rec = |pkg: &str| {
        vec![
            "ledger".to_string(),
            "meter".into(),
            "record".into(),
            "--db".into(),
            "m.db".into(),
            "--package".into(),
            pkg.into(),
            "--customer".into(),
            "c".into(),
            "--timestamp".into(),
            ts.clone(),
            "--units".into(),
            "3".into(),
        ]
    };
    refused(d, &args(&rec("q")), "unknown package");
    ok(d, &args(&rec("p")));
    let now = (T0 + 3600).to_string();
    ok(
        d,
        &[
            "ledger",
            "meter",
            "aggregate",
            "--db",
            "m.db",
            "--package",
            "p",
            "--key",
            "m.key",
            "--now",
            &now,
            "--out-dir",
            "agg",
        ],
    );
    refused(d, &args(&rec("p")), "outside its hour");
    // A malformed request file.
    std::fs::write(d.join("req.json"), "{\"blinded_customer_id\": 5}").unwrap();
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "init",
            "--db",
            "i.db",
            "--depth",
            "4",
            "--tier-depth",
            "4",
        ],
    );
    refused(
        d,
        &[
            "ledger",
            "issuer",
            "issue",
            "--db",
            "i.db",
            "--request",
            "req.json",
            "--key",
            "m.key",
            "--expires-at",
            "99999999999",
            "--out",
            "t.json",
        ],
        "not a valid token request",
    );
}

/// The tier set from the CLI: the sample's six tier commitments approved, a signed tier root
/// that is the sample's tree root, the path of leaf 3, and the per-epoch quota: a tier proof
/// redeemed once, refused the second time.
#[test]
fn tier_set_from_the_cli() {
    use veil_circuits::sample::sample_secret;
    use veil_circuits::tier::tier_commitment;
    use veil_circuits::PoseidonBls12;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["keygen", "--out", "issuer"]);
    ok(d, &["setup", "--circuit", "tier-4", "--out-dir", "keys"]);
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "init",
            "--db",
            "i.db",
            "--depth",
            "4",
            "--tier-depth",
            "4",
        ],
    );
    for i in 0..6u64 {
        let c = tier_commitment::<PoseidonBls12>(
            i as u32,
            &sample_secret("user-secret", 100 + i),
            &sample_secret("randomness", 100 + i),
        )
        .unwrap();
        let out = ok(
            d,
            &[
                "--json",
                "ledger",
                "issuer",
                "approve-tier",
                "--db",
                "i.db",
                "--commitment",
                &c.to_hex(),
            ],
        );
        assert!(out.contains(&format!("{i}")), "leaf {i}: {out}");
    }
    refused(
        d,
        &[
            "ledger",
            "issuer",
            "approve-tier",
            "--db",
            "i.db",
            "--commitment",
            &"ff".repeat(32),
        ],
        "canonical",
    );
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "publish-root",
            "--db",
            "i.db",
            "--key",
            "issuer.key",
            "--tier",
            "--now",
            &T0.to_string(),
            "--out",
            "tier-root.json",
        ],
    );
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "tier-path",
            "--db",
            "i.db",
            "--index",
            "3",
            "--out",
            "tier-path.json",
        ],
    );
    ok(d, &["sample", "--circuit", "tier-4", "--out", "w.json"]);
    let path: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("tier-path.json")).unwrap()).unwrap();
    let w: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("w.json")).unwrap()).unwrap();
    assert_eq!(
        path["root"], w["statement"]["root"],
        "the tier root is the sample tree's root"
    );
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
            "p.json",
        ],
    );
    let redeem = [
        "ledger",
        "issuer",
        "redeem-tier",
        "--db",
        "i.db",
        "--proof",
        "p.json",
        "--vk",
        "keys/tier-4.vk",
    ];
    ok(d, &redeem);
    refused(d, &redeem, "quota spent");
}

/// A renewal killed with SIGKILL at random points, then rerun: after every kill the issuer's
/// tree is still the tree of its leaves and at most one renewal is stored; once the renewal
/// went through, a rerun is refused, so the nullifier is recorded exactly once and the
/// token renews once.
#[test]
fn renewal_survives_sigkill_and_its_nullifier_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t0 = T0.to_string();
    ok(d, &["keygen", "--out", "issuer"]);
    ok(d, &["setup", "--circuit", "renewal-4", "--out-dir", "keys"]);
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "init",
            "--db",
            "i.db",
            "--depth",
            "4",
            "--tier-depth",
            "4",
        ],
    );
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "add-package",
            "--db",
            "i.db",
            "--package",
            "pkg",
        ],
    );
    ok(
        d,
        &[
            "ledger",
            "wallet",
            "request",
            "--db",
            "w.db",
            "--prime-id",
            "alice",
            "--package",
            "pkg",
            "--out",
            "req.json",
        ],
    );
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "issue",
            "--db",
            "i.db",
            "--request",
            "req.json",
            "--key",
            "issuer.key",
            "--now",
            &t0,
            "--expires-at",
            &(T0 + MONTH).to_string(),
            "--out",
            "token.json",
        ],
    );
    ok(
        d,
        &[
            "ledger",
            "wallet",
            "accept",
            "--db",
            "w.db",
            "--token",
            "token.json",
            "--issuer-pub",
            "issuer.pub",
        ],
    );
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "publish-root",
            "--db",
            "i.db",
            "--key",
            "issuer.key",
            "--now",
            &t0,
            "--out",
            "root.json",
        ],
    );
    let token: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("token.json")).unwrap()).unwrap();
    let token_id = token["token_id"].as_str().unwrap().to_string();
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "path",
            "--db",
            "i.db",
            "--token-id",
            &token_id,
            "--out",
            "path.json",
        ],
    );
    ok(
        d,
        &[
            "ledger",
            "wallet",
            "renewal-witness",
            "--db",
            "w.db",
            "--package",
            "pkg",
            "--path",
            "path.json",
            "--now",
            &(T0 + MONTH - 86400).to_string(),
            "--new-expires-at",
            &(T0 + 2 * MONTH).to_string(),
            "--out",
            "renewal.json",
        ],
    );
    ok(
        d,
        &[
            "prove",
            "--circuit",
            "renewal-4",
            "--pk",
            "keys/renewal-4.pk",
            "--witness",
            "renewal.json",
            "--out",
            "renewal-proof.json",
        ],
    );

    let renew = [
        "ledger",
        "issuer",
        "renew",
        "--db",
        "i.db",
        "--proof",
        "renewal-proof.json",
        "--vk",
        "keys/renewal-4.vk",
    ];
    let check = || -> Value {
        serde_json::from_str(&ok(
            d,
            &["--json", "ledger", "issuer", "check", "--db", "i.db"],
        ))
        .unwrap()
    };
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for k in 0..8 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = Command::new(veil())
            .args(renew)
            .current_dir(d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(seed % 150));
        let _ = child.kill();
        let _ = child.wait();
        let c = check();
        let renewals = c["renewals"].as_u64().unwrap();
        assert!(renewals <= 1, "round {k}: {c}");
        eprintln!(
            "renewal crash round {k}: {renewals} renewals, {} leaves",
            c["leaves"]
        );
    }
    // Rerun to completion: accepted if no killed run got through, refused otherwise.
    let before = check()["renewals"].as_u64().unwrap();
    if before == 0 {
        ok(d, &renew);
    }
    refused(d, &renew, "already renewed");
    let c = check();
    assert_eq!(
        c["renewals"], 1,
        "the nullifier is recorded exactly once: {c}"
    );
    assert_eq!(
        c["tokens"].as_u64().unwrap() + 1,
        c["leaves"].as_u64().unwrap(),
        "one new leaf: {c}"
    );

    // The wallet replaces its token by the renewed one, once, and later witnesses use it.
    let leaf = (c["leaves"].as_u64().unwrap() - 1).to_string();
    let renewed = [
        "ledger",
        "wallet",
        "renewed",
        "--db",
        "w.db",
        "--renewal",
        "renewal.json",
        "--leaf-index",
        &leaf,
    ];
    let r: Value = serde_json::from_str(&ok(d, &[&["--json"], &renewed[..]].concat())).unwrap();
    assert_eq!(r["replaced"], token_id.as_str());
    assert_ne!(r["token_id"], token_id.as_str());
    refused(d, &renewed, "not the one this renewal spends");
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "publish-root",
            "--db",
            "i.db",
            "--key",
            "issuer.key",
            "--now",
            &(T0 + 60).to_string(),
            "--out",
            "root-2.json",
        ],
    );
    ok(
        d,
        &[
            "ledger",
            "issuer",
            "path",
            "--db",
            "i.db",
            "--leaf-index",
            &leaf,
            "--out",
            "new-path.json",
        ],
    );
    let later = (T0 + MONTH + 3600).to_string();
    let witness = |path: &str| -> Vec<String> {
        [
            "ledger",
            "wallet",
            "ownership-witness",
            "--db",
            "w.db",
            "--package",
            "pkg",
            "--path",
            path,
            "--challenge",
            "nonce-2",
            "--now",
            &later,
            "--out",
            "own.json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    refused(d, &args(&witness("path.json")), "the path is for token");
    ok(d, &args(&witness("new-path.json")));
    ok(
        d,
        &["check", "--circuit", "ownership-4", "--witness", "own.json"],
    );
}
