//! snarkjs `.ptau` files (bls12381), as `veil ceremony ptau import` reads them: import, and
//! for what imports and has a contribution, export and import again to the same accumulator.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_params::ceremony::ptau;

fuzz_target!(|data: &[u8]| {
    let Ok(p) = ptau::import(data, &|_| {}) else {
        return;
    };
    // An accumulator with no contribution yet (snarkjs `powersoftau new`) imports but is not
    // exported: snarkjs refuses such files, so veil does too, by name.
    let bytes = match ptau::export(&p) {
        Ok(bytes) => bytes,
        Err(veil_params::ceremony::CeremonyError::Invalid(m)) if m.starts_with("no contribution") => {
            return
        }
        Err(e) => panic!("an imported accumulator exports: {e:?}"),
    };
    let again = ptau::import(&bytes, &|_| {}).expect("an export imports");
    assert_eq!(again.to_bytes(), p.to_bytes());
});
