//! The CLI's one error type: a message that `main` prints as a single `error: ...` line.

use std::fmt;

/// An error to report to the user: one plain line, exit code 1.
#[derive(Debug)]
pub struct CliError(String);

impl CliError {
    pub fn new(msg: impl Into<String>) -> Self {
        CliError(msg.into())
    }

    /// The message on one line (embedded newlines, e.g. from serde or arkworks, become
    /// spaces).
    pub fn one_line(&self) -> String {
        self.0.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

macro_rules! from_display {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for CliError {
            fn from(e: $t) -> Self {
                CliError(e.to_string())
            }
        }
    )*};
}

from_display!(
    String,
    &str,
    veil_verifier::VerifyError,
    veil_verifier::AttestError,
    veil_prover::ProveError,
    veil_circuits::Violation,
    veil_circuits::CircuitError,
);

/// Adds what was being done to an error: `reading keys/tier-20.pk: ...`.
pub trait Context<T> {
    fn context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T, CliError>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T, CliError> {
        self.map_err(|e| CliError(format!("{}: {e}", what().into())))
    }
}

pub type CliResult<T> = Result<T, CliError>;
