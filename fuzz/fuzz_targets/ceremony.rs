//! The ceremony's transcript files: veil's powers-of-tau file (phase 1), the phase-2 file,
//! and the key-provenance JSON. decode(encode(x)) == x, and the encoding is the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_params::ceremony::{phase1::Phase1, phase2::Phase2, provenance::KeyProvenance};

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Phase1::from_bytes(data) {
        let bytes = p.to_bytes();
        assert_eq!(Phase1::from_bytes(&bytes).as_ref().ok(), Some(&p));
        let _ = p.transcript_hash();
    }
    if let Ok(p) = Phase2::from_bytes(data) {
        let bytes = p.to_bytes();
        assert_eq!(Phase2::from_bytes(&bytes).as_ref().ok(), Some(&p));
        let _ = p.transcript_hash();
        let _ = p.report();
    }
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(p) = KeyProvenance::from_json(s) {
            assert_eq!(
                KeyProvenance::from_json(&p.to_json()).as_ref().ok(),
                Some(&p)
            );
        }
    }
});
