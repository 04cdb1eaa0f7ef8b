//! The iden3 binary files: `.r1cs` v1 (a constraint system) and `.wtns` v2 (a full
//! assignment), as circom writes them and snarkjs reads them.
//!
//! Container: 4-byte magic, u32 version, u32 section count, then sections of (u32 type,
//! u64 size, body), little-endian. Wire 0 is the constant one, then the public inputs in
//! veil's statement order (as outputs-free public inputs: nPubOut = 0), then the witness
//! variables, exactly as in arkworks' assignment; field elements are 32-byte little-endian
//! integers in standard (not Montgomery) form.

use super::ExportError;
use crate::groth16::Compiled;
use ark_bls12_381::Fr;
use ark_ff::{BigInteger, PrimeField, Zero};
use std::collections::BTreeMap;

const FIELD_BYTES: usize = 32;
const R1CS_MAGIC: &[u8; 4] = b"r1cs";
const WTNS_MAGIC: &[u8; 4] = b"wtns";

/// One linear combination: (wire, coefficient), sorted by wire, no zero coefficients.
pub type Lc = Vec<(u32, Fr)>;

/// A constraint system as an `.r1cs` file holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1csFile {
    pub n_wires: u32,
    pub n_pub_out: u32,
    pub n_pub_in: u32,
    pub n_prv_in: u32,
    /// A · B = C for each constraint.
    pub constraints: Vec<[Lc; 3]>,
    /// The label of each wire.
    pub labels: Vec<u64>,
}

impl R1csFile {
    /// The constraint system of a compiled circuit.
    pub fn from_compiled(c: &Compiled) -> Result<Self, ExportError> {
        let count = |n: usize, what: &str| {
            u32::try_from(n).map_err(|_| ExportError::Format(format!("too many {what}")))
        };
        let n_wires = count(c.num_instance + c.num_witness, "wires")?;
        let lc = |row: &[(Fr, usize)]| -> Result<Lc, ExportError> {
            let mut terms: BTreeMap<u32, Fr> = BTreeMap::new();
            for (coeff, wire) in row {
                *terms.entry(count(*wire, "wires")?).or_default() += coeff;
            }
            Ok(terms.into_iter().filter(|(_, c)| !c.is_zero()).collect())
        };
        let constraints = (0..c.num_constraints)
            .map(|r| {
                let row = |m: usize| c.matrices.get(m).and_then(|m| m.get(r));
                match (row(0), row(1), row(2)) {
                    (Some(a), Some(b), Some(cc)) => Ok([lc(a)?, lc(b)?, lc(cc)?]),
                    _ => Err(ExportError::Format(format!(
                        "constraint {r} is missing from the matrices"
                    ))),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(R1csFile {
            n_wires,
            n_pub_out: 0,
            n_pub_in: count(c.public_inputs(), "public inputs")?,
            n_prv_in: count(c.num_witness, "witness variables")?,
            constraints,
            labels: (0..u64::from(n_wires)).collect(),
        })
    }

    /// The `.r1cs` v1 bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut header = Vec::new();
        header.extend((FIELD_BYTES as u32).to_le_bytes());
        header.extend(fr_modulus_le());
        for n in [self.n_wires, self.n_pub_out, self.n_pub_in, self.n_prv_in] {
            header.extend(n.to_le_bytes());
        }
        header.extend((self.labels.len() as u64).to_le_bytes());
        header.extend((self.constraints.len() as u32).to_le_bytes());
        let mut body = Vec::new();
        for constraint in &self.constraints {
            for lc in constraint {
                body.extend((lc.len() as u32).to_le_bytes());
                for (wire, coeff) in lc {
                    body.extend(wire.to_le_bytes());
                    body.extend(fr_le(coeff));
                }
            }
        }
        let labels: Vec<u8> = self.labels.iter().flat_map(|l| l.to_le_bytes()).collect();
        container(R1CS_MAGIC, 1, &[(1, &header), (2, &body), (3, &labels)])
    }

    /// Reads an `.r1cs` v1 file (sections in any order), refusing anything else.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ExportError> {
        let sections = read_container(bytes, R1CS_MAGIC, "r1cs", 1)?;
        let mut h = Reader::new(section(&sections, 1, "r1cs header")?, "r1cs header");
        read_prime(&mut h)?;
        let n_wires = h.u32()?;
        let n_pub_out = h.u32()?;
        let n_pub_in = h.u32()?;
        let n_prv_in = h.u32()?;
        let n_labels = h.u64()?;
        let n_constraints = h.u32()?;
        h.finish()?;
        let mut b = Reader::new(
            section(&sections, 2, "r1cs constraints")?,
            "r1cs constraints",
        );
        // Each constraint takes at least 12 bytes (three term counts).
        b.bound(u64::from(n_constraints), 12)?;
        let mut constraints = Vec::with_capacity(n_constraints as usize);
        for _ in 0..n_constraints {
            let mut lcs: [Lc; 3] = Default::default();
            for lc in &mut lcs {
                let n = b.u32()?;
                b.bound(u64::from(n), 4 + FIELD_BYTES)?;
                let mut terms = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    let wire = b.u32()?;
                    if wire >= n_wires {
                        return Err(ExportError::Format(format!(
                            "r1cs: wire {wire} out of range ({n_wires} wires)"
                        )));
                    }
                    terms.push((wire, b.fr()?));
                }
                *lc = terms;
            }
            constraints.push(lcs);
        }
        b.finish()?;
        let mut l = Reader::new(section(&sections, 3, "r1cs labels")?, "r1cs labels");
        l.bound(n_labels, 8)?;
        let labels = (0..n_labels).map(|_| l.u64()).collect::<Result<_, _>>()?;
        l.finish()?;
        Ok(R1csFile {
            n_wires,
            n_pub_out,
            n_pub_in,
            n_prv_in,
            constraints,
            labels,
        })
    }

    /// The first constraint the assignment violates, if any.
    pub fn first_unsatisfied(&self, assignment: &[Fr]) -> Option<usize> {
        let eval = |lc: &Lc| -> Fr {
            lc.iter()
                .map(|(w, c)| *c * assignment.get(*w as usize).copied().unwrap_or_default())
                .sum()
        };
        self.constraints
            .iter()
            .position(|[a, b, c]| eval(a) * eval(b) != eval(c))
    }
}

/// The `.wtns` v2 bytes of a full assignment (wire 0 = one, public inputs, witness).
pub fn wtns_to_bytes(assignment: &[Fr]) -> Vec<u8> {
    let mut header = Vec::new();
    header.extend((FIELD_BYTES as u32).to_le_bytes());
    header.extend(fr_modulus_le());
    header.extend((assignment.len() as u32).to_le_bytes());
    let values: Vec<u8> = assignment.iter().flat_map(fr_le).collect();
    container(WTNS_MAGIC, 2, &[(1, &header), (2, &values)])
}

/// Reads a `.wtns` v2 file back to the assignment.
pub fn wtns_from_bytes(bytes: &[u8]) -> Result<Vec<Fr>, ExportError> {
    let sections = read_container(bytes, WTNS_MAGIC, "wtns", 2)?;
    let mut h = Reader::new(section(&sections, 1, "wtns header")?, "wtns header");
    read_prime(&mut h)?;
    let n = h.u32()?;
    h.finish()?;
    let mut v = Reader::new(section(&sections, 2, "wtns values")?, "wtns values");
    v.bound(u64::from(n), FIELD_BYTES)?;
    let values = (0..n).map(|_| v.fr()).collect::<Result<_, _>>()?;
    v.finish()?;
    Ok(values)
}

fn fr_le(f: &Fr) -> Vec<u8> {
    let mut b = f.into_bigint().to_bytes_le();
    b.resize(FIELD_BYTES, 0);
    b
}

fn fr_modulus_le() -> Vec<u8> {
    let mut b = Fr::MODULUS.to_bytes_le();
    b.resize(FIELD_BYTES, 0);
    b
}

fn container(magic: &[u8; 4], version: u32, sections: &[(u32, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(magic);
    out.extend(version.to_le_bytes());
    out.extend((sections.len() as u32).to_le_bytes());
    for (kind, body) in sections {
        out.extend(kind.to_le_bytes());
        out.extend((body.len() as u64).to_le_bytes());
        out.extend(*body);
    }
    out
}

type Sections<'a> = Vec<(u32, &'a [u8])>;

fn read_container<'a>(
    bytes: &'a [u8],
    magic: &[u8; 4],
    what: &'static str,
    version: u32,
) -> Result<Sections<'a>, ExportError> {
    let mut r = Reader::new(bytes, what);
    if r.take(4)? != magic {
        return Err(ExportError::BadMagic { expected: what });
    }
    let found = r.u32()?;
    if found != version {
        return Err(ExportError::Version {
            what,
            found,
            expected: version,
        });
    }
    let n = r.u32()?;
    r.bound(u64::from(n), 12)?;
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let kind = r.u32()?;
        let size = r.u64()?;
        let size = usize::try_from(size).map_err(|_| ExportError::Truncated(what))?;
        out.push((kind, r.take(size)?));
    }
    r.finish()?;
    Ok(out)
}

fn section<'a>(
    sections: &Sections<'a>,
    kind: u32,
    what: &'static str,
) -> Result<&'a [u8], ExportError> {
    let mut found = sections.iter().filter(|(k, _)| *k == kind);
    match (found.next(), found.next()) {
        (Some((_, body)), None) => Ok(body),
        (None, _) => Err(ExportError::Format(format!("{what}: section missing"))),
        (Some(_), Some(_)) => Err(ExportError::Format(format!("{what}: section repeated"))),
    }
}

fn read_prime(r: &mut Reader<'_>) -> Result<(), ExportError> {
    let n8 = r.u32()?;
    if n8 as usize != FIELD_BYTES {
        return Err(ExportError::Format(format!(
            "{}: field size {n8}, expected {FIELD_BYTES} (BLS12-381 scalar field)",
            r.what
        )));
    }
    if r.take(FIELD_BYTES)? != fr_modulus_le().as_slice() {
        return Err(ExportError::Format(format!(
            "{}: the prime is not the BLS12-381 scalar field modulus",
            r.what
        )));
    }
    Ok(())
}

/// Reads little-endian values, refusing to run past the end.
struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(rest: &'a [u8], what: &'static str) -> Self {
        Reader { rest, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ExportError> {
        if self.rest.len() < n {
            return Err(ExportError::Truncated(self.what));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    /// Refuses a count of items of at least `each` bytes that the remaining bytes cannot
    /// hold, before anything is allocated for them.
    fn bound(&self, count: u64, each: usize) -> Result<(), ExportError> {
        match count.checked_mul(each as u64) {
            Some(need) if need <= self.rest.len() as u64 => Ok(()),
            _ => Err(ExportError::Truncated(self.what)),
        }
    }

    fn u32(&mut self) -> Result<u32, ExportError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, ExportError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }

    fn fr(&mut self) -> Result<Fr, ExportError> {
        let b = self.take(FIELD_BYTES)?;
        let v = Fr::from_le_bytes_mod_order(b);
        if fr_le(&v) != b {
            return Err(ExportError::Format(format!(
                "{}: a value is not below the BLS12-381 scalar field modulus",
                self.what
            )));
        }
        Ok(v)
    }

    fn finish(&self) -> Result<(), ExportError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(ExportError::Format(format!(
                "{}: {} trailing bytes",
                self.what,
                self.rest.len()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groth16::{assignment, compile};
    use veil_circuits::{sample, Tier};

    fn tier() -> (R1csFile, Vec<Fr>) {
        let circuit = Tier::new(4).unwrap();
        let w = sample::tier_witness::<crate::Hasher>(4, 1).unwrap();
        let compiled = compile(&circuit).unwrap();
        let file = R1csFile::from_compiled(&compiled).unwrap();
        assert_eq!(file.constraints.len(), compiled.num_constraints);
        (file, assignment(&circuit, &w).unwrap())
    }

    #[test]
    fn r1cs_and_wtns_round_trip_and_the_witness_satisfies_the_file() {
        let (file, full) = tier();
        let back = R1csFile::from_bytes(&file.to_bytes()).unwrap();
        assert_eq!(back, file);
        assert_eq!(back.n_pub_in, 6);
        let w = wtns_from_bytes(&wtns_to_bytes(&full)).unwrap();
        assert_eq!(w, full);
        assert_eq!(w[0], Fr::from(1u64));
        assert_eq!(back.first_unsatisfied(&w), None);
        let mut bad = w.clone();
        bad[1] += Fr::from(1u64);
        assert!(back.first_unsatisfied(&bad).is_some());
        for (a, b, c) in back.constraints.iter().map(|[a, b, c]| (a, b, c)) {
            for lc in [a, b, c] {
                assert!(lc.windows(2).all(|p| p[0].0 < p[1].0), "sorted by wire");
            }
        }
    }

    #[test]
    fn malformed_files_are_refused() {
        let (file, full) = tier();
        let bytes = file.to_bytes();
        for cut in [0, 3, 11, 20, bytes.len() - 1] {
            assert!(R1csFile::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut magic = bytes.clone();
        magic[0] = b'x';
        assert_eq!(
            R1csFile::from_bytes(&magic),
            Err(ExportError::BadMagic { expected: "r1cs" })
        );
        let mut version = bytes.clone();
        version[4] = 2;
        assert!(matches!(
            R1csFile::from_bytes(&version),
            Err(ExportError::Version { .. })
        ));
        // A huge constraint count is refused before any allocation.
        let mut huge = bytes.clone();
        let header_at = 12 + 12;
        let count_at = header_at + 4 + 32 + 16 + 8;
        huge[count_at..count_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(R1csFile::from_bytes(&huge).is_err());
        let mut prime = bytes;
        prime[header_at + 4] ^= 1;
        assert!(matches!(
            R1csFile::from_bytes(&prime),
            Err(ExportError::Format(_))
        ));
        let w = wtns_to_bytes(&full);
        assert!(wtns_from_bytes(&w[..w.len() - 1]).is_err());
        let mut above = w.clone();
        let last = above.len() - 32;
        above[last..].copy_from_slice(&fr_modulus_le());
        assert!(matches!(
            wtns_from_bytes(&above),
            Err(ExportError::Format(_))
        ));
        let mut trailing = w;
        trailing.push(0);
        assert!(wtns_from_bytes(&trailing).is_err());
    }
}
