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
    /// spaces), quoting at most a short excerpt of any long run of input it carries (a 5 MB
    /// field of a file must not come back as 5 MB of stderr).
    pub fn one_line(&self) -> String {
        let words: Vec<String> = self.0.split_whitespace().map(excerpt).collect();
        let line = words.join(" ");
        if line.chars().count() <= MAX_LINE {
            return line;
        }
        let head: String = line.chars().take(MAX_LINE).collect();
        format!("{head}… (message cut at {MAX_LINE} characters)")
    }
}

/// The longest word an error line quotes whole, and the longest line.
const MAX_WORD: usize = 80;
const MAX_LINE: usize = 600;

/// A word of at most [`MAX_WORD`] characters, or its start and its length.
fn excerpt(word: &str) -> String {
    let n = word.chars().count();
    if n <= MAX_WORD {
        return word.to_string();
    }
    let head: String = word.chars().take(40).collect();
    format!("{head}…({n} characters)")
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

#[cfg(test)]
mod tests {
    use super::CliError;

    #[test]
    fn long_input_is_quoted_as_an_excerpt() {
        let field = "ab".repeat(2_500_000);
        let line = CliError::new(format!(
            "bad proof: invalid value: \"{field}\", expected hex"
        ))
        .one_line();
        assert!(line.len() < 700, "{} bytes", line.len());
        assert!(line.starts_with("bad proof: invalid value: \"abab"));
        assert!(line.contains("(5000003 characters)"), "{line}");
        assert!(line.ends_with("expected hex"), "{line}");
        let many = CliError::new("word ".repeat(1000)).one_line();
        assert!(many.len() < 700 && many.ends_with("characters)"), "{many}");
        assert_eq!(CliError::new("a\n b").one_line(), "a b");
    }
}
