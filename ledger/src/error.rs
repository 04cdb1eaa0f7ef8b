//! The ledger's typed errors: each names what was refused and why, in one line.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum LedgerError {
    /// The store itself: SQLite could not open, read or write the file.
    #[error("store: {0}")]
    Store(#[from] rusqlite::Error),
    /// The file is not a store of the expected role or backend, or of a newer schema.
    #[error("store {path}: {detail}")]
    WrongStore { path: String, detail: String },
    /// An operation refused on its input; nothing was changed.
    #[error("{0}")]
    Refused(String),
    /// A circuit's native function failed on the values given.
    #[error("circuit: {0}")]
    Circuit(#[from] veil_circuits::CircuitError),
    /// A proof or signature did not verify.
    #[error("verification: {0}")]
    Verify(#[from] veil_verifier::VerifyError),
    #[error("signature: {0}")]
    Attest(#[from] veil_verifier::attest::AttestError),
}

impl LedgerError {
    pub fn refused(detail: impl Into<String>) -> Self {
        LedgerError::Refused(detail.into())
    }
}

pub type LedgerResult<T> = Result<T, LedgerError>;
