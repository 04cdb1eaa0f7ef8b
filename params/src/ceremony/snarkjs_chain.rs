//! The snarkjs challenge chain, so that a veil phase-1 transcript exports to a `.ptau` that
//! `snarkjs powersoftau verify` accepts.
//!
//! snarkjs checks each contribution's proof of knowledge against a point derived from the
//! previous contribution's 64-byte BLAKE2b "next challenge": `getG2sp` hashes
//! (personalisation, challenge, s·G1, x·s·G1) with BLAKE2b-512, seeds ffjavascript's ChaCha20
//! with the first 32 bytes read as big-endian words, and draws a G2 point the way
//! ffjavascript's `G2.fromRng` does (x from the RNG read as a Montgomery form, y the root whose
//! sign is the RNG's next bit, times the full G2 cofactor). So each veil contribution also
//! carries a [`SnarkjsLink`]: that proof of knowledge, τ·G2 after it, and its next challenge
//! (BLAKE2b of its response hash and every point after it, uncompressed), computed exactly
//! as snarkjs 0.7.6 does. The response hash is BLAKE2b-512 of the public key (the record's
//! BLAKE2b partial state is the empty one: snarkjs only ever resumes it with the key).
//!
//! Cross-checked against snarkjs itself in `cli/tests/interop.rs`.

use super::{io, CeremonyError, Pok, Result};
use ark_bls12_381::{g2, Fq, Fq2, G1Affine, G2Affine};
use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{BigInt, Field, PrimeField};
use ark_serialize::CanonicalSerialize;
use blake2::{Blake2b512, Digest};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// A 64-byte BLAKE2b challenge of the snarkjs chain.
pub type Challenge = [u8; 64];

/// What a veil contribution adds for snarkjs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnarkjsLink {
    /// τ·G2 of the accumulator after the contribution.
    pub tau_g2: G2Affine,
    /// Proofs of knowledge of τ, α, β against [`g2_sp`] of the previous challenge.
    pub key: [Pok; 3],
    pub next_challenge: Challenge,
}

impl SnarkjsLink {
    pub(crate) fn write(&self, w: &mut io::Writer) {
        w.g2(&self.tau_g2);
        for k in &self.key {
            k.write(w);
        }
        w.bytes(&self.next_challenge);
    }

    pub(crate) fn read(r: &mut io::Reader) -> Result<Self> {
        let tau_g2 = r.g2("contribution τ·G2")?;
        let key = [
            Pok::read(r, "snarkjs key of τ")?,
            Pok::read(r, "snarkjs key of α")?,
            Pok::read(r, "snarkjs key of β")?,
        ];
        let mut next_challenge = [0u8; 64];
        next_challenge.copy_from_slice(r.take(64)?);
        Ok(SnarkjsLink {
            tau_g2,
            key,
            next_challenge,
        })
    }
}

/// The snarkjs uncompressed form of a G1 point (the zcash encoding arkworks also writes).
pub fn g1_uncompressed(p: &G1Affine, out: &mut Vec<u8>) {
    p.serialize_uncompressed(out)
        .expect("writing to a Vec cannot fail");
}

pub fn g2_uncompressed(p: &G2Affine, out: &mut Vec<u8>) {
    p.serialize_uncompressed(out)
        .expect("writing to a Vec cannot fail");
}

/// ffjavascript's ChaCha20 seeded with eight words read big-endian from `hash`.
fn ffjs_chacha(hash: &[u8]) -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    for i in 0..8 {
        let word = u32::from_be_bytes([
            hash[4 * i],
            hash[4 * i + 1],
            hash[4 * i + 2],
            hash[4 * i + 3],
        ]);
        seed[4 * i..4 * i + 4].copy_from_slice(&word.to_le_bytes());
    }
    ChaCha20Rng::from_seed(seed)
}

/// ffjavascript's `F1.fromRng` for Fq: six 64-bit words (high half drawn first), masked to
/// 381 bits, redrawn until below q, and taken as a Montgomery form.
fn fq_from_rng(rng: &mut ChaCha20Rng) -> Fq {
    loop {
        let mut limbs = [0u64; 6];
        for l in limbs.iter_mut() {
            let hi = rng.next_u32() as u64;
            let lo = rng.next_u32() as u64;
            *l = (hi << 32) | lo;
        }
        limbs[5] &= (1u64 << (381 - 320)) - 1;
        let big = BigInt::<6>(limbs);
        if big < Fq::MODULUS {
            return Fq::new_unchecked(big);
        }
    }
}

fn fq_is_negative(x: &Fq) -> bool {
    x.into_bigint() > Fq::MODULUS_MINUS_ONE_DIV_TWO
}

fn fq2_is_negative(x: &Fq2) -> bool {
    if x.c1 == Fq::from(0u64) {
        fq_is_negative(&x.c0)
    } else {
        fq_is_negative(&x.c1)
    }
}

/// ffjavascript's `G2.fromRng`.
fn g2_from_rng(rng: &mut ChaCha20Rng) -> G2Affine {
    loop {
        let x = Fq2::new(fq_from_rng(rng), fq_from_rng(rng));
        let greatest = rng.next_u32() & 1 == 1;
        let rhs = x.square() * x + g2::Config::COEFF_B;
        let Some(mut y) = rhs.sqrt() else { continue };
        if fq2_is_negative(&y) != greatest {
            y = -y;
        }
        let p = G2Affine::new_unchecked(x, y);
        // The full G2 cofactor, as ffjavascript multiplies by it.
        return p.mul_bigint(G2_COFACTOR).into_affine();
    }
}

/// BLS12-381's G2 cofactor h₂ (little-endian limbs), as in ffjavascript's `cofactorG2`.
const G2_COFACTOR: [u64; 8] = [
    0xcf1c38e31c7238e5,
    0x1616ec6e786f0c70,
    0x21537e293a6691ae,
    0xa628f1cb4d9e82ef,
    0xa68a205b2e5a7ddf,
    0xcd91de4547085aba,
    0x91d50792876a202,
    0x5d543a95414e7f1,
];

/// snarkjs `getG2sp`: the G2 point a snarkjs proof of knowledge answers.
pub fn g2_sp(
    personalisation: u8,
    challenge: &Challenge,
    g1_s: &G1Affine,
    g1_sx: &G1Affine,
) -> G2Affine {
    let mut h = Blake2b512::new();
    h.update([personalisation]);
    h.update(challenge);
    let mut b = Vec::with_capacity(192);
    g1_uncompressed(g1_s, &mut b);
    g1_uncompressed(g1_sx, &mut b);
    h.update(&b);
    let hash = h.finalize();
    g2_from_rng(&mut ffjs_chacha(&hash))
}

/// A snarkjs proof of knowledge of `x` (personalisation 0 τ, 1 α, 2 β).
pub fn key_for(
    x: ark_bls12_381::Fr,
    personalisation: u8,
    challenge: &Challenge,
    rng: &mut ChaCha20Rng,
) -> Pok {
    let s = super::nonzero_scalar(rng);
    let g1_s = (ark_bls12_381::G1Projective::generator() * s).into_affine();
    let g1_sx = (g1_s * x).into_affine();
    let sp = g2_sp(personalisation, challenge, &g1_s, &g1_sx);
    Pok {
        g1_s,
        g1_sx,
        g2_spx: (sp * x).into_affine(),
    }
}

/// The public key in snarkjs's uncompressed order: τ, α, β G1 pairs, then the three x·R.
pub fn key_bytes(key: &[Pok; 3]) -> Vec<u8> {
    let mut b = Vec::with_capacity(6 * 96 + 3 * 192);
    for k in key {
        g1_uncompressed(&k.g1_s, &mut b);
        g1_uncompressed(&k.g1_sx, &mut b);
    }
    for k in key {
        g2_uncompressed(&k.g2_spx, &mut b);
    }
    b
}

/// The response hash of a contribution whose BLAKE2b partial state is the empty one.
pub fn response_hash(key: &[Pok; 3]) -> Challenge {
    Blake2b512::digest(key_bytes(key)).into()
}

/// noble-hashes' BLAKE2b-512 state before any input, in snarkjs's 216-byte "partial hash"
/// layout: the 128-byte buffer, the eight state words as (low, high) u32 pairs, then the
/// length and position counters.
pub fn empty_partial_hash() -> [u8; 216] {
    const IV: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    let mut out = [0u8; 216];
    for (i, iv) in IV.iter().enumerate() {
        // Parameter block: digest length 64, fanout 1, depth 1.
        let v = if i == 0 { iv ^ 0x0101_0040 } else { *iv };
        out[128 + 8 * i..136 + 8 * i].copy_from_slice(&v.to_le_bytes());
    }
    out
}

/// BLAKE2b of a response hash and the accumulator's points, uncompressed, in file order.
pub fn next_challenge(response: &Challenge, p: &super::phase1::Phase1) -> Challenge {
    use rayon::prelude::*;
    fn chunked<T: Sync>(h: &mut Blake2b512, v: &[T], enc: fn(&T, &mut Vec<u8>)) {
        for chunk in v.chunks(1 << 12) {
            let parts: Vec<Vec<u8>> = chunk
                .par_chunks(256)
                .map(|c| {
                    let mut b = Vec::with_capacity(c.len() * 192);
                    c.iter().for_each(|pt| enc(pt, &mut b));
                    b
                })
                .collect();
            parts.iter().for_each(|b| h.update(b));
        }
    }
    let mut h = Blake2b512::new();
    h.update(response);
    chunked(&mut h, &p.tau_g1, g1_uncompressed);
    chunked(&mut h, &p.tau_g2, g2_uncompressed);
    chunked(&mut h, &p.alpha_tau_g1, g1_uncompressed);
    chunked(&mut h, &p.beta_tau_g1, g1_uncompressed);
    chunked(&mut h, std::slice::from_ref(&p.beta_g2), g2_uncompressed);
    h.finalize().into()
}

/// snarkjs `calculateFirstChallengeHash`: BLAKE2b over BLAKE2b(""), then the generators
/// repeated as a fresh accumulator of `power` holds them.
pub fn first_challenge(power: u32) -> Challenge {
    let mut g1 = Vec::new();
    g1_uncompressed(&G1Affine::generator(), &mut g1);
    let mut g2 = Vec::new();
    g2_uncompressed(&G2Affine::generator(), &mut g2);
    let mut h = Blake2b512::new();
    h.update(Blake2b512::digest([]));
    let n = 1usize << power;
    let repeat = |h: &mut Blake2b512, b: &[u8], count: usize| {
        let block: Vec<u8> = b.repeat(count.min(4096));
        let mut left = count;
        while left > 0 {
            let k = left.min(4096);
            h.update(&block[..k * b.len()]);
            left -= k;
        }
    };
    repeat(&mut h, &g1, 2 * n - 1);
    repeat(&mut h, &g2, n);
    repeat(&mut h, &g1, n);
    repeat(&mut h, &g1, n);
    h.update(&g2);
    h.finalize().into()
}

/// Checks a link against the previous challenge and the accumulator heads before and after
/// (τ·G1, τ·G2, α·G1, β·G1, β·G2), as `snarkjs powersoftau verify` does.
pub fn check_link(
    link: &SnarkjsLink,
    prev_challenge: &Challenge,
    before: (G1Affine, G2Affine, G1Affine, G1Affine, G2Affine),
    after: (G1Affine, G2Affine, G1Affine, G1Affine, G2Affine),
) -> std::result::Result<(), String> {
    use super::same_ratio;
    let names = ["τ", "α", "β"];
    let mut sp = [G2Affine::zero(); 3];
    for (i, k) in link.key.iter().enumerate() {
        if k.g1_s.is_zero() || k.g1_sx.is_zero() || k.g2_spx.is_zero() {
            return Err(format!("snarkjs key of {} has an identity point", names[i]));
        }
        sp[i] = g2_sp(i as u8, prev_challenge, &k.g1_s, &k.g1_sx);
        if !same_ratio((k.g1_s, k.g1_sx), (sp[i], k.g2_spx)) {
            return Err(format!("snarkjs key of {} does not verify", names[i]));
        }
    }
    let [kt, _, kb] = &link.key;
    let checks = [
        same_ratio((before.0, after.0), (sp[0], kt.g2_spx)),
        same_ratio((kt.g1_s, kt.g1_sx), (before.1, after.1)),
        same_ratio((before.2, after.2), (sp[1], link.key[1].g2_spx)),
        same_ratio((before.3, after.3), (sp[2], kb.g2_spx)),
        same_ratio((kb.g1_s, kb.g1_sx), (before.4, after.4)),
    ];
    let what = ["τ·G1", "τ·G2", "α·G1", "β·G1", "β·G2"];
    match checks.iter().position(|ok| !ok) {
        Some(i) => Err(format!(
            "{} does not follow the previous contribution by the snarkjs key",
            what[i]
        )),
        None => Ok(()),
    }
}

/// One record of a snarkjs contributions section (type 0, named).
pub fn write_record(
    out: &mut Vec<u8>,
    name: &str,
    after: (G1Affine, G2Affine, G1Affine, G1Affine, G2Affine),
    link: &SnarkjsLink,
    g1_lem: impl Fn(&G1Affine, &mut [u8]),
    g2_lem: impl Fn(&G2Affine, &mut [u8]),
) {
    let put_g1 = |p: &G1Affine, out: &mut Vec<u8>| {
        let mut b = [0u8; 96];
        g1_lem(p, &mut b);
        out.extend_from_slice(&b);
    };
    let put_g2 = |p: &G2Affine, out: &mut Vec<u8>| {
        let mut b = [0u8; 192];
        g2_lem(p, &mut b);
        out.extend_from_slice(&b);
    };
    put_g1(&after.0, out);
    put_g2(&after.1, out);
    put_g1(&after.2, out);
    put_g1(&after.3, out);
    put_g2(&after.4, out);
    for k in &link.key {
        put_g1(&k.g1_s, out);
        put_g1(&k.g1_sx, out);
    }
    for k in &link.key {
        put_g2(&k.g2_spx, out);
    }
    out.extend_from_slice(&empty_partial_hash());
    out.extend_from_slice(&link.next_challenge);
    out.extend_from_slice(&0u32.to_le_bytes());
    // Parameter 1, the name (snarkjs keeps at most 64 bytes of it).
    let mut name = name.as_bytes();
    let mut cut = name.len().min(64);
    while std::str::from_utf8(&name[..cut]).is_err() {
        cut -= 1;
    }
    name = &name[..cut];
    if name.is_empty() {
        out.extend_from_slice(&0u32.to_le_bytes());
    } else {
        out.extend_from_slice(&((name.len() + 2) as u32).to_le_bytes());
        out.push(1);
        out.push(name.len() as u8);
        out.extend_from_slice(name);
    }
}

/// The fixed part of a snarkjs contribution record (points, key, partial hash, challenge,
/// type); a u32 parameter length and the parameters follow.
const RECORD_FIXED: usize = 96 + 192 + 96 + 96 + 192 + 6 * 96 + 3 * 192 + 216 + 64 + 4;

/// Walks a snarkjs contributions section: the number of records and the last record's next
/// challenge (None when it holds none).
pub fn parse_contributions(section: &[u8]) -> Result<(u32, Option<Challenge>)> {
    let bad = |m: &str| CeremonyError::Format(format!(".ptau contributions: {m}"));
    let mut r = io::Reader::new(section, ".ptau contributions");
    let n = r.u32()?;
    if n as usize > r.remaining() / (RECORD_FIXED + 4) {
        return Err(bad("more records than the section holds"));
    }
    let mut last = None;
    for _ in 0..n {
        let rec = r.take(RECORD_FIXED)?;
        let mut c = [0u8; 64];
        c.copy_from_slice(&rec[RECORD_FIXED - 68..RECORD_FIXED - 4]);
        last = Some(c);
        let params = r.u32()? as usize;
        r.take(params)?;
    }
    r.finish()?;
    Ok((n, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values printed by snarkjs 0.7.6 / ffjavascript 0.3.1 (node, see cli/tests/interop.rs
    // for the live cross-check): ChaCha([1..8]) words, getG2sp(0, 0^64, G1, 2·G1), the first
    // challenge at power 2, and BLAKE2b resumed from the empty partial state.
    #[test]
    fn matches_snarkjs_values() {
        let mut seed = [0u8; 32];
        for i in 0..8 {
            seed[4 * i..4 * i + 4].copy_from_slice(&(i as u32 + 1).to_be_bytes());
        }
        let mut rng = ffjs_chacha(&seed);
        assert_eq!(
            [rng.next_u32(), rng.next_u32(), rng.next_u32()],
            [2291208717, 2715286880, 1416238553]
        );
        let g = G1Affine::generator();
        let g2x = (g * ark_bls12_381::Fr::from(2u64)).into_affine();
        let sp = g2_sp(0, &[0u8; 64], &g, &g2x);
        let mut b = Vec::new();
        g2_uncompressed(&sp, &mut b);
        assert_eq!(hex::encode(b), "157a95f559cf4deac4658fcb652b9662275a2335a1c78092826dac7e94a2dad027644f70b6b0dc4c5c5d93b926e1dd6e154eddb6656f2715348c031d3a0f6ee730c531a3a7f0fa1859ae7193b4ed0d131af4abd69ae9b477d9ca6eb2694b67210ca60bd5b927d04fab387cf1f27439c798778be82c7ecab316167de362d0da2267b1d1901fb39caaed77301b5b14bc37054a659e5cd75de9d458dd483862e0a44ad0bdcb782116261d22ef8b6a26749e4637ef612ec05966092f7ee98cac3d41");
        assert_eq!(hex::encode(first_challenge(2)), "2f7f0168c2abae719676c6da38e935972873ab7368b24113b883f24b449a48e8bab27e32c282016b616ca89b20c10bd318a5f5f636ca5f30347ef16433b61f94");
        assert_eq!(hex::encode(&empty_partial_hash()[128..]), "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b000000000000000000000000000000000000000000000000");
        assert_eq!(hex::encode(Blake2b512::digest([1u8, 2, 3])), "cf94f6d605657e90c543b0c919070cdaaf7209c5e1ea58acb8f3568fa2114268dc9ac3bafe12af277d286fce7dc59b7c0c348973c4e9dacbe79485e56ac2a702");
    }
}
