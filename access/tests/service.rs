//! The access service as a user runs it: the real `veil-access` binary on a loopback port,
//! real HTTP requests with reqwest, real tier proofs (tier-4, groth16 dev keys).

mod common;

use common::{now, sign_root, Fixture, MAX_ROOT_AGE};
use reqwest::blocking::Client;
use veil_access::wire::{verify_message, AccessRequest, VerifyResponse, CONTEXT_VERIFY};
use veil_access::wrap::WrapMethod;
use veil_access_client::{open_response, prepare_request, request_access, send, ClientError};
use veil_prover::SecretKey;
use veil_verifier::attest::{PublicKey, Signature};
use veil_verifier::Bytes32;

fn post(f: &Fixture, path: &str, body: Vec<u8>) -> (u16, Vec<u8>) {
    let r = Client::new()
        .post(format!("{}{path}", f.url))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.bytes().unwrap().to_vec())
}

/// Posts a request (as JSON) and returns the status; a refusal must carry no body.
fn status_of(f: &Fixture, req: &serde_json::Value) -> u16 {
    let (s, body) = post(f, "/v1/access/request", serde_json::to_vec(req).unwrap());
    if s != 200 {
        assert!(
            body.is_empty(),
            "a refusal carries no detail, got {:?}",
            String::from_utf8_lossy(&body)
        );
    }
    s
}

fn json(r: &AccessRequest) -> serde_json::Value {
    serde_json::to_value(r).unwrap()
}

#[test]
fn valid_flow_end_to_end_with_both_wraps() {
    let f = Fixture::start();
    for (slot, wrap) in [(0, WrapMethod::X25519), (1, WrapMethod::MlKem1024)] {
        let grant = request_access(&f.params(0, slot, wrap)).unwrap();
        assert_eq!(*grant.k_content, f.contents[0].k_content);
        let plain =
            veil_access::content::decrypt(&grant.k_content, &f.contents[0].encrypted).unwrap();
        assert_eq!(plain, f.contents[0].plain);
    }
    // The holder has tier 3: a tier-3 content works too, a tier-4 one cannot even be proven.
    let grant = request_access(&f.params(1, 2, WrapMethod::X25519)).unwrap();
    assert_eq!(
        veil_access::content::decrypt(&grant.k_content, &f.contents[1].encrypted).unwrap(),
        f.contents[1].plain
    );
    assert!(matches!(
        request_access(&f.params(2, 3, WrapMethod::X25519)),
        Err(ClientError::Prove(_))
    ));
}

#[test]
fn replays_other_contents_tiers_roots_and_proof_tampering_are_forbidden() {
    let mut f = Fixture::start();
    // A replayed request: the same body twice (same nullifier).
    let p = prepare_request(&f.params(0, 0, WrapMethod::X25519)).unwrap();
    let good = json(&p.request);
    assert_eq!(status_of(&f, &good), 200);
    assert_eq!(status_of(&f, &good), 403, "replay");
    // The same slot again with a fresh nonce and key: the nullifier repeats, the quota holds.
    let again = prepare_request(&f.params(0, 0, WrapMethod::X25519)).unwrap();
    assert_eq!(
        status_of(&f, &json(&again.request)),
        403,
        "slot reused within the epoch"
    );

    // A proof for another content's tier: a min-tier-2 proof sent for the min-tier-3 content,
    // with that content's genuine manifest hash and signature.
    let p = prepare_request(&f.params(0, 1, WrapMethod::X25519)).unwrap();
    let mut other = json(&p.request);
    let c1 = &f.contents[1];
    other["content_id"] = c1.content_id.to_hex().into();
    other["manifest_hash"] = veil_access::sha3_256(&c1.manifest).to_hex().into();
    other["creator_signature"] = c1.signature.to_hex().into();
    assert_eq!(
        status_of(&f, &other),
        403,
        "proof for another content's tier"
    );
    // The untouched request still works (the refusal did not spend the nullifier).
    assert_eq!(status_of(&f, &json(&p.request)), 200);

    // An expired root, a root signed in the future, a root from an untrusted issuer.
    let stale = sign_root(&f.issuer, &f.credential, now() - MAX_ROOT_AGE - 60);
    let future = sign_root(&f.issuer, &f.credential, now() + 3600);
    let stranger = sign_root(&SecretKey::from_seed(&[0x99; 32]), &f.credential, now());
    for (i, root) in [stale, future, stranger].into_iter().enumerate() {
        let mut params = f.params(0, 3 + i as u32, WrapMethod::X25519);
        params.signed_root = &root;
        let p = prepare_request(&params).unwrap();
        assert_eq!(status_of(&f, &json(&p.request)), 403, "root {i}");
    }

    // Statement edits the proof does not support, each on a fresh slot's valid request.
    let p = prepare_request(&f.params(0, 6, WrapMethod::X25519)).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit); 6] = [
        ("nullifier", |v| {
            v["tier_proof"]["proof"]["statement"]["nullifier"] =
                Bytes32::from_u64(5).to_hex().into()
        }),
        ("quota", |v| {
            v["tier_proof"]["proof"]["statement"]["quota"] = 1000.into()
        }),
        ("min_tier lowered", |v| {
            v["tier_proof"]["proof"]["statement"]["min_tier"] = 0.into()
        }),
        ("epoch beacon", |v| {
            v["tier_proof"]["proof"]["statement"]["epoch_beacon"] =
                Bytes32::from_u64(5).to_hex().into()
        }),
        ("nonce (binding)", |v| {
            v["nonce"] = Bytes32([0x11; 32]).to_hex().into()
        }),
        ("key digest", |v| {
            v["tier_proof"]["proof"]["key_digest"] = Bytes32([0x11; 32]).to_hex().into()
        }),
    ];
    for (what, edit) in edits {
        let mut v = json(&p.request);
        edit(&mut v);
        assert_eq!(status_of(&f, &v), 403, "{what}");
    }
    // Another valid ephemeral key than the one the proof binds.
    let mut v = json(&p.request);
    let other_key = veil_access::wrap::ClientKeyPair::generate(WrapMethod::X25519).public_bytes();
    v["client_ephemeral_pubkey"] = hex::encode(other_key).into();
    assert_eq!(status_of(&f, &v), 403, "unbound ephemeral key");
    // The unedited request is still granted, and opens.
    let resp = send(&f.url, &p.request).unwrap();
    open_response(&f.service, &p, &resp).unwrap();
    // A response signature over other fields is refused by the client.
    let mut forged = resp.clone();
    forged.ms_nonce = Bytes32([1; 32]);
    assert!(matches!(
        open_response(&f.service, &p, &forged),
        Err(ClientError::BadResponse(_))
    ));
    assert!(f.is_running());
}

#[test]
fn malformed_requests_manifests_and_keys_are_bad_requests() {
    let mut f = Fixture::start();
    let p = prepare_request(&f.params(0, 0, WrapMethod::X25519)).unwrap();
    let good = json(&p.request);
    let c0 = &f.contents[0];
    let set = |k: &str, x: serde_json::Value| {
        let mut v = good.clone();
        v[k] = x;
        v
    };
    let other_creator = SecretKey::from_seed(&[0x77; 32]);
    let cases: Vec<(&str, serde_json::Value)> = vec![
        // Manifests: an invalid creator signature, another key's, a wrong hash, unknown content.
        (
            "tampered creator signature",
            set("creator_signature", {
                let mut b = c0.signature.to_bytes().to_vec();
                b[10] ^= 1;
                hex::encode(b).into()
            }),
        ),
        (
            "signature by an untrusted key",
            set(
                "creator_signature",
                other_creator
                    .sign_file(&c0.manifest)
                    .unwrap()
                    .to_hex()
                    .into(),
            ),
        ),
        (
            "signature over another manifest",
            set("creator_signature", f.contents[1].signature.to_hex().into()),
        ),
        (
            "short creator signature",
            set("creator_signature", "abcd".into()),
        ),
        (
            "manifest hash",
            set("manifest_hash", Bytes32([3; 32]).to_hex().into()),
        ),
        (
            "unknown content",
            set("content_id", Bytes32([3; 32]).to_hex().into()),
        ),
        ("short content id", set("content_id", "abcd".into())),
        // Ephemeral keys: lengths, encoding, small order, non-canonical, bad ML-KEM key.
        (
            "31-byte key",
            set("client_ephemeral_pubkey", "00".repeat(31).into()),
        ),
        (
            "not hex",
            set("client_ephemeral_pubkey", "zz".repeat(32).into()),
        ),
        (
            "small-order point",
            set(
                "client_ephemeral_pubkey",
                format!("01{}", "00".repeat(31)).into(),
            ),
        ),
        (
            "non-canonical point",
            set(
                "client_ephemeral_pubkey",
                format!("ed{}7f", "ff".repeat(30)).into(),
            ),
        ),
        (
            "ML-KEM key out of range",
            set("client_ephemeral_pubkey", "ff".repeat(1568).into()),
        ),
        // Form: missing and unknown fields, wrong types, short nonce, unreadable proof or root.
        ("short nonce", set("nonce", "00".into())),
        (
            "proof not an envelope",
            set(
                "tier_proof",
                serde_json::json!({"proof": {"x": 1}, "signed_root": good["tier_proof"]["signed_root"]}),
            ),
        ),
        (
            "root not a signed root",
            set(
                "tier_proof",
                serde_json::json!({"proof": good["tier_proof"]["proof"], "signed_root": 5}),
            ),
        ),
        ("unknown field", set("extra", 1.into())),
        ("nonce a number", set("nonce", 7.into())),
    ];
    for (what, v) in &cases {
        assert_eq!(status_of(&f, v), 400, "{what}");
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("nonce");
    assert_eq!(status_of(&f, &missing), 400, "missing nonce");
    for body in [
        b"".to_vec(),
        b"{".to_vec(),
        b"[]".to_vec(),
        b"\xff\xfe".to_vec(),
        vec![b' '; 70 * 1024],
    ] {
        let (s, out) = post(&f, "/v1/access/request", body);
        assert_eq!((s, out.len()), (400, 0));
    }
    // Oversize: over max_body_bytes (64 KiB), as valid JSON with a long field.
    let mut big = good.clone();
    big["creator_signature"] = "a".repeat(65 * 1024).into();
    assert_eq!(status_of(&f, &big), 400, "oversize body");
    // After all of that the original request is still fresh and granted.
    assert_eq!(status_of(&f, &good), 200);
    assert!(f.is_running());
}

#[test]
fn health_and_verify_endpoints() {
    let f = Fixture::start();
    let r = Client::new()
        .get(format!("{}/v1/health", f.url))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("set-cookie").is_none());
    assert_eq!(r.text().unwrap(), r#"{"status":"ok"}"#);

    let challenge = Bytes32([0x42; 32]);
    let (s, body) = post(
        &f,
        "/v1/access/verify",
        serde_json::to_vec(&serde_json::json!({"challenge_nonce": challenge})).unwrap(),
    );
    assert_eq!(s, 200);
    let v: VerifyResponse = serde_json::from_slice(&body).unwrap();
    let pk = PublicKey::from_hex(&v.ms_pubkey).unwrap();
    assert_eq!(pk, f.service.public_key().unwrap());
    let sig = Signature::from_hex(&v.signature).unwrap();
    pk.verify(
        "verify",
        CONTEXT_VERIFY,
        &verify_message(&pk.key_id(), &challenge),
        &sig,
    )
    .unwrap();
    assert!(pk
        .verify(
            "verify",
            CONTEXT_VERIFY,
            &verify_message(&pk.key_id(), &Bytes32([1; 32])),
            &sig
        )
        .is_err());
    for bad in [&b"{}"[..], b"{\"challenge_nonce\": \"00\"}", b"nope"] {
        assert_eq!(post(&f, "/v1/access/verify", bad.to_vec()), (400, vec![]));
    }
    let r = Client::new()
        .get(format!("{}/v1/nothing", f.url))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = Client::new()
        .get(format!("{}/v1/access/request", f.url))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
}

#[test]
fn nothing_written_names_a_content_a_nonce_or_a_key() {
    let mut f = Fixture::start();
    let files_before = list_files(&f.dir());
    let mut secrets: Vec<String> = Vec::new();
    for (slot, wrap) in [(0, WrapMethod::X25519), (1, WrapMethod::MlKem1024)] {
        let p = prepare_request(&f.params(0, slot, wrap)).unwrap();
        let resp = send(&f.url, &p.request).unwrap();
        let k = open_response(&f.service, &p, &resp).unwrap();
        secrets.push(hex::encode(*k));
        secrets.push(p.request.nonce.to_hex());
        secrets.push(p.request.client_ephemeral_pubkey[..64].to_string());
        secrets.push(resp.ms_nonce.to_hex());
        secrets.push(resp.k_content_wrapped[..64].to_string());
        // A refused one too.
        assert!(send(&f.url, &p.request).is_err());
    }
    for c in &f.contents {
        secrets.push(c.content_id.to_hex());
        secrets.push(hex::encode(c.k_content));
    }
    f.stop();
    let written = format!("{}\n{}", f.stdout(), f.stderr());
    assert!(written.contains("listening on 127.0.0.1:"), "{written}");
    let lower = written.to_lowercase();
    for s in &secrets {
        assert!(!lower.contains(&s[..32]), "the service wrote {s}");
    }
    assert_eq!(
        list_files(&f.dir()),
        files_before,
        "the service wrote files"
    );
}

fn list_files(dir: &std::path::Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            out.extend(list_files(&p));
        } else {
            out.push((p.display().to_string(), e.metadata().unwrap().len()));
        }
    }
    out.sort();
    out
}

#[test]
fn bad_configurations_are_one_line_errors() {
    let bin = env!("CARGO_BIN_EXE_veil-access");
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let o = std::process::Command::new(bin)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (code, err) = run(&["serve"]);
    assert_eq!(code, Some(1));
    assert!(err.starts_with("error: no service_key"), "{err}");
    assert_eq!(err.lines().count(), 1);
    std::fs::write(dir.path().join("c.json"), "{\"listen\": 5}").unwrap();
    let (code, err) = run(&["serve", "--config", "c.json"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("c.json"), "{err}");
    std::fs::write(dir.path().join("k"), [1u8; 31]).unwrap();
    let seed = "00".repeat(32);
    let (code, err) = run(&[
        "serve",
        "--service-key",
        "k",
        "--verifying-key",
        "x",
        "--trusted-creators",
        "x",
        "--trusted-issuers",
        "x",
        "--content-store",
        "x",
        "--epoch-beacon-seed",
        &seed,
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("32-byte"), "{err}");
}

/// Sleeps until `margin_ms` past the next multiple of `seconds` in unix time.
fn sleep_to_next_epoch(seconds: u64, margin_ms: u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let next = (now.as_secs() / seconds + 1) * seconds;
    let target = std::time::Duration::from_secs(next) + std::time::Duration::from_millis(margin_ms);
    std::thread::sleep(target - now);
}

#[test]
fn epochs_rotate_a_slot_comes_back_and_old_epochs_proofs_are_refused() {
    const EPOCH: u64 = 10;
    let f = Fixture::start_with(&["--epoch-seconds", &EPOCH.to_string()]);
    assert_eq!(f.service.epoch_seconds, EPOCH);
    sleep_to_next_epoch(EPOCH, 200);
    let first = prepare_request(&f.params(0, 0, WrapMethod::X25519)).unwrap();
    assert_eq!(status_of(&f, &json(&first.request)), 200);
    let same_slot = prepare_request(&f.params(0, 0, WrapMethod::X25519)).unwrap();
    assert_eq!(
        status_of(&f, &json(&same_slot.request)),
        403,
        "slot 0 is used in this epoch"
    );
    let kept = prepare_request(&f.params(0, 1, WrapMethod::X25519)).unwrap();
    sleep_to_next_epoch(EPOCH, 200);
    // A proof made for the last epoch's beacon is refused in this one.
    assert_eq!(
        status_of(&f, &json(&kept.request)),
        403,
        "last epoch's proof"
    );
    // Slot 0 works again: a new beacon, a new nullifier, a new set.
    let again = prepare_request(&f.params(0, 0, WrapMethod::X25519)).unwrap();
    assert_eq!(status_of(&f, &json(&again.request)), 200);
}
