//! Phase 1: powers of tau on BLS12-381.
//!
//! The accumulator holds τⁱ·G1 (i < 2^(p+1) − 1), τⁱ·G2, α·τⁱ·G1, β·τⁱ·G1 (i < 2^p) and β·G2,
//! the layout of a snarkjs `.ptau`. Each contribution multiplies in fresh (τ, α, β), proves
//! knowledge of them, and records the accumulator's τ·G1, α·G1, β·G1, β·G2 after it, so that
//! [`Phase1::verify`] can walk the chain from the generators to the final powers.

use super::io::{self, Reader, Writer};
use super::snarkjs_chain::{self, Challenge, SnarkjsLink};
use super::{
    beacon_rng, consecutive_powers_g1, consecutive_powers_g2, contributor_rng, nonzero_scalar,
    powers, same_ratio, scale_g1, scale_g2, sha3, verifier_rng, CeremonyError, Hash, Pok, Result,
};
use ark_bls12_381::{Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use rand_chacha::ChaCha20Rng;

const MAGIC: &[u8; 8] = b"veilptau";
/// Version 2 added the snarkjs chain ([`SnarkjsLink`], the imported snarkjs records).
/// Version 1 files are still read; they cannot be exported for `snarkjs powersoftau verify`.
const VERSION: u32 = 2;
/// The largest power accepted (BLS12-381's Fr has two-adicity 32; 2^28 is beyond any veil
/// circuit and already ~100 GiB of points).
pub const MAX_POWER: u32 = 28;
const MAX_NAME: usize = 256;

/// Who made a contribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A participant with secret randomness.
    Participant,
    /// A public random beacon: SHA-256 iterated 2^exp times over the value.
    Beacon { value: Vec<u8>, exp: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    pub name: String,
    pub origin: Origin,
    /// The accumulator after this contribution: τ·G1, α·G1, β·G1, β·G2.
    pub tau_g1: G1Affine,
    pub alpha_g1: G1Affine,
    pub beta_g1: G1Affine,
    pub beta_g2: G2Affine,
    pub pok_tau: Pok,
    pub pok_alpha: Pok,
    pub pok_beta: Pok,
    /// The snarkjs form of the contribution (absent in version-1 files).
    pub snarkjs: Option<SnarkjsLink>,
}

/// The snarkjs records of an imported `.ptau`, kept so that an export carries them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedRecords {
    /// τ·G2 of the imported accumulator.
    pub tau_g2: G2Affine,
    /// The `.ptau` contributions section as read (count and records).
    pub section: Vec<u8>,
}

/// An accumulator imported from another tool (a snarkjs `.ptau`): the digest of its points
/// and its heads, where veil's own chain of contributions starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub digest: Hash,
    pub tau_g1: G1Affine,
    pub alpha_g1: G1Affine,
    pub beta_g1: G1Affine,
    pub beta_g2: G2Affine,
    /// Absent in version-1 files.
    pub snarkjs: Option<ImportedRecords>,
}

/// A powers-of-tau accumulator and its transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase1 {
    pub power: u32,
    /// The power the ceremony was run at (the hash chain starts from it); larger than
    /// `power` after [`Phase1::truncate`].
    pub ceremony_power: u32,
    pub tau_g1: Vec<G1Affine>,
    pub tau_g2: Vec<G2Affine>,
    pub alpha_tau_g1: Vec<G1Affine>,
    pub beta_tau_g1: Vec<G1Affine>,
    pub beta_g2: G2Affine,
    pub contributions: Vec<Contribution>,
    /// Set when the accumulator was imported: its earlier contributions were made (and are
    /// checked) by the other tool.
    pub imported: Option<Imported>,
}

/// The figures of a verified accumulator.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Phase1Report {
    pub power: u32,
    pub contributions: Vec<String>,
    pub transcript_hash: String,
}

impl Contribution {
    fn write(&self, w: &mut Writer) {
        w.blob(self.name.as_bytes());
        match &self.origin {
            Origin::Participant => w.u8(0),
            Origin::Beacon { value, exp } => {
                w.u8(1);
                w.blob(value);
                w.u32(*exp);
            }
        }
        w.g1(&self.tau_g1);
        w.g1(&self.alpha_g1);
        w.g1(&self.beta_g1);
        w.g2(&self.beta_g2);
        self.pok_tau.write(w);
        self.pok_alpha.write(w);
        self.pok_beta.write(w);
        match &self.snarkjs {
            None => w.u8(0),
            Some(l) => {
                w.u8(1);
                l.write(w);
            }
        }
    }

    fn read(r: &mut Reader, version: u32) -> Result<Self> {
        let name = String::from_utf8(r.blob(MAX_NAME, "contribution name")?.to_vec())
            .map_err(|_| CeremonyError::Format("contribution name is not UTF-8".into()))?;
        let origin = match r.u8()? {
            0 => Origin::Participant,
            1 => {
                let value = r.blob(64, "beacon value")?.to_vec();
                let exp = r.u32()?;
                Origin::Beacon { value, exp }
            }
            t => {
                return Err(CeremonyError::Format(format!(
                    "unknown contribution type {t}"
                )))
            }
        };
        Ok(Contribution {
            name,
            origin,
            tau_g1: r.g1("contribution τ·G1")?,
            alpha_g1: r.g1("contribution α·G1")?,
            beta_g1: r.g1("contribution β·G1")?,
            beta_g2: r.g2("contribution β·G2")?,
            pok_tau: Pok::read(r, "proof of knowledge of τ")?,
            pok_alpha: Pok::read(r, "proof of knowledge of α")?,
            pok_beta: Pok::read(r, "proof of knowledge of β")?,
            snarkjs: match if version == 1 { 0 } else { r.u8()? } {
                0 => None,
                1 => Some(SnarkjsLink::read(r)?),
                t => return Err(CeremonyError::Format(format!("unknown snarkjs flag {t}"))),
            },
        })
    }

    fn bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        self.write(&mut w);
        w.buf
    }
}

/// The hash chain: h₀ = H(tag, power), hᵢ = H(hᵢ₋₁, contributionᵢ).
pub fn initial_hash(power: u32, imported: Option<&Imported>) -> Hash {
    match imported {
        None => sha3(&[b"veil-ptau-v1", &power.to_le_bytes()]),
        Some(i) => sha3(&[b"veil-ptau-v1-imported", &power.to_le_bytes(), &i.digest]),
    }
}

fn next_hash(prev: &Hash, c: &Contribution) -> Hash {
    sha3(&[prev, &c.bytes()])
}

pub fn sizes(power: u32) -> (usize, usize) {
    let n = 1usize << power;
    (2 * n - 1, n)
}

impl Phase1 {
    /// A fresh accumulator: every secret is 1, every element a generator. Not usable until
    /// someone contributes.
    pub fn new(power: u32) -> Result<Self> {
        if power == 0 || power > MAX_POWER {
            return Err(CeremonyError::Invalid(format!(
                "power {power} out of range (1 to {MAX_POWER})"
            )));
        }
        let (ng1, n) = sizes(power);
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        Ok(Phase1 {
            power,
            ceremony_power: power,
            tau_g1: vec![g1; ng1],
            tau_g2: vec![g2; n],
            alpha_tau_g1: vec![g1; n],
            beta_tau_g1: vec![g1; n],
            beta_g2: g2,
            contributions: Vec::new(),
            imported: None,
        })
    }

    /// Records the current points as an imported base (see [`Imported`]).
    pub fn mark_imported(&mut self, digest: Hash, snarkjs_section: Option<Vec<u8>>) {
        self.imported = Some(Imported {
            digest,
            tau_g1: self.tau_g1[1],
            alpha_g1: self.alpha_tau_g1[0],
            beta_g1: self.beta_tau_g1[0],
            beta_g2: self.beta_g2,
            snarkjs: snarkjs_section.map(|section| ImportedRecords {
                tau_g2: self.tau_g2[1],
                section,
            }),
        });
    }

    /// The snarkjs challenge contribution `i` (0-based) answers, and the accumulator heads
    /// (τ·G1, τ·G2, α·G1, β·G1, β·G2) before it; None where the chain is not available (a
    /// version-1 contribution or import before it).
    #[allow(clippy::type_complexity)]
    fn snarkjs_before(
        &self,
        i: usize,
    ) -> Result<
        Option<(
            Challenge,
            (G1Affine, G2Affine, G1Affine, G1Affine, G2Affine),
        )>,
    > {
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        Ok(match i.checked_sub(1).map(|j| &self.contributions[j]) {
            Some(c) => c.snarkjs.as_ref().map(|l| {
                (
                    l.next_challenge,
                    (c.tau_g1, l.tau_g2, c.alpha_g1, c.beta_g1, c.beta_g2),
                )
            }),
            None => match &self.imported {
                None => Some((
                    snarkjs_chain::first_challenge(self.ceremony_power),
                    (g1, g2, g1, g1, g2),
                )),
                Some(Imported { snarkjs: None, .. }) => None,
                Some(
                    im @ Imported {
                        snarkjs: Some(rec), ..
                    },
                ) => {
                    let (_, last) = snarkjs_chain::parse_contributions(&rec.section)?;
                    Some((
                        last.unwrap_or_else(|| snarkjs_chain::first_challenge(self.ceremony_power)),
                        (im.tau_g1, rec.tau_g2, im.alpha_g1, im.beta_g1, im.beta_g2),
                    ))
                }
            },
        })
    }

    /// Whether every contribution (and the import) carries its snarkjs form, so that
    /// [`super::ptau::export`] writes a file `snarkjs powersoftau verify` accepts.
    pub fn snarkjs_exportable(&self) -> bool {
        self.contributions.iter().all(|c| c.snarkjs.is_some())
            && self.imported.as_ref().is_none_or(|i| i.snarkjs.is_some())
    }

    /// The hash of the whole transcript so far (the last link of the chain).
    pub fn transcript_hash(&self) -> Hash {
        self.contributions.iter().fold(
            initial_hash(self.ceremony_power, self.imported.as_ref()),
            |h, c| next_hash(&h, c),
        )
    }

    /// Contributes fresh OS randomness (mixed with `entropy`).
    pub fn contribute(
        &mut self,
        name: &str,
        entropy: &[u8],
        progress: &dyn Fn(&str),
    ) -> Result<Hash> {
        let mut rng = contributor_rng(entropy);
        self.apply(name, Origin::Participant, &mut rng, progress)
    }

    /// Contributes the public beacon: anyone can recompute its secrets.
    pub fn beacon(&mut self, value: &[u8], exp: u32, progress: &dyn Fn(&str)) -> Result<Hash> {
        let mut rng = beacon_rng(value, exp)?;
        self.apply(
            "beacon",
            Origin::Beacon {
                value: value.to_vec(),
                exp,
            },
            &mut rng,
            progress,
        )
    }

    fn apply(
        &mut self,
        name: &str,
        origin: Origin,
        rng: &mut ChaCha20Rng,
        progress: &dyn Fn(&str),
    ) -> Result<Hash> {
        if name.len() > MAX_NAME {
            return Err(CeremonyError::Invalid(format!(
                "name longer than {MAX_NAME} bytes"
            )));
        }
        let transcript = self.transcript_hash();
        let tau = nonzero_scalar(rng);
        let alpha = nonzero_scalar(rng);
        let beta = nonzero_scalar(rng);
        let pok_tau = Pok::new(tau, &transcript, b"tau", rng)?;
        let pok_alpha = Pok::new(alpha, &transcript, b"alpha", rng)?;
        let pok_beta = Pok::new(beta, &transcript, b"beta", rng)?;
        let snarkjs_prev = self.snarkjs_before(self.contributions.len())?;
        let snarkjs_key = snarkjs_prev.as_ref().map(|(challenge, _)| {
            [
                snarkjs_chain::key_for(tau, 0, challenge, rng),
                snarkjs_chain::key_for(alpha, 1, challenge, rng),
                snarkjs_chain::key_for(beta, 2, challenge, rng),
            ]
        });
        let (ng1, n) = sizes(self.power);
        let pw = powers(tau, ng1);
        progress("τ·G1");
        self.tau_g1 = scale_g1(&self.tau_g1, &pw);
        progress("τ·G2");
        self.tau_g2 = scale_g2(&self.tau_g2, &pw[..n]);
        progress("α·τ·G1");
        let alpha_pw: Vec<Fr> = pw[..n].iter().map(|p| *p * alpha).collect();
        self.alpha_tau_g1 = scale_g1(&self.alpha_tau_g1, &alpha_pw);
        progress("β·τ·G1");
        let beta_pw: Vec<Fr> = pw[..n].iter().map(|p| *p * beta).collect();
        self.beta_tau_g1 = scale_g1(&self.beta_tau_g1, &beta_pw);
        self.beta_g2 = (self.beta_g2 * beta).into_affine();
        let snarkjs = snarkjs_key.map(|key| {
            progress("snarkjs challenge");
            let response = snarkjs_chain::response_hash(&key);
            SnarkjsLink {
                tau_g2: self.tau_g2[1],
                key,
                next_challenge: snarkjs_chain::next_challenge(&response, self),
            }
        });
        let c = Contribution {
            name: name.to_string(),
            origin,
            tau_g1: self.tau_g1[1],
            alpha_g1: self.alpha_tau_g1[0],
            beta_g1: self.beta_tau_g1[0],
            beta_g2: self.beta_g2,
            pok_tau,
            pok_alpha,
            pok_beta,
            snarkjs,
        };
        self.contributions.push(c);
        Ok(self.transcript_hash())
    }

    /// Verifies the whole transcript from the generators: every contribution's proofs of
    /// knowledge and ratios, the beacon's recomputation, and that the final vectors are
    /// consecutive powers consistent with the last contribution. Points were already checked
    /// for subgroup membership when read.
    pub fn verify(&self, progress: &dyn Fn(&str)) -> Result<Phase1Report> {
        let (ng1, n) = sizes(self.power);
        if self.tau_g1.len() != ng1
            || self.tau_g2.len() != n
            || self.alpha_tau_g1.len() != n
            || self.beta_tau_g1.len() != n
        {
            return Err(CeremonyError::Format(format!(
                "vector lengths do not match power {}",
                self.power
            )));
        }
        if self.contributions.is_empty() && self.imported.is_none() {
            return Err(CeremonyError::Invalid(
                "no contribution: the secrets are all 1 and anyone can forge proofs".into(),
            ));
        }
        progress("contributions");
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        let (mut tau, mut alpha, mut beta, mut beta_g2) = match &self.imported {
            Some(i) => (i.tau_g1, i.alpha_g1, i.beta_g1, i.beta_g2),
            None => (g1, g1, g1, g2),
        };
        let mut h = initial_hash(self.ceremony_power, self.imported.as_ref());
        for (i, c) in self.contributions.iter().enumerate() {
            let fail = |check: String| CeremonyError::Contribution {
                index: i + 1,
                name: c.name.clone(),
                check,
            };
            for (p, what) in [
                (c.tau_g1, "τ·G1"),
                (c.alpha_g1, "α·G1"),
                (c.beta_g1, "β·G1"),
            ] {
                if p.is_zero() {
                    return Err(fail(format!("{what} is the identity")));
                }
            }
            if c.beta_g2.is_zero() {
                return Err(fail("β·G2 is the identity".into()));
            }
            if let Origin::Beacon { value, exp } = &c.origin {
                let mut expected = self.clone_prefix(i);
                let mut rng = beacon_rng(value, *exp).map_err(|e| fail(e.to_string()))?;
                expected
                    .apply(&c.name, c.origin.clone(), &mut rng, &|_| {})
                    .map_err(|e| fail(e.to_string()))?;
                let mut last = expected.contributions.pop();
                // The rebuilt accumulator holds only the heads: its next challenge (a hash
                // of every point) is checked below, for the last contribution, instead.
                if let (
                    Some(Contribution {
                        snarkjs: Some(l), ..
                    }),
                    Some(orig),
                ) = (last.as_mut(), c.snarkjs.as_ref())
                {
                    l.next_challenge = orig.next_challenge;
                }
                if last.as_ref() != Some(c) {
                    return Err(fail(
                        "the beacon contribution does not recompute from its value".into(),
                    ));
                }
            }
            for (pok, tag, before, after) in [
                (&c.pok_tau, &b"tau"[..], tau, c.tau_g1),
                (&c.pok_alpha, &b"alpha"[..], alpha, c.alpha_g1),
                (&c.pok_beta, &b"beta"[..], beta, c.beta_g1),
            ] {
                let what = String::from_utf8_lossy(tag).into_owned();
                let (r, rx) = pok.check(&h, tag).map_err(fail)?;
                if before == after {
                    return Err(fail(format!(
                        "{what} is unchanged (secret 1 or a copied accumulator)"
                    )));
                }
                if !same_ratio((before, after), (r, rx)) {
                    return Err(fail(format!(
                        "the accumulator's {what} is not the previous one times the proven secret"
                    )));
                }
            }
            if !same_ratio((g1, c.beta_g1), (g2, c.beta_g2)) {
                return Err(fail("β·G2 does not match β·G1".into()));
            }
            if let Some(link) = &c.snarkjs {
                let Some((challenge, before)) = self.snarkjs_before(i)? else {
                    return Err(fail(
                        "a snarkjs record follows a contribution without one".into(),
                    ));
                };
                let after = (c.tau_g1, link.tau_g2, c.alpha_g1, c.beta_g1, c.beta_g2);
                snarkjs_chain::check_link(link, &challenge, before, after).map_err(fail)?;
            }
            tau = c.tau_g1;
            alpha = c.alpha_g1;
            beta = c.beta_g1;
            beta_g2 = c.beta_g2;
            h = next_hash(&h, c);
        }
        if self.tau_g1[0] != g1 || self.tau_g2[0] != g2 {
            return Err(CeremonyError::Invalid(
                "the first powers are not the generators".into(),
            ));
        }
        if self.tau_g1.get(1) != Some(&tau)
            || self.alpha_tau_g1[0] != alpha
            || self.beta_tau_g1[0] != beta
            || self.beta_g2 != beta_g2
        {
            return Err(CeremonyError::Invalid(
                "the accumulator does not match its last contribution".into(),
            ));
        }
        self.verify_powers(progress)?;
        if let Some(last) = self.contributions.last() {
            if let Some(link) = &last.snarkjs {
                if self.tau_g2[1] != link.tau_g2 {
                    return Err(CeremonyError::Invalid(
                        "the accumulator's τ·G2 does not match its last contribution".into(),
                    ));
                }
                progress("snarkjs challenge");
                let response = snarkjs_chain::response_hash(&link.key);
                if self.power == self.ceremony_power
                    && snarkjs_chain::next_challenge(&response, self) != link.next_challenge
                {
                    return Err(CeremonyError::Contribution {
                        index: self.contributions.len(),
                        name: last.name.clone(),
                        check: "its snarkjs next challenge is not the hash of the accumulator"
                            .into(),
                    });
                }
            }
        }
        Ok(Phase1Report {
            power: self.power,
            contributions: self.contributions.iter().map(|c| c.name.clone()).collect(),
            transcript_hash: hex::encode(h),
        })
    }

    /// The vectors alone: no identity, consecutive powers of one τ, α and β consistent.
    pub fn verify_powers(&self, progress: &dyn Fn(&str)) -> Result<()> {
        progress("identity checks");
        io::no_identity_g1(&self.tau_g1, "τ·G1")?;
        io::no_identity_g2(&self.tau_g2, "τ·G2")?;
        io::no_identity_g1(&self.alpha_tau_g1, "α·τ·G1")?;
        io::no_identity_g1(&self.beta_tau_g1, "β·τ·G1")?;
        if self.beta_g2.is_zero() {
            return Err(CeremonyError::Point {
                what: "β·G2".into(),
                detail: "the identity point".into(),
            });
        }
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        if self.tau_g1.len() < 2 || self.tau_g2.len() < 2 {
            return Err(CeremonyError::Format("fewer than two powers".into()));
        }
        if !same_ratio((g1, self.tau_g1[1]), (g2, self.tau_g2[1])) {
            return Err(CeremonyError::Invalid(
                "τ·G1 and τ·G2 hold different τ".into(),
            ));
        }
        let mut rng = verifier_rng();
        let tau_g2 = self.tau_g2[1];
        progress("τ·G1 powers");
        if !consecutive_powers_g1(&self.tau_g1, tau_g2, &mut rng) {
            return Err(CeremonyError::Invalid(
                "τ·G1 is not a sequence of consecutive powers".into(),
            ));
        }
        progress("τ·G2 powers");
        if !consecutive_powers_g2(&self.tau_g2, self.tau_g1[1], &mut rng) {
            return Err(CeremonyError::Invalid(
                "τ·G2 is not a sequence of consecutive powers".into(),
            ));
        }
        progress("α·τ·G1 powers");
        if !consecutive_powers_g1(&self.alpha_tau_g1, tau_g2, &mut rng) {
            return Err(CeremonyError::Invalid(
                "α·τ·G1 is not a sequence of consecutive powers".into(),
            ));
        }
        progress("β·τ·G1 powers");
        if !consecutive_powers_g1(&self.beta_tau_g1, tau_g2, &mut rng) {
            return Err(CeremonyError::Invalid(
                "β·τ·G1 is not a sequence of consecutive powers".into(),
            ));
        }
        if !same_ratio((g1, self.beta_tau_g1[0]), (g2, self.beta_g2)) {
            return Err(CeremonyError::Invalid("β·G2 does not match β·G1".into()));
        }
        Ok(())
    }

    /// The accumulator as it was before contribution `i` (0-based), rebuilt for a beacon
    /// check from the previous contribution's recorded points. Only the first two τ powers
    /// and the α/β heads matter for recomputing a beacon contribution's recorded points, so
    /// this rebuilds a power-1 accumulator with them.
    fn clone_prefix(&self, i: usize) -> Phase1 {
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        let (tau, tau2, alpha, beta, beta_g2) =
            match i.checked_sub(1).and_then(|j| self.contributions.get(j)) {
                Some(c) => (
                    c.tau_g1,
                    c.snarkjs.as_ref().map_or(g2, |l| l.tau_g2),
                    c.alpha_g1,
                    c.beta_g1,
                    c.beta_g2,
                ),
                None => match &self.imported {
                    Some(b) => (
                        b.tau_g1,
                        b.snarkjs.as_ref().map_or(g2, |r| r.tau_g2),
                        b.alpha_g1,
                        b.beta_g1,
                        b.beta_g2,
                    ),
                    None => (g1, g2, g1, g1, g2),
                },
            };
        Phase1 {
            power: self.power,
            ceremony_power: self.ceremony_power,
            // τ¹·G1 sits at index 1; index 0 stays the generator.
            tau_g1: vec![g1, tau],
            tau_g2: vec![g2, tau2],
            alpha_tau_g1: vec![alpha],
            beta_tau_g1: vec![beta],
            beta_g2,
            contributions: self.contributions[..i].to_vec(),
            imported: self.imported.clone(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(MAGIC);
        w.u32(VERSION);
        w.u32(self.power);
        w.u32(self.ceremony_power);
        w.g1_vec(&self.tau_g1);
        w.g2_vec(&self.tau_g2);
        w.g1_vec(&self.alpha_tau_g1);
        w.g1_vec(&self.beta_tau_g1);
        w.g2(&self.beta_g2);
        match &self.imported {
            None => w.u8(0),
            Some(i) => {
                w.u8(1);
                w.bytes(&i.digest);
                w.g1(&i.tau_g1);
                w.g1(&i.alpha_g1);
                w.g1(&i.beta_g1);
                w.g2(&i.beta_g2);
                match &i.snarkjs {
                    None => w.u8(0),
                    Some(rec) => {
                        w.u8(1);
                        w.g2(&rec.tau_g2);
                        w.blob(&rec.section);
                    }
                }
            }
        }
        w.u64(self.contributions.len() as u64);
        for c in &self.contributions {
            c.write(&mut w);
        }
        w.buf
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, "powers-of-tau file");
        if r.take(8)? != MAGIC {
            return Err(CeremonyError::Format(
                "not a veil powers-of-tau file (for a snarkjs .ptau use `veil ceremony ptau import`)".into(),
            ));
        }
        let version = r.u32()?;
        if version != VERSION && version != 1 {
            return Err(CeremonyError::Format(format!(
                "powers-of-tau format version {version}, this veil reads {VERSION}"
            )));
        }
        let power = r.u32()?;
        if power == 0 || power > MAX_POWER {
            return Err(CeremonyError::Format(format!("power {power} out of range")));
        }
        let ceremony_power = r.u32()?;
        if ceremony_power < power || ceremony_power > 32 {
            return Err(CeremonyError::Format(format!(
                "ceremony power {ceremony_power} out of range"
            )));
        }
        let (ng1, n) = sizes(power);
        let tau_g1 = r.g1_vec("τ·G1")?;
        let tau_g2 = r.g2_vec("τ·G2")?;
        let alpha_tau_g1 = r.g1_vec("α·τ·G1")?;
        let beta_tau_g1 = r.g1_vec("β·τ·G1")?;
        if tau_g1.len() != ng1
            || tau_g2.len() != n
            || alpha_tau_g1.len() != n
            || beta_tau_g1.len() != n
        {
            return Err(CeremonyError::Format(format!(
                "vector lengths do not match power {power}"
            )));
        }
        let beta_g2 = r.g2("β·G2")?;
        let imported = match r.u8()? {
            0 => None,
            1 => Some(Imported {
                digest: r.hash()?,
                tau_g1: r.g1("imported τ·G1")?,
                alpha_g1: r.g1("imported α·G1")?,
                beta_g1: r.g1("imported β·G1")?,
                beta_g2: r.g2("imported β·G2")?,
                snarkjs: match if version == 1 { 0 } else { r.u8()? } {
                    0 => None,
                    1 => Some(ImportedRecords {
                        tau_g2: r.g2("imported τ·G2")?,
                        section: r.blob(r.remaining(), "imported snarkjs records")?.to_vec(),
                    }),
                    t => return Err(CeremonyError::Format(format!("unknown snarkjs flag {t}"))),
                },
            }),
            t => return Err(CeremonyError::Format(format!("unknown import flag {t}"))),
        };
        // A contribution is at least 1.6 KiB: bound the count by what remains.
        let count = r.count(1600, "contributions")?;
        let mut contributions = Vec::with_capacity(count);
        for _ in 0..count {
            contributions.push(Contribution::read(&mut r, version)?);
        }
        r.finish()?;
        Ok(Phase1 {
            power,
            ceremony_power,
            tau_g1,
            tau_g2,
            alpha_tau_g1,
            beta_tau_g1,
            beta_g2,
            contributions,
            imported,
        })
    }

    pub fn read(path: &std::path::Path) -> Result<Self> {
        let bytes = io::read_file(path)?;
        Self::from_bytes(&bytes).map_err(|e| match e {
            CeremonyError::Format(m) => CeremonyError::Format(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// The accumulator cut to a smaller power (the first powers of a bigger ceremony are a
    /// valid smaller one). The transcript's contributions are kept.
    pub fn truncate(&mut self, power: u32) -> Result<()> {
        if power == 0 || power > self.power {
            return Err(CeremonyError::Invalid(format!(
                "cannot truncate power {} to {power}",
                self.power
            )));
        }
        let (ng1, n) = sizes(power);
        self.tau_g1.truncate(ng1);
        self.tau_g2.truncate(n);
        self.alpha_tau_g1.truncate(n);
        self.beta_tau_g1.truncate(n);
        self.power = power;
        Ok(())
    }
}
