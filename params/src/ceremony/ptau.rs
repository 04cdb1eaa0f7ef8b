//! snarkjs `.ptau` import and export (curve bls12381).
