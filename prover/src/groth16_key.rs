//! The fast body of a Groth16 proving key file (key file layout version 3).
//!
//! Version 2 stores the arkworks key compressed, so reading it decompresses every point
//! (a square root) and checks that it lies in the prime-order subgroup: about a second for
//! tier-20, longer than a proof. Version 3 is written for the prover's own use:
//!
//! | part | layout |
//! |---|---|
//! | points | alpha (G1), beta, gamma, delta (G2), gamma_abc (u64 n, n G1), beta (G1), delta (G1), the A, B (G1), B (G2), H and L queries (u64 n, n points each) |
//! | constraint system | `num_instance`, `num_witness`, `num_constraints` (u64 each), then the A, B, C matrices: per row a u64 entry count and per entry the coefficient (32 bytes, canonical little-endian) and the variable index (u64) |
//!
//! Points are arkworks' uncompressed encoding (96 bytes in G1, 192 in G2) and are read
//! without subgroup checks: the key file's header carries SHA3-256 of the whole body, checked
//! before any byte of it is decoded, so a corrupted key is refused as corrupted, and every
//! proof is checked against the key's verifying half before it is returned (see
//! [`crate::groth16::Prover::prove`]), so a key whose points are wrong but whose digest
//! matches (made that way) never yields an accepted proof either.
//!
//! The constraint-system part is exactly what the header's constraint-system digest hashes
//! (after its domain tag), so the prover checks the stored matrices against the header with
//! one hash over the bytes as they lie in the file, and needs not compile the circuit again.
//! Every count is bounded by the bytes that remain before anything is allocated.

use crate::groth16::{Compiled, CS_DIGEST_TAG};
use ark_bls12_381::{Bls12_381, Fr, G1Affine, G2Affine};
use ark_ff::{BigInt, PrimeField};
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_relations::gr1cs::Matrix;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use sha3::{Digest as _, Sha3_256};
use veil_verifier::{Bytes32, CircuitId, VerifyError};

const G1_BYTES: usize = 96;
const G2_BYTES: usize = 192;
/// One matrix entry: a 32-byte coefficient and a u64 variable index.
const ENTRY_BYTES: usize = 32 + 8;

/// The version 3 body of a proving key and its compiled constraint system.
pub fn encode(pk: &ProvingKey<Bls12_381>, compiled: &Compiled) -> Vec<u8> {
    let mut out = Vec::with_capacity(pk.uncompressed_size() + encoded_cs_size(compiled));
    let g1 = |out: &mut Vec<u8>, p: &G1Affine| {
        p.serialize_uncompressed(&mut *out)
            .expect("writing to a Vec cannot fail")
    };
    let g2 = |out: &mut Vec<u8>, p: &G2Affine| {
        p.serialize_uncompressed(&mut *out)
            .expect("writing to a Vec cannot fail")
    };
    let g1s = |out: &mut Vec<u8>, ps: &[G1Affine]| {
        out.extend_from_slice(&(ps.len() as u64).to_le_bytes());
        ps.iter().for_each(|p| g1(out, p));
    };
    let vk = &pk.vk;
    g1(&mut out, &vk.alpha_g1);
    g2(&mut out, &vk.beta_g2);
    g2(&mut out, &vk.gamma_g2);
    g2(&mut out, &vk.delta_g2);
    g1s(&mut out, &vk.gamma_abc_g1);
    g1(&mut out, &pk.beta_g1);
    g1(&mut out, &pk.delta_g1);
    g1s(&mut out, &pk.a_query);
    g1s(&mut out, &pk.b_g1_query);
    out.extend_from_slice(&(pk.b_g2_query.len() as u64).to_le_bytes());
    pk.b_g2_query.iter().for_each(|p| g2(&mut out, p));
    g1s(&mut out, &pk.h_query);
    g1s(&mut out, &pk.l_query);
    encode_cs(&mut out, compiled);
    out
}

fn encoded_cs_size(c: &Compiled) -> usize {
    let entries: usize = c.matrices.iter().flatten().map(Vec::len).sum();
    24 + 8 * 3 * c.num_constraints + ENTRY_BYTES * entries
}

/// The constraint-system part: the bytes [`crate::groth16::compile`]'s digest hashes.
pub(crate) fn encode_cs(out: &mut Vec<u8>, c: &Compiled) {
    for n in [c.num_instance, c.num_witness, c.num_constraints] {
        out.extend_from_slice(&(n as u64).to_le_bytes());
    }
    for m in &c.matrices {
        for row in m {
            out.extend_from_slice(&(row.len() as u64).to_le_bytes());
            for (coeff, idx) in row {
                for limb in coeff.into_bigint().0 {
                    out.extend_from_slice(&limb.to_le_bytes());
                }
                out.extend_from_slice(&(*idx as u64).to_le_bytes());
            }
        }
    }
}

/// SHA3-256 of the domain tag and the constraint-system part.
pub(crate) fn cs_digest_of(encoded_cs: &[u8]) -> Bytes32 {
    let mut h = Sha3_256::new();
    h.update(CS_DIGEST_TAG);
    h.update(encoded_cs);
    Bytes32(h.finalize().into())
}

/// A bounds-checked cursor over the body.
struct Cursor<'a> {
    rest: &'a [u8],
}

fn bad(detail: impl Into<String>) -> VerifyError {
    VerifyError::Format(format!("proving key (version 3 body): {}", detail.into()))
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], VerifyError> {
        if self.rest.len() < n {
            return Err(VerifyError::Truncated(format!(
                "proving key ends inside the {what} (needs {n} bytes, {} left)",
                self.rest.len()
            )));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u64(&mut self, what: &str) -> Result<u64, VerifyError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_le_bytes(b))
    }

    /// A count of items of `item_bytes` each, refused unless that many bytes remain.
    fn count(&mut self, item_bytes: usize, what: &str) -> Result<usize, VerifyError> {
        let n = self.u64(what)?;
        let fits = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(item_bytes).map(|b| (n, b)))
            .filter(|&(_, b)| b <= self.rest.len());
        fits.map(|(n, _)| n).ok_or_else(|| {
            VerifyError::Truncated(format!(
                "proving key announces {n} {what}, more than its remaining {} bytes hold",
                self.rest.len()
            ))
        })
    }

    fn g1(&mut self, what: &str) -> Result<G1Affine, VerifyError> {
        let b = self.take(G1_BYTES, what)?;
        G1Affine::deserialize_with_mode(b, Compress::No, Validate::No)
            .map_err(|e| bad(format!("{what}: {e}")))
    }

    fn g2(&mut self, what: &str) -> Result<G2Affine, VerifyError> {
        let b = self.take(G2_BYTES, what)?;
        G2Affine::deserialize_with_mode(b, Compress::No, Validate::No)
            .map_err(|e| bad(format!("{what}: {e}")))
    }

    fn g1s(&mut self, what: &str) -> Result<Vec<G1Affine>, VerifyError> {
        let n = self.count(G1_BYTES, what)?;
        (0..n).map(|_| self.g1(what)).collect()
    }

    fn g2s(&mut self, what: &str) -> Result<Vec<G2Affine>, VerifyError> {
        let n = self.count(G2_BYTES, what)?;
        (0..n).map(|_| self.g2(what)).collect()
    }

    fn size(&mut self, what: &str) -> Result<usize, VerifyError> {
        let n = self.u64(what)?;
        usize::try_from(n).map_err(|_| bad(format!("{what} {n} does not fit this machine")))
    }
}

/// Decodes a version 3 body: the proving key, and the constraint system, which must hash to
/// `cs_digest` (the header's).
pub fn decode(
    body: &[u8],
    circuit: CircuitId,
    cs_digest: Bytes32,
) -> Result<(ProvingKey<Bls12_381>, Compiled), VerifyError> {
    let mut r = Cursor { rest: body };
    let alpha_g1 = r.g1("alpha")?;
    let beta_g2 = r.g2("beta (G2)")?;
    let gamma_g2 = r.g2("gamma")?;
    let delta_g2 = r.g2("delta (G2)")?;
    let gamma_abc_g1 = r.g1s("input commitments (gamma_abc)")?;
    if gamma_abc_g1.is_empty() {
        return Err(bad("no input commitments (gamma_abc is empty)"));
    }
    let beta_g1 = r.g1("beta (G1)")?;
    let delta_g1 = r.g1("delta (G1)")?;
    let a_query = r.g1s("A query points")?;
    let b_g1_query = r.g1s("B query points (G1)")?;
    let b_g2_query = r.g2s("B query points (G2)")?;
    let h_query = r.g1s("H query points")?;
    let l_query = r.g1s("L query points")?;
    let pk = ProvingKey {
        vk: VerifyingKey {
            alpha_g1,
            beta_g2,
            gamma_g2,
            delta_g2,
            gamma_abc_g1,
        },
        beta_g1,
        delta_g1,
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query,
    };

    let cs_bytes = r.rest;
    let (digest, compiled) = rayon::join(
        || cs_digest_of(cs_bytes),
        || decode_cs(Cursor { rest: cs_bytes }, circuit, cs_digest),
    );
    if digest != cs_digest {
        return Err(VerifyError::Format(
            "the proving key's stored constraint system does not match the constraint-system \
             digest in its header"
                .into(),
        ));
    }
    let compiled = compiled?;
    if pk.vk.gamma_abc_g1.len() != compiled.num_instance {
        return Err(VerifyError::PublicInputCount {
            expected: compiled.num_instance.saturating_sub(1),
            found: pk.vk.gamma_abc_g1.len() - 1,
        });
    }
    Ok((pk, compiled))
}

/// The constraint-system part of a version 3 body (its digest is checked by the caller).
fn decode_cs(
    mut r: Cursor<'_>,
    circuit: CircuitId,
    cs_digest: Bytes32,
) -> Result<Compiled, VerifyError> {
    let num_instance = r.size("number of instance variables")?;
    let num_witness = r.size("number of witness variables")?;
    let num_constraints = r.size("number of constraints")?;
    let variables = num_instance
        .checked_add(num_witness)
        .ok_or_else(|| bad("variable count overflows"))?;
    // Every row takes at least its 8-byte entry count: bound the rows by the bytes left.
    if num_constraints
        .checked_mul(3 * 8)
        .is_none_or(|b| b > r.rest.len())
    {
        return Err(VerifyError::Truncated(format!(
            "proving key announces {num_constraints} constraints, more than its remaining {} \
             bytes hold",
            r.rest.len()
        )));
    }
    let mut matrices: Vec<Matrix<Fr>> = Vec::with_capacity(3);
    for name in ["A", "B", "C"] {
        let mut m = Vec::with_capacity(num_constraints);
        for _ in 0..num_constraints {
            let n = r.count(ENTRY_BYTES, "matrix entries")?;
            let mut row = Vec::with_capacity(n);
            for entry in r
                .take(n * ENTRY_BYTES, "matrix entries")?
                .chunks_exact(ENTRY_BYTES)
            {
                let mut limbs = [0u64; 4];
                for (limb, b) in limbs.iter_mut().zip(entry.chunks_exact(8)) {
                    let mut w = [0u8; 8];
                    w.copy_from_slice(b);
                    *limb = u64::from_le_bytes(w);
                }
                let coeff = Fr::from_bigint(BigInt(limbs)).ok_or_else(|| {
                    bad(format!("a coefficient of matrix {name} is not canonical"))
                })?;
                let mut w = [0u8; 8];
                w.copy_from_slice(&entry[32..]);
                let idx = usize::try_from(u64::from_le_bytes(w))
                    .ok()
                    .filter(|&i| i < variables)
                    .ok_or_else(|| bad(format!("matrix {name} names a variable out of range")))?;
                row.push((coeff, idx));
            }
            m.push(row);
        }
        matrices.push(m);
    }
    if !r.rest.is_empty() {
        return Err(bad(format!("{} trailing bytes", r.rest.len())));
    }
    Ok(Compiled {
        circuit,
        matrices,
        num_instance,
        num_witness,
        num_constraints,
        cs_digest,
    })
}
