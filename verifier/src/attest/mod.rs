//! ML-DSA-87 attestations: signed proofs, signed roots, signed revenue proofs, trusted keys.
//!
//! ML-DSA cannot be checked inside a circuit at a sane cost, so veil checks it natively, next
//! to the proof. Signatures are plain FIPS 204 ML-DSA-87 (security category 5) in the *pure*
//! mode with a context string: `ML-DSA.Verify(pk, M, sig, ctx)` of any conforming
//! implementation accepts them. Every kind of signed thing has its own context string, so that
//! a signature over one kind can never be taken for a signature over another:
//!
//! | what is signed | context string | message `M` |
//! | --- | --- | --- |
//! | a proof envelope ([`proof`]), format version 2 | [`CONTEXT_PROOF_V2`] | key id ‖ signed_at ‖ RFC 8785 (JCS) form of the envelope embedded in the attestation |
//! | a proof envelope, format version 1 (still read) | [`CONTEXT_PROOF`] | key id ‖ signed_at ‖ the envelope's canonical bytes (field order) |
//! | a Merkle root ([`root`]) | [`CONTEXT_ROOT`] | key id ‖ tree id ‖ depth ‖ root ‖ leaf count ‖ epoch ‖ signed_at |
//! | a revenue proof ([`revenue`]) | [`CONTEXT_REVENUE`] | key id ‖ proof id ‖ publisher id ‖ period ‖ totals ‖ proof data |
//! | any file (`veil sign`) | [`CONTEXT_FILE`] | the file's bytes, unchanged |
//!
//! Integers in messages are big-endian u64 (the tree depth a big-endian u32); ids, digests and
//! roots are their 32 bytes. The exact layouts are in each module and in the README.
//!
//! Encodings are the FIPS 204 ones: a public key is `pkEncode` (2592 bytes), a signature
//! `sigEncode` (4627 bytes). A key id is SHA3-256 of the encoded public key. Signing lives in
//! `veil-prover`; this module only checks.

pub mod proof;
pub mod revenue;
pub mod root;
pub mod trusted;

#[cfg(feature = "groth16")]
pub use proof::verify_attested_proof;
pub use proof::ProofAttestation;
pub use revenue::{
    verify_revenue_proof, verify_revenue_proof_with_circuit, RevenueCircuitChecker, RevenueClaim,
    RevenueProofChecker, ZkRevenueProof,
};
pub use root::{verify_proof_with_signed_root, RootInfo, SignedRoot};
pub use trusted::{TrustedKey, TrustedKeys};

use crate::bytes::Bytes32;
use crate::error::VerifyError;
use ml_dsa::{EncodedVerifyingKey, MlDsa87};
use sha3::{Digest as _, Sha3_256};
use std::fmt;

/// Size in bytes of an encoded ML-DSA-87 public key (FIPS 204 `pkEncode`).
pub const PUBLIC_KEY_SIZE: usize = 2592;
/// Size in bytes of an encoded ML-DSA-87 signature (FIPS 204 `sigEncode`).
pub const SIGNATURE_SIZE: usize = 4627;
/// Size in bytes of an ML-DSA key-generation seed (FIPS 204 `ξ`): veil's secret key file.
pub const SEED_SIZE: usize = 32;

/// FIPS 204 context string of proof attestations of format version 1 (still read).
pub const CONTEXT_PROOF: &str = "veil-attest-proof-v1";
/// FIPS 204 context string of proof attestations of format version 2 (the JCS form is signed).
pub const CONTEXT_PROOF_V2: &str = "veil-attest-proof-v2";
/// FIPS 204 context string of signed Merkle roots.
pub const CONTEXT_ROOT: &str = "veil-root-v1";
/// FIPS 204 context string of revenue proofs' witness signatures.
pub const CONTEXT_REVENUE: &str = "veil-revenue-proof-v1";
/// FIPS 204 context string of `veil sign` file signatures.
pub const CONTEXT_FILE: &str = "veil-file-v1";

/// The id of a public key: SHA3-256 of its 2592-byte encoding.
pub type KeyId = Bytes32;

/// Everything that can go wrong when reading or checking attestations.
#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    #[error("malformed {what}: {detail}")]
    Format { what: &'static str, detail: String },
    #[error("the {what} is {found} bytes, an ML-DSA-87 {what} is {expected} bytes")]
    WrongLength {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error(
        "unsupported {what} format version {found} (this veil reads up to version {supported})"
    )]
    UnsupportedVersion {
        what: &'static str,
        found: u64,
        supported: u32,
    },
    #[error("wrong context string: the {what} names context {found:?}, expected {expected:?}")]
    WrongContext {
        what: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error("the {what} is signed by key {key_id}, which is not a trusted key")]
    UnknownKey { what: &'static str, key_id: KeyId },
    #[error("the signature on the {what} does not verify with key {key_id}: the signed bytes, the key or the context differ")]
    BadSignature { what: &'static str, key_id: KeyId },
    #[error("{0}")]
    TrustedKeys(String),
    #[error("the root is too old: signed at {signed_at}, {age} s before now ({now}); the limit is {max_age} s")]
    StaleRoot {
        signed_at: u64,
        now: u64,
        age: u64,
        max_age: u64,
    },
    #[error("the root is signed in the future: signed at {signed_at}, now is {now}")]
    FutureRoot { signed_at: u64, now: u64 },
    #[error("the proof is for root {proof_root}, the signed root is {signed_root}")]
    RootMismatch {
        proof_root: Bytes32,
        signed_root: Bytes32,
    },
    #[error("the proof is for a tree of depth {proof_depth}, the signed root is of a tree of depth {root_depth}")]
    DepthMismatch { proof_depth: u32, root_depth: u32 },
    #[error("{0}")]
    NoRoot(String),
    #[error("invalid revenue proof: {0}")]
    Revenue(String),
    #[error("signing failed: {0}")]
    Signing(String),
    #[error(transparent)]
    Proof(#[from] VerifyError),
    #[error("i/o error on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl AttestError {
    pub(crate) fn format(what: &'static str, detail: impl fmt::Display) -> Self {
        AttestError::Format {
            what,
            detail: detail.to_string(),
        }
    }
}

/// SHA3-256 of `bytes`.
pub fn sha3_256(bytes: &[u8]) -> Bytes32 {
    Bytes32(Sha3_256::digest(bytes).into())
}

/// An ML-DSA-87 public key, with its encoding and key id.
#[derive(Clone)]
pub struct PublicKey {
    vk: ml_dsa::VerifyingKey<MlDsa87>,
    bytes: Vec<u8>,
    id: KeyId,
}

impl PublicKey {
    /// Reads a FIPS 204 encoded public key: exactly [`PUBLIC_KEY_SIZE`] bytes (every such
    /// string is a valid encoding).
    pub fn from_bytes(b: &[u8]) -> Result<Self, AttestError> {
        let enc =
            EncodedVerifyingKey::<MlDsa87>::try_from(b).map_err(|_| AttestError::WrongLength {
                what: "public key",
                expected: PUBLIC_KEY_SIZE,
                found: b.len(),
            })?;
        Ok(Self::from_encoded(
            ml_dsa::VerifyingKey::decode(&enc),
            b.to_vec(),
        ))
    }

    /// Wraps a verifying key (used by the signer, which derives it from the seed).
    pub fn from_verifying_key(vk: ml_dsa::VerifyingKey<MlDsa87>) -> Self {
        let bytes = vk.encode().to_vec();
        Self::from_encoded(vk, bytes)
    }

    fn from_encoded(vk: ml_dsa::VerifyingKey<MlDsa87>, bytes: Vec<u8>) -> Self {
        let id = sha3_256(&bytes);
        PublicKey { vk, bytes, id }
    }

    /// Reads a hex-encoded public key.
    pub fn from_hex(s: &str) -> Result<Self, AttestError> {
        let b = hex::decode(s.trim())
            .map_err(|e| AttestError::format("public key", format!("not hex: {e}")))?;
        Self::from_bytes(&b)
    }

    /// Reads a public key file (the raw 2592 bytes, as `veil keygen` writes `NAME.pub`).
    pub fn read(path: &std::path::Path) -> Result<Self, AttestError> {
        let b = std::fs::read(path).map_err(|source| AttestError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&b)
    }

    /// The FIPS 204 encoding ([`PUBLIC_KEY_SIZE`] bytes).
    pub fn to_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.bytes)
    }

    /// SHA3-256 of the encoding.
    pub fn key_id(&self) -> KeyId {
        self.id
    }

    /// FIPS 204 `ML-DSA.Verify(pk, msg, sig, ctx)`, pure mode. `what` names the signed thing
    /// in the error.
    pub fn verify(
        &self,
        what: &'static str,
        ctx: &str,
        msg: &[u8],
        sig: &Signature,
    ) -> Result<(), AttestError> {
        if self.vk.verify_with_context(msg, ctx.as_bytes(), &sig.sig) {
            Ok(())
        } else {
            Err(AttestError::BadSignature {
                what,
                key_id: self.id,
            })
        }
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(id {})", self.id)
    }
}

/// An ML-DSA-87 signature, decoded (and so well-formed) on construction.
#[derive(Clone)]
pub struct Signature {
    sig: ml_dsa::Signature<MlDsa87>,
    bytes: Vec<u8>,
}

impl Signature {
    /// Reads a FIPS 204 encoded signature: exactly [`SIGNATURE_SIZE`] bytes that `sigDecode`
    /// accepts (hints in canonical order, z within bounds).
    pub fn from_bytes(b: &[u8]) -> Result<Self, AttestError> {
        let enc = ml_dsa::EncodedSignature::<MlDsa87>::try_from(b).map_err(|_| {
            AttestError::WrongLength {
                what: "signature",
                expected: SIGNATURE_SIZE,
                found: b.len(),
            }
        })?;
        let sig = ml_dsa::Signature::decode(&enc).ok_or_else(|| {
            AttestError::format(
                "signature",
                "not a valid ML-DSA-87 signature encoding (bad hints or z out of range)",
            )
        })?;
        Ok(Signature {
            sig,
            bytes: b.to_vec(),
        })
    }

    /// Wraps a signature made by the signer.
    pub fn from_signature(sig: ml_dsa::Signature<MlDsa87>) -> Self {
        let bytes = sig.encode().to_vec();
        Signature { sig, bytes }
    }

    /// Reads a hex-encoded signature.
    pub fn from_hex(s: &str) -> Result<Self, AttestError> {
        let b = hex::decode(s.trim())
            .map_err(|e| AttestError::format("signature", format!("not hex: {e}")))?;
        Self::from_bytes(&b)
    }

    /// The FIPS 204 encoding ([`SIGNATURE_SIZE`] bytes).
    pub fn to_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.bytes)
    }
}

impl PartialEq for Signature {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Signature {}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({}…)", hex::encode(&self.bytes[..8]))
    }
}

/// Checks a `veil sign` file signature: context [`CONTEXT_FILE`], message = the file's bytes.
pub fn verify_file_signature(
    key: &PublicKey,
    file: &[u8],
    sig: &Signature,
) -> Result<(), AttestError> {
    key.verify("file", CONTEXT_FILE, file, sig)
}

/// Checks the `format`, `format_version` and `context` fields shared by veil's signed JSON
/// files, before the rest is read, so that another version or kind is named as such.
pub(crate) fn check_header(
    value: &serde_json::Value,
    what: &'static str,
    format: &str,
    version: u32,
    context: &'static str,
) -> Result<(), AttestError> {
    check_header_versions(value, what, format, &[(version, context)]).map(|_| ())
}

/// [`check_header`] for a format read in several versions, each with its context string
/// (`versions` in increasing order; the last is the one written). Returns the version.
pub(crate) fn check_header_versions(
    value: &serde_json::Value,
    what: &'static str,
    format: &str,
    versions: &[(u32, &'static str)],
) -> Result<u32, AttestError> {
    let latest = versions.last().map_or(0, |v| v.0);
    let obj = value
        .as_object()
        .ok_or_else(|| AttestError::format(what, "not a JSON object"))?;
    match obj.get("format") {
        Some(serde_json::Value::String(f)) if f == format => {}
        Some(other) => {
            return Err(AttestError::format(
                what,
                format!("format is {other}, expected \"{format}\""),
            ))
        }
        None => return Err(AttestError::format(what, "no \"format\" field")),
    }
    // A missing or non-integer version is left to the field check that follows.
    let (version, context) = match obj.get("format_version").and_then(|v| v.as_u64()) {
        Some(v) => *versions
            .iter()
            .find(|(known, _)| u64::from(*known) == v)
            .ok_or(AttestError::UnsupportedVersion {
                what,
                found: v,
                supported: latest,
            })?,
        None => *versions
            .last()
            .ok_or_else(|| AttestError::format(what, "no version known"))?,
    };
    match obj.get("context") {
        Some(serde_json::Value::String(c)) if c == context => Ok(version),
        Some(serde_json::Value::String(c)) => Err(AttestError::WrongContext {
            what,
            expected: context,
            found: c.clone(),
        }),
        Some(_) => Err(AttestError::format(what, "\"context\" is not a string")),
        None => Err(AttestError::format(what, "no \"context\" field")),
    }
}

/// Test keys: seeds and deterministic signing through `ml-dsa` directly (the signer proper
/// lives in `veil-prover`).
#[cfg(test)]
pub(crate) mod testkeys {
    use super::*;
    use ml_dsa::{Keypair, SigningKey};

    pub struct TestKey(pub SigningKey<MlDsa87>);

    impl TestKey {
        pub fn new(n: u8) -> Self {
            TestKey(SigningKey::from_seed(&[n; 32].into()))
        }
        pub fn public(&self) -> PublicKey {
            PublicKey::from_verifying_key(self.0.verifying_key())
        }
        pub fn id(&self) -> KeyId {
            self.public().key_id()
        }
        pub fn sign(&self, ctx: &str, msg: &[u8]) -> Signature {
            Signature::from_signature(
                self.0
                    .expanded_key()
                    .sign_deterministic(msg, ctx.as_bytes())
                    .unwrap(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testkeys::TestKey;
    use super::*;

    #[test]
    fn sizes_and_key_id() {
        let k = TestKey::new(1);
        let pk = k.public();
        assert_eq!(pk.to_bytes().len(), PUBLIC_KEY_SIZE);
        assert_eq!(pk.key_id(), sha3_256(pk.to_bytes()));
        let sig = k.sign(CONTEXT_FILE, b"x");
        assert_eq!(sig.to_bytes().len(), SIGNATURE_SIZE);
        assert_eq!(PublicKey::from_hex(&pk.to_hex()).unwrap(), pk);
        assert_eq!(Signature::from_hex(&sig.to_hex()).unwrap(), sig);
        assert_ne!(TestKey::new(2).id(), pk.key_id());
    }

    #[test]
    fn wrong_lengths_are_refused() {
        let k = TestKey::new(1);
        let pk = k.public().to_bytes().to_vec();
        for n in [
            0,
            1,
            PUBLIC_KEY_SIZE - 1,
            PUBLIC_KEY_SIZE + 1,
            SIGNATURE_SIZE,
        ] {
            let mut b = pk.clone();
            b.resize(n, 0);
            assert!(matches!(
                PublicKey::from_bytes(&b),
                Err(AttestError::WrongLength { what: "public key", expected: PUBLIC_KEY_SIZE, found }) if found == n
            ));
        }
        let sig = k.sign(CONTEXT_FILE, b"x").to_bytes().to_vec();
        for n in [
            0,
            32,
            SIGNATURE_SIZE - 1,
            SIGNATURE_SIZE + 1,
            PUBLIC_KEY_SIZE,
        ] {
            let mut b = sig.clone();
            b.resize(n, 0);
            assert!(matches!(
                Signature::from_bytes(&b),
                Err(AttestError::WrongLength {
                    what: "signature",
                    ..
                })
            ));
        }
        assert!(PublicKey::from_hex("zz").is_err());
        assert!(Signature::from_hex("0").is_err());
    }

    #[test]
    fn malformed_signature_encodings_are_refused_not_panicked_on() {
        // All-0xff hint bytes are not a canonical hint encoding.
        let mut b = TestKey::new(1).sign(CONTEXT_FILE, b"x").to_bytes().to_vec();
        for x in b[SIGNATURE_SIZE - 83..].iter_mut() {
            *x = 0xff;
        }
        assert!(matches!(
            Signature::from_bytes(&b),
            Err(AttestError::Format {
                what: "signature",
                ..
            })
        ));
        // Deterministic garbage of the right length: refused or verifies false, never a panic.
        let pk = TestKey::new(1).public();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20 {
            let g: Vec<u8> = (0..SIGNATURE_SIZE)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            if let Ok(sig) = Signature::from_bytes(&g) {
                assert!(pk.verify("file", CONTEXT_FILE, b"x", &sig).is_err());
            }
        }
    }

    #[test]
    fn file_signatures_bind_bytes_key_and_context() {
        let k = TestKey::new(3);
        let pk = k.public();
        let sig = k.sign(CONTEXT_FILE, b"manifest bytes");
        verify_file_signature(&pk, b"manifest bytes", &sig).unwrap();
        assert!(matches!(
            verify_file_signature(&pk, b"manifest byteS", &sig),
            Err(AttestError::BadSignature { what: "file", key_id }) if key_id == pk.key_id()
        ));
        assert!(verify_file_signature(&TestKey::new(4).public(), b"manifest bytes", &sig).is_err());
        // The same bytes under another context do not verify as a file signature.
        let other = k.sign(CONTEXT_ROOT, b"manifest bytes");
        assert!(verify_file_signature(&pk, b"manifest bytes", &other).is_err());
        // The empty context (the plain `Signer` of ml-dsa) is another context too.
        let empty = Signature::from_signature(
            k.0.expanded_key()
                .sign_deterministic(b"manifest bytes", b"")
                .unwrap(),
        );
        assert!(verify_file_signature(&pk, b"manifest bytes", &empty).is_err());
    }

    #[test]
    fn headers_name_format_version_and_context() {
        let v = serde_json::json!({"format": "veil-x", "format_version": 1, "context": "c1"});
        let ctx: &'static str = "c1";
        check_header(&v, "thing", "veil-x", 1, ctx).unwrap();
        assert!(matches!(
            check_header(&v, "thing", "veil-y", 1, ctx),
            Err(AttestError::Format { .. })
        ));
        assert!(matches!(
            check_header(&v, "thing", "veil-x", 2, ctx),
            Err(AttestError::UnsupportedVersion {
                found: 1,
                supported: 2,
                ..
            })
        ));
        assert!(matches!(
            check_header(&v, "thing", "veil-x", 1, "c2"),
            Err(AttestError::WrongContext { found, .. }) if found == "c1"
        ));
        assert!(check_header(&serde_json::json!([1]), "thing", "veil-x", 1, ctx).is_err());
        assert!(check_header(
            &serde_json::json!({"format": "veil-x"}),
            "thing",
            "veil-x",
            1,
            ctx
        )
        .is_err());
    }
}
