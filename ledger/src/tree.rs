//! A persisted 4-ary Poseidon Merkle tree (the ownership, renewal and tier circuits' tree),
//! updated in place: setting a leaf rehashes only the nodes on its path, depth/2 hashes, and
//! writes them in the caller's transaction. Nodes are stored by (tree, level, index); a node
//! not stored is the empty subtree of its level. The hashing is veil-circuits' own
//! ([`veil_circuits::merkle::hash_node`]), so the roots equal [`veil_circuits::MerkleTree`]'s.

use crate::error::{LedgerError, LedgerResult};
use crate::hashing::by_backend;
use crate::store::{b32, from_sql_u64, to_sql_u64};
use rusqlite::{OptionalExtension, Transaction};
use veil_circuits::merkle::hash_node;
use veil_circuits::{CircuitError, MerklePath, NativeHasher};
use veil_verifier::{Backend, Bytes32};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE trees (
    tree_id BLOB PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    depth INTEGER NOT NULL,
    leaf_count INTEGER NOT NULL,
    -- the epoch of the last published root; 0 before the first
    epoch INTEGER NOT NULL
) STRICT;
CREATE TABLE tree_nodes (
    tree_id BLOB NOT NULL REFERENCES trees(tree_id),
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (tree_id, level, idx)
) STRICT, WITHOUT ROWID;
CREATE TABLE tree_roots (
    tree_id BLOB NOT NULL REFERENCES trees(tree_id),
    epoch INTEGER NOT NULL,
    root BLOB NOT NULL,
    leaf_count INTEGER NOT NULL,
    signed_root TEXT NOT NULL,
    PRIMARY KEY (tree_id, epoch)
) STRICT;
";

fn empty_leaf<H: NativeHasher>() -> Result<Bytes32, CircuitError> {
    Ok(H::empty_leaf())
}

/// The empty subtree of each layer, leaves first.
pub(crate) fn empty_layers(backend: Backend, levels: usize) -> LedgerResult<Vec<Bytes32>> {
    let mut empty = vec![by_backend!(backend, empty_leaf())?];
    for l in 0..levels {
        let e = empty[l];
        empty.push(by_backend!(backend, hash_node(&[e, e, e, e]))?);
    }
    Ok(empty)
}

/// One tree of a store, with its shape; the nodes stay in the store.
pub(crate) struct Tree {
    pub id: Bytes32,
    pub depth: u32,
    pub leaf_count: u64,
    pub epoch: u64,
    levels: usize,
    empty: Vec<Bytes32>,
    backend: Backend,
}

impl Tree {
    /// Creates the tree if it does not exist; an existing one must have this depth and kind.
    pub fn create_or_open(
        tx: &Transaction,
        backend: Backend,
        id: Bytes32,
        kind: &str,
        depth: u32,
    ) -> LedgerResult<Tree> {
        if !depth.is_multiple_of(2) || !(2..=32).contains(&depth) {
            return Err(LedgerError::refused(format!(
                "tree depth must be even and between 2 and 32, got {depth}"
            )));
        }
        tx.execute(
            "INSERT OR IGNORE INTO trees (tree_id, kind, depth, leaf_count, epoch) VALUES (?1, ?2, ?3, 0, 0)",
            rusqlite::params![id.0.to_vec(), kind, depth],
        )?;
        let t = Tree::open(tx, backend, id)?;
        let stored_kind: String = tx.query_row(
            "SELECT kind FROM trees WHERE tree_id = ?1",
            [id.0.to_vec()],
            |r| r.get(0),
        )?;
        if t.depth != depth || stored_kind != kind {
            return Err(LedgerError::refused(format!(
                "the store's {stored_kind} tree has depth {}, not a {kind} tree of depth {depth}",
                t.depth
            )));
        }
        Ok(t)
    }

    pub fn open(tx: &Transaction, backend: Backend, id: Bytes32) -> LedgerResult<Tree> {
        let row = tx
            .query_row(
                "SELECT depth, leaf_count, epoch FROM trees WHERE tree_id = ?1",
                [id.0.to_vec()],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()?;
        let (depth, leaf_count, epoch) =
            row.ok_or_else(|| LedgerError::refused("the store has no such tree yet"))?;
        let levels = (depth / 2) as usize;
        Ok(Tree {
            id,
            depth,
            leaf_count: from_sql_u64(leaf_count),
            epoch: from_sql_u64(epoch),
            levels,
            empty: empty_layers(backend, levels)?,
            backend,
        })
    }

    fn node(&self, tx: &Transaction, level: usize, idx: u64) -> LedgerResult<Bytes32> {
        let got = tx
            .query_row(
                "SELECT hash FROM tree_nodes WHERE tree_id = ?1 AND level = ?2 AND idx = ?3",
                rusqlite::params![self.id.0.to_vec(), level as i64, to_sql_u64(idx, "index")?],
                |r| b32(r, 0),
            )
            .optional()?;
        Ok(got.unwrap_or(self.empty[level]))
    }

    fn set_node(&self, tx: &Transaction, level: usize, idx: u64, h: Bytes32) -> LedgerResult<()> {
        tx.execute(
            "INSERT INTO tree_nodes (tree_id, level, idx, hash) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tree_id, level, idx) DO UPDATE SET hash = excluded.hash",
            rusqlite::params![
                self.id.0.to_vec(),
                level as i64,
                to_sql_u64(idx, "index")?,
                h.0.to_vec()
            ],
        )?;
        Ok(())
    }

    /// Sets leaf `index` and rehashes its path: `levels` hashes.
    fn set_leaf(&self, tx: &Transaction, index: u64, leaf: Bytes32) -> LedgerResult<()> {
        self.set_node(tx, 0, index, leaf)?;
        let mut pos = index;
        for level in 0..self.levels {
            let base = pos - pos % 4;
            let mut children = [Bytes32::ZERO; 4];
            for (k, c) in children.iter_mut().enumerate() {
                *c = self.node(tx, level, base + k as u64)?;
            }
            pos /= 4;
            let parent = by_backend!(self.backend, hash_node(&children))?;
            self.set_node(tx, level + 1, pos, parent)?;
        }
        Ok(())
    }

    /// Appends a leaf; returns its index.
    pub fn append(&mut self, tx: &Transaction, leaf: Bytes32) -> LedgerResult<u64> {
        let index = self.leaf_count;
        if index >> self.depth != 0 {
            return Err(LedgerError::refused(format!(
                "the tree is full ({} leaves, depth {})",
                index, self.depth
            )));
        }
        self.set_leaf(tx, index, leaf)?;
        self.leaf_count += 1;
        tx.execute(
            "UPDATE trees SET leaf_count = ?1 WHERE tree_id = ?2",
            rusqlite::params![
                to_sql_u64(self.leaf_count, "leaf count")?,
                self.id.0.to_vec()
            ],
        )?;
        Ok(index)
    }

    /// Empties leaf `index` (a revocation): the slot keeps its position, its value becomes
    /// the empty leaf, and no path leads to the old leaf any more.
    pub fn clear(&self, tx: &Transaction, index: u64) -> LedgerResult<()> {
        self.set_leaf(tx, index, self.empty[0])
    }

    pub fn root(&self, tx: &Transaction) -> LedgerResult<Bytes32> {
        self.node(tx, self.levels, 0)
    }

    /// The authentication path of leaf `index`, as the circuits take it.
    pub fn path(&self, tx: &Transaction, index: u64) -> LedgerResult<MerklePath> {
        if index >= self.leaf_count {
            return Err(LedgerError::refused(format!(
                "no leaf at index {index} (the tree holds {})",
                self.leaf_count
            )));
        }
        let mut siblings = Vec::with_capacity(self.levels);
        let mut pos = index;
        for level in 0..self.levels {
            let base = pos - pos % 4;
            let mut sib = [Bytes32::ZERO; 3];
            let mut k = 0;
            for i in base..base + 4 {
                if i != pos {
                    sib[k] = self.node(tx, level, i)?;
                    k += 1;
                }
            }
            siblings.push(sib);
            pos /= 4;
        }
        Ok(MerklePath { index, siblings })
    }

    /// Records a new epoch's root and its signed form; returns the epoch.
    pub fn publish(&mut self, tx: &Transaction, signed_root_json: &str) -> LedgerResult<u64> {
        let root = self.root(tx)?;
        self.epoch += 1;
        tx.execute(
            "INSERT INTO tree_roots (tree_id, epoch, root, leaf_count, signed_root) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                self.id.0.to_vec(),
                to_sql_u64(self.epoch, "epoch")?,
                root.0.to_vec(),
                to_sql_u64(self.leaf_count, "leaf count")?,
                signed_root_json
            ],
        )?;
        tx.execute(
            "UPDATE trees SET epoch = ?1 WHERE tree_id = ?2",
            rusqlite::params![to_sql_u64(self.epoch, "epoch")?, self.id.0.to_vec()],
        )?;
        Ok(self.epoch)
    }

    /// The root of the latest published epoch, if any.
    pub fn published_root(&self, tx: &Transaction) -> LedgerResult<Option<(u64, Bytes32, String)>> {
        Ok(tx
            .query_row(
                "SELECT epoch, root, signed_root FROM tree_roots WHERE tree_id = ?1 ORDER BY epoch DESC LIMIT 1",
                [self.id.0.to_vec()],
                |r| Ok((from_sql_u64(r.get(0)?), b32(r, 1)?, r.get::<_, String>(2)?)),
            )
            .optional()?)
    }

    /// Refuses `root` unless it is the latest published root (a stale or unknown root is
    /// refused: proofs must be against the current signed tree).
    pub fn expect_current_root(&self, tx: &Transaction, root: &Bytes32) -> LedgerResult<()> {
        match self.published_root(tx)? {
            Some((_, r, _)) if r == *root => Ok(()),
            Some((epoch, _, _)) => {
                let known: Option<i64> = tx
                    .query_row(
                        "SELECT epoch FROM tree_roots WHERE tree_id = ?1 AND root = ?2 ORDER BY epoch DESC LIMIT 1",
                        rusqlite::params![self.id.0.to_vec(), root.0.to_vec()],
                        |r| r.get(0),
                    )
                    .optional()?;
                Err(LedgerError::refused(match known {
                    Some(e) => format!(
                        "stale root: the proof is against the root of epoch {e}, the current epoch is {epoch}"
                    ),
                    None => format!("unknown root {root}: not a root this issuer published"),
                }))
            }
            None => Err(LedgerError::refused("no root has been published yet")),
        }
    }
}
