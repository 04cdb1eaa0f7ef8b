//! veil-prover: the backends. The builder API over R1CS (arkworks, BLS12-381) with Groth16
//! key generation, and over Plonky2 (Goldilocks) with recursive aggregation; proving and
//! batch proving with rayon; ML-DSA-87 signing ([`attest`]).

pub mod attest;
pub mod audit;
pub mod error;
pub mod export;
pub mod groth16;
pub mod groth16_key;
pub mod msm;
pub mod plonky2;
pub mod r1cs;

pub use attest::SecretKey;
pub use error::ProveError;
pub use groth16::{
    assignment, compile, dev_setup, info, satisfies, ArkCircuit, CircuitInfo, Compiled,
    Groth16ProvingKey, Hasher, Prover,
};
pub use r1cs::R1csApi;
