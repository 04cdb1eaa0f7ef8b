//! The smallest application that embeds veil-verifier: reads a Groth16 verifying key and a
//! proof envelope and says whether the proof is valid. Its size is in README ("A verifier
//! that embeds light"): `cargo build --release -p veil-verifier --example verify_groth16`.

use veil_verifier::{Groth16VerifyingKey, ProofEnvelope};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, vk, proof] = args.as_slice() else {
        eprintln!("usage: verify_groth16 KEY.vk PROOF.json");
        std::process::exit(2);
    };
    let check = || -> Result<(), veil_verifier::VerifyError> {
        let key = Groth16VerifyingKey::read(std::path::Path::new(vk))?.prepare();
        let text =
            std::fs::read_to_string(proof).map_err(|source| veil_verifier::VerifyError::Io {
                path: proof.clone(),
                source,
            })?;
        key.verify(&ProofEnvelope::from_json(&text)?)
    };
    match check() {
        Ok(()) => println!("valid"),
        Err(e) => {
            eprintln!("invalid: {e}");
            std::process::exit(1);
        }
    }
}
