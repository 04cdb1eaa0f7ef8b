//! `K_content_wrapped = Enc_asym(PK_session, K_content)`: the content key wrapped to the
//! client's fresh ephemeral key, by one of two methods the client chooses through the kind of
//! key it sends (the lengths differ):
//!
//! - **X25519** (`client_ephemeral_pubkey` = 32 bytes, RFC 7748 u-coordinate): the service
//!   makes its own ephemeral X25519 key `S`, `ss = X25519(s, C)`;
//!   `wrapped = S (32) ‖ AES-256-GCM(kek, K_content) (48)`.
//! - **ML-KEM-1024** (`client_ephemeral_pubkey` = the 1568-byte FIPS 203 encapsulation key):
//!   `(ct, ss) = ML-KEM.Encaps(ek)`; `wrapped = ct (1568) ‖ AES-256-GCM(kek, K_content) (48)`.
//!
//! In both, `kek = HKDF-SHA3-256(salt = request nonce, ikm = ss, info)` (RFC 5869 with
//! HMAC-SHA3-256), 32 bytes, with
//! `info = "veil-access-wrap-x25519-v1" ‖ C ‖ S ‖ content_id` or
//! `info = "veil-access-wrap-ml-kem-1024-v1" ‖ SHA3-256(ek) ‖ SHA3-256(ct) ‖ content_id`.
//! The AES-GCM nonce is 12 zero bytes (each kek encrypts exactly one message) and the
//! associated data is the content id.
//!
//! Keys are checked before use (seed 004 §5.4): an X25519 key must be a canonical
//! u-coordinate (below 2^255 - 19) of a point outside the small subgroup; an ML-KEM key must
//! pass FIPS 203's encapsulation-key check (every 12-bit coefficient below q = 3329).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use ml_kem::kem::{Decapsulate, Encapsulate};
use ml_kem::{EncodedSizeUser, KemCore, MlKem1024, MlKem1024Params};
use rand::rngs::OsRng;
use sha3::Sha3_256;
use veil_verifier::Bytes32;
use zeroize::Zeroizing;

pub const X25519_KEY_SIZE: usize = 32;
pub const ML_KEM_1024_KEY_SIZE: usize = 1568;
pub const ML_KEM_1024_CT_SIZE: usize = 1568;
const SEALED_SIZE: usize = 32 + 16;
const INFO_X25519: &[u8] = b"veil-access-wrap-x25519-v1";
const INFO_ML_KEM: &[u8] = b"veil-access-wrap-ml-kem-1024-v1";
const ML_KEM_Q: u16 = 3329;

type EncapsulationKey = ml_kem::kem::EncapsulationKey<MlKem1024Params>;
type DecapsulationKey = ml_kem::kem::DecapsulationKey<MlKem1024Params>;

/// How the content key is wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrapMethod {
    X25519,
    MlKem1024,
}

impl std::str::FromStr for WrapMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "x25519" => Ok(WrapMethod::X25519),
            "ml-kem-1024" => Ok(WrapMethod::MlKem1024),
            _ => Err(format!("unknown wrap method {s:?}: x25519 or ml-kem-1024")),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WrapError {
    #[error("the ephemeral public key is {0} bytes: 32 (X25519) or 1568 (ML-KEM-1024)")]
    KeyLength(usize),
    #[error("the X25519 key is not a canonical u-coordinate")]
    NonCanonical,
    #[error("the X25519 key is a point of small order")]
    SmallOrder,
    #[error("the ML-KEM-1024 key has a coefficient not below q = 3329")]
    BadMlKemKey,
    #[error("the wrapped key is {found} bytes, expected {expected}")]
    WrappedLength { expected: usize, found: usize },
    #[error("the wrapped key does not open with this ephemeral key")]
    Open,
    #[error("{0}")]
    Crypto(String),
}

/// A client's ephemeral public key, checked.
#[derive(Clone)]
pub enum ClientPublicKey {
    X25519(x25519_dalek::PublicKey),
    MlKem1024(Box<EncapsulationKey>, Vec<u8>),
}

impl ClientPublicKey {
    /// Reads and checks a key: its length says which method.
    pub fn parse(b: &[u8]) -> Result<Self, WrapError> {
        match b.len() {
            X25519_KEY_SIZE => {
                let u: [u8; 32] = b.try_into().map_err(|_| WrapError::KeyLength(b.len()))?;
                if !x25519_is_canonical(&u) {
                    return Err(WrapError::NonCanonical);
                }
                // A clamped scalar is a multiple of the cofactor 8, so the product is the
                // identity (all zeros) exactly when the point is in the small subgroup.
                if x25519_dalek::x25519([1u8; 32], u) == [0u8; 32] {
                    return Err(WrapError::SmallOrder);
                }
                Ok(ClientPublicKey::X25519(x25519_dalek::PublicKey::from(u)))
            }
            ML_KEM_1024_KEY_SIZE => {
                if !ml_kem_key_is_valid(b) {
                    return Err(WrapError::BadMlKemKey);
                }
                let enc = ml_kem::Encoded::<EncapsulationKey>::try_from(b)
                    .map_err(|_| WrapError::KeyLength(b.len()))?;
                Ok(ClientPublicKey::MlKem1024(
                    Box::new(EncapsulationKey::from_bytes(&enc)),
                    b.to_vec(),
                ))
            }
            n => Err(WrapError::KeyLength(n)),
        }
    }

    pub fn method(&self) -> WrapMethod {
        match self {
            ClientPublicKey::X25519(_) => WrapMethod::X25519,
            ClientPublicKey::MlKem1024(..) => WrapMethod::MlKem1024,
        }
    }

    /// The key's bytes as sent.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            ClientPublicKey::X25519(k) => k.as_bytes().to_vec(),
            ClientPublicKey::MlKem1024(_, b) => b.clone(),
        }
    }

    /// The 32 bytes the tier proof binds (`ephemeral_pubkey` of the tier witness): the X25519
    /// key itself, or SHA3-256 of the ML-KEM key.
    pub fn binding_id(&self) -> Bytes32 {
        binding_id(&self.to_bytes())
    }

    /// Wraps `k_content` to this key for the request with `nonce`, for `content_id`.
    pub fn wrap(
        &self,
        k_content: &[u8; 32],
        nonce: &Bytes32,
        content_id: &Bytes32,
    ) -> Result<Vec<u8>, WrapError> {
        match self {
            ClientPublicKey::X25519(c) => {
                let s = x25519_dalek::StaticSecret::random_from_rng(OsRng);
                let s_pub = x25519_dalek::PublicKey::from(&s);
                let ss = s.diffie_hellman(c);
                if !ss.was_contributory() {
                    return Err(WrapError::SmallOrder);
                }
                let info = [INFO_X25519, c.as_bytes(), s_pub.as_bytes(), &content_id.0].concat();
                let kek = kdf(nonce, ss.as_bytes(), &info)?;
                let mut out = s_pub.as_bytes().to_vec();
                out.extend(seal(&kek, content_id, k_content)?);
                Ok(out)
            }
            ClientPublicKey::MlKem1024(ek, ek_bytes) => {
                let (ct, ss) = ek
                    .encapsulate(&mut OsRng)
                    .map_err(|_| WrapError::Crypto("ML-KEM encapsulation failed".into()))?;
                let ss = Zeroizing::new(<[u8; 32]>::from(ss));
                let info = ml_kem_info(ek_bytes, &ct, content_id);
                let kek = kdf(nonce, ss.as_ref(), &info)?;
                let mut out = ct.to_vec();
                out.extend(seal(&kek, content_id, k_content)?);
                Ok(out)
            }
        }
    }
}

/// The 32 bytes a tier proof binds for an ephemeral key of these bytes.
pub fn binding_id(key_bytes: &[u8]) -> Bytes32 {
    if key_bytes.len() == X25519_KEY_SIZE {
        let mut b = [0u8; 32];
        b.copy_from_slice(key_bytes);
        Bytes32(b)
    } else {
        crate::sha3_256(key_bytes)
    }
}

/// A client's ephemeral key pair, for one request.
pub enum ClientKeyPair {
    X25519(x25519_dalek::StaticSecret),
    MlKem1024(Box<DecapsulationKey>, Vec<u8>),
}

impl ClientKeyPair {
    pub fn generate(method: WrapMethod) -> Self {
        match method {
            WrapMethod::X25519 => {
                ClientKeyPair::X25519(x25519_dalek::StaticSecret::random_from_rng(OsRng))
            }
            WrapMethod::MlKem1024 => {
                let (dk, ek) = MlKem1024::generate(&mut OsRng);
                ClientKeyPair::MlKem1024(Box::new(dk), ek.as_bytes().to_vec())
            }
        }
    }

    pub fn public_bytes(&self) -> Vec<u8> {
        match self {
            ClientKeyPair::X25519(s) => x25519_dalek::PublicKey::from(s).as_bytes().to_vec(),
            ClientKeyPair::MlKem1024(_, ek) => ek.clone(),
        }
    }

    /// Opens a wrapped key made for this key pair, `nonce` and `content_id`.
    pub fn unwrap(
        &self,
        wrapped: &[u8],
        nonce: &Bytes32,
        content_id: &Bytes32,
    ) -> Result<Zeroizing<[u8; 32]>, WrapError> {
        match self {
            ClientKeyPair::X25519(c) => {
                let expected = X25519_KEY_SIZE + SEALED_SIZE;
                if wrapped.len() != expected {
                    return Err(WrapError::WrappedLength {
                        expected,
                        found: wrapped.len(),
                    });
                }
                let (s_pub, sealed) = wrapped.split_at(X25519_KEY_SIZE);
                let s_pub: [u8; 32] = s_pub.try_into().map_err(|_| WrapError::Open)?;
                let s_pub = x25519_dalek::PublicKey::from(s_pub);
                let ss = c.diffie_hellman(&s_pub);
                if !ss.was_contributory() {
                    return Err(WrapError::SmallOrder);
                }
                let c_pub = x25519_dalek::PublicKey::from(c);
                let info = [
                    INFO_X25519,
                    c_pub.as_bytes(),
                    s_pub.as_bytes(),
                    &content_id.0,
                ]
                .concat();
                let kek = kdf(nonce, ss.as_bytes(), &info)?;
                open(&kek, content_id, sealed)
            }
            ClientKeyPair::MlKem1024(dk, ek_bytes) => {
                let expected = ML_KEM_1024_CT_SIZE + SEALED_SIZE;
                if wrapped.len() != expected {
                    return Err(WrapError::WrappedLength {
                        expected,
                        found: wrapped.len(),
                    });
                }
                let (ct, sealed) = wrapped.split_at(ML_KEM_1024_CT_SIZE);
                let ct =
                    ml_kem::Ciphertext::<MlKem1024>::try_from(ct).map_err(|_| WrapError::Open)?;
                let ss = dk.decapsulate(&ct).map_err(|_| WrapError::Open)?;
                let ss = Zeroizing::new(<[u8; 32]>::from(ss));
                let info = ml_kem_info(ek_bytes, &ct, content_id);
                let kek = kdf(nonce, ss.as_ref(), &info)?;
                open(&kek, content_id, sealed)
            }
        }
    }
}

fn ml_kem_info(ek: &[u8], ct: &[u8], content_id: &Bytes32) -> Vec<u8> {
    [
        INFO_ML_KEM,
        &crate::sha3_256(ek).0,
        &crate::sha3_256(ct).0,
        &content_id.0,
    ]
    .concat()
}

/// HKDF-SHA3-256 (RFC 5869 with HMAC-SHA3-256), 32 bytes of output.
pub fn kdf(salt: &Bytes32, ikm: &[u8], info: &[u8]) -> Result<Zeroizing<[u8; 32]>, WrapError> {
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha3_256>::new(Some(&salt.0), ikm)
        .expand(info, okm.as_mut())
        .map_err(|e| WrapError::Crypto(e.to_string()))?;
    Ok(okm)
}

fn seal(kek: &[u8; 32], content_id: &Bytes32, k_content: &[u8; 32]) -> Result<Vec<u8>, WrapError> {
    Aes256Gcm::new(kek.into())
        .encrypt(
            Nonce::from_slice(&[0u8; 12]),
            Payload {
                msg: k_content,
                aad: &content_id.0,
            },
        )
        .map_err(|e| WrapError::Crypto(e.to_string()))
}

fn open(
    kek: &[u8; 32],
    content_id: &Bytes32,
    sealed: &[u8],
) -> Result<Zeroizing<[u8; 32]>, WrapError> {
    let plain = Zeroizing::new(
        Aes256Gcm::new(kek.into())
            .decrypt(
                Nonce::from_slice(&[0u8; 12]),
                Payload {
                    msg: sealed,
                    aad: &content_id.0,
                },
            )
            .map_err(|_| WrapError::Open)?,
    );
    let mut k = Zeroizing::new([0u8; 32]);
    if plain.len() != 32 {
        return Err(WrapError::Open);
    }
    k.copy_from_slice(&plain);
    Ok(k)
}

/// RFC 7748: a u-coordinate is canonical when it is below p = 2^255 - 19 (so its top bit,
/// which implementations otherwise mask, is clear).
fn x25519_is_canonical(u: &[u8; 32]) -> bool {
    if u[31] & 0x80 != 0 {
        return false;
    }
    // u >= p exactly when u = p + k, k in 0..19: bytes 1..31 all 0xff, byte 31 = 0x7f, byte 0 >= 0xed.
    let top_all_ones = u[31] == 0x7f && u[1..31].iter().all(|&x| x == 0xff);
    !(top_all_ones && u[0] >= 0xed)
}

/// FIPS 203 §7.2 encapsulation key check: ByteEncode12(ByteDecode12(ek)) == ek, i.e. every
/// 12-bit coefficient of the 4 polynomials is below q.
fn ml_kem_key_is_valid(ek: &[u8]) -> bool {
    let polys = &ek[..ML_KEM_1024_KEY_SIZE - 32];
    polys.chunks_exact(3).all(|c| {
        let a = u16::from(c[0]) | (u16::from(c[1] & 0x0f) << 8);
        let b = u16::from(c[1] >> 4) | (u16::from(c[2]) << 4);
        a < ML_KEM_Q && b < ML_KEM_Q
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    #[test]
    fn x25519_matches_rfc_7748_section_6_1() {
        let a = h32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        let a_pub = h32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        let b = h32("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        let b_pub = h32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assert_eq!(
            x25519_dalek::x25519(a, x25519_dalek::X25519_BASEPOINT_BYTES),
            a_pub
        );
        assert_eq!(
            x25519_dalek::x25519(b, x25519_dalek::X25519_BASEPOINT_BYTES),
            b_pub
        );
        assert_eq!(hex::encode(x25519_dalek::x25519(a, b_pub)), shared);
        assert_eq!(hex::encode(x25519_dalek::x25519(b, a_pub)), shared);
    }

    #[test]
    fn hkdf_sha3_256_matches_an_independent_hmac_sha3_computation() {
        // RFC 5869 test case 1's inputs with HMAC-SHA3-256 in place of HMAC-SHA-256; the
        // expected output was computed with Python's hmac and hashlib.sha3_256 (an independent
        // implementation of HMAC and SHA3), following RFC 5869 §2.2-2.3 literally.
        let ikm = [0x0bu8; 22];
        let salt: Vec<u8> = (0u8..13).collect();
        let info: Vec<u8> = (0xf0u8..0xfa).collect();
        let mut okm = [0u8; 42];
        Hkdf::<Sha3_256>::new(Some(&salt), &ikm)
            .expand(&info, &mut okm)
            .unwrap();
        assert_eq!(
            hex::encode(okm),
            "0c5160501d65021deaf2c14f5abce04c5bd2635abceeba61c2edb6e8ed72674900557728f2c9f2c4c179"
        );
    }

    #[test]
    fn both_methods_round_trip_and_bind_nonce_and_content() {
        let k = [0x42u8; 32];
        let nonce = Bytes32([1; 32]);
        let cid = Bytes32([2; 32]);
        for m in [WrapMethod::X25519, WrapMethod::MlKem1024] {
            let pair = ClientKeyPair::generate(m);
            let public = ClientPublicKey::parse(&pair.public_bytes()).unwrap();
            assert_eq!(public.method(), m);
            let w = public.wrap(&k, &nonce, &cid).unwrap();
            assert_eq!(*pair.unwrap(&w, &nonce, &cid).unwrap(), k);
            assert_eq!(
                pair.unwrap(&w, &Bytes32([3; 32]), &cid),
                Err(WrapError::Open)
            );
            assert_eq!(
                pair.unwrap(&w, &nonce, &Bytes32([3; 32])),
                Err(WrapError::Open)
            );
            let other = ClientKeyPair::generate(m);
            assert_eq!(other.unwrap(&w, &nonce, &cid), Err(WrapError::Open));
            let mut bad = w.clone();
            bad[w.len() - 1] ^= 1;
            assert_eq!(pair.unwrap(&bad, &nonce, &cid), Err(WrapError::Open));
            assert!(matches!(
                pair.unwrap(&w[1..], &nonce, &cid),
                Err(WrapError::WrappedLength { .. })
            ));
            // Two wraps of the same key differ (fresh server randomness).
            assert_ne!(public.wrap(&k, &nonce, &cid).unwrap(), w);
        }
    }

    #[test]
    fn malformed_keys_are_refused() {
        for n in [0, 31, 33, 64, 1567, 1569] {
            assert!(
                matches!(ClientPublicKey::parse(&vec![5u8; n]), Err(WrapError::KeyLength(x)) if x == n)
            );
        }
        // Small-order points (RFC 7748 / libsodium's blocklist): 0, 1, and an order-8 point.
        let zero = [0u8; 32];
        let mut one = [0u8; 32];
        one[0] = 1;
        let order8 = h32("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
        for k in [zero, one, order8] {
            assert!(
                matches!(ClientPublicKey::parse(&k), Err(WrapError::SmallOrder)),
                "{}",
                hex::encode(k)
            );
        }
        // Non-canonical: p itself, and the top bit set.
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(matches!(
            ClientPublicKey::parse(&p),
            Err(WrapError::NonCanonical)
        ));
        let mut top = h32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        top[31] |= 0x80;
        assert!(matches!(
            ClientPublicKey::parse(&top),
            Err(WrapError::NonCanonical)
        ));
        // An ML-KEM key with a coefficient of 0xfff.
        let mut ek = ClientKeyPair::generate(WrapMethod::MlKem1024).public_bytes();
        ek[0] = 0xff;
        ek[1] |= 0x0f;
        assert!(matches!(
            ClientPublicKey::parse(&ek),
            Err(WrapError::BadMlKemKey)
        ));
    }
}
