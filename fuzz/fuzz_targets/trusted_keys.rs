//! Trusted-keys files (ML-DSA-87 public keys), pinned verifying-key files, and the raw key
//! and signature files they are made from: parse and round-trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_verifier::attest::{PublicKey, Signature, TrustedKeys};
use veil_verifier::pinning::TrustedVerifyingKeys;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = PublicKey::from_bytes(data) {
        assert_eq!(k.to_bytes(), data);
    }
    if let Ok(sig) = Signature::from_bytes(data) {
        assert_eq!(sig.to_bytes(), data);
    }
    let _ = veil_prover::SecretKey::from_bytes(data);
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = PublicKey::from_hex(s);
    let _ = Signature::from_hex(s);
    if let Ok(t) = TrustedKeys::from_json(s) {
        assert_eq!(TrustedKeys::from_json(&t.to_json()).as_ref().ok(), Some(&t));
    }
    if let Ok(t) = TrustedVerifyingKeys::from_json(s) {
        assert_eq!(
            TrustedVerifyingKeys::from_json(&t.to_json()).as_ref().ok(),
            Some(&t)
        );
        for k in &t.keys {
            if let (Ok(c), Ok(id)) = (k.circuit.parse(), k.key_id.trim_start_matches("0x").parse())
            {
                let _ = t.check(c, &id);
            }
        }
    }
});
