//! The readings commitments' secret blinding (issue 10 §1): the review's brute-force search
//! recovers a reading from an unblinded metering statement and fails on a blinded one; the
//! same readings under two blindings give unrelated commitments; a blinding that is not a
//! canonical field element is refused by the native check and by both backends.

use veil::circuits::hash::{Domain, NativeInput};
use veil::circuits::metering::{self, Reading, HOUR_SECS};
use veil::circuits::sample::{metering_batch, sample_secret};
use veil::circuits::{
    Circuit, Isolation, Metering, MeteringWitness, NativeHasher, PoseidonBls12, PoseidonGoldilocks,
    Rule,
};
use veil::verifier::{Bytes32, Digest, MeteringStatement};

/// The units range the search tries: a realistic small one for a per-minute reading.
const UNITS_RANGE: std::ops::RangeInclusive<u64> = 1..=64;

/// The commitment as it was before blinding (circuit version 1):
/// c_0 = H_MeterReadings(count), c_{i+1} = H_MeterReading(c_i, key, timestamp, units).
fn unblinded_commitment<H: NativeHasher>(readings: &[Reading]) -> Digest {
    let mut c = H::hash(
        Domain::MeterReadings,
        &[NativeInput::Small(readings.len() as u64)],
    )
    .unwrap();
    for r in readings {
        c = H::hash(
            Domain::MeterReading,
            &[
                NativeInput::Digest(c),
                NativeInput::Digest(r.key),
                NativeInput::Small(r.timestamp),
                NativeInput::U64(r.units),
            ],
        )
        .unwrap();
    }
    c
}

/// The review's search, from a metering statement alone: the reading key is computable from
/// public values, so try every second of the public hour and every units value of a small
/// range for a one-reading hour, under the unblinded chain (the attacker cannot compute a
/// blinded one). Returns the (timestamp, units) that open the commitment, if any.
fn brute_force<H: NativeHasher>(s: &MeteringStatement) -> Option<(u64, u64)> {
    let key = metering::reading_key::<H>(&s.scope, &s.blinded_customer_id).unwrap();
    let c0 = H::hash(Domain::MeterReadings, &[NativeInput::Small(1)]).unwrap();
    for offset in 0..HOUR_SECS {
        let t = s.hour_start + offset;
        for units in UNITS_RANGE {
            let c = H::hash(
                Domain::MeterReading,
                &[
                    NativeInput::Digest(c0),
                    NativeInput::Digest(key),
                    NativeInput::Small(t),
                    NativeInput::U64(units),
                ],
            )
            .unwrap();
            if c == s.readings_commitment {
                return Some((t, units));
            }
        }
    }
    None
}

/// A one-reading hour: 37 units at 1,234 seconds past the hour (what the search looks for).
fn one_reading<H: NativeHasher>() -> MeteringWitness {
    let mut w = metering_batch::<H>(1, 3).unwrap();
    w.readings[0].timestamp = w.statement.hour_start + 1234;
    w.readings[0].units = 37;
    w.statement.total_units = 37;
    w.statement.readings_commitment =
        metering::readings_commitment::<H>(&w.blinding, &w.readings).unwrap();
    w
}

fn search_works_unblinded_and_fails_blinded<H: NativeHasher>() {
    let w = one_reading::<H>();
    let c = Metering::new(4).unwrap();
    c.check::<H>(&w).unwrap();
    let secret = (w.readings[0].timestamp, w.readings[0].units);

    // The same statement with the commitment computed the old way: the search finds it.
    let mut old = w.statement.clone();
    old.readings_commitment = unblinded_commitment::<H>(&w.readings);
    assert_eq!(brute_force::<H>(&old), Some(secret));

    // The blinded statement, as the meter publishes it now: nothing in the space opens it.
    assert_eq!(brute_force::<H>(&w.statement), None);
}

#[test]
fn brute_force_search_finds_an_unblinded_reading_and_not_a_blinded_one_bls12() {
    search_works_unblinded_and_fails_blinded::<PoseidonBls12>();
}

#[test]
fn brute_force_search_finds_an_unblinded_reading_and_not_a_blinded_one_goldilocks() {
    search_works_unblinded_and_fails_blinded::<PoseidonGoldilocks>();
}

fn two_blindings_give_unrelated_commitments<H: NativeHasher>() {
    let w = metering_batch::<H>(5, 1).unwrap();
    let b1 = veil::circuits::batch::fresh_blinding::<H>().unwrap();
    let b2 = veil::circuits::batch::fresh_blinding::<H>().unwrap();
    assert_ne!(b1, b2, "two draws from the OS RNG");
    assert!(H::is_canonical(&b1) && H::is_canonical(&b2));
    let c1 = metering::readings_commitment::<H>(&b1, &w.readings).unwrap();
    let c2 = metering::readings_commitment::<H>(&b2, &w.readings).unwrap();
    let unblinded = unblinded_commitment::<H>(&w.readings);
    assert_ne!(c1, c2);
    assert_ne!(c1, unblinded);
    assert_ne!(c2, unblinded);
    // Unrelated: about half of the bits differ (a fixed relation would show here).
    let differing: u32 =
        c1.0.iter()
            .zip(&c2.0)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum();
    assert!(
        (64..=192).contains(&differing),
        "{differing} of 256 bits differ"
    );
    // Each opens only under its own blinding.
    let c = Metering::new(8).unwrap();
    for (b, commitment) in [(b1, c1), (b2, c2)] {
        let mut x = w.clone();
        x.blinding = b;
        x.statement.readings_commitment = commitment;
        c.check::<H>(&x).unwrap();
        let mut swapped = x.clone();
        swapped.blinding = if b == b1 { b2 } else { b1 };
        assert_eq!(c.check::<H>(&swapped).unwrap_err().rule, Rule::Commitment);
    }
}

#[test]
fn same_readings_under_two_blindings_bls12() {
    two_blindings_give_unrelated_commitments::<PoseidonBls12>();
}

#[test]
fn same_readings_under_two_blindings_goldilocks() {
    two_blindings_give_unrelated_commitments::<PoseidonGoldilocks>();
}

/// The modulus's bytes on each backend: above it a blinding is not a field element.
fn not_canonical<H: NativeHasher>() -> Bytes32 {
    let b = Bytes32([0xff; 32]);
    assert!(!H::is_canonical(&b));
    b
}

#[test]
fn a_non_canonical_blinding_is_refused_by_the_check_and_both_backends() {
    // Groth16 / BLS12-381.
    let c = Metering::new(4).unwrap();
    let mut w = metering_batch::<PoseidonBls12>(3, 1).unwrap();
    w.blinding = not_canonical::<PoseidonBls12>();
    let v = c.check::<PoseidonBls12>(&w).unwrap_err();
    assert_eq!(v.rule, Rule::WellFormed);
    assert!(v.detail.contains("blinding"), "{v}");
    assert!(!veil::prover::satisfies(&c, &w).unwrap_or(false));
    // Plonky2 / Goldilocks: each 8-byte limb must be below p.
    let mut w = metering_batch::<PoseidonGoldilocks>(3, 1).unwrap();
    w.blinding = not_canonical::<PoseidonGoldilocks>();
    let v = c.check::<PoseidonGoldilocks>(&w).unwrap_err();
    assert_eq!(v.rule, Rule::WellFormed);
    assert!(!veil::prover::plonky2::satisfies(&c, &w).unwrap_or(false));
    // Isolation, each side.
    let iso = Isolation::new(4).unwrap();
    let good = veil::circuits::sample::isolation_witness::<PoseidonBls12>(4, 1).unwrap();
    for side in 0..2 {
        let mut w = good.clone();
        let batch = if side == 0 { &mut w.a } else { &mut w.b };
        batch.blinding = not_canonical::<PoseidonBls12>();
        assert_eq!(
            iso.check::<PoseidonBls12>(&w).unwrap_err().rule,
            Rule::WellFormed
        );
        assert!(!veil::prover::satisfies(&iso, &w).unwrap_or(false));
    }
}

/// The samples' blindings are fixed (reproducible), distinct per sample and per side.
#[test]
fn sample_blindings_are_fixed_and_distinct() {
    let a = metering_batch::<PoseidonBls12>(2, 1).unwrap();
    let b = metering_batch::<PoseidonBls12>(2, 1).unwrap();
    assert_eq!(a.blinding, b.blinding);
    assert_eq!(a.blinding, sample_secret("meter-blinding", 1));
    let iso = veil::circuits::sample::isolation_witness::<PoseidonBls12>(4, 1).unwrap();
    assert_ne!(iso.a.blinding, iso.b.blinding);
}
