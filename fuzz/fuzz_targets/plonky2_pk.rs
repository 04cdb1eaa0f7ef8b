//! Plonky2 proving-key files (versions 1 and 2: version 1 has no body digest, so the fuzzer
//! reaches the embedded verifying key's reader and Plonky2's prover-data decoder):
//! decode(encode(key)) is the key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_prover::plonky2::Plonky2ProvingKey;

fuzz_target!(|data: &[u8]| {
    let Ok(k) = Plonky2ProvingKey::from_bytes(data) else {
        return;
    };
    let bytes = k.to_bytes();
    let again = Plonky2ProvingKey::from_bytes(&bytes).expect("a key's own encoding reads");
    assert_eq!(again.header, k.header);
    assert_eq!(again.verifying_key.digest, k.verifying_key.digest);
    assert_eq!(again.to_bytes(), bytes);
});
