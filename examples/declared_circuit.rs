//! A tiny circuit written the way README's "Writing a circuit" says: its statement declared
//! once with `veil_verifier::statement!`, its `define` over the builder API taking every public
//! input from `api.public_statement`, and the generic encoders of veil-verifier giving the
//! public inputs a verifier checks. It runs on both backends (`cargo run --release --example
//! declared_circuit`; `cargo test --release --example declared_circuit` runs its tests).
//!
//! The circuit: "a public total splits into two secret parts, the first below a public bound".

use veil::circuits::{Api, CircuitError};
use veil::verifier::declare::layout;
use veil::verifier::statement;

statement! {
    /// What a proof of the split reveals.
    pub struct SplitStatement => SplitPublic {
        /// The public total.
        pub total: u64 => layout::U64,
        /// The first part is below this.
        pub bound: u64 => layout::U64,
    }
}

/// The secret parts, with the statement they claim.
pub struct SplitWitness {
    pub statement: SplitStatement,
    pub first: u64,
    pub second: u64,
}

/// The circuit, written once for both backends.
pub fn define<A: Api>(api: &mut A, w: Option<&SplitWitness>) -> Result<(), CircuitError> {
    let SplitPublic { total, bound } = api.public_statement(w.map(|w| &w.statement))?;
    let first = api.secret_u64("first", w.map(|w| w.first))?;
    let second = api.secret_u64("second", w.map(|w| w.second))?;
    let sum = api.u64_sum(&[first.clone(), second])?;
    api.u64_assert_equal(&sum, &total)?;
    api.u64_assert_less_than(&first, &bound)
}

/// Groth16's constraint system (R1CS over BLS12-381): is the witness satisfied, and are the
/// circuit's public inputs the declared encoding of the statement?
pub fn check_r1cs(w: &SplitWitness) -> Result<bool, CircuitError> {
    use veil::prover::r1cs::R1csApi;
    use veil::verifier::encoding::bls12_381;
    let cs = ark_relations::gr1cs::ConstraintSystem::new_ref();
    define(&mut R1csApi::new(cs.clone()), Some(w))?;
    let instance = cs
        .instance_assignment()
        .map_err(|e| CircuitError::Backend(e.to_string()))?;
    let encoded =
        bls12_381::encode(&w.statement).map_err(|e| CircuitError::Backend(e.to_string()))?;
    assert_eq!(
        instance[1..],
        encoded[..],
        "public inputs follow the declaration"
    );
    cs.is_satisfied()
        .map_err(|e| CircuitError::Backend(e.to_string()))
}

/// Plonky2: build, prove and verify; the proof's public inputs must be the declared Goldilocks
/// encoding of the statement.
pub fn prove_plonky2(w: &SplitWitness) -> Result<bool, CircuitError> {
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use veil::prover::plonky2::Plonky2Api;
    use veil::verifier::encoding::goldilocks;
    use veil::verifier::plonky2::{catch_quiet, circuit_config, C};
    let shape = {
        let mut api = Plonky2Api::new(circuit_config());
        define(&mut api, None)?;
        api.builder.build::<C>()
    };
    let mut api = Plonky2Api::new(circuit_config());
    define(&mut api, Some(w))?;
    let mut pw = PartialWitness::new();
    for (t, v) in api.assignments {
        if pw.set_target(t, v).is_err() {
            return Ok(false);
        }
    }
    let Some(Ok(proof)) = catch_quiet(|| shape.prove(pw)) else {
        return Ok(false);
    };
    let encoded =
        goldilocks::encode(&w.statement).map_err(|e| CircuitError::Backend(e.to_string()))?;
    assert_eq!(
        proof.public_inputs, encoded,
        "public inputs follow the declaration"
    );
    Ok(shape.verify(proof).is_ok())
}

fn witness(total: u64, bound: u64, first: u64) -> SplitWitness {
    SplitWitness {
        statement: SplitStatement { total, bound },
        first,
        second: total.wrapping_sub(first),
    }
}

fn main() -> Result<(), CircuitError> {
    let good = witness(1_000, 400, 399);
    println!("groth16 (R1CS) satisfied: {}", check_r1cs(&good)?);
    println!("plonky2 proof verifies: {}", prove_plonky2(&good)?);
    let json =
        serde_json::to_string(&good.statement).map_err(|e| CircuitError::Backend(e.to_string()))?;
    println!("statement: {json}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_split_proves_on_both_backends() {
        let w = witness(1_000, 400, 399);
        assert!(check_r1cs(&w).unwrap());
        assert!(prove_plonky2(&w).unwrap());
    }

    #[test]
    fn each_rule_is_enforced_on_both_backends() {
        // The first part at the bound.
        let at_bound = witness(1_000, 400, 400);
        // Parts that do not add up to the total.
        let mut wrong_sum = witness(1_000, 400, 399);
        wrong_sum.second += 1;
        for w in [at_bound, wrong_sum] {
            assert!(!check_r1cs(&w).unwrap());
            assert!(!prove_plonky2(&w).unwrap());
        }
    }

    #[test]
    fn the_json_form_is_the_declared_one() {
        let s: SplitStatement = serde_json::from_str(r#"{"total": 5, "bound": 3}"#).unwrap();
        assert_eq!(s, SplitStatement { total: 5, bound: 3 });
        assert!(
            serde_json::from_str::<SplitStatement>(r#"{"total": 5, "bound": 3, "x": 1}"#).is_err()
        );
        use veil::verifier::declare::Declared;
        assert_eq!(SplitStatement::FIELDS, ["total", "bound"]);
    }
}
