//! Groth16 proving-key files (format versions 1 and 2; a version 1 file has no body digest,
//! so the fuzzer reaches arkworks' decoder directly): decode(encode(key)) is the key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_prover::Groth16ProvingKey;

fuzz_target!(|data: &[u8]| {
    let Ok(k) = Groth16ProvingKey::from_bytes(data) else {
        return;
    };
    let bytes = k.to_bytes();
    let again = Groth16ProvingKey::from_bytes(&bytes).expect("a key's own encoding reads");
    assert_eq!(again.header, k.header);
    assert!(again.pk == k.pk);
});
