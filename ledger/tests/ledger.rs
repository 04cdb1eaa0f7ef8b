//! veil-ledger through its library API: the valid path of each module, each refusal (and that
//! it changed nothing), both backends, real deletion, two writers on one store, and the
//! revenue proof end to end.

use std::path::Path;
use veil_circuits::{
    Circuit, Metering, NativeHasher, Ownership, PoseidonBls12, PoseidonGoldilocks, Renewal,
    Revenue, Waterfall,
};
use veil_ledger::settlement::Rules;
use veil_ledger::{Issuer, Meter, Role, Settlement, SettlementTx, Store, Wallet};
use veil_prover::attest::SecretKey;
use veil_verifier::attest::{verify_revenue_proof_with_circuit, ZkRevenueProof};
use veil_verifier::{AnyVerifyingKey, Backend, Bytes32, Share, Tranche};

const T0: u64 = 1_767_225_600;
const MONTH: u64 = 2_678_400;

fn key(n: u8) -> SecretKey {
    SecretKey::from_seed(&[n; 32])
}

fn id(n: u64) -> Bytes32 {
    Bytes32::from_u64(n)
}

fn refused<T: std::fmt::Debug>(r: Result<T, veil_ledger::LedgerError>, says: &str) {
    let e = r.expect_err("must be refused").to_string();
    assert!(e.contains(says), "the error {e:?} should say {says:?}");
}

fn any_vk(vk: veil_verifier::Groth16VerifyingKey) -> AnyVerifyingKey {
    let p = vk.prepare();
    AnyVerifyingKey::Groth16(Box::new(vk), Box::new(p))
}

fn issue_one(dir: &Path, backend: Backend) -> (Issuer, Wallet, veil_ledger::TokenRecord) {
    let mut issuer = Issuer::open(&dir.join("issuer.db"), Some(backend)).unwrap();
    issuer.init(4, 4).unwrap();
    issuer.add_package(&id(7)).unwrap();
    let mut wallet = Wallet::open(&dir.join("wallet.db"), Some(backend)).unwrap();
    let req = wallet.request(b"alice", &id(7)).unwrap();
    let token = issuer.issue(&req, &key(1), T0, T0 + MONTH).unwrap();
    wallet.accept(&token, key(1).public_key()).unwrap();
    issuer.publish_root(&key(1), T0).unwrap();
    (issuer, wallet, token)
}

fn ownership_check<H: NativeHasher>(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (mut issuer, mut wallet, token) = issue_one(dir.path(), backend);
    let path = issuer.path(&token.token_id).unwrap();
    let w = wallet
        .ownership_witness(&id(7), &path, &id(99), T0 + 10)
        .unwrap();
    Ownership::new(4).unwrap().check::<H>(&w).unwrap();
}

#[test]
fn issued_tokens_give_valid_ownership_witnesses_on_both_backends() {
    ownership_check::<PoseidonBls12>(Backend::Groth16);
    ownership_check::<PoseidonGoldilocks>(Backend::Plonky2);
}

#[test]
fn issuance_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let (mut issuer, mut wallet, token) = issue_one(dir.path(), Backend::Groth16);
    // The wallet refuses a token signed by another key, and a second request per package.
    refused(wallet.accept(&token, key(2).public_key()), "signed by key");
    refused(wallet.request(b"alice", &id(7)), "already holds");
    // Unknown package.
    let mut w2 = Wallet::open(&dir.path().join("w2.db"), None).unwrap();
    let req = w2.request(b"bob", &id(8)).unwrap();
    refused(issuer.issue(&req, &key(1), T0, T0 + 1), "unknown package");
    // Expiry before issue.
    let req = w2.request(b"bob", &id(7)).unwrap();
    refused(issuer.issue(&req, &key(1), T0, T0), "expire");
    // The same request twice.
    issuer.issue(&req, &key(1), T0, T0 + 5).unwrap();
    refused(issuer.issue(&req, &key(1), T0, T0 + 5), "already issued");
    // The tree changed since the last root: paths wait for a new root.
    refused(issuer.path(&token.token_id), "publish a new root");
    issuer.publish_root(&key(1), T0).unwrap();
    issuer.path(&token.token_id).unwrap();
    // Revocation: the token's path is refused, a second revocation too.
    let before = issuer.current().unwrap();
    issuer.revoke(&token.token_id).unwrap();
    assert_ne!(issuer.current().unwrap().0, before.0);
    refused(issuer.revoke(&token.token_id), "already revoked");
    refused(issuer.path(&token.token_id), "revoked");
    refused(issuer.revoke(&id(12345)), "unknown token");
    // A store of one role is not opened as another, nor for another backend.
    drop(issuer);
    refused(
        Store::open(&dir.path().join("issuer.db"), Role::Meter, None).map(|_| ()),
        "not a meter store",
    );
    refused(
        Issuer::open(&dir.path().join("issuer.db"), Some(Backend::Plonky2)).map(|_| ()),
        "groth16 backend",
    );
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.db");
    drop(Meter::open(&p, None).unwrap());
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute(
        "UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'",
        [],
    )
    .unwrap();
    drop(c);
    refused(
        Meter::open(&p, None).map(|_| ()),
        "newer than this veil knows",
    );
}

#[test]
fn renewal_once_then_refused_and_stale_roots_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut issuer, mut wallet, token) = issue_one(dir.path(), Backend::Groth16);
    let circuit = Renewal::new(4).unwrap();
    let (pk, vk) = veil_params::dev_keys(&circuit, "ledger-test").unwrap();
    let vk = any_vk(vk);
    let prover = veil_prover::Prover::new(circuit, pk).unwrap();
    let path = issuer.path(&token.token_id).unwrap();
    let w = wallet
        .renewal_witness(&id(7), &path, T0 + MONTH - 10, T0 + 2 * MONTH, &id(555))
        .unwrap();
    let env = prover.prove(&w).unwrap();
    let r = issuer.renew(&env, &vk).unwrap();
    assert_eq!(r.leaf_index, 1);
    refused(issuer.renew(&env, &vk), "already renewed");
    assert_eq!(issuer.renewal_count().unwrap(), 1);
    // After a new root, a proof against the old root is stale.
    issuer.publish_root(&key(1), T0 + 1).unwrap();
    let w2 = wallet
        .renewal_witness(&id(7), &path, T0 + MONTH - 10, T0 + 3 * MONTH, &id(556))
        .unwrap();
    let env2 = prover.prove(&w2).unwrap();
    refused(issuer.renew(&env2, &vk), "stale root");
    // A proof for another statement than the one proven is refused by the key.
    let mut forged = env2.clone();
    if let veil_verifier::Statement::Renewal(s) = &mut forged.statement {
        s.root = issuer.current().unwrap().0;
        s.nullifier = id(1);
    }
    assert!(issuer.renew(&forged, &vk).is_err());
    assert_eq!(issuer.renewal_count().unwrap(), 1);
}

fn meter_file_bytes(p: &Path) -> Vec<u8> {
    let mut out = std::fs::read(p).unwrap();
    let wal = p.with_extension("db-wal");
    if let Ok(w) = std::fs::read(wal) {
        out.extend(w);
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn metering_check<H: NativeHasher>(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("meter.db");
    let mut m = Meter::open(&p, Some(backend)).unwrap();
    m.register_package(&id(7), 4).unwrap();
    m.register_package(&id(8), 4).unwrap();
    let (a, b) = (0x1122_3344_5566_7788u64, 0x0102_0304_0506_0708u64);
    {
        let mut pm = m.package(&id(7)).unwrap();
        pm.record(&id(100), T0 + 60, a).unwrap();
        pm.record(&id(100), T0 + 120, b).unwrap();
        pm.record(&id(100), T0 + 3600 + 5, 9).unwrap(); // the next hour
        refused(pm.record(&id(100), 1 << 62, 1), "not below");
    }
    m.package(&id(8))
        .unwrap()
        .record(&id(100), T0 + 60, 3)
        .unwrap();
    assert!(contains(&meter_file_bytes(&p), &a.to_be_bytes()));
    let done = m
        .package(&id(7))
        .unwrap()
        .aggregate_due(T0 + 3600, &key(3))
        .unwrap();
    assert_eq!(done.len(), 1, "only the ended hour of this package");
    let (w, e) = &done[0];
    assert_eq!(w.statement.total_units, a + b);
    Metering::new(4).unwrap().check::<H>(w).unwrap();
    e.verify(key(3).public_key()).unwrap();
    assert!(e.verify(key(4).public_key()).is_err());
    // The readings are gone from the file, not just hidden.
    let bytes = meter_file_bytes(&p);
    assert!(
        !contains(&bytes, &a.to_be_bytes()),
        "reading a still in the file"
    );
    assert!(
        !contains(&bytes, &b.to_be_bytes()),
        "reading b still in the file"
    );
    let mut pm = m.package(&id(7)).unwrap();
    assert_eq!(pm.pending_readings().unwrap(), 1);
    // A reading in the aggregated hour is outside the hour that can still be committed.
    refused(pm.record(&id(100), T0 + 30, 1), "outside its hour");
    // Capacity per hour.
    for i in 0..3 {
        pm.record(&id(100), T0 + 3600 + 100 + i, 1).unwrap();
    }
    refused(pm.record(&id(100), T0 + 3600 + 200, 1), "capacity");
    assert_eq!(pm.billing_events().unwrap().len(), 1);
    // The other package's data is untouched, and reachable only through its own handle.
    assert_eq!(m.package(&id(8)).unwrap().pending_readings().unwrap(), 1);
    assert_eq!(
        m.package(&id(8)).unwrap().billing_events().unwrap().len(),
        0
    );
    refused(m.package(&id(9)).map(|_| ()), "unknown package");
}

#[test]
fn metering_witnesses_events_and_real_deletion_on_both_backends() {
    metering_check::<PoseidonBls12>(Backend::Groth16);
    metering_check::<PoseidonGoldilocks>(Backend::Plonky2);
}

fn rules() -> Rules {
    Rules {
        tranches: vec![Tranche {
            recipient: id(1000),
            cap_micros: Some(500_000),
        }],
        shares: vec![
            Share {
                recipient: id(1001),
                bps: 3333,
            },
            Share {
                recipient: id(1002),
                bps: 3333,
            },
            Share {
                recipient: id(1003),
                bps: 3334,
            },
        ],
        remainder_to: 2,
    }
}

fn settlement(dir: &Path, backend: Backend) -> Settlement {
    let mut s = Settlement::open(&dir.join("settle.db"), Some(backend)).unwrap();
    s.add_solution(&id(50), T0, MONTH, &rules()).unwrap();
    s.add_package(&id(7), &id(60), &id(50)).unwrap();
    s.add_package(&id(8), &id(61), &id(50)).unwrap();
    s
}

fn tx(n: u64, package: u64, gross: u64, ts: u64) -> SettlementTx {
    SettlementTx {
        settlement_id: id(10_000 + n),
        package_id: id(package),
        blinded_customer_id: id(200 + n % 3),
        gross_amount_micros: gross,
        timestamp: ts,
    }
}

fn settlement_check<H: NativeHasher>(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settlement(dir.path(), backend);
    let mut total = 0u64;
    for n in 0..7u64 {
        let gross = 123_457 * (n + 1) + n;
        let ts = T0 + n * 400_000; // the last ones fall in the second period
        s.settle(&tx(n, 7 + n % 2, gross, ts)).unwrap();
        total += gross;
        let t = s.check_invariants().unwrap();
        assert_eq!(t.gross_micros, i128::from(total));
    }
    // Revenue of publisher 60 (package 7: transactions 0, 2, 4, 6) in a period holding 3.
    let w = s.revenue_witness(&id(60), T0, T0 + 2_000_000, 8).unwrap();
    Revenue::new(8).unwrap().check::<H>(&w).unwrap();
    assert_eq!(w.transactions.len(), 4);
    assert_eq!(w.statement.transaction_count, 3);
    // The waterfall of each period, exactly as the circuit proves it, and the balances.
    let mut paid = std::collections::HashMap::new();
    for start in [T0, T0 + MONTH] {
        let ww = s.waterfall_witness(&id(50), start, 8).unwrap();
        Waterfall::new(8).unwrap().check::<H>(&ww).unwrap();
        let st = &ww.statement;
        for (r, p) in st
            .tranches
            .iter()
            .map(|t| t.recipient)
            .chain(st.shares.iter().map(|s| s.recipient))
            .zip(st.tranche_payouts.iter().chain(&st.share_payouts))
        {
            *paid.entry(r).or_insert(0i64) += *p as i64;
        }
    }
    for (r, p) in paid {
        assert_eq!(s.balance(&r).unwrap(), p, "balance of {r}");
    }
    refused(
        s.waterfall_witness(&id(50), T0 + 1, 8),
        "not the start of a period",
    );
    refused(
        s.revenue_witness(&id(60), T0, T0 + MONTH, 2),
        "more than revenue-2",
    );
    refused(
        s.revenue_witness(&id(62), T0, T0 + MONTH, 8),
        "unknown publisher",
    );
}

#[test]
fn settlement_witnesses_and_balances_match_the_circuits_on_both_backends() {
    settlement_check::<PoseidonBls12>(Backend::Groth16);
    settlement_check::<PoseidonGoldilocks>(Backend::Plonky2);
}

#[test]
fn settlement_refusals_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settlement(dir.path(), Backend::Groth16);
    s.settle(&tx(1, 7, 1_000, T0)).unwrap();
    let before = (s.check_invariants().unwrap(), s.balances().unwrap());
    refused(s.settle(&tx(2, 9, 1_000, T0)), "unknown package");
    refused(s.settle(&tx(1, 7, 5, T0)), "duplicate settlement id");
    refused(s.settle(&tx(3, 7, 0, T0)), "must be positive");
    refused(s.settle(&tx(4, 7, u64::MAX, T0)), "too large");
    refused(
        s.settle(&tx(5, 7, 1_000, T0 - 1)),
        "before the solution's first period",
    );
    s.settle(&tx(6, 8, i64::MAX as u64 - 1_000, T0)).unwrap();
    let before2 = (s.check_invariants().unwrap(), s.balances().unwrap());
    refused(s.settle(&tx(7, 8, 1, T0)), "exceed 2^63 - 1");
    refused(s.settle(&tx(8, 7, 1, T0)), "exceed 2^63 - 1");
    assert_eq!(
        (s.check_invariants().unwrap(), s.balances().unwrap()),
        before2
    );
    assert_ne!(before.0, before2.0);
    // Bad rules.
    let mut bad = rules();
    bad.shares[0].bps = 1;
    refused(s.add_solution(&id(51), T0, MONTH, &bad), "not 10000");
    let mut bad = rules();
    bad.remainder_to = 3;
    refused(s.add_solution(&id(51), T0, MONTH, &bad), "not a share line");
    refused(
        s.add_solution(&id(50), T0, MONTH, &rules()),
        "already exists",
    );
    refused(s.add_package(&id(9), &id(60), &id(52)), "unknown solution");
}

#[test]
fn two_writers_on_one_store_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    drop(settlement(dir.path(), Backend::Groth16));
    let path = dir.path().join("settle.db");
    let handles: Vec<_> = (0..2u64)
        .map(|k| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut s = Settlement::open(&path, None).unwrap();
                for n in 0..15u64 {
                    s.settle(&tx(k * 100 + n, 7 + k, 1_000 + n, T0 + n))
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let mut s = Settlement::open(&path, None).unwrap();
    let t = s.check_invariants().unwrap();
    assert_eq!(t.transactions, 30);
}

#[test]
fn revenue_proof_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settlement(dir.path(), Backend::Groth16);
    for n in 0..3u64 {
        s.settle(&tx(n, 7, 1_000_000 + n, T0 + n * 1_000_000))
            .unwrap();
    }
    let circuit = Revenue::new(4).unwrap();
    let (pk, vk) = veil_params::dev_keys(&circuit, "ledger-test").unwrap();
    let vk = any_vk(vk);
    let prover = veil_prover::Prover::new(circuit, pk).unwrap();
    let witness = key(5);
    let rp = veil_ledger::revenue::revenue_proof(
        &mut s,
        &id(60),
        T0,
        T0 + MONTH,
        4,
        |w| prover.prove(w).map_err(|e| e.to_string()),
        &witness,
        id(1),
    )
    .unwrap();
    assert_eq!(rp.aggregate_revenue_micros, 3_000_003);
    assert_eq!(rp.transaction_count, 3);
    let rp = ZkRevenueProof::from_json(&rp.to_json()).unwrap();
    verify_revenue_proof_with_circuit(&rp, witness.public_key(), &vk).unwrap();
    // Another witness key, a changed claim re-signed, proof data that is not a revenue proof.
    assert!(verify_revenue_proof_with_circuit(&rp, key(6).public_key(), &vk).is_err());
    let mut claim = rp.claim();
    claim.aggregate_revenue_micros += 1;
    let lie = witness.sign_revenue_claim(claim).unwrap();
    let e = verify_revenue_proof_with_circuit(&lie, witness.public_key(), &vk)
        .unwrap_err()
        .to_string();
    assert!(e.contains("aggregate_revenue_micros"), "{e}");
    let mut claim = rp.claim();
    claim.proof_data = b"not an envelope".to_vec();
    let junk = witness.sign_revenue_claim(claim).unwrap();
    assert!(verify_revenue_proof_with_circuit(&junk, witness.public_key(), &vk).is_err());
}

#[test]
fn tier_set_roots_paths_and_the_per_epoch_nullifier_store() {
    use veil_circuits::sample::{sample_bytes, sample_secret};
    use veil_circuits::tier::{nullifier, tier_commitment};
    use veil_circuits::Tier;
    let dir = tempfile::tempdir().unwrap();
    let mut issuer = Issuer::open(&dir.path().join("issuer.db"), None).unwrap();
    issuer.init(4, 4).unwrap();
    // The sample's six approved tier commitments, approved into the store's tier set.
    let seed = 1u64;
    for i in 0..6u64 {
        let c = tier_commitment::<PoseidonBls12>(
            i as u32,
            &sample_secret("user-secret", seed * 100 + i),
            &sample_secret("randomness", seed * 100 + i),
        )
        .unwrap();
        assert_eq!(issuer.approve_tier(&c).unwrap(), i);
    }
    refused(issuer.approve_tier(&Bytes32([0xff; 32])), "not a canonical");
    issuer.publish_tier_root(&key(1), T0).unwrap();
    let path = issuer.tier_path(3).unwrap();
    let mut w = veil_circuits::sample::tier_witness::<PoseidonBls12>(4, seed).unwrap();
    assert_eq!(
        path.root, w.statement.root,
        "the store's tier root is the circuit's tree root"
    );
    assert_eq!(path.path, w.path);
    let circuit = Tier::new(4).unwrap();
    let (pk, vk) = veil_params::dev_keys(&circuit, "ledger-test").unwrap();
    let vk = any_vk(vk);
    let prover = veil_prover::Prover::new(circuit, pk).unwrap();
    let env = prover.prove(&w).unwrap();
    issuer.redeem_tier(&env, &vk).unwrap();
    refused(issuer.redeem_tier(&env, &vk), "quota spent");
    // Another slot of the same epoch is another nullifier: accepted.
    w.slot = 2;
    w.statement.nullifier =
        nullifier::<PoseidonBls12>(&w.user_secret, &w.statement.epoch_beacon, 2).unwrap();
    w.request_nonce = sample_bytes("request-nonce", 77);
    w.statement.request_binding = veil_circuits::tier::request_binding::<PoseidonBls12>(
        &w.request_nonce,
        &w.ephemeral_pubkey,
    )
    .unwrap();
    let env2 = prover.prove(&w).unwrap();
    issuer.redeem_tier(&env2, &vk).unwrap();
    // A new tier root makes proofs against the old one stale.
    issuer.approve_tier(&sample_secret("late", 1)).unwrap();
    issuer.publish_tier_root(&key(1), T0 + 1).unwrap();
    w.slot = 3;
    w.statement.nullifier =
        nullifier::<PoseidonBls12>(&w.user_secret, &w.statement.epoch_beacon, 3).unwrap();
    let env3 = prover.prove(&w).unwrap();
    refused(issuer.redeem_tier(&env3, &vk), "stale root");
    // A renewal proof is not a tier proof.
    refused(issuer.renew(&env, &vk), "not a renewal proof");
}

/// The meter draws a fresh blinding for every aggregate (issue 10 §1), keeps it with the
/// aggregate (meter schema version 2), and migrates a version 1 store at open.
#[test]
fn meter_blinding_is_fresh_stored_and_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.db");
    // A store as schema version 1 left it: no blinding column.
    drop(Meter::open(&p, Some(Backend::Groth16)).unwrap());
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute_batch(
        "ALTER TABLE aggregates DROP COLUMN blinding;
         UPDATE ledger_meta SET value = '1' WHERE key = 'schema_version';",
    )
    .unwrap();
    drop(c);
    let mut m = Meter::open(&p, Some(Backend::Groth16)).unwrap();
    m.register_package(&id(7), 4).unwrap();
    {
        let mut pm = m.package(&id(7)).unwrap();
        pm.record(&id(100), T0 + 60, 5).unwrap();
        pm.record(&id(101), T0 + 60, 5).unwrap();
    }
    let done = m
        .package(&id(7))
        .unwrap()
        .aggregate_due(T0 + 3600, &key(3))
        .unwrap();
    assert_eq!(done.len(), 2);
    let (w0, w1) = (&done[0].0, &done[1].0);
    // Each aggregate has its own blinding.
    assert_ne!(w0.blinding, w1.blinding);
    assert_ne!(
        w0.statement.readings_commitment,
        w1.statement.readings_commitment
    );
    for (w, _) in &done {
        Metering::new(4).unwrap().check::<PoseidonBls12>(w).unwrap();
    }
    drop(m);
    let c = rusqlite::Connection::open(&p).unwrap();
    let version: String = c
        .query_row(
            "SELECT value FROM ledger_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, "2");
    for (w, e) in &done {
        let stored: Vec<u8> = c
            .query_row(
                "SELECT blinding FROM aggregates WHERE blinded_customer_id = ?1",
                [w.statement.blinded_customer_id.0.to_vec()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, w.blinding.0.to_vec());
        // The billing event carries the commitment, never the blinding.
        assert!(!serde_json::to_string(e)
            .unwrap()
            .contains(&w.blinding.to_hex()));
    }
}
