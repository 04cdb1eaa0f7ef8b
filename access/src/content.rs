//! Content files: `Enc_sym(K_content, File)` with AES-256-GCM.
//!
//! Layout: magic `VEILENC1` (8 bytes) ‖ GCM nonce (12 bytes, random) ‖ ciphertext and tag.
//! The magic is the associated data. A content id is SHA3-256 of the whole encrypted file,
//! so the file names itself (like a content address) and the manifest commits to it.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use veil_verifier::Bytes32;

/// The first 8 bytes of an encrypted content file.
pub const MAGIC: &[u8; 8] = b"VEILENC1";
const NONCE_SIZE: usize = 12;
const TAG_SIZE: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ContentError {
    #[error("not a veil encrypted content file (no VEILENC1 header, or shorter than {0} bytes)")]
    NotEncrypted(usize),
    #[error(
        "the content file does not decrypt with this key (wrong key, or the file was altered)"
    )]
    Decrypt,
    #[error("encryption failed: {0}")]
    Encrypt(String),
}

/// Encrypts `plain` under `key`; the GCM nonce is fresh randomness.
pub fn encrypt(key: &[u8; 32], plain: &[u8]) -> Result<Vec<u8>, ContentError> {
    let nonce = crate::random_32().map_err(ContentError::Encrypt)?;
    encrypt_with_nonce(key, &nonce[..NONCE_SIZE], plain)
}

fn encrypt_with_nonce(key: &[u8; 32], nonce: &[u8], plain: &[u8]) -> Result<Vec<u8>, ContentError> {
    let cipher = Aes256Gcm::new(key.into());
    let ct = cipher
        .encrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: plain,
                aad: MAGIC,
            },
        )
        .map_err(|e| ContentError::Encrypt(e.to_string()))?;
    let mut out = Vec::with_capacity(MAGIC.len() + NONCE_SIZE + ct.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Decrypts an encrypted content file.
pub fn decrypt(key: &[u8; 32], file: &[u8]) -> Result<Vec<u8>, ContentError> {
    let min = MAGIC.len() + NONCE_SIZE + TAG_SIZE;
    if file.len() < min || &file[..MAGIC.len()] != MAGIC {
        return Err(ContentError::NotEncrypted(min));
    }
    let (nonce, ct) = file[MAGIC.len()..].split_at(NONCE_SIZE);
    Aes256Gcm::new(key.into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: MAGIC,
            },
        )
        .map_err(|_| ContentError::Decrypt)
}

/// The content id of an encrypted file: SHA3-256 of its bytes.
pub fn content_id(encrypted: &[u8]) -> Bytes32 {
    crate::sha3_256(encrypted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aes_256_gcm_matches_the_gcm_spec_test_case_16() {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256,
        // 60-byte plaintext, 20-byte AAD): checks the cipher under our wrapper's calls.
        let key: [u8; 32] =
            hex::decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
                .unwrap()
                .try_into()
                .unwrap();
        let iv = hex::decode("cafebabefacedbaddecaf888").unwrap();
        let pt = hex::decode("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39").unwrap();
        let aad = hex::decode("feedfacedeadbeeffeedfacedeadbeefabaddad2").unwrap();
        let ct = Aes256Gcm::new((&key).into())
            .encrypt(
                Nonce::from_slice(&iv),
                Payload {
                    msg: &pt,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(
            hex::encode(ct),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662\
76fc6ece0f4e1768cddf8853bb2d551b"
        );
    }

    #[test]
    fn round_trip_and_refusals() {
        let key = [7u8; 32];
        let file = encrypt(&key, b"a film").unwrap();
        assert_eq!(&file[..8], MAGIC);
        assert_eq!(decrypt(&key, &file).unwrap(), b"a film");
        assert_eq!(decrypt(&[8u8; 32], &file), Err(ContentError::Decrypt));
        let mut bad = file.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(decrypt(&key, &bad), Err(ContentError::Decrypt));
        assert!(matches!(
            decrypt(&key, &file[..20]),
            Err(ContentError::NotEncrypted(_))
        ));
        assert!(matches!(
            decrypt(&key, b"plain text, not encrypted at all"),
            Err(ContentError::NotEncrypted(_))
        ));
        // Two encryptions of one file differ (fresh nonce) and so have different ids.
        assert_ne!(
            content_id(&file),
            content_id(&encrypt(&key, b"a film").unwrap())
        );
        let _ = encrypt_with_nonce(&key, &[0; 12], b"").unwrap();
    }
}
