//! Aggregate verifying keys (issue 12 §3): an aggregate verifies with the key `veil aggregate`
//! writes, without rebuilding the level circuits; the key is bound to its base key and number
//! of levels, checkable against a rebuild, and refuses tampered aggregates. Batches of 2 (one
//! level) of tier-4, the smallest that aggregates; the wrong-size key is a genuine 2-level key
//! (built, never proved with).

use veil_circuits::sample::tier_witness;
use veil_circuits::{PoseidonGoldilocks, Tier};
use veil_prover::plonky2::aggregate::{aggregate, aggregate_key};
use veil_prover::plonky2::{setup, Prover};
use veil_verifier::aggregate::{AggregateEnvelope, AggregateKey, AGGREGATE_KEY_MAGIC};
use veil_verifier::VerifyError;

fn message(e: VerifyError) -> String {
    e.to_string()
}

#[test]
fn aggregate_keys() {
    let (pk, vk) = setup(&Tier::new(4).unwrap()).unwrap();
    let prover = Prover::new(Tier::new(4).unwrap(), pk).unwrap();
    let envs: Vec<_> = (1..=2)
        .map(|s| {
            prover
                .prove(&tier_witness::<PoseidonGoldilocks>(4, s).unwrap())
                .unwrap()
        })
        .collect();
    let agg = aggregate(&vk, &envs).unwrap();
    let key = aggregate_key(&vk, envs.len()).unwrap();
    assert_eq!(key.levels, 1);
    assert_eq!(key.base_key_digest, vk.digest);

    // The key file reads back as itself, and verifies the aggregate (with and without the
    // base key in hand), as the rebuild does.
    let bytes = key.to_bytes();
    let read = AggregateKey::from_bytes(&bytes).unwrap();
    assert_eq!(read.to_bytes(), bytes);
    assert_eq!(read.digest, key.digest);
    read.verify(&agg).unwrap();
    vk.verify_aggregate_with(&read, &agg).unwrap();
    vk.verify_aggregate(&agg).unwrap();
    // An honest key matches a rebuild from the base key.
    read.check_rebuild(&vk).unwrap();

    // A tampered aggregate: a statement changed, a proof byte flipped, statements swapped.
    let mut bad = agg.clone();
    bad.statements.swap(0, 1);
    assert!(read.verify(&bad).is_err(), "swapped statements");
    let mut json: serde_json::Value = serde_json::from_str(&agg.to_json()).unwrap();
    let was = json["statements"][1]["min_tier"].as_u64().unwrap();
    json["statements"][1]["min_tier"] = (if was == 1 { 2 } else { 1 }).into();
    let altered = AggregateEnvelope::from_json_value(&json).unwrap();
    assert!(matches!(
        read.verify(&altered),
        Err(VerifyError::InvalidProof)
    ));
    let mut flipped = agg.clone();
    let mid = flipped.proof.len() / 2;
    flipped.proof[mid] ^= 1;
    assert!(read.verify(&flipped).is_err(), "flipped proof byte");

    // A key for another base key: refused by its binding, with the reason.
    let mut other = bytes.clone();
    let at = 8 + 4 + 2 + "tier-4".len() + 4;
    other[at] ^= 0xff;
    let other = AggregateKey::from_bytes(&other).unwrap();
    let e = message(other.check_base(&vk).unwrap_err());
    assert!(e.contains("another base key"), "{e}");
    let e = message(vk.verify_aggregate_with(&other, &agg).unwrap_err());
    assert!(e.contains("another base key"), "{e}");
    let e = message(other.verify(&agg).unwrap_err());
    assert!(e.contains("base key"), "{e}");
    // A key of another circuit: refused.
    let (_, vk6) = setup(&Tier::new(6).unwrap()).unwrap();
    let e = message(read.check_base(&vk6).unwrap_err());
    assert!(e.contains("tier-4") && e.contains("tier-6"), "{e}");

    // A key for another batch size (2 levels: batches of 3 to 4): refused, with the sizes.
    let key2 = AggregateKey::build(&vk, 2).unwrap();
    key2.check_base(&vk).unwrap();
    let e = message(key2.verify(&agg).unwrap_err());
    assert!(e.contains("3 to 4 proofs") && e.contains("covers 2"), "{e}");
    let e = message(vk.verify_aggregate_with(&key2, &agg).unwrap_err());
    assert!(e.contains("levels"), "{e}");

    // A key whose top-level verifier data is not the rebuild's (here: the 2-level key's,
    // relabelled as a 1-level key) is well formed but refused by the rebuild check.
    let mut forged = AggregateKey::from_bytes(&key2.to_bytes()).unwrap();
    forged.levels = 1;
    forged.level_digests = vec![*key2.level_digests.last().unwrap()];
    let forged = AggregateKey::from_bytes(&forged.to_bytes()).unwrap();
    let e = message(forged.check_rebuild(&vk).unwrap_err());
    assert!(e.contains("rebuilt"), "{e}");
    assert!(forged.verify(&agg).is_err());

    // Malformed files: bad magic, truncated, trailing bytes, another version.
    let mut m = bytes.clone();
    m[0] ^= 1;
    assert!(matches!(
        AggregateKey::from_bytes(&m),
        Err(VerifyError::BadMagic { .. })
    ));
    assert_eq!(&bytes[..8], AGGREGATE_KEY_MAGIC);
    for cut in [0, 7, 12, 40, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            AggregateKey::from_bytes(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let mut t = bytes.clone();
    t.push(0);
    assert!(AggregateKey::from_bytes(&t).is_err());
    let mut v = bytes.clone();
    v[8] = 9;
    assert!(matches!(
        AggregateKey::from_bytes(&v),
        Err(VerifyError::UnsupportedVersion { .. })
    ));
}
