//! The Plonky2 backend's hash: Plonky2's native Poseidon permutation over Goldilocks (width
//! 12, rate 8, capacity 4; `plonky2::hash::poseidon`), used as a domain-separated sponge.
//!
//! Construction (the same natively here and in circuits, `veil_prover::plonky2`): for a
//! domain tag `t = Domain::tag(arity)` and `n` field elements,
//!
//! 1. the state starts as twelve zeros, except the first two capacity elements:
//!    `state[8] = t` and `state[9] = n`;
//! 2. the inputs are absorbed 8 at a time in *overwrite* mode (each chunk replaces
//!    `state[0..len]`, as Plonky2's own `hash_n_to_m_no_pad` does), with a permutation after
//!    each chunk (one permutation when `n = 0`);
//! 3. the output is `state[0..4]`, a Plonky2 `HashOut`.
//!
//! The tag sits in the capacity, which the inputs never touch: two domains (leaf, inner node,
//! each commitment kind) or two arities are two different functions, exactly as the tag in the
//! BLS12-381 Poseidon's capacity element. The element count makes the unpadded sponge
//! unambiguous. A Merkle node (four digests, 16 elements) costs two permutations, one Poseidon
//! gate each.

use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::Field;
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::PoseidonPermutation;

pub type F = GoldilocksField;

/// State width, rate and the capacity slots holding the domain tag and the element count.
pub const WIDTH: usize = 12;
pub const RATE: usize = 8;
pub const TAG_INDEX: usize = 8;
pub const LEN_INDEX: usize = 9;
/// Elements in a digest (a Plonky2 `HashOut`).
pub const OUT: usize = 4;

/// The domain-separated hash of field elements (see the module docs).
pub fn hash_with_tag(tag: u64, inputs: &[F]) -> [F; OUT] {
    let mut perm = PoseidonPermutation::<F>::new(core::iter::repeat(F::ZERO));
    perm.set_elt(F::from_canonical_u64(tag), TAG_INDEX);
    perm.set_elt(F::from_canonical_u64(inputs.len() as u64), LEN_INDEX);
    if inputs.is_empty() {
        perm.permute();
    }
    for chunk in inputs.chunks(RATE) {
        perm.set_from_slice(chunk, 0);
        perm.permute();
    }
    let mut out = [F::ZERO; OUT];
    out.copy_from_slice(&perm.squeeze()[..OUT]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::{Field64, PrimeField64};
    use plonky2::hash::hashing::hash_n_to_hash_no_pad;

    #[test]
    fn is_plonky2_poseidon_with_a_tagged_capacity() {
        let xs: Vec<F> = (1..=16u64).map(F::from_canonical_u64).collect();
        // With a zero tag and length the construction is Plonky2's own hash_no_pad.
        let mut perm = PoseidonPermutation::<F>::new(core::iter::repeat(F::ZERO));
        for chunk in xs.chunks(RATE) {
            perm.set_from_slice(chunk, 0);
            perm.permute();
        }
        let plain = hash_n_to_hash_no_pad::<F, PoseidonPermutation<F>>(&xs);
        assert_eq!(&perm.squeeze()[..4], &plain.elements[..]);
        // Tags and lengths separate.
        let a = hash_with_tag(0x0104, &xs);
        assert_ne!(a, hash_with_tag(0x0204, &xs));
        assert_ne!(a.to_vec(), plain.elements.to_vec());
        let mut padded = xs[..15].to_vec();
        padded.push(F::ZERO);
        assert_ne!(
            hash_with_tag(0x0104, &xs[..15]),
            hash_with_tag(0x0104, &padded)
        );
        assert!(a.iter().all(|x| x.to_canonical_u64() < F::ORDER));
    }
}
