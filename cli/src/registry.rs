//! The circuits the CLI knows, and how a command reaches the concrete circuit type.
//!
//! Commands are written once as a [`Task`], generic over `C: CliCircuit`; [`dispatch`] picks
//! the type from the circuit id at run time, from the circuit list
//! (`veil_verifier::for_each_circuit!`): every [`veil_circuits::Listed`] circuit is a
//! [`CliCircuit`]. [`describe`] gives what `veil circuits` prints about each, from the
//! circuit's own `Listed::DOC`: nothing here is written for one circuit.
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

/// The dispatch and the documentation, made from the circuit list: entry `K` is
/// `veil_circuits::K`.
macro_rules! make_dispatch {
    ($( $kind:ident { $($entry:tt)* }, )*) => {
        /// Runs `task` on the circuit named by `id`.
        pub fn dispatch<T: Task>(id: CircuitId, task: T) -> CliResult<T::Output> {
            match id.kind {
                $( CircuitKind::$kind => task.run(<veil_circuits::$kind as Listed>::with_size(id.size)?), )*
            }
        }

        /// The documentation of the circuit of `kind` ([`Listed::DOC`]).
        fn circuit_doc(kind: CircuitKind) -> veil_circuits::CircuitDoc {
            match kind {
                $( CircuitKind::$kind => <veil_circuits::$kind as Listed>::DOC, )*
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

/// What `veil circuits` says about a circuit: its [`Listed::DOC`] with its name and default id.
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

/// The description of a circuit kind, from its circuit's [`Listed::DOC`].
pub fn describe(kind: CircuitKind) -> CircuitDoc {
    let doc = circuit_doc(kind);
    CircuitDoc {
        name: kind.name(),
        default_id: CircuitId::default_for(kind).to_string(),
        description: doc.description,
        statement: doc
            .statement
            .iter()
            .map(|f| Field {
                name: f.name,
                description: f.description,
            })
            .collect(),
        rules: doc
            .rules
            .iter()
            .map(|r| Field {
                name: r.rule.name(),
                description: r.description,
            })
            .collect(),
        hides: doc.hides,
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
            let doc = describe(kind);
            let doc: Vec<&str> = doc.statement.iter().map(|f| f.name).collect();
            assert_eq!(names, doc, "{}", kind.name());
        }
    }

    /// Every sample witness satisfies every rule at a small size, on both backends, and no
    /// circuit documents a rule twice (the names come from `veil_circuits::Rule`).
    #[test]
    fn samples_pass_and_rules_are_documented_once() {
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
            assert!(!doc.description.is_empty() && !doc.hides.is_empty());
            let mut names: Vec<&str> = doc.rules.iter().map(|r| r.name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(
                names.len(),
                before,
                "{}: a rule documented twice",
                kind.name()
            );
        }
    }
}
