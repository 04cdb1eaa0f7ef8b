//! The HTTP service: axum on tokio.
//!
//! Every request is handled without memory of earlier ones, except the per-epoch nullifier
//! set ([`crate::epoch::NullifierSet`]). Nothing is logged per request: no content id,
//! nonce, key, proof or client address reaches stdout, stderr or a file. Failures carry no
//! body, so a refused client learns only the status (seed 004 §8):
//!
//! | status | when |
//! | --- | --- |
//! | 400 | malformed JSON or body, a body over `max_body_bytes`, a field of the wrong length or encoding, an unknown content, a manifest hash or creator signature that does not check, an invalid ephemeral key, an unreadable proof or signed root |
//! | 403 | the tier proof does not grant this content: wrong circuit or key, min tier below the content's, another quota or epoch beacon, a request binding that is not H(nonce, ephemeral key), an untrusted, stale or mismatched signed root, an invalid proof, a nullifier already used this epoch |
//! | 200 | the wrapped key, with the service's signature |
//!
//! Proof and signature checks run on tokio's blocking pool, so the event loop keeps
//! accepting (and refusing) while proofs are verified.

use crate::config::Config;
use crate::epoch::{epoch_at, epoch_beacon, Admission, NullifierSet};
use crate::manifest::Manifest;
use crate::service_key::ServiceKey;
use crate::store::ContentStore;
use crate::wire::{
    verify_message, AccessRequest, AccessResponse, ResponseFields, ServiceInfo, VerifyRequest,
    VerifyResponse, CONTEXT_RESPONSE, CONTEXT_VERIFY, SERVICE_FORMAT, SERVICE_FORMAT_VERSION,
};
use crate::wrap::ClientPublicKey;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use veil_circuits::tier::request_binding;
use veil_circuits::PoseidonBls12;
use veil_verifier::attest::{verify_proof_with_signed_root, Signature, SignedRoot, TrustedKeys};
use veil_verifier::{
    Backend, Bytes32, CircuitKind, Groth16VerifyingKey, PreparedVerifier, ProofEnvelope, Statement,
};

/// Everything the handlers share; read-only but for the nullifier set.
pub struct Service {
    pub key: ServiceKey,
    pub verifier: PreparedVerifier,
    pub creators: TrustedKeys,
    pub issuers: TrustedKeys,
    pub store: ContentStore,
    pub nullifiers: NullifierSet,
    pub config: Config,
    /// Seconds added to the clock (tests only; 0 in service).
    pub clock_offset: i64,
}

/// Why a request is refused; the client sees only the status.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    BadRequest,
    Forbidden,
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::BadRequest => StatusCode::BAD_REQUEST,
            Refusal::Forbidden => StatusCode::FORBIDDEN,
        }
    }
}

/// Reads a text file of at most `max` bytes (checked before reading).
fn read_text(path: &std::path::Path, max: u64) -> Result<String, String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if len > max {
        return Err(format!(
            "{}: {len} bytes, at most {max} expected",
            path.display()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_trusted(path: &std::path::Path) -> Result<TrustedKeys, String> {
    let s = read_text(path, 16 * 1024 * 1024)?;
    TrustedKeys::from_json(&s).map_err(|e| format!("{}: {e}", path.display()))
}

impl Service {
    /// Loads keys, trusted keys and the content store named by `config`.
    pub fn load(config: Config) -> Result<Self, String> {
        let key = ServiceKey::read(&config.service_key)?;
        let vk = Groth16VerifyingKey::read(&config.verifying_key)
            .map_err(|e| format!("{}: {e}", config.verifying_key.display()))?;
        let verifier = vk.prepare();
        let circuit = verifier.circuit();
        if circuit.kind != CircuitKind::Tier || verifier.header().backend != Backend::Groth16 {
            return Err(format!(
                "{}: the access service verifies groth16 tier proofs, this key is for {circuit}",
                config.verifying_key.display()
            ));
        }
        let creators = read_trusted(&config.trusted_creators)?;
        let issuers = read_trusted(&config.trusted_issuers)?;
        let store = ContentStore::read(&config.content_store)?;
        Ok(Service {
            key,
            verifier,
            creators,
            issuers,
            store,
            nullifiers: NullifierSet::new(),
            config,
            clock_offset: 0,
        })
    }

    /// The public description clients need (`veil-access describe`).
    pub fn info(&self) -> ServiceInfo {
        ServiceInfo {
            format: SERVICE_FORMAT.into(),
            format_version: SERVICE_FORMAT_VERSION,
            ms_pubkey: self.key.public_key().to_hex(),
            circuit: self.verifier.circuit(),
            key_digest: self.verifier.key_digest(),
            epoch_beacon_seed: self.config.epoch_beacon_seed,
            epoch_seconds: self.config.epoch_seconds,
            quota: self.config.quota,
            max_root_age: self.config.max_root_age,
        }
    }

    fn now(&self) -> u64 {
        crate::unix_now().saturating_add_signed(self.clock_offset)
    }

    /// `POST /v1/access/request`, after the body is read: every check, in order of cost.
    pub fn handle_request(&self, body: &[u8]) -> Result<AccessResponse, Refusal> {
        use Refusal::{BadRequest, Forbidden};
        let req: AccessRequest = serde_json::from_slice(body).map_err(|_| BadRequest)?;
        // The manifest: known content, hash, creator signature (400 when any fails).
        let content = self.store.get(&req.content_id).ok_or(BadRequest)?;
        if content.manifest_hash != req.manifest_hash
            || content.manifest.content_id != req.content_id
        {
            return Err(BadRequest);
        }
        let creator_sig = Signature::from_hex(&req.creator_signature).map_err(|_| BadRequest)?;
        check_manifest(
            &content.manifest,
            &content.manifest_bytes,
            &creator_sig,
            &self.creators,
        )?;
        // The ephemeral key: length, canonical point, not of small order.
        let key_bytes = hex::decode(&req.client_ephemeral_pubkey).map_err(|_| BadRequest)?;
        let client_key = ClientPublicKey::parse(&key_bytes).map_err(|_| BadRequest)?;
        // The tier proof's parts must be readable (400), then grant this content (403).
        let proof =
            ProofEnvelope::from_json_value(&req.tier_proof.proof).map_err(|_| BadRequest)?;
        let root_json =
            serde_json::to_string(&req.tier_proof.signed_root).map_err(|_| BadRequest)?;
        let signed_root = SignedRoot::from_json(&root_json).map_err(|_| BadRequest)?;
        let Statement::Tier(statement) = &proof.statement else {
            return Err(Forbidden);
        };
        let now = self.now();
        let epoch = epoch_at(now, self.config.epoch_seconds);
        let binding = request_binding::<PoseidonBls12>(&req.nonce, &client_key.binding_id())
            .map_err(|_| Forbidden)?;
        if statement.min_tier < content.manifest.min_tier
            || statement.quota != self.config.quota
            || statement.epoch_beacon != epoch_beacon(&self.config.epoch_beacon_seed, epoch)
            || statement.request_binding != binding
        {
            return Err(Forbidden);
        }
        verify_proof_with_signed_root(
            &proof,
            &self.verifier,
            &signed_root,
            &self.issuers,
            now,
            self.config.max_root_age,
        )
        .map_err(|_| Forbidden)?;
        if self.nullifiers.admit(epoch, &statement.nullifier) != Admission::Fresh {
            return Err(Forbidden);
        }
        // Granted: wrap and sign.
        let wrapped = client_key
            .wrap(&content.k_content, &req.nonce, &req.content_id)
            .map_err(|_| BadRequest)?;
        let ms_nonce = Bytes32(crate::random_32().map_err(|_| BadRequest)?);
        let fields = ResponseFields {
            content_id: &req.content_id,
            manifest_hash: &req.manifest_hash,
            client_ephemeral_pubkey: &key_bytes,
            nonce: &req.nonce,
            ms_nonce: &ms_nonce,
            k_content_wrapped: &wrapped,
        };
        let sig = self
            .key
            .sign(
                CONTEXT_RESPONSE,
                &fields.message(&self.key.public_key().key_id()),
            )
            .map_err(|_| BadRequest)?;
        Ok(AccessResponse {
            k_content_wrapped: hex::encode(&wrapped),
            ms_nonce,
            signature: sig.to_hex(),
        })
    }

    /// `POST /v1/access/verify`.
    pub fn handle_verify(&self, body: &[u8]) -> Result<VerifyResponse, Refusal> {
        let req: VerifyRequest = serde_json::from_slice(body).map_err(|_| Refusal::BadRequest)?;
        let pk = self.key.public_key();
        let sig = self
            .key
            .sign(
                CONTEXT_VERIFY,
                &verify_message(&pk.key_id(), &req.challenge_nonce),
            )
            .map_err(|_| Refusal::BadRequest)?;
        Ok(VerifyResponse {
            signature: sig.to_hex(),
            ms_pubkey: pk.to_hex(),
        })
    }
}

fn check_manifest(
    manifest: &Manifest,
    bytes: &[u8],
    sig: &Signature,
    creators: &TrustedKeys,
) -> Result<(), Refusal> {
    manifest
        .check_signature(bytes, sig, creators)
        .map_err(|_| Refusal::BadRequest)
}

/// A bare status: no body, nothing cached.
fn refused(r: Refusal) -> Response {
    let mut resp = r.status().into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn json_ok<T: serde::Serialize>(v: &T) -> Response {
    match serde_json::to_vec(v) {
        Ok(b) => {
            let mut resp = (StatusCode::OK, b).into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(_) => refused(Refusal::BadRequest),
    }
}

/// Reads at most `max` bytes of body; more is a 400, like any malformed body.
async fn read_body(body: Body, max: usize) -> Result<Bytes, Refusal> {
    axum::body::to_bytes(body, max)
        .await
        .map_err(|_| Refusal::BadRequest)
}

async fn access_request(State(svc): State<Arc<Service>>, body: Body) -> Response {
    let bytes = match read_body(body, svc.config.max_body_bytes).await {
        Ok(b) => b,
        Err(r) => return refused(r),
    };
    let s = svc.clone();
    match tokio::task::spawn_blocking(move || s.handle_request(&bytes)).await {
        Ok(Ok(resp)) => json_ok(&resp),
        Ok(Err(r)) => refused(r),
        Err(_) => refused(Refusal::BadRequest),
    }
}

async fn access_verify(State(svc): State<Arc<Service>>, body: Body) -> Response {
    let bytes = match read_body(body, 1024).await {
        Ok(b) => b,
        Err(r) => return refused(r),
    };
    let s = svc.clone();
    match tokio::task::spawn_blocking(move || s.handle_verify(&bytes)).await {
        Ok(Ok(resp)) => json_ok(&resp),
        Ok(Err(r)) => refused(r),
        Err(_) => refused(Refusal::BadRequest),
    }
}

async fn health() -> Response {
    json_ok(&serde_json::json!({"status": "ok"}))
}

/// The routes. Unknown paths are 404 and wrong methods 405, both without a body.
pub fn router(svc: Arc<Service>) -> Router {
    Router::new()
        .route("/v1/access/request", post(access_request))
        .route("/v1/access/verify", post(access_verify))
        .route("/v1/health", get(health))
        // The handlers bound the body themselves (and answer 400, not 413).
        .layer(DefaultBodyLimit::disable())
        .with_state(svc)
}

/// Serves until ctrl-c (or SIGTERM). `on_bound` receives the bound address (useful with
/// port 0).
pub async fn serve(
    svc: Arc<Service>,
    on_bound: impl FnOnce(std::net::SocketAddr),
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&svc.config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", svc.config.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    on_bound(addr);
    axum::serve(listener, router(svc))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
