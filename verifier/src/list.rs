//! The circuit list: every circuit veil knows, in one place.
//!
//! [`for_each_circuit!`](crate::for_each_circuit) hands the list to a macro. This crate makes
//! [`CircuitKind`](crate::CircuitKind) and [`Statement`](crate::Statement) from it;
//! veil-circuits re-exports the circuits from it (entry `K` is the type `veil_circuits::K`
//! in module `veil_circuits::<module>`); the CLI makes its dispatch and `veil circuits` from
//! it. Adding a circuit is: its module in `circuits/src/` (the circuit, its native check,
//! `define`, sample and documentation: `veil_circuits::Listed`) with its `pub mod` line in
//! `circuits/src/lib.rs` (so that cargo-mutants sees it), its statement declared in
//! `statement.rs`, and one entry here. README "Writing a circuit" has
//! the steps.

#[macro_export]
macro_rules! for_each_circuit {
    ($callback:ident) => {
        $callback! {
            Ownership {
                name: "ownership",
                module: ownership,
                witness: OwnershipWitness,
                statement: OwnershipStatement,
                size: Depth(20),
                item: None,
                items: "items",
                doc: "`prove_token_ownership`: I hold an active token for this package (seed 000 §3.5, §7.2).",
            },
            Tier {
                name: "tier",
                module: tier,
                witness: TierWitness,
                statement: TierStatement,
                size: Depth(20),
                item: None,
                items: "items",
                doc: "The ZK tier proof: I hold a tier commitment of at least this tier (seed 002 §7).",
            },
            Renewal {
                name: "renewal",
                module: renewal,
                witness: RenewalWitness,
                statement: RenewalStatement,
                size: Depth(20),
                item: None,
                items: "items",
                doc: "`renew_blinded_token`: my token, once and only once, becomes a later one (000 §3.6).",
            },
            Metering {
                name: "metering",
                module: metering,
                witness: MeteringWitness,
                statement: MeteringStatement,
                size: Capacity(64),
                item: Some("reading"),
                items: "readings",
                doc: "`aggregate_hourly`: these readings of one package, customer and hour add up to the total (000 §4.3, §6.3).",
            },
            Isolation {
                name: "isolation",
                module: isolation,
                witness: IsolationWitness,
                statement: IsolationStatement,
                size: Capacity(64),
                item: Some("reading pair"),
                items: "readings per package",
                doc: "`verify_metering_isolation`: two packages' readings stay in their own scopes (000 §4.2).",
            },
            Revenue {
                name: "revenue",
                module: revenue,
                witness: RevenueWitness,
                statement: RevenueStatement,
                size: Capacity(256),
                item: Some("transaction"),
                items: "transactions",
                doc: "`generate_revenue_proof`: a publisher's revenue and transaction count for a period (000 §7.1, §7.4).",
            },
            Waterfall {
                name: "waterfall",
                module: waterfall,
                witness: WaterfallWitness,
                statement: WaterfallStatement,
                size: Capacity(256),
                item: Some("payment"),
                items: "payments",
                doc: "`generate_waterfall_proof`: a solution's revenue split by its public rules (000 §7.3).",
            },
            // ---- receipt (issue 16 §3): begin
            Receipt {
                name: "receipt",
                module: receipt,
                witness: ReceiptWitness,
                statement: ReceiptStatement,
                size: Capacity(64),
                item: Some("receipt"),
                items: "receipts",
                doc: "Confidential receipts: the receipts' committed amounts are the revenue chain's and add up to its period total (seed 003).",
            },
            // ---- receipt: end
            FlowBudget {
                name: "flow-budget",
                module: flow_budget,
                witness: FlowBudgetWitness,
                statement: FlowBudgetStatement,
                size: Depth(20),
                item: None,
                items: "items",
                doc: "Flow budget: a charge of a (context, peer, epoch) budget stayed within its limit, with its chained receipt (seed 001 §3, §11.1).",
            },
        }
    };
}

macro_rules! make_kinds_and_statements {
    ($(
        $kind:ident {
            name: $name:literal,
            module: $module:ident,
            witness: $witness:ident,
            statement: $statement:ident,
            size: $param:ident($default:literal),
            item: $item:expr,
            items: $items:literal,
            doc: $doc:literal,
        },
    )*) => {
        /// The kinds of circuit veil knows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum CircuitKind {
            $( #[doc = $doc] $kind, )*
        }

        const KIND_COUNT: usize = [$($name),*].len();

        impl CircuitKind {
            pub const ALL: [CircuitKind; KIND_COUNT] = [$(CircuitKind::$kind),*];

            pub fn name(self) -> &'static str {
                match self { $( CircuitKind::$kind => $name, )* }
            }

            /// What the size in this kind's ids measures.
            pub fn size_param(self) -> SizeParam {
                match self { $( CircuitKind::$kind => SizeParam::$param, )* }
            }

            /// The size of `NAME` without a number: depth 20 for trees; for batches a capacity
            /// that fits the usual batch (60 per-minute readings in an hour, a busy period's
            /// transactions).
            pub fn default_size(self) -> u32 {
                match self { $( CircuitKind::$kind => $default, )* }
            }

            /// What one slot of a batch circuit holds ("reading", "transaction", ...).
            pub fn item_name(self) -> Option<&'static str> {
                match self { $( CircuitKind::$kind => $item, )* }
            }

            /// What a batch of this kind holds, in the plural ("readings", ...).
            pub(crate) fn items_name(self) -> &'static str {
                match self { $( CircuitKind::$kind => $items, )* }
            }

            /// The statement's field names, in order.
            pub fn statement_fields(self) -> &'static [&'static str] {
                match self {
                    $( CircuitKind::$kind => <$statement as Declared>::FIELDS, )*
                }
            }
        }

        /// A statement of any circuit.
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
        #[serde(untagged)]
        pub enum Statement {
            $( $kind($statement), )*
        }

        impl Statement {
            pub fn kind(&self) -> CircuitKind {
                match self { $( Statement::$kind(_) => CircuitKind::$kind, )* }
            }

            /// Reads the statement of a circuit of `kind` from JSON, refusing missing or extra
            /// fields and shapes the circuit cannot take.
            pub fn from_json(kind: CircuitKind, value: &serde_json::Value) -> Result<Self, VerifyError> {
                Ok(match kind {
                    $( CircuitKind::$kind => Statement::$kind(read_declared(kind.name(), value)?), )*
                })
            }

            /// The statement as (name, value) pairs, for display.
            pub fn named_values(&self) -> Vec<(&'static str, String)> {
                match self { $( Statement::$kind(s) => s.named_values(), )* }
            }

            /// The Merkle root the statement names, if its circuit is over a tree (a `Depth`
            /// circuit); batch circuits commit to lists instead.
            pub fn tree_root(&self) -> Option<crate::Digest> {
                match self { $( Statement::$kind(s) => tree_root!($param, s), )* }
            }

            /// Puts every public value into `sink`, in the circuit's order (an encoder).
            pub fn put<S: PublicSink>(&self, sink: &mut S) -> Result<(), S::Error> {
                match self {
                    $( Statement::$kind(s) => <$statement as Declared>::put(sink, Some(s)).map(drop), )*
                }
            }
        }
    };
}

/// A `Depth` circuit's statement names its tree's root; a `Capacity` circuit's does not.
macro_rules! tree_root {
    (Depth, $s:ident) => {
        Some($s.root)
    };
    (Capacity, $s:ident) => {{
        let _ = $s;
        None
    }};
}

use crate::circuit::SizeParam;
use crate::declare::{Declared, PublicSink};
use crate::error::VerifyError;
use crate::statement::*;

for_each_circuit!(make_kinds_and_statements);
