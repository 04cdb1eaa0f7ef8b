//! snarkjs JSON (verification_key.json, proof.json, public.json), as `veil export`'s interop
//! readers take them: the first byte picks the file kind. What is read re-encodes to JSON
//! that reads back as the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use veil_verifier::snarkjs;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(v) = snarkjs::parse_json("fuzz input", s) else {
        return;
    };
    match which % 3 {
        0 => {
            if let Ok(vk) = snarkjs::vk_from_json(&v) {
                let back = snarkjs::vk_from_json(&snarkjs::vk_to_json(&vk)).expect("reads back");
                assert!(back == vk);
            }
        }
        1 => {
            if let Ok(p) = snarkjs::proof_from_json(&v) {
                let back =
                    snarkjs::proof_from_json(&snarkjs::proof_to_json(&p)).expect("reads back");
                assert!(back == p);
            }
        }
        _ => {
            if let Ok(inputs) = snarkjs::public_from_json(&v) {
                let back = snarkjs::public_from_json(&snarkjs::public_to_json(&inputs))
                    .expect("reads back");
                assert_eq!(back, inputs);
            }
        }
    }
});
