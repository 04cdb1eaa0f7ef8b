//! Aggregate verifying-key files (`VEILAGGK`, what `veil aggregate` writes beside the base key
//! and `veil verify` reads): bounded lengths, the guarded Plonky2 reader for the top level's
//! verifier data, canonical encoding, so an accepted key re-encodes to the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_verifier::aggregate::AggregateKey;

fuzz_target!(|data: &[u8]| {
    let Ok(k) = AggregateKey::from_bytes(data) else {
        return;
    };
    let bytes = k.to_bytes();
    assert_eq!(bytes, data);
    let again = AggregateKey::from_bytes(&bytes).expect("a key's own encoding reads");
    assert_eq!(again.digest, k.digest);
    assert_eq!(again.level_digests, k.level_digests);
});
