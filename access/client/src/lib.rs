//! The client of veil's access service: makes the tier proof for one request, sends it,
//! checks the service's signature on the response and unwraps K_content.
//!
//! It is its own crate because it needs the prover, which the service must not link.
//!
//! ```text
//! let grant = request_access(&AccessParams { service_url: "http://127.0.0.1:8700", ... })?;
//! let plain = veil_access::content::decrypt(&grant.k_content, &encrypted_file)?;
//! ```

use std::time::Duration;
use veil_access::manifest::Manifest;
use veil_access::wire::{AccessRequest, AccessResponse, ResponseFields, ServiceInfo, TierProof};
use veil_access::wrap::{binding_id, ClientKeyPair, WrapMethod};
use veil_circuits::tier::{nullifier, request_binding};
use veil_circuits::{MerklePath, Tier, TierWitness};
use veil_prover::{Hasher, Prover};
use veil_verifier::attest::{Signature, SignedRoot};
use veil_verifier::{Bytes32, Digest, TierStatement};
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Input(String),
    #[error("the tier proof cannot be made: {0}")]
    Prove(String),
    #[error("cannot reach the access service: {0}")]
    Http(String),
    #[error("the access service refused the request: HTTP {0} ({1})")]
    Refused(u16, &'static str),
    #[error("the access service's response is not valid: {0}")]
    BadResponse(String),
}

/// What a tier holder keeps: the opening of their tier commitment and its path in the
/// approved tier set. Read from a tier witness file (`veil sample --circuit tier-4` makes one);
/// its statement's root is the set's root, everything else of the statement is made per
/// request.
#[derive(Clone, Debug)]
pub struct Credential {
    pub tier_id: u32,
    pub user_secret: Digest,
    pub randomness: Digest,
    pub path: MerklePath,
    pub root: Digest,
}

impl Credential {
    pub fn from_witness(w: &TierWitness) -> Self {
        Credential {
            tier_id: w.tier_id,
            user_secret: w.user_secret,
            randomness: w.randomness,
            path: w.path.clone(),
            root: w.statement.root,
        }
    }

    pub fn from_json(s: &str) -> Result<Self, ClientError> {
        let w: TierWitness = serde_json::from_str(s)
            .map_err(|e| ClientError::Input(format!("not a tier witness: {e}")))?;
        Ok(Self::from_witness(&w))
    }
}

/// Everything one request needs.
pub struct AccessParams<'a> {
    /// e.g. `http://127.0.0.1:8700`.
    pub service_url: &'a str,
    pub service: &'a ServiceInfo,
    pub prover: &'a Prover<Tier>,
    pub credential: &'a Credential,
    pub signed_root: &'a SignedRoot,
    /// The manifest's bytes exactly as the creator signed them.
    pub manifest: &'a [u8],
    pub creator_signature: &'a Signature,
    /// Which of the epoch's `quota` requests this is (each slot works once per epoch).
    pub slot: u32,
    pub wrap: WrapMethod,
    /// Unix seconds: picks the epoch.
    pub now: u64,
}

/// A request ready to send, with the ephemeral key pair that opens its answer.
pub struct PreparedRequest {
    pub request: AccessRequest,
    pub key_pair: ClientKeyPair,
    pub key_bytes: Vec<u8>,
}

/// The answer: the content key, and the manifest it is for.
pub struct Grant {
    pub k_content: Zeroizing<[u8; 32]>,
    pub manifest: Manifest,
}

/// Builds the request: fresh nonce and ephemeral key, and a tier proof bound to both, for the
/// content's minimum tier, the service's quota and the current epoch's beacon.
pub fn prepare_request(p: &AccessParams) -> Result<PreparedRequest, ClientError> {
    let manifest =
        Manifest::from_bytes(p.manifest).map_err(|e| ClientError::Input(e.to_string()))?;
    if p.prover.circuit().id != p.service.circuit {
        return Err(ClientError::Input(format!(
            "the proving key is for {}, the service verifies {}",
            p.prover.circuit().id,
            p.service.circuit
        )));
    }
    let (_, beacon) = p.service.epoch_at(p.now);
    let key_pair = ClientKeyPair::generate(p.wrap);
    let key_bytes = key_pair.public_bytes();
    let nonce = Bytes32(veil_access::random_32().map_err(ClientError::Input)?);
    let eph = binding_id(&key_bytes);
    let c = p.credential;
    let prove_err = |e: &dyn std::fmt::Display| ClientError::Prove(e.to_string());
    let witness = TierWitness {
        statement: TierStatement {
            root: c.root,
            min_tier: manifest.min_tier,
            epoch_beacon: beacon,
            request_binding: request_binding::<Hasher>(&nonce, &eph).map_err(|e| prove_err(&e))?,
            nullifier: nullifier::<Hasher>(&c.user_secret, &beacon, p.slot)
                .map_err(|e| prove_err(&e))?,
            quota: p.service.quota,
        },
        tier_id: c.tier_id,
        user_secret: c.user_secret,
        randomness: c.randomness,
        path: c.path.clone(),
        slot: p.slot,
        request_nonce: nonce,
        ephemeral_pubkey: eph,
    };
    let proof = p.prover.prove(&witness).map_err(|e| prove_err(&e))?;
    let signed_root: serde_json::Value = serde_json::from_str(&p.signed_root.to_json())
        .map_err(|e| ClientError::Input(e.to_string()))?;
    let request = AccessRequest {
        content_id: manifest.content_id,
        manifest_hash: veil_access::sha3_256(p.manifest),
        creator_signature: p.creator_signature.to_hex(),
        tier_proof: TierProof {
            proof: proof.to_json_value(),
            signed_root,
        },
        client_ephemeral_pubkey: hex::encode(&key_bytes),
        nonce,
    };
    Ok(PreparedRequest {
        request,
        key_pair,
        key_bytes,
    })
}

/// Checks the service's signature over the response and the request, and unwraps K_content.
pub fn open_response(
    service: &ServiceInfo,
    prepared: &PreparedRequest,
    response: &AccessResponse,
) -> Result<Zeroizing<[u8; 32]>, ClientError> {
    let bad = |e: &dyn std::fmt::Display| ClientError::BadResponse(e.to_string());
    let wrapped = hex::decode(&response.k_content_wrapped).map_err(|e| bad(&e))?;
    let sig = Signature::from_hex(&response.signature).map_err(|e| bad(&e))?;
    let r = &prepared.request;
    let fields = ResponseFields {
        content_id: &r.content_id,
        manifest_hash: &r.manifest_hash,
        client_ephemeral_pubkey: &prepared.key_bytes,
        nonce: &r.nonce,
        ms_nonce: &response.ms_nonce,
        k_content_wrapped: &wrapped,
    };
    fields
        .check(&service.public_key().map_err(|e| bad(&e))?, &sig)
        .map_err(|e| bad(&e))?;
    prepared
        .key_pair
        .unwrap(&wrapped, &r.nonce, &r.content_id)
        .map_err(|e| bad(&e))
}

/// Sends a prepared request; a refusal is [`ClientError::Refused`] with the status.
pub fn send(service_url: &str, request: &AccessRequest) -> Result<AccessResponse, ClientError> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| ClientError::Http(e.to_string()))?;
    let url = format!("{}/v1/access/request", service_url.trim_end_matches('/'));
    let resp = client
        .post(url)
        .json(request)
        .send()
        .map_err(|e| ClientError::Http(e.to_string()))?;
    match resp.status().as_u16() {
        200 => resp
            .json::<AccessResponse>()
            .map_err(|e| ClientError::BadResponse(e.to_string())),
        400 => Err(ClientError::Refused(400, "bad request: the manifest, its signature, the ephemeral key or the request's form")),
        403 => Err(ClientError::Refused(403, "forbidden: the tier proof does not grant this content, or this slot is used up this epoch")),
        s => Err(ClientError::Refused(s, "unexpected status")),
    }
}

/// The whole request: prove, send, check the signature, unwrap.
pub fn request_access(p: &AccessParams) -> Result<Grant, ClientError> {
    let prepared = prepare_request(p)?;
    let response = send(p.service_url, &prepared.request)?;
    let k_content = open_response(p.service, &prepared, &response)?;
    let manifest =
        Manifest::from_bytes(p.manifest).map_err(|e| ClientError::Input(e.to_string()))?;
    Ok(Grant {
        k_content,
        manifest,
    })
}
