//! Constraint counts per circuit, checked in CI so that a regression shows. When a change
//! moves a number on purpose, update it here and in BENCHMARKS.md in the same commit.

use veil::circuits::{Circuit, Isolation, Metering, Ownership, Renewal, Revenue, Tier, Waterfall};
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

/// The circuit suite at its default sizes and at capacity 8.
#[test]
fn suite_constraint_counts() {
    snapshot(&Renewal::new(20).unwrap(), 5399, 7);
    snapshot(&Renewal::new(6).unwrap(), 3250, 7);
    snapshot(&Metering::new(64).unwrap(), 30589, 8);
    snapshot(&Metering::new(8).unwrap(), 4717, 8);
    snapshot(&Isolation::new(64).unwrap(), 57234, 8);
    snapshot(&Isolation::new(8).unwrap(), 8514, 8);
    snapshot(&Revenue::new(256).unwrap(), 146508, 7);
    snapshot(&Revenue::new(8).unwrap(), 5148, 7);
    snapshot(&Waterfall::new(256).unwrap(), 97675, 78);
    snapshot(&Waterfall::new(8).unwrap(), 7155, 78);
}

/// Constraints per item, all rules included: (constraints(N) - constraints(1)) / (N - 1).
fn per_item<C: Circuit>(make: impl Fn(u32) -> C, n: u32) -> f64 {
    let at = |cap| info(&make(cap)).unwrap().constraints as f64;
    (at(n) - at(1)) / f64::from(n - 1)
}

/// The budget on R1CS: at most 700 constraints per revenue transaction and 600 per
/// metering reading; the chain commitments make the cost exactly linear in the capacity.
#[test]
fn per_item_budgets() {
    let revenue = per_item(|n| Revenue::new(n).unwrap(), 8);
    let metering = per_item(|n| Metering::new(n).unwrap(), 8);
    assert_eq!(revenue, 570.0);
    assert_eq!(metering, 462.0);
    assert!(revenue <= 700.0 && metering <= 600.0);
    assert_eq!(per_item(|n| Revenue::new(n).unwrap(), 3), revenue);
    assert_eq!(per_item(|n| Waterfall::new(n).unwrap(), 8), 365.0);
    assert_eq!(per_item(|n| Isolation::new(n).unwrap(), 8), 870.0);
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
    check(&Renewal::new(6).unwrap());
    check(&Metering::new(4).unwrap());
    check(&Isolation::new(4).unwrap());
    check(&Revenue::new(4).unwrap());
    check(&Waterfall::new(4).unwrap());
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

/// Plonky2 gate counts of the circuit suite at its default sizes and at capacity 8 (depth 6
/// for renewal): (gates, degree_bits, public inputs).
#[test]
fn suite_plonky2_gate_counts() {
    fn row<C: Circuit>(c: &C) -> (String, usize, usize, usize) {
        let i = veil::prover::plonky2::info(c).unwrap();
        (i.circuit, i.gates, i.degree_bits, i.public_inputs)
    }
    let got = vec![
        row(&Renewal::new(20).unwrap()),
        row(&Renewal::new(6).unwrap()),
        row(&Metering::new(64).unwrap()),
        row(&Metering::new(8).unwrap()),
        row(&Isolation::new(64).unwrap()),
        row(&Isolation::new(8).unwrap()),
        row(&Revenue::new(256).unwrap()),
        row(&Revenue::new(8).unwrap()),
        row(&Waterfall::new(256).unwrap()),
        row(&Waterfall::new(8).unwrap()),
    ];
    let expected: Vec<(String, usize, usize, usize)> = [
        ("renewal-20", 81, 12, 24),
        ("renewal-6", 48, 12, 24),
        ("metering-64", 557, 12, 27),
        ("metering-8", 81, 12, 27),
        ("isolation-64", 806, 13, 32),
        ("isolation-8", 111, 12, 32),
        ("revenue-256", 3047, 13, 19),
        ("revenue-8", 109, 12, 19),
        ("waterfall-256", 1656, 13, 178),
        ("waterfall-8", 454, 12, 178),
    ]
    .into_iter()
    .map(|(c, g, d, p)| (c.to_string(), g, d, p))
    .collect();
    assert_eq!(got, expected, "Plonky2 gate counts changed");
}
