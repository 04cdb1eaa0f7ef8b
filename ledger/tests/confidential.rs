//! Confidential receipts (issue 16 §3): envelope encryption for participants and an auditor,
//! every refusal by name, rotation, the hash-chained access log, and known-answer tests of
//! both wrap formats against values computed independently (Python's `cryptography` 48,
//! which wraps OpenSSL: X25519, HKDF-SHA256, AES-256-GCM, ML-KEM-1024).

use serde_json::json;
use veil_ledger::confidential::wrap::{self, Alg, PublicKey, SecretKey};
use veil_ledger::confidential::{
    self, ConfidentialError, ConfidentialReceipt, Keystore, PublicPart, RecipientRole, Wrap,
};
use veil_verifier::{Backend, Bytes32, Id};

fn id(n: u8) -> Id {
    Bytes32([n; 32])
}

const CLIENT: u8 = 1;
const MINER: u8 = 2;
const AUDITOR: u8 = 9;

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    ks: Keystore,
}

fn fixture(alg: Alg) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settlement.db");
    let mut ks = Keystore::open(&path).unwrap();
    for p in [CLIENT, MINER, AUDITOR] {
        ks.generate(&id(p), alg, 1_000).unwrap();
    }
    Fixture {
        _dir: dir,
        path,
        ks,
    }
}

fn public_part() -> PublicPart {
    PublicPart {
        receipt_id: Bytes32(confidential::random32()),
        transaction_id: id(0x77),
        participants: vec![id(CLIENT), id(MINER)],
        auditor: id(AUDITOR),
        tx_digest: None,
        amount_commitment: None,
        backend: None,
    }
}

fn fields() -> serde_json::Value {
    json!({ "amount_micros": 1_000_000u64, "pricing": { "per_hour": "0.25" },
            "settlement_details": { "iban": "DE00 0000" } })
}

fn sealed(f: &mut Fixture, alg: Alg) -> ConfidentialReceipt {
    let recipients =
        f.ks.recipients(&[id(CLIENT), id(MINER)], &id(AUDITOR), alg)
            .unwrap();
    let r = confidential::seal(public_part(), &fields(), &recipients).unwrap();
    f.ks.register(&r).unwrap();
    r
}

#[test]
fn every_recipient_decrypts_and_each_access_is_logged() {
    for alg in [Alg::X25519, Alg::MlKem1024] {
        let mut f = fixture(alg);
        let r = sealed(&mut f, alg);
        assert_eq!(r.wraps.len(), 3);
        assert_eq!(r.wraps[2].role, RecipientRole::Auditor);
        // The public part carries ids only; the amount is nowhere in the clear.
        let text = r.to_json();
        assert!(!text.contains("1000000") && !text.contains("iban"));
        let back = ConfidentialReceipt::from_json(&text).unwrap();
        assert_eq!(back, r);
        for (p, purpose) in [
            (CLIENT, "settlement"),
            (MINER, "settlement"),
            (AUDITOR, "court-order-123"),
        ] {
            let got =
                f.ks.decrypt(&back, &id(p), None, purpose, 2_000 + p as u64)
                    .unwrap();
            assert_eq!(got, fields());
        }
        let log = f.ks.log().unwrap();
        assert_eq!(log.len(), 3);
        assert_eq!(log[2].purpose, "court-order-123");
        assert_eq!(log[2].requester, id(AUDITOR));
        assert_eq!(log[2].receipt_id, r.public.receipt_id);
        let report = f.ks.verify_log(None).unwrap();
        assert_eq!(report.entries, 3);
        assert_eq!(report.head, log[2].entry_hash);
        // Two encryptions of the same fields differ (fresh data key, nonce, ephemeral keys).
        let r2 = sealed(&mut f, alg);
        assert_ne!(r2.ciphertext, r.ciphertext);
        assert_ne!(r2.wraps[0].wrapped, r.wraps[0].wrapped);
    }
}

#[test]
fn wrong_key_is_refused() {
    for alg in [Alg::X25519, Alg::MlKem1024] {
        let mut f = fixture(alg);
        let r = sealed(&mut f, alg);
        let other = SecretKey::generate(alg);
        let e = r.open(&id(CLIENT), &other).unwrap_err();
        assert!(matches!(e, ConfidentialError::WrongKey { .. }), "{e}");
        let e =
            f.ks.decrypt(&r, &id(CLIENT), Some(&other), "settlement", 5)
                .unwrap_err();
        assert!(matches!(e, ConfidentialError::WrongKey { .. }), "{e}");
        // Another participant's key, for this participant's wrap.
        let miner = f.ks.export_secret(&id(MINER), alg).unwrap();
        let e = r.open(&id(CLIENT), &miner).unwrap_err();
        assert!(matches!(e, ConfidentialError::WrongKey { .. }), "{e}");
        // A wrap relabelled for the wrong key id still does not open.
        let mut relabelled = r.clone();
        relabelled.wraps[0].key_id = other.public().key_id();
        let e = relabelled.open(&id(CLIENT), &other).unwrap_err();
        assert!(matches!(e, ConfidentialError::WrapTampered(_)), "{e}");
        assert!(
            f.ks.log().unwrap().is_empty(),
            "a refused access is not logged as one"
        );
    }
}

#[test]
fn tampered_ciphertext_is_refused() {
    for alg in [Alg::X25519, Alg::MlKem1024] {
        let mut f = fixture(alg);
        let r = sealed(&mut f, alg);
        let client = f.ks.export_secret(&id(CLIENT), alg).unwrap();
        for i in [0, r.ciphertext.len() / 2, r.ciphertext.len() - 1] {
            let mut bad = r.clone();
            bad.ciphertext[i] ^= 0x01;
            assert!(matches!(
                bad.open(&id(CLIENT), &client),
                Err(ConfidentialError::CiphertextTampered)
            ));
            assert!(matches!(
                f.ks.decrypt(&bad, &id(CLIENT), None, "settlement", 5),
                Err(ConfidentialError::CiphertextTampered)
            ));
        }
        let mut bad = r.clone();
        bad.nonce[0] ^= 1;
        assert!(matches!(
            bad.open(&id(CLIENT), &client),
            Err(ConfidentialError::CiphertextTampered)
        ));
        let mut short = r.clone();
        short.ciphertext.truncate(8);
        assert!(matches!(
            short.open(&id(CLIENT), &client),
            Err(ConfidentialError::CiphertextTampered)
        ));
    }
}

#[test]
fn tampered_wrap_is_refused() {
    for alg in [Alg::X25519, Alg::MlKem1024] {
        let mut f = fixture(alg);
        let r = sealed(&mut f, alg);
        let n = r.wraps[1].wrapped.len();
        // The ephemeral key / KEM ciphertext, the sealed key, its tag, and a short wrap.
        for i in [0, n - 40, n - 1] {
            let mut bad = r.clone();
            bad.wraps[1].wrapped[i] ^= 0x01;
            let e =
                f.ks.decrypt(&bad, &id(MINER), None, "settlement", 5)
                    .unwrap_err();
            assert!(
                matches!(e, ConfidentialError::WrapTampered(_)),
                "byte {i}: {e}"
            );
        }
        let mut bad = r.clone();
        bad.wraps[1].wrapped.pop();
        let e =
            f.ks.decrypt(&bad, &id(MINER), None, "settlement", 5)
                .unwrap_err();
        assert!(matches!(e, ConfidentialError::WrapTampered(_)), "{e}");
        // A wrap moved to another recipient's slot.
        let mut swapped = r.clone();
        let w0 = swapped.wraps[0].wrapped.clone();
        swapped.wraps[1].wrapped = w0;
        let e =
            f.ks.decrypt(&swapped, &id(MINER), None, "settlement", 5)
                .unwrap_err();
        assert!(matches!(e, ConfidentialError::WrapTampered(_)), "{e}");
    }
}

#[test]
fn tampered_associated_data_is_refused() {
    for alg in [Alg::X25519, Alg::MlKem1024] {
        let mut f = fixture(alg);
        let r = sealed(&mut f, alg);
        let client = f.ks.export_secret(&id(CLIENT), alg).unwrap();
        let mut bad = r.clone();
        bad.public.transaction_id = id(0x78);
        // With the store: named as such, from the registered binding.
        let e =
            f.ks.decrypt(&bad, &id(CLIENT), None, "settlement", 5)
                .unwrap_err();
        assert!(matches!(e, ConfidentialError::PublicTampered), "{e}");
        // Without it: the wrap, bound to the public part, no longer opens.
        let e = bad.open(&id(CLIENT), &client).unwrap_err();
        assert!(matches!(e, ConfidentialError::WrapTampered(_)), "{e}");
        // Even with the data key in hand, the ciphertext is bound to the public part.
        let dek = r.unwrap_dek(&id(CLIENT), &client).unwrap();
        assert!(matches!(
            bad.open_with(&dek),
            Err(ConfidentialError::CiphertextTampered)
        ));
        let mut dropped = r.clone();
        dropped.public.participants.pop();
        assert!(matches!(
            dropped.open_with(&dek),
            Err(ConfidentialError::CiphertextTampered)
        ));
    }
}

#[test]
fn unknown_participant_is_refused() {
    let mut f = fixture(Alg::X25519);
    let e =
        f.ks.recipients(&[id(CLIENT), id(42)], &id(AUDITOR), Alg::X25519)
            .unwrap_err();
    assert!(
        matches!(e, ConfidentialError::UnknownParticipant(ref p) if p == &id(42).to_hex()),
        "{e}"
    );
    // An auditor without an ML-KEM key, for an ML-KEM receipt.
    let e =
        f.ks.recipients(&[id(CLIENT)], &id(AUDITOR), Alg::MlKem1024)
            .unwrap_err();
    assert!(matches!(e, ConfidentialError::UnknownParticipant(_)), "{e}");
    let r = sealed(&mut f, Alg::X25519);
    let e =
        f.ks.decrypt(&r, &id(42), Some(&SecretKey::generate(Alg::X25519)), "x", 5)
            .unwrap_err();
    assert!(matches!(e, ConfidentialError::UnknownParticipant(_)), "{e}");
    // A known participant that is not a recipient.
    f.ks.generate(&id(43), Alg::X25519, 5).unwrap();
    let e = f.ks.decrypt(&r, &id(43), None, "x", 5).unwrap_err();
    assert!(matches!(e, ConfidentialError::NotARecipient(_)), "{e}");
    // Bad purposes.
    for purpose in ["", "a\nb"] {
        assert!(matches!(
            f.ks.decrypt(&r, &id(CLIENT), None, purpose, 5),
            Err(ConfidentialError::Refused(_))
        ));
    }
    let long = "p".repeat(257);
    assert!(matches!(
        f.ks.decrypt(&r, &id(CLIENT), None, &long, 5),
        Err(ConfidentialError::Refused(_))
    ));
}

#[test]
fn rotation_rewraps_active_receipts_without_touching_the_ciphertext() {
    for alg in [Alg::X25519, Alg::MlKem1024] {
        let mut f = fixture(alg);
        let a = sealed(&mut f, alg);
        let b = sealed(&mut f, alg);
        let archived = sealed(&mut f, alg);
        f.ks.deactivate(&archived.public.receipt_id).unwrap();
        let old = f.ks.export_secret(&id(MINER), alg).unwrap();
        let (new_pub, n) = f.ks.rotate(&id(MINER), alg, 3_000).unwrap();
        assert_eq!(
            n, 2,
            "the two active receipts are re-wrapped, the archived one is not"
        );
        assert_ne!(new_pub.key_id(), old.public().key_id());
        let new = f.ks.export_secret(&id(MINER), alg).unwrap();
        assert_eq!(new.public(), &new_pub);
        for r in [&a, &b] {
            let stored = f.ks.receipt(&r.public.receipt_id).unwrap().unwrap();
            assert_eq!(stored.ciphertext, r.ciphertext, "ciphertext untouched");
            assert_eq!(stored.nonce, r.nonce);
            assert_eq!(stored.public, r.public);
            assert_eq!(
                stored.wraps[0], r.wraps[0],
                "other recipients' wraps untouched"
            );
            assert_eq!(stored.wraps[1].key_id, new_pub.key_id());
            assert_eq!(
                f.ks.decrypt(&stored, &id(MINER), Some(&new), "settlement", 4_000)
                    .unwrap(),
                fields()
            );
            assert_eq!(
                f.ks.decrypt(&stored, &id(MINER), None, "settlement", 4_000)
                    .unwrap(),
                fields()
            );
            // The rotated-away key is refused, on the new receipt and on the old file.
            let e =
                f.ks.decrypt(&stored, &id(MINER), Some(&old), "settlement", 4_000)
                    .unwrap_err();
            assert!(matches!(e, ConfidentialError::RotatedKey { .. }), "{e}");
            let e =
                f.ks.decrypt(r, &id(MINER), Some(&old), "settlement", 4_000)
                    .unwrap_err();
            assert!(matches!(e, ConfidentialError::RotatedKey { .. }), "{e}");
            let e =
                f.ks.decrypt(r, &id(MINER), None, "settlement", 4_000)
                    .unwrap_err();
            assert!(matches!(e, ConfidentialError::RotatedKey { .. }), "{e}");
        }
        // The old secret is gone from the store; exporting gives the new one only.
        assert!(f.ks.active_key(&id(MINER), alg).unwrap().unwrap() == new_pub);
        // The file-level rewrap (what `veil receipt rewrap` does) keeps the ciphertext too.
        let mut c = a.clone();
        let other = SecretKey::generate(alg);
        c.rewrap(
            &id(CLIENT),
            &f.ks.export_secret(&id(CLIENT), alg).unwrap(),
            other.public(),
        )
        .unwrap();
        assert_eq!(c.ciphertext, a.ciphertext);
        assert_eq!(c.open(&id(CLIENT), &other).unwrap(), fields());
        assert!(f.ks.verify_log(None).is_ok());
        // Unknown participant.
        assert!(matches!(
            f.ks.rotate(&id(42), alg, 5),
            Err(ConfidentialError::UnknownParticipant(_))
        ));
    }
}

/// A raw connection to the store, with the append-only triggers dropped: what someone with
/// write access to the file can do.
fn raw(path: &std::path::Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "DROP TRIGGER confidential_log_no_update; DROP TRIGGER confidential_log_no_delete;",
    )
    .unwrap();
    c
}

fn logged(n: usize) -> (Fixture, ConfidentialReceipt) {
    let mut f = fixture(Alg::X25519);
    let r = sealed(&mut f, Alg::X25519);
    for i in 0..n {
        let p = [CLIENT, MINER, AUDITOR][i % 3];
        f.ks.decrypt(&r, &id(p), None, &format!("purpose-{i}"), 100 + i as u64)
            .unwrap();
    }
    (f, r)
}

#[test]
fn the_access_log_is_append_only() {
    let (f, _) = logged(3);
    let c = rusqlite::Connection::open(&f.path).unwrap();
    assert!(c
        .execute(
            "UPDATE confidential_log SET purpose = 'x' WHERE seq = 2",
            []
        )
        .is_err());
    assert!(c
        .execute("DELETE FROM confidential_log WHERE seq = 2", [])
        .is_err());
    assert_eq!(f.ks.verify_log(None).unwrap().entries, 3);
}

#[test]
fn a_rewritten_log_entry_is_detected() {
    let (f, _) = logged(4);
    raw(&f.path)
        .execute(
            "UPDATE confidential_log SET purpose = 'routine' WHERE seq = 2",
            [],
        )
        .unwrap();
    let e = f.ks.verify_log(None).unwrap_err();
    assert!(
        matches!(e, ConfidentialError::LogBroken { seq: 2, .. }),
        "{e}"
    );
    // Rewriting the entry's hash too breaks the link of the next one.
    let (f, _) = logged(4);
    let c = raw(&f.path);
    c.execute("UPDATE confidential_log SET at = 1 WHERE seq = 2", [])
        .unwrap();
    let entries = f.ks.log().unwrap();
    let e2 = &entries[1];
    let h = veil_ledger::confidential::keystore::entry_hash(
        &e2.prev_hash,
        2,
        &e2.receipt_id,
        &e2.requester,
        &e2.key_id,
        &e2.purpose,
        1,
    );
    c.execute(
        "UPDATE confidential_log SET entry_hash = ?1 WHERE seq = 2",
        [h.0.to_vec()],
    )
    .unwrap();
    let e = f.ks.verify_log(None).unwrap_err();
    assert!(
        matches!(e, ConfidentialError::LogBroken { seq: 3, .. }),
        "{e}"
    );
}

#[test]
fn a_deleted_log_entry_is_detected() {
    let (f, _) = logged(4);
    raw(&f.path)
        .execute("DELETE FROM confidential_log WHERE seq = 2", [])
        .unwrap();
    let e = f.ks.verify_log(None).unwrap_err();
    assert!(
        matches!(e, ConfidentialError::LogBroken { seq: 2, .. }),
        "{e}"
    );
    // Deleted and renumbered: the link breaks.
    let (f, _) = logged(4);
    let c = raw(&f.path);
    c.execute_batch("DELETE FROM confidential_log WHERE seq = 2; UPDATE confidential_log SET seq = seq - 1 WHERE seq > 2;")
        .unwrap();
    assert!(matches!(
        f.ks.verify_log(None),
        Err(ConfidentialError::LogBroken { seq: 2, .. })
    ));
    // The last entry deleted: found against the head an auditor recorded.
    let (f, _) = logged(4);
    let head = f.ks.verify_log(None).unwrap().head;
    raw(&f.path)
        .execute("DELETE FROM confidential_log WHERE seq = 4", [])
        .unwrap();
    assert!(
        f.ks.verify_log(None).is_ok(),
        "a shorter chain is consistent by itself"
    );
    assert!(matches!(
        f.ks.verify_log(Some(&head)),
        Err(ConfidentialError::LogBroken { .. })
    ));
}

#[test]
fn a_reordered_log_is_detected() {
    let (f, _) = logged(4);
    // Swap the contents (hashes included) of entries 2 and 3.
    raw(&f.path)
        .execute_batch(
            "UPDATE confidential_log SET seq = 100 WHERE seq = 2;
             UPDATE confidential_log SET seq = 2 WHERE seq = 3;
             UPDATE confidential_log SET seq = 3 WHERE seq = 100;",
        )
        .unwrap();
    let e = f.ks.verify_log(None).unwrap_err();
    assert!(
        matches!(e, ConfidentialError::LogBroken { seq: 2, .. }),
        "{e}"
    );
}

#[test]
fn the_amount_commitment_opens_with_the_sealed_blinding() {
    use veil_circuits::{receipt, PoseidonBls12};
    let tx = veil_circuits::revenue::transaction_digest::<PoseidonBls12>(&id(1), &id(2), &id(3))
        .unwrap();
    let (c, b) = confidential::amount_commitment(Backend::Groth16, &tx, 1_000_000).unwrap();
    assert_eq!(
        receipt::amount_commitment::<PoseidonBls12>(&tx, 1_000_000, &b).unwrap(),
        c
    );
    let (c2, b2) = confidential::amount_commitment(Backend::Groth16, &tx, 1_000_000).unwrap();
    assert_ne!((c, b), (c2, b2), "a fresh blinding per receipt");
}

#[test]
fn malformed_input_is_refused() {
    assert!(matches!(
        ConfidentialReceipt::from_json("{"),
        Err(ConfidentialError::Malformed(_))
    ));
    assert!(matches!(
        ConfidentialReceipt::from_json("[]"),
        Err(ConfidentialError::Malformed(_))
    ));
    assert!(PublicKey::from_bytes(Alg::X25519, &[0u8; 31]).is_err());
    assert!(
        PublicKey::from_bytes(Alg::X25519, &[0u8; 32]).is_err(),
        "small order"
    );
    assert!(PublicKey::from_bytes(Alg::MlKem1024, &[0u8; 32]).is_err());
    assert!(
        SecretKey::from_bytes(Alg::MlKem1024, &[0u8; 3168]).is_err(),
        "H(ek) check"
    );
    let mut f = fixture(Alg::X25519);
    let r = sealed(&mut f, Alg::X25519);
    let mut v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    v["format_version"] = 2.into();
    assert!(ConfidentialReceipt::from_json(&v.to_string()).is_err());
    let mut v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    v["public"]["amount_micros"] = 5.into();
    assert!(
        ConfidentialReceipt::from_json(&v.to_string()).is_err(),
        "no unknown fields"
    );
    assert!(confidential::seal(public_part(), &json!([1]), &[]).is_err());
    let big = json!({ "amount_micros": 1, "x": "y".repeat(confidential::MAX_FIELDS_BYTES) });
    let rec =
        f.ks.recipients(&[id(CLIENT)], &id(AUDITOR), Alg::X25519)
            .unwrap();
    assert!(confidential::seal(public_part(), &big, &rec).is_err());
    assert!(f.ks.register(&r).is_err(), "registered twice");
    assert!(
        f.ks.generate(&id(CLIENT), Alg::X25519, 1).is_err(),
        "a second active key: rotate"
    );
}

// ------------------------------------------------------------ known answers

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// The X25519 wrap of a fixed data key, with fixed recipient and ephemeral secrets, computed
/// by Python's `cryptography` (X25519PrivateKey, HKDF(SHA256), AESGCM) and hashlib.sha3_256
/// following the format in veil_ledger::confidential literally.
#[test]
fn x25519_wrap_matches_an_independent_computation() {
    let r_sk: Vec<u8> = (1u8..=32).collect();
    let e_sk: [u8; 32] = core::array::from_fn(|i| 101 + i as u8);
    let sk = SecretKey::from_bytes(Alg::X25519, &r_sk).unwrap();
    assert_eq!(
        hex::encode(sk.public().as_bytes()),
        "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
    );
    assert_eq!(
        sk.public().key_id().to_hex(),
        "8cd26e901f63cc22dd1d9310ec2929daba6fca7b5450e397ee5627e99b43458f"
    );
    let dek = [0x42u8; 32];
    let binding = Bytes32([0xb1; 32]);
    let rid = Bytes32([0x0d; 32]);
    let wrapped = wrap::wrap_x25519_with(e_sk, &dek, &binding, &rid, sk.public()).unwrap();
    let expected = "5714769d116bf76436ae74bc793d2c30ad1903c59ac5273805c7e2698b410c3657f2476f86268e0afee51110afc997e188d06827ffe95b3bd84941d40e8fd13d8b600ab88d25942ea7b4bde8a12f6794";
    assert_eq!(hex::encode(&wrapped), expected);
    let w = Wrap {
        recipient: rid,
        role: RecipientRole::Participant,
        alg: Alg::X25519,
        key_id: sk.public().key_id(),
        wrapped: h(expected),
    };
    assert_eq!(*wrap::unwrap(&w, &binding, &sk).unwrap(), dek);
}

/// An ML-KEM-1024 wrap made by Python's `cryptography` (MLKEM1024PrivateKey.from_seed_bytes
/// of the seed 00 01 … 3f, its own random encapsulation, HKDF(SHA256), AESGCM): the key made
/// here from the same FIPS 203 seed (d ‖ z) must be the same and must open it.
#[test]
fn ml_kem_wrap_matches_an_independent_computation() {
    use ml_kem::{EncodedSizeUser, KemCore};
    let seed: Vec<u8> = (0u8..64).collect();
    let d = ml_kem::B32::try_from(&seed[..32]).unwrap();
    let z = ml_kem::B32::try_from(&seed[32..]).unwrap();
    let (dk, _) = ml_kem::MlKem1024::generate_deterministic(&d, &z);
    let sk = SecretKey::from_bytes(Alg::MlKem1024, &dk.as_bytes()).unwrap();
    use sha3::Digest as _;
    assert_eq!(
        hex::encode(sha3::Sha3_256::digest(sk.public().as_bytes())),
        "61349e5c131a7e116a0463861d7d18663c5627c38c7147ddaadfd48acd7a4535"
    );
    assert_eq!(
        sk.public().key_id().to_hex(),
        "ccf8805f6d4e0f8e877f22a504c15e65ef91554ff0a49fb904f09bc326992ff8"
    );
    let w = Wrap {
        recipient: Bytes32([0x0d; 32]),
        role: RecipientRole::Auditor,
        alg: Alg::MlKem1024,
        key_id: sk.public().key_id(),
        wrapped: h(WRAPPED_ML_KEM),
    };
    assert_eq!(
        *wrap::unwrap(&w, &Bytes32([0xb1; 32]), &sk).unwrap(),
        [0x42u8; 32]
    );
    let mut bad = w.clone();
    bad.wrapped[5] ^= 1;
    assert!(matches!(
        wrap::unwrap(&bad, &Bytes32([0xb1; 32]), &sk),
        Err(ConfidentialError::WrapTampered(_))
    ));
}

const WRAPPED_ML_KEM: &str = "a32cea5af12b251aac33867a63f4588066d784eca4c6ec36bb5b839963d0ef7bf37b67605b919080d12d8fb160afe0206dbd45d9cd5f7fee3ce2d62cce7c7cca0715d3ff79e5497c6cf2e3f4c0e56aabb307da57be789260c8ab68ad5dbb8e583a010e2c18608fe31f8671761bfd71e0e7d2b2da2748d99a387c01665d4964d4191a128c7094070e7a52085d1ca1bdb91d390c5c405f5d1562594a089c8c36bfd54cfc1da8e5090535a043206b3e21b8b16112ed59fc9f3ca360773823d9422319fa352208ea49b16eb8e5698ab4730eb1e7599c1d63d4910c44c7f33a22462f46ce9a25d1aaa80cd262c7b6410463b36f8a2222c4ab65087bf88aca0a9de840447730ae965e617418c1b783ac9964cdbb05584779f6d14812d08010a830be15b9f11a0c617a74f7d3589421362800b09cbba822feb6aef11e010c34085e1a390ea86d6caa9a3df26de2ab08a28c84744c2962cf7a92029cd0ca12f1f4c7ad688894dbd2c224bffdc6cce7b976d46f40ebc1ab30a5b3518ef6c4c60eaa507029bad9909e2a422bc7eb4c7472d68cd80dc4617f3a11870c7787db50ecbeec0d653ffc74b230694403ca2f94fe787e34291fbf9c7c826c1ff75f48754c5e5c32f68450371c21fa2520a46b980b8d1c250824ff5b980389247310b582fb42c5349dd6d1457172c19e22a87f870670fa1c7acd6c4f30747a28d557826e92fd71c2f7d9b262ac62f9306dfb3013624d37d0d7417ece20f7cde89767ec50c7380b63188d466afd056d14d0cc836f935ffdaa26bf5e79a718d66ef5bcf4bc36721aa31a4c075d04d873d6128554abc26964f31d58269fb004a0202bb4aa191f37dfa147665b0fee986fea350cb77be5ea6f470cda9bb090a6465e26691be8cdd2984f653c12f9a13d0c5297c52e20855dc551037394800c8989533dd47fb5562573c58cce9eee3545ff01fa5a5f04416cce099c5e017f1f8cebf9af5db795ff1fffce9a0f5453c80eaf3e034ee75e58fefc553e2141ee349136503e0e193893a9514f107368480a6311c56a4b6e953b405ad9b26017860e95e7adf13c2e085ee677fb2d787db758e3c98e520d685a37367c80e78ce2226ceb4da646d3bae1874c30e3529f26efcfa7139d457393cd6e8c55fb83f11a5986e142de3f8330c4e98e75c569a8bb715b34d8269ff5ac2456164e143ee55d97e0c8a0883586c9feb7dc7d165dc63473d3e8ece5f7f1e2b634a4f9597e6678d17c86bfb98e3cc22decd5bf41dd4d34a21b7fe13dc36f3fe0ca8150a4e9dfec8410275e5d9db0d84d7fdeebc40387d828b44e4aeb3bcf79efb8d52aee5afc4a228f6d32371910c726bc6fd2a0023f1239629d78c0ce0d97009b61563112622a1e835aad8ef210e9bbd5874c05fac6c4c404cd5cb499624131b7f9fd7e7bd28ae31206884b1933c7e42f758d4e0af07fa1ce315ee248301efde9cdd136d8f543558fdece5c60aef3a97f372544e0940ee5158ffd1163e93ecc755ea114aed6bcaaa9b07b634cfa73a762eacded2ab7fd340b9e89d31f59e2e61df6ee50e660d5156f1d6be3c0b77c7ba8e5b65a3e2a14fe7d8dacc8ae367dbde1dba428d1aca7127716d4cae15618b91ef9843f2aee2cab65f893bd55d852070caa5bfc22ac8d71ed565688825d889a759590eb9b85f39ad4e110c8f7c21dcde27ca4772107575e0b1b8f25b4265bc177ed66f8703bace6b3e57ccccb5877fb75fa0ffd63c851783049fd8cd062289b594c46f71482c8dac52ff08758aeb2e418963a104e0c8a58fcc928e262fe5e63874a68498cbf7b8b313b61afcb11b71df8b0282690141a78d54b75bdc9bfa4d32b55527f8ccff62a01aff8f751be16b389cd4521aef0b701ff2cb191a91c7ad40f5473f245818d939df9b684e899340074f19e559421fd6c53432ba55eb0e9b5b179dd7d9a5f1f58ade7122c2622d40d5c5846aa665b6f76ecd346667858f776b1bfc3b15bafecd6e960f08e0d2f1bc6782ff9b7db44286edee094806c7cba79b499f3d87712bd4f551046b104d3cac97b89696f588ece3a3e822920e0ab2c5ca810c6bd2b45a324aefeac627ff3c2fdcb2e8d1191c154e077ecfb9d812cbd4ebe0cf18f1590601cab62ba82efe02d879667fcff4139b7364da055d1226d2b8fc90550437f3dfa5004e9a1650df30fa0c00bee832ef7f62497ea9375c8ff140d1beb7ee63b42eca4abb7e415df533f701f6cf471d3f700fd807a85ded1694941886367c45c7fc3203ffa86c779369a4f2550fd7a9b";

// ------------------------------------------------------------ timing (not a test)

fn median_us(mut f: impl FnMut(), runs: usize) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = std::time::Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[runs / 2]
}

/// The figures in BENCHMARKS.md ("Confidential receipts"): `cargo test --release -p
/// veil-ledger --test confidential -- --ignored --nocapture`. Prints, asserts nothing.
#[test]
#[ignore = "timing for BENCHMARKS.md; prints only"]
fn timing_of_encryption_and_wraps() {
    let dek = [7u8; 32];
    let binding = Bytes32([1; 32]);
    let rid = id(3);
    for alg in [Alg::X25519, Alg::MlKem1024] {
        let sk = SecretKey::generate(alg);
        let pk = sk.public().clone();
        let keygen = median_us(|| drop(SecretKey::generate(alg)), 51);
        let w = wrap::wrap(&dek, &binding, &rid, RecipientRole::Participant, &pk).unwrap();
        let wrap_us = median_us(
            || drop(wrap::wrap(&dek, &binding, &rid, RecipientRole::Participant, &pk).unwrap()),
            51,
        );
        let unwrap_us = median_us(|| drop(wrap::unwrap(&w, &binding, &sk).unwrap()), 51);
        println!(
            "{}: keygen {keygen:.1} us, wrap {wrap_us:.1} us per recipient, unwrap {unwrap_us:.1} us, wrapped {} bytes",
            alg.name(),
            w.wrapped.len()
        );
        for n in [1usize, 3, 8] {
            let sks: Vec<SecretKey> = (0..n).map(|_| SecretKey::generate(alg)).collect();
            let recipients: Vec<confidential::Recipient> = sks
                .iter()
                .enumerate()
                .map(|(i, k)| confidential::Recipient {
                    id: id(i as u8),
                    role: RecipientRole::Participant,
                    key: k.public().clone(),
                })
                .collect();
            let seal_us = median_us(
                || drop(confidential::seal(public_part(), &fields(), &recipients).unwrap()),
                31,
            );
            let r = confidential::seal(public_part(), &fields(), &recipients).unwrap();
            let open_us = median_us(|| drop(r.open(&id(0), &sks[0]).unwrap()), 31);
            println!(
                "{}: seal for {n} recipients {seal_us:.1} us ({:.1} us per recipient), decrypt by one recipient (unwrap + body) {open_us:.1} us, file {} bytes",
                alg.name(),
                seal_us / n as f64,
                r.to_json().len()
            );
        }
    }
}
