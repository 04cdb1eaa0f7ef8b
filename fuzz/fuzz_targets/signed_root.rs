//! Signed Merkle roots and root-info files: parse, round-trip, signature and freshness checks.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_fuzz::{text, TRUSTED};
use veil_verifier::attest::{RootInfo, SignedRoot};

fuzz_target!(|data: &[u8]| {
    let Some(s) = text(data) else { return };
    if let Ok(r) = SignedRoot::from_json(s) {
        assert_eq!(SignedRoot::from_json(&r.to_json()).as_ref().ok(), Some(&r));
        let _ = r.check_signature(&TRUSTED);
        let _ = r.check_fresh(u64::MAX, 0);
        let _ = r.check_fresh(0, u64::MAX);
    }
    if let Ok(i) = RootInfo::from_json(s) {
        assert_eq!(RootInfo::from_json(&i.to_json()).as_ref().ok(), Some(&i));
    }
});
