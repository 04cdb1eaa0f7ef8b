//! Attestations end to end, as a library user: prove a real tier proof, attest it, sign its
//! root as the issuer, and check everything in one call each; then every refusal.

use veil::circuits::sample::{ownership_witness, tier_witness};
use veil::circuits::{Ownership, Tier};
use veil::params::dev_keys;
use veil::prover::{Hasher, Prover, SecretKey};
use veil::verifier::attest::{
    verify_attested_proof, verify_proof_with_signed_root, AttestError, ProofAttestation, RootInfo,
    SignedRoot, TrustedKeys,
};
use veil::verifier::{Bytes32, ProofEnvelope, Statement, VerifyError};

const DEPTH: u32 = 4;
const NOW: u64 = 1_767_225_600;
const DAY: u64 = 86_400;

struct World {
    env: ProofEnvelope,
    pv: veil::verifier::PreparedVerifier,
    attester: SecretKey,
    issuer: SecretKey,
    attesters: TrustedKeys,
    issuers: TrustedKeys,
    info: RootInfo,
}

fn world() -> World {
    let c = Tier::new(DEPTH).unwrap();
    let (pk, vk) = dev_keys(&c, "attest").unwrap();
    let prover = Prover::new(c, pk).unwrap();
    let env = prover
        .prove(&tier_witness::<Hasher>(DEPTH, 5).unwrap())
        .unwrap();
    let attester = SecretKey::from_seed(&[1; 32]);
    let issuer = SecretKey::from_seed(&[2; 32]);
    let mut attesters = TrustedKeys::new();
    attesters
        .add("auditor", attester.public_key().clone())
        .unwrap();
    let mut issuers = TrustedKeys::new();
    issuers.add("issuer", issuer.public_key().clone()).unwrap();
    let root = match &env.statement {
        Statement::Tier(s) => s.root,
        _ => unreachable!(),
    };
    let info = RootInfo {
        tree_id: Bytes32([0x77; 32]),
        depth: DEPTH,
        root,
        leaf_count: 9,
        epoch: 3,
    };
    World {
        env,
        pv: vk.prepare(),
        attester,
        issuer,
        attesters,
        issuers,
        info,
    }
}

#[test]
fn attested_proof_through_files_names_its_signer() {
    let w = world();
    let att = w.attester.attest_proof(&w.env, NOW).unwrap();
    let att = ProofAttestation::from_json(&att.to_json()).unwrap();
    let signer = verify_attested_proof(&att, &w.attesters, &w.pv).unwrap();
    assert_eq!(signer.name, "auditor");
    assert_eq!(signer.key.key_id(), w.attester.key_id());
    // The attested envelope is the proof, byte for byte.
    assert_eq!(att.envelope.canonical_bytes(), w.env.canonical_bytes());
}

#[test]
fn attestation_refusals() {
    let w = world();
    let att = w.attester.attest_proof(&w.env, NOW).unwrap();
    // An attester nobody trusts.
    let stranger = SecretKey::from_seed(&[9; 32])
        .attest_proof(&w.env, NOW)
        .unwrap();
    assert!(matches!(
        verify_attested_proof(&stranger, &w.attesters, &w.pv),
        Err(AttestError::UnknownKey { .. })
    ));
    // The root issuer is not an attester.
    let by_issuer = w.issuer.attest_proof(&w.env, NOW).unwrap();
    assert!(matches!(
        verify_attested_proof(&by_issuer, &w.attesters, &w.pv),
        Err(AttestError::UnknownKey { .. })
    ));
    // Any changed byte of the proof, the statement, or the time.
    let mut a = att.clone();
    a.envelope.proof[10] ^= 1;
    assert!(matches!(
        verify_attested_proof(&a, &w.attesters, &w.pv),
        Err(AttestError::BadSignature { .. })
    ));
    let mut a = att.clone();
    a.signed_at -= 1;
    assert!(verify_attested_proof(&a, &w.attesters, &w.pv).is_err());
    // A well-signed attestation of an invalid proof: the signature holds, the proof does not.
    let mut bad = w.env.clone();
    if let Statement::Tier(s) = &mut bad.statement {
        s.min_tier += 1;
    }
    let a = w.attester.attest_proof(&bad, NOW).unwrap();
    assert!(matches!(
        verify_attested_proof(&a, &w.attesters, &w.pv),
        Err(AttestError::Proof(VerifyError::InvalidProof))
    ));
    // A proof for another circuit and key.
    let oc = Ownership::new(DEPTH).unwrap();
    let (opk, _) = dev_keys(&oc, "attest").unwrap();
    let own = Prover::new(oc, opk)
        .unwrap()
        .prove(&ownership_witness::<Hasher>(DEPTH, 1).unwrap())
        .unwrap();
    let a = w.attester.attest_proof(&own, NOW).unwrap();
    assert!(matches!(
        verify_attested_proof(&a, &w.attesters, &w.pv),
        Err(AttestError::Proof(VerifyError::WrongCircuit { .. }))
    ));
}

#[test]
fn signed_root_freshness_issuer_and_match() {
    let w = world();
    let root = w.issuer.sign_root(&w.info, NOW - 60).unwrap();
    let root = SignedRoot::from_json(&root.to_json()).unwrap();
    let issuer = verify_proof_with_signed_root(&w.env, &w.pv, &root, &w.issuers, NOW, DAY).unwrap();
    assert_eq!(issuer.name, "issuer");

    // Signed by the wrong issuer (a trusted attester is not a trusted issuer).
    let wrong = w.attester.sign_root(&w.info, NOW - 60).unwrap();
    assert!(matches!(
        verify_proof_with_signed_root(&w.env, &w.pv, &wrong, &w.issuers, NOW, DAY),
        Err(AttestError::UnknownKey {
            what: "signed root",
            ..
        })
    ));
    // Too old, and from the future.
    let old = w.issuer.sign_root(&w.info, NOW - DAY - 1).unwrap();
    assert!(matches!(
        verify_proof_with_signed_root(&w.env, &w.pv, &old, &w.issuers, NOW, DAY),
        Err(AttestError::StaleRoot { .. })
    ));
    let future = w.issuer.sign_root(&w.info, NOW + 1).unwrap();
    assert!(matches!(
        verify_proof_with_signed_root(&w.env, &w.pv, &future, &w.issuers, NOW, DAY),
        Err(AttestError::FutureRoot { .. })
    ));
    // A signed root that is not the proof's root, or not its tree depth.
    let other = RootInfo {
        root: Bytes32::from_u64(42),
        ..w.info.clone()
    };
    let other = w.issuer.sign_root(&other, NOW).unwrap();
    assert!(matches!(
        verify_proof_with_signed_root(&w.env, &w.pv, &other, &w.issuers, NOW, DAY),
        Err(AttestError::RootMismatch { .. })
    ));
    let deeper = RootInfo {
        depth: DEPTH + 2,
        ..w.info.clone()
    };
    let deeper = w.issuer.sign_root(&deeper, NOW).unwrap();
    assert!(matches!(
        verify_proof_with_signed_root(&w.env, &w.pv, &deeper, &w.issuers, NOW, DAY),
        Err(AttestError::DepthMismatch { .. })
    ));
    // A root edited after signing.
    let mut edited = root.clone();
    edited.info.epoch += 1;
    assert!(matches!(
        verify_proof_with_signed_root(&w.env, &w.pv, &edited, &w.issuers, NOW, DAY),
        Err(AttestError::BadSignature { .. })
    ));
    // The right root, but a proof that does not verify.
    let mut bad = w.env.clone();
    if let Statement::Tier(s) = &mut bad.statement {
        s.quota += 1;
    }
    assert!(matches!(
        verify_proof_with_signed_root(&bad, &w.pv, &root, &w.issuers, NOW, DAY),
        Err(AttestError::Proof(VerifyError::InvalidProof))
    ));
}
