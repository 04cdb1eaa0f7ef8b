//! veil: zero-knowledge proofs for privacy-preserving licensing and billing.
//!
//! This facade re-exports the crates: [`verifier`] (what an application embeds to verify),
//! [`circuits`] (the builder API, gadgets and circuits), [`prover`] (backends, proving) and
//! [`params`] (setup).

pub use veil_circuits as circuits;
pub use veil_params as params;
pub use veil_prover as prover;
pub use veil_verifier as verifier;

/// README.md's Rust snippets, compiled and run as doc-tests (`cargo test --doc -p veil`), so
/// that a snippet that stops compiling or working fails CI. Its `sh` blocks are run by
/// `cli/tests/readme.rs`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
