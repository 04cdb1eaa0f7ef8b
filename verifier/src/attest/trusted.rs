//! Trusted keys: the attester (or issuer) public keys a verifier accepts, with names.
//!
//! ```json
//! {
//!   "format": "veil-trusted-keys",
//!   "format_version": 1,
//!   "keys": [
//!     { "name": "auditor-1", "key_id": "<64 hex digits, optional>", "public_key": "<5184 hex digits>" }
//!   ]
//! }
//! ```
//!
//! `key_id`, when present, must be the id of `public_key` (it is there for people reading the
//! file). Names and key ids must be unique. Keep separate files for separate roles (proof
//! attesters, root issuers): a key trusted in one file is trusted for nothing else.

use super::{AttestError, KeyId, PublicKey};
use serde::{Deserialize, Serialize};

/// The `format` field of a trusted-keys file.
pub const TRUSTED_KEYS_FORMAT: &str = "veil-trusted-keys";
/// Version of the trusted-keys layout this crate reads and writes.
pub const TRUSTED_KEYS_FORMAT_VERSION: u32 = 1;

/// A public key with the name it is known by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedKey {
    pub name: String,
    pub key: PublicKey,
}

/// A set of trusted keys, looked up by key id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedKeys {
    keys: Vec<TrustedKey>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryJson {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_id: Option<KeyId>,
    public_key: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileJson {
    format: String,
    format_version: u32,
    keys: Vec<EntryJson>,
}

impl TrustedKeys {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key; refuses an empty name, a name or a key already present.
    pub fn add(&mut self, name: impl Into<String>, key: PublicKey) -> Result<(), AttestError> {
        let name = name.into();
        if name.trim().is_empty() {
            return Err(AttestError::TrustedKeys(
                "trusted keys: a key has an empty name".into(),
            ));
        }
        if let Some(k) = self.get(&key.key_id()) {
            return Err(AttestError::TrustedKeys(format!(
                "trusted keys: key {} is listed twice (as {:?} and {:?})",
                key.key_id(),
                k.name,
                name
            )));
        }
        if self.keys.iter().any(|k| k.name == name) {
            return Err(AttestError::TrustedKeys(format!(
                "trusted keys: the name {name:?} is used twice"
            )));
        }
        self.keys.push(TrustedKey { name, key });
        Ok(())
    }

    /// The trusted key with this id.
    pub fn get(&self, id: &KeyId) -> Option<&TrustedKey> {
        self.keys.iter().find(|k| k.key.key_id() == *id)
    }

    /// The trusted key with this id, or [`AttestError::UnknownKey`] naming `what` was signed.
    pub fn require(&self, id: &KeyId, what: &'static str) -> Result<&TrustedKey, AttestError> {
        self.get(id)
            .ok_or(AttestError::UnknownKey { what, key_id: *id })
    }

    pub fn iter(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.iter()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Reads a trusted-keys file (see the module documentation).
    pub fn from_json(s: &str) -> Result<Self, AttestError> {
        let what = "trusted-keys file";
        let value: serde_json::Value =
            serde_json::from_str(s).map_err(|e| AttestError::format(what, e))?;
        let obj = value
            .as_object()
            .ok_or_else(|| AttestError::format(what, "not a JSON object"))?;
        match obj.get("format").and_then(|f| f.as_str()) {
            Some(TRUSTED_KEYS_FORMAT) => {}
            _ => {
                return Err(AttestError::format(
                    what,
                    format!("expected \"format\": \"{TRUSTED_KEYS_FORMAT}\""),
                ))
            }
        }
        if let Some(v) = obj.get("format_version").and_then(|v| v.as_u64()) {
            if v != u64::from(TRUSTED_KEYS_FORMAT_VERSION) {
                return Err(AttestError::UnsupportedVersion {
                    what,
                    found: v,
                    supported: TRUSTED_KEYS_FORMAT_VERSION,
                });
            }
        }
        let raw: FileJson =
            serde_json::from_value(value).map_err(|e| AttestError::format(what, e))?;
        let mut keys = TrustedKeys::new();
        for (i, e) in raw.keys.into_iter().enumerate() {
            let key = PublicKey::from_hex(&e.public_key).map_err(|err| {
                AttestError::TrustedKeys(format!("trusted keys: key {i} ({:?}): {err}", e.name))
            })?;
            if let Some(id) = e.key_id {
                if id != key.key_id() {
                    return Err(AttestError::TrustedKeys(format!(
                        "trusted keys: key {i} ({:?}) says key_id {id}, but its public key has id {}",
                        e.name,
                        key.key_id()
                    )));
                }
            }
            keys.add(e.name, key)?;
        }
        Ok(keys)
    }

    /// Reads a trusted-keys file from disk.
    pub fn read(path: &std::path::Path) -> Result<Self, AttestError> {
        let s = std::fs::read_to_string(path).map_err(|source| AttestError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&s)
    }

    /// Pretty JSON, with each entry's key id.
    pub fn to_json(&self) -> String {
        let file = FileJson {
            format: TRUSTED_KEYS_FORMAT.into(),
            format_version: TRUSTED_KEYS_FORMAT_VERSION,
            keys: self
                .keys
                .iter()
                .map(|k| EntryJson {
                    name: k.name.clone(),
                    key_id: Some(k.key.key_id()),
                    public_key: k.key.to_hex(),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&file).expect("trusted keys always serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkeys::TestKey;
    use super::*;

    fn two() -> TrustedKeys {
        let mut t = TrustedKeys::new();
        t.add("alice", TestKey::new(1).public()).unwrap();
        t.add("bob", TestKey::new(2).public()).unwrap();
        t
    }

    #[test]
    fn json_round_trip_and_lookup() {
        let t = two();
        let back = TrustedKeys::from_json(&t.to_json()).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.len(), 2);
        assert_eq!(back.get(&TestKey::new(2).id()).unwrap().name, "bob");
        assert!(back.get(&TestKey::new(3).id()).is_none());
        assert!(matches!(
            back.require(&TestKey::new(3).id(), "proof attestation"),
            Err(AttestError::UnknownKey {
                what: "proof attestation",
                ..
            })
        ));
        // key_id is optional.
        let mut v: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
        v["keys"][0].as_object_mut().unwrap().remove("key_id");
        assert_eq!(TrustedKeys::from_json(&v.to_string()).unwrap(), t);
        assert!(TrustedKeys::from_json(
            r#"{"format":"veil-trusted-keys","format_version":1,"keys":[]}"#
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn refusals() {
        let good: serde_json::Value = serde_json::from_str(&two().to_json()).unwrap();
        let refused = |v: serde_json::Value| TrustedKeys::from_json(&v.to_string()).unwrap_err();

        assert!(TrustedKeys::from_json("").is_err());
        assert!(TrustedKeys::from_json("[]").is_err());
        let mut v = good.clone();
        v["format"] = "veil-proof".into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
        let mut v = good.clone();
        v["format_version"] = 2.into();
        assert!(matches!(
            refused(v),
            AttestError::UnsupportedVersion { found: 2, .. }
        ));
        let mut v = good.clone();
        v["keys"][0]["key_id"] = TestKey::new(9).id().to_hex().into();
        assert!(matches!(refused(v), AttestError::TrustedKeys(m) if m.contains("says key_id")));
        let mut v = good.clone();
        v["keys"][1]["public_key"] = v["keys"][0]["public_key"].clone();
        v["keys"][1].as_object_mut().unwrap().remove("key_id");
        assert!(matches!(refused(v), AttestError::TrustedKeys(m) if m.contains("twice")));
        let mut v = good.clone();
        v["keys"][1]["name"] = "alice".into();
        assert!(matches!(refused(v), AttestError::TrustedKeys(m) if m.contains("twice")));
        let mut v = good.clone();
        v["keys"][1]["name"] = " ".into();
        assert!(matches!(refused(v), AttestError::TrustedKeys(m) if m.contains("empty")));
        // A truncated key, a key that is not hex, an unknown field.
        let mut v = good.clone();
        let short = v["keys"][0]["public_key"].as_str().unwrap()[..100].to_string();
        v["keys"][0]["public_key"] = short.into();
        v["keys"][0].as_object_mut().unwrap().remove("key_id");
        assert!(matches!(refused(v), AttestError::TrustedKeys(m) if m.contains("2592 bytes")));
        let mut v = good.clone();
        v["keys"][0]["public_key"] = "xyz".into();
        assert!(matches!(refused(v), AttestError::TrustedKeys(m) if m.contains("hex")));
        let mut v = good.clone();
        v["keys"][0]["role"] = "admin".into();
        assert!(matches!(refused(v), AttestError::Format { .. }));
    }
}
