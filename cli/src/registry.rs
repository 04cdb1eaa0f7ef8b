//! The circuits the CLI knows, and how a command reaches the concrete circuit type.
//!
//! Commands are written once as a [`Task`], generic over `C: CliCircuit`; [`dispatch`] picks
//! the type from the circuit id at run time. Adding a circuit means: implement
//! [`CliCircuit`] for it, add one arm to [`dispatch`] and one to [`describe`].

use crate::error::CliResult;
use serde::Serialize;
use veil_circuits::{sample, Circuit, CircuitError, Ownership, Tier};
use veil_circuits::{NativeHasher, PoseidonBls12, PoseidonGoldilocks, Violation};
use veil_verifier::{Backend, CircuitId, CircuitKind};

/// A circuit as the CLI drives it: built from a depth, with a built-in sample witness.
pub trait CliCircuit: Circuit + Sized + Clone + 'static {
    fn with_depth(depth: u32) -> Result<Self, String>;
    /// A deterministic sample witness built with hash `H` (see `veil_circuits::sample`).
    fn sample_with<H: NativeHasher>(depth: u32, seed: u64) -> Result<Self::Witness, CircuitError>;

    /// A deterministic sample witness for `backend` (its hash decides the roots and digests).
    fn sample(depth: u32, seed: u64, backend: Backend) -> Result<Self::Witness, CircuitError> {
        match backend {
            Backend::Groth16 => Self::sample_with::<PoseidonBls12>(depth, seed),
            Backend::Plonky2 => Self::sample_with::<PoseidonGoldilocks>(depth, seed),
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

impl CliCircuit for Ownership {
    fn with_depth(depth: u32) -> Result<Self, String> {
        Ownership::new(depth)
    }
    fn sample_with<H: NativeHasher>(depth: u32, seed: u64) -> Result<Self::Witness, CircuitError> {
        sample::ownership_witness::<H>(depth, seed)
    }
}

impl CliCircuit for Tier {
    fn with_depth(depth: u32) -> Result<Self, String> {
        Tier::new(depth)
    }
    fn sample_with<H: NativeHasher>(depth: u32, seed: u64) -> Result<Self::Witness, CircuitError> {
        sample::tier_witness::<H>(depth, seed)
    }
}

/// A piece of work over one circuit, whatever its type.
pub trait Task {
    type Output;
    fn run<C: CliCircuit>(self, circuit: C) -> CliResult<Self::Output>;
}

/// Runs `task` on the circuit named by `id`.
pub fn dispatch<T: Task>(id: CircuitId, task: T) -> CliResult<T::Output> {
    match id.kind {
        CircuitKind::Ownership => task.run(Ownership::with_depth(id.depth)?),
        CircuitKind::Tier => task.run(Tier::with_depth(id.depth)?),
    }
}

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
}
