//! ML-DSA-87 signing: keys, proof attestations, signed roots, revenue proofs, file signatures.
//!
//! The checking side, the message layouts and the file formats are in
//! [`veil_verifier::attest`]; this module only makes signatures.
//!
//! A secret key is a FIPS 204 key-generation seed `ξ` (32 bytes): the signing key is expanded
//! from it (`ML-DSA.KeyGen_internal`), and it is what a secret key file holds, raw. It comes
//! from the operating system's randomness (`getrandom`), or from a given seed for reproducible
//! tests. ML-DSA's randomness is kept apart from arkworks': `ml-dsa` uses `rand_core` 0.10
//! (through `getrandom` 0.4 here), arkworks `rand` 0.8.
//!
//! Signing is hedged by default (FIPS 204 `ML-DSA.Sign` with fresh randomness `rnd`);
//! [`SecretKey::sign_deterministic`] is the standard's deterministic variant (`rnd` = 0^32),
//! for known-answer tests.

use ml_dsa::{Keypair, MlDsa87, SigningKey};
use std::fmt;
use std::path::Path;
use veil_verifier::attest::proof::{ATTESTATION_FORMAT_VERSION, ATTESTATION_FORMAT_VERSION_V1};
use veil_verifier::attest::{
    AttestError, KeyId, ProofAttestation, PublicKey, RevenueClaim, RootInfo, Signature, SignedRoot,
    ZkRevenueProof, CONTEXT_FILE, CONTEXT_PROOF, CONTEXT_PROOF_V2, CONTEXT_REVENUE, CONTEXT_ROOT,
    SEED_SIZE,
};
use veil_verifier::ProofEnvelope;
use zeroize::Zeroizing;

/// An ML-DSA-87 secret key. Its `Debug` shows the key id only; the seed is wiped on drop.
pub struct SecretKey {
    sk: Box<SigningKey<MlDsa87>>,
    public: PublicKey,
}

impl SecretKey {
    /// A new key from the operating system's randomness.
    pub fn generate() -> Result<Self, AttestError> {
        let mut seed = Zeroizing::new([0u8; SEED_SIZE]);
        getrandom04::fill(seed.as_mut()).map_err(|e| {
            AttestError::Signing(format!("no randomness from the operating system: {e}"))
        })?;
        Ok(Self::from_seed(&seed))
    }

    /// The key with this FIPS 204 key-generation seed (`ML-DSA.KeyGen_internal(ξ)`).
    pub fn from_seed(seed: &[u8; SEED_SIZE]) -> Self {
        let sk = Box::new(SigningKey::<MlDsa87>::from_seed(&(*seed).into()));
        let public = PublicKey::from_verifying_key(sk.verifying_key());
        SecretKey { sk, public }
    }

    /// Reads a secret key file: exactly the 32-byte seed.
    pub fn from_bytes(b: &[u8]) -> Result<Self, AttestError> {
        let seed: &[u8; SEED_SIZE] = b.try_into().map_err(|_| AttestError::WrongLength {
            what: "secret key (seed)",
            expected: SEED_SIZE,
            found: b.len(),
        })?;
        Ok(Self::from_seed(seed))
    }

    /// Reads a secret key file from disk.
    pub fn read(path: &Path) -> Result<Self, AttestError> {
        let b = Zeroizing::new(std::fs::read(path).map_err(|source| AttestError::Io {
            path: path.display().to_string(),
            source,
        })?);
        Self::from_bytes(&b)
    }

    /// The secret key file's content: the 32-byte seed. Write it where only its owner can
    /// read it; never print it.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.sk.as_seed().to_vec())
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    pub fn key_id(&self) -> KeyId {
        self.public.key_id()
    }

    /// FIPS 204 `ML-DSA.Sign(sk, msg, ctx)`, hedged: fresh randomness from the OS.
    pub fn sign(&self, ctx: &str, msg: &[u8]) -> Result<Signature, AttestError> {
        let sig = self
            .sk
            .expanded_key()
            .sign_randomized(msg, ctx.as_bytes(), &mut getrandom04::SysRng)
            .map_err(|e| AttestError::Signing(e.to_string()))?;
        Ok(Signature::from_signature(sig))
    }

    /// The deterministic variant of `ML-DSA.Sign` (`rnd` = 32 zero bytes): the same key,
    /// message and context always give the same signature.
    pub fn sign_deterministic(&self, ctx: &str, msg: &[u8]) -> Result<Signature, AttestError> {
        let sig = self
            .sk
            .expanded_key()
            .sign_deterministic(msg, ctx.as_bytes())
            .map_err(|e| AttestError::Signing(e.to_string()))?;
        Ok(Signature::from_signature(sig))
    }

    /// Attests a proof envelope, signed at `signed_at` (unix seconds): a format version 2
    /// attestation, whose signature covers the RFC 8785 (JCS) form of the envelope (refused
    /// for an envelope with an integer above 2^53 - 1, which JCS cannot represent exactly).
    pub fn attest_proof(
        &self,
        envelope: &ProofEnvelope,
        signed_at: u64,
    ) -> Result<ProofAttestation, AttestError> {
        let msg = ProofAttestation::message_v2(&self.key_id(), signed_at, envelope)?;
        Ok(ProofAttestation {
            attester: self.key_id(),
            signed_at,
            envelope: envelope.clone(),
            signature: self.sign(CONTEXT_PROOF_V2, &msg)?,
            format_version: ATTESTATION_FORMAT_VERSION,
        })
    }

    /// Attests a proof envelope in the version 1 format (the envelope's field-order canonical
    /// bytes signed, context `veil-attest-proof-v1`), for tools that read only version 1.
    pub fn attest_proof_v1(
        &self,
        envelope: &ProofEnvelope,
        signed_at: u64,
    ) -> Result<ProofAttestation, AttestError> {
        let msg = ProofAttestation::message(&self.key_id(), signed_at, envelope);
        Ok(ProofAttestation {
            attester: self.key_id(),
            signed_at,
            envelope: envelope.clone(),
            signature: self.sign(CONTEXT_PROOF, &msg)?,
            format_version: ATTESTATION_FORMAT_VERSION_V1,
        })
    }

    /// Signs a Merkle root as its issuer, at `signed_at` (unix seconds).
    pub fn sign_root(&self, info: &RootInfo, signed_at: u64) -> Result<SignedRoot, AttestError> {
        info.validate()?;
        let msg = SignedRoot::message(&self.key_id(), signed_at, info);
        Ok(SignedRoot {
            issuer: self.key_id(),
            signed_at,
            info: info.clone(),
            signature: self.sign(CONTEXT_ROOT, &msg)?,
        })
    }

    /// Witnesses a revenue claim: the `ZkRevenueProof` with this key's signature.
    pub fn sign_revenue_claim(&self, claim: RevenueClaim) -> Result<ZkRevenueProof, AttestError> {
        claim.validate()?;
        let sig = self.sign(CONTEXT_REVENUE, &claim.message(&self.key_id()))?;
        Ok(ZkRevenueProof::new(claim, sig))
    }

    /// Signs a file's bytes, unchanged, under [`CONTEXT_FILE`] (`veil sign`).
    pub fn sign_file(&self, bytes: &[u8]) -> Result<Signature, AttestError> {
        self.sign(CONTEXT_FILE, bytes)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(key id {})", self.key_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use veil_verifier::attest::{
        verify_file_signature, verify_revenue_proof, TrustedKeys, PUBLIC_KEY_SIZE, SIGNATURE_SIZE,
    };
    use veil_verifier::statement::{Statement, TierStatement};
    use veil_verifier::{Backend, Bytes32};

    fn envelope() -> ProofEnvelope {
        ProofEnvelope {
            circuit: "tier-4".parse().unwrap(),
            circuit_version: 1,
            backend: Backend::Groth16,
            key_digest: Bytes32([3; 32]),
            statement: Statement::Tier(TierStatement {
                root: Bytes32::from_u64(11),
                min_tier: 1,
                epoch_beacon: Bytes32::from_u64(12),
                request_binding: Bytes32::from_u64(13),
                nullifier: Bytes32::from_u64(14),
                quota: 3,
            }),
            proof: vec![9; 192],
        }
    }

    #[test]
    fn keys_from_seed_are_reproducible_and_from_os_differ() {
        let a = SecretKey::from_seed(&[5; 32]);
        let b = SecretKey::from_seed(&[5; 32]);
        assert_eq!(a.public_key(), b.public_key());
        assert_eq!(a.to_bytes().as_slice(), &[5; 32]);
        assert_eq!(a.public_key().to_bytes().len(), PUBLIC_KEY_SIZE);
        let r1 = SecretKey::generate().unwrap();
        let r2 = SecretKey::generate().unwrap();
        assert_ne!(r1.key_id(), r2.key_id());
        let back = SecretKey::from_bytes(&r1.to_bytes()).unwrap();
        assert_eq!(back.public_key(), r1.public_key());
        for n in [0, 31, 33, PUBLIC_KEY_SIZE] {
            assert!(matches!(
                SecretKey::from_bytes(&vec![1u8; n]),
                Err(AttestError::WrongLength { expected: 32, found, .. }) if found == n
            ));
        }
    }

    #[test]
    fn debug_never_shows_the_seed() {
        let k = SecretKey::from_seed(&[0xab; 32]);
        let d = format!("{k:?}");
        assert!(d.contains(&k.key_id().to_hex()));
        assert!(!d.contains(&"ab".repeat(32)));
        assert!(!d.to_lowercase().contains("abab"));
    }

    #[test]
    fn wycheproof_keygen_and_deterministic_signature() {
        // The vectors of veil-verifier's KAT test, through the signer.
        let path = format!(
            "{}/../verifier/tests/data/mldsa87_wycheproof.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let h = |v: &serde_json::Value, k: &str| hex::decode(v[k].as_str().unwrap()).unwrap();
        let k = SecretKey::from_bytes(&h(&v, "seed")).unwrap();
        assert_eq!(k.public_key().to_bytes(), h(&v, "pk").as_slice());
        let t = &v["tests"][0];
        let ctx = String::from_utf8(h(t, "ctx")).unwrap();
        let sig = k.sign_deterministic(&ctx, &h(t, "msg")).unwrap();
        assert_eq!(sig.to_bytes(), h(t, "sig").as_slice());
        // Hedged signatures differ from each other and from the deterministic one, and all verify.
        let s1 = k.sign(&ctx, &h(t, "msg")).unwrap();
        let s2 = k.sign(&ctx, &h(t, "msg")).unwrap();
        assert_ne!(s1, s2);
        assert_ne!(s1, sig);
        for s in [&s1, &s2] {
            k.public_key().verify("KAT", &ctx, &h(t, "msg"), s).unwrap();
        }
    }

    #[test]
    fn attestations_roots_revenue_and_files_verify() {
        let k = SecretKey::from_seed(&[6; 32]);
        let mut trusted = TrustedKeys::new();
        trusted.add("auditor", k.public_key().clone()).unwrap();

        let att = k.attest_proof(&envelope(), 1_767_225_600).unwrap();
        assert_eq!(att.signature.to_bytes().len(), SIGNATURE_SIZE);
        assert_eq!(att.check_signature(&trusted).unwrap().name, "auditor");
        let back = ProofAttestation::from_json(&att.to_json()).unwrap();
        back.check_signature(&trusted).unwrap();
        assert_eq!(back.format_version, 2);
        let v1 = k.attest_proof_v1(&envelope(), 1_767_225_600).unwrap();
        let back = ProofAttestation::from_json(&v1.to_json()).unwrap();
        assert_eq!(back.format_version, 1);
        back.check_signature(&trusted).unwrap();

        let info = RootInfo {
            tree_id: Bytes32([1; 32]),
            depth: 4,
            root: Bytes32::from_u64(11),
            leaf_count: 16,
            epoch: 2,
        };
        let root = k.sign_root(&info, 100).unwrap();
        root.check_signature(&trusted).unwrap();
        let too_many = RootInfo {
            leaf_count: 17,
            ..info
        };
        assert!(k.sign_root(&too_many, 100).is_err());

        let claim = RevenueClaim {
            proof_id: Bytes32([1; 32]),
            publisher_id: Bytes32([2; 32]),
            period_start: 10,
            period_end: 20,
            aggregate_revenue_micros: 5,
            transaction_count: 1,
            proof_data: vec![1, 2, 3],
        };
        let rp = k.sign_revenue_claim(claim.clone()).unwrap();
        verify_revenue_proof(&rp, k.public_key(), &|_: &ZkRevenueProof| Ok(())).unwrap();
        assert!(k
            .sign_revenue_claim(RevenueClaim {
                period_end: 9,
                ..claim
            })
            .is_err());

        let sig = k.sign_file(b"a manifest").unwrap();
        verify_file_signature(k.public_key(), b"a manifest", &sig).unwrap();
        assert!(verify_file_signature(k.public_key(), b"a manifesto", &sig).is_err());
    }
}
