//! The tier membership circuit written directly against Plonky2's `CircuitBuilder`, without
//! veil's builder API: the reference for the API's overhead on the Plonky2 backend.
//!
//! It is the same relation with the same public-input encoding and the same hash
//! construction (`veil_circuits::poseidon_goldilocks`), so the same witness proves it and the
//! same statement encoding verifies it. It is written the way one would write it by hand in
//! Plonky2: inputs as virtual targets and hashes, comparisons as one `range_check` of the
//! difference, the 4-ary path as per-slot selects, Poseidon through `permute`.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::{PoseidonHash, PoseidonPermutation};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CircuitData;
use veil::circuits::poseidon_goldilocks as pg;
use veil::circuits::{Domain, TierWitness};
use veil::verifier::encoding::goldilocks as enc;
use veil::verifier::plonky2::{circuit_config, C, D, F};

pub struct HandTier {
    pub data: CircuitData<F, C, D>,
    pub gates: usize,
    root: HashOutTarget,
    min_tier: Target,
    beacon: HashOutTarget,
    binding: HashOutTarget,
    nullifier: HashOutTarget,
    quota: Target,
    tier_id: Target,
    user_secret: HashOutTarget,
    randomness: HashOutTarget,
    slot: Target,
    nonce: Vec<Target>,
    pubkey: Vec<Target>,
    path: Vec<(BoolTarget, BoolTarget, [HashOutTarget; 3])>,
}

fn sponge(
    b: &mut CircuitBuilder<F, D>,
    domain: Domain,
    arity: usize,
    x: &[Target],
) -> HashOutTarget {
    let zero = b.zero();
    let mut st = PoseidonPermutation::<Target>::new(core::iter::repeat(zero));
    let tag = b.constant(F::from_canonical_u64(domain.tag(arity)));
    let len = b.constant(F::from_canonical_u64(x.len() as u64));
    st.set_elt(tag, pg::TAG_INDEX);
    st.set_elt(len, pg::LEN_INDEX);
    for chunk in x.chunks(pg::RATE) {
        st.set_from_slice(chunk, 0);
        st = b.permute::<PoseidonHash>(st);
    }
    HashOutTarget {
        elements: std::array::from_fn(|i| st.squeeze()[i]),
    }
}

fn sel(
    b: &mut CircuitBuilder<F, D>,
    c: BoolTarget,
    x: HashOutTarget,
    y: HashOutTarget,
) -> HashOutTarget {
    HashOutTarget {
        elements: std::array::from_fn(|i| b.select(c, x.elements[i], y.elements[i])),
    }
}

impl HandTier {
    pub fn build(depth: u32) -> Self {
        let mut b = CircuitBuilder::<F, D>::new(circuit_config());
        let root = b.add_virtual_hash_public_input();
        let min_tier = b.add_virtual_public_input();
        let beacon = b.add_virtual_hash_public_input();
        let binding = b.add_virtual_hash_public_input();
        let nullifier = b.add_virtual_hash_public_input();
        let quota = b.add_virtual_public_input();
        b.range_check(min_tier, 32);
        b.range_check(quota, 32);
        let tier_id = b.add_virtual_target();
        b.range_check(tier_id, 32);
        let user_secret = b.add_virtual_hash();
        let randomness = b.add_virtual_hash();
        let slot = b.add_virtual_target();
        b.range_check(slot, 32);
        let nonce = b.add_virtual_targets(8);
        let pubkey = b.add_virtual_targets(8);
        let path: Vec<_> = (0..depth / 2)
            .map(|_| {
                let b0 = b.add_virtual_bool_target_safe();
                let b1 = b.add_virtual_bool_target_safe();
                let s = [
                    b.add_virtual_hash(),
                    b.add_virtual_hash(),
                    b.add_virtual_hash(),
                ];
                (b0, b1, s)
            })
            .collect();

        // Membership.
        let mut leaf_in = vec![tier_id];
        leaf_in.extend(user_secret.elements);
        leaf_in.extend(randomness.elements);
        let mut cur = sponge(&mut b, Domain::TierCommitment, 3, &leaf_in);
        for (b0, b1, [s0, s1, s2]) in &path {
            let nb0 = b.not(*b0);
            let nb1 = b.not(*b1);
            let at0 = b.and(nb0, nb1);
            let at3 = b.and(*b0, *b1);
            let c0 = sel(&mut b, at0, cur, *s0);
            let low = sel(&mut b, *b0, cur, *s0);
            let c1 = sel(&mut b, *b1, *s1, low);
            let high = sel(&mut b, *b0, *s2, cur);
            let c2 = sel(&mut b, *b1, high, *s1);
            let c3 = sel(&mut b, at3, cur, *s2);
            let mut x = Vec::with_capacity(16);
            for c in [c0, c1, c2, c3] {
                x.extend(c.elements);
            }
            cur = sponge(&mut b, Domain::MerkleNode, 4, &x);
        }
        b.connect_hashes(cur, root);
        // tier_id >= min_tier, slot < quota.
        let gap = b.sub(tier_id, min_tier);
        b.range_check(gap, 32);
        let d = b.sub(quota, slot);
        let gap = b.add_const(d, F::NEG_ONE);
        b.range_check(gap, 32);
        // Nullifier and request binding.
        let mut n_in = user_secret.elements.to_vec();
        n_in.extend(beacon.elements);
        n_in.push(slot);
        let n = sponge(&mut b, Domain::Nullifier, 3, &n_in);
        b.connect_hashes(n, nullifier);
        let mut r_in = nonce.clone();
        r_in.extend(&pubkey);
        let r = sponge(&mut b, Domain::RequestBinding, 2, &r_in);
        b.connect_hashes(r, binding);

        let gates = b.num_gates();
        HandTier {
            data: b.build::<C>(),
            gates,
            root,
            min_tier,
            beacon,
            binding,
            nullifier,
            quota,
            tier_id,
            user_secret,
            randomness,
            slot,
            nonce,
            pubkey,
            path,
        }
    }

    pub fn witness(&self, w: &TierWitness) -> PartialWitness<F> {
        let mut pw = PartialWitness::new();
        let s = &w.statement;
        let mut hash = |t: HashOutTarget, d: &veil::verifier::Bytes32| {
            let l = enc::digest_to_limbs(d).unwrap();
            for (t, v) in t.elements.iter().zip(l) {
                pw.set_target(*t, v).unwrap();
            }
        };
        hash(self.root, &s.root);
        hash(self.beacon, &s.epoch_beacon);
        hash(self.binding, &s.request_binding);
        hash(self.nullifier, &s.nullifier);
        hash(self.user_secret, &w.user_secret);
        hash(self.randomness, &w.randomness);
        for (level, (_, _, sib)) in self.path.iter().enumerate() {
            for (t, d) in sib.iter().zip(&w.path.siblings[level]) {
                hash(*t, d);
            }
        }
        let mut set = |t: Target, v: F| pw.set_target(t, v).unwrap();
        set(self.min_tier, F::from_canonical_u32(s.min_tier));
        set(self.quota, F::from_canonical_u32(s.quota));
        set(self.tier_id, F::from_canonical_u32(w.tier_id));
        set(self.slot, F::from_canonical_u32(w.slot));
        for (t, v) in self.nonce.iter().zip(enc::id_to_limbs(&w.request_nonce)) {
            set(*t, v);
        }
        for (t, v) in self
            .pubkey
            .iter()
            .zip(enc::id_to_limbs(&w.ephemeral_pubkey))
        {
            set(*t, v);
        }
        for (level, (b0, b1, _)) in self.path.iter().enumerate() {
            let digit = w.path.digit(level);
            set(b0.target, F::from_bool(digit & 1 == 1));
            set(b1.target, F::from_bool(digit & 2 == 2));
        }
        pw
    }
}
