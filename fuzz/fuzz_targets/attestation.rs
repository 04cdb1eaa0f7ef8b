//! Proof attestations and revenue proofs (the attestation readers of `veil verify` and of
//! the ledger): parse, round-trip, and check the signature against a trusted-keys set.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_fuzz::{text, TRUSTED};
use veil_verifier::attest::{ProofAttestation, ZkRevenueProof};

fuzz_target!(|data: &[u8]| {
    let Some(s) = text(data) else { return };
    if let Ok(a) = ProofAttestation::from_json(s) {
        assert_eq!(
            ProofAttestation::from_json(&a.to_json()).as_ref().ok(),
            Some(&a)
        );
        let _ = a.check_signature(&TRUSTED);
        let _ = a.subject_digest();
    }
    if let Ok(r) = ZkRevenueProof::from_json(s) {
        assert_eq!(
            ZkRevenueProof::from_json(&r.to_json()).as_ref().ok(),
            Some(&r)
        );
        let _ = r.claim().validate();
    }
});
