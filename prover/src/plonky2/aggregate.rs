//! `veil aggregate`: folds a batch of Plonky2 proofs of one circuit into one recursive proof
//! (see `veil_verifier::aggregate` for the tree and what the aggregate binds).
//!
//! Each level proves its pairs in parallel with rayon. The level circuits are built once per
//! process and base key ([`veil_verifier::aggregate::cached_levels`]) and reused by later
//! calls; [`aggregate_key`] gives the aggregate verifying key of the same circuits.

use crate::error::ProveError;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::proof::{CompressedProofWithPublicInputs, ProofWithPublicInputs};
use rayon::prelude::*;
use veil_verifier::aggregate::{
    cached_levels, levels_for, AggregateEnvelope, AggregateKey, MAX_AGGREGATE,
};
use veil_verifier::encoding::goldilocks::public_inputs;
use veil_verifier::format::ProofEnvelope;
use veil_verifier::plonky2::{
    catch_quiet, proof_from_bytes, proof_to_bytes, Plonky2VerifyingKey, C, D, F,
};
use veil_verifier::VerifyError;

/// Aggregates envelopes that all verify under `vk`. Every envelope is verified first; the
/// first refusal is reported as `VerifyError::BatchItem` with its index.
pub fn aggregate(
    vk: &Plonky2VerifyingKey,
    envs: &[ProofEnvelope],
) -> Result<AggregateEnvelope, ProveError> {
    if envs.is_empty() || envs.len() > MAX_AGGREGATE {
        return Err(ProveError::Plonky2(format!(
            "an aggregate covers 1 to {MAX_AGGREGATE} proofs, got {}",
            envs.len()
        )));
    }
    // Verify and decompress every proof.
    let vd = &vk.data;
    let leaves: Vec<Result<ProofWithPublicInputs<F, C, D>, VerifyError>> = envs
        .par_iter()
        .map(|env| {
            vk.verify(env)?;
            let proof = proof_from_bytes(&env.proof, &vd.common)?;
            let cp = CompressedProofWithPublicInputs {
                proof,
                public_inputs: public_inputs(&env.statement)?,
            };
            cp.decompress(&vd.verifier_only.circuit_digest, &vd.common)
                .map_err(|e| VerifyError::Format(e.to_string()))
        })
        .collect();
    let mut layer = Vec::with_capacity(envs.len());
    for (index, l) in leaves.into_iter().enumerate() {
        layer.push(l.map_err(|e| VerifyError::BatchItem {
            index,
            source: Box::new(e),
        })?);
    }
    let levels = levels_for(envs.len());
    let last = layer.last().cloned().expect("not empty");
    layer.resize(1 << levels, last);

    let circuits = cached_levels(vd, levels)?;
    for level in &circuits {
        layer = layer
            .par_chunks(2)
            .map(|pair| {
                let mut pw = PartialWitness::<F>::new();
                for (t, p) in level.proofs.iter().zip(pair) {
                    pw.set_proof_with_pis_target(t, p)
                        .map_err(|e| ProveError::Plonky2(e.to_string()))?;
                }
                let data = &level.data;
                catch_quiet(|| data.prove(pw))
                    .ok_or_else(|| ProveError::Plonky2("recursive proving failed".into()))?
                    .map_err(|e| ProveError::Plonky2(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
    }
    let top_data = &circuits.last().expect("at least one level").data;
    let root = layer.pop().expect("one root");
    let compressed = top_data
        .compress(root)
        .map_err(|e| ProveError::Plonky2(e.to_string()))?;
    let first = &envs[0];
    Ok(AggregateEnvelope {
        circuit: first.circuit,
        circuit_version: first.circuit_version,
        key_digest: vk.digest,
        levels,
        statements: envs.iter().map(|e| e.statement.clone()).collect(),
        proof: proof_to_bytes(&compressed.proof),
    })
}

/// The aggregate verifying key for aggregates of `count` proofs under `vk` (the key of
/// `levels_for(count)` levels; the level circuits come from the process cache, built if
/// needed).
pub fn aggregate_key(vk: &Plonky2VerifyingKey, count: usize) -> Result<AggregateKey, ProveError> {
    if count == 0 || count > MAX_AGGREGATE {
        return Err(ProveError::Plonky2(format!(
            "an aggregate covers 1 to {MAX_AGGREGATE} proofs, got {count}"
        )));
    }
    Ok(AggregateKey::build(vk, levels_for(count))?)
}
