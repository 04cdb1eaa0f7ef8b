//! Confidential receipt files (`veil receipt open|verify` read them): the JSON shape, format
//! and version, nonce and wrap bounds; what is accepted re-reads as the same receipt, and its
//! binding (the associated data) and the wraps' key decoders never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_fuzz::text;
use std::sync::LazyLock;
use veil_ledger::confidential::{wrap, Alg, ConfidentialReceipt, SecretKey};

/// One key per algorithm, made once: every wrap goes through the unwrap path under each
/// (decapsulation, key derivation, the key-wrap AEAD), which must refuse fuzzed bytes cleanly.
static KEYS: LazyLock<[SecretKey; 2]> =
    LazyLock::new(|| [SecretKey::generate(Alg::X25519), SecretKey::generate(Alg::MlKem1024)]);

fuzz_target!(|data: &[u8]| {
    let Some(s) = text(data) else { return };
    let Ok(r) = ConfidentialReceipt::from_json(s) else {
        return;
    };
    assert_eq!(
        ConfidentialReceipt::from_json(&r.to_json()).as_ref().ok(),
        Some(&r)
    );
    let binding = r.public.binding();
    for w in &r.wraps {
        let _ = r.unwrap_dek(&w.recipient, &KEYS[0]);
        for k in KEYS.iter() {
            let _ = wrap::unwrap(w, &binding, k);
        }
    }
    // Opening with a fixed data key exercises the AES-GCM path (it must refuse, not panic).
    let _ = r.open_with(&[7u8; 32]);
});
