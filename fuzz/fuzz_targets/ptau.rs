//! snarkjs `.ptau` files (bls12381), as `veil ceremony ptau import` reads them: import, and
//! for what imports, export and import again to the same accumulator.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_params::ceremony::ptau;

fuzz_target!(|data: &[u8]| {
    let Ok(p) = ptau::import(data, &|_| {}) else {
        return;
    };
    let bytes = ptau::export(&p).expect("an imported accumulator exports");
    let again = ptau::import(&bytes, &|_| {}).expect("an export imports");
    assert_eq!(again.to_bytes(), p.to_bytes());
});
