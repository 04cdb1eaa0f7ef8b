//! The service's configuration: a JSON file, each field overridable by a flag.
//!
//! ```json
//! { "format": "veil-access-config", "format_version": 1,
//!   "listen": "127.0.0.1:8700",
//!   "service_key": "ms.key",
//!   "verifying_key": "keys/tier-4.vk",
//!   "trusted_creators": "creators.json",
//!   "trusted_issuers": "issuers.json",
//!   "content_store": "store",
//!   "epoch_beacon_seed": "<64 hex, public>",
//!   "epoch_seconds": 3600,
//!   "quota": 10,
//!   "max_root_age": 86400,
//!   "max_body_bytes": 65536 }
//! ```
//!
//! Relative paths are relative to the configuration file's folder. `listen`, `epoch_seconds`
//! (3600), `quota` (10), `max_root_age` (86400) and `max_body_bytes` (65536) have defaults.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use veil_verifier::Bytes32;

pub const CONFIG_FORMAT: &str = "veil-access-config";
pub const CONFIG_FORMAT_VERSION: u32 = 1;
/// A configuration file larger than this is refused before it is read.
const MAX_CONFIG_BYTES: u64 = 64 * 1024;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub format: Option<String>,
    pub format_version: Option<u32>,
    pub listen: Option<String>,
    pub service_key: Option<PathBuf>,
    pub verifying_key: Option<PathBuf>,
    pub trusted_creators: Option<PathBuf>,
    pub trusted_issuers: Option<PathBuf>,
    pub content_store: Option<PathBuf>,
    pub epoch_beacon_seed: Option<Bytes32>,
    pub epoch_seconds: Option<u64>,
    pub quota: Option<u32>,
    pub max_root_age: Option<u64>,
    pub max_body_bytes: Option<usize>,
}

/// A complete configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: String,
    pub service_key: PathBuf,
    pub verifying_key: PathBuf,
    pub trusted_creators: PathBuf,
    pub trusted_issuers: PathBuf,
    pub content_store: PathBuf,
    pub epoch_beacon_seed: Bytes32,
    pub epoch_seconds: u64,
    pub quota: u32,
    pub max_root_age: u64,
    pub max_body_bytes: usize,
}

impl ConfigFile {
    /// Reads a configuration file; relative paths in it become relative to its folder.
    pub fn read(path: &Path) -> Result<Self, String> {
        let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let len = std::fs::metadata(path).map_err(|e| at(&e))?.len();
        if len > MAX_CONFIG_BYTES {
            return Err(at(&format!(
                "{len} bytes, a configuration is at most {MAX_CONFIG_BYTES}"
            )));
        }
        let s = std::fs::read_to_string(path).map_err(|e| at(&e))?;
        let mut c: ConfigFile = serde_json::from_str(&s).map_err(|e| at(&e))?;
        if c.format.as_deref().is_some_and(|f| f != CONFIG_FORMAT) {
            return Err(at(&format!("format is not {CONFIG_FORMAT:?}")));
        }
        if c.format_version.is_some_and(|v| v != CONFIG_FORMAT_VERSION) {
            return Err(at(&format!(
                "format version {:?}, this veil-access reads {CONFIG_FORMAT_VERSION}",
                c.format_version
            )));
        }
        let base = path.parent().unwrap_or(Path::new("."));
        for p in [
            &mut c.service_key,
            &mut c.verifying_key,
            &mut c.trusted_creators,
            &mut c.trusted_issuers,
            &mut c.content_store,
        ]
        .into_iter()
        .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        Ok(c)
    }

    /// Fields of `over` (flags) replace those of `self`.
    pub fn overridden_by(self, over: ConfigFile) -> ConfigFile {
        ConfigFile {
            format: self.format,
            format_version: self.format_version,
            listen: over.listen.or(self.listen),
            service_key: over.service_key.or(self.service_key),
            verifying_key: over.verifying_key.or(self.verifying_key),
            trusted_creators: over.trusted_creators.or(self.trusted_creators),
            trusted_issuers: over.trusted_issuers.or(self.trusted_issuers),
            content_store: over.content_store.or(self.content_store),
            epoch_beacon_seed: over.epoch_beacon_seed.or(self.epoch_beacon_seed),
            epoch_seconds: over.epoch_seconds.or(self.epoch_seconds),
            quota: over.quota.or(self.quota),
            max_root_age: over.max_root_age.or(self.max_root_age),
            max_body_bytes: over.max_body_bytes.or(self.max_body_bytes),
        }
    }

    /// The complete configuration, or the name of what is missing.
    pub fn complete(self) -> Result<Config, String> {
        let need = |name: &str| {
            format!(
                "no {name}: set it in the configuration file or with --{}",
                name.replace('_', "-")
            )
        };
        let c = Config {
            listen: self.listen.unwrap_or_else(|| "127.0.0.1:8700".into()),
            service_key: self.service_key.ok_or_else(|| need("service_key"))?,
            verifying_key: self.verifying_key.ok_or_else(|| need("verifying_key"))?,
            trusted_creators: self
                .trusted_creators
                .ok_or_else(|| need("trusted_creators"))?,
            trusted_issuers: self
                .trusted_issuers
                .ok_or_else(|| need("trusted_issuers"))?,
            content_store: self.content_store.ok_or_else(|| need("content_store"))?,
            epoch_beacon_seed: self
                .epoch_beacon_seed
                .ok_or_else(|| need("epoch_beacon_seed"))?,
            epoch_seconds: self.epoch_seconds.unwrap_or(3600),
            quota: self.quota.unwrap_or(10),
            max_root_age: self.max_root_age.unwrap_or(86_400),
            max_body_bytes: self.max_body_bytes.unwrap_or(64 * 1024),
        };
        if c.epoch_seconds == 0 {
            return Err("epoch_seconds must be at least 1".into());
        }
        if c.quota == 0 {
            return Err("quota must be at least 1".into());
        }
        if c.max_body_bytes < 1024 {
            return Err("max_body_bytes must be at least 1024".into());
        }
        Ok(c)
    }
}
