//! Groth16 verifying-key files: read through the typed reader and the any-backend reader;
//! a key read back from its own encoding is the same key, and the encoding is the input
//! (the reader refuses non-canonical encodings, since a key's id is the digest of its file).
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_verifier::{AnyVerifyingKey, Groth16VerifyingKey};

fuzz_target!(|data: &[u8]| {
    let _ = AnyVerifyingKey::from_bytes(data);
    let Ok(k) = Groth16VerifyingKey::from_bytes(data) else {
        return;
    };
    let bytes = k.to_bytes();
    assert_eq!(bytes, data);
    assert_eq!(
        Groth16VerifyingKey::from_bytes(&bytes).as_ref().ok(),
        Some(&k)
    );
});
