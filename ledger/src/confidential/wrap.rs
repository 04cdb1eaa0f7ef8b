//! Long-term key pairs and the wrap of a receipt's data key (formats in [`super`]).

use super::{ConfidentialError, ConfidentialResult, RecipientRole, Wrap};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use ml_kem::kem::{Decapsulate, Encapsulate};
use ml_kem::{EncodedSizeUser, KemCore, MlKem1024, MlKem1024Params};
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use sha3::{Digest as _, Sha3_256};
use veil_verifier::{Bytes32, Id};
use zeroize::Zeroizing;

pub const INFO_X25519: &[u8] = b"veil-receipt-wrap-x25519-v1";
pub const INFO_ML_KEM: &[u8] = b"veil-receipt-wrap-ml-kem-1024-v1";
pub const X25519_SIZE: usize = 32;
pub const ML_KEM_EK_SIZE: usize = 1568;
pub const ML_KEM_DK_SIZE: usize = 3168;
pub const ML_KEM_CT_SIZE: usize = 1568;
const SEALED: usize = 48;

type Ek = ml_kem::kem::EncapsulationKey<MlKem1024Params>;
type Dk = ml_kem::kem::DecapsulationKey<MlKem1024Params>;

/// The wrap algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Alg {
    #[serde(rename = "x25519")]
    X25519,
    #[serde(rename = "ml-kem-1024")]
    MlKem1024,
}

impl Alg {
    pub fn name(self) -> &'static str {
        match self {
            Alg::X25519 => "x25519",
            Alg::MlKem1024 => "ml-kem-1024",
        }
    }
    fn public_size(self) -> usize {
        match self {
            Alg::X25519 => X25519_SIZE,
            Alg::MlKem1024 => ML_KEM_EK_SIZE,
        }
    }
    fn secret_size(self) -> usize {
        match self {
            Alg::X25519 => X25519_SIZE,
            Alg::MlKem1024 => ML_KEM_DK_SIZE,
        }
    }
}

impl std::str::FromStr for Alg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "x25519" => Ok(Alg::X25519),
            "ml-kem-1024" => Ok(Alg::MlKem1024),
            _ => Err(format!("unknown algorithm {s:?}: x25519 or ml-kem-1024")),
        }
    }
}

/// A recipient's public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    alg: Alg,
    bytes: Vec<u8>,
}

impl PublicKey {
    /// Checks the length, and for X25519 that the key is not of small order.
    pub fn from_bytes(alg: Alg, bytes: &[u8]) -> ConfidentialResult<Self> {
        if bytes.len() != alg.public_size() {
            return Err(ConfidentialError::Refused(format!(
                "a {} public key is {} bytes, not {}",
                alg.name(),
                alg.public_size(),
                bytes.len()
            )));
        }
        if alg == Alg::X25519 {
            let u: [u8; 32] = bytes.try_into().expect("length checked");
            // A clamped scalar is a multiple of the cofactor: the product is zero exactly for
            // a small-order point.
            if x25519_dalek::x25519([1u8; 32], u) == [0u8; 32] {
                return Err(ConfidentialError::Refused(
                    "the X25519 public key is a point of small order".into(),
                ));
            }
        }
        Ok(PublicKey {
            alg,
            bytes: bytes.to_vec(),
        })
    }

    pub fn alg(&self) -> Alg {
        self.alg
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// SHA3-256("veil-receipt-key-v1" ‖ alg name ‖ 0 ‖ key bytes).
    pub fn key_id(&self) -> Bytes32 {
        let mut h = Sha3_256::new();
        h.update(b"veil-receipt-key-v1");
        h.update(self.alg.name().as_bytes());
        h.update([0u8]);
        h.update(&self.bytes);
        Bytes32(h.finalize().into())
    }
}

/// A recipient's secret key (zeroized on drop).
pub struct SecretKey {
    alg: Alg,
    secret: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

impl SecretKey {
    pub fn generate(alg: Alg) -> Self {
        match alg {
            Alg::X25519 => {
                let s = x25519_dalek::StaticSecret::random_from_rng(OsRng);
                let p = x25519_dalek::PublicKey::from(&s);
                SecretKey {
                    alg,
                    secret: Zeroizing::new(s.to_bytes().to_vec()),
                    public: PublicKey {
                        alg,
                        bytes: p.as_bytes().to_vec(),
                    },
                }
            }
            Alg::MlKem1024 => {
                let (dk, ek) = MlKem1024::generate(&mut OsRng);
                SecretKey {
                    alg,
                    secret: Zeroizing::new(dk.as_bytes().to_vec()),
                    public: PublicKey {
                        alg,
                        bytes: ek.as_bytes().to_vec(),
                    },
                }
            }
        }
    }

    /// A secret key from its bytes (32 for X25519, the 3168-byte FIPS 203 decapsulation key
    /// for ML-KEM-1024, which holds its encapsulation key).
    pub fn from_bytes(alg: Alg, secret: &[u8]) -> ConfidentialResult<Self> {
        if secret.len() != alg.secret_size() {
            return Err(ConfidentialError::Refused(format!(
                "a {} secret key is {} bytes, not {}",
                alg.name(),
                alg.secret_size(),
                secret.len()
            )));
        }
        let public = match alg {
            Alg::X25519 => {
                let s: [u8; 32] = secret.try_into().expect("length checked");
                let s = x25519_dalek::StaticSecret::from(s);
                x25519_dalek::PublicKey::from(&s).as_bytes().to_vec()
            }
            Alg::MlKem1024 => {
                // FIPS 203 dk = dk_pke ‖ ek ‖ H(ek) ‖ z; ek sits at [1536, 3104).
                let ek = &secret[1536..1536 + ML_KEM_EK_SIZE];
                let h: [u8; 32] = sha3::Sha3_256::digest(ek).into();
                if secret[3104..3136] != h {
                    return Err(ConfidentialError::Refused(
                        "the ML-KEM-1024 secret key fails its H(ek) check".into(),
                    ));
                }
                ek.to_vec()
            }
        };
        Ok(SecretKey {
            alg,
            secret: Zeroizing::new(secret.to_vec()),
            public: PublicKey { alg, bytes: public },
        })
    }

    pub fn alg(&self) -> Alg {
        self.alg
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    pub fn secret_bytes(&self) -> &[u8] {
        &self.secret
    }
}

fn kdf(salt: &Bytes32, ikm: &[u8], info: &[u8]) -> ConfidentialResult<Zeroizing<[u8; 32]>> {
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(&salt.0), ikm)
        .expand(info, okm.as_mut())
        .map_err(|e| ConfidentialError::Refused(format!("HKDF: {e}")))?;
    Ok(okm)
}

fn aad(binding: &Bytes32, recipient: &Id, key_id: &Bytes32) -> Vec<u8> {
    [&binding.0[..], &recipient.0, &key_id.0].concat()
}

/// The X25519 wrap with a given ephemeral secret (for known-answer tests; [`wrap`] draws it).
pub fn wrap_x25519_with(
    ephemeral: [u8; 32],
    dek: &[u8; 32],
    binding: &Bytes32,
    recipient: &Id,
    key: &PublicKey,
) -> ConfidentialResult<Vec<u8>> {
    let r: [u8; 32] = key
        .as_bytes()
        .try_into()
        .map_err(|_| ConfidentialError::Refused("not an X25519 key".into()))?;
    let e = x25519_dalek::StaticSecret::from(ephemeral);
    let e_pub = x25519_dalek::PublicKey::from(&e);
    let ss = e.diffie_hellman(&x25519_dalek::PublicKey::from(r));
    if !ss.was_contributory() {
        return Err(ConfidentialError::Refused(
            "the X25519 public key is a point of small order".into(),
        ));
    }
    let info = [INFO_X25519, &r, e_pub.as_bytes(), &recipient.0].concat();
    let kek = kdf(binding, ss.as_bytes(), &info)?;
    let mut out = e_pub.as_bytes().to_vec();
    out.extend(seal(&kek, &aad(binding, recipient, &key.key_id()), dek)?);
    Ok(out)
}

/// Wraps `dek` for `recipient`'s `key`, bound to the receipt's `binding`.
pub fn wrap(
    dek: &[u8; 32],
    binding: &Bytes32,
    recipient: &Id,
    role: RecipientRole,
    key: &PublicKey,
) -> ConfidentialResult<Wrap> {
    let wrapped = match key.alg {
        Alg::X25519 => wrap_x25519_with(super::random32(), dek, binding, recipient, key)?,
        Alg::MlKem1024 => {
            let enc = ml_kem::Encoded::<Ek>::try_from(key.as_bytes())
                .map_err(|_| ConfidentialError::Refused("not an ML-KEM-1024 key".into()))?;
            let ek = Ek::from_bytes(&enc);
            let (ct, ss) = ek
                .encapsulate(&mut OsRng)
                .map_err(|_| ConfidentialError::Refused("ML-KEM encapsulation failed".into()))?;
            let ss = Zeroizing::new(<[u8; 32]>::from(ss));
            let info = ml_kem_info(key.as_bytes(), &ct, recipient);
            let kek = kdf(binding, ss.as_ref(), &info)?;
            let mut out = ct.to_vec();
            out.extend(seal(&kek, &aad(binding, recipient, &key.key_id()), dek)?);
            out
        }
    };
    Ok(Wrap {
        recipient: *recipient,
        role,
        alg: key.alg,
        key_id: key.key_id(),
        wrapped,
    })
}

fn ml_kem_info(ek: &[u8], ct: &[u8], recipient: &Id) -> Vec<u8> {
    [
        INFO_ML_KEM,
        &Sha3_256::digest(ek)[..],
        &Sha3_256::digest(ct)[..],
        &recipient.0,
    ]
    .concat()
}

/// Opens a wrap with the recipient's secret key (the caller has checked the key id).
pub fn unwrap(
    w: &Wrap,
    binding: &Bytes32,
    key: &SecretKey,
) -> ConfidentialResult<Zeroizing<[u8; 32]>> {
    let tampered = || ConfidentialError::WrapTampered(w.recipient.to_hex());
    let head = match key.alg {
        Alg::X25519 => X25519_SIZE,
        Alg::MlKem1024 => ML_KEM_CT_SIZE,
    };
    if w.wrapped.len() != head + SEALED {
        return Err(tampered());
    }
    let (head_bytes, sealed) = w.wrapped.split_at(head);
    let kek = match key.alg {
        Alg::X25519 => {
            let s: [u8; 32] = key.secret_bytes().try_into().map_err(|_| tampered())?;
            let s = x25519_dalek::StaticSecret::from(s);
            let e: [u8; 32] = head_bytes.try_into().map_err(|_| tampered())?;
            let ss = s.diffie_hellman(&x25519_dalek::PublicKey::from(e));
            if !ss.was_contributory() {
                return Err(tampered());
            }
            let info = [INFO_X25519, key.public().as_bytes(), &e, &w.recipient.0].concat();
            kdf(binding, ss.as_bytes(), &info)?
        }
        Alg::MlKem1024 => {
            let enc =
                ml_kem::Encoded::<Dk>::try_from(key.secret_bytes()).map_err(|_| tampered())?;
            let dk = Dk::from_bytes(&enc);
            let ct =
                ml_kem::Ciphertext::<MlKem1024>::try_from(head_bytes).map_err(|_| tampered())?;
            // Decapsulation never fails on a well-formed ciphertext (implicit rejection): a
            // tampered one gives another secret, so the seal below refuses.
            let ss = dk.decapsulate(&ct).map_err(|_| tampered())?;
            let ss = Zeroizing::new(<[u8; 32]>::from(ss));
            let info = ml_kem_info(key.public().as_bytes(), head_bytes, &w.recipient);
            kdf(binding, ss.as_ref(), &info)?
        }
    };
    open(&kek, &aad(binding, &w.recipient, &w.key_id), sealed).ok_or_else(tampered)
}

fn seal(kek: &[u8; 32], aad: &[u8], dek: &[u8; 32]) -> ConfidentialResult<Vec<u8>> {
    Aes256Gcm::new(kek.into())
        .encrypt(Nonce::from_slice(&[0u8; 12]), Payload { msg: dek, aad })
        .map_err(|e| ConfidentialError::Refused(format!("AES-GCM: {e}")))
}

fn open(kek: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    let plain = Zeroizing::new(
        Aes256Gcm::new(kek.into())
            .decrypt(Nonce::from_slice(&[0u8; 12]), Payload { msg: sealed, aad })
            .ok()?,
    );
    let mut k = Zeroizing::new([0u8; 32]);
    if plain.len() != 32 {
        return None;
    }
    k.copy_from_slice(&plain);
    Some(k)
}
