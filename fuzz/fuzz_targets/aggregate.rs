//! Aggregate envelopes (Plonky2 recursive proofs of a batch): parse, round-trip, public
//! inputs, and the checks `verify_aggregate` makes before it rebuilds the level circuits
//! (the rebuild takes seconds, so the target stops at a mismatch with the tier-4 key, which
//! is where fuzzed aggregates are refused).
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_fuzz::text;
use veil_verifier::aggregate::AggregateEnvelope;

fuzz_target!(|data: &[u8]| {
    let Some(s) = text(data) else { return };
    let Ok(a) = AggregateEnvelope::from_json(s) else {
        return;
    };
    assert_eq!(
        AggregateEnvelope::from_json(&a.to_json()).as_ref().ok(),
        Some(&a)
    );
    let _ = a.public_inputs();
});
