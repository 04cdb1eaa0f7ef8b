//! Constraint counts per circuit, checked in CI so that a regression shows. When a change
//! moves a number on purpose, update it here and in BENCHMARKS.md in the same commit.

use veil::circuits::{Circuit, Ownership, Tier};
use veil::prover::{compile, info};

fn snapshot<C: Circuit>(c: &C, constraints: usize, public_inputs: usize) {
    let i = info(c).unwrap();
    assert_eq!(
        (i.constraints, i.public_inputs),
        (constraints, public_inputs),
        "{}: constraint count changed",
        i.circuit
    );
}

#[test]
fn constraint_counts() {
    snapshot(&Ownership::new(20).unwrap(), 4396, 7);
    snapshot(&Tier::new(20).unwrap(), 4156, 6);
    snapshot(&Ownership::new(6).unwrap(), 2247, 7);
    snapshot(&Tier::new(6).unwrap(), 2007, 6);
}

#[test]
fn targets_against_circom_and_semaphore() {
    // circom 2.2.3 + circomlib Poseidon, bare Merkle-20 membership: 5,080; Semaphore v4: 6,431.
    assert!(info(&Tier::new(20).unwrap()).unwrap().constraints <= 5080);
    assert!(info(&Ownership::new(20).unwrap()).unwrap().constraints <= 5080);
}

/// A public input that appears in no constraint would verify for any value.
#[test]
fn every_public_input_is_bound_by_a_constraint() {
    fn check<C: Circuit>(c: &C) {
        let compiled = compile(c).unwrap();
        for input in 1..compiled.num_instance {
            let used = compiled
                .matrices
                .iter()
                .any(|m| m.iter().any(|row| row.iter().any(|(_, i)| *i == input)));
            assert!(used, "{}: public input {input} is in no constraint", c.id());
        }
    }
    check(&Ownership::new(20).unwrap());
    check(&Tier::new(20).unwrap());
}

/// Plonky2 gate counts (gates placed by the circuit, before zero-knowledge blinding and
/// padding), degree and public inputs per circuit. Update BENCHMARKS.md with them.
#[test]
fn plonky2_gate_counts() {
    fn snapshot<C: Circuit>(c: &C, gates: usize, degree_bits: usize, public_inputs: usize) {
        let i = veil::prover::plonky2::info(c).unwrap();
        assert_eq!(
            (i.gates, i.degree_bits, i.public_inputs),
            (gates, degree_bits, public_inputs),
            "{}: Plonky2 gate count changed",
            i.circuit
        );
    }
    snapshot(&Ownership::new(20).unwrap(), 61, 12, 26);
    snapshot(&Tier::new(20).unwrap(), 61, 12, 18);
    snapshot(&Ownership::new(6).unwrap(), 28, 12, 26);
    snapshot(&Tier::new(6).unwrap(), 28, 12, 18);
}
