//! `verify_metering_isolation` (seed 000 §4.2): two packages' metering stays in two scopes.
//!
//! The commitments are the meters' readings commitments (the ones the hourly aggregates of
//! [`crate::metering`] prove), and the proof shows that package_a != package_b, that each
//! scope is H_MeterScope of its package, and that every reading under A's commitment carries
//! the key H_MeterKey(scope_a, customer) of A's scope, every reading under B's the key of B's
//! scope. No reading of B can hide under A's commitment, nor the other way round.
//!
//! Each commitment starts from its meter's secret blinding (see [`crate::metering`]: without
//! it the readings are guessable from the commitment); the blinding of each side is a secret
//! input here, checked canonical natively and a digest in the circuit like every secret.
//!
//! The blinded customer ids are secret ids, not range-checked: each is only hashed into the
//! key that must equal the readings' keys, which the meter made from a canonical id, so a
//! non-canonical limb pair would be a second Poseidon preimage of that key.
//!
//! | reveals (public)                        | hides (secret)                                        |
//! |-----------------------------------------|-------------------------------------------------------|
//! | package_a, package_b                    | every reading (time, units) and how many there are    |
//! | scope_a, scope_b                        | the (blinded) customers                               |
//! | the two readings commitments            | the hour, the totals and the commitments' blindings   |

use crate::api::{Api, HashInput};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher};
use crate::metering::{
    alloc_readings, check_keys, check_readings, commit_readings, reading_key, readings_commitment,
    scope, Reading,
};
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::IsolationPublic;
use veil_verifier::{CircuitId, CircuitKind, Digest, Id, IsolationStatement, Statement};

/// The readings under one package's commitment, and whose they are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeterBatch {
    pub blinded_customer_id: Id,
    /// The secret blinding of the meter's readings commitment.
    pub blinding: Digest,
    pub readings: Vec<Reading>,
    /// Explicit contents of the padded slots; absent in every valid witness.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub padding: Vec<Reading>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationWitness {
    pub statement: IsolationStatement,
    /// The readings under commitment_a.
    pub a: MeterBatch,
    /// The readings under commitment_b.
    pub b: MeterBatch,
}

/// The isolation circuit over up to `capacity` readings per package.
#[derive(Clone, Copy, Debug)]
pub struct Isolation {
    pub id: CircuitId,
}

impl Isolation {
    pub fn new(capacity: u32) -> Result<Self, String> {
        Ok(Isolation {
            id: CircuitId::new(CircuitKind::Isolation, capacity)?,
        })
    }
}

fn malformed(e: impl ToString) -> Violation {
    Violation::new(Rule::WellFormed, e.to_string())
}

impl Circuit for Isolation {
    type Witness = IsolationWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &IsolationWitness) -> Statement {
        Statement::Isolation(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &IsolationWitness) -> Result<(), Violation> {
        let s = &w.statement;
        for (name, d) in [
            ("scope_a", &s.scope_a),
            ("scope_b", &s.scope_b),
            ("commitment_a", &s.commitment_a),
            ("commitment_b", &s.commitment_b),
            ("a.blinding", &w.a.blinding),
            ("b.blinding", &w.b.blinding),
        ] {
            if !H::is_canonical(d) {
                return Err(malformed(format!(
                    "{name} is not a canonical field element"
                )));
            }
        }
        let cap = self.id.capacity();
        check_readings::<H>("A: ", &w.a.readings, &w.a.padding, cap)?;
        check_readings::<H>("B: ", &w.b.readings, &w.b.padding, cap)?;
        if s.package_a == s.package_b {
            return Err(Violation::new(
                Rule::DistinctPackages,
                "package_a and package_b are the same package",
            ));
        }
        for (side, package, scope_pub) in [
            ("A", &s.package_a, &s.scope_a),
            ("B", &s.package_b, &s.scope_b),
        ] {
            if scope::<H>(package).map_err(malformed)? != *scope_pub {
                return Err(Violation::new(
                    Rule::Scope,
                    format!(
                        "scope_{} is not H(package_{})",
                        side.to_lowercase(),
                        side.to_lowercase()
                    ),
                ));
            }
        }
        for (side, batch, c) in [("A", &w.a, &s.commitment_a), ("B", &w.b, &s.commitment_b)] {
            if readings_commitment::<H>(&batch.blinding, &batch.readings).map_err(malformed)? != *c
            {
                return Err(Violation::new(
                    Rule::Commitment,
                    format!(
                        "commitment_{} is not the commitment to {side}'s {} readings",
                        side.to_lowercase(),
                        batch.readings.len()
                    ),
                ));
            }
        }
        for (side, batch, scope_pub) in [("A: ", &w.a, &s.scope_a), ("B: ", &w.b, &s.scope_b)] {
            let key = reading_key::<H>(scope_pub, &batch.blinded_customer_id).map_err(malformed)?;
            check_keys(
                side,
                &batch.readings,
                &key,
                "the package's scope and the batch's customer",
            )?;
        }
        Ok(())
    }

    fn define<A: Api>(
        &self,
        api: &mut A,
        w: Option<&IsolationWitness>,
    ) -> Result<(), CircuitError> {
        let s = w.map(|w| &w.statement);
        let IsolationPublic {
            package_a,
            package_b,
            scope_a,
            scope_b,
            commitment_a,
            commitment_b,
        } = api.public_statement(s)?;

        // Distinct packages.
        api.id_assert_not_equal(&package_a, &package_b)?;
        let cap = self.id.capacity();
        let sides = [
            (&package_a, &scope_a, &commitment_a, w.map(|w| &w.a)),
            (&package_b, &scope_b, &commitment_b, w.map(|w| &w.b)),
        ];
        for (package, scope_pub, commitment, batch) in sides {
            // Scope.
            let scope = api.hash(Domain::MeterScope, &[HashInput::Id(package)])?;
            api.digest_assert_equal(&scope, scope_pub)?;
            // Every real reading carries the key of this scope and the batch's customer.
            let customer =
                api.secret_id("blinded_customer_id", batch.map(|b| b.blinded_customer_id))?;
            let key = api.hash(
                Domain::MeterKey,
                &[HashInput::Digest(&scope), HashInput::Id(&customer)],
            )?;
            let r = alloc_readings(
                api,
                cap,
                batch.map(|b| (b.readings.as_slice(), b.padding.as_slice())),
                &key,
            )?;
            // Commitment (under the side's secret blinding).
            let blinding = api.secret_digest("blinding", batch.map(|b| b.blinding))?;
            let c = commit_readings(api, &blinding, &r)?;
            api.digest_assert_equal(&c, commitment)?;
        }
        Ok(())
    }
}

impl crate::Listed for Isolation {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description: "Two packages' readings stay in their own scopes: no reading of one is under the other's commitment",
        statement: &[
            crate::doc::field("package_a", "the first package"),
            crate::doc::field("package_b", "the second package"),
            crate::doc::field("scope_a", "H(package_a)"),
            crate::doc::field("scope_b", "H(package_b)"),
            crate::doc::field("commitment_a", "a readings commitment of package A"),
            crate::doc::field("commitment_b", "a readings commitment of package B"),
        ],
        rules: &[
            crate::doc::WELL_FORMED_BATCH,
            crate::doc::PADDING,
            crate::doc::rule(crate::Rule::DistinctPackages, "package_a != package_b"),
            crate::doc::rule(crate::Rule::Scope, "each scope is H(its package)"),
            crate::doc::COMMITMENT,
            crate::doc::rule(crate::Rule::ReadingScope, "every reading under commitment_a carries A's scope (and its batch's customer), every reading under commitment_b B's"),
        ],
        hides: "the readings, the customers, the hours and totals",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        Isolation::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<IsolationWitness, CircuitError> {
        crate::sample::isolation_witness::<H>(size as usize, seed)
    }
}
