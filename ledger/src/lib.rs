//! veil-ledger: the thin stateful modules around the proofs (seed 000 §3, §4, §6, §7) on an
//! embedded ACID store, producing the circuits' witnesses from real data.
//!
//! - [`wallet`]: the customer's blinding factors, blinded ids, tokens, ownership and renewal
//!   witnesses.
//! - [`issuer`]: token records, the tree of active tokens, revocation, renewal, signed roots,
//!   paths; tier sets and their nullifiers.
//! - [`meter`]: readings, hourly aggregates, metering witnesses, signed billing events.
//! - [`settlement`]: transactions, balances, waterfall payouts, commitments, revenue and
//!   waterfall witnesses; [`revenue`]: the signed `ZkRevenueProof`.
//!
//! One SQLite file per role ([`store`]). Every hash is veil-circuits' own.
//!
//! It depends on veil-prover for ML-DSA-87 signing (token, root, billing-event and revenue
//! signatures need the secret key type that lives there).

pub mod confidential;
pub mod error;
mod hashing;
pub mod issuer;
pub mod meter;
pub mod revenue;
pub mod settlement;
pub mod store;
mod tree;
pub mod wallet;

pub use error::{LedgerError, LedgerResult};
pub use issuer::{Issuer, TokenPath, TokenRecord, TokenRequest};
pub use meter::{BillingEvent, Meter, PackageMeter};
pub use settlement::{Rules, Settlement, SettlementTx};
pub use store::{Role, Store};
pub use wallet::Wallet;

#[cfg(test)]
mod tests;
