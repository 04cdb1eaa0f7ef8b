//! The circuits the CLI knows, and how a command reaches the concrete circuit type.
//!
//! Commands are written once as a [`Task`], generic over `C: CliCircuit`; [`dispatch`] picks
//! the type from the circuit id at run time, from the circuit list
//! (`veil_verifier::for_each_circuit!`): every [`veil_circuits::Listed`] circuit is a
//! [`CliCircuit`]. [`describe`] holds what `veil circuits` prints about each.
//!
//! A circuit id's size is a tree depth for ownership, tier and renewal, and a capacity (item
//! slots) for metering, isolation, revenue and waterfall.

use crate::error::CliResult;
use serde::Serialize;
use veil_circuits::{Circuit, CircuitError, Listed};
use veil_circuits::{NativeHasher, PoseidonBls12, PoseidonGoldilocks, Violation};
use veil_verifier::{Backend, CircuitId, CircuitKind};

/// A circuit as the CLI drives it: built from its size (a tree depth or a capacity), with a
/// built-in sample witness.
pub trait CliCircuit: Circuit + Sized + Clone + 'static {
    fn with_size(size: u32) -> Result<Self, String>;
    /// A deterministic sample witness built with hash `H` (see `veil_circuits::sample`).
    fn sample_with<H: NativeHasher>(size: u32, seed: u64) -> Result<Self::Witness, CircuitError>;

    /// A deterministic sample witness for `backend` (its hash decides the roots and digests).
    fn sample(size: u32, seed: u64, backend: Backend) -> Result<Self::Witness, CircuitError> {
        match backend {
            Backend::Groth16 => Self::sample_with::<PoseidonBls12>(size, seed),
            Backend::Plonky2 => Self::sample_with::<PoseidonGoldilocks>(size, seed),
        }
    }

    /// The native check with `backend`'s hash.
    fn check_for(&self, w: &Self::Witness, backend: Backend) -> Result<(), Violation> {
        match backend {
            Backend::Groth16 => self.check::<PoseidonBls12>(w),
            Backend::Plonky2 => self.check::<PoseidonGoldilocks>(w),
        }
    }
}

impl<C: Listed> CliCircuit for C {
    fn with_size(size: u32) -> Result<Self, String> {
        <C as Listed>::with_size(size)
    }
    fn sample_with<H: NativeHasher>(size: u32, seed: u64) -> Result<Self::Witness, CircuitError> {
        <C as Listed>::sample::<H>(size, seed)
    }
}

/// A piece of work over one circuit, whatever its type.
pub trait Task {
    type Output;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output>;
}

/// The dispatch, made from the circuit list: entry `K` runs `task` on `veil_circuits::K`.
macro_rules! make_dispatch {
    ($( $kind:ident { $($entry:tt)* }, )*) => {
        /// Runs `task` on the circuit named by `id`.
        pub fn dispatch<T: Task>(id: CircuitId, task: T) -> CliResult<T::Output> {
            match id.kind {
                $( CircuitKind::$kind => task.run(<veil_circuits::$kind as Listed>::with_size(id.size)?), )*
            }
        }
    };
}
veil_verifier::for_each_circuit!(make_dispatch);

/// A named thing with a one-line description.
#[derive(Clone, Debug, Serialize)]
pub struct Field {
    pub name: &'static str,
    pub description: &'static str,
}

/// What `veil circuits` says about a circuit.
#[derive(Clone, Debug, Serialize)]
pub struct CircuitDoc {
    pub name: &'static str,
    pub default_id: String,
    pub description: &'static str,
    /// The public values a proof reveals, in the order of `Statement::named_values`.
    pub statement: Vec<Field>,
    /// The rules the circuit enforces, named as `veil_circuits::Rule` displays them.
    pub rules: Vec<Field>,
    /// What stays hidden.
    pub hides: &'static str,
}

const WELL_FORMED: Field = Field {
    name: "well-formed witness",
    description: "the Merkle path fits the tree and every digest is a canonical field element",
};

const WELL_FORMED_BATCH: Field = Field {
    name: "well-formed witness",
    description: "the items fit the circuit's slots, every digest is a canonical field element, timestamps are in range",
};

const COMMITMENT: Field = Field {
    name: "commitment",
    description:
        "the public commitment is the hash chain of exactly these items, in order, and their number",
};

const PADDING: Field = Field {
    name: "padding",
    description: "slots after the real items are empty: padding carries no value, count or reading",
};

const NO_OVERFLOW: Field = Field {
    name: "no overflow",
    description: "the sum fits in 64 bits: nothing wraps",
};

const MEMBERSHIP_TOKEN: Field = Field {
    name: "membership",
    description: "the token's leaf (package, blinding commitment, expiry, token id) is in the tree with the public root",
};

/// The description of a circuit kind.
pub fn describe(kind: CircuitKind) -> CircuitDoc {
    let f = |name, description| Field { name, description };
    let default_id = CircuitId::default_for(kind).to_string();
    match kind {
        CircuitKind::Ownership => CircuitDoc {
            name: kind.name(),
            default_id,
            description: "I hold an active, unexpired token for this package (without saying which one)",
            statement: vec![
                f("root", "root of the issuer's Merkle tree of active tokens"),
                f("package_id", "the package the token grants access to"),
                f("now", "the verifier's clock, unix seconds"),
                f("challenge", "a fresh verifier challenge, so the proof cannot be replayed"),
                f("tag", "H(blinding factor, challenge): binds the proof to the challenge"),
            ],
            rules: vec![
                WELL_FORMED,
                f("knowledge of the blinding factor", "the prover opens the token's blinding commitment"),
                MEMBERSHIP_TOKEN,
                f("expiry", "now < the token's expiry"),
                f("tag", "tag = H(blinding factor, challenge)"),
            ],
            hides: "which token (its id and position), the blinding factor, the expiry date",
        },
        CircuitKind::Tier => CircuitDoc {
            name: kind.name(),
            default_id,
            description: "I hold a tier commitment of at least min_tier, and this is request slot < quota of the epoch",
            statement: vec![
                f("root", "root of the approved tier set's Merkle tree"),
                f("min_tier", "the lowest tier the verifier accepts"),
                f("epoch_beacon", "the epoch beacon K_epoch"),
                f("request_binding", "H(request nonce, ephemeral public key): ties the proof to one request"),
                f("nullifier", "H(user secret, K_epoch, slot): repeats if a slot is reused in the epoch"),
                f("quota", "requests allowed per epoch"),
            ],
            rules: vec![
                WELL_FORMED,
                f("membership", "the tier commitment H(tier, user secret, randomness) is in the approved set with the public root"),
                f("tier minimum", "the hidden tier is at least min_tier"),
                f("quota", "the hidden slot is below quota"),
                f("nullifier", "nullifier = H(user secret, epoch beacon, slot)"),
                f("request binding", "request_binding = H(request nonce, ephemeral public key)"),
            ],
            hides: "the exact tier, the commitment and its position, the user secret, the slot",
        },
        CircuitKind::Renewal => CircuitDoc {
            name: kind.name(),
            default_id,
            description: "My token for this package, once and only once, becomes a token with a later expiry (without saying which one)",
            statement: vec![
                f("root", "root of the issuer's Merkle tree of active tokens"),
                f("package_id", "the package of the old and the new token"),
                f("now", "the issuer's clock, unix seconds"),
                f("nullifier", "H(blinding factor, old leaf): the same for every renewal of a token, so it renews once"),
                f("new_leaf", "the new token's leaf, for the issuer to add to its tree"),
                f("new_expires_at", "the new token's expiry, unix seconds"),
            ],
            rules: vec![
                WELL_FORMED,
                f("knowledge of the blinding factor", "the prover opens the old token's blinding commitment"),
                MEMBERSHIP_TOKEN,
                f("renewal window", "now < the old expiry + the grace period (7 days, fixed at setup)"),
                f("later expiry", "new_expires_at > the old expiry"),
                f("nullifier", "nullifier = H(blinding factor, old token leaf)"),
                f("new leaf", "new_leaf = leaf(package, the same blinding commitment, new_expires_at, a new token id)"),
                f("fresh token id", "the new token id is canonical (range-checked limbs) and differs from the old one"),
            ],
            hides: "which token (its id, position and old expiry), the blinding factor, the new token id, the customer",
        },
        CircuitKind::Metering => CircuitDoc {
            name: kind.name(),
            default_id,
            description: "The readings under this commitment are all of this package and customer, taken in this hour, and add up to this total",
            statement: vec![
                f("package_id", "the metered package"),
                f("scope", "the package's isolation scope, H(package_id)"),
                f("blinded_customer_id", "the customer's per-package blinded id"),
                f("hour_start", "start of the hour, unix seconds, a multiple of 3600"),
                f("total_units", "the hour's units"),
                f("readings_commitment", "the meter's commitment to the hour's readings"),
            ],
            rules: vec![
                WELL_FORMED_BATCH,
                PADDING,
                COMMITMENT,
                f("scope", "scope = H(package_id)"),
                f("reading scope", "every reading carries the key H(scope, blinded_customer_id): it is this package's and this customer's"),
                f("hour alignment", "hour_start is a multiple of 3600"),
                f("hour window", "every reading was taken in [hour_start, hour_start + 3600)"),
                NO_OVERFLOW,
                f("total", "total_units is exactly the sum of the readings' units"),
            ],
            hides: "every reading (its time and units) and how many there were",
        },
        CircuitKind::Isolation => CircuitDoc {
            name: kind.name(),
            default_id,
            description: "Two packages' readings stay in their own scopes: no reading of one is under the other's commitment",
            statement: vec![
                f("package_a", "the first package"),
                f("package_b", "the second package"),
                f("scope_a", "H(package_a)"),
                f("scope_b", "H(package_b)"),
                f("commitment_a", "a readings commitment of package A"),
                f("commitment_b", "a readings commitment of package B"),
            ],
            rules: vec![
                WELL_FORMED_BATCH,
                PADDING,
                f("distinct packages", "package_a != package_b"),
                f("scope", "each scope is H(its package)"),
                COMMITMENT,
                f("reading scope", "every reading under commitment_a carries A's scope (and its batch's customer), every reading under commitment_b B's"),
            ],
            hides: "the readings, the customers, the hours and totals",
        },
        CircuitKind::Revenue => CircuitDoc {
            name: kind.name(),
            default_id,
            description: "Publisher X earned Y micros from Z transactions in period P: every transaction of the period counted, none outside it",
            statement: vec![
                f("publisher_id", "the publisher"),
                f("period_start", "start of the period, unix seconds, inclusive"),
                f("period_end", "end of the period, unix seconds, exclusive"),
                f("aggregate_revenue_micros", "the revenue of the period"),
                f("transaction_count", "the number of transactions in the period"),
                f("transactions_commitment", "the settlement module's commitment to the publisher's transactions"),
            ],
            rules: vec![
                WELL_FORMED_BATCH,
                PADDING,
                COMMITMENT,
                NO_OVERFLOW,
                f("period coverage", "every committed transaction inside [period_start, period_end) is counted, none outside"),
                f("total", "aggregate_revenue_micros is exactly the sum of the period's transactions"),
                f("count", "transaction_count is the number of the period's transactions"),
            ],
            hides: "every transaction (amount, time, package, customer, settlement id), the per-package breakdown, the transactions outside the period",
        },
        CircuitKind::Waterfall => CircuitDoc {
            name: kind.name(),
            default_id,
            description: "A solution's revenue of a period, from these payments, was split exactly by the public waterfall rules",
            statement: vec![
                f("solution_id", "the solution"),
                f("period_start", "start of the period, unix seconds"),
                f("period_end", "end of the period, unix seconds"),
                f("total_revenue_micros", "the solution's revenue of the period"),
                f("tranches", "up to 4 tranches in order: recipient and cap (or none)"),
                f("shares", "1 to 8 residual lines: recipient and basis points (summing to 10,000)"),
                f("remainder_to", "the share line that takes the rounding remainder"),
                f("tranche_payouts", "what each tranche pays"),
                f("share_payouts", "what each share line pays"),
                f("payments_commitment", "the settlement module's commitment to the period's payments"),
            ],
            rules: vec![
                f("well-formed witness", "at most 4 tranches and 8 share lines, one payout per line, the remainder line exists, the payments fit the slots"),
                f("rules", "the share lines' basis points add up to 10,000"),
                PADDING,
                COMMITMENT,
                NO_OVERFLOW,
                f("total", "total_revenue_micros is exactly the sum of the payments"),
                f("conservation", "the payouts add up to the total: nothing created or lost"),
                f("tranches", "each tranche pays min(remaining, cap), in order (all that remains without a cap)"),
                f("residual split", "each share line pays floor(residual * bps / 10,000); the remainder goes to remainder_to"),
            ],
            hides: "every payment and its amount, the customers, how many paid",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented statement fields are the ones the library names, in its order.
    #[test]
    fn documented_statement_fields_match_the_library() {
        struct Names;
        impl Task for Names {
            type Output = Vec<&'static str>;
            fn run<C: CliCircuit>(self, _c: C) -> CliResult<Vec<&'static str>> {
                let w = C::sample(4, 1, Backend::Groth16)?;
                Ok(C::statement(&w)
                    .named_values()
                    .into_iter()
                    .map(|(n, _)| n)
                    .collect())
            }
        }
        for kind in CircuitKind::ALL {
            let id = CircuitId::new(kind, 4).unwrap();
            let names = dispatch(id, Names).unwrap();
            let doc: Vec<_> = describe(kind).statement.iter().map(|f| f.name).collect();
            assert_eq!(names, doc, "{}", kind.name());
        }
    }

    /// Every sample witness satisfies every documented rule at a small size, and every rule
    /// the native check names is one the documentation explains.
    #[test]
    fn samples_pass_and_rule_names_are_documented() {
        use veil_circuits::Rule;
        struct Check;
        impl Task for Check {
            type Output = ();
            fn run<C: CliCircuit>(self, c: C) -> CliResult<()> {
                for backend in Backend::ALL {
                    let w = C::sample(c.id().size, 1, backend)?;
                    c.check_for(&w, backend)?;
                }
                Ok(())
            }
        }
        for kind in CircuitKind::ALL {
            dispatch(CircuitId::new(kind, 4).unwrap(), Check).unwrap();
            let doc = describe(kind);
            let known: Vec<String> = Rule::ALL.iter().map(Rule::to_string).collect();
            for r in &doc.rules {
                assert!(
                    known.iter().any(|k| k == r.name),
                    "{}: rule {:?} is not a veil_circuits::Rule",
                    kind.name(),
                    r.name
                );
            }
        }
    }
}
