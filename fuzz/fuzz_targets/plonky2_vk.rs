//! Plonky2 verifying-key files (through the typed reader and the any-backend reader): the
//! reader requires canonical encodings, so an accepted key re-encodes to the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_verifier::{AnyVerifyingKey, Plonky2VerifyingKey};

fuzz_target!(|data: &[u8]| {
    let _ = AnyVerifyingKey::from_bytes(data);
    let Ok(k) = Plonky2VerifyingKey::from_bytes(data) else {
        return;
    };
    let bytes = k.to_bytes();
    assert_eq!(bytes, data);
    let again = Plonky2VerifyingKey::from_bytes(&bytes).expect("a key's own encoding reads");
    assert_eq!(again.digest, k.digest);
    assert_eq!(again.header, k.header);
});
