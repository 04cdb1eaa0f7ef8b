//! Binary framing of ceremony files: little-endian integers, uncompressed arkworks points.
//! Every length is checked against the bytes that remain before anything is allocated, and
//! every point read is checked on the curve and in the prime-order subgroup.

use super::{CeremonyError, Result};
use ark_bls12_381::{G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rayon::prelude::*;
use std::path::Path;

pub const G1_BYTES: usize = 96;
pub const G2_BYTES: usize = 192;

#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// A length-prefixed byte string.
    pub fn blob(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.bytes(b);
    }
    pub fn g1(&mut self, p: &G1Affine) {
        p.serialize_uncompressed(&mut self.buf)
            .expect("writing to a Vec cannot fail");
    }
    pub fn g2(&mut self, p: &G2Affine) {
        p.serialize_uncompressed(&mut self.buf)
            .expect("writing to a Vec cannot fail");
    }
    pub fn g1_vec(&mut self, v: &[G1Affine]) {
        self.u64(v.len() as u64);
        let start = self.buf.len();
        self.buf.resize(start + v.len() * G1_BYTES, 0);
        self.buf[start..]
            .par_chunks_mut(G1_BYTES)
            .zip(v.par_iter())
            .for_each(|(mut out, p)| {
                p.serialize_uncompressed(&mut out)
                    .expect("a 96-byte slice holds an uncompressed G1 point")
            });
    }
    pub fn g2_vec(&mut self, v: &[G2Affine]) {
        self.u64(v.len() as u64);
        let start = self.buf.len();
        self.buf.resize(start + v.len() * G2_BYTES, 0);
        self.buf[start..]
            .par_chunks_mut(G2_BYTES)
            .zip(v.par_iter())
            .for_each(|(mut out, p)| {
                p.serialize_uncompressed(&mut out)
                    .expect("a 192-byte slice holds an uncompressed G2 point")
            });
    }
}

pub struct Reader<'a> {
    buf: &'a [u8],
    /// The kind of file, for error messages.
    file: &'static str,
}

/// A G1 point in arkworks' uncompressed encoding, on the curve and in the prime-order subgroup
/// (blst's checks, through veil-prover: several times arkworks' speed).
fn read_g1(b: &[u8], what: impl Fn() -> String) -> Result<G1Affine> {
    let p = G1Affine::deserialize_with_mode(b, Compress::No, Validate::No)
        .map_err(|e| point_error(&what(), e))?;
    if !veil_prover::msm::g1_in_subgroup(&p) {
        return Err(point_error(
            &what(),
            "off the curve or outside the subgroup",
        ));
    }
    Ok(p)
}

/// [`read_g1`] in G2.
fn read_g2(b: &[u8], what: impl Fn() -> String) -> Result<G2Affine> {
    let p = G2Affine::deserialize_with_mode(b, Compress::No, Validate::No)
        .map_err(|e| point_error(&what(), e))?;
    if !veil_prover::msm::g2_in_subgroup(&p) {
        return Err(point_error(
            &what(),
            "off the curve or outside the subgroup",
        ));
    }
    Ok(p)
}

fn point_error(what: &str, e: impl std::fmt::Display) -> CeremonyError {
    CeremonyError::Point {
        what: what.to_string(),
        detail: format!("not a valid point in the prime-order subgroup ({e})"),
    }
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8], file: &'static str) -> Self {
        Reader { buf, file }
    }

    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.buf.len() {
            return Err(CeremonyError::Format(format!(
                "{} is truncated: {n} bytes needed, {} left",
                self.file,
                self.buf.len()
            )));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn u64(&mut self) -> Result<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    pub fn hash(&mut self) -> Result<[u8; 32]> {
        let mut a = [0u8; 32];
        a.copy_from_slice(self.take(32)?);
        Ok(a)
    }

    /// A count of items of `item_bytes` each, refused if the items cannot fit in what remains.
    pub fn count(&mut self, item_bytes: usize, what: &str) -> Result<usize> {
        let n = self.u64()?;
        let fits = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(item_bytes))
            .is_some_and(|total| total <= self.buf.len());
        if !fits {
            return Err(CeremonyError::Format(format!(
                "{}: {what} claims {n} items, more than the file holds",
                self.file
            )));
        }
        Ok(n as usize)
    }

    /// A length-prefixed byte string of at most `max` bytes.
    pub fn blob(&mut self, max: usize, what: &str) -> Result<&'a [u8]> {
        let n = self.count(1, what)?;
        if n > max {
            return Err(CeremonyError::Format(format!(
                "{}: {what} is {n} bytes, at most {max} allowed",
                self.file
            )));
        }
        self.take(n)
    }

    pub fn g1(&mut self, what: &str) -> Result<G1Affine> {
        let b = self.take(G1_BYTES)?;
        read_g1(b, || what.to_string())
    }

    pub fn g2(&mut self, what: &str) -> Result<G2Affine> {
        let b = self.take(G2_BYTES)?;
        read_g2(b, || what.to_string())
    }

    /// A length-prefixed vector of G1 points, validated in parallel.
    pub fn g1_vec(&mut self, what: &str) -> Result<Vec<G1Affine>> {
        let n = self.count(G1_BYTES, what)?;
        let bytes = self.take(n * G1_BYTES)?;
        bytes
            .par_chunks(G1_BYTES)
            .enumerate()
            .map(|(i, b)| read_g1(b, || format!("{what}[{i}]")))
            .collect()
    }

    pub fn g2_vec(&mut self, what: &str) -> Result<Vec<G2Affine>> {
        let n = self.count(G2_BYTES, what)?;
        let bytes = self.take(n * G2_BYTES)?;
        bytes
            .par_chunks(G2_BYTES)
            .enumerate()
            .map(|(i, b)| read_g2(b, || format!("{what}[{i}]")))
            .collect()
    }

    pub fn finish(self) -> Result<()> {
        if !self.buf.is_empty() {
            return Err(CeremonyError::Format(format!(
                "{}: {} trailing bytes",
                self.file,
                self.buf.len()
            )));
        }
        Ok(())
    }
}

/// Refuses identity points in a vector where every element must be a secret multiple of a
/// generator.
pub fn no_identity_g1(points: &[G1Affine], what: &str) -> Result<()> {
    match points.par_iter().position_any(|p| p.is_zero()) {
        Some(i) => Err(CeremonyError::Point {
            what: format!("{what}[{i}]"),
            detail: "the identity point".into(),
        }),
        None => Ok(()),
    }
}

pub fn no_identity_g2(points: &[G2Affine], what: &str) -> Result<()> {
    match points.par_iter().position_any(|p| p.is_zero()) {
        Some(i) => Err(CeremonyError::Point {
            what: format!("{what}[{i}]"),
            detail: "the identity point".into(),
        }),
        None => Ok(()),
    }
}

pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| CeremonyError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Writes a temp file next to `path`, syncs it, and renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let io_err = |source| CeremonyError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io_err)
}
