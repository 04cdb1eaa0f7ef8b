//! veil-verifier: what an application embeds to check veil proofs.
//!
//! It holds the vocabulary every veil crate shares (circuit ids, statements, 32-byte values
//! and their field encodings, versioned file formats), verification: Groth16 (single and
//! batched) and Plonky2 (single, batch, and recursive aggregates, whose level circuits are
//! rebuilt here from the base verifying key), and the checks of ML-DSA-87 attestations
//! ([`attest`]: signed proofs, signed roots, trusted keys). It knows nothing of how a
//! circuit's constraints are made.

// The statement macro names this crate by its path, from inside it as from outside.
extern crate self as veil_verifier;
#[doc(hidden)]
pub use serde;

#[cfg(feature = "plonky2")]
pub mod aggregate;
pub mod any;
pub mod attest;
pub mod bytes;
pub mod circuit;
pub mod declare;
pub mod encoding;
pub mod error;
pub mod format;
#[cfg(feature = "groth16")]
pub mod groth16;
pub mod list;
pub mod pinning;
#[cfg(feature = "plonky2")]
pub mod plonky2;
#[cfg(feature = "groth16")]
pub mod snarkjs;
pub mod statement;

#[cfg(not(any(feature = "groth16", feature = "plonky2")))]
compile_error!(
    "veil-verifier needs a backend: enable feature `groth16` (the default) or `plonky2`"
);

pub use any::AnyVerifyingKey;
pub use attest::{AttestError, KeyId, PublicKey, Signature, TrustedKeys};
pub use bytes::{Bytes32, Digest, Id};
pub use circuit::{Backend, CircuitId, CircuitKind, SizeParam};
pub use error::VerifyError;
pub use format::KeySource;
pub use format::{
    read_key_file, read_key_header, write_key_file, KeyHeader, KeyKind, ProofEnvelope,
    ENVELOPE_FORMAT_VERSION, KEY_FORMAT_VERSION,
};
#[cfg(feature = "groth16")]
pub use groth16::{Groth16VerifyingKey, PreparedVerifier};
#[cfg(feature = "plonky2")]
pub use plonky2::Plonky2VerifyingKey;
pub use statement::FlowBudgetStatement;
pub use statement::{
    IsolationStatement, MeteringStatement, OwnershipStatement, RenewalStatement, RevenueStatement,
    Share, Statement, TierStatement, Tranche, WaterfallStatement,
};
