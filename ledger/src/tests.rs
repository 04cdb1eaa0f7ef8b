//! Unit tests of the private parts: the persisted tree against veil-circuits' own tree.

use crate::store::{Role, Store};
use crate::tree::Tree;
use veil_circuits::merkle::root_from_path;
use veil_circuits::{MerkleTree, NativeHasher, PoseidonBls12, PoseidonGoldilocks};
use veil_verifier::{Backend, Bytes32};

fn check_tree<H: NativeHasher>(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("i.db"), Role::Issuer, Some(backend)).unwrap();
    let id = Bytes32::from_u64(1);
    let mut leaves: Vec<Bytes32> = Vec::new();
    for i in 1..=11u64 {
        let leaf = veil_circuits::sample::sample_secret("leaf", i);
        leaves.push(leaf);
        store
            .write(|tx, b| {
                let mut t = Tree::create_or_open(tx, b, id, "token", 4)?;
                t.append(tx, leaf)?;
                Ok(())
            })
            .unwrap();
        let full = MerkleTree::<H>::new(4, leaves.clone()).unwrap();
        let root = store.read(|tx, b| Tree::open(tx, b, id)?.root(tx)).unwrap();
        assert_eq!(root, full.root(), "after {i} inserts");
    }
    // Revoke leaves 3 and 7: the tree equals the full tree with empty leaves there.
    for r in [3u64, 7] {
        store
            .write(|tx, b| Tree::open(tx, b, id)?.clear(tx, r))
            .unwrap();
        leaves[r as usize] = H::empty_leaf();
    }
    let full = MerkleTree::<H>::new(4, leaves.clone()).unwrap();
    store
        .read(|tx, b| {
            let t = Tree::open(tx, b, id)?;
            assert_eq!(t.root(tx)?, full.root());
            for (i, leaf) in leaves.iter().enumerate() {
                let p = t.path(tx, i as u64)?;
                assert_eq!(p, full.path(i as u64).unwrap());
                assert_eq!(root_from_path::<H>(*leaf, &p).unwrap(), full.root());
            }
            assert!(t.path(tx, 11).is_err());
            Ok(())
        })
        .unwrap();
    // Full at 16 leaves.
    let refused = store.write(|tx, b| {
        let mut t = Tree::open(tx, b, id)?;
        for _ in 0..6 {
            t.append(tx, Bytes32::from_u64(5))?;
        }
        Ok(())
    });
    assert!(refused.unwrap_err().to_string().contains("full"));
    // ...and nothing of the refused transaction was kept.
    let n = store
        .read(|tx, b| Ok(Tree::open(tx, b, id)?.leaf_count))
        .unwrap();
    assert_eq!(n, 11);
}

#[test]
fn persisted_tree_matches_the_circuits_tree_groth16() {
    check_tree::<PoseidonBls12>(Backend::Groth16);
}

#[test]
fn persisted_tree_matches_the_circuits_tree_plonky2() {
    check_tree::<PoseidonGoldilocks>(Backend::Plonky2);
}

/// HKDF-SHA3-256 (RFC 5869 over SHA3-256) against a vector computed independently with
/// Python's standard library (`hmac` + `hashlib.sha3_256`):
/// prk = HMAC(bf, prime); okm = HMAC(prk, info ‖ 0x01).
#[test]
fn blinded_id_matches_an_independent_hkdf() {
    let bf: [u8; 64] = std::array::from_fn(|i| i as u8);
    let id = crate::wallet::blinded_customer_id(b"prime-id-42", &bf, &Bytes32([7; 32]));
    assert_eq!(
        id.to_hex(),
        "770b7a84a65cc0ca88e794e1f4b446b46ae258a184e9f1a515c3b6197a06ca36"
    );
    // One per package.
    let other = crate::wallet::blinded_customer_id(b"prime-id-42", &bf, &Bytes32([8; 32]));
    assert_ne!(id, other);
}
