//! Batches of items in a fixed number of slots, and the hash-chain commitments that bind them.
//!
//! A batch circuit of capacity N (part of its id, e.g. `revenue-256`) has N slots. The first
//! `count` slots hold the real items, the others are padding. Each slot has a secret mask
//! bit, and the circuit enforces:
//!
//! - every mask is boolean and the masks form a prefix (mask[i+1] <= mask[i]);
//! - count = the sum of the masks (count is what the commitment binds);
//! - every value of a padded slot (amount, units, timestamp) is zero, and the circuit only
//!   counts, sums or range-checks a slot's values through its mask (a padded slot's digest
//!   or key enters nothing: the chain skips the slot);
//!
//! so padding can carry no value, count or reading into a total.
//!
//! A commitment is a hash chain over the real items only:
//!
//! ```text
//! c_0     = H_header(header fields..., count)
//! c_{i+1} = H_item(c_i, item fields...)      for each real item, in order
//! commitment = c_count
//! ```
//!
//! A commitment whose items are guessable (a meter's readings: a key computable from public
//! values, a second within a public hour, units in a small range) also hashes a secret
//! **blinding** value into its header: a full field element (a canonical digest of the
//! backend) drawn from the OS RNG ([`fresh_blinding`]) by whoever builds the commitment from
//! real data. Without it a brute-force search over the few likely values of one reading
//! recovers it from the public commitment; with it, every link of the chain is a hash of an
//! unknown 250-bit value.
//!
//! It does not depend on the capacity: the same commitment is proven by a circuit of any
//! capacity at least `count`. In the circuit the chain runs over every slot and a padded slot
//! leaves it unchanged: c_{i+1} = select(mask[i], H_item(c_i, ...), c_i). An item step hashes
//! at most four field elements (the previous link and three values), one Poseidon
//! permutation of width 5 on R1CS.

use crate::api::{Api, HashInput};
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::{Domain, NativeHasher, NativeInput};
use veil_verifier::Digest;

/// A fresh secret blinding value: uniform over the canonical digests of the backend `H`
/// (32 bytes from the OS RNG, drawn again until canonical), so a commitment that hashes it
/// cannot be opened by guessing its items.
pub fn fresh_blinding<H: NativeHasher>() -> Result<Digest, CircuitError> {
    use rand::RngCore;
    loop {
        let mut b = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut b)
            .map_err(|e| CircuitError::Backend(format!("the OS RNG failed: {e}")))?;
        let d = veil_verifier::Bytes32(b);
        if H::is_canonical(&d) {
            return Ok(d);
        }
    }
}

/// The native twin of the in-circuit chain: `items` are the real items only.
pub fn chain_commitment<H: NativeHasher>(
    header_domain: Domain,
    header: &[NativeInput],
    item_domain: Domain,
    items: impl IntoIterator<Item = Vec<NativeInput>>,
) -> Result<Digest, CircuitError> {
    let mut link = H::hash(header_domain, header)?;
    for item in items {
        let mut inputs = Vec::with_capacity(item.len() + 1);
        inputs.push(NativeInput::Digest(link));
        inputs.extend(item);
        link = H::hash(item_domain, &inputs)?;
    }
    Ok(link)
}

/// Checks that `items` real items and `padding` explicit padded slots fit `capacity` slots.
pub fn check_fits(
    what: &str,
    items: usize,
    padding: usize,
    capacity: usize,
) -> Result<(), Violation> {
    if items + padding > capacity {
        return Err(Violation::new(
            Rule::WellFormed,
            format!(
                "{items} {what} and {padding} explicit padded slots do not fit the circuit's {capacity} slots"
            ),
        ));
    }
    Ok(())
}

/// The contents of every slot: the real items, then the explicit padding entries, then empty
/// (default) ones up to the capacity. An error if they do not fit.
pub fn fill_slots<T: Clone + Default>(
    items: &[T],
    padding: &[T],
    capacity: usize,
) -> Result<Vec<T>, CircuitError> {
    if items.len() + padding.len() > capacity {
        return Err(CircuitError::Shape(format!(
            "{} items and {} padded slots do not fit {capacity} slots",
            items.len(),
            padding.len()
        )));
    }
    let mut out = Vec::with_capacity(capacity);
    out.extend_from_slice(items);
    out.extend_from_slice(padding);
    out.resize(capacity, T::default());
    Ok(out)
}

/// The slot masks of a batch and the number of real items they select.
pub struct Masks<A: Api> {
    pub masks: Vec<A::Bool>,
    /// The sum of the masks.
    pub count: A::Var,
}

/// Allocates `capacity` secret mask bits, the first `count` set, constrained to be a prefix.
pub fn alloc_masks<A: Api>(
    api: &mut A,
    capacity: usize,
    count: Option<usize>,
) -> Result<Masks<A>, CircuitError> {
    api.enter_scope(&"masks");
    api.begin_rule(Rule::Padding);
    let mut masks: Vec<A::Bool> = Vec::with_capacity(capacity);
    for i in 0..capacity {
        let m = api.secret_bool("slot.mask", count.map(|n| i < n))?;
        if let Some(prev) = masks.last() {
            // mask[i] <= mask[i-1]: a real item never follows a padded slot.
            let not_m = api.not(&m);
            let ok = api.or(&not_m, prev)?;
            api.assert_true(&ok)?;
        }
        masks.push(m);
    }
    let vars: Vec<A::Var> = masks.iter().map(|m| api.bool_to_var(m)).collect();
    let terms: Vec<(u64, &A::Var)> = vars.iter().map(|v| (1, v)).collect();
    let count = api.linear_combination(&terms);
    api.leave_scope();
    Ok(Masks { masks, count })
}

/// Enforces v = 0 unless `mask` is set.
pub fn zero_unless_u64<A: Api>(
    api: &mut A,
    mask: &A::Bool,
    v: &A::U64,
) -> Result<(), CircuitError> {
    crate::api::scoped(api, &"zero_unless", |api| {
        api.begin_rule(Rule::Padding);
        let zero = api.u64_constant(0);
        let kept = api.u64_select(mask, v, &zero)?;
        api.u64_assert_equal(v, &kept)
    })
}

/// Enforces v = 0 unless `mask` is set.
pub fn zero_unless_var<A: Api>(
    api: &mut A,
    mask: &A::Bool,
    v: &A::Var,
) -> Result<(), CircuitError> {
    crate::api::scoped(api, &"zero_unless", |api| {
        api.begin_rule(Rule::Padding);
        let zero = api.constant(0);
        let kept = api.select(mask, v, &zero)?;
        api.assert_equal(v, &kept)
    })
}

/// The in-circuit chain over every slot; a slot whose mask is clear leaves it unchanged.
pub fn chain_in_circuit<A: Api>(
    api: &mut A,
    header_domain: Domain,
    header: &[HashInput<'_, A>],
    item_domain: Domain,
    slots: &[(&A::Bool, Vec<HashInput<'_, A>>)],
) -> Result<A::Digest, CircuitError> {
    api.enter_scope(&"chain");
    api.begin_rule(Rule::Commitment);
    let mut link = api.hash(header_domain, header)?;
    for (slot, (mask, item)) in slots.iter().enumerate() {
        api.enter_scope(&format_args!("slot[{slot}]"));
        let next = {
            let mut inputs: Vec<HashInput<'_, A>> = Vec::with_capacity(item.len() + 1);
            inputs.push(HashInput::Digest(&link));
            for i in item {
                inputs.push(match i {
                    HashInput::Small(v) => HashInput::Small(*v),
                    HashInput::U64(v) => HashInput::U64(*v),
                    HashInput::Id(v) => HashInput::Id(*v),
                    HashInput::Digest(v) => HashInput::Digest(*v),
                });
            }
            api.hash(item_domain, &inputs)?
        };
        link = api.digest_select(mask, &next, &link)?;
        api.leave_scope();
    }
    api.leave_scope();
    Ok(link)
}
