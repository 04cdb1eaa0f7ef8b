//! iden3 `.r1cs` and `.wtns` files (circom/snarkjs interop): read, and for what reads,
//! write and read again to the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_prover::export::iden3::{wtns_from_bytes, wtns_to_bytes, R1csFile};

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = R1csFile::from_bytes(data) {
        let again = R1csFile::from_bytes(&r.to_bytes()).expect("an r1cs file reads back");
        assert_eq!(again, r);
        let _ = r.first_unsatisfied(&[]);
    }
    if let Ok(w) = wtns_from_bytes(data) {
        assert_eq!(wtns_from_bytes(&wtns_to_bytes(&w)).expect("reads back"), w);
    }
});
