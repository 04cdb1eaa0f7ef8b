//! Circuit and backend identifiers shared by every crate.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The proving systems veil compiles circuits to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// R1CS over the BLS12-381 scalar field, proven with Groth16.
    Groth16,
    /// PLONK constraints over the Goldilocks field, proven with Plonky2 (FRI, no trusted
    /// setup), extension degree 2, Poseidon-Goldilocks.
    Plonky2,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Groth16, Backend::Plonky2];

    pub fn name(self) -> &'static str {
        match self {
            Backend::Groth16 => "groth16",
            Backend::Plonky2 => "plonky2",
        }
    }

    /// The backend byte of key files.
    pub fn code(self) -> u8 {
        match self {
            Backend::Groth16 => 1,
            Backend::Plonky2 => 2,
        }
    }

    pub fn from_code(c: u8) -> Option<Backend> {
        match c {
            1 => Some(Backend::Groth16),
            2 => Some(Backend::Plonky2),
            _ => None,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "groth16" => Ok(Backend::Groth16),
            "plonky2" => Ok(Backend::Plonky2),
            other => Err(format!(
                "unknown backend {other:?} (known: groth16, plonky2)"
            )),
        }
    }
}

/// The kinds of circuit veil knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CircuitKind {
    /// `prove_token_ownership`: I hold an active token for this package (seed 000 §3.5, §7.2).
    Ownership,
    /// The ZK tier proof: I hold a tier commitment of at least this tier (seed 002 §7).
    Tier,
}

impl CircuitKind {
    pub const ALL: [CircuitKind; 2] = [CircuitKind::Ownership, CircuitKind::Tier];

    pub fn name(self) -> &'static str {
        match self {
            CircuitKind::Ownership => "ownership",
            CircuitKind::Tier => "tier",
        }
    }

    /// Version of the circuit's rules and public-input layout; bumped on any change, so that
    /// keys made for another version are refused.
    pub fn version(self) -> u32 {
        1
    }

    pub fn default_depth(self) -> u32 {
        20
    }
}

/// A circuit with its size parameters fixed: `ownership-20` is the ownership circuit over a
/// Merkle tree of 2^20 leaves. Keys and proofs for one id are refused for any other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CircuitId {
    pub kind: CircuitKind,
    /// log2 of the tree's capacity in leaves; even, because trees are 4-ary.
    pub depth: u32,
}

pub const MIN_DEPTH: u32 = 2;
pub const MAX_DEPTH: u32 = 32;

impl CircuitId {
    pub fn new(kind: CircuitKind, depth: u32) -> Result<Self, String> {
        if !(MIN_DEPTH..=MAX_DEPTH).contains(&depth) || !depth.is_multiple_of(2) {
            return Err(format!(
                "tree depth must be even and between {MIN_DEPTH} and {MAX_DEPTH} (trees are 4-ary), got {depth}"
            ));
        }
        Ok(CircuitId { kind, depth })
    }

    pub fn default_for(kind: CircuitKind) -> Self {
        CircuitId {
            kind,
            depth: kind.default_depth(),
        }
    }

    pub fn version(&self) -> u32 {
        self.kind.version()
    }

    /// Number of 4-ary levels in the tree.
    pub fn levels(&self) -> usize {
        (self.depth / 2) as usize
    }
}

impl fmt::Display for CircuitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind.name(), self.depth)
    }
}

impl FromStr for CircuitId {
    type Err = String;
    /// Accepts `ownership`, `ownership-20`, `tier`, `tier-16`, ...
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, depth) = match s.rsplit_once('-') {
            Some((n, d)) if d.chars().all(|c| c.is_ascii_digit()) && !d.is_empty() => (
                n,
                Some(
                    d.parse::<u32>()
                        .map_err(|_| format!("bad depth in {s:?}"))?,
                ),
            ),
            _ => (s, None),
        };
        let kind = CircuitKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| format!("unknown circuit {name:?} (known: ownership, tier)"))?;
        CircuitId::new(kind, depth.unwrap_or(kind.default_depth()))
    }
}

impl Serialize for CircuitId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for CircuitId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_print() {
        let id: CircuitId = "tier".parse().unwrap();
        assert_eq!(id.to_string(), "tier-20");
        assert_eq!("ownership-8".parse::<CircuitId>().unwrap().levels(), 4);
        assert!("ownership-7".parse::<CircuitId>().is_err());
        assert!("ownership-40".parse::<CircuitId>().is_err());
        assert!("revenue".parse::<CircuitId>().is_err());
        assert!("groth17".parse::<Backend>().is_err());
    }
}
