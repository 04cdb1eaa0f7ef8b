//! Recursive aggregation of Plonky2 proofs: the circuits, the aggregate envelope, and its
//! verification.
//!
//! A batch of `n` proofs of one circuit is folded by a binary tree of recursive verifications.
//! Level 1 verifies two base proofs, level `l` two proofs of level `l - 1`; each node
//! re-exposes the public inputs of its two children, left then right, so the root's public
//! inputs are the public inputs of all `2^L` leaves in order (`L = max(1, ceil(log2 n))`).
//! Batches that are not a power of two are padded with copies of the last proof: the padding
//! repeats a statement already covered and adds none.
//!
//! Every level's circuit is fixed by the base circuit's verifying key (its verifier data is a
//! constant of the level-1 circuit, and so on up): a verifier rebuilds the levels from the
//! base verifying key and the count, so an aggregate can only be made of proofs that verify
//! under that key. Level circuits use Plonky2's standard recursion configuration without
//! zero knowledge: their witnesses are the base proofs, which are zero-knowledge already.
//!
//! # Aggregate verifying keys
//!
//! Rebuilding the levels takes seconds; an [`AggregateKey`] holds what a verifier needs of
//! them, made once per (base key, levels) by `veil aggregate`: the top level's verifier data
//! (its constants/sigmas Merkle cap and common data), every level's Plonky2 circuit digest,
//! and what binds it: the base circuit, its version, the digest of the base verifying key file
//! and the number of levels (batch sizes `2^(L-1) + 1 ..= 2^L` share the `L`-level key).
//! Verifying an aggregate with it is one Plonky2 verification (milliseconds). An aggregate key
//! for another base key, circuit or number of levels is refused with the reason. Because the
//! top level's verifier data is what the proof is checked against, a key received from someone
//! else must be checked once against a rebuild from the base key
//! ([`AggregateKey::check_rebuild`], `veil verify --agg-key K --rebuild`): the rebuild is deterministic,
//! so an honest key matches byte for byte.
//!
//! Level circuits are also cached in the process ([`cached_levels`]): proving and verifying
//! again with the same base key reuse them.

use crate::bytes::Bytes32;
use crate::circuit::{Backend, CircuitId};
use crate::encoding::goldilocks::public_inputs;
use crate::error::VerifyError;
use crate::format::ENVELOPE_FORMAT_VERSION;
use crate::plonky2::{no_panic, proof_from_bytes, verify_compressed, Plonky2VerifyingKey, C, D, F};
use crate::statement::Statement;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData, VerifierCircuitData};
use plonky2::plonk::proof::ProofWithPublicInputsTarget;
use plonky2::util::serialization::{DefaultGateSerializer, Read};
use serde::{Deserialize, Serialize};
use sha3::{Digest as _, Sha3_256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The `format` field of an aggregate envelope.
pub const AGGREGATE_FORMAT: &str = "veil-aggregate";
/// Largest batch one aggregate may cover.
pub const MAX_AGGREGATE: usize = 1 << 12;

/// One level of the tree: its circuit, and the targets of the two proofs it verifies.
pub struct Level {
    pub data: CircuitData<F, C, D>,
    pub proofs: [ProofWithPublicInputsTarget<D>; 2],
}

/// The number of levels for a batch of `n` proofs: max(1, ceil(log2 n)).
pub fn levels_for(n: usize) -> usize {
    (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1) as usize
}

/// The configuration of the level circuits.
pub fn level_config() -> CircuitConfig {
    CircuitConfig::standard_recursion_config()
}

/// Builds the circuit that verifies two proofs of the circuit with `inner` data.
pub fn build_level(inner: &VerifierCircuitData<F, C, D>) -> Level {
    build_level_with(level_config(), inner)
}

/// [`build_level`] with another configuration (for the configuration benchmarks).
pub fn build_level_with(config: CircuitConfig, inner: &VerifierCircuitData<F, C, D>) -> Level {
    let mut b = CircuitBuilder::<F, D>::new(config);
    let vd = b.constant_verifier_data(&inner.verifier_only);
    let proofs = [
        b.add_virtual_proof_with_pis(&inner.common),
        b.add_virtual_proof_with_pis(&inner.common),
    ];
    for p in &proofs {
        b.verify_proof::<C>(p, &vd, &inner.common);
    }
    for p in &proofs {
        b.register_public_inputs(&p.public_inputs);
    }
    Level {
        data: b.build::<C>(),
        proofs,
    }
}

/// Builds the `levels` level circuits above the base circuit with verifying key `base`.
pub fn build_levels(
    base: &VerifierCircuitData<F, C, D>,
    levels: usize,
) -> Result<Vec<Level>, VerifyError> {
    let mut out: Vec<Level> = Vec::with_capacity(levels);
    for _ in 0..levels {
        let inner = match out.last() {
            None => VerifierCircuitData {
                verifier_only: base.verifier_only.clone(),
                common: base.common.clone(),
            },
            Some(l) => l.data.verifier_data(),
        };
        let level = no_panic(
            || build_level(&inner),
            || VerifyError::Format("building the aggregation circuit failed".into()),
        )?;
        out.push(level);
    }
    Ok(out)
}

type LevelCache = Mutex<HashMap<Bytes32, Vec<Arc<Level>>>>;

fn level_cache() -> &'static LevelCache {
    static CACHE: OnceLock<LevelCache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The `levels` level circuits above the base circuit with verifier data `base`, built once
/// per process and base circuit (keyed by its Plonky2 circuit digest, which commits to its
/// constants, permutation and common data) and shared: the first call builds them, later calls
/// (of this size or smaller) take them from the cache, a larger size builds only the levels
/// missing. [`clear_level_cache`] frees them.
pub fn cached_levels(
    base: &VerifierCircuitData<F, C, D>,
    levels: usize,
) -> Result<Vec<Arc<Level>>, VerifyError> {
    let key = crate::plonky2::circuit_digest_bytes(&base.verifier_only);
    let mut cache = level_cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let have = cache.entry(key).or_default();
    while have.len() < levels {
        let inner = match have.last() {
            None => VerifierCircuitData {
                verifier_only: base.verifier_only.clone(),
                common: base.common.clone(),
            },
            Some(l) => l.data.verifier_data(),
        };
        let level = no_panic(
            || build_level(&inner),
            || VerifyError::Format("building the aggregation circuit failed".into()),
        )?;
        have.push(Arc::new(level));
    }
    Ok(have[..levels].to_vec())
}

/// Puts level circuits read from elsewhere (a cache on disk) into the process cache for the
/// base circuit with verifier data `base`. The caller vouches that `levels[0]` verifies the
/// base circuit and each level the one below (e.g. by comparing their circuit digests with a
/// checked [`AggregateKey`]); shorter than what is cached already, it is ignored.
pub fn seed_level_cache(base: &VerifierCircuitData<F, C, D>, levels: Vec<Arc<Level>>) {
    let key = crate::plonky2::circuit_digest_bytes(&base.verifier_only);
    let mut cache = level_cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let have = cache.entry(key).or_default();
    if levels.len() > have.len() {
        *have = levels;
    }
}

/// Frees the level circuits cached by [`cached_levels`].
pub fn clear_level_cache() {
    level_cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clear();
}

/// Magic bytes of an aggregate verifying key file.
pub const AGGREGATE_KEY_MAGIC: &[u8; 8] = b"VEILAGGK";
/// The aggregate key format version this veil writes and reads.
pub const AGGREGATE_KEY_VERSION: u32 = 1;
/// Most levels an aggregate key may have (`levels_for(MAX_AGGREGATE)`).
pub const MAX_LEVELS: usize = 12;

/// The verifying key of the aggregates of one base key and number of levels (see the module
/// docs). File layout, little-endian: magic `VEILAGGK`, u32 version (1), u16 length and the
/// base circuit id (UTF-8), u32 circuit version, the 32-byte digest of the base verifying key
/// file, u32 levels, the levels' Plonky2 circuit digests (32 bytes each, bottom first), u64
/// length and the top level's `VerifierCircuitData` (Plonky2's encoding, `DefaultGateSerializer`).
#[derive(Debug)]
pub struct AggregateKey {
    pub circuit: CircuitId,
    pub circuit_version: u32,
    /// Digest of the base verifying key file (what base proofs and aggregates name).
    pub base_key_digest: Bytes32,
    pub levels: usize,
    /// Plonky2 circuit digest of each level, bottom first; the last is the top's.
    pub level_digests: Vec<Bytes32>,
    /// The top level's verifier data.
    pub top: VerifierCircuitData<F, C, D>,
    /// SHA3-256 of the key file.
    pub digest: Bytes32,
}

impl AggregateKey {
    /// The aggregate key of `levels` levels over `base`, from level circuits already built.
    pub fn from_levels(
        base: &Plonky2VerifyingKey,
        levels: &[Arc<Level>],
    ) -> Result<Self, VerifyError> {
        let top = levels
            .last()
            .ok_or_else(|| VerifyError::Format("an aggregate key needs one level".into()))?
            .data
            .verifier_data();
        let mut key = AggregateKey {
            circuit: base.header.circuit,
            circuit_version: base.header.circuit_version,
            base_key_digest: base.digest,
            levels: levels.len(),
            level_digests: levels
                .iter()
                .map(|l| crate::plonky2::circuit_digest_bytes(&l.data.verifier_only))
                .collect(),
            top,
            digest: Bytes32::ZERO,
        };
        key.digest = Bytes32(Sha3_256::digest(key.to_bytes()).into());
        Ok(key)
    }

    /// Builds (or takes from the process cache) the level circuits and makes the key.
    pub fn build(base: &Plonky2VerifyingKey, levels: usize) -> Result<Self, VerifyError> {
        if levels == 0 || levels > MAX_LEVELS {
            return Err(VerifyError::Format(format!(
                "an aggregate has 1 to {MAX_LEVELS} levels, not {levels}"
            )));
        }
        Self::from_levels(base, &cached_levels(&base.data, levels)?)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let id = self.circuit.to_string();
        let top = self
            .top
            .to_bytes(&DefaultGateSerializer)
            .expect("writing to a Vec cannot fail");
        let mut out = Vec::with_capacity(96 + 32 * self.levels + top.len());
        out.extend_from_slice(AGGREGATE_KEY_MAGIC);
        out.extend_from_slice(&AGGREGATE_KEY_VERSION.to_le_bytes());
        out.extend_from_slice(&(id.len() as u16).to_le_bytes());
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&self.circuit_version.to_le_bytes());
        out.extend_from_slice(&self.base_key_digest.0);
        out.extend_from_slice(&(self.levels as u32).to_le_bytes());
        for d in &self.level_digests {
            out.extend_from_slice(&d.0);
        }
        out.extend_from_slice(&(top.len() as u64).to_le_bytes());
        out.extend_from_slice(&top);
        out
    }

    /// Reads an aggregate key: magic, version, bounded lengths, the top level's verifier data
    /// through the guarded Plonky2 reader (level configuration, sane sizes, its circuit digest
    /// the last level digest), canonical encoding, no trailing bytes. This checks the file is
    /// well formed, not that it is honest: see [`AggregateKey::check_rebuild`].
    pub fn from_bytes(b: &[u8]) -> Result<Self, VerifyError> {
        let mut pos = 0usize;
        let mut take = |n: usize, what: &str| -> Result<&[u8], VerifyError> {
            let end = pos
                .checked_add(n)
                .filter(|&e| e <= b.len())
                .ok_or_else(|| VerifyError::Truncated(format!("aggregate key: {what}")))?;
            let out = &b[pos..end];
            pos = end;
            Ok(out)
        };
        if take(8, "magic")? != AGGREGATE_KEY_MAGIC {
            return Err(VerifyError::BadMagic {
                expected: "aggregate key",
            });
        }
        let version = u32::from_le_bytes(take(4, "version")?.try_into().expect("4 bytes"));
        if version != AGGREGATE_KEY_VERSION {
            return Err(VerifyError::UnsupportedVersion {
                what: "aggregate key",
                found: version,
                supported: AGGREGATE_KEY_VERSION,
            });
        }
        let id_len = u16::from_le_bytes(take(2, "circuit id")?.try_into().expect("2 bytes"));
        if id_len > 64 {
            return Err(VerifyError::Format(
                "aggregate key: circuit id too long".into(),
            ));
        }
        let id = std::str::from_utf8(take(id_len as usize, "circuit id")?)
            .map_err(|_| VerifyError::Format("aggregate key: circuit id is not UTF-8".into()))?;
        let circuit: CircuitId = id
            .parse()
            .map_err(|e: String| VerifyError::Format(format!("aggregate key: {e}")))?;
        let circuit_version =
            u32::from_le_bytes(take(4, "circuit version")?.try_into().expect("4 bytes"));
        let base_key_digest = Bytes32(take(32, "base key digest")?.try_into().expect("32"));
        let levels = u32::from_le_bytes(take(4, "levels")?.try_into().expect("4 bytes")) as usize;
        if levels == 0 || levels > MAX_LEVELS {
            return Err(VerifyError::Format(format!(
                "aggregate key: {levels} levels (1 to {MAX_LEVELS})"
            )));
        }
        let mut level_digests = Vec::with_capacity(levels);
        for _ in 0..levels {
            level_digests.push(Bytes32(take(32, "level digests")?.try_into().expect("32")));
        }
        let top_len = u64::from_le_bytes(take(8, "top level")?.try_into().expect("8 bytes"));
        let top_len = usize::try_from(top_len)
            .map_err(|_| VerifyError::Truncated("aggregate key: top level".into()))?;
        let top_bytes = take(top_len, "top level")?;
        if pos != b.len() {
            return Err(VerifyError::Format(format!(
                "aggregate key: {} trailing bytes",
                b.len() - pos
            )));
        }
        let top = crate::plonky2::decode_with("aggregate key", top_bytes, |r| {
            r.read_verifier_circuit_data::<F, C, D>(&DefaultGateSerializer)
        })?;
        crate::plonky2::check_sane_with(&top, &level_config(), "aggregate key")?;
        if crate::plonky2::circuit_digest_bytes(&top.verifier_only) != level_digests[levels - 1] {
            return Err(VerifyError::Format(
                "aggregate key: the top level's circuit digest is not the last level digest".into(),
            ));
        }
        let key = AggregateKey {
            circuit,
            circuit_version,
            base_key_digest,
            levels,
            level_digests,
            top,
            digest: Bytes32(Sha3_256::digest(b).into()),
        };
        if no_panic(
            || key.to_bytes(),
            || VerifyError::Format("re-encoding failed".into()),
        )? != b
        {
            return Err(VerifyError::Format(
                "aggregate key: non-canonical encoding".into(),
            ));
        }
        Ok(key)
    }

    pub fn read(path: &std::path::Path) -> Result<Self, VerifyError> {
        Self::from_bytes(&crate::format::read_key_bytes(path)?)
    }

    /// Refuses this key for another base key or circuit (cheap: the recorded binding).
    pub fn check_base(&self, base: &Plonky2VerifyingKey) -> Result<(), VerifyError> {
        if self.circuit != base.header.circuit
            || self.circuit_version != base.header.circuit_version
        {
            return Err(VerifyError::Format(format!(
                "the aggregate key is for {} version {}, the verifying key for {} version {}",
                self.circuit,
                self.circuit_version,
                base.header.circuit,
                base.header.circuit_version
            )));
        }
        if self.base_key_digest != base.digest {
            return Err(VerifyError::Format(format!(
                "the aggregate key was made for another base key ({}), not this verifying key ({})",
                self.base_key_digest.to_hex(),
                base.digest.to_hex()
            )));
        }
        Ok(())
    }

    /// Checks the key against the level circuits rebuilt from the base key (seconds; the
    /// rebuilt circuits stay in the process cache): the binding, every level's circuit digest
    /// and the top level's verifier data must be what the rebuild gives. Run it once on a key
    /// received from someone else.
    pub fn check_rebuild(&self, base: &Plonky2VerifyingKey) -> Result<(), VerifyError> {
        self.check_base(base)?;
        let rebuilt = Self::build(base, self.levels)?;
        if rebuilt.to_bytes() != self.to_bytes() {
            return Err(VerifyError::Format(
                "the aggregate key is not the one the base key gives: its level circuits differ \
                 from those rebuilt from the base key (do not use it)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Verifies an aggregate with this key alone (one Plonky2 verification): the aggregate must
    /// name this key's circuit, version and base key, and have this key's number of levels.
    pub fn verify(&self, agg: &AggregateEnvelope) -> Result<(), VerifyError> {
        if agg.circuit != self.circuit {
            return Err(VerifyError::WrongCircuit {
                what: "aggregate",
                expected: self.circuit.to_string(),
                found: agg.circuit.to_string(),
            });
        }
        if agg.circuit_version != self.circuit_version {
            return Err(VerifyError::WrongCircuitVersion {
                what: "aggregate",
                circuit: agg.circuit.to_string(),
                expected: self.circuit_version,
                found: agg.circuit_version,
            });
        }
        if agg.key_digest != self.base_key_digest {
            return Err(VerifyError::Format(format!(
                "the aggregate was made from proofs of base key {}, the aggregate key is for base key {}",
                agg.key_digest.to_hex(),
                self.base_key_digest.to_hex()
            )));
        }
        if agg.statements.is_empty() || agg.levels != levels_for(agg.statements.len()) {
            return Err(VerifyError::Format(
                "the aggregate's level count does not match its statements".into(),
            ));
        }
        if agg.levels != self.levels {
            return Err(VerifyError::Format(format!(
                "the aggregate key is for aggregates of {} to {} proofs ({} levels); this aggregate \
                 covers {} ({} levels): use the key of its size",
                (1usize << (self.levels - 1)) + usize::from(self.levels > 1),
                1usize << self.levels,
                self.levels,
                agg.statements.len(),
                agg.levels
            )));
        }
        let inputs = agg.public_inputs()?;
        let proof = proof_from_bytes(&agg.proof, &self.top.common)?;
        verify_compressed(&self.top, proof, inputs)
    }
}

/// One recursive proof covering the statements of a batch of proofs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AggregateEnvelope {
    pub circuit: CircuitId,
    pub circuit_version: u32,
    /// Digest of the base circuit's verifying key file.
    pub key_digest: Bytes32,
    /// Levels of the tree (`levels_for(statements.len())`).
    pub levels: usize,
    /// The statements covered, in the order of the batch.
    pub statements: Vec<Statement>,
    /// The compressed proof of the root level, without its public inputs.
    pub proof: Vec<u8>,
}

#[derive(Serialize)]
struct AggregateOut<'a> {
    format: &'static str,
    format_version: u32,
    circuit: String,
    circuit_version: u32,
    backend: &'static str,
    key_digest: Bytes32,
    levels: usize,
    count: usize,
    statements: &'a [Statement],
    proof: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AggregateIn {
    format: String,
    format_version: u32,
    circuit: String,
    circuit_version: u32,
    backend: String,
    key_digest: Bytes32,
    levels: usize,
    count: usize,
    statements: Vec<serde_json::Value>,
    proof: String,
}

impl AggregateEnvelope {
    /// Pretty JSON:
    /// `{format: "veil-aggregate", format_version, circuit, circuit_version, backend:
    /// "plonky2", key_digest, levels, count, statements: [...], proof: hex}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&AggregateOut {
            format: AGGREGATE_FORMAT,
            format_version: ENVELOPE_FORMAT_VERSION,
            circuit: self.circuit.to_string(),
            circuit_version: self.circuit_version,
            backend: Backend::Plonky2.name(),
            key_digest: self.key_digest,
            levels: self.levels,
            count: self.statements.len(),
            statements: &self.statements,
            proof: hex::encode(&self.proof),
        })
        .expect("an aggregate always serializes")
    }

    /// Whether a JSON value is an aggregate envelope (by its `format` field).
    pub fn is_aggregate(value: &serde_json::Value) -> bool {
        value.get("format").and_then(|f| f.as_str()) == Some(AGGREGATE_FORMAT)
    }

    pub fn from_json(s: &str) -> Result<Self, VerifyError> {
        let value: serde_json::Value = serde_json::from_str(s)
            .map_err(|e| VerifyError::Format(format!("aggregate envelope is not JSON: {e}")))?;
        Self::from_json_value(&value)
    }

    pub fn from_json_value(value: &serde_json::Value) -> Result<Self, VerifyError> {
        let bad = |m: String| VerifyError::Format(format!("aggregate envelope: {m}"));
        let raw: AggregateIn =
            serde_json::from_value(value.clone()).map_err(|e| bad(e.to_string()))?;
        if raw.format != AGGREGATE_FORMAT {
            return Err(bad(format!("format {:?}", raw.format)));
        }
        if raw.format_version != ENVELOPE_FORMAT_VERSION {
            return Err(VerifyError::UnsupportedVersion {
                what: "aggregate envelope",
                found: raw.format_version,
                supported: ENVELOPE_FORMAT_VERSION,
            });
        }
        let backend: Backend = raw.backend.parse().map_err(bad)?;
        if backend != Backend::Plonky2 {
            return Err(VerifyError::WrongBackend {
                what: "aggregate",
                expected: Backend::Plonky2,
                found: backend.to_string(),
            });
        }
        let circuit: CircuitId = raw.circuit.parse().map_err(bad)?;
        if raw.count != raw.statements.len() {
            return Err(bad(format!(
                "count is {} but {} statements are listed",
                raw.count,
                raw.statements.len()
            )));
        }
        if raw.count == 0 || raw.count > MAX_AGGREGATE {
            return Err(bad(format!(
                "an aggregate covers 1 to {MAX_AGGREGATE} statements, not {}",
                raw.count
            )));
        }
        if raw.levels != levels_for(raw.count) {
            return Err(bad(format!(
                "{} statements take {} levels, not {}",
                raw.count,
                levels_for(raw.count),
                raw.levels
            )));
        }
        let statements = raw
            .statements
            .iter()
            .map(|s| Statement::from_json(circuit.kind, s))
            .collect::<Result<Vec<_>, _>>()?;
        let proof = hex::decode(&raw.proof).map_err(|e| bad(format!("proof is not hex: {e}")))?;
        Ok(AggregateEnvelope {
            circuit,
            circuit_version: raw.circuit_version,
            key_digest: raw.key_digest,
            levels: raw.levels,
            statements,
            proof,
        })
    }

    /// The root's public inputs: every statement's encoding, padded with the last one to
    /// 2^levels statements.
    pub fn public_inputs(&self) -> Result<Vec<F>, VerifyError> {
        let mut out = Vec::new();
        let last = self
            .statements
            .last()
            .ok_or_else(|| VerifyError::Format("an aggregate covers no statement".into()))?;
        for i in 0..(1usize << self.levels) {
            out.extend(public_inputs(self.statements.get(i).unwrap_or(last))?);
        }
        Ok(out)
    }
}

impl Plonky2VerifyingKey {
    /// Verifies an aggregate made from proofs under this key: its header must name this key,
    /// circuit and version, every statement must be of this circuit, and the root proof must
    /// verify against the level circuits rebuilt from this key (once per process, see
    /// [`cached_levels`]) with the statements' encodings as public inputs. With an
    /// [`AggregateKey`], [`Plonky2VerifyingKey::verify_aggregate_with`] needs no rebuild.
    pub fn verify_aggregate(&self, agg: &AggregateEnvelope) -> Result<(), VerifyError> {
        if agg.circuit != self.header.circuit {
            return Err(VerifyError::WrongCircuit {
                what: "aggregate",
                expected: self.header.circuit.to_string(),
                found: agg.circuit.to_string(),
            });
        }
        if agg.circuit_version != self.header.circuit_version {
            return Err(VerifyError::WrongCircuitVersion {
                what: "aggregate",
                circuit: agg.circuit.to_string(),
                expected: self.header.circuit_version,
                found: agg.circuit_version,
            });
        }
        if agg.key_digest != self.digest {
            return Err(VerifyError::WrongKey {
                expected: self.digest.to_hex(),
                found: agg.key_digest.to_hex(),
            });
        }
        if agg.statements.is_empty() || agg.levels != levels_for(agg.statements.len()) {
            return Err(VerifyError::Format(
                "the aggregate's level count does not match its statements".into(),
            ));
        }
        let inputs = agg.public_inputs()?;
        let levels = cached_levels(&self.data, agg.levels)?;
        let top = levels
            .last()
            .expect("at least one level")
            .data
            .verifier_data();
        let proof = proof_from_bytes(&agg.proof, &top.common)?;
        verify_compressed(&top, proof, inputs)
    }

    /// Verifies an aggregate with an aggregate key made for this key (milliseconds): the
    /// aggregate key must be bound to this key ([`AggregateKey::check_base`]), then
    /// [`AggregateKey::verify`].
    pub fn verify_aggregate_with(
        &self,
        key: &AggregateKey,
        agg: &AggregateEnvelope,
    ) -> Result<(), VerifyError> {
        key.check_base(self)?;
        if agg.key_digest != self.digest {
            return Err(VerifyError::WrongKey {
                expected: self.digest.to_hex(),
                found: agg.key_digest.to_hex(),
            });
        }
        key.verify(agg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(levels_for(1), 1);
        assert_eq!(levels_for(2), 1);
        assert_eq!(levels_for(3), 2);
        assert_eq!(levels_for(4), 2);
        assert_eq!(levels_for(5), 3);
        assert_eq!(levels_for(64), 6);
        assert_eq!(levels_for(65), 7);
    }
}
