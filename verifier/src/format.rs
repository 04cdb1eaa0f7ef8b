//! Versioned artifacts: key files and proof envelopes.
//!
//! # Key files
//!
//! A key file (proving or verifying key, any backend) is a fixed binary header followed by the
//! backend's own encoding of the key (the *body*). All integers are little-endian.
//!
//! | field            | size          | value                                              |
//! | ---------------- | ------------- | -------------------------------------------------- |
//! | magic            | 8             | `b"VEILKEY\0"`                                     |
//! | format version   | 4 (u32)       | [`KEY_FORMAT_VERSION`]                             |
//! | kind             | 1 (u8)        | 1 proving, 2 verifying                             |
//! | backend          | 1 (u8)        | [`Backend`] code (1 = groth16, 2 = plonky2)        |
//! | circuit id length| 2 (u16)       | length in bytes of the next field                  |
//! | circuit id       | variable      | UTF-8, e.g. `tier-20`                              |
//! | circuit version  | 4 (u32)       | version of the circuit's rules the key was made for|
//! | cs digest        | 32            | digest of the constraint system                    |
//! | body digest      | 32 (v2 only)  | SHA3-256 of the body: a corrupted key is refused   |
//! | body length      | 8 (u64)       | length in bytes of the body                        |
//! | body             | body length   | backend encoding of the key                        |
//!
//! Nothing may follow the body.
//!
//! Proving keys are written in version 2, whose body digest is checked before any byte of the
//! body is decoded: a corrupted proving key (tens of megabytes that backends decode with
//! lengths read from the file) is refused as corrupted instead of reaching the decoder.
//! Verifying keys are still written in version 1, byte for byte as before, because a
//! verifying key's id is the SHA3-256 of its whole file and proofs name their key by that id.
//! Both versions are read for both kinds.
//!
//! Version 3 has the header of version 2 (body digest included); it is written for Groth16
//! proving keys, whose body is then the fast layout of `veil_prover::groth16` (uncompressed
//! points read without per-point subgroup checks, plus the compiled constraint matrices).
//! Here it is read like version 2; [`read_key_file_versioned`] tells the backend which body
//! layout to decode.
//!
//! Version 4 records where the key comes from ([`KeySource`]): it is written only for keys
//! whose origin is recorded (the Groth16 keys `veil ceremony finalize` writes), so dev keys
//! and Plonky2 keys keep their version 1 to 3 files and their key ids. After the
//! constraint-system digest it carries:
//!
//! | field            | size          | value                                              |
//! | ---------------- | ------------- | -------------------------------------------------- |
//! | body layout      | 1 (u8)        | the version (1, 2 or 3) whose body layout follows  |
//! | origin           | 1 (u8)        | 1: a trusted-setup ceremony                        |
//! | transcript hash  | 32            | the phase-2 transcript hash                        |
//! | contributions    | 4 (u32)       | the number of phase-2 contributions (≥ 1)          |
//! | key digest       | 32            | SHA3-256 of every byte before it and of the body   |
//!
//! then the body length and the body. The key digest covers the header, origin included: a
//! proving key whose origin bytes are edited is refused as corrupted, and a verifying key's
//! id (the digest of its whole file) changes, so a pinned key id or a proof made for the key
//! refuses it. A Groth16 verifying key that claims a ceremony origin must also have γ = the
//! G2 generator and δ ≠ γ, as every veil ceremony key has ([`crate::groth16`]), so a dev
//! key (random γ) relabelled as a ceremony key is refused on read.
//!
//! # Proof envelopes
//!
//! A proof travels as JSON with a format version:
//!
//! ```json
//! {
//!   "format": "veil-proof",
//!   "format_version": 1,
//!   "circuit": "tier-20",
//!   "circuit_version": 1,
//!   "backend": "groth16",
//!   "key_digest": "<64 hex digits>",
//!   "statement": { "...": "the circuit's named public values" },
//!   "proof": "<hex of the backend's proof bytes>"
//! }
//! ```

use crate::bytes::Bytes32;
use crate::circuit::{Backend, CircuitId};
use crate::error::VerifyError;
use crate::statement::Statement;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The newest key file layout this crate writes and reads (see the module documentation).
pub const KEY_FORMAT_VERSION: u32 = 2;
/// The key file layout without a body digest: still written for verifying keys (their id is
/// the digest of the file) and read for both kinds.
pub const KEY_FORMAT_VERSION_1: u32 = 1;
/// The version 2 header with a backend-specific fast body (Groth16 proving keys).
pub const KEY_FORMAT_VERSION_3: u32 = 3;
/// The version 2/3 header with the key's recorded origin ([`KeySource`]) and a digest over
/// the header and the body.
pub const KEY_FORMAT_VERSION_4: u32 = 4;
/// Version of the proof envelope layout this crate writes and reads.
pub const ENVELOPE_FORMAT_VERSION: u32 = 1;

/// Magic bytes at the start of every key file.
pub const KEY_MAGIC: [u8; 8] = *b"VEILKEY\0";
/// The `format` field of every proof envelope.
pub const ENVELOPE_FORMAT: &str = "veil-proof";

/// Which half of a key pair a key file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    Proving,
    Verifying,
}

impl KeyKind {
    /// `"proving key"` or `"verifying key"`, as error messages name them.
    pub fn name(self) -> &'static str {
        match self {
            KeyKind::Proving => "proving key",
            KeyKind::Verifying => "verifying key",
        }
    }

    fn code(self) -> u8 {
        match self {
            KeyKind::Proving => 1,
            KeyKind::Verifying => 2,
        }
    }

    fn from_code(c: u8) -> Option<KeyKind> {
        match c {
            1 => Some(KeyKind::Proving),
            2 => Some(KeyKind::Verifying),
            _ => None,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a key file says its key comes from (key format version 4; see the module
/// documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum KeySource {
    /// Nothing recorded: every key of format versions 1 to 3. A Groth16 key without a record
    /// is treated as a dev key (anyone may know its trapdoor); Plonky2 keys need no setup.
    #[default]
    Unrecorded,
    /// A trusted-setup ceremony: the hash of its phase-2 transcript and how many phase-2
    /// contributions it has. A claim made by whoever wrote the key: `veil ceremony verify
    /// --vk` checks it against the transcript, and a pinned key id fixes it.
    Ceremony {
        transcript_hash: Bytes32,
        contributions: u32,
    },
}

/// What a key file says about the key it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyHeader {
    pub kind: KeyKind,
    pub backend: Backend,
    pub circuit: CircuitId,
    /// The version of the circuit's rules the key was made for.
    pub circuit_version: u32,
    /// Digest of the constraint system the key was made for.
    pub cs_digest: Bytes32,
    /// Where the key comes from (recorded from key format version 4 on).
    pub origin: KeySource,
}

impl KeyHeader {
    /// Checks that the key is for `circuit` (id and current version of its rules) and for
    /// `backend`; errors name the key by its kind ("proving key" / "verifying key").
    pub fn expect(&self, circuit: CircuitId, backend: Backend) -> Result<(), VerifyError> {
        let what = self.kind.name();
        if self.circuit != circuit {
            return Err(VerifyError::WrongCircuit {
                what,
                expected: circuit.to_string(),
                found: self.circuit.to_string(),
            });
        }
        if self.circuit_version != circuit.version() {
            return Err(VerifyError::WrongCircuitVersion {
                what,
                circuit: circuit.to_string(),
                expected: circuit.version(),
                found: self.circuit_version,
            });
        }
        if self.backend != backend {
            return Err(VerifyError::WrongBackend {
                what,
                expected: backend,
                found: self.backend.to_string(),
            });
        }
        Ok(())
    }
}

/// Writes a key file: the header (see the module documentation) followed by `body`; version 2
/// (with the body's digest) for a proving key, version 1 for a verifying key.
pub fn write_key_file(header: &KeyHeader, body: &[u8]) -> Vec<u8> {
    let version = match header.kind {
        KeyKind::Proving => KEY_FORMAT_VERSION,
        KeyKind::Verifying => KEY_FORMAT_VERSION_1,
    };
    write_key_file_version(header, body, version)
}

/// Writes a key file in the given layout version (1, 2 or 3; anything else is written as 2).
/// The caller provides a body in the layout the version names. A header with a recorded
/// origin is written in version 4, which records `version` as its body layout.
pub fn write_key_file_version(header: &KeyHeader, body: &[u8], version: u32) -> Vec<u8> {
    let version = match version {
        KEY_FORMAT_VERSION_1 | KEY_FORMAT_VERSION_3 => version,
        _ => KEY_FORMAT_VERSION,
    };
    if let KeySource::Ceremony {
        transcript_hash,
        contributions,
    } = header.origin
    {
        let mut out = header_prefix(header, KEY_FORMAT_VERSION_4, body.len());
        out.push(version as u8);
        out.push(ORIGIN_CEREMONY);
        out.extend_from_slice(&transcript_hash.0);
        out.extend_from_slice(&contributions.to_le_bytes());
        let digest = v4_digest(&out, body);
        out.extend_from_slice(&digest);
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(body);
        return out;
    }
    let mut out = header_prefix(header, version, body.len());
    if version != KEY_FORMAT_VERSION_1 {
        out.extend_from_slice(&body_digest(body));
    }
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// SHA3-256 of a key body, as version 2 headers carry it.
fn body_digest(body: &[u8]) -> [u8; 32] {
    use sha3::{Digest, Sha3_256};
    Sha3_256::digest(body).into()
}

/// The version 4 origin code of a ceremony key.
const ORIGIN_CEREMONY: u8 = 1;

/// Magic, version, kind, backend, circuit id, circuit version and constraint-system digest:
/// the fields every version starts with.
fn header_prefix(header: &KeyHeader, version: u32, body_len: usize) -> Vec<u8> {
    let circuit = header.circuit.to_string();
    // Circuit ids are a short name and a size; they always fit.
    let circuit_len = u16::try_from(circuit.len()).expect("circuit ids are short");
    let mut out = Vec::with_capacity(170 + circuit.len() + body_len);
    out.extend_from_slice(&KEY_MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.push(header.kind.code());
    out.push(header.backend.code());
    out.extend_from_slice(&circuit_len.to_le_bytes());
    out.extend_from_slice(circuit.as_bytes());
    out.extend_from_slice(&header.circuit_version.to_le_bytes());
    out.extend_from_slice(&header.cs_digest.0);
    out
}

/// The version 4 key digest: SHA3-256 of the header bytes before it and of the body.
fn v4_digest(header_bytes: &[u8], body: &[u8]) -> [u8; 32] {
    use sha3::{Digest, Sha3_256};
    let mut h = Sha3_256::new();
    h.update(header_bytes);
    h.update(body);
    h.finalize().into()
}

/// A bounds-checked reader over a byte slice.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], VerifyError> {
        if self.rest.len() < n {
            return Err(VerifyError::Truncated(format!(
                "key file ends inside the {what} (needs {n} more bytes, {} left)",
                self.rest.len()
            )));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], VerifyError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8, VerifyError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, VerifyError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &str) -> Result<u32, VerifyError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64, VerifyError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
}

/// Reads a key file of `expected_kind`, returning its header and its body.
///
/// Refuses: bad magic ([`VerifyError::BadMagic`]), another format version
/// ([`VerifyError::UnsupportedVersion`]), a key of the other kind, an unknown backend code or
/// kind byte, a circuit id that does not parse ([`VerifyError::Format`]), a file cut short
/// anywhere ([`VerifyError::Truncated`]) and bytes after the body ([`VerifyError::Format`]).
/// Does not check the header against a circuit: see [`KeyHeader::expect`].
pub fn read_key_file(
    bytes: &[u8],
    expected_kind: KeyKind,
) -> Result<(KeyHeader, &[u8]), VerifyError> {
    read_key_file_versioned(bytes, expected_kind).map(|(_, header, body)| (header, body))
}

/// [`read_key_file`], also returning the file's layout version (1, 2 or 3), which says how a
/// backend lays out the body (for a version 4 file, the body layout it records).
pub fn read_key_file_versioned(
    bytes: &[u8],
    expected_kind: KeyKind,
) -> Result<(u32, KeyHeader, &[u8]), VerifyError> {
    parse_key_file(bytes, expected_kind, true)
}

/// [`read_key_file_versioned`] without the body digest, and the check of that digest apart
/// ([`check_key_digest`]), so that a reader can decode the body while the digest is computed
/// on another thread. The body must not be trusted until both succeed.
pub fn read_key_file_unchecked(
    bytes: &[u8],
    expected_kind: KeyKind,
) -> Result<(u32, KeyHeader, &[u8]), VerifyError> {
    parse_key_file(bytes, expected_kind, false)
}

/// Checks the body digest of a key file (`CorruptedKey` when it does not match).
pub fn check_key_digest(bytes: &[u8], expected_kind: KeyKind) -> Result<(), VerifyError> {
    parse_key_file(bytes, expected_kind, true).map(|_| ())
}

/// The header of a key file, its layout checked but its body digest not: for deciding which
/// reader to call (backend, circuit) before the one full read that checks the digest. A
/// proving key's body is megabytes, and SHA3 over it costs more than the rest of the read.
pub fn read_key_header(bytes: &[u8], expected_kind: KeyKind) -> Result<KeyHeader, VerifyError> {
    parse_key_file(bytes, expected_kind, false).map(|(_, header, _)| header)
}

fn parse_key_file(
    bytes: &[u8],
    expected_kind: KeyKind,
    check_digest: bool,
) -> Result<(u32, KeyHeader, &[u8]), VerifyError> {
    // Magic: a short prefix of the magic is a truncated file, anything else is not a key file.
    let n = bytes.len().min(KEY_MAGIC.len());
    if bytes.get(..n) != KEY_MAGIC.get(..n) {
        return Err(VerifyError::BadMagic { expected: "key" });
    }
    let mut r = Reader { rest: bytes };
    r.take(KEY_MAGIC.len(), "magic bytes")?;

    let version = r.u32("format version")?;
    if !matches!(
        version,
        KEY_FORMAT_VERSION_1 | KEY_FORMAT_VERSION | KEY_FORMAT_VERSION_3 | KEY_FORMAT_VERSION_4
    ) {
        return Err(VerifyError::UnsupportedVersion {
            what: "key file",
            found: version,
            supported: KEY_FORMAT_VERSION_4,
        });
    }

    let kind_code = r.u8("key kind")?;
    let kind = KeyKind::from_code(kind_code)
        .ok_or_else(|| VerifyError::Format(format!("unknown key kind byte {kind_code}")))?;
    if kind != expected_kind {
        return Err(VerifyError::Format(format!(
            "this is a {}, expected a {}",
            kind.name(),
            expected_kind.name()
        )));
    }

    let backend_code = r.u8("backend")?;
    let backend = Backend::from_code(backend_code).ok_or_else(|| {
        VerifyError::Format(format!("unknown backend code {backend_code} in key file"))
    })?;

    let id_len = r.u16("circuit id length")?;
    let id_bytes = r.take(usize::from(id_len), "circuit id")?;
    let id_str = std::str::from_utf8(id_bytes)
        .map_err(|_| VerifyError::Format("circuit id in key file is not UTF-8".into()))?;
    let circuit: CircuitId = id_str
        .parse()
        .map_err(|e| VerifyError::Format(format!("bad circuit id in key file: {e}")))?;

    let circuit_version = r.u32("circuit version")?;
    let cs_digest = Bytes32(r.array("constraint system digest")?);
    let mut layout = version;
    let mut origin = KeySource::Unrecorded;
    let mut v4_header_len = None;
    if version == KEY_FORMAT_VERSION_4 {
        let code = r.u8("body layout")?;
        layout = u32::from(code);
        if !matches!(
            layout,
            KEY_FORMAT_VERSION_1 | KEY_FORMAT_VERSION | KEY_FORMAT_VERSION_3
        ) {
            return Err(VerifyError::Format(format!(
                "unknown body layout {code} in a version 4 key file"
            )));
        }
        let code = r.u8("key origin")?;
        if code != ORIGIN_CEREMONY {
            return Err(VerifyError::Format(format!(
                "unknown key origin code {code} in key file"
            )));
        }
        let transcript_hash = Bytes32(r.array("ceremony transcript hash")?);
        let contributions = r.u32("number of ceremony contributions")?;
        if contributions == 0 {
            return Err(VerifyError::Format(
                "the key claims a ceremony with no contribution (δ never updated: forgeable)"
                    .into(),
            ));
        }
        if backend != Backend::Groth16 {
            return Err(VerifyError::Format(format!(
                "a {backend} key claims a trusted-setup ceremony origin, which only Groth16 keys have"
            )));
        }
        origin = KeySource::Ceremony {
            transcript_hash,
            contributions,
        };
        v4_header_len = Some(bytes.len() - r.rest.len());
    }
    let expected_body_digest = if version != KEY_FORMAT_VERSION_1 {
        Some(r.array::<32>("body digest")?)
    } else {
        None
    };

    let body_len = r.u64("body length")?;
    let body_len = usize::try_from(body_len).map_err(|_| {
        VerifyError::Truncated(format!("key body of {body_len} bytes cannot be present"))
    })?;
    let body = r.take(body_len, "key body")?;
    if !r.rest.is_empty() {
        return Err(VerifyError::Format(format!(
            "{} trailing bytes after the key body",
            r.rest.len()
        )));
    }
    if let Some(expected) = expected_body_digest.filter(|_| check_digest) {
        let actual = match v4_header_len {
            Some(n) => v4_digest(&bytes[..n], body),
            None => body_digest(body),
        };
        if expected != actual {
            return Err(VerifyError::CorruptedKey { what: kind.name() });
        }
    }

    Ok((
        layout,
        KeyHeader {
            kind,
            backend,
            circuit,
            circuit_version,
            cs_digest,
            origin,
        },
        body,
    ))
}

/// What every typed key reader starts with: [`read_key_file`], then the key must be of
/// `backend` and made for the current version of its circuit's rules. Errors name the key by
/// its kind.
pub fn read_key_file_of(
    bytes: &[u8],
    kind: KeyKind,
    backend: Backend,
) -> Result<(KeyHeader, &[u8]), VerifyError> {
    let (header, body) = read_key_file(bytes, kind)?;
    if header.backend != backend {
        return Err(VerifyError::WrongBackend {
            what: kind.name(),
            expected: backend,
            found: header.backend.to_string(),
        });
    }
    if header.circuit_version != header.circuit.version() {
        return Err(VerifyError::WrongCircuitVersion {
            what: kind.name(),
            circuit: header.circuit.to_string(),
            expected: header.circuit.version(),
            found: header.circuit_version,
        });
    }
    Ok((header, body))
}

/// A key file's bytes from disk, the path in the error.
pub fn read_key_bytes(path: &std::path::Path) -> Result<Vec<u8>, VerifyError> {
    std::fs::read(path).map_err(|source| VerifyError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// A proof with everything needed to check it against the right key: see the module
/// documentation for its JSON layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofEnvelope {
    pub circuit: CircuitId,
    pub circuit_version: u32,
    pub backend: Backend,
    /// Digest of the verifying key file the proof was made for.
    pub key_digest: Bytes32,
    pub statement: Statement,
    /// The backend's proof bytes.
    pub proof: Vec<u8>,
}

/// The envelope as written, with its fields in the fixed order.
#[derive(Serialize)]
struct EnvelopeOut<'a> {
    format: &'static str,
    format_version: u32,
    circuit: String,
    circuit_version: u32,
    backend: &'static str,
    key_digest: Bytes32,
    statement: &'a Statement,
    proof: String,
}

/// The envelope as read; the statement is read once the circuit is known.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeIn {
    format: String,
    format_version: u64,
    circuit: String,
    circuit_version: u32,
    backend: String,
    key_digest: Bytes32,
    statement: serde_json::Value,
    proof: String,
}

impl ProofEnvelope {
    fn out(&self) -> EnvelopeOut<'_> {
        EnvelopeOut {
            format: ENVELOPE_FORMAT,
            format_version: ENVELOPE_FORMAT_VERSION,
            circuit: self.circuit.to_string(),
            circuit_version: self.circuit_version,
            backend: self.backend.name(),
            key_digest: self.key_digest,
            statement: &self.statement,
            proof: hex::encode(&self.proof),
        }
    }

    /// Pretty JSON, fields in the order of the module documentation.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.out()).expect("an envelope always serializes")
    }

    /// The envelope as a JSON value (an object's key order there is serde_json's, not ours).
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self.out()).expect("an envelope always serializes")
    }

    /// The bytes to sign: compact JSON (no whitespace) with the envelope's keys in the fixed
    /// order `format, format_version, circuit, circuit_version, backend, key_digest,
    /// statement, proof`, the statement's keys in the order of its struct's fields (the order
    /// of [`Statement::named_values`]), integers in decimal, 32-byte values and proof bytes in
    /// lowercase hex. Two equal envelopes always give the same bytes, and
    /// `from_json(canonical_bytes)` gives the envelope back.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.out()).expect("an envelope always serializes")
    }

    /// Reads an envelope, refusing anything but the exact layout of this format version.
    pub fn from_json(s: &str) -> Result<Self, VerifyError> {
        let value: serde_json::Value = serde_json::from_str(s)
            .map_err(|e| VerifyError::Format(format!("proof envelope is not JSON: {e}")))?;
        Self::from_json_value(&value)
    }

    /// Reads an envelope from a JSON value; see [`ProofEnvelope::from_json`].
    pub fn from_json_value(value: &serde_json::Value) -> Result<Self, VerifyError> {
        let obj = value
            .as_object()
            .ok_or_else(|| VerifyError::Format("proof envelope is not a JSON object".into()))?;
        // Format and version first, so that another version is named as such rather than
        // refused for its fields.
        match obj.get("format") {
            Some(serde_json::Value::String(f)) if f == ENVELOPE_FORMAT => {}
            Some(other) => {
                return Err(VerifyError::Format(format!(
                    "not a veil proof envelope (format {other}, expected \"{ENVELOPE_FORMAT}\")"
                )))
            }
            None => {
                return Err(VerifyError::Format(
                    "not a veil proof envelope (no \"format\" field)".into(),
                ))
            }
        }
        if let Some(v) = obj.get("format_version").and_then(|v| v.as_u64()) {
            if v != u64::from(ENVELOPE_FORMAT_VERSION) {
                return Err(VerifyError::UnsupportedVersion {
                    what: "proof envelope",
                    found: u32::try_from(v).unwrap_or(u32::MAX),
                    supported: ENVELOPE_FORMAT_VERSION,
                });
            }
        }
        let raw: EnvelopeIn = serde_json::from_value(value.clone())
            .map_err(|e| VerifyError::Format(format!("proof envelope: {e}")))?;
        // Checked above; kept so that the raw struct stays the whole truth about the layout.
        debug_assert_eq!(raw.format, ENVELOPE_FORMAT);
        debug_assert_eq!(raw.format_version, u64::from(ENVELOPE_FORMAT_VERSION));

        let circuit: CircuitId = raw
            .circuit
            .parse()
            .map_err(|e| VerifyError::Format(format!("proof envelope: {e}")))?;
        let backend: Backend = raw
            .backend
            .parse()
            .map_err(|e| VerifyError::Format(format!("proof envelope: {e}")))?;
        let statement = Statement::from_json(circuit.kind, &raw.statement)?;
        let proof = hex::decode(&raw.proof)
            .map_err(|e| VerifyError::Format(format!("proof envelope: proof is not hex: {e}")))?;
        Ok(ProofEnvelope {
            circuit,
            circuit_version: raw.circuit_version,
            backend,
            key_digest: raw.key_digest,
            statement,
            proof,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::CircuitKind;
    use crate::statement::{OwnershipStatement, TierStatement};

    fn header(kind: KeyKind) -> KeyHeader {
        KeyHeader {
            kind,
            backend: Backend::Groth16,
            circuit: "tier-20".parse().unwrap(),
            circuit_version: 1,
            cs_digest: Bytes32([7u8; 32]),
            origin: KeySource::Unrecorded,
        }
    }

    fn key_file() -> Vec<u8> {
        write_key_file(&header(KeyKind::Verifying), b"the body bytes")
    }

    fn tier_statement() -> Statement {
        Statement::Tier(TierStatement {
            root: Bytes32::from_u64(1),
            min_tier: 2,
            epoch_beacon: Bytes32::from_u64(3),
            request_binding: Bytes32::from_u64(4),
            nullifier: Bytes32::from_u64(5),
            quota: 6,
        })
    }

    fn envelope() -> ProofEnvelope {
        ProofEnvelope {
            circuit: "tier-20".parse().unwrap(),
            circuit_version: 1,
            backend: Backend::Groth16,
            key_digest: Bytes32([0xab; 32]),
            statement: tier_statement(),
            proof: vec![1, 2, 3, 0xff],
        }
    }

    #[test]
    fn key_file_round_trip_and_layout() {
        let h = header(KeyKind::Verifying);
        let bytes = write_key_file(&h, b"the body bytes");
        assert_eq!(&bytes[..8], b"VEILKEY\0");
        assert_eq!(&bytes[8..12], &1u32.to_le_bytes());
        assert_eq!(bytes[12], 2);
        assert_eq!(bytes[13], 1);
        assert_eq!(&bytes[14..16], &7u16.to_le_bytes());
        assert_eq!(&bytes[16..23], b"tier-20");
        assert_eq!(&bytes[23..27], &1u32.to_le_bytes());
        assert_eq!(&bytes[27..59], &[7u8; 32]);
        assert_eq!(&bytes[59..67], &14u64.to_le_bytes());
        assert_eq!(&bytes[67..], b"the body bytes");
        let (h2, body) = read_key_file(&bytes, KeyKind::Verifying).unwrap();
        assert_eq!(h2, h);
        assert_eq!(body, b"the body bytes");

        let p = header(KeyKind::Proving);
        let bytes = write_key_file(&p, &[]);
        let (p2, body) = read_key_file(&bytes, KeyKind::Proving).unwrap();
        assert_eq!(p2, p);
        assert!(body.is_empty());
    }

    #[test]
    fn key_file_truncated_at_every_prefix() {
        let bytes = key_file();
        for n in 0..bytes.len() {
            match read_key_file(&bytes[..n], KeyKind::Verifying) {
                Err(VerifyError::Truncated(_)) => {}
                other => panic!("prefix of {n} bytes: expected Truncated, got {other:?}"),
            }
        }
    }

    #[test]
    fn key_file_trailing_bytes_refused() {
        let mut bytes = key_file();
        bytes.push(0);
        assert!(matches!(
            read_key_file(&bytes, KeyKind::Verifying),
            Err(VerifyError::Format(m)) if m.contains("trailing")
        ));
    }

    #[test]
    fn key_file_bad_magic_and_garbage() {
        let mut bytes = key_file();
        bytes[0] = b'X';
        assert!(matches!(
            read_key_file(&bytes, KeyKind::Verifying),
            Err(VerifyError::BadMagic { expected: "key" })
        ));
        assert!(matches!(
            read_key_file(b"{\"format\":\"veil-proof\"}", KeyKind::Verifying),
            Err(VerifyError::BadMagic { .. })
        ));
        // Deterministic pseudo-random garbage, with and without a valid magic in front.
        let mut state = 0x1234_5678_9abc_def0u64;
        for len in 0..300usize {
            let mut garbage = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                garbage.push(state as u8);
            }
            assert!(read_key_file(&garbage, KeyKind::Verifying).is_err());
            let mut with_magic = KEY_MAGIC.to_vec();
            with_magic.extend_from_slice(&garbage);
            assert!(read_key_file(&with_magic, KeyKind::Verifying).is_err());
            assert!(read_key_file(&with_magic, KeyKind::Proving).is_err());
        }
    }

    #[test]
    fn key_file_every_single_byte_change_is_refused_or_read_as_such() {
        // Changing any header byte either is refused or changes what is read; never a panic.
        let bytes = key_file();
        let (h, body) = read_key_file(&bytes, KeyKind::Verifying).unwrap();
        for i in 0..bytes.len() {
            for delta in [1u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] = b[i].wrapping_add(delta);
                if let Ok((h2, body2)) = read_key_file(&b, KeyKind::Verifying) {
                    assert!(h2 != h || body2 != body, "byte {i} changed unnoticed");
                }
            }
        }
    }

    #[test]
    fn key_file_other_format_version_refused() {
        let mut bytes = key_file();
        bytes[8..12].copy_from_slice(&5u32.to_le_bytes());
        assert!(matches!(
            read_key_file(&bytes, KeyKind::Verifying),
            Err(VerifyError::UnsupportedVersion {
                what: "key file",
                found: 5,
                supported: 4
            })
        ));
    }

    fn ceremony(kind: KeyKind) -> KeyHeader {
        KeyHeader {
            origin: KeySource::Ceremony {
                transcript_hash: Bytes32([0x5a; 32]),
                contributions: 3,
            },
            ..header(kind)
        }
    }

    #[test]
    fn ceremony_keys_are_version_4_with_their_origin_under_the_digest() {
        use sha3::{Digest, Sha3_256};
        for (kind, layout) in [
            (KeyKind::Verifying, KEY_FORMAT_VERSION_1),
            (KeyKind::Proving, KEY_FORMAT_VERSION),
            (KeyKind::Proving, KEY_FORMAT_VERSION_3),
        ] {
            let h = ceremony(kind);
            let bytes = write_key_file_version(&h, b"the body bytes", layout);
            assert_eq!(&bytes[8..12], &4u32.to_le_bytes());
            assert_eq!(&bytes[27..59], &[7u8; 32]);
            assert_eq!(u32::from(bytes[59]), layout);
            assert_eq!(bytes[60], 1);
            assert_eq!(&bytes[61..93], &[0x5a; 32]);
            assert_eq!(&bytes[93..97], &3u32.to_le_bytes());
            let mut hasher = Sha3_256::new();
            hasher.update(&bytes[..97]);
            hasher.update(b"the body bytes");
            let digest: [u8; 32] = hasher.finalize().into();
            assert_eq!(&bytes[97..129], &digest);
            assert_eq!(&bytes[129..137], &14u64.to_le_bytes());
            assert_eq!(&bytes[137..], b"the body bytes");
            // Read back: the header with its origin, and the body layout as the version.
            let (v, h2, body) = read_key_file_versioned(&bytes, kind).unwrap();
            assert_eq!((v, &h2, body), (layout, &h, &b"the body bytes"[..]));
            // Every byte of the header and the body is under the digest: changing one is
            // refused (as corrupted, or as the field it breaks), never read as another key.
            for i in 12..bytes.len() {
                if (129..137).contains(&i) {
                    continue; // the body length: truncated or trailing bytes
                }
                let mut b = bytes.clone();
                b[i] ^= 0x01;
                assert!(
                    read_key_file(&b, kind).is_err(),
                    "byte {i} changed unnoticed"
                );
            }
            for n in 0..bytes.len() {
                assert!(
                    matches!(
                        read_key_file(&bytes[..n], kind),
                        Err(VerifyError::Truncated(_))
                    ),
                    "prefix {n}"
                );
            }
        }
        // The origin bytes in particular: another transcript hash or count is a corrupted key.
        let bytes = write_key_file(&ceremony(KeyKind::Proving), b"pk");
        for i in [61, 92, 93] {
            let mut b = bytes.clone();
            b[i] ^= 0x80;
            assert!(matches!(
                read_key_file(&b, KeyKind::Proving),
                Err(VerifyError::CorruptedKey { .. })
            ));
        }
        // Keys without a recorded origin are written as before, byte for byte.
        assert_eq!(&key_file()[8..12], &1u32.to_le_bytes());
        assert_eq!(
            &write_key_file(&header(KeyKind::Proving), b"pk")[8..12],
            &2u32.to_le_bytes()
        );
    }

    #[test]
    fn version_4_refusals() {
        let bytes = write_key_file(&ceremony(KeyKind::Verifying), b"vk");
        // An unknown body layout or origin code.
        for (at, value, needle) in [
            (59, 0u8, "body layout"),
            (59, 4, "body layout"),
            (60, 0, "origin code"),
            (60, 2, "origin code"),
        ] {
            let mut b = bytes.clone();
            b[at] = value;
            assert!(
                matches!(read_key_file(&b, KeyKind::Verifying), Err(VerifyError::Format(m)) if m.contains(needle)),
                "{at}={value}"
            );
        }
        // A ceremony with no contribution.
        let h = KeyHeader {
            origin: KeySource::Ceremony {
                transcript_hash: Bytes32([1; 32]),
                contributions: 0,
            },
            ..header(KeyKind::Verifying)
        };
        assert!(matches!(
            read_key_file(&write_key_file(&h, b"vk"), KeyKind::Verifying),
            Err(VerifyError::Format(m)) if m.contains("no contribution")
        ));
        // A Plonky2 key has no trusted setup to come from.
        let h = KeyHeader {
            backend: Backend::Plonky2,
            ..ceremony(KeyKind::Verifying)
        };
        assert!(matches!(
            read_key_file(&write_key_file(&h, b"vk"), KeyKind::Verifying),
            Err(VerifyError::Format(m)) if m.contains("only Groth16")
        ));
    }

    #[test]
    fn proving_keys_are_version_2_with_a_body_digest() {
        use sha3::{Digest, Sha3_256};
        let h = header(KeyKind::Proving);
        let bytes = write_key_file(&h, b"the body bytes");
        assert_eq!(&bytes[8..12], &2u32.to_le_bytes());
        assert_eq!(&bytes[27..59], &[7u8; 32]);
        let digest: [u8; 32] = Sha3_256::digest(b"the body bytes").into();
        assert_eq!(&bytes[59..91], &digest);
        assert_eq!(&bytes[91..99], &14u64.to_le_bytes());
        assert_eq!(&bytes[99..], b"the body bytes");
        let (h2, body) = read_key_file(&bytes, KeyKind::Proving).unwrap();
        assert_eq!((h2, body), (h.clone(), &b"the body bytes"[..]));
        for n in 0..bytes.len() {
            assert!(
                matches!(
                    read_key_file(&bytes[..n], KeyKind::Proving),
                    Err(VerifyError::Truncated(_))
                ),
                "prefix {n}"
            );
        }
        // Verifying keys stay version 1, byte for byte (their id is the file's digest); a
        // version 2 verifying key is read too, and so is a version 1 proving key.
        let v = header(KeyKind::Verifying);
        assert_eq!(&key_file()[8..12], &1u32.to_le_bytes());
        let v2 = write_key_file_version(&v, b"vk", KEY_FORMAT_VERSION);
        assert_eq!(
            read_key_file(&v2, KeyKind::Verifying).unwrap(),
            (v, &b"vk"[..])
        );
        let p1 = write_key_file_version(&h, b"pk", KEY_FORMAT_VERSION_1);
        assert_eq!(&p1[8..12], &1u32.to_le_bytes());
        assert_eq!(
            read_key_file(&p1, KeyKind::Proving).unwrap(),
            (h, &b"pk"[..])
        );
    }

    #[test]
    fn a_corrupted_proving_key_body_is_refused_as_corrupted() {
        let bytes = write_key_file(&header(KeyKind::Proving), b"the body bytes");
        for i in 99..bytes.len() {
            for delta in [1u8, 0x80] {
                let mut b = bytes.clone();
                b[i] = b[i].wrapping_add(delta);
                match read_key_file(&b, KeyKind::Proving) {
                    Err(
                        e @ VerifyError::CorruptedKey {
                            what: "proving key",
                        },
                    ) => {
                        assert!(e.to_string().starts_with("the proving key is corrupted"))
                    }
                    other => panic!("byte {i}: expected CorruptedKey, got {other:?}"),
                }
            }
        }
        // So is a change of the digest itself.
        let mut b = bytes.clone();
        b[60] ^= 1;
        assert!(matches!(
            read_key_file(&b, KeyKind::Proving),
            Err(VerifyError::CorruptedKey { .. })
        ));
    }

    #[test]
    fn key_file_wrong_kind_refused() {
        let bytes = write_key_file(&header(KeyKind::Proving), b"pk");
        match read_key_file(&bytes, KeyKind::Verifying) {
            Err(VerifyError::Format(m)) => {
                assert_eq!(m, "this is a proving key, expected a verifying key")
            }
            other => panic!("expected a Format error, got {other:?}"),
        }
        let bytes = key_file();
        match read_key_file(&bytes, KeyKind::Proving) {
            Err(VerifyError::Format(m)) => {
                assert_eq!(m, "this is a verifying key, expected a proving key")
            }
            other => panic!("expected a Format error, got {other:?}"),
        }
        let mut bytes = key_file();
        bytes[12] = 9;
        assert!(matches!(
            read_key_file(&bytes, KeyKind::Verifying),
            Err(VerifyError::Format(m)) if m.contains("kind")
        ));
    }

    #[test]
    fn key_file_unknown_backend_and_bad_circuit_id_refused() {
        let mut bytes = key_file();
        bytes[13] = 7;
        assert!(matches!(
            read_key_file(&bytes, KeyKind::Verifying),
            Err(VerifyError::Format(m)) if m.contains("backend code 7")
        ));
        let mut bytes = key_file();
        bytes[16..23].copy_from_slice(b"tier-21");
        assert!(matches!(
            read_key_file(&bytes, KeyKind::Verifying),
            Err(VerifyError::Format(m)) if m.contains("circuit id")
        ));
        let mut bytes = key_file();
        bytes[16] = 0xff;
        assert!(matches!(
            read_key_file(&bytes, KeyKind::Verifying),
            Err(VerifyError::Format(m)) if m.contains("UTF-8")
        ));
        // A huge body length is a truncated file, not an allocation.
        let mut bytes = key_file();
        bytes[59..67].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            read_key_file(&bytes, KeyKind::Verifying),
            Err(VerifyError::Truncated(_))
        ));
    }

    #[test]
    fn key_header_expect() {
        let h = header(KeyKind::Proving);
        let tier20: CircuitId = "tier-20".parse().unwrap();
        h.expect(tier20, Backend::Groth16).unwrap();
        match h.expect("tier-16".parse().unwrap(), Backend::Groth16) {
            Err(VerifyError::WrongCircuit {
                what,
                expected,
                found,
            }) => {
                assert_eq!(what, "proving key");
                assert_eq!(expected, "tier-16");
                assert_eq!(found, "tier-20");
            }
            other => panic!("{other:?}"),
        }
        match header(KeyKind::Verifying).expect(
            CircuitId::default_for(CircuitKind::Ownership),
            Backend::Groth16,
        ) {
            Err(VerifyError::WrongCircuit {
                what: "verifying key",
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        let old = KeyHeader {
            circuit_version: 0,
            ..h.clone()
        };
        match old.expect(tier20, Backend::Groth16) {
            Err(VerifyError::WrongCircuitVersion {
                what,
                circuit,
                expected,
                found,
            }) => {
                assert_eq!(
                    (what, circuit.as_str(), expected, found),
                    ("proving key", "tier-20", 1, 0)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn envelope_json_round_trip_and_layout() {
        let env = envelope();
        let json = env.to_json();
        assert_eq!(ProofEnvelope::from_json(&json).unwrap(), env);
        let v = env.to_json_value();
        assert_eq!(v["format"], "veil-proof");
        assert_eq!(v["format_version"], 1);
        assert_eq!(v["circuit"], "tier-20");
        assert_eq!(v["circuit_version"], 1);
        assert_eq!(v["backend"], "groth16");
        assert_eq!(v["key_digest"], "ab".repeat(32));
        assert_eq!(v["statement"]["min_tier"], 2);
        assert_eq!(v["proof"], "010203ff");
        assert_eq!(ProofEnvelope::from_json_value(&v).unwrap(), env);

        let own = ProofEnvelope {
            circuit: "ownership-8".parse().unwrap(),
            statement: Statement::Ownership(OwnershipStatement {
                root: Bytes32::from_u64(9),
                package_id: Bytes32([0xee; 32]),
                now: 1_700_000_000,
                challenge: Bytes32([0x11; 32]),
                tag: Bytes32::from_u64(10),
            }),
            proof: vec![],
            ..env
        };
        assert_eq!(ProofEnvelope::from_json(&own.to_json()).unwrap(), own);
    }

    #[test]
    fn envelope_canonical_bytes_are_compact_and_ordered() {
        let env = envelope();
        let c = String::from_utf8(env.canonical_bytes()).unwrap();
        let expected = format!(
            concat!(
                "{{\"format\":\"veil-proof\",\"format_version\":1,\"circuit\":\"tier-20\",",
                "\"circuit_version\":1,\"backend\":\"groth16\",\"key_digest\":\"{}\",",
                "\"statement\":{{\"root\":\"{}\",\"min_tier\":2,\"epoch_beacon\":\"{}\",",
                "\"request_binding\":\"{}\",\"nullifier\":\"{}\",\"quota\":6}},",
                "\"proof\":\"010203ff\"}}"
            ),
            "ab".repeat(32),
            Bytes32::from_u64(1),
            Bytes32::from_u64(3),
            Bytes32::from_u64(4),
            Bytes32::from_u64(5),
        );
        assert_eq!(c, expected);
        assert_eq!(ProofEnvelope::from_json(&c).unwrap(), env);
        // Reading back the pretty form gives the same canonical bytes.
        let again = ProofEnvelope::from_json(&env.to_json()).unwrap();
        assert_eq!(again.canonical_bytes(), env.canonical_bytes());
        // Pretty JSON keeps the same key order.
        let pretty = env.to_json();
        let pos = |k: &str| pretty.find(&format!("\"{k}\"")).unwrap();
        let keys = [
            "format",
            "format_version",
            "circuit",
            "circuit_version",
            "backend",
            "key_digest",
            "statement",
            "proof",
        ];
        for w in keys.windows(2) {
            assert!(pos(w[0]) < pos(w[1]), "{} before {}", w[0], w[1]);
        }
    }

    fn refused(v: serde_json::Value) -> VerifyError {
        ProofEnvelope::from_json(&v.to_string()).expect_err("should be refused")
    }

    #[test]
    fn envelope_refusals() {
        let good = envelope().to_json_value();
        assert!(matches!(
            ProofEnvelope::from_json("not json"),
            Err(VerifyError::Format(m)) if m.contains("not JSON")
        ));
        assert!(matches!(
            ProofEnvelope::from_json("[1,2]"),
            Err(VerifyError::Format(_))
        ));
        assert!(matches!(
            ProofEnvelope::from_json(""),
            Err(VerifyError::Format(_))
        ));

        for field in [
            "format",
            "format_version",
            "circuit",
            "circuit_version",
            "backend",
            "key_digest",
            "statement",
            "proof",
        ] {
            let mut v = good.clone();
            v.as_object_mut().unwrap().remove(field);
            assert!(
                matches!(refused(v), VerifyError::Format(_)),
                "missing {field}"
            );
        }

        let mut v = good.clone();
        v["extra"] = 1.into();
        assert!(matches!(refused(v), VerifyError::Format(m) if m.contains("extra")));

        let mut v = good.clone();
        v["format"] = "veil-key".into();
        assert!(matches!(refused(v), VerifyError::Format(m) if m.contains("not a veil proof")));

        let mut v = good.clone();
        v["format_version"] = 2.into();
        v["new_field_of_v2"] = true.into();
        assert!(matches!(
            refused(v),
            VerifyError::UnsupportedVersion {
                what: "proof envelope",
                found: 2,
                supported: 1
            }
        ));

        let mut v = good.clone();
        v["format_version"] = "1".into();
        assert!(matches!(refused(v), VerifyError::Format(_)));

        let mut v = good.clone();
        v["circuit"] = "revenue-20".into();
        assert!(matches!(refused(v), VerifyError::Format(_)));

        let mut v = good.clone();
        v["backend"] = "plonky3".into();
        assert!(matches!(refused(v), VerifyError::Format(m) if m.contains("backend")));

        // A tier statement in an ownership envelope.
        let mut v = good.clone();
        v["circuit"] = "ownership-20".into();
        assert!(matches!(refused(v), VerifyError::Format(m) if m.contains("ownership")));

        let mut v = good.clone();
        v["statement"]["extra"] = 1.into();
        assert!(matches!(refused(v), VerifyError::Format(_)));

        let mut v = good.clone();
        v["statement"].as_object_mut().unwrap().remove("quota");
        assert!(matches!(refused(v), VerifyError::Format(_)));

        for bad in ["0g", "abc", "zz"] {
            let mut v = good.clone();
            v["proof"] = bad.into();
            assert!(matches!(refused(v), VerifyError::Format(m) if m.contains("hex")));
        }

        for bad in ["ab", "xy".repeat(32).as_str()] {
            let mut v = good.clone();
            v["key_digest"] = bad.into();
            assert!(matches!(refused(v), VerifyError::Format(_)));
        }

        let mut v = good.clone();
        v["statement"]["root"] = "zz".into();
        assert!(matches!(refused(v), VerifyError::Format(_)));
    }
}
