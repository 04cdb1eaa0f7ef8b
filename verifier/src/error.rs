use crate::circuit::Backend;

/// Everything that can go wrong when reading or checking veil artifacts.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed input: {0}")]
    Format(String),
    #[error("file is truncated: {0}")]
    Truncated(String),
    #[error("not a veil {expected} file (bad magic bytes)")]
    BadMagic { expected: &'static str },
    #[error("unsupported {what} format version {found} (this veil reads version {supported})")]
    UnsupportedVersion {
        what: &'static str,
        found: u32,
        supported: u32,
    },
    #[error("wrong circuit: the {what} is for {found}, expected {expected}")]
    WrongCircuit {
        what: &'static str,
        expected: String,
        found: String,
    },
    #[error("wrong circuit version: the {what} is for version {found} of {circuit}, expected version {expected}")]
    WrongCircuitVersion {
        what: &'static str,
        circuit: String,
        expected: u32,
        found: u32,
    },
    #[error("wrong backend: the {what} is for {found}, expected {expected}")]
    WrongBackend {
        what: &'static str,
        expected: Backend,
        found: String,
    },
    #[error("the {what} is corrupted: its body does not match the SHA3-256 digest in its header (make the key again)")]
    CorruptedKey { what: &'static str },
    #[error("wrong key: the proof was made with key {found}, this verifying key is {expected}")]
    WrongKey { expected: String, found: String },
    #[error("constraint system mismatch: the key was made for a different constraint system (digest {found}, this build has {expected})")]
    ConstraintSystemMismatch { expected: String, found: String },
    #[error("invalid curve data in {what}: {detail}")]
    InvalidPoint { what: &'static str, detail: String },
    #[error("non-canonical field element: {0}")]
    NonCanonical(String),
    #[error("wrong number of public inputs: the key expects {expected}, got {found}")]
    PublicInputCount { expected: usize, found: usize },
    #[error("the proof is invalid for this statement")]
    InvalidProof,
    #[error("batch verification failed: proofs {0:?} are invalid")]
    InvalidProofs(Vec<usize>),
    /// One item of a batch was refused before any pairing was computed (wrong key, wrong
    /// circuit, bad proof bytes, ...): its index in the batch and the reason.
    #[error("proof {index} of the batch: {source}")]
    BatchItem {
        index: usize,
        source: Box<VerifyError>,
    },
    #[error("i/o error on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}
