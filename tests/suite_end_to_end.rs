//! The circuit suite end to end (renewal, metering, isolation, revenue, waterfall) at small
//! sizes: dev setup, prove, write and read the envelope, verify, and refuse every altered
//! public value and keys of another size.

use serde_json::Value;
use veil::circuits::sample::{
    isolation_witness, metering_witness, renewal_witness, revenue_witness, waterfall_witness,
};
use veil::circuits::{metering, Circuit, Isolation, Metering, Renewal, Revenue, Waterfall};
use veil::params::dev_keys;
use veil::prover::{satisfies, Hasher, ProveError, Prover};
use veil::verifier::format::ProofEnvelope;
use veil::verifier::groth16::Groth16VerifyingKey;
use veil::verifier::{IsolationStatement, Statement, VerifyError};

const DEPTH: u32 = 6;
const CAP: usize = 4;

/// One altered copy of `v` per leaf value: numbers moved by one, 32-byte hex values with
/// their last bit flipped, absent caps set to 0.
fn alterations(v: &Value) -> Vec<Value> {
    fn walk(v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    path.push(PathStep::Key(k.clone()));
                    walk(x, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(PathStep::Index(i));
                    walk(x, path, out);
                    path.pop();
                }
            }
            _ => out.push(path.clone()),
        }
    }
    let mut leaves = Vec::new();
    walk(v, &mut Vec::new(), &mut leaves);
    leaves
        .into_iter()
        .map(|path| {
            let mut altered = v.clone();
            let mut leaf = &mut altered;
            for step in &path {
                leaf = match step {
                    PathStep::Key(k) => &mut leaf[k.as_str()],
                    PathStep::Index(i) => &mut leaf[*i],
                };
            }
            *leaf = match &*leaf {
                Value::Number(n) => {
                    let n = n.as_u64().expect("statement numbers are u64");
                    (if n == u64::MAX { n - 1 } else { n + 1 }).into()
                }
                Value::String(s) => {
                    let mut bytes = hex::decode(s).expect("32-byte hex");
                    bytes[31] ^= 1;
                    hex::encode(bytes).into()
                }
                Value::Null => 0.into(),
                other => panic!("unexpected statement value {other}"),
            };
            altered
        })
        .collect()
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn full_cycle<C: Circuit + Clone>(c: C, w: C::Witness) -> ProofEnvelope {
    let (pk, vk) = dev_keys(&c, "test").unwrap();
    let vk = Groth16VerifyingKey::from_bytes(&vk.to_bytes()).unwrap();
    let prover = Prover::new(c.clone(), pk).unwrap();
    let env = prover.prove(&w).unwrap();
    let env = ProofEnvelope::from_json(&env.to_json()).unwrap();
    let verifier = vk.prepare();
    verifier.verify(&env).unwrap();

    let statement = serde_json::to_value(&env.statement).unwrap();
    let altered = alterations(&statement);
    assert!(altered.len() >= 6);
    let mut invalid_proofs = 0;
    for a in altered {
        // A change that does not even make a statement (an index out of range) is refused
        // when read; every other one must fail verification.
        let Ok(st) = Statement::from_json(c.id().kind, &a) else {
            continue;
        };
        let mut bad = env.clone();
        bad.statement = st;
        match verifier.verify(&bad) {
            Err(VerifyError::InvalidProof) => invalid_proofs += 1,
            Err(_) => {}
            Ok(()) => panic!("{}: altered statement verified: {a}", c.id()),
        }
    }
    assert!(invalid_proofs >= 6, "{}: {invalid_proofs}", c.id());
    env
}

#[test]
fn renewal_proves_and_verifies() {
    let c = Renewal::new(DEPTH).unwrap();
    full_cycle(c, renewal_witness::<Hasher>(DEPTH, 3).unwrap());
}

#[test]
fn metering_proves_and_verifies() {
    let c = Metering::new(CAP as u32).unwrap();
    full_cycle(c, metering_witness::<Hasher>(CAP, 3).unwrap());
}

#[test]
fn isolation_proves_and_verifies() {
    let c = Isolation::new(CAP as u32).unwrap();
    full_cycle(c, isolation_witness::<Hasher>(CAP, 3).unwrap());
}

#[test]
fn revenue_proves_and_verifies() {
    let c = Revenue::new(CAP as u32).unwrap();
    full_cycle(c, revenue_witness::<Hasher>(CAP, 3).unwrap());
}

#[test]
fn waterfall_proves_and_verifies() {
    let c = Waterfall::new(CAP as u32).unwrap();
    let env = full_cycle(c, waterfall_witness::<Hasher>(CAP, 3).unwrap());
    let Statement::Waterfall(s) = &env.statement else {
        panic!("a waterfall statement")
    };
    // The publisher is named on a tranche and on a share line: paid the sum of both.
    let by_recipient = s.payout_by_recipient();
    assert_eq!(by_recipient.len(), 4);
    assert_eq!(
        by_recipient[0].1,
        u128::from(s.tranche_payouts[0] + s.share_payouts[0])
    );
}

#[test]
fn keys_for_another_capacity_are_refused() {
    let small = Revenue::new(4).unwrap();
    let large = Revenue::new(8).unwrap();
    let (small_pk, small_vk) = dev_keys(&small, "").unwrap();
    let (large_pk, _) = dev_keys(&large, "").unwrap();
    assert!(matches!(
        Prover::new(large, small_pk).err().unwrap(),
        ProveError::Format(VerifyError::WrongCircuit { .. })
    ));
    let env = Prover::new(large, large_pk)
        .unwrap()
        .prove(&revenue_witness::<Hasher>(8, 1).unwrap())
        .unwrap();
    assert_eq!(env.circuit.to_string(), "revenue-8");
    assert!(matches!(
        small_vk.prepare().verify(&env),
        Err(VerifyError::WrongCircuit { .. })
    ));
}

/// Commitments do not depend on the capacity: a batch proven at one capacity is provable at
/// any larger one, with more padding.
#[test]
fn the_same_batch_fits_every_larger_capacity() {
    let w = revenue_witness::<Hasher>(4, 2).unwrap();
    for cap in [4, 5, 16] {
        let c = Revenue::new(cap).unwrap();
        c.check::<Hasher>(&w).unwrap();
        assert!(satisfies(&c, &w).unwrap(), "revenue-{cap}");
    }
    let w = metering_witness::<Hasher>(4, 2).unwrap();
    for cap in [4, 9] {
        assert!(satisfies(&Metering::new(cap).unwrap(), &w).unwrap());
    }
    // And not at a smaller one.
    assert!(Revenue::new(2)
        .unwrap()
        .check::<Hasher>(&revenue_witness::<Hasher>(4, 2).unwrap())
        .is_err());
}

/// The isolation proof speaks about the commitments the hourly aggregates prove.
#[test]
fn isolation_of_two_hourly_aggregates() {
    let a = metering_witness::<Hasher>(CAP, 1).unwrap();
    let b = metering_witness::<Hasher>(CAP, 2).unwrap();
    assert_ne!(a.statement.package_id, b.statement.package_id);
    let w = veil::circuits::IsolationWitness {
        statement: IsolationStatement {
            package_a: a.statement.package_id,
            package_b: b.statement.package_id,
            scope_a: a.statement.scope,
            scope_b: b.statement.scope,
            commitment_a: a.statement.readings_commitment,
            commitment_b: b.statement.readings_commitment,
        },
        a: veil::circuits::isolation::MeterBatch {
            blinded_customer_id: a.statement.blinded_customer_id,
            blinding: a.blinding,
            readings: a.readings.clone(),
            padding: vec![],
        },
        b: veil::circuits::isolation::MeterBatch {
            blinded_customer_id: b.statement.blinded_customer_id,
            blinding: b.blinding,
            readings: b.readings.clone(),
            padding: vec![],
        },
    };
    let c = Isolation::new(CAP as u32).unwrap();
    c.check::<Hasher>(&w).unwrap();
    let (pk, vk) = dev_keys(&c, "").unwrap();
    let env = Prover::new(c, pk).unwrap().prove(&w).unwrap();
    vk.prepare().verify(&env).unwrap();
    // Package B's hour under A's commitment: refused.
    let mut mixed = w.clone();
    mixed.a = mixed.b.clone();
    mixed.statement.commitment_a =
        metering::readings_commitment::<Hasher>(&b.blinding, &b.readings).unwrap();
    assert!(c.check::<Hasher>(&mixed).is_err());
    assert!(!satisfies(&c, &mixed).unwrap());
}
