//! Interop with the real snarkjs (npm snarkjs@0.7.6, installed by the test into a cache under
//! target/ and reused between runs; the tests that need it are skipped with a message when
//! node or npm is absent): snarkjs verifies veil's exported proofs, reads veil's .r1cs and
//! .wtns, and its own setup and prover on them give proofs `veil verify --snarkjs-vk`
//! accepts. The refusals of malformed snarkjs files need no node.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::npm::{cache, INSTALL};

/// 2^11 rows: enough for tier-4 (1700 constraints and 6 public inputs).
const PTAU_POWER: u32 = 11;

fn veil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_veil"))
}

/// The snarkjs command line, installed on first use; None (with a message) without node/npm.
fn snarkjs() -> Option<PathBuf> {
    common::npm::snarkjs("snarkjs interop is not checked")
}

fn run(mut c: Command) -> Output {
    c.output().expect("the command runs")
}

fn snark(cli: &Path, dir: &Path, args: &[&str]) -> Output {
    let mut c = Command::new("node");
    c.arg(cli).args(args).current_dir(dir);
    run(c)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: &Output, what: &str) {
    assert!(o.status.success(), "{what} failed: {}", text(o));
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("interop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn veil_in(dir: &Path, args: &[&str]) -> Output {
    let mut c = veil();
    c.args(args).current_dir(dir);
    run(c)
}

/// Dev keys, the sample witness and a proof for `circuit` in `dir`, exported to `dir/sj`.
fn prove_and_export(dir: &Path, circuit: &str) {
    let vk = format!("keys/{circuit}.vk");
    let pk = format!("keys/{circuit}.pk");
    ok(
        &veil_in(dir, &["setup", "--circuit", circuit, "--out-dir", "keys"]),
        "setup",
    );
    ok(
        &veil_in(dir, &["sample", "--circuit", circuit, "--out", "w.json"]),
        "sample",
    );
    ok(
        &veil_in(
            dir,
            &[
                "prove",
                "--circuit",
                circuit,
                "--pk",
                &pk,
                "--witness",
                "w.json",
                "--out",
                "proof.json",
                "-q",
            ],
        ),
        "prove",
    );
    ok(
        &veil_in(
            dir,
            &[
                "export",
                "snarkjs",
                "--vk",
                &vk,
                "--proof",
                "proof.json",
                "--out-dir",
                "sj",
            ],
        ),
        "export snarkjs",
    );
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn write(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// x + 1 as a decimal string (the values are below r < 2^255, so no carry past 10^77 issues).
fn plus_one(s: &str) -> String {
    let mut digits: Vec<u8> = s.bytes().collect();
    let mut i = digits.len();
    loop {
        if i == 0 {
            digits.insert(0, b'1');
            break;
        }
        i -= 1;
        if digits[i] == b'9' {
            digits[i] = b'0';
        } else {
            digits[i] += 1;
            break;
        }
    }
    String::from_utf8(digits).unwrap()
}

#[test]
fn snarkjs_verifies_every_groth16_circuit_and_refuses_changed_inputs() {
    let Some(cli) = snarkjs() else { return };
    for circuit in [
        "tier-4",
        "ownership-4",
        "renewal-4",
        "metering-2",
        "isolation-2",
        "revenue-2",
        "waterfall-2",
    ] {
        let dir = scratch(circuit);
        prove_and_export(&dir, circuit);
        let sj = dir.join("sj");
        let verify = |public: &str| {
            snark(
                &cli,
                &sj,
                &[
                    "groth16",
                    "verify",
                    "verification_key.json",
                    public,
                    "proof.json",
                ],
            )
        };
        let good = verify("public.json");
        ok(&good, &format!("snarkjs groth16 verify ({circuit})"));
        assert!(text(&good).contains("OK"), "{circuit}: {}", text(&good));
        // veil reads its own export back.
        ok(
            &veil_in(
                &sj,
                &[
                    "verify",
                    "--snarkjs-vk",
                    "verification_key.json",
                    "--snarkjs-proof",
                    "proof.json",
                    "--public",
                    "public.json",
                ],
            ),
            "veil verify --snarkjs-vk",
        );
        let public = read(&sj.join("public.json"));
        let n = public.as_array().unwrap().len();
        for i in [0, n / 2, n - 1] {
            let mut changed = public.clone();
            changed[i] = json!(plus_one(changed[i].as_str().unwrap()));
            write(&sj.join("changed.json"), &changed);
            let bad = verify("changed.json");
            assert!(
                !bad.status.success() && text(&bad).contains("Invalid proof"),
                "{circuit}: snarkjs accepted public input {i} changed: {}",
                text(&bad)
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A prepared BLS12-381 powers-of-tau file, made once and cached.
fn ptau(cli: &Path) -> PathBuf {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = cache();
    let out = dir.join(format!("pot{PTAU_POWER}-bls12381-contributed-final.ptau"));
    if !out.exists() {
        let raw = dir.join("pot-raw.ptau");
        let tmp = dir.join("pot-prepared.tmp");
        ok(
            &snark(
                cli,
                &dir,
                &[
                    "powersoftau",
                    "new",
                    "bls12381",
                    &PTAU_POWER.to_string(),
                    raw.to_str().unwrap(),
                ],
            ),
            "powersoftau new",
        );
        // Without a contribution tau = alpha = beta = 1, a degenerate setup whose keys can
        // leave public inputs unbound (veil refuses such keys; see the test below).
        let contributed = dir.join("pot-contributed.ptau");
        ok(
            &snark(
                cli,
                &dir,
                &[
                    "powersoftau",
                    "contribute",
                    raw.to_str().unwrap(),
                    contributed.to_str().unwrap(),
                    "--name=veil-test",
                    "-e=veil interop test",
                ],
            ),
            "powersoftau contribute",
        );
        ok(
            &snark(
                cli,
                &dir,
                &[
                    "powersoftau",
                    "prepare",
                    "phase2",
                    contributed.to_str().unwrap(),
                    tmp.to_str().unwrap(),
                ],
            ),
            "powersoftau prepare phase2",
        );
        std::fs::rename(&tmp, &out).unwrap();
    }
    out
}

#[test]
fn snarkjs_reads_the_r1cs_and_wtns_and_its_proofs_verify_in_veil() {
    let Some(cli) = snarkjs() else { return };
    let dir = scratch("r1cs");
    let circuit = "tier-4";
    ok(
        &veil_in(&dir, &["sample", "--circuit", circuit, "--out", "w.json"]),
        "sample",
    );
    ok(
        &veil_in(
            &dir,
            &["export", "r1cs", "--circuit", circuit, "--out", "c.r1cs"],
        ),
        "export r1cs",
    );
    ok(
        &veil_in(
            &dir,
            &[
                "export",
                "wtns",
                "--circuit",
                circuit,
                "--witness",
                "w.json",
                "--out",
                "c.wtns",
            ],
        ),
        "export wtns",
    );
    let info = veil_in(&dir, &["--json", "info", "--circuit", circuit]);
    ok(&info, "info");
    let info: Value = serde_json::from_slice(&info.stdout).unwrap();
    let constraints = info["constraints"].as_u64().unwrap();

    let r1cs_info = snark(&cli, &dir, &["r1cs", "info", "c.r1cs"]);
    ok(&r1cs_info, "snarkjs r1cs info");
    let t = text(&r1cs_info);
    assert!(t.contains("bls12-381"), "{t}");
    assert!(
        t.contains(&format!("# of Constraints: {constraints}")),
        "snarkjs reports veil's {constraints} constraints: {t}"
    );
    assert!(t.contains("# of Public Inputs: 6"), "{t}");

    let check = snark(&cli, &dir, &["wtns", "check", "c.r1cs", "c.wtns"]);
    ok(&check, "snarkjs wtns check");
    assert!(
        text(&check).contains("WITNESS IS CORRECT"),
        "{}",
        text(&check)
    );

    let pot = ptau(&cli);
    let pot = pot.to_str().unwrap();
    ok(
        &snark(&cli, &dir, &["groth16", "setup", "c.r1cs", pot, "c0.zkey"]),
        "snarkjs groth16 setup",
    );
    ok(
        &snark(
            &cli,
            &dir,
            &[
                "zkey",
                "contribute",
                "c0.zkey",
                "c.zkey",
                "--name=veil-test",
                "-e=veil interop",
            ],
        ),
        "snarkjs zkey contribute",
    );
    for (zkey, vk) in [("c.zkey", "vk.json"), ("c0.zkey", "vk0.json")] {
        ok(
            &snark(&cli, &dir, &["zkey", "export", "verificationkey", zkey, vk]),
            "snarkjs zkey export verificationkey",
        );
    }
    ok(
        &snark(
            &cli,
            &dir,
            &["groth16", "prove", "c.zkey", "c.wtns", "p.json", "pub.json"],
        ),
        "snarkjs groth16 prove",
    );
    ok(
        &snark(
            &cli,
            &dir,
            &["groth16", "verify", "vk.json", "pub.json", "p.json"],
        ),
        "snarkjs groth16 verify",
    );
    let veil_verify = |vk: &str, public: &str| {
        veil_in(
            &dir,
            &[
                "verify",
                "--snarkjs-vk",
                vk,
                "--snarkjs-proof",
                "p.json",
                "--public",
                public,
            ],
        )
    };
    let good = veil_verify("vk.json", "pub.json");
    ok(&good, "veil verify of a snarkjs proof");
    assert!(text(&good).starts_with("valid:"), "{}", text(&good));

    // The public signals snarkjs computed are veil's statement encoding.
    ok(
        &veil_in(&dir, &["setup", "--circuit", circuit, "--out-dir", "keys"]),
        "setup",
    );
    ok(
        &veil_in(
            &dir,
            &[
                "prove",
                "--circuit",
                circuit,
                "--pk",
                "keys/tier-4.pk",
                "--witness",
                "w.json",
                "--out",
                "proof.json",
                "-q",
            ],
        ),
        "prove",
    );
    ok(
        &veil_in(
            &dir,
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
        ),
        "export snarkjs",
    );
    assert_eq!(
        read(&dir.join("pub.json")),
        read(&dir.join("sj/public.json"))
    );

    let mut changed = read(&dir.join("pub.json"));
    changed[2] = json!(plus_one(changed[2].as_str().unwrap()));
    write(&dir.join("changed.json"), &changed);
    let bad = veil_verify("vk.json", "changed.json");
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("pairing check failed"),
        "{}",
        text(&bad)
    );

    // A zkey without a phase-2 contribution has delta = gamma: refused, and why.
    let forgeable = veil_verify("vk0.json", "pub.json");
    assert!(!forgeable.status.success());
    assert!(text(&forgeable).contains("phase-2"), "{}", text(&forgeable));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `veil verify --snarkjs-*` on files in `dir`; asserts a one-line refusal containing
/// `expect`.
fn refused(dir: &Path, vk: &str, proof: &str, public: &str, expect: &str) {
    let o = veil_in(
        dir,
        &[
            "verify",
            "--snarkjs-vk",
            vk,
            "--snarkjs-proof",
            proof,
            "--public",
            public,
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(1), "{expect}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(expect), "expected {expect:?} in {err}");
}

#[test]
fn malformed_snarkjs_files_are_refused_with_the_failed_check_named() {
    let dir = scratch("malformed");
    prove_and_export(&dir, "tier-4");
    let sj = dir.join("sj");
    let vk = read(&sj.join("verification_key.json"));
    let proof = read(&sj.join("proof.json"));
    let public = read(&sj.join("public.json"));
    ok(
        &veil_in(
            &sj,
            &[
                "verify",
                "--snarkjs-vk",
                "verification_key.json",
                "--snarkjs-proof",
                "proof.json",
                "--public",
                "public.json",
            ],
        ),
        "the unmodified files verify",
    );
    let r = "52435875175126190479447740508185965837690552500527637822603658699938581184513";
    let q = "4002409555221667393417789825735904156556882819939007885332058136124031650490\
             837864442687629129015664037894272559787";
    let mut cases: Vec<(&str, Value, Value, Value, &str)> = Vec::new();
    let mut v = vk.clone();
    v["curve"] = json!("bn128");
    cases.push((
        "curve",
        v,
        proof.clone(),
        public.clone(),
        "curve is \"bn128\"",
    ));
    let mut p = proof.clone();
    p["curve"] = json!("bn128");
    cases.push(("proof curve", vk.clone(), p, public.clone(), "curve"));
    let mut v = vk.clone();
    v.as_object_mut().unwrap().remove("vk_gamma_2");
    cases.push((
        "missing",
        v,
        proof.clone(),
        public.clone(),
        "missing field \"vk_gamma_2\"",
    ));
    let mut p = proof.clone();
    p.as_object_mut().unwrap().remove("pi_b");
    cases.push((
        "missing",
        vk.clone(),
        p,
        public.clone(),
        "missing field \"pi_b\"",
    ));
    let mut v = vk.clone();
    v["IC"].as_array_mut().unwrap().pop();
    cases.push((
        "IC length",
        v,
        proof.clone(),
        public.clone(),
        "IC holds 6 points",
    ));
    let mut x = public.clone();
    x.as_array_mut().unwrap().pop();
    cases.push(("public length", vk.clone(), proof.clone(), x, "nPublic = 6"));
    let mut x = public.clone();
    x[0] = json!(r);
    cases.push((
        "input = r",
        vk.clone(),
        proof.clone(),
        x,
        "not below the BLS12-381 scalar",
    ));
    let mut x = public.clone();
    x[0] = json!("0x10");
    cases.push(("hex", vk.clone(), proof.clone(), x, "not a decimal number"));
    let mut p = proof.clone();
    p["pi_a"][0] = json!(q);
    cases.push((
        "x = q",
        vk.clone(),
        p,
        public.clone(),
        "not below the BLS12-381 base",
    ));
    let mut p = proof.clone();
    p["pi_a"][1] = p["pi_a"][0].clone();
    cases.push((
        "off curve",
        vk.clone(),
        p,
        public.clone(),
        "pi_a: the point is not on",
    ));
    let mut p = proof.clone();
    let x0 = p["pi_b"][0][0].clone();
    p["pi_b"][0][0] = p["pi_b"][0][1].clone();
    p["pi_b"][0][1] = x0;
    cases.push((
        "c1/c0 swapped",
        vk.clone(),
        p,
        public.clone(),
        "pi_b: the point is not on",
    ));
    // (x, y) = (0, 2) is on y^2 = x^3 + 4 but outside the prime-order subgroup.
    let mut p = proof.clone();
    p["pi_c"] = json!(["0", "2", "1"]);
    cases.push((
        "off subgroup",
        vk.clone(),
        p,
        public.clone(),
        "pi_c: the point is not in the prime-order subgroup",
    ));
    let mut v = vk.clone();
    v["vk_delta_2"] = v["vk_gamma_2"].clone();
    cases.push(("delta = gamma", v, proof.clone(), public.clone(), "phase-2"));
    let mut v = vk.clone();
    v["IC"][3] = json!(["0", "1", "0"]);
    cases.push((
        "unbound input",
        v,
        proof.clone(),
        public.clone(),
        "IC[3] is the point at infinity",
    ));
    let mut v = vk.clone();
    v["vk_beta_2"] = json!([["0", "0"], ["1", "0"], ["0", "0"]]);
    cases.push((
        "identity",
        v,
        proof.clone(),
        public.clone(),
        "vk_beta_2 is the point at infinity",
    ));
    for (name, v, p, x, expect) in cases {
        write(&sj.join("v.json"), &v);
        write(&sj.join("p.json"), &p);
        write(&sj.join("x.json"), &x);
        eprintln!("case: {name}");
        refused(&sj, "v.json", "p.json", "x.json", expect);
    }
    std::fs::write(sj.join("bad.json"), "{\"protocol\": ").unwrap();
    refused(&sj, "bad.json", "proof.json", "public.json", "not JSON");
    refused(&sj, "nope.json", "proof.json", "public.json", "cannot read");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_refusals_are_one_line_errors() {
    let dir = scratch("export-refusals");
    ok(
        &veil_in(&dir, &["setup", "--circuit", "tier-4", "--out-dir", "keys"]),
        "setup",
    );
    ok(
        &veil_in(&dir, &["sample", "--circuit", "tier-4", "--out", "w.json"]),
        "sample",
    );
    let mut w = read(&dir.join("w.json"));
    // A witness whose tier is below the minimum breaks a rule: no .wtns is written.
    let refuse = |args: &[&str], expect: &str| {
        let o = veil_in(&dir, args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains(expect), "expected {expect:?} in {err}");
    };
    std::fs::write(dir.join("junk.json"), "not json").unwrap();
    refuse(
        &[
            "export",
            "wtns",
            "--circuit",
            "tier-4",
            "--witness",
            "junk.json",
        ],
        "not a valid tier-4 witness",
    );
    if let Some(obj) = w.as_object_mut() {
        let key = obj.keys().next().cloned().unwrap();
        obj.remove(&key);
    }
    write(&dir.join("w2.json"), &w);
    refuse(
        &[
            "export",
            "wtns",
            "--circuit",
            "tier-4",
            "--witness",
            "w2.json",
        ],
        "witness",
    );
    assert!(!dir.join("tier-4.wtns").exists());
    refuse(
        &["export", "solidity", "--vk", "missing.vk", "--out", "V.sol"],
        "cannot read verifying key",
    );
    refuse(
        &["export", "snarkjs", "--vk", "keys/tier-4.pk"],
        "verifying key",
    );
    // A proof that does not verify with the key is not exported.
    ok(
        &veil_in(
            &dir,
            &[
                "setup",
                "--circuit",
                "tier-4",
                "--out-dir",
                "other",
                "--label",
                "x",
            ],
        ),
        "setup",
    );
    ok(
        &veil_in(
            &dir,
            &[
                "prove",
                "--circuit",
                "tier-4",
                "--pk",
                "other/tier-4.pk",
                "--witness",
                "w.json",
                "--out",
                "other.json",
                "-q",
            ],
        ),
        "prove",
    );
    refuse(
        &[
            "export",
            "snarkjs",
            "--vk",
            "keys/tier-4.vk",
            "--proof",
            "other.json",
            "--out-dir",
            "o",
        ],
        "wrong key",
    );
    assert!(!dir.join("o").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// snarkjs `.ptau` both ways at 2^8: a snarkjs-made, snarkjs-contributed file imports into
/// veil and verifies there; veil contributions on top of it, and a transcript made wholly by
/// veil (two contributions and a beacon), export to files `snarkjs powersoftau verify`
/// accepts; a veil export with one altered contribution key is refused by snarkjs.
#[test]
fn ptau_files_cross_between_snarkjs_and_veil() {
    let Some(cli) = snarkjs() else { return };
    let dir = scratch("ptau");
    let d = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let snark_ok = |args: &[&str], what: &str| {
        let o = snark(&cli, &dir, args);
        ok(&o, what);
        text(&o)
    };
    let veil_ok = |args: &[&str]| ok(&veil_in(&dir, args), &format!("veil {args:?}"));
    let sj_verify_ok = |file: &str| {
        let out = snark_ok(
            &["powersoftau", "verify", file],
            "snarkjs powersoftau verify",
        );
        assert!(out.contains("Powers of Tau Ok!"), "snarkjs verify: {out}");
        out
    };

    // snarkjs -> veil.
    snark_ok(
        &["powersoftau", "new", "bls12381", "8", &d("sj0.ptau")],
        "powersoftau new",
    );
    snark_ok(
        &[
            "powersoftau",
            "contribute",
            &d("sj0.ptau"),
            &d("sj1.ptau"),
            "--name=alice",
            "-e=interop",
        ],
        "powersoftau contribute",
    );
    veil_ok(&[
        "ceremony",
        "ptau",
        "import",
        "--in",
        &d("sj1.ptau"),
        "--out",
        &d("imp.vptau"),
    ]);
    veil_ok(&["ceremony", "ptau", "verify", "--in", &d("imp.vptau")]);
    // ... plus a veil contribution, back to snarkjs: the chain continues from alice's.
    veil_ok(&[
        "ceremony",
        "ptau",
        "contribute",
        "--name",
        "bob",
        "--in",
        &d("imp.vptau"),
        "--out",
        &d("imp1.vptau"),
    ]);
    veil_ok(&["ceremony", "ptau", "verify", "--in", &d("imp1.vptau")]);
    veil_ok(&[
        "ceremony",
        "ptau",
        "export",
        "--in",
        &d("imp1.vptau"),
        "--out",
        &d("mixed.ptau"),
    ]);
    let out = sj_verify_ok(&d("mixed.ptau"));
    assert!(
        out.contains("alice") && out.contains("bob"),
        "both contributions listed: {out}"
    );

    // veil alone -> snarkjs.
    veil_ok(&[
        "ceremony",
        "ptau",
        "new",
        "--power",
        "8",
        "--out",
        &d("v0.vptau"),
    ]);
    veil_ok(&[
        "ceremony",
        "ptau",
        "contribute",
        "--name",
        "carol",
        "--in",
        &d("v0.vptau"),
        "--out",
        &d("v1.vptau"),
    ]);
    veil_ok(&[
        "ceremony",
        "ptau",
        "contribute",
        "--name",
        "dave",
        "--in",
        &d("v1.vptau"),
        "--out",
        &d("v2.vptau"),
    ]);
    veil_ok(&[
        "ceremony",
        "ptau",
        "beacon",
        "--in",
        &d("v2.vptau"),
        "--out",
        &d("v3.vptau"),
        "--hash",
        "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
        "--iterations-exp",
        "4",
    ]);
    veil_ok(&[
        "ceremony",
        "ptau",
        "export",
        "--in",
        &d("v3.vptau"),
        "--out",
        &d("veil.ptau"),
    ]);
    let out = sj_verify_ok(&d("veil.ptau"));
    assert!(
        out.contains("carol") && out.contains("dave"),
        "contributions listed: {out}"
    );
    // The exported file imports back into veil.
    veil_ok(&[
        "ceremony",
        "ptau",
        "import",
        "--in",
        &d("veil.ptau"),
        "--out",
        &d("back.vptau"),
    ]);
    veil_ok(&["ceremony", "ptau", "verify", "--in", &d("back.vptau")]);

    // An altered proof of knowledge (carol's τ·s·G1 swapped for dave's) is caught by snarkjs.
    let mut bytes = std::fs::read(d("veil.ptau")).unwrap();
    let records = find_section(&bytes, 7);
    // Record layout: 5 head points (96+192+96+96+192), then the key's G1 points.
    let first = records + 4;
    let key_g1sx = first + 672 + 96;
    let rec_len = 2108 + 4 + 2 + "carol".len();
    let second_key_g1sx = first + rec_len + 672 + 96;
    let dave: Vec<u8> = bytes[second_key_g1sx..second_key_g1sx + 96].to_vec();
    bytes[key_g1sx..key_g1sx + 96].copy_from_slice(&dave);
    std::fs::write(d("bad.ptau"), &bytes).unwrap();
    let bad = snark(&cli, &dir, &["powersoftau", "verify", &d("bad.ptau")]);
    assert!(
        !text(&bad).contains("Powers of Tau Ok!"),
        "snarkjs accepted an altered key: {}",
        text(&bad)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The offset of section `t`'s body in an iden3 binary file.
fn find_section(b: &[u8], t: u32) -> usize {
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let mut o = 12;
    loop {
        let size = u64::from_le_bytes(b[o + 4..o + 12].try_into().unwrap()) as usize;
        if u32_at(o) == t {
            return o + 12;
        }
        o += 12 + size;
    }
}
