//! The epoch beacon `K_epoch` and the per-epoch nullifier set.
//!
//! An epoch is `floor(unix time / epoch_seconds)`. Its beacon is public and derived from the
//! service's public beacon seed:
//!
//! `K_epoch = mask(SHA3-256("veil-access-epoch-v1" ‖ seed (32) ‖ epoch (u64, big-endian)))`
//!
//! where `mask` clears the top two bits of bytes 0, 8, 16 and 24, so that the value is a
//! canonical field element on both backends (below 2^254 < the BLS12-381 scalar modulus, and
//! each big-endian 64-bit limb below 2^62 < the Goldilocks prime). Clients compute the same
//! value from the service description; the tier proof's statement must carry it.
//!
//! The nullifier set is the service's only state: the nullifiers of the current epoch's
//! accepted requests, in memory, dropped when the epoch changes. A nullifier is
//! H(user_secret, K_epoch, slot): it names neither a user nor a content, and nullifiers of
//! different epochs cannot be linked.

use sha3::{Digest as _, Sha3_256};
use std::collections::HashSet;
use std::sync::Mutex;
use veil_verifier::Bytes32;

const EPOCH_DOMAIN: &[u8] = b"veil-access-epoch-v1";

/// The epoch containing unix time `now`.
pub fn epoch_at(now: u64, epoch_seconds: u64) -> u64 {
    now / epoch_seconds.max(1)
}

/// `K_epoch` of `epoch` under the public beacon seed.
pub fn epoch_beacon(seed: &Bytes32, epoch: u64) -> Bytes32 {
    let mut h = Sha3_256::new();
    h.update(EPOCH_DOMAIN);
    h.update(seed.0);
    h.update(epoch.to_be_bytes());
    let mut out: [u8; 32] = h.finalize().into();
    for i in [0, 8, 16, 24] {
        out[i] &= 0x3f;
    }
    Bytes32(out)
}

/// What happened to a nullifier offered to the set.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// New in this epoch: recorded.
    Fresh,
    /// Already used in this epoch (a replay, or a slot used twice).
    Reused,
    /// The request was for an epoch that has ended.
    StaleEpoch,
}

/// The nullifiers of the current epoch.
#[derive(Default)]
pub struct NullifierSet {
    inner: Mutex<(u64, HashSet<[u8; 32]>)>,
}

impl NullifierSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `nullifier` for `epoch` unless it is already there. A later epoch than the
    /// set's drops every nullifier first (rotation); an earlier one is refused.
    pub fn admit(&self, epoch: u64, nullifier: &Bytes32) -> Admission {
        let mut g = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if epoch > g.0 {
            g.0 = epoch;
            g.1 = HashSet::new();
        } else if epoch < g.0 {
            return Admission::StaleEpoch;
        }
        if g.1.insert(nullifier.0) {
            Admission::Fresh
        } else {
            Admission::Reused
        }
    }

    /// How many nullifiers the current epoch holds.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|g| g.1.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beacon_is_canonical_and_changes_per_epoch() {
        let seed = Bytes32([9; 32]);
        let a = epoch_beacon(&seed, 1);
        assert_eq!(a, epoch_beacon(&seed, 1));
        assert_ne!(a, epoch_beacon(&seed, 2));
        assert_ne!(a, epoch_beacon(&Bytes32([8; 32]), 1));
        for e in 0..64 {
            let b = epoch_beacon(&seed, e);
            for i in [0, 8, 16, 24] {
                assert!(b.0[i] < 0x40);
            }
        }
        assert_eq!(epoch_at(7199, 3600), 1);
        assert_eq!(epoch_at(7200, 3600), 2);
        assert_eq!(epoch_at(5, 0), 5);
    }

    #[test]
    fn nullifiers_are_refused_twice_per_epoch_and_dropped_at_rotation() {
        let s = NullifierSet::new();
        let n = Bytes32([1; 32]);
        assert_eq!(s.admit(5, &n), Admission::Fresh);
        assert_eq!(s.admit(5, &n), Admission::Reused);
        assert_eq!(s.admit(5, &Bytes32([2; 32])), Admission::Fresh);
        assert_eq!(s.len(), 2);
        assert_eq!(s.admit(4, &Bytes32([3; 32])), Admission::StaleEpoch);
        assert_eq!(s.admit(6, &n), Admission::Fresh);
        assert_eq!(s.len(), 1);
    }
}
