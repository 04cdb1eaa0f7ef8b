//! Proof attestations: an attester's ML-DSA-87 signature over a proof envelope.
//!
//! Signed message (FIPS 204 pure mode, context [`CONTEXT_PROOF`] = `veil-attest-proof-v1`):
//!
//! | bytes | field |
//! | --- | --- |
//! | 32 | attester key id (SHA3-256 of the attester's encoded public key) |
//! | 8 | signed_at, unix seconds, big-endian u64 |
//! | rest | the envelope's canonical bytes ([`ProofEnvelope::canonical_bytes`]) |
//!
//! The attestation file is JSON:
//!
//! ```json
//! {
//!   "format": "veil-attestation",
//!   "format_version": 1,
//!   "context": "veil-attest-proof-v1",
//!   "attester_key_id": "<64 hex digits>",
//!   "signed_at": 1767225600,
//!   "subject": {
//!     "type": "veil-proof",
//!     "sha3_256": "<SHA3-256 of the envelope's canonical bytes>",
//!     "envelope": { "format": "veil-proof", "...": "the proof envelope" }
//!   },
//!   "signature": "<hex of the 4627-byte signature>"
//! }
//! ```
//!
//! The envelope travels inside the attestation, so that an attested proof is one file;
//! `sha3_256` names it for people and tools that keep envelopes elsewhere, and must match.

use super::{
    check_header, sha3_256, AttestError, KeyId, Signature, TrustedKey, TrustedKeys, CONTEXT_PROOF,
};
use crate::format::ProofEnvelope;
#[cfg(feature = "groth16")]
use crate::groth16::PreparedVerifier;
use serde::{Deserialize, Serialize};

/// The `format` field of an attestation file.
pub const ATTESTATION_FORMAT: &str = "veil-attestation";
/// Version of the attestation layout this crate reads and writes.
pub const ATTESTATION_FORMAT_VERSION: u32 = 1;
/// The `subject.type` of a proof attestation.
pub const SUBJECT_PROOF: &str = "veil-proof";

const WHAT: &str = "proof attestation";

/// A proof envelope signed by an attester.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofAttestation {
    /// Key id of the attester.
    pub attester: KeyId,
    /// When the attester signed, unix seconds.
    pub signed_at: u64,
    pub envelope: ProofEnvelope,
    pub signature: Signature,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubjectJson {
    #[serde(rename = "type")]
    kind: String,
    sha3_256: crate::Bytes32,
    envelope: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttestationJson {
    format: String,
    format_version: u32,
    context: String,
    attester_key_id: KeyId,
    signed_at: u64,
    subject: SubjectJson,
    signature: String,
}

impl ProofAttestation {
    /// The signed message: key id ‖ signed_at (u64, big-endian) ‖ canonical envelope bytes.
    pub fn message(attester: &KeyId, signed_at: u64, envelope: &ProofEnvelope) -> Vec<u8> {
        let canonical = envelope.canonical_bytes();
        let mut m = Vec::with_capacity(40 + canonical.len());
        m.extend_from_slice(&attester.0);
        m.extend_from_slice(&signed_at.to_be_bytes());
        m.extend_from_slice(&canonical);
        m
    }

    /// SHA3-256 of the envelope's canonical bytes: the `subject.sha3_256` field.
    pub fn subject_digest(&self) -> crate::Bytes32 {
        sha3_256(&self.envelope.canonical_bytes())
    }

    /// Checks the signature with the attester's key from `trusted` and returns that key.
    /// Refuses an attester that is not trusted ([`AttestError::UnknownKey`]) and a signature
    /// that does not verify ([`AttestError::BadSignature`]). Does not check the proof.
    pub fn check_signature<'a>(
        &self,
        trusted: &'a TrustedKeys,
    ) -> Result<&'a TrustedKey, AttestError> {
        let signer = trusted.require(&self.attester, WHAT)?;
        let msg = Self::message(&self.attester, self.signed_at, &self.envelope);
        signer
            .key
            .verify(WHAT, CONTEXT_PROOF, &msg, &self.signature)?;
        Ok(signer)
    }

    /// Pretty JSON (see the module documentation).
    pub fn to_json(&self) -> String {
        let out = AttestationJson {
            format: ATTESTATION_FORMAT.into(),
            format_version: ATTESTATION_FORMAT_VERSION,
            context: CONTEXT_PROOF.into(),
            attester_key_id: self.attester,
            signed_at: self.signed_at,
            subject: SubjectJson {
                kind: SUBJECT_PROOF.into(),
                sha3_256: self.subject_digest(),
                envelope: self.envelope.to_json_value(),
            },
            signature: self.signature.to_hex(),
        };
        serde_json::to_string_pretty(&out).expect("an attestation always serializes")
    }

    /// Reads an attestation file, refusing another format, version or context, unknown or
    /// missing fields, a subject digest that does not match the envelope, and a signature
    /// of the wrong length or encoding. Does not check the signature: see
    /// [`ProofAttestation::check_signature`].
    pub fn from_json(s: &str) -> Result<Self, AttestError> {
        let value: serde_json::Value =
            serde_json::from_str(s).map_err(|e| AttestError::format(WHAT, e))?;
        check_header(
            &value,
            WHAT,
            ATTESTATION_FORMAT,
            ATTESTATION_FORMAT_VERSION,
            CONTEXT_PROOF,
        )?;
        let raw: AttestationJson =
            serde_json::from_value(value).map_err(|e| AttestError::format(WHAT, e))?;
        if raw.subject.kind != SUBJECT_PROOF {
            return Err(AttestError::format(
                WHAT,
                format!(
                    "subject type {:?}, expected {SUBJECT_PROOF:?}",
                    raw.subject.kind
                ),
            ));
        }
        let envelope = ProofEnvelope::from_json_value(&raw.subject.envelope)?;
        let signature = Signature::from_hex(&raw.signature)?;
        let att = ProofAttestation {
            attester: raw.attester_key_id,
            signed_at: raw.signed_at,
            envelope,
            signature,
        };
        if att.subject_digest() != raw.subject.sha3_256 {
            return Err(AttestError::format(
                WHAT,
                format!(
                    "subject sha3_256 {} is not the digest of the envelope ({})",
                    raw.subject.sha3_256,
                    att.subject_digest()
                ),
            ));
        }
        Ok(att)
    }
}

#[cfg(feature = "groth16")]
/// An attested proof, checked in one call: the attester is trusted and its signature
/// verifies, then the proof verifies with `vk`. Returns the trusted key that signed.
pub fn verify_attested_proof<'a>(
    att: &ProofAttestation,
    trusted: &'a TrustedKeys,
    vk: &PreparedVerifier,
) -> Result<&'a TrustedKey, AttestError> {
    let signer = att.check_signature(trusted)?;
    vk.verify(&att.envelope)?;
    Ok(signer)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::testkeys::TestKey;
    use super::*;
    use crate::statement::{Statement, TierStatement};
    use crate::{Backend, Bytes32};

    pub fn envelope() -> ProofEnvelope {
        ProofEnvelope {
            circuit: "tier-20".parse().unwrap(),
            circuit_version: 1,
            backend: Backend::Groth16,
            key_digest: Bytes32([0xab; 32]),
            statement: Statement::Tier(TierStatement {
                root: Bytes32::from_u64(1),
                min_tier: 2,
                epoch_beacon: Bytes32::from_u64(3),
                request_binding: Bytes32::from_u64(4),
                nullifier: Bytes32::from_u64(5),
                quota: 6,
            }),
            proof: vec![1, 2, 3, 0xff],
        }
    }

    pub fn attest(k: &TestKey, signed_at: u64, env: ProofEnvelope) -> ProofAttestation {
        let msg = ProofAttestation::message(&k.id(), signed_at, &env);
        ProofAttestation {
            attester: k.id(),
            signed_at,
            signature: k.sign(CONTEXT_PROOF, &msg),
            envelope: env,
        }
    }

    fn trusted() -> TrustedKeys {
        let mut t = TrustedKeys::new();
        t.add("auditor", TestKey::new(1).public()).unwrap();
        t
    }

    #[test]
    fn message_layout() {
        let env = envelope();
        let id = Bytes32([7; 32]);
        let m = ProofAttestation::message(&id, 0x0102_0304_0506_0708, &env);
        assert_eq!(&m[..32], &[7; 32]);
        assert_eq!(&m[32..40], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&m[40..], env.canonical_bytes().as_slice());
    }

    #[test]
    fn valid_attestation_round_trips_and_names_the_signer() {
        let att = attest(&TestKey::new(1), 1_767_225_600, envelope());
        let json = att.to_json();
        let back = ProofAttestation::from_json(&json).unwrap();
        assert_eq!(back, att);
        assert_eq!(back.check_signature(&trusted()).unwrap().name, "auditor");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["context"], CONTEXT_PROOF);
        assert_eq!(v["subject"]["type"], "veil-proof");
        assert_eq!(
            v["signature"].as_str().unwrap().len(),
            2 * super::super::SIGNATURE_SIZE
        );
    }

    #[test]
    fn any_change_to_the_signed_fields_is_refused() {
        let t = trusted();
        let att = attest(&TestKey::new(1), 1000, envelope());
        // The time of signing.
        let mut a = att.clone();
        a.signed_at += 1;
        assert!(matches!(
            a.check_signature(&t),
            Err(AttestError::BadSignature { .. })
        ));
        // Every byte of the envelope's proof and statement.
        let mut a = att.clone();
        a.envelope.proof[0] ^= 1;
        assert!(a.check_signature(&t).is_err());
        let mut a = att.clone();
        a.envelope.key_digest.0[31] ^= 1;
        assert!(a.check_signature(&t).is_err());
        let mut a = att.clone();
        if let Statement::Tier(s) = &mut a.envelope.statement {
            s.quota += 1;
        }
        assert!(a.check_signature(&t).is_err());
        let mut a = att.clone();
        a.envelope.circuit = "tier-16".parse().unwrap();
        assert!(a.check_signature(&t).is_err());
        // The attester id: another trusted key does not take over the signature.
        let mut t2 = t.clone();
        t2.add("other", TestKey::new(2).public()).unwrap();
        let mut a = att.clone();
        a.attester = TestKey::new(2).id();
        assert!(matches!(
            a.check_signature(&t2),
            Err(AttestError::BadSignature { .. })
        ));
        // A signature by an untrusted key over the right message.
        let a = attest(&TestKey::new(3), 1000, envelope());
        assert!(matches!(
            a.check_signature(&t),
            Err(AttestError::UnknownKey { what: "proof attestation", key_id }) if key_id == TestKey::new(3).id()
        ));
        // The right key and bytes under another context (a root or file signature).
        let k = TestKey::new(1);
        let msg = ProofAttestation::message(&k.id(), 1000, &envelope());
        for ctx in [super::super::CONTEXT_ROOT, super::super::CONTEXT_FILE, ""] {
            let a = ProofAttestation {
                signature: k.sign(ctx, &msg),
                ..att.clone()
            };
            assert!(a.check_signature(&t).is_err(), "context {ctx:?}");
        }
    }

    #[test]
    fn json_refusals() {
        let good: serde_json::Value =
            serde_json::from_str(&attest(&TestKey::new(1), 5, envelope()).to_json()).unwrap();
        let refused =
            |v: serde_json::Value| ProofAttestation::from_json(&v.to_string()).unwrap_err();

        let mut v = good.clone();
        v["context"] = "veil-root-v1".into();
        assert!(matches!(
            refused(v),
            AttestError::WrongContext {
                expected: CONTEXT_PROOF,
                ..
            }
        ));
        let mut v = good.clone();
        v["format_version"] = 7.into();
        assert!(matches!(
            refused(v),
            AttestError::UnsupportedVersion { found: 7, .. }
        ));
        let mut v = good.clone();
        v["format"] = "veil-proof".into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
        let mut v = good.clone();
        v["subject"]["type"] = "veil-root".into();
        assert!(
            matches!(refused(v), AttestError::Format { detail, .. } if detail.contains("subject type"))
        );
        let mut v = good.clone();
        v["subject"]["sha3_256"] = Bytes32([1; 32]).to_hex().into();
        assert!(
            matches!(refused(v), AttestError::Format { detail, .. } if detail.contains("sha3_256"))
        );
        // A changed envelope no longer matches its digest.
        let mut v = good.clone();
        v["subject"]["envelope"]["statement"]["quota"] = 99.into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
        let mut v = good.clone();
        v["subject"]["envelope"]["proof"] = "zz".into();
        assert!(matches!(refused(v), AttestError::Proof(_)));
        // Signatures cut short, too long, not hex.
        let sig = good["signature"].as_str().unwrap().to_string();
        for bad in [&sig[..sig.len() - 2], &format!("{sig}00"), ""] {
            let mut v = good.clone();
            v["signature"] = bad.into();
            assert!(matches!(
                refused(v),
                AttestError::WrongLength {
                    what: "signature",
                    ..
                }
            ));
        }
        let mut v = good.clone();
        v["signature"] = "xy".into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
        for field in [
            "attester_key_id",
            "signed_at",
            "subject",
            "signature",
            "context",
        ] {
            let mut v = good.clone();
            v.as_object_mut().unwrap().remove(field);
            assert!(matches!(refused(v), AttestError::Format { .. }), "{field}");
        }
        let mut v = good.clone();
        v["extra"] = 1.into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
        // Truncated files and garbage.
        let text = good.to_string();
        for n in [0, 1, 10, text.len() / 2, text.len() - 1] {
            assert!(ProofAttestation::from_json(&text[..n]).is_err());
        }
    }
}
