//! The service's ML-DSA-87 signing key.
//!
//! The key file is the same as `veil keygen` writes (`NAME.key`): the 32-byte FIPS 204
//! key-generation seed ξ. veil's signer lives in `veil-prover`, which the service must not
//! depend on, so the few lines of signing it needs are here, on `ml-dsa` directly: hedged
//! FIPS 204 `ML-DSA.Sign` (pure mode, with a context string). Checks use veil-verifier's
//! [`PublicKey`].

use ml_dsa::{Keypair, MlDsa87, SigningKey};
use std::path::Path;
use veil_verifier::attest::{PublicKey, Signature, SEED_SIZE};
use zeroize::Zeroizing;

/// The service's signing key. `Debug` shows the key id only.
pub struct ServiceKey {
    sk: Box<SigningKey<MlDsa87>>,
    public: PublicKey,
}

impl ServiceKey {
    pub fn from_seed(seed: &[u8; SEED_SIZE]) -> Self {
        let sk = Box::new(SigningKey::<MlDsa87>::from_seed(&(*seed).into()));
        let public = PublicKey::from_verifying_key(sk.verifying_key());
        ServiceKey { sk, public }
    }

    /// Reads a key file: exactly the 32-byte seed.
    pub fn read(path: &Path) -> Result<Self, String> {
        let len = std::fs::metadata(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        if len != SEED_SIZE as u64 {
            return Err(format!(
                "{}: a service key file is the {SEED_SIZE}-byte ML-DSA-87 seed (veil keygen), this one is {len} bytes",
                path.display()
            ));
        }
        let b =
            Zeroizing::new(std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?);
        let seed: &[u8; SEED_SIZE] = b
            .as_slice()
            .try_into()
            .map_err(|_| format!("{}: the key file changed while it was read", path.display()))?;
        Ok(Self::from_seed(seed))
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// FIPS 204 `ML-DSA.Sign(sk, msg, ctx)`, hedged with fresh randomness.
    pub fn sign(&self, ctx: &str, msg: &[u8]) -> Result<Signature, String> {
        let sig = self
            .sk
            .expanded_key()
            .sign_randomized(msg, ctx.as_bytes(), &mut getrandom04::SysRng)
            .map_err(|e| format!("signing failed: {e}"))?;
        Ok(Signature::from_signature(sig))
    }
}

impl std::fmt::Debug for ServiceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServiceKey(key id {})", self.public.key_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wycheproof_key_from_seed_and_signatures_verify() {
        // The key-generation vector veil-verifier's KAT test uses (C2SP Wycheproof ML-DSA-87).
        let path = format!(
            "{}/../verifier/tests/data/mldsa87_wycheproof.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let h = |k: &str| hex::decode(v[k].as_str().unwrap()).unwrap();
        let seed: [u8; 32] = h("seed").try_into().unwrap();
        let k = ServiceKey::from_seed(&seed);
        assert_eq!(k.public_key().to_bytes(), h("pk").as_slice());
        let s = k.sign("ctx", b"msg").unwrap();
        k.public_key().verify("test", "ctx", b"msg", &s).unwrap();
        assert!(k.public_key().verify("test", "ctx2", b"msg", &s).is_err());
        assert!(!format!("{k:?}").contains(&hex::encode(seed)));
    }
}
