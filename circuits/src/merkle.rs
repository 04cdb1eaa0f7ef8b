//! 4-ary Poseidon Merkle trees: the native tree and the in-circuit path check.
//!
//! A tree of depth d (log2 of its capacity, even) has d/2 levels of 4-ary nodes. A node is
//! H_MerkleNode(c0, c1, c2, c3); empty slots hold [`NativeHasher::empty_leaf`] and empty
//! subtrees their hash. A path lists, from the leaf up, the three siblings at each level in
//! slot order, skipping the slot the path goes through; the leaf index gives those slots
//! (base-4 digits, least significant first).

use crate::api::{Api, HashInput};
use crate::error::CircuitError;
use crate::hash::{Domain, NativeHasher, NativeInput};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use veil_verifier::Bytes32;

/// An authentication path in a 4-ary tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerklePath {
    /// The leaf's position.
    pub index: u64,
    /// Per level from the leaf up: the three siblings in slot order.
    pub siblings: Vec<[Bytes32; 3]>,
}

impl MerklePath {
    /// Checks the path fits a tree of `levels` levels.
    pub fn check_shape(&self, levels: usize) -> Result<(), String> {
        if self.siblings.len() != levels {
            return Err(format!(
                "the path has {} levels, the circuit's tree has {levels}",
                self.siblings.len()
            ));
        }
        if levels < 32 && self.index >> (2 * levels) != 0 {
            return Err(format!(
                "leaf index {} does not fit a tree of {} leaves",
                self.index,
                1u128 << (2 * levels)
            ));
        }
        Ok(())
    }

    /// The slot (0..4) the path goes through at `level`.
    pub fn digit(&self, level: usize) -> u8 {
        ((self.index >> (2 * level)) & 3) as u8
    }
}

/// The four children of a node, with `cur` placed at `slot` among the three siblings.
fn place(cur: Bytes32, slot: u8, siblings: &[Bytes32; 3]) -> [Bytes32; 4] {
    let mut out = [Bytes32::ZERO; 4];
    let mut s = siblings.iter();
    for (i, o) in out.iter_mut().enumerate() {
        *o = if i as u8 == slot {
            cur
        } else {
            *s.next().expect("three siblings")
        };
    }
    out
}

pub fn hash_node<H: NativeHasher>(children: &[Bytes32; 4]) -> Result<Bytes32, CircuitError> {
    let inputs: Vec<NativeInput> = children.iter().map(|c| NativeInput::Digest(*c)).collect();
    H::hash(Domain::MerkleNode, &inputs)
}

/// The root a leaf and its path lead to.
pub fn root_from_path<H: NativeHasher>(
    leaf: Bytes32,
    path: &MerklePath,
) -> Result<Bytes32, CircuitError> {
    let mut cur = leaf;
    for (level, sib) in path.siblings.iter().enumerate() {
        cur = hash_node::<H>(&place(cur, path.digit(level), sib))?;
    }
    Ok(cur)
}

/// A sparse 4-ary Merkle tree with leaves filled from index 0; cost is proportional to
/// the number of leaves, not the capacity.
pub struct MerkleTree<H: NativeHasher> {
    levels: usize,
    /// layers[0] = leaves, layers[levels] = [root]; each holds only its non-empty prefix.
    layers: Vec<Vec<Bytes32>>,
    /// empty[l] = the value of an empty subtree at layer l.
    empty: Vec<Bytes32>,
    _h: PhantomData<H>,
}

impl<H: NativeHasher> MerkleTree<H> {
    pub fn new(depth: u32, leaves: Vec<Bytes32>) -> Result<Self, CircuitError> {
        if !depth.is_multiple_of(2) || depth > 62 {
            return Err(CircuitError::Shape(format!(
                "tree depth must be even, got {depth}"
            )));
        }
        let levels = (depth / 2) as usize;
        if (leaves.len() as u128) > 1u128 << depth {
            return Err(CircuitError::Shape(format!(
                "{} leaves do not fit a tree of depth {depth}",
                leaves.len()
            )));
        }
        let mut empty = vec![H::empty_leaf()];
        for l in 0..levels {
            let e = empty[l];
            empty.push(hash_node::<H>(&[e, e, e, e])?);
        }
        let mut layers = vec![leaves];
        for l in 0..levels {
            let below = &layers[l];
            let mut up = Vec::with_capacity(below.len().div_ceil(4));
            for chunk in below.chunks(4) {
                let mut c = [empty[l]; 4];
                c[..chunk.len()].copy_from_slice(chunk);
                up.push(hash_node::<H>(&c)?);
            }
            layers.push(up);
        }
        Ok(MerkleTree {
            levels,
            layers,
            empty,
            _h: PhantomData,
        })
    }

    pub fn root(&self) -> Bytes32 {
        self.layers[self.levels]
            .first()
            .copied()
            .unwrap_or(self.empty[self.levels])
    }

    pub fn len(&self) -> usize {
        self.layers[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers[0].is_empty()
    }

    pub fn path(&self, index: u64) -> Result<MerklePath, CircuitError> {
        if index as usize >= self.len() {
            return Err(CircuitError::Shape(format!(
                "no leaf at index {index} (the tree holds {})",
                self.len()
            )));
        }
        let mut siblings = Vec::with_capacity(self.levels);
        let mut pos = index as usize;
        for l in 0..self.levels {
            let base = pos - pos % 4;
            let mut sib = [Bytes32::ZERO; 3];
            let mut k = 0;
            for i in base..base + 4 {
                if i != pos {
                    sib[k] = self.layers[l].get(i).copied().unwrap_or(self.empty[l]);
                    k += 1;
                }
            }
            siblings.push(sib);
            pos /= 4;
        }
        Ok(MerklePath { index, siblings })
    }
}

/// One level of an allocated path: the two bits of the slot (low, high) and the siblings.
pub type LevelVars<A> = (<A as Api>::Bool, <A as Api>::Bool, [<A as Api>::Digest; 3]);

/// A path allocated as secret inputs.
pub struct PathVars<A: Api> {
    pub levels: Vec<LevelVars<A>>,
}

/// Allocates a path of `levels` levels (values only when proving).
pub fn alloc_path<A: Api>(
    api: &mut A,
    levels: usize,
    path: Option<&MerklePath>,
) -> Result<PathVars<A>, CircuitError> {
    if let Some(p) = path {
        p.check_shape(levels).map_err(CircuitError::Shape)?;
    }
    let mut out = Vec::with_capacity(levels);
    for l in 0..levels {
        let digit = path.map(|p| p.digit(l));
        let b0 = api.secret_bool("path.bit0", digit.map(|d| d & 1 == 1))?;
        let b1 = api.secret_bool("path.bit1", digit.map(|d| d & 2 == 2))?;
        let s0 = api.secret_digest("path.sibling", path.map(|p| p.siblings[l][0]))?;
        let s1 = api.secret_digest("path.sibling", path.map(|p| p.siblings[l][1]))?;
        let s2 = api.secret_digest("path.sibling", path.map(|p| p.siblings[l][2]))?;
        out.push((b0, b1, [s0, s1, s2]));
    }
    Ok(PathVars { levels: out })
}

/// The root that `leaf` and `path` lead to, in the circuit.
pub fn merkle_root<A: Api>(
    api: &mut A,
    leaf: &A::Digest,
    path: &PathVars<A>,
) -> Result<A::Digest, CircuitError> {
    let mut cur = leaf.clone();
    for (level, (b0, b1, [s0, s1, s2])) in path.levels.iter().enumerate() {
        // An error aborts the whole circuit, so an unbalanced scope never outlives it.
        api.enter_scope(&format_args!("merkle.level[{level}]"));
        let nb0 = api.not(b0);
        let nb1 = api.not(b1);
        let at0 = api.and(&nb0, &nb1)?;
        let at3 = api.and(b0, b1)?;
        // slot 0: cur if the path goes through 0, else the first sibling.
        let c0 = api.digest_select(&at0, &cur, s0)?;
        // slot 1: s0 (path at 0), cur (at 1), s1 (at 2 or 3).
        let low = api.digest_select(b0, &cur, s0)?;
        let c1 = api.digest_select(b1, s1, &low)?;
        // slot 2: s1 (path at 0 or 1), cur (at 2), s2 (at 3).
        let high = api.digest_select(b0, s2, &cur)?;
        let c2 = api.digest_select(b1, &high, s1)?;
        // slot 3: cur if the path goes through 3, else the last sibling.
        let c3 = api.digest_select(&at3, &cur, s2)?;
        cur = api.hash(
            Domain::MerkleNode,
            &[
                HashInput::Digest(&c0),
                HashInput::Digest(&c1),
                HashInput::Digest(&c2),
                HashInput::Digest(&c3),
            ],
        )?;
        api.leave_scope();
    }
    Ok(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::PoseidonBls12;

    #[test]
    fn paths_lead_to_the_root() {
        let leaves: Vec<Bytes32> = (1..=23u64).map(Bytes32::from_u64).collect();
        let tree = MerkleTree::<PoseidonBls12>::new(6, leaves.clone()).unwrap();
        for (i, leaf) in leaves.iter().enumerate() {
            let path = tree.path(i as u64).unwrap();
            path.check_shape(3).unwrap();
            assert_eq!(
                root_from_path::<PoseidonBls12>(*leaf, &path).unwrap(),
                tree.root()
            );
        }
        assert!(tree.path(23).is_err());
        let other = Bytes32::from_u64(999);
        let path = tree.path(5).unwrap();
        assert_ne!(
            root_from_path::<PoseidonBls12>(other, &path).unwrap(),
            tree.root()
        );
    }

    #[test]
    fn sparse_tree_matches_full_tree() {
        let leaves: Vec<Bytes32> = (1..=3u64).map(Bytes32::from_u64).collect();
        let sparse = MerkleTree::<PoseidonBls12>::new(4, leaves.clone()).unwrap();
        let mut full = leaves;
        full.resize(16, Bytes32::ZERO);
        let full = MerkleTree::<PoseidonBls12>::new(4, full).unwrap();
        assert_eq!(sparse.root(), full.root());
        assert!(MerkleTree::<PoseidonBls12>::new(2, vec![Bytes32::ZERO; 5]).is_err());
    }
}
