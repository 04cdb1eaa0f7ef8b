//! Witness JSON of every circuit, as `veil check` / `veil prove` read it: the first byte
//! picks the circuit, the rest is the file. A witness that parses is checked natively under
//! both backends' hashes (the check must refuse, never panic, on any shape), its statement is
//! built, and it round-trips through JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use veil_circuits::{
    Isolation, Listed, Metering, Ownership, PoseidonBls12, PoseidonGoldilocks, Renewal, Revenue,
    Tier, Waterfall,
};

fn run<C: Listed>(size: u32, s: &str)
where
    C::Witness: DeserializeOwned,
{
    let Ok(w) = serde_json::from_str::<C::Witness>(s) else {
        return;
    };
    let value = serde_json::to_value(&w).expect("a witness serializes");
    let again: C::Witness = serde_json::from_value(value.clone()).expect("a witness reads back");
    assert_eq!(serde_json::to_value(&again).expect("serializes"), value);
    let _ = C::statement(&w);
    let circuit = C::with_size(size).expect("a listed size");
    let _ = circuit.check::<PoseidonBls12>(&w);
    let _ = circuit.check::<PoseidonGoldilocks>(&w);
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 7 {
        0 => run::<Ownership>(4, s),
        1 => run::<Tier>(4, s),
        2 => run::<Renewal>(4, s),
        3 => run::<Metering>(4, s),
        4 => run::<Isolation>(4, s),
        5 => run::<Revenue>(4, s),
        _ => run::<Waterfall>(4, s),
    }
});
