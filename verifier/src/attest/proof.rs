//! Proof attestations: an attester's ML-DSA-87 signature over a proof envelope.
//!
//! **Format version 2** (written): the signed message (FIPS 204 pure mode, context
//! [`CONTEXT_PROOF_V2`] = `veil-attest-proof-v2`) is
//!
//! | bytes | field |
//! | --- | --- |
//! | 32 | attester key id (SHA3-256 of the attester's encoded public key) |
//! | 8 | signed_at, unix seconds, big-endian u64 |
//! | rest | the RFC 8785 (JSON Canonicalization Scheme) form of `subject.envelope`, as it stands in the attestation file |
//!
//! so anyone can rebuild it from the attestation file alone: decode `attester_key_id`, take
//! `signed_at`, canonicalize the embedded envelope with any JCS implementation (keys sorted by
//! UTF-16 code units, no whitespace, integers in decimal). JCS represents numbers as IEEE-754
//! doubles, so an envelope with an integer above 2^53 - 1 has no exact JCS form: veil refuses
//! to attest it, and refuses to read a version 2 attestation of one. The embedded envelope
//! must also be exactly the one veil writes (lowercase hex; no other spelling of the same
//! values), so that the bytes a reader canonicalizes are the bytes that were signed.
//! `subject.sha3_256` is SHA3-256 of the JCS bytes.
//!
//! **Format version 1** (still read and checked exactly as before): context
//! [`CONTEXT_PROOF`] = `veil-attest-proof-v1`, and the message's last part is the envelope's
//! canonical bytes in field order ([`ProofEnvelope::canonical_bytes`]), which the
//! (alphabetically keyed) embedded envelope does not show: a version 1 attestation can be
//! checked only by rebuilding the envelope veil's way.
//!
//! The attestation file is JSON:
//!
//! ```json
//! {
//!   "format": "veil-attestation",
//!   "format_version": 2,
//!   "context": "veil-attest-proof-v2",
//!   "attester_key_id": "<64 hex digits>",
//!   "signed_at": 1767225600,
//!   "subject": {
//!     "type": "veil-proof",
//!     "sha3_256": "<SHA3-256 of the envelope's JCS bytes>",
//!     "envelope": { "format": "veil-proof", "...": "the proof envelope" }
//!   },
//!   "signature": "<hex of the 4627-byte signature>"
//! }
//! ```
//!
//! The envelope travels inside the attestation, so that an attested proof is one file;
//! `sha3_256` names it for people and tools that keep envelopes elsewhere, and must match.

use super::{
    check_header_versions, sha3_256, AttestError, KeyId, Signature, TrustedKey, TrustedKeys,
    CONTEXT_PROOF, CONTEXT_PROOF_V2,
};
use crate::format::ProofEnvelope;
#[cfg(feature = "groth16")]
use crate::groth16::PreparedVerifier;
use serde::{Deserialize, Serialize};

/// The `format` field of an attestation file.
pub const ATTESTATION_FORMAT: &str = "veil-attestation";
/// Version of the attestation layout this crate writes (it reads 1 and 2).
pub const ATTESTATION_FORMAT_VERSION: u32 = 2;
/// The first attestation layout: still read, never written.
pub const ATTESTATION_FORMAT_VERSION_V1: u32 = 1;
/// The `subject.type` of a proof attestation.
pub const SUBJECT_PROOF: &str = "veil-proof";
/// The largest integer RFC 8785 represents exactly (2^53 - 1, I-JSON's safe range).
pub const JCS_MAX_INTEGER: u64 = (1 << 53) - 1;

const WHAT: &str = "proof attestation";

/// The attestation versions read, with their context strings (the last is written).
const VERSIONS: [(u32, &str); 2] = [
    (ATTESTATION_FORMAT_VERSION_V1, CONTEXT_PROOF),
    (ATTESTATION_FORMAT_VERSION, CONTEXT_PROOF_V2),
];

/// A proof envelope signed by an attester.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofAttestation {
    /// Key id of the attester.
    pub attester: KeyId,
    /// When the attester signed, unix seconds.
    pub signed_at: u64,
    pub envelope: ProofEnvelope,
    pub signature: Signature,
    /// The attestation format version: [`ATTESTATION_FORMAT_VERSION`] (2) for new ones,
    /// [`ATTESTATION_FORMAT_VERSION_V1`] for those read from version 1 files. It decides
    /// which message the signature covers.
    pub format_version: u32,
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

/// Refuses a JSON value that RFC 8785 cannot represent exactly: a number that is not an
/// integer in [0, 2^53 - 1] (veil's envelopes hold only non-negative integers).
fn check_jcs_exact(v: &serde_json::Value, path: &str) -> Result<(), AttestError> {
    match v {
        serde_json::Value::Number(n) => match n.as_u64() {
            Some(x) if x <= JCS_MAX_INTEGER => Ok(()),
            _ => Err(AttestError::format(
                WHAT,
                format!(
                    "{path} = {n} has no exact RFC 8785 form (integers above 2^53 - 1 become doubles): such an envelope cannot be attested in format version 2"
                ),
            )),
        },
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| check_jcs_exact(x, &format!("{path}[{i}]"))),
        serde_json::Value::Object(o) => o
            .iter()
            .try_for_each(|(k, x)| check_jcs_exact(x, &format!("{path}.{k}"))),
        _ => Ok(()),
    }
}

/// The RFC 8785 (JCS) bytes of a JSON value that JCS represents exactly.
fn jcs_bytes(v: &serde_json::Value) -> Result<Vec<u8>, AttestError> {
    check_jcs_exact(v, "envelope")?;
    serde_json_canonicalizer::to_vec(v).map_err(|e| AttestError::format(WHAT, e))
}

impl ProofAttestation {
    /// The version 1 signed message: key id ‖ signed_at (u64, big-endian) ‖ the envelope's
    /// canonical bytes in field order. Kept for reading version 1 attestations.
    pub fn message(attester: &KeyId, signed_at: u64, envelope: &ProofEnvelope) -> Vec<u8> {
        Self::prefixed(attester, signed_at, &envelope.canonical_bytes())
    }

    /// The version 2 signed message: key id ‖ signed_at (u64, big-endian) ‖ the RFC 8785 form
    /// of the envelope as veil embeds it ([`ProofAttestation::envelope_jcs`]).
    pub fn message_v2(
        attester: &KeyId,
        signed_at: u64,
        envelope: &ProofEnvelope,
    ) -> Result<Vec<u8>, AttestError> {
        Ok(Self::prefixed(
            attester,
            signed_at,
            &Self::envelope_jcs(envelope)?,
        ))
    }

    /// The RFC 8785 (JCS) bytes of the envelope's JSON as embedded in an attestation; refused
    /// when a statement value is above 2^53 - 1 (JCS would round it).
    pub fn envelope_jcs(envelope: &ProofEnvelope) -> Result<Vec<u8>, AttestError> {
        jcs_bytes(&envelope.to_json_value())
    }

    fn prefixed(attester: &KeyId, signed_at: u64, body: &[u8]) -> Vec<u8> {
        let mut m = Vec::with_capacity(40 + body.len());
        m.extend_from_slice(&attester.0);
        m.extend_from_slice(&signed_at.to_be_bytes());
        m.extend_from_slice(body);
        m
    }

    /// The FIPS 204 context string of this attestation's version.
    pub fn context(&self) -> &'static str {
        if self.format_version == ATTESTATION_FORMAT_VERSION_V1 {
            CONTEXT_PROOF
        } else {
            CONTEXT_PROOF_V2
        }
    }

    /// The message this attestation's signature covers (by its format version).
    pub fn signed_message(&self) -> Result<Vec<u8>, AttestError> {
        if self.format_version == ATTESTATION_FORMAT_VERSION_V1 {
            Ok(Self::message(
                &self.attester,
                self.signed_at,
                &self.envelope,
            ))
        } else {
            Self::message_v2(&self.attester, self.signed_at, &self.envelope)
        }
    }

    /// The bytes `subject.sha3_256` digests: the canonical bytes (version 1) or the JCS
    /// bytes (version 2) of the envelope.
    fn subject_bytes(&self) -> Result<Vec<u8>, AttestError> {
        if self.format_version == ATTESTATION_FORMAT_VERSION_V1 {
            Ok(self.envelope.canonical_bytes())
        } else {
            Self::envelope_jcs(&self.envelope)
        }
    }

    /// SHA3-256 of the envelope's signed bytes: the `subject.sha3_256` field. For a version 2
    /// attestation of an envelope with no exact JCS form (see the module docs), the digest of
    /// its field-order bytes; such an attestation is refused wherever it is checked or read.
    pub fn subject_digest(&self) -> crate::Bytes32 {
        sha3_256(
            &self
                .subject_bytes()
                .unwrap_or_else(|_| self.envelope.canonical_bytes()),
        )
    }

    /// Checks the signature with the attester's key from `trusted` and returns that key.
    /// Refuses an attester that is not trusted ([`AttestError::UnknownKey`]) and a signature
    /// that does not verify ([`AttestError::BadSignature`]). Does not check the proof.
    pub fn check_signature<'a>(
        &self,
        trusted: &'a TrustedKeys,
    ) -> Result<&'a TrustedKey, AttestError> {
        let signer = trusted.require(&self.attester, WHAT)?;
        let msg = self.signed_message()?;
        signer
            .key
            .verify(WHAT, self.context(), &msg, &self.signature)?;
        Ok(signer)
    }

    /// Pretty JSON (see the module documentation), in the attestation's own format version.
    pub fn to_json(&self) -> String {
        let out = AttestationJson {
            format: ATTESTATION_FORMAT.into(),
            format_version: self.format_version,
            context: self.context().into(),
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

    /// Reads an attestation file of format version 1 or 2, refusing another format, version
    /// or context, unknown or missing fields, a subject digest that does not match the
    /// envelope, (version 2) an embedded envelope that is not exactly veil's JSON of it or has
    /// no exact JCS form, and a signature of the wrong length or encoding. Does not check the
    /// signature: see [`ProofAttestation::check_signature`].
    pub fn from_json(s: &str) -> Result<Self, AttestError> {
        let value: serde_json::Value =
            serde_json::from_str(s).map_err(|e| AttestError::format(WHAT, e))?;
        let version = check_header_versions(&value, WHAT, ATTESTATION_FORMAT, &VERSIONS)?;
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
        if version != ATTESTATION_FORMAT_VERSION_V1 {
            // The signed bytes are the JCS form of the file's envelope: it must be the one
            // veil writes, and exactly representable.
            if envelope.to_json_value() != raw.subject.envelope {
                return Err(AttestError::format(
                    WHAT,
                    "the embedded envelope is not written as veil writes it (e.g. uppercase hex): its JCS bytes would not be the signed ones",
                ));
            }
            check_jcs_exact(&raw.subject.envelope, "envelope")?;
        }
        let signature = Signature::from_hex(&raw.signature)?;
        let att = ProofAttestation {
            attester: raw.attester_key_id,
            signed_at: raw.signed_at,
            envelope,
            signature,
            format_version: version,
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
    use crate::statement::{OwnershipStatement, Statement, TierStatement};
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

    /// A version 2 attestation (the JCS form signed).
    pub fn attest(k: &TestKey, signed_at: u64, env: ProofEnvelope) -> ProofAttestation {
        let msg = ProofAttestation::message_v2(&k.id(), signed_at, &env).unwrap();
        ProofAttestation {
            attester: k.id(),
            signed_at,
            signature: k.sign(CONTEXT_PROOF_V2, &msg),
            envelope: env,
            format_version: ATTESTATION_FORMAT_VERSION,
        }
    }

    /// A version 1 attestation, as veil wrote them before format version 2.
    pub fn attest_v1(k: &TestKey, signed_at: u64, env: ProofEnvelope) -> ProofAttestation {
        let msg = ProofAttestation::message(&k.id(), signed_at, &env);
        ProofAttestation {
            attester: k.id(),
            signed_at,
            signature: k.sign(CONTEXT_PROOF, &msg),
            envelope: env,
            format_version: ATTESTATION_FORMAT_VERSION_V1,
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
        // Version 2: the same prefix, then the JCS form (keys sorted, no whitespace).
        let m2 = ProofAttestation::message_v2(&id, 0x0102_0304_0506_0708, &env).unwrap();
        assert_eq!(&m2[..40], &m[..40]);
        let jcs = String::from_utf8(m2[40..].to_vec()).unwrap();
        let expected = format!(
            concat!(
                "{{\"backend\":\"groth16\",\"circuit\":\"tier-20\",\"circuit_version\":1,",
                "\"format\":\"veil-proof\",\"format_version\":1,\"key_digest\":\"{}\",",
                "\"proof\":\"010203ff\",\"statement\":{{\"epoch_beacon\":\"{}\",\"min_tier\":2,",
                "\"nullifier\":\"{}\",\"quota\":6,\"request_binding\":\"{}\",\"root\":\"{}\"}}}}"
            ),
            "ab".repeat(32),
            Bytes32::from_u64(3),
            Bytes32::from_u64(5),
            Bytes32::from_u64(4),
            Bytes32::from_u64(1),
        );
        assert_eq!(jcs, expected);
    }

    #[test]
    fn version_1_attestations_are_still_read_and_checked() {
        let att = attest_v1(&TestKey::new(1), 1_767_225_600, envelope());
        let json = att.to_json();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["format_version"], 1);
        assert_eq!(v["context"], CONTEXT_PROOF);
        let back = ProofAttestation::from_json(&json).unwrap();
        assert_eq!(back, att);
        assert_eq!(back.format_version, 1);
        assert_eq!(back.check_signature(&trusted()).unwrap().name, "auditor");
        // A version 1 signature read as version 2 (or the other way round) fails.
        let mut as_v2 = back.clone();
        as_v2.format_version = 2;
        assert!(as_v2.check_signature(&trusted()).is_err());
        let v2 = attest(&TestKey::new(1), 1_767_225_600, envelope());
        let mut as_v1 = v2.clone();
        as_v1.format_version = 1;
        assert!(as_v1.check_signature(&trusted()).is_err());
        // A version 1 header with the version 2 context, and the reverse, are refused.
        let mut w = v.clone();
        w["context"] = CONTEXT_PROOF_V2.into();
        assert!(matches!(
            ProofAttestation::from_json(&w.to_string()),
            Err(AttestError::WrongContext {
                expected: CONTEXT_PROOF,
                ..
            })
        ));
        let mut w: serde_json::Value = serde_json::from_str(&v2.to_json()).unwrap();
        w["context"] = CONTEXT_PROOF.into();
        assert!(matches!(
            ProofAttestation::from_json(&w.to_string()),
            Err(AttestError::WrongContext {
                expected: CONTEXT_PROOF_V2,
                ..
            })
        ));
    }

    #[test]
    fn version_2_refuses_envelopes_without_an_exact_jcs_form() {
        // Ownership's `now` is a u64: JCS writes numbers as doubles, exact only up to 2^53 - 1.
        fn with_now(now: u64) -> ProofEnvelope {
            let mut env = envelope();
            env.circuit = "ownership-20".parse().unwrap();
            env.statement = Statement::Ownership(OwnershipStatement {
                root: Bytes32::from_u64(1),
                package_id: Bytes32::from_u64(2),
                now,
                challenge: Bytes32::from_u64(3),
                tag: Bytes32::from_u64(4),
            });
            env
        }
        let k = TestKey::new(1);
        let e =
            ProofAttestation::message_v2(&k.id(), 1, &with_now(JCS_MAX_INTEGER + 1)).unwrap_err();
        assert!(e.to_string().contains("2^53"), "{e}");
        // At the limit it is exact.
        let att = attest(&k, 1, with_now(JCS_MAX_INTEGER));
        let back = ProofAttestation::from_json(&att.to_json()).unwrap();
        assert_eq!(back.check_signature(&trusted()).unwrap().name, "auditor");
        // A file whose envelope has a larger one is refused on reading.
        let mut v: serde_json::Value = serde_json::from_str(&att.to_json()).unwrap();
        v["subject"]["envelope"]["statement"]["now"] = (JCS_MAX_INTEGER + 1).into();
        let e = ProofAttestation::from_json(&v.to_string()).unwrap_err();
        assert!(e.to_string().contains("2^53"), "{e}");
        // Version 1 has no such limit.
        let v1 = attest_v1(&k, 1, with_now(u64::MAX));
        let back = ProofAttestation::from_json(&v1.to_json()).unwrap();
        assert!(back.check_signature(&trusted()).is_ok());
    }

    #[test]
    fn valid_attestation_round_trips_and_names_the_signer() {
        let att = attest(&TestKey::new(1), 1_767_225_600, envelope());
        let json = att.to_json();
        let back = ProofAttestation::from_json(&json).unwrap();
        assert_eq!(back, att);
        assert_eq!(back.check_signature(&trusted()).unwrap().name, "auditor");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["context"], CONTEXT_PROOF_V2);
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
        let msg = ProofAttestation::message_v2(&k.id(), 1000, &envelope()).unwrap();
        for ctx in [
            super::super::CONTEXT_ROOT,
            super::super::CONTEXT_FILE,
            CONTEXT_PROOF,
            "",
        ] {
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
                expected: CONTEXT_PROOF_V2,
                ..
            }
        ));
        // The envelope written otherwise than veil writes it (uppercase hex): its JCS bytes
        // would not be the signed ones.
        let mut v = good.clone();
        let upper = v["subject"]["envelope"]["proof"]
            .as_str()
            .unwrap()
            .to_uppercase();
        v["subject"]["envelope"]["proof"] = upper.into();
        assert!(
            matches!(refused(v), AttestError::Format { detail, .. } if detail.contains("as veil writes it"))
        );
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
