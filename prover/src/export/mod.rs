//! Exports for other toolchains: the iden3 binary files (`.r1cs` v1, `.wtns` v2) that
//! snarkjs and circom tools read, and a Solidity verifier for the EIP-2537 precompiles.

pub mod iden3;
pub mod solidity;

/// Why an iden3 file could not be read back.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    #[error("not an iden3 {expected} file (bad magic bytes)")]
    BadMagic { expected: &'static str },
    #[error("{what}: unsupported version {found}, expected {expected}")]
    Version {
        what: &'static str,
        found: u32,
        expected: u32,
    },
    #[error("{0}: the file is truncated")]
    Truncated(&'static str),
    #[error("{0}")]
    Format(String),
}
