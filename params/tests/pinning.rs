//! The key-substitution attack: a verifying key made for an empty constraint system with
//! tier-4's number of public inputs, labelled tier-4, accepts a proof of any statement.
//! A verifier that pins its keys refuses it.

use ark_bls12_381::{Bls12_381, Fr};
use ark_groth16::Groth16;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_snark::SNARK;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use veil_circuits::Tier;
use veil_verifier::groth16::Groth16VerifyingKey;
use veil_verifier::pinning::{expect_key_digest, TrustedVerifyingKeys};

/// No constraints, `n` public inputs: anything "verifies".
struct Empty {
    inputs: Vec<Fr>,
}

impl ConstraintSynthesizer<Fr> for Empty {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        for x in self.inputs {
            let _ = cs.new_input_variable(|| Ok(x))?;
        }
        Ok(())
    }
}

#[test]
fn a_substituted_key_for_an_empty_circuit_is_refused_by_the_pin() {
    let tier = Tier::new(4).unwrap();
    let (_, real_vk) = veil_params::dev_keys(&tier, "").unwrap();
    let n = real_vk.num_public_inputs();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let false_statement: Vec<Fr> = (0..n as u64).map(|i| Fr::from(1000 + i)).collect();
    let (pk, vk) = Groth16::<Bls12_381>::circuit_specific_setup(
        Empty {
            inputs: vec![Fr::from(0u64); n],
        },
        &mut rng,
    )
    .unwrap();
    let proof = Groth16::<Bls12_381>::prove(
        &pk,
        Empty {
            inputs: false_statement.clone(),
        },
        &mut rng,
    )
    .unwrap();
    // Labelled as tier-4, with tier-4's constraint-system digest in its header.
    let forged = Groth16VerifyingKey::new(real_vk.header.circuit, real_vk.header.cs_digest, vk);
    // Without a pin, the false statement verifies.
    forged
        .prepare()
        .verify_raw(&proof, &false_statement)
        .unwrap();

    // With a pin, the key is refused before any proof is looked at.
    let e = expect_key_digest(&forged.digest, &real_vk.digest)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not the pinned key"), "{e}");
    let mut pins = TrustedVerifyingKeys::new();
    pins.pin(real_vk.header.circuit, real_vk.digest, "tier-4 production");
    let pins = TrustedVerifyingKeys::from_json(&pins.to_json()).unwrap();
    assert_eq!(
        pins.check(real_vk.header.circuit, &real_vk.digest).unwrap(),
        "tier-4 production"
    );
    let e = pins
        .check(forged.header.circuit, &forged.digest)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not in the trusted verifying keys"), "{e}");
}

#[test]
fn trusted_verifying_keys_file_refusals() {
    assert!(TrustedVerifyingKeys::from_json("{}").is_err());
    assert!(
        TrustedVerifyingKeys::from_json(r#"{"format":"other","format_version":1,"keys":[]}"#)
            .is_err()
    );
    let bad_id = r#"{"format":"veil-trusted-verifying-keys","format_version":1,"keys":[{"circuit":"tier-4","key_id":"xyz"}]}"#;
    assert!(TrustedVerifyingKeys::from_json(bad_id)
        .unwrap_err()
        .to_string()
        .contains("64 hex"));
    let bad_circuit = format!(
        r#"{{"format":"veil-trusted-verifying-keys","format_version":1,"keys":[{{"circuit":"nope","key_id":"{}"}}]}}"#,
        "00".repeat(32)
    );
    assert!(TrustedVerifyingKeys::from_json(&bad_circuit).is_err());
}
