//! veil-params: Groth16 parameters.
//!
//! Two sources of keys:
//! - the development setup ([`dev_keys`]): keys derived from a public, documented seed. They
//!   are UNSAFE FOR PRODUCTION (anyone can recompute the toxic waste from the seed and forge
//!   proofs); they exist so that tests, demos and CI need no ceremony;
//! - the trusted-setup ceremony ([`ceremony`]): powers of tau (phase 1, or an imported
//!   snarkjs `.ptau`) and the per-circuit phase 2, whose keys are safe as long as one
//!   participant kept their secret.

pub mod ceremony;

use sha3::{Digest as _, Sha3_256};
use veil_circuits::Circuit;
use veil_prover::{dev_setup, Groth16ProvingKey, ProveError};
use veil_verifier::groth16::Groth16VerifyingKey;

/// The warning every tool prints next to dev keys.
pub const DEV_WARNING: &str =
    "dev setup: keys derived from a public seed, UNSAFE FOR PRODUCTION (anyone can forge proofs)";

/// The seed of the dev setup of a circuit under a user label ("" for veil's default):
/// SHA3-256("veil-dev-setup-v1/" || circuit id || "/" || label).
pub fn dev_seed(circuit: &veil_verifier::CircuitId, label: &str) -> [u8; 32] {
    let mut h = Sha3_256::new();
    h.update(b"veil-dev-setup-v1/");
    h.update(circuit.to_string().as_bytes());
    h.update(b"/");
    h.update(label.as_bytes());
    h.finalize().into()
}

/// Development keys for a circuit (deterministic for a label).
pub fn dev_keys<C: Circuit>(
    circuit: &C,
    label: &str,
) -> Result<(Groth16ProvingKey, Groth16VerifyingKey), ProveError> {
    dev_setup(circuit, dev_seed(&circuit.id(), label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use veil_circuits::Tier;

    #[test]
    fn dev_seeds_differ_per_circuit_and_label() {
        let a = Tier::new(4).unwrap().id();
        let b = Tier::new(6).unwrap().id();
        assert_ne!(dev_seed(&a, ""), dev_seed(&b, ""));
        assert_ne!(dev_seed(&a, ""), dev_seed(&a, "x"));
        assert_eq!(dev_seed(&a, "x"), dev_seed(&a, "x"));
    }
}
