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

pub use crate::list::CircuitKind;

/// What the size in a circuit id measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SizeParam {
    /// log2 of a Merkle tree's capacity in leaves; even, because trees are 4-ary.
    Depth,
    /// The number of item slots of a batch (readings, transactions, payments); a batch of
    /// fewer items is padded with empty slots.
    Capacity,
}

pub const MIN_DEPTH: u32 = 2;
pub const MAX_DEPTH: u32 = 32;
pub const MIN_CAPACITY: u32 = 1;
/// 2^16 slots: a 65,536-transaction revenue circuit is about 37 million constraints.
pub const MAX_CAPACITY: u32 = 1 << 16;

impl CircuitKind {
    /// Version of the circuit's rules and public-input layout; bumped on any change, so that
    /// keys made for another version are refused.
    ///
    /// Version 2 (issue 10): metering and isolation commitments start from a secret blinding;
    /// renewal forces a fresh, range-checked token id.
    pub fn version(self) -> u32 {
        match self {
            CircuitKind::Metering | CircuitKind::Isolation | CircuitKind::Renewal => 2,
            _ => 1,
        }
    }

    /// Checks a size for this kind.
    pub fn check_size(self, size: u32) -> Result<(), String> {
        match self.size_param() {
            SizeParam::Depth => {
                if !(MIN_DEPTH..=MAX_DEPTH).contains(&size) || !size.is_multiple_of(2) {
                    return Err(format!(
                        "{}: tree depth must be even and between {MIN_DEPTH} and {MAX_DEPTH} (trees are 4-ary), got {size}",
                        self.name()
                    ));
                }
            }
            SizeParam::Capacity => {
                if !(MIN_CAPACITY..=MAX_CAPACITY).contains(&size) {
                    return Err(format!(
                        "{}: capacity must be between {MIN_CAPACITY} and {MAX_CAPACITY}, got {size}",
                        self.name()
                    ));
                }
            }
        }
        Ok(())
    }

    fn known() -> String {
        CircuitKind::ALL.map(|k| k.name()).join(", ")
    }
}

/// A circuit with its size parameter fixed: `ownership-20` is the ownership circuit over a
/// Merkle tree of 2^20 leaves, `revenue-256` the revenue circuit over batches of up to 256
/// transactions. The size is fixed at setup: keys and proofs for one id are refused for any
/// other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CircuitId {
    pub kind: CircuitKind,
    /// The kind's size parameter ([`CircuitKind::size_param`]): a tree depth or a capacity.
    pub size: u32,
}

impl CircuitId {
    pub fn new(kind: CircuitKind, size: u32) -> Result<Self, String> {
        kind.check_size(size)?;
        Ok(CircuitId { kind, size })
    }

    pub fn default_for(kind: CircuitKind) -> Self {
        CircuitId {
            kind,
            size: kind.default_size(),
        }
    }

    pub fn version(&self) -> u32 {
        self.kind.version()
    }

    /// Number of 4-ary levels in the tree (tree kinds; 0 for batch kinds).
    pub fn levels(&self) -> usize {
        match self.kind.size_param() {
            SizeParam::Depth => (self.size / 2) as usize,
            SizeParam::Capacity => 0,
        }
    }

    /// Number of item slots (batch kinds; 0 for tree kinds).
    pub fn capacity(&self) -> usize {
        match self.kind.size_param() {
            SizeParam::Depth => 0,
            SizeParam::Capacity => self.size as usize,
        }
    }

    /// The size in words: "Merkle tree of 2^20 leaves", "up to 256 transactions".
    pub fn size_description(&self) -> String {
        match self.kind.size_param() {
            SizeParam::Depth => format!("Merkle tree of 2^{} leaves", self.size),
            SizeParam::Capacity => format!("up to {} {}", self.size, self.kind.items_name()),
        }
    }
}

impl fmt::Display for CircuitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind.name(), self.size)
    }
}

impl FromStr for CircuitId {
    type Err = String;
    /// Accepts `NAME` (the kind's default size) or `NAME-SIZE`: `ownership`, `tier-16`,
    /// `revenue-256`, ...
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, size) = match s.rsplit_once('-') {
            Some((n, d)) if d.chars().all(|c| c.is_ascii_digit()) && !d.is_empty() => (
                n,
                Some(d.parse::<u32>().map_err(|_| format!("bad size in {s:?}"))?),
            ),
            _ => (s, None),
        };
        let kind = CircuitKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| format!("unknown circuit {name:?} (known: {})", CircuitKind::known()))?;
        CircuitId::new(kind, size.unwrap_or(kind.default_size()))
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
        assert!("payroll".parse::<CircuitId>().is_err());
        assert!("groth17".parse::<Backend>().is_err());
    }

    #[test]
    fn batch_ids_carry_a_capacity() {
        let id: CircuitId = "revenue".parse().unwrap();
        assert_eq!(id.to_string(), "revenue-256");
        assert_eq!(id.capacity(), 256);
        assert_eq!(id.levels(), 0);
        let id: CircuitId = "metering-7".parse().unwrap();
        assert_eq!((id.kind, id.size), (CircuitKind::Metering, 7));
        assert!("waterfall-0".parse::<CircuitId>().is_err());
        assert!("isolation-65537".parse::<CircuitId>().is_err());
        assert_eq!(
            "renewal".parse::<CircuitId>().unwrap().to_string(),
            "renewal-20"
        );
        assert!("renewal-7".parse::<CircuitId>().is_err());
        assert_ne!(
            "revenue-64".parse::<CircuitId>().unwrap(),
            "revenue-256".parse::<CircuitId>().unwrap()
        );
        for kind in CircuitKind::ALL {
            let id = CircuitId::default_for(kind);
            assert_eq!(id.to_string().parse::<CircuitId>().unwrap(), id);
        }
    }
}
