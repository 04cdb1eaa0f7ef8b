use veil_circuits::{CircuitError, Violation};
use veil_verifier::VerifyError;

#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    #[error(transparent)]
    Witness(#[from] Violation),
    #[error(transparent)]
    Circuit(#[from] CircuitError),
    #[error(transparent)]
    Format(#[from] VerifyError),
    #[error("the witness passes the native check but not constraint {row} of the constraint system: a bug in circuit {circuit}, please report it")]
    Unsatisfied { circuit: String, row: usize },
    #[error("proving failed: {0}")]
    Groth16(String),
    #[error("the witness passes the native check but not the Plonky2 constraint system: a bug in circuit {circuit}, please report it")]
    NotSatisfied { circuit: String },
    #[error("the proof does not verify against the proving key's own verifying key ({0}): the proving key is corrupted or inconsistent; make the keys again with `veil setup`")]
    ProofDoesNotVerify(String),
    #[error("Plonky2: {0}")]
    Plonky2(String),
}
