//! Signed roots: the Merkle roots the ownership and tier circuits take as public input, signed
//! by the tree's issuer.
//!
//! Signed message (FIPS 204 pure mode, context [`CONTEXT_ROOT`] = `veil-root-v1`), 124 bytes:
//!
//! | bytes | field |
//! | --- | --- |
//! | 32 | issuer key id |
//! | 32 | tree id |
//! | 4 | tree depth, big-endian u32 |
//! | 32 | root (the 32-byte digest, as in statements) |
//! | 8 | leaf count, big-endian u64 |
//! | 8 | epoch, big-endian u64 |
//! | 8 | signed_at, unix seconds, big-endian u64 |
//!
//! An unsigned root file (what `veil attest --root` signs):
//!
//! ```json
//! { "format": "veil-root", "format_version": 1,
//!   "tree_id": "<64 hex>", "depth": 20, "root": "<64 hex>", "leaf_count": 1000, "epoch": 7 }
//! ```
//!
//! A signed root file:
//!
//! ```json
//! { "format": "veil-signed-root", "format_version": 1, "context": "veil-root-v1",
//!   "issuer_key_id": "<64 hex>", "signed_at": 1767225600,
//!   "root": { "tree_id": "…", "depth": 20, "root": "…", "leaf_count": 1000, "epoch": 7 },
//!   "signature": "<hex of the 4627-byte signature>" }
//! ```

use super::{check_header, AttestError, KeyId, Signature, TrustedKey, TrustedKeys, CONTEXT_ROOT};
use crate::bytes::{Digest, Id};
use crate::circuit::{MAX_DEPTH, MIN_DEPTH};
use crate::format::ProofEnvelope;
#[cfg(feature = "groth16")]
use crate::groth16::PreparedVerifier;
use crate::statement::Statement;
use serde::{Deserialize, Serialize};

/// The `format` field of an unsigned root file.
pub const ROOT_FORMAT: &str = "veil-root";
/// The `format` field of a signed root file.
pub const SIGNED_ROOT_FORMAT: &str = "veil-signed-root";
/// Version of both root layouts.
pub const ROOT_FORMAT_VERSION: u32 = 1;
/// Length of the signed message.
pub const ROOT_MESSAGE_SIZE: usize = 32 + 32 + 4 + 32 + 8 + 8 + 8;

const WHAT: &str = "signed root";

/// What an issuer says about one of its trees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootInfo {
    /// The issuer's name for the tree (any 32 bytes).
    pub tree_id: Id,
    /// log2 of the tree's capacity, as in circuit ids (`tier-20` proves against depth 20).
    pub depth: u32,
    /// The root, as it appears in proof statements.
    pub root: Digest,
    /// Number of leaves in use; at most 2^depth.
    pub leaf_count: u64,
    /// The issuer's epoch (a counter of tree versions, or the tier epoch).
    pub epoch: u64,
}

impl RootInfo {
    /// Refuses a depth no circuit has and a leaf count that does not fit the tree.
    pub fn validate(&self) -> Result<(), AttestError> {
        if !(MIN_DEPTH..=MAX_DEPTH).contains(&self.depth) || !self.depth.is_multiple_of(2) {
            return Err(AttestError::format(
                "root",
                format!(
                    "tree depth must be even and between {MIN_DEPTH} and {MAX_DEPTH}, got {}",
                    self.depth
                ),
            ));
        }
        if self.leaf_count > 1u64 << self.depth {
            return Err(AttestError::format(
                "root",
                format!(
                    "{} leaves do not fit a tree of depth {} ({} leaves)",
                    self.leaf_count,
                    self.depth,
                    1u64 << self.depth
                ),
            ));
        }
        Ok(())
    }

    /// Reads an unsigned root file (see the module documentation).
    pub fn from_json(s: &str) -> Result<Self, AttestError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RootFile {
            format: String,
            format_version: u64,
            tree_id: Id,
            depth: u32,
            root: Digest,
            leaf_count: u64,
            epoch: u64,
        }
        let what = "root file";
        let value: serde_json::Value =
            serde_json::from_str(s).map_err(|e| AttestError::format(what, e))?;
        let obj = value
            .as_object()
            .ok_or_else(|| AttestError::format(what, "not a JSON object"))?;
        match obj.get("format").and_then(|f| f.as_str()) {
            Some(ROOT_FORMAT) => {}
            Some(SIGNED_ROOT_FORMAT) => {
                return Err(AttestError::format(what, "this root is already signed"))
            }
            _ => {
                return Err(AttestError::format(
                    what,
                    format!("expected \"format\": \"{ROOT_FORMAT}\""),
                ))
            }
        }
        let raw: RootFile =
            serde_json::from_value(value).map_err(|e| AttestError::format(what, e))?;
        if raw.format_version != u64::from(ROOT_FORMAT_VERSION) {
            return Err(AttestError::UnsupportedVersion {
                what,
                found: raw.format_version,
                supported: ROOT_FORMAT_VERSION,
            });
        }
        debug_assert_eq!(raw.format, ROOT_FORMAT);
        let info = RootInfo {
            tree_id: raw.tree_id,
            depth: raw.depth,
            root: raw.root,
            leaf_count: raw.leaf_count,
            epoch: raw.epoch,
        };
        info.validate()?;
        Ok(info)
    }

    /// The unsigned root file.
    pub fn to_json(&self) -> String {
        let mut v =
            serde_json::json!({"format": ROOT_FORMAT, "format_version": ROOT_FORMAT_VERSION});
        let fields = serde_json::to_value(self).expect("a root always serializes");
        if let (Some(o), Some(f)) = (v.as_object_mut(), fields.as_object()) {
            o.extend(f.clone());
        }
        serde_json::to_string_pretty(&v).expect("a root always serializes")
    }
}

/// A root signed by its issuer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRoot {
    pub issuer: KeyId,
    /// When the issuer signed, unix seconds.
    pub signed_at: u64,
    pub info: RootInfo,
    pub signature: Signature,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedRootJson {
    format: String,
    format_version: u32,
    context: String,
    issuer_key_id: KeyId,
    signed_at: u64,
    root: RootInfo,
    signature: String,
}

impl SignedRoot {
    /// The signed message ([`ROOT_MESSAGE_SIZE`] bytes, see the module documentation).
    pub fn message(issuer: &KeyId, signed_at: u64, info: &RootInfo) -> Vec<u8> {
        let mut m = Vec::with_capacity(ROOT_MESSAGE_SIZE);
        m.extend_from_slice(&issuer.0);
        m.extend_from_slice(&info.tree_id.0);
        m.extend_from_slice(&info.depth.to_be_bytes());
        m.extend_from_slice(&info.root.0);
        m.extend_from_slice(&info.leaf_count.to_be_bytes());
        m.extend_from_slice(&info.epoch.to_be_bytes());
        m.extend_from_slice(&signed_at.to_be_bytes());
        m
    }

    /// Checks the signature with the issuer's key from `issuers` and returns that key.
    pub fn check_signature<'a>(
        &self,
        issuers: &'a TrustedKeys,
    ) -> Result<&'a TrustedKey, AttestError> {
        let signer = issuers.require(&self.issuer, WHAT)?;
        let msg = Self::message(&self.issuer, self.signed_at, &self.info);
        signer
            .key
            .verify(WHAT, CONTEXT_ROOT, &msg, &self.signature)?;
        Ok(signer)
    }

    /// Refuses a root signed more than `max_age` seconds before `now`, or after `now`.
    pub fn check_fresh(&self, now: u64, max_age: u64) -> Result<(), AttestError> {
        if self.signed_at > now {
            return Err(AttestError::FutureRoot {
                signed_at: self.signed_at,
                now,
            });
        }
        let age = now - self.signed_at;
        if age > max_age {
            return Err(AttestError::StaleRoot {
                signed_at: self.signed_at,
                now,
                age,
                max_age,
            });
        }
        Ok(())
    }

    /// Pretty JSON (see the module documentation).
    pub fn to_json(&self) -> String {
        let out = SignedRootJson {
            format: SIGNED_ROOT_FORMAT.into(),
            format_version: ROOT_FORMAT_VERSION,
            context: CONTEXT_ROOT.into(),
            issuer_key_id: self.issuer,
            signed_at: self.signed_at,
            root: self.info.clone(),
            signature: self.signature.to_hex(),
        };
        serde_json::to_string_pretty(&out).expect("a signed root always serializes")
    }

    /// Reads a signed root file. Does not check the signature or freshness.
    pub fn from_json(s: &str) -> Result<Self, AttestError> {
        let value: serde_json::Value =
            serde_json::from_str(s).map_err(|e| AttestError::format(WHAT, e))?;
        check_header(
            &value,
            WHAT,
            SIGNED_ROOT_FORMAT,
            ROOT_FORMAT_VERSION,
            CONTEXT_ROOT,
        )?;
        let raw: SignedRootJson =
            serde_json::from_value(value).map_err(|e| AttestError::format(WHAT, e))?;
        raw.root.validate()?;
        Ok(SignedRoot {
            issuer: raw.issuer_key_id,
            signed_at: raw.signed_at,
            info: raw.root,
            signature: Signature::from_hex(&raw.signature)?,
        })
    }
}

/// The Merkle root a proof's statement names, if its circuit has one (ownership, tier and
/// renewal prove membership in a tree; the batch circuits commit to lists instead).
pub fn statement_root(statement: &Statement) -> Option<Digest> {
    statement.tree_root()
}

/// A proof against a signed root, checked in one call, cheapest checks first:
/// 1. the root's issuer is in `issuers` and its signature verifies;
/// 2. the root is fresh: signed at most `max_age` seconds before `now`, not after it;
/// 3. the proof is for this root (its statement's `root`) and a tree of this depth;
/// 4. the proof verifies with `vk`.
///
/// Returns the trusted issuer key.
pub fn verify_proof_with_signed_root<'a>(
    proof: &ProofEnvelope,
    vk: &impl VerifiesProof,
    root: &SignedRoot,
    issuers: &'a TrustedKeys,
    now: u64,
    max_age: u64,
) -> Result<&'a TrustedKey, AttestError> {
    let issuer = root.check_signature(issuers)?;
    root.check_fresh(now, max_age)?;
    let proof_root = statement_root(&proof.statement).ok_or_else(|| {
        AttestError::NoRoot(format!(
            "a {} proof names no Merkle root: a signed root does not apply to it",
            proof.circuit.kind.name()
        ))
    })?;
    if proof_root != root.info.root {
        return Err(AttestError::RootMismatch {
            proof_root,
            signed_root: root.info.root,
        });
    }
    if proof.circuit.size != root.info.depth {
        return Err(AttestError::DepthMismatch {
            proof_depth: proof.circuit.size,
            root_depth: root.info.depth,
        });
    }
    vk.verify_proof(proof)?;
    Ok(issuer)
}

/// A verifier of single proofs, of either backend.
pub trait VerifiesProof {
    fn verify_proof(&self, proof: &ProofEnvelope) -> Result<(), crate::VerifyError>;
}

#[cfg(feature = "groth16")]
impl VerifiesProof for PreparedVerifier {
    fn verify_proof(&self, proof: &ProofEnvelope) -> Result<(), crate::VerifyError> {
        self.verify(proof)
    }
}

impl VerifiesProof for crate::AnyVerifyingKey {
    fn verify_proof(&self, proof: &ProofEnvelope) -> Result<(), crate::VerifyError> {
        self.verify(proof)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkeys::TestKey;
    use super::*;
    use crate::Bytes32;

    fn info() -> RootInfo {
        RootInfo {
            tree_id: Bytes32([0x11; 32]),
            depth: 20,
            root: Bytes32::from_u64(1),
            leaf_count: 1000,
            epoch: 7,
        }
    }

    fn sign(k: &TestKey, signed_at: u64, info: RootInfo) -> SignedRoot {
        let msg = SignedRoot::message(&k.id(), signed_at, &info);
        SignedRoot {
            issuer: k.id(),
            signed_at,
            signature: k.sign(CONTEXT_ROOT, &msg),
            info,
        }
    }

    fn issuers() -> TrustedKeys {
        let mut t = TrustedKeys::new();
        t.add("issuer", TestKey::new(5).public()).unwrap();
        t
    }

    #[test]
    fn message_layout() {
        let m = SignedRoot::message(&Bytes32([9; 32]), 0x0a0b, &info());
        assert_eq!(m.len(), ROOT_MESSAGE_SIZE);
        assert_eq!(m.len(), 124);
        assert_eq!(&m[..32], &[9; 32]);
        assert_eq!(&m[32..64], &[0x11; 32]);
        assert_eq!(&m[64..68], &20u32.to_be_bytes());
        assert_eq!(&m[68..100], &Bytes32::from_u64(1).0);
        assert_eq!(&m[100..108], &1000u64.to_be_bytes());
        assert_eq!(&m[108..116], &7u64.to_be_bytes());
        assert_eq!(&m[116..124], &0x0a0bu64.to_be_bytes());
    }

    #[test]
    fn signature_freshness_and_json() {
        let r = sign(&TestKey::new(5), 1000, info());
        let back = SignedRoot::from_json(&r.to_json()).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.check_signature(&issuers()).unwrap().name, "issuer");
        back.check_fresh(1000, 0).unwrap();
        back.check_fresh(1600, 600).unwrap();
        assert!(matches!(
            back.check_fresh(1601, 600),
            Err(AttestError::StaleRoot {
                age: 601,
                max_age: 600,
                ..
            })
        ));
        assert!(matches!(
            back.check_fresh(999, 600),
            Err(AttestError::FutureRoot {
                signed_at: 1000,
                now: 999
            })
        ));
        // The wrong issuer, any changed field.
        let wrong = sign(&TestKey::new(6), 1000, info());
        assert!(matches!(
            wrong.check_signature(&issuers()),
            Err(AttestError::UnknownKey {
                what: "signed root",
                ..
            })
        ));
        type Edit = Box<dyn Fn(&mut SignedRoot)>;
        let edits: Vec<Edit> = vec![
            Box::new(|r| r.info.root.0[31] ^= 1),
            Box::new(|r| r.info.tree_id.0[0] ^= 1),
            Box::new(|r| r.info.depth = 18),
            Box::new(|r| r.info.leaf_count += 1),
            Box::new(|r| r.info.epoch += 1),
            Box::new(|r| r.signed_at += 1),
        ];
        for edit in edits {
            let mut x = r.clone();
            edit(&mut x);
            assert!(matches!(
                x.check_signature(&issuers()),
                Err(AttestError::BadSignature {
                    what: "signed root",
                    ..
                })
            ));
        }
        // A proof-attestation signature over the same bytes is not a root signature.
        let k = TestKey::new(5);
        let x = SignedRoot {
            signature: k.sign(
                super::super::CONTEXT_PROOF,
                &SignedRoot::message(&k.id(), 1000, &info()),
            ),
            ..r.clone()
        };
        assert!(x.check_signature(&issuers()).is_err());
    }

    #[test]
    fn root_files() {
        let i = info();
        assert_eq!(RootInfo::from_json(&i.to_json()).unwrap(), i);
        let good: serde_json::Value = serde_json::from_str(&i.to_json()).unwrap();
        let refused = |v: serde_json::Value| RootInfo::from_json(&v.to_string()).unwrap_err();
        let mut v = good.clone();
        v["depth"] = 21.into();
        assert!(
            matches!(refused(v), AttestError::Format { detail, .. } if detail.contains("depth"))
        );
        let mut v = good.clone();
        v["depth"] = 4.into();
        v["leaf_count"] = 17.into();
        assert!(
            matches!(refused(v), AttestError::Format { detail, .. } if detail.contains("do not fit"))
        );
        let mut v = good.clone();
        v["extra"] = 1.into();
        assert!(
            matches!(refused(v), AttestError::Format { detail, .. } if detail.contains("extra"))
        );
        let mut v = good.clone();
        v.as_object_mut().unwrap().remove("epoch");
        assert!(matches!(refused(v), AttestError::Format { .. }));
        let mut v = good.clone();
        v["format_version"] = 2.into();
        assert!(matches!(refused(v), AttestError::UnsupportedVersion { .. }));
        let mut v = good.clone();
        v["root"] = "12".into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
        let signed = sign(&TestKey::new(5), 1, info()).to_json();
        assert!(matches!(
            RootInfo::from_json(&signed),
            Err(AttestError::Format { detail, .. }) if detail.contains("already signed")
        ));

        let good: serde_json::Value = serde_json::from_str(&signed).unwrap();
        let refused = |v: serde_json::Value| SignedRoot::from_json(&v.to_string()).unwrap_err();
        let mut v = good.clone();
        v["context"] = "veil-attest-proof-v1".into();
        assert!(matches!(refused(v), AttestError::WrongContext { .. }));
        let mut v = good.clone();
        v["root"]["depth"] = 3.into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
        let mut v = good.clone();
        let sig = v["signature"].as_str().unwrap()[..200].to_string();
        v["signature"] = sig.into();
        assert!(matches!(refused(v), AttestError::WrongLength { .. }));
        for n in [0, signed.len() / 3, signed.len() - 1] {
            assert!(SignedRoot::from_json(&signed[..n]).is_err());
        }
    }
}
