//! `ZkRevenueProof` (seed 000 §7.1) and `verify_revenue_proof` (seed 000 §7.4).
//!
//! A revenue proof says "publisher X earned Y micro-units from Z transactions in period P". It
//! carries a zero-knowledge proof of that claim (`proof_data`, checked by a pluggable
//! [`RevenueProofChecker`]: the revenue circuit comes in its own issue) and a witness's
//! ML-DSA-87 signature over every field, so that the claim cannot be changed after signing.
//!
//! Signed message (FIPS 204 pure mode, context [`CONTEXT_REVENUE`] = `veil-revenue-proof-v1`):
//!
//! | bytes | field |
//! | --- | --- |
//! | 32 | signer key id |
//! | 32 | proof_id |
//! | 32 | publisher_id |
//! | 8 | period_start, big-endian u64 |
//! | 8 | period_end, big-endian u64 |
//! | 8 | aggregate_revenue_micros, big-endian u64 |
//! | 8 | transaction_count, big-endian u64 |
//! | rest | proof_data |
//!
//! JSON:
//!
//! ```json
//! { "format": "veil-revenue-proof", "format_version": 1, "context": "veil-revenue-proof-v1",
//!   "proof_id": "<64 hex>", "publisher_id": "<64 hex>", "period_start": 1767225600,
//!   "period_end": 1769904000, "aggregate_revenue_micros": 125000000, "transaction_count": 42,
//!   "proof_data": "<hex>", "witness_signature": "<hex of the 4627-byte signature>" }
//! ```

use super::{check_header, AttestError, KeyId, PublicKey, Signature, CONTEXT_REVENUE};
use crate::bytes::Id;
use serde::{Deserialize, Serialize};

/// The `format` field of a revenue proof file.
pub const REVENUE_FORMAT: &str = "veil-revenue-proof";
/// Version of the revenue proof layout.
pub const REVENUE_FORMAT_VERSION: u32 = 1;
/// The most proof bytes a revenue proof may carry (the seed's payload is 256 bytes).
pub const MAX_PROOF_DATA: usize = 1 << 20;

const WHAT: &str = "revenue proof";

/// The claim of a revenue proof: everything but the witness signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevenueClaim {
    pub proof_id: Id,
    pub publisher_id: Id,
    /// Start of the revenue period, unix seconds.
    pub period_start: u64,
    /// End of the revenue period, unix seconds; not before `period_start`.
    pub period_end: u64,
    pub aggregate_revenue_micros: u64,
    pub transaction_count: u64,
    /// The zero-knowledge proof of the claim.
    pub proof_data: Vec<u8>,
}

impl RevenueClaim {
    /// The signed message (see the module documentation).
    pub fn message(&self, signer: &KeyId) -> Vec<u8> {
        let mut m = Vec::with_capacity(144 + self.proof_data.len());
        m.extend_from_slice(&signer.0);
        m.extend_from_slice(&self.proof_id.0);
        m.extend_from_slice(&self.publisher_id.0);
        for v in [
            self.period_start,
            self.period_end,
            self.aggregate_revenue_micros,
            self.transaction_count,
        ] {
            m.extend_from_slice(&v.to_be_bytes());
        }
        m.extend_from_slice(&self.proof_data);
        m
    }

    /// Refuses a period that ends before it starts and oversized proof data.
    pub fn validate(&self) -> Result<(), AttestError> {
        if self.period_end < self.period_start {
            return Err(AttestError::Revenue(format!(
                "the period ends ({}) before it starts ({})",
                self.period_end, self.period_start
            )));
        }
        if self.proof_data.len() > MAX_PROOF_DATA {
            return Err(AttestError::Revenue(format!(
                "{} bytes of proof data, at most {MAX_PROOF_DATA}",
                self.proof_data.len()
            )));
        }
        Ok(())
    }
}

/// A revenue proof with the fields of seed 000 §7.1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZkRevenueProof {
    pub proof_id: Id,
    pub publisher_id: Id,
    pub period_start: u64,
    pub period_end: u64,
    pub aggregate_revenue_micros: u64,
    pub transaction_count: u64,
    pub proof_data: Vec<u8>,
    /// ML-DSA-87 signature over [`RevenueClaim::message`].
    pub witness_signature: Signature,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevenueJson {
    format: String,
    format_version: u32,
    context: String,
    proof_id: Id,
    publisher_id: Id,
    period_start: u64,
    period_end: u64,
    aggregate_revenue_micros: u64,
    transaction_count: u64,
    proof_data: String,
    witness_signature: String,
}

impl ZkRevenueProof {
    /// A claim and its witness signature.
    pub fn new(claim: RevenueClaim, witness_signature: Signature) -> Self {
        ZkRevenueProof {
            proof_id: claim.proof_id,
            publisher_id: claim.publisher_id,
            period_start: claim.period_start,
            period_end: claim.period_end,
            aggregate_revenue_micros: claim.aggregate_revenue_micros,
            transaction_count: claim.transaction_count,
            proof_data: claim.proof_data,
            witness_signature,
        }
    }

    /// The signed claim.
    pub fn claim(&self) -> RevenueClaim {
        RevenueClaim {
            proof_id: self.proof_id,
            publisher_id: self.publisher_id,
            period_start: self.period_start,
            period_end: self.period_end,
            aggregate_revenue_micros: self.aggregate_revenue_micros,
            transaction_count: self.transaction_count,
            proof_data: self.proof_data.clone(),
        }
    }

    pub fn to_json(&self) -> String {
        let out = RevenueJson {
            format: REVENUE_FORMAT.into(),
            format_version: REVENUE_FORMAT_VERSION,
            context: CONTEXT_REVENUE.into(),
            proof_id: self.proof_id,
            publisher_id: self.publisher_id,
            period_start: self.period_start,
            period_end: self.period_end,
            aggregate_revenue_micros: self.aggregate_revenue_micros,
            transaction_count: self.transaction_count,
            proof_data: hex::encode(&self.proof_data),
            witness_signature: self.witness_signature.to_hex(),
        };
        serde_json::to_string_pretty(&out).expect("a revenue proof always serializes")
    }

    /// Reads a revenue proof; does not check it (see [`verify_revenue_proof`]).
    pub fn from_json(s: &str) -> Result<Self, AttestError> {
        let value: serde_json::Value =
            serde_json::from_str(s).map_err(|e| AttestError::format(WHAT, e))?;
        check_header(
            &value,
            WHAT,
            REVENUE_FORMAT,
            REVENUE_FORMAT_VERSION,
            CONTEXT_REVENUE,
        )?;
        let raw: RevenueJson =
            serde_json::from_value(value).map_err(|e| AttestError::format(WHAT, e))?;
        let proof_data = hex::decode(&raw.proof_data)
            .map_err(|e| AttestError::format(WHAT, format!("proof_data is not hex: {e}")))?;
        Ok(ZkRevenueProof {
            proof_id: raw.proof_id,
            publisher_id: raw.publisher_id,
            period_start: raw.period_start,
            period_end: raw.period_end,
            aggregate_revenue_micros: raw.aggregate_revenue_micros,
            transaction_count: raw.transaction_count,
            proof_data,
            witness_signature: Signature::from_hex(&raw.witness_signature)?,
        })
    }
}

/// Checks the zero-knowledge part of a revenue proof: that `proof_data` proves the claim
/// (publisher, period, totals). The revenue circuit plugs in here; closures
/// `Fn(&ZkRevenueProof) -> Result<(), AttestError>` implement it too.
pub trait RevenueProofChecker {
    fn check(&self, proof: &ZkRevenueProof) -> Result<(), AttestError>;
}

impl<F: Fn(&ZkRevenueProof) -> Result<(), AttestError>> RevenueProofChecker for F {
    fn check(&self, proof: &ZkRevenueProof) -> Result<(), AttestError> {
        self(proof)
    }
}

/// Seed 000 §7.4: the verifier receives a `ZkRevenueProof` and the publisher's (witness's)
/// public key and learns "publisher X earned Y from Z transactions in period P", or why not.
/// Checks, in order: the claim is well-formed, the ML-DSA-87 signature verifies with `key`
/// over every field of the claim, and `checker` accepts the proof data.
pub fn verify_revenue_proof(
    proof: &ZkRevenueProof,
    key: &PublicKey,
    checker: &impl RevenueProofChecker,
) -> Result<(), AttestError> {
    let claim = proof.claim();
    claim.validate()?;
    key.verify(
        WHAT,
        CONTEXT_REVENUE,
        &claim.message(&key.key_id()),
        &proof.witness_signature,
    )?;
    checker.check(proof)
}

/// The revenue circuit as the checker of a revenue proof: `proof_data` must be the JSON of a
/// proof envelope of a revenue circuit (as `veil ledger revenue-proof` writes it) whose
/// statement says exactly what the claim says (publisher, period, revenue, count), and the
/// proof must verify with `vk`.
pub struct RevenueCircuitChecker<'a> {
    pub vk: &'a crate::AnyVerifyingKey,
}

impl RevenueProofChecker for RevenueCircuitChecker<'_> {
    fn check(&self, proof: &ZkRevenueProof) -> Result<(), AttestError> {
        let bad = |m: String| AttestError::Revenue(m);
        let text = std::str::from_utf8(&proof.proof_data)
            .map_err(|_| bad("proof_data is not a proof envelope (not UTF-8 text)".into()))?;
        let env = crate::ProofEnvelope::from_json(text)
            .map_err(|e| bad(format!("proof_data is not a proof envelope: {e}")))?;
        let crate::Statement::Revenue(s) = &env.statement else {
            return Err(bad(format!(
                "proof_data is a {} proof, not a revenue proof",
                env.circuit
            )));
        };
        for (name, stated, claimed) in [
            ("period_start", s.period_start, proof.period_start),
            ("period_end", s.period_end, proof.period_end),
            (
                "aggregate_revenue_micros",
                s.aggregate_revenue_micros,
                proof.aggregate_revenue_micros,
            ),
            (
                "transaction_count",
                s.transaction_count,
                proof.transaction_count,
            ),
        ] {
            if stated != claimed {
                return Err(bad(format!(
                    "the claim's {name} is {claimed}, the proof's statement says {stated}"
                )));
            }
        }
        if s.publisher_id != proof.publisher_id {
            return Err(bad(format!(
                "the claim is for publisher {}, the proof for {}",
                proof.publisher_id, s.publisher_id
            )));
        }
        self.vk
            .verify(&env)
            .map_err(|e| bad(format!("the revenue circuit's proof does not verify: {e}")))
    }
}

/// [`verify_revenue_proof`] with the real revenue circuit: the witness signature with `key`,
/// then the proof with the revenue verifying key `vk`.
pub fn verify_revenue_proof_with_circuit(
    proof: &ZkRevenueProof,
    key: &PublicKey,
    vk: &crate::AnyVerifyingKey,
) -> Result<(), AttestError> {
    verify_revenue_proof(proof, key, &RevenueCircuitChecker { vk })
}

#[cfg(test)]
mod tests {
    use super::super::testkeys::TestKey;
    use super::*;
    use crate::Bytes32;

    fn claim() -> RevenueClaim {
        RevenueClaim {
            proof_id: Bytes32([1; 32]),
            publisher_id: Bytes32([2; 32]),
            period_start: 1_767_225_600,
            period_end: 1_769_904_000,
            aggregate_revenue_micros: 125_000_000,
            transaction_count: 42,
            proof_data: vec![0xaa; 256],
        }
    }

    fn signed(k: &TestKey, c: RevenueClaim) -> ZkRevenueProof {
        let sig = k.sign(CONTEXT_REVENUE, &c.message(&k.id()));
        ZkRevenueProof::new(c, sig)
    }

    /// A stand-in for the revenue circuit: accepts proof data that is 256 bytes of 0xaa.
    fn stub(p: &ZkRevenueProof) -> Result<(), AttestError> {
        if p.proof_data == vec![0xaa; 256] {
            Ok(())
        } else {
            Err(AttestError::Revenue(
                "the proof data does not prove the claim".into(),
            ))
        }
    }

    #[test]
    fn message_layout() {
        let c = claim();
        let m = c.message(&Bytes32([9; 32]));
        assert_eq!(m.len(), 32 * 3 + 8 * 4 + 256);
        assert_eq!(&m[..32], &[9; 32]);
        assert_eq!(&m[32..64], &[1; 32]);
        assert_eq!(&m[64..96], &[2; 32]);
        assert_eq!(&m[96..104], &1_767_225_600u64.to_be_bytes());
        assert_eq!(&m[104..112], &1_769_904_000u64.to_be_bytes());
        assert_eq!(&m[112..120], &125_000_000u64.to_be_bytes());
        assert_eq!(&m[120..128], &42u64.to_be_bytes());
        assert_eq!(&m[128..], &[0xaa; 256]);
    }

    #[test]
    fn valid_proof_verifies_and_round_trips() {
        let k = TestKey::new(7);
        let p = signed(&k, claim());
        verify_revenue_proof(&p, &k.public(), &stub).unwrap();
        let back = ZkRevenueProof::from_json(&p.to_json()).unwrap();
        assert_eq!(back, p);
        verify_revenue_proof(&back, &k.public(), &stub).unwrap();
        assert_eq!(
            back.witness_signature.to_bytes().len(),
            super::super::SIGNATURE_SIZE
        );
    }

    #[test]
    fn every_field_is_bound_and_the_checker_is_consulted() {
        let k = TestKey::new(7);
        let p = signed(&k, claim());
        type Edit = Box<dyn Fn(&mut ZkRevenueProof)>;
        let edits: Vec<Edit> = vec![
            Box::new(|p| p.proof_id.0[0] ^= 1),
            Box::new(|p| p.publisher_id.0[31] ^= 1),
            Box::new(|p| p.period_start -= 1),
            Box::new(|p| p.period_end += 1),
            Box::new(|p| p.aggregate_revenue_micros += 1),
            Box::new(|p| p.transaction_count -= 1),
            Box::new(|p| p.proof_data[255] ^= 1),
            Box::new(|p| p.proof_data.push(0)),
        ];
        for edit in edits {
            let mut x = p.clone();
            edit(&mut x);
            assert!(matches!(
                verify_revenue_proof(&x, &k.public(), &stub),
                Err(AttestError::BadSignature {
                    what: "revenue proof",
                    ..
                })
            ));
        }
        // Another publisher key.
        assert!(verify_revenue_proof(&p, &TestKey::new(8).public(), &stub).is_err());
        // The signature is good but the proof data does not prove the claim.
        let mut c = claim();
        c.proof_data = vec![0xbb; 256];
        let bad = signed(&k, c);
        assert!(matches!(
            verify_revenue_proof(&bad, &k.public(), &stub),
            Err(AttestError::Revenue(m)) if m.contains("does not prove")
        ));
        // A checker that refuses everything is consulted after the signature.
        let refuse = |_: &ZkRevenueProof| Err(AttestError::Revenue("no".into()));
        assert!(matches!(
            verify_revenue_proof(&p, &k.public(), &refuse),
            Err(AttestError::Revenue(m)) if m == "no"
        ));
        // A period that ends before it starts is refused before anything else.
        let mut c = claim();
        c.period_end = c.period_start - 1;
        let backwards = signed(&k, c);
        assert!(matches!(
            verify_revenue_proof(&backwards, &k.public(), &stub),
            Err(AttestError::Revenue(m)) if m.contains("before it starts")
        ));
        // A signature under another context.
        let c = claim();
        let other = ZkRevenueProof::new(
            c.clone(),
            k.sign(super::super::CONTEXT_FILE, &c.message(&k.id())),
        );
        assert!(verify_revenue_proof(&other, &k.public(), &stub).is_err());
    }

    #[test]
    fn json_refusals() {
        let good: serde_json::Value =
            serde_json::from_str(&signed(&TestKey::new(7), claim()).to_json()).unwrap();
        let refused = |v: serde_json::Value| ZkRevenueProof::from_json(&v.to_string()).unwrap_err();
        let mut v = good.clone();
        v["context"] = "veil-file-v1".into();
        assert!(matches!(refused(v), AttestError::WrongContext { .. }));
        let mut v = good.clone();
        v["proof_data"] = "x".into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
        let mut v = good.clone();
        v["witness_signature"] = "00".into();
        assert!(matches!(refused(v), AttestError::WrongLength { .. }));
        let mut v = good.clone();
        v.as_object_mut().unwrap().remove("transaction_count");
        assert!(matches!(refused(v), AttestError::Format { .. }));
        let mut v = good.clone();
        v["transaction_count"] = (-1).into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
    }
}
