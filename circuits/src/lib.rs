//! veil-circuits: the frontend. A backend-neutral builder API ([`Api`]), gadgets written
//! once on it (Poseidon hashing with domain separation, 4-ary Merkle paths, range checks,
//! comparisons, exact 64-bit values, select), their native twins, and one module per
//! circuit: witness type, native check, and `define` over the API.
//!
//! Nothing here knows arkworks' constraint types or plonky2's circuit builder: backends live
//! in veil-prover. The native twins of the backends' hashes use the field and permutation
//! types of ark-bls12-381 and plonky2 (for Poseidon over Goldilocks) only.

pub mod api;
pub mod batch;
pub mod doc;
pub mod error;
pub mod hash;
pub mod merkle;
pub mod poseidon;
pub mod poseidon_goldilocks;
pub mod sample;
pub mod token;

pub use api::{Api, ApiTypes, HashInput, Public};
pub use doc::CircuitDoc;
pub use error::{CircuitError, Rule, Violation};
pub use hash::{Domain, NativeHasher, NativeInput, PoseidonBls12, PoseidonGoldilocks};
pub use merkle::{MerklePath, MerkleTree};

// The circuits' modules. They are declared here, not by the macro below, because
// cargo-mutants (MUTATION.md) finds source files by following `mod` items without expanding
// macros: a module declared by a macro is never mutated. A circuit added to the list without
// its line here fails to compile, since the re-export below names its module.
pub mod flow_budget;
pub mod isolation;
pub mod metering;
pub mod ownership;
pub mod receipt;
pub mod renewal;
pub mod revenue;
pub mod tier;
pub mod waterfall;

/// Entry `K { module: m, witness: W, .. }` of the circuit list
/// (`veil_verifier::for_each_circuit!`) re-exports `m::K` and `m::W` here.
macro_rules! circuit_modules {
    ($( $kind:ident { name: $name:literal, module: $module:ident, witness: $witness:ident, $($rest:tt)* }, )*) => {
        $(
            pub use $module::{$kind, $witness};
        )*
    };
}
veil_verifier::for_each_circuit!(circuit_modules);

use serde::de::DeserializeOwned;
use serde::Serialize;
use veil_verifier::{CircuitId, Statement};

/// A circuit: a witness type, its native check, and its constraints over the [`Api`].
///
/// The rules live in exactly two places, `check` and `define`; the tests hold them to each
/// other with a witness per rule that breaks only that rule.
pub trait Circuit: Send + Sync {
    type Witness: Serialize + DeserializeOwned + Clone + Send + Sync;

    fn id(&self) -> CircuitId;

    /// The public statement the witness claims.
    fn statement(witness: &Self::Witness) -> Statement;

    /// Checks every rule natively and says in words which one a bad witness breaks.
    fn check<H: NativeHasher>(&self, witness: &Self::Witness) -> Result<(), Violation>;

    /// Builds the constraints; `witness` is `None` during key generation.
    fn define<A: Api>(
        &self,
        api: &mut A,
        witness: Option<&Self::Witness>,
    ) -> Result<(), CircuitError>;
}

/// A circuit of the circuit list (`veil_verifier::for_each_circuit!`; the entry `K` names the
/// type `veil_circuits::K`): built from its size (a tree depth or a capacity), with a
/// deterministic sample witness and its documentation. The CLI reaches every circuit through
/// this, and has no code of its own for any circuit.
pub trait Listed: Circuit + Sized + Clone + 'static {
    /// What `veil circuits` says about the circuit.
    const DOC: CircuitDoc;
    fn with_size(size: u32) -> Result<Self, String>;
    /// A deterministic sample witness built with hash `H` (see [`sample`]).
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<Self::Witness, CircuitError>;
}
