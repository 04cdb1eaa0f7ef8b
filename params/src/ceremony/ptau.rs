//! snarkjs `.ptau` import and export (curve bls12381).
//!
//! Layout (iden3 binary container, little-endian): "ptau", version 1, section count, then
//! sections (u32 type, u64 size, body) in any order. 1: n8 = 48, q, power, ceremony power;
//! 2: τ·G1 (2^(p+1) − 1 points); 3: τ·G2 (2^p); 4: α·τ·G1; 5: β·τ·G1; 6: β·G2; 7: the
//! contributions. Coordinates are in Montgomery form (R = 2^384), G2 as (x.c0, x.c1, y.c0,
//! y.c1), the identity as all zeros.
//!
//! Import reads the points (each checked on the curve and in the subgroup) and records the
//! snarkjs transcript as one `Imported` base: snarkjs's own proofs of knowledge are not
//! re-checked here (use `snarkjs powersoftau verify` for those); veil checks the powers
//! themselves, and keeps the snarkjs contribution records for a later export. Export writes
//! the points and a contributions section that `snarkjs powersoftau verify` checks: the
//! imported records, then one record per veil contribution (its [`SnarkjsLink`], type 0;
//! a veil beacon is written as an ordinary contribution named "beacon", which veil itself
//! checks as a beacon).
//!
//! [`SnarkjsLink`]: super::snarkjs_chain::SnarkjsLink

use super::phase1::{sizes, Phase1, MAX_POWER};
use super::{sha3, CeremonyError, Result};
use ark_bls12_381::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, BigInteger, Fp, PrimeField};
use rayon::prelude::*;

const N8: usize = 48;

fn fmt(msg: impl Into<String>) -> CeremonyError {
    CeremonyError::Format(format!(".ptau: {}", msg.into()))
}

fn fq_from_mont(b: &[u8]) -> Option<Fq> {
    let mut limbs = [0u64; 6];
    for (i, l) in limbs.iter_mut().enumerate() {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[i * 8..i * 8 + 8]);
        *l = u64::from_le_bytes(a);
    }
    let big = BigInt::<6>(limbs);
    (big < Fq::MODULUS).then(|| Fp::new_unchecked(big))
}

fn fq_to_mont(f: &Fq, out: &mut [u8]) {
    // The inner BigInt of an arkworks Fp is the Montgomery form.
    out.copy_from_slice(&f.0.to_bytes_le());
}

fn g1_from(b: &[u8], what: &str, i: usize) -> Result<G1Affine> {
    if b.iter().all(|x| *x == 0) {
        return Ok(G1Affine::zero());
    }
    let bad = |d: &str| CeremonyError::Point {
        what: format!("{what}[{i}]"),
        detail: d.to_string(),
    };
    let x = fq_from_mont(&b[..N8]).ok_or_else(|| bad("coordinate ≥ q"))?;
    let y = fq_from_mont(&b[N8..]).ok_or_else(|| bad("coordinate ≥ q"))?;
    let p = G1Affine::new_unchecked(x, y);
    if !veil_prover::msm::g1_in_subgroup(&p) {
        return Err(bad(if p.is_on_curve() {
            "not in the prime-order subgroup"
        } else {
            "not on the curve"
        }));
    }
    Ok(p)
}

fn g2_from(b: &[u8], what: &str, i: usize) -> Result<G2Affine> {
    if b.iter().all(|x| *x == 0) {
        return Ok(G2Affine::zero());
    }
    let bad = |d: &str| CeremonyError::Point {
        what: format!("{what}[{i}]"),
        detail: d.to_string(),
    };
    let c = |k: usize| fq_from_mont(&b[k * N8..(k + 1) * N8]).ok_or_else(|| bad("coordinate ≥ q"));
    let x = Fq2::new(c(0)?, c(1)?);
    let y = Fq2::new(c(2)?, c(3)?);
    let p = G2Affine::new_unchecked(x, y);
    if !veil_prover::msm::g2_in_subgroup(&p) {
        return Err(bad(if p.is_on_curve() {
            "not in the prime-order subgroup"
        } else {
            "not on the curve"
        }));
    }
    Ok(p)
}

fn g1_to(p: &G1Affine, out: &mut [u8]) {
    match p.xy() {
        None => out.fill(0),
        Some((x, y)) => {
            fq_to_mont(&x, &mut out[..N8]);
            fq_to_mont(&y, &mut out[N8..]);
        }
    }
}

fn g2_to(p: &G2Affine, out: &mut [u8]) {
    match p.xy() {
        None => out.fill(0),
        Some((x, y)) => {
            fq_to_mont(&x.c0, &mut out[..N8]);
            fq_to_mont(&x.c1, &mut out[N8..2 * N8]);
            fq_to_mont(&y.c0, &mut out[2 * N8..3 * N8]);
            fq_to_mont(&y.c1, &mut out[3 * N8..]);
        }
    }
}

fn sections(bytes: &[u8]) -> Result<Vec<(u32, &[u8])>> {
    let mut r = super::io::Reader::new(bytes, ".ptau file");
    if r.take(4)? != b"ptau" {
        return Err(fmt("not a snarkjs .ptau file (magic)"));
    }
    let _version = r.u32()?;
    let n = r.u32()?;
    if n as usize > r.remaining() / 12 + 1 {
        return Err(fmt("too many sections"));
    }
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let t = r.u32()?;
        let size = r.u64()?;
        let size = usize::try_from(size).map_err(|_| fmt("section too large"))?;
        out.push((t, r.take(size)?));
    }
    Ok(out)
}

fn section<'a>(secs: &[(u32, &'a [u8])], t: u32) -> Result<&'a [u8]> {
    let mut found = secs.iter().filter(|(k, _)| *k == t);
    let s = found
        .next()
        .ok_or_else(|| fmt(format!("section {t} missing")))?;
    if found.next().is_some() {
        return Err(fmt(format!("section {t} appears twice")));
    }
    Ok(s.1)
}

fn points_g1(body: &[u8], n: usize, what: &str) -> Result<Vec<G1Affine>> {
    if body.len() < n * 2 * N8 {
        return Err(fmt(format!("{what}: section too short for {n} points")));
    }
    body[..n * 2 * N8]
        .par_chunks(2 * N8)
        .enumerate()
        .map(|(i, b)| g1_from(b, what, i))
        .collect()
}

fn points_g2(body: &[u8], n: usize, what: &str) -> Result<Vec<G2Affine>> {
    if body.len() < n * 4 * N8 {
        return Err(fmt(format!("{what}: section too short for {n} points")));
    }
    body[..n * 4 * N8]
        .par_chunks(4 * N8)
        .enumerate()
        .map(|(i, b)| g2_from(b, what, i))
        .collect()
}

/// Reads a snarkjs bls12381 `.ptau`. The result carries no veil contribution: its
/// `ceremony_power` and `imported` record where it came from. Check it with
/// [`Phase1::verify_powers`].
pub fn import(bytes: &[u8], progress: &dyn Fn(&str)) -> Result<Phase1> {
    let secs = sections(bytes)?;
    let mut h = super::io::Reader::new(section(&secs, 1)?, ".ptau header");
    let n8 = h.u32()? as usize;
    if n8 != N8 {
        return Err(fmt(format!("field size {n8} bytes: not bls12381 (48)")));
    }
    let q = h.take(N8)?;
    if q != Fq::MODULUS.to_bytes_le().as_slice() {
        return Err(fmt(
            "the prime q is not BLS12-381's (is this a bn128 file?)",
        ));
    }
    let power = h.u32()?;
    let ceremony_power = h.u32()?;
    if power == 0 || power > MAX_POWER || ceremony_power < power {
        return Err(fmt(format!(
            "power {power} (ceremony power {ceremony_power}) out of range"
        )));
    }
    let (ng1, n) = sizes(power);
    progress("τ·G1");
    let tau_g1 = points_g1(section(&secs, 2)?, ng1, "τ·G1")?;
    progress("τ·G2");
    let tau_g2 = points_g2(section(&secs, 3)?, n, "τ·G2")?;
    progress("α·τ·G1, β·τ·G1");
    let alpha_tau_g1 = points_g1(section(&secs, 4)?, n, "α·τ·G1")?;
    let beta_tau_g1 = points_g1(section(&secs, 5)?, n, "β·τ·G1")?;
    let beta_g2 = points_g2(section(&secs, 6)?, 1, "β·G2")?[0];
    // Bind the imported points into the transcript hash: the chain starts from a digest of
    // the snarkjs file's point sections.
    let digest = sha3(&[
        b"veil-ptau-import-v1",
        section(&secs, 2)?,
        section(&secs, 3)?,
        section(&secs, 4)?,
        section(&secs, 5)?,
        section(&secs, 6)?,
    ]);
    let mut p = Phase1 {
        power,
        ceremony_power,
        tau_g1,
        tau_g2,
        alpha_tau_g1,
        beta_tau_g1,
        beta_g2,
        contributions: Vec::new(),
        imported: None,
    };
    if p.tau_g1.len() < 2 {
        return Err(fmt("fewer than two powers"));
    }
    let records = section(&secs, 7)?;
    super::snarkjs_chain::parse_contributions(records)?;
    p.mark_imported(digest, Some(records.to_vec()));
    Ok(p)
}

/// Writes a snarkjs bls12381 `.ptau`: the accumulator's points and the contribution records
/// (see the module documentation). Refused for a transcript with no contribution, or with
/// one made by a veil older than format version 2 (no snarkjs form).
pub fn export(p: &Phase1) -> Result<Vec<u8>> {
    if !p.snarkjs_exportable() {
        return Err(CeremonyError::Invalid(
            "this transcript has contributions without their snarkjs form (made by a veil before ptau format 2): it cannot be exported for snarkjs".into(),
        ));
    }
    let (imported_count, imported_records) =
        match p.imported.as_ref().and_then(|i| i.snarkjs.as_ref()) {
            Some(rec) => (
                super::snarkjs_chain::parse_contributions(&rec.section)?.0,
                &rec.section[4..],
            ),
            None => (0, &[][..]),
        };
    if imported_count == 0 && p.contributions.is_empty() {
        return Err(CeremonyError::Invalid(
            "no contribution: snarkjs refuses such a file (contribute first)".into(),
        ));
    }
    let (ng1, n) = sizes(p.power);
    let mut out = Vec::new();
    out.extend_from_slice(b"ptau");
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&7u32.to_le_bytes());
    let mut put = |t: u32, body: Vec<u8>| {
        out.extend_from_slice(&t.to_le_bytes());
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&body);
    };
    let mut header = Vec::new();
    header.extend_from_slice(&(N8 as u32).to_le_bytes());
    header.extend_from_slice(&Fq::MODULUS.to_bytes_le());
    header.extend_from_slice(&p.power.to_le_bytes());
    header.extend_from_slice(&p.ceremony_power.to_le_bytes());
    put(1, header);
    let g1s = |v: &[G1Affine]| {
        let mut b = vec![0u8; v.len() * 2 * N8];
        b.par_chunks_mut(2 * N8)
            .zip(v.par_iter())
            .for_each(|(o, p)| g1_to(p, o));
        b
    };
    let g2s = |v: &[G2Affine]| {
        let mut b = vec![0u8; v.len() * 4 * N8];
        b.par_chunks_mut(4 * N8)
            .zip(v.par_iter())
            .for_each(|(o, p)| g2_to(p, o));
        b
    };
    put(2, g1s(&p.tau_g1[..ng1]));
    put(3, g2s(&p.tau_g2[..n]));
    put(4, g1s(&p.alpha_tau_g1[..n]));
    put(5, g1s(&p.beta_tau_g1[..n]));
    put(6, g2s(&[p.beta_g2]));
    let mut records = Vec::new();
    let count = imported_count as usize + p.contributions.len();
    records.extend_from_slice(&(count as u32).to_le_bytes());
    records.extend_from_slice(imported_records);
    for c in &p.contributions {
        let link = c.snarkjs.as_ref().expect("checked by snarkjs_exportable");
        let after = (c.tau_g1, link.tau_g2, c.alpha_g1, c.beta_g1, c.beta_g2);
        super::snarkjs_chain::write_record(&mut records, &c.name, after, link, g1_to, g2_to);
    }
    put(7, records);
    Ok(out)
}
