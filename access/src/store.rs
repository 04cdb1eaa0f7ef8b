//! The content keys store: a folder with, for each content,
//! `<content_id>.manifest` (the manifest's bytes, exactly as the creator signed them) and
//! `<content_id>.key` (K_content, 32 raw bytes; keep the folder readable by the service only).
//! `veil access publish` writes both. The store is read once at start.

use crate::manifest::{Manifest, MAX_MANIFEST_BYTES};
use std::collections::HashMap;
use std::path::Path;
use veil_verifier::Bytes32;
use zeroize::Zeroizing;

pub struct Content {
    pub manifest: Manifest,
    pub manifest_bytes: Vec<u8>,
    pub manifest_hash: Bytes32,
    pub k_content: Zeroizing<[u8; 32]>,
}

#[derive(Default)]
pub struct ContentStore {
    contents: HashMap<Bytes32, Content>,
}

fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if len > max {
        return Err(format!(
            "{}: {len} bytes, at most {max} expected",
            path.display()
        ));
    }
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

impl ContentStore {
    pub fn read(dir: &Path) -> Result<Self, String> {
        let mut contents = HashMap::new();
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(stem) = name.strip_suffix(".manifest") else {
                continue;
            };
            let id: Bytes32 = stem.parse().map_err(|_| {
                format!(
                    "{}: a manifest's file name is its content id (64 hex digits)",
                    path.display()
                )
            })?;
            let manifest_bytes = read_bounded(&path, MAX_MANIFEST_BYTES as u64)?;
            let manifest = Manifest::from_bytes(&manifest_bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if manifest.content_id != id {
                return Err(format!(
                    "{}: the manifest is for another content id than its file name",
                    path.display()
                ));
            }
            let key_path = dir.join(format!("{stem}.key"));
            let key = Zeroizing::new(read_bounded(&key_path, 32)?);
            let k_content: [u8; 32] = key
                .as_slice()
                .try_into()
                .map_err(|_| format!("{}: a content key is 32 bytes", key_path.display()))?;
            contents.insert(
                id,
                Content {
                    manifest_hash: crate::sha3_256(&manifest_bytes),
                    manifest,
                    manifest_bytes,
                    k_content: Zeroizing::new(k_content),
                },
            );
        }
        Ok(ContentStore { contents })
    }

    pub fn get(&self, id: &Bytes32) -> Option<&Content> {
        self.contents.get(id)
    }

    pub fn len(&self) -> usize {
        self.contents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.contents.is_empty()
    }
}
