//! The whole `ZkRevenueProof` of seed 000 §7.1 from the settlement store: the revenue
//! witness for the period, its proof (by the caller's prover: a Groth16 or Plonky2 key for
//! `revenue-CAPACITY`), and the witness key's ML-DSA-87 signature over the claim.
//!
//! `proof_data` is the proof envelope's JSON (circuit, backend, key digest, statement with the
//! transactions commitment, proof bytes); [`veil_verifier::attest::RevenueCircuitChecker`]
//! checks it against the claim and a verifying key.

use crate::error::{LedgerError, LedgerResult};
use crate::settlement::Settlement;
use veil_circuits::RevenueWitness;
use veil_prover::attest::SecretKey;
use veil_verifier::attest::{RevenueClaim, ZkRevenueProof};
use veil_verifier::{Id, ProofEnvelope};

/// Proves and signs `publisher`'s revenue for [start, end).
#[allow(clippy::too_many_arguments)]
pub fn revenue_proof(
    settlement: &mut Settlement,
    publisher: &Id,
    start: u64,
    end: u64,
    capacity: usize,
    prove: impl FnOnce(&RevenueWitness) -> Result<ProofEnvelope, String>,
    key: &SecretKey,
    proof_id: Id,
) -> LedgerResult<ZkRevenueProof> {
    let witness = settlement.revenue_witness(publisher, start, end, capacity)?;
    let env = prove(&witness).map_err(|e| LedgerError::refused(format!("proving: {e}")))?;
    let s = &witness.statement;
    let claim = RevenueClaim {
        proof_id,
        publisher_id: s.publisher_id,
        period_start: s.period_start,
        period_end: s.period_end,
        aggregate_revenue_micros: s.aggregate_revenue_micros,
        transaction_count: s.transaction_count,
        proof_data: env.to_json().into_bytes(),
    };
    Ok(key.sign_revenue_claim(claim)?)
}
