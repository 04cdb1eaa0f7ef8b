//! `aggregate_hourly` (seed 000 §4.3, §6.3): the hourly aggregate of one package's meter for
//! one (blinded) customer.
//!
//! A reading is (package_id, blinded_customer_id, timestamp, units). The meter runs inside
//! the package's isolation scope, scope = H_MeterScope(package_id), and stamps each reading
//! with the key of its (package, customer): key = H_MeterKey(scope, blinded_customer_id). So
//! a reading as the meter stores and commits it is (key, timestamp, units): it carries its
//! package (through the scope) and its customer in one field element. The meter publishes a
//! commitment to the readings of one (package, customer, hour) (see [`crate::batch`]):
//!
//! ```text
//! c_0 = H_MeterReadings(blinding, count),  c_{i+1} = H_MeterReading(c_i, key_i, timestamp_i, units_i)
//! ```
//!
//! **Blinding.** Every item of a reading is guessable from the statement: the key is
//! H_MeterKey(scope, blinded_customer_id), both public; the timestamp is one of 3600 seconds
//! of the public hour; units lie in a small range. Unblinded, a search over (second, units)
//! recovers a reading from the commitment in well under a second (`tests/blinding.rs` runs
//! that search). So the chain starts from a secret `blinding`, a full field element that the
//! meter draws from the OS RNG for each commitment ([`crate::batch::fresh_blinding`]) and
//! keeps with the aggregate; it enters the witness, never the statement. Two commitments to
//! the same readings under two blindings are unrelated. The blinding needs no rule of its
//! own in the circuit: it is one digest (one field element on BLS12-381, four canonical
//! Goldilocks elements on Plonky2, which the backend refuses to assign otherwise), and the
//! native check refuses a non-canonical one as malformed.
//!
//! | reveals (public)                                    | hides (secret)                          |
//! |-----------------------------------------------------|-----------------------------------------|
//! | package_id and its scope                            | every reading: its time and its units   |
//! | blinded_customer_id (per-package, never the real id)| how many readings there were            |
//! | hour_start, total units of the hour                 |                                         |
//! | the readings commitment                             | the commitment's blinding               |
//!
//! Timestamps are unix seconds below 2^62 (year 146 billion).

use crate::api::{Api, HashInput};
use crate::batch::{
    alloc_masks, chain_commitment, chain_in_circuit, check_fits, fill_slots, zero_unless_u64,
    zero_unless_var,
};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher, NativeInput};
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::MeteringPublic;
use veil_verifier::{Bytes32, CircuitId, CircuitKind, Digest, Id, MeteringStatement, Statement};

/// Seconds in an hour; hour_start is a multiple of it.
pub const HOUR_SECS: u64 = 3600;
/// Timestamps and hour starts are below 2^TIMESTAMP_BITS.
pub const TIMESTAMP_BITS: u32 = veil_verifier::statement::TIMESTAMP_BITS;
/// hour_start = 3600 * hour index, the index below 2^HOUR_INDEX_BITS (3600 * 2^51 > 2^62).
const HOUR_INDEX_BITS: u32 = 51;
/// timestamp - hour_start is range-checked to 12 bits (4096 > 3600), then compared to 3600.
const OFFSET_BITS: u32 = 12;

/// A reading as the meter commits it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    /// H_MeterKey(scope of the package, blinded_customer_id), stamped by the meter.
    pub key: Digest,
    /// Unix seconds.
    pub timestamp: u64,
    pub units: u64,
}

impl Reading {
    pub fn is_empty(&self) -> bool {
        self.key == Bytes32::ZERO && self.timestamp == 0 && self.units == 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeteringWitness {
    pub statement: MeteringStatement,
    /// The secret blinding value at the start of the readings commitment (a canonical
    /// digest; fresh from the OS RNG for every commitment).
    pub blinding: Digest,
    /// The hour's readings, in the order the meter committed them.
    pub readings: Vec<Reading>,
    /// The contents of the slots after the readings. Absent (empty slots) in every valid
    /// witness; present only to show that a non-empty padded slot is refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub padding: Vec<Reading>,
}

/// A package's metering isolation scope: H_MeterScope(package_id).
pub fn scope<H: NativeHasher>(package_id: &Id) -> Result<Digest, CircuitError> {
    H::hash(Domain::MeterScope, &[NativeInput::Id(*package_id)])
}

/// The key a meter stamps on the readings of (package, customer): H_MeterKey(scope, customer).
pub fn reading_key<H: NativeHasher>(
    scope: &Digest,
    blinded_customer_id: &Id,
) -> Result<Digest, CircuitError> {
    H::hash(
        Domain::MeterKey,
        &[
            NativeInput::Digest(*scope),
            NativeInput::Id(*blinded_customer_id),
        ],
    )
}

/// The meter's commitment to a list of readings under a secret `blinding`.
pub fn readings_commitment<H: NativeHasher>(
    blinding: &Digest,
    readings: &[Reading],
) -> Result<Digest, CircuitError> {
    chain_commitment::<H>(
        Domain::MeterReadings,
        &[
            NativeInput::Digest(*blinding),
            NativeInput::Small(readings.len() as u64),
        ],
        Domain::MeterReading,
        readings.iter().map(|r| {
            vec![
                NativeInput::Digest(r.key),
                NativeInput::Small(r.timestamp),
                NativeInput::U64(r.units),
            ]
        }),
    )
}

/// Checks of a list of readings shared by metering and isolation: shape, canonical keys,
/// timestamps in range, empty padding. `side` names the list in messages ("" or "A: ").
pub(crate) fn check_readings<H: NativeHasher>(
    side: &str,
    readings: &[Reading],
    padding: &[Reading],
    capacity: usize,
) -> Result<(), Violation> {
    check_fits(
        &format!("{side}readings"),
        readings.len(),
        padding.len(),
        capacity,
    )?;
    for (i, r) in readings.iter().chain(padding).enumerate() {
        if !H::is_canonical(&r.key) {
            return Err(Violation::new(
                Rule::WellFormed,
                format!("{side}the key of slot {i} is not a canonical field element"),
            ));
        }
        if r.timestamp >> TIMESTAMP_BITS != 0 {
            return Err(Violation::new(
                Rule::WellFormed,
                format!(
                    "{side}the timestamp {} of slot {i} is not below 2^{TIMESTAMP_BITS}",
                    r.timestamp
                ),
            ));
        }
    }
    if let Some((j, p)) = padding
        .iter()
        .enumerate()
        .find(|(_, p)| p.timestamp != 0 || p.units != 0)
    {
        return Err(Violation::new(
            Rule::Padding,
            format!(
                "{side}padded slot {} (after the {} readings) is not empty: timestamp {}, {} units",
                readings.len() + j,
                readings.len(),
                p.timestamp,
                p.units
            ),
        ));
    }
    Ok(())
}

/// Checks that every reading carries `key`.
pub(crate) fn check_keys(
    side: &str,
    readings: &[Reading],
    key: &Digest,
    whose: &str,
) -> Result<(), Violation> {
    if let Some(i) = readings.iter().position(|r| r.key != *key) {
        return Err(Violation::new(
            Rule::ReadingScope,
            format!("{side}reading {i} does not carry the key of {whose}: it belongs to another package's scope or another customer"),
        ));
    }
    Ok(())
}

/// The readings of a batch as allocated in the circuit.
pub(crate) struct ReadingSlots<A: Api> {
    pub masks: Vec<A::Bool>,
    pub count: A::Var,
    pub keys: Vec<A::Digest>,
    pub timestamps: Vec<A::Var>,
    pub units: Vec<A::U64>,
}

/// Allocates `capacity` reading slots with their masks; padded slots get zero timestamps and
/// units; every slot's key must be `key` unless it is padding.
pub(crate) fn alloc_readings<A: Api>(
    api: &mut A,
    capacity: usize,
    readings: Option<(&[Reading], &[Reading])>,
    key: &A::Digest,
) -> Result<ReadingSlots<A>, CircuitError> {
    let slots = readings
        .map(|(r, p)| fill_slots(r, p, capacity))
        .transpose()?;
    let m = alloc_masks(api, capacity, readings.map(|(r, _)| r.len()))?;
    let mut out = ReadingSlots {
        masks: m.masks,
        count: m.count,
        keys: Vec::with_capacity(capacity),
        timestamps: Vec::with_capacity(capacity),
        units: Vec::with_capacity(capacity),
    };
    for i in 0..capacity {
        let slot = slots.as_ref().map(|s| &s[i]);
        let k = api.secret_digest("reading.key", slot.map(|r| r.key))?;
        let t = api.secret_small(
            "reading.timestamp",
            slot.map(|r| r.timestamp),
            TIMESTAMP_BITS,
        )?;
        let u = api.secret_u64("reading.units", slot.map(|r| r.units))?;
        let mask = &out.masks[i];
        // Padding carries no reading.
        zero_unless_var(api, mask, &t)?;
        zero_unless_u64(api, mask, &u)?;
        // Every real reading carries the key.
        let expected = api.digest_select(mask, key, &k)?;
        api.digest_assert_equal(&k, &expected)?;
        out.keys.push(k);
        out.timestamps.push(t);
        out.units.push(u);
    }
    Ok(out)
}

/// The readings commitment of allocated slots under the allocated `blinding`.
pub(crate) fn commit_readings<A: Api>(
    api: &mut A,
    blinding: &A::Digest,
    r: &ReadingSlots<A>,
) -> Result<A::Digest, CircuitError> {
    let slots: Vec<(&A::Bool, Vec<HashInput<'_, A>>)> = (0..r.masks.len())
        .map(|i| {
            (
                &r.masks[i],
                vec![
                    HashInput::Digest(&r.keys[i]),
                    HashInput::Small(&r.timestamps[i]),
                    HashInput::U64(&r.units[i]),
                ],
            )
        })
        .collect();
    chain_in_circuit(
        api,
        Domain::MeterReadings,
        &[HashInput::Digest(blinding), HashInput::Small(&r.count)],
        Domain::MeterReading,
        &slots,
    )
}

/// The hourly metering circuit over up to `capacity` readings.
#[derive(Clone, Copy, Debug)]
pub struct Metering {
    pub id: CircuitId,
}

impl Metering {
    pub fn new(capacity: u32) -> Result<Self, String> {
        Ok(Metering {
            id: CircuitId::new(CircuitKind::Metering, capacity)?,
        })
    }
}

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

impl Circuit for Metering {
    type Witness = MeteringWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &MeteringWitness) -> Statement {
        Statement::Metering(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &MeteringWitness) -> Result<(), Violation> {
        let s = &w.statement;
        for (name, d) in [
            ("scope", &s.scope),
            ("readings_commitment", &s.readings_commitment),
            ("blinding", &w.blinding),
        ] {
            if !H::is_canonical(d) {
                return Err(malformed(format!(
                    "{name} is not a canonical field element"
                )));
            }
        }
        if s.hour_start >> TIMESTAMP_BITS != 0 {
            return Err(malformed(format!(
                "hour_start {} is not below 2^{TIMESTAMP_BITS}",
                s.hour_start
            )));
        }
        check_readings::<H>("", &w.readings, &w.padding, self.id.capacity())?;
        if readings_commitment::<H>(&w.blinding, &w.readings).map_err(malformed)?
            != s.readings_commitment
        {
            return Err(Violation::new(
                Rule::Commitment,
                format!(
                    "readings_commitment is not the commitment to these {} readings under this blinding",
                    w.readings.len()
                ),
            ));
        }
        if scope::<H>(&s.package_id).map_err(malformed)? != s.scope {
            return Err(Violation::new(
                Rule::Scope,
                "scope is not H(package_id): it is another package's scope",
            ));
        }
        let key = reading_key::<H>(&s.scope, &s.blinded_customer_id).map_err(malformed)?;
        check_keys("", &w.readings, &key, "this package and customer")?;
        if !s.hour_start.is_multiple_of(HOUR_SECS) {
            return Err(Violation::new(
                Rule::HourAlignment,
                format!(
                    "hour_start {} is not a multiple of 3600 ({} seconds past the hour)",
                    s.hour_start,
                    s.hour_start % HOUR_SECS
                ),
            ));
        }
        let end = s.hour_start + HOUR_SECS;
        if let Some((i, r)) = w
            .readings
            .iter()
            .enumerate()
            .find(|(_, r)| r.timestamp < s.hour_start || r.timestamp >= end)
        {
            return Err(Violation::new(
                Rule::HourWindow,
                format!(
                    "reading {i} was taken at {}, outside the hour [{}, {end})",
                    r.timestamp, s.hour_start
                ),
            ));
        }
        let sum: u128 = w.readings.iter().map(|r| u128::from(r.units)).sum();
        if sum > u128::from(u64::MAX) {
            return Err(Violation::new(
                Rule::Overflow,
                format!("the readings' units add up to {sum}, beyond 2^64 - 1"),
            ));
        }
        if sum != u128::from(s.total_units) {
            return Err(Violation::new(
                Rule::Total,
                format!(
                    "total_units is {}, the readings add up to {sum}",
                    s.total_units
                ),
            ));
        }
        Ok(())
    }

    fn define<A: Api>(&self, api: &mut A, w: Option<&MeteringWitness>) -> Result<(), CircuitError> {
        let s = w.map(|w| &w.statement);
        let MeteringPublic {
            package_id,
            scope: scope_pub,
            blinded_customer_id: customer,
            hour_start,
            total_units: total,
            readings_commitment: commitment,
        } = api.public_statement(s)?;

        // Scope.
        let scope = api.hash(Domain::MeterScope, &[HashInput::Id(&package_id)])?;
        api.digest_assert_equal(&scope, &scope_pub)?;
        // Hour alignment: hour_start = 3600 * k.
        let k = api.secret_small(
            "hour_index",
            s.map(|s| s.hour_start / HOUR_SECS),
            HOUR_INDEX_BITS,
        )?;
        let aligned = api.linear_combination(&[(HOUR_SECS, &k)]);
        api.assert_equal(&aligned, &hour_start)?;

        // Readings (padding empty, every real one carrying this package's and customer's key).
        let key = api.hash(
            Domain::MeterKey,
            &[HashInput::Digest(&scope), HashInput::Id(&customer)],
        )?;
        let r = alloc_readings(
            api,
            self.id.capacity(),
            w.map(|w| (w.readings.as_slice(), w.padding.as_slice())),
            &key,
        )?;
        // Hour window: for a real reading, 0 <= timestamp - hour_start < 3600.
        let limit = api.constant(HOUR_SECS);
        for i in 0..r.masks.len() {
            let m = api.bool_to_var(&r.masks[i]);
            let diff = api.sub(&r.timestamps[i], &hour_start);
            let offset = api.mul(&m, &diff)?;
            api.range_check(&offset, OFFSET_BITS)?;
            api.assert_less_than(&offset, &limit, OFFSET_BITS)?;
        }
        // Commitment (under the secret blinding).
        let blinding = api.secret_digest("blinding", w.map(|w| w.blinding))?;
        let c = commit_readings(api, &blinding, &r)?;
        api.digest_assert_equal(&c, &commitment)?;
        // Total (padded units are zero; the sum must fit 64 bits).
        let sum = api.u64_sum(&r.units)?;
        api.u64_assert_equal(&sum, &total)
    }
}

impl crate::Listed for Metering {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description: "The readings under this commitment are all of this package and customer, taken in this hour, and add up to this total",
        statement: &[
            crate::doc::field("package_id", "the metered package"),
            crate::doc::field("scope", "the package's isolation scope, H(package_id)"),
            crate::doc::field("blinded_customer_id", "the customer's per-package blinded id"),
            crate::doc::field("hour_start", "start of the hour, unix seconds, a multiple of 3600"),
            crate::doc::field("total_units", "the hour's units"),
            crate::doc::field("readings_commitment", "the meter's commitment to the hour's readings"),
        ],
        rules: &[
            crate::doc::WELL_FORMED_BATCH,
            crate::doc::PADDING,
            crate::doc::COMMITMENT,
            crate::doc::rule(crate::Rule::Scope, "scope = H(package_id)"),
            crate::doc::rule(crate::Rule::ReadingScope, "every reading carries the key H(scope, blinded_customer_id): it is this package's and this customer's"),
            crate::doc::rule(crate::Rule::HourAlignment, "hour_start is a multiple of 3600"),
            crate::doc::rule(crate::Rule::HourWindow, "every reading was taken in [hour_start, hour_start + 3600)"),
            crate::doc::NO_OVERFLOW,
            crate::doc::rule(crate::Rule::Total, "total_units is exactly the sum of the readings' units"),
        ],
        hides: "every reading (its time and units) and how many there were",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        Metering::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<MeteringWitness, CircuitError> {
        crate::sample::metering_witness::<H>(size as usize, seed)
    }
}
