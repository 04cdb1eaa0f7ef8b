//! 32-byte values as they appear in witnesses, statements and envelopes.
//!
//! One wrapper, written as 64 lowercase hex digits (an optional `0x` is accepted on read),
//! serves identifiers, secrets and digests. What the bytes mean in a field is the backend's
//! business (see [`crate::encoding`]).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Bytes32(pub [u8; 32]);

/// A 32-byte identifier (package, publisher, customer, token, nonce): any bytes are valid.
pub type Id = Bytes32;
/// One element of a backend's hash domain (a Poseidon output, a secret, a beacon),
/// in its canonical big-endian encoding.
pub type Digest = Bytes32;

impl Bytes32 {
    pub const ZERO: Bytes32 = Bytes32([0u8; 32]);

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A 32-byte value whose big-endian integer is `v`.
    pub fn from_u64(v: u64) -> Self {
        let mut b = [0u8; 32];
        b[24..].copy_from_slice(&v.to_be_bytes());
        Bytes32(b)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected 64 hex digits (32 bytes), got {0:?}")]
pub struct ParseBytes32Error(pub String);

impl FromStr for Bytes32 {
    type Err = ParseBytes32Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.strip_prefix("0x").unwrap_or(s);
        let shown = || s.chars().take(80).collect::<String>();
        if t.len() != 64 {
            return Err(ParseBytes32Error(shown()));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(t, &mut out).map_err(|_| ParseBytes32Error(shown()))?;
        Ok(Bytes32(out))
    }
}

impl fmt::Display for Bytes32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Bytes32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes32({})", self.to_hex())
    }
}

impl Serialize for Bytes32 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Bytes32 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_refusals() {
        let v = Bytes32::from_u64(0x0102);
        let s = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<Bytes32>(&s).unwrap(), v);
        assert_eq!(format!("0x{}", v.to_hex()).parse::<Bytes32>().unwrap(), v);
        assert!("00".parse::<Bytes32>().is_err());
        assert!("zz".repeat(32).parse::<Bytes32>().is_err());
        assert!("0".repeat(66).parse::<Bytes32>().is_err());
    }
}
