//! snarkjs JSON for Groth16 on BLS12-381, both ways: `verification_key.json`, `proof.json`
//! and `public.json` as `snarkjs groth16 verify` reads them, and a checked import that
//! verifies a snarkjs-made proof with the checks snarkjs leaves out.
//!
//! Layout (snarkjs 0.7.6): field elements are decimal strings; a G1 point is `[x, y, "1"]`
//! (infinity `["0", "1", "0"]`); a G2 point is `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`,
//! c0 first (infinity `[["0", "0"], ["1", "0"], ["0", "0"]]`).
//!
//! The import refuses, naming the check that failed: another protocol or curve, a missing
//! field, a number that is not a plain decimal or not below its modulus (q for coordinates,
//! r for public inputs), a point off the curve or outside the prime-order subgroup (snarkjs
//! only checks the curve), a key whose `IC` does not hold `nPublic + 1` points, a key with an
//! identity point (in `IC` one would leave its input unbound), a key whose δ equals γ (a zkey with no phase-2 contribution: anyone can
//! forge proofs for it), and a `public.json` whose length is not `nPublic` (snarkjs does not
//! compare them).

use ark_bls12_381::{Bls12_381, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField, Zero};
use ark_groth16::VerifyingKey;
use serde_json::{json, Value};
use std::str::FromStr;

use crate::groth16::Proof;

/// The `curve` name snarkjs gives BLS12-381.
pub const CURVE: &str = "bls12381";
/// The `protocol` name of Groth16.
pub const PROTOCOL: &str = "groth16";

/// Why a snarkjs file was refused; each variant names the check that failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SnarkjsError {
    #[error("{what} is not JSON: {detail}")]
    Json { what: &'static str, detail: String },
    #[error("{what}: missing field \"{field}\"")]
    MissingField { what: &'static str, field: String },
    #[error("{what}: {detail}")]
    Shape { what: &'static str, detail: String },
    #[error("{what}: protocol is {found}, expected \"groth16\"")]
    WrongProtocol { what: &'static str, found: String },
    #[error("{what}: curve is {found}, expected \"bls12381\" (veil verifies BLS12-381 only)")]
    WrongCurve { what: &'static str, found: String },
    #[error("{at}: {found:?} is not a decimal number")]
    NotANumber { at: String, found: String },
    #[error("{at}: {value} is not below the {modulus} modulus")]
    NotBelowModulus {
        at: String,
        value: String,
        modulus: &'static str,
    },
    #[error("{at}: the point is not on the BLS12-381 curve")]
    NotOnCurve { at: String },
    #[error("{at}: the point is not in the prime-order subgroup")]
    NotInSubgroup { at: String },
    #[error("verification key is malformed: {0}")]
    MalformedKey(String),
    #[error("public inputs: the key has nPublic = {expected}, public.json holds {found} values")]
    PublicInputCount { expected: usize, found: usize },
    #[error("the proof is invalid for these public inputs (the pairing check failed)")]
    InvalidProof,
}

type Result<T> = std::result::Result<T, SnarkjsError>;

fn dec<F: PrimeField>(f: &F) -> Value {
    Value::String(f.into_bigint().to_string())
}

fn g1_json(p: &G1Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([dec(&x), dec(&y), "1"]),
        None => json!(["0", "1", "0"]),
    }
}

fn g2_json(p: &G2Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([
            [dec(&x.c0), dec(&x.c1)],
            [dec(&y.c0), dec(&y.c1)],
            ["1", "0"]
        ]),
        None => json!([["0", "0"], ["1", "0"], ["0", "0"]]),
    }
}

/// `verification_key.json` for a Groth16 key (`vk_alphabeta_12`, which snarkjs ignores when
/// verifying, is left out).
pub fn vk_to_json(vk: &VerifyingKey<Bls12_381>) -> Value {
    json!({
        "protocol": PROTOCOL,
        "curve": CURVE,
        "nPublic": vk.gamma_abc_g1.len().saturating_sub(1),
        "vk_alpha_1": g1_json(&vk.alpha_g1),
        "vk_beta_2": g2_json(&vk.beta_g2),
        "vk_gamma_2": g2_json(&vk.gamma_g2),
        "vk_delta_2": g2_json(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(g1_json).collect::<Vec<_>>(),
    })
}

/// `proof.json` for a Groth16 proof.
pub fn proof_to_json(proof: &Proof) -> Value {
    json!({
        "pi_a": g1_json(&proof.a),
        "pi_b": g2_json(&proof.b),
        "pi_c": g1_json(&proof.c),
        "protocol": PROTOCOL,
        "curve": CURVE,
    })
}

/// `public.json`: the public inputs as decimal strings, in order.
pub fn public_to_json(inputs: &[Fr]) -> Value {
    Value::Array(inputs.iter().map(dec).collect())
}

/// Parses a file's text as JSON.
pub fn parse_json(what: &'static str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| SnarkjsError::Json {
        what,
        detail: e.to_string(),
    })
}

fn field<'a>(what: &'static str, obj: &'a Value, name: &str) -> Result<&'a Value> {
    let o = obj.as_object().ok_or_else(|| SnarkjsError::Shape {
        what,
        detail: "not a JSON object".into(),
    })?;
    o.get(name).ok_or_else(|| SnarkjsError::MissingField {
        what,
        field: name.into(),
    })
}

fn check_header(what: &'static str, obj: &Value) -> Result<()> {
    let protocol = field(what, obj, "protocol")?;
    if protocol.as_str() != Some(PROTOCOL) {
        return Err(SnarkjsError::WrongProtocol {
            what,
            found: protocol.to_string(),
        });
    }
    let curve = field(what, obj, "curve")?;
    if curve.as_str() != Some(CURVE) {
        return Err(SnarkjsError::WrongCurve {
            what,
            found: curve.to_string(),
        });
    }
    Ok(())
}

/// A field element from a decimal string, refusing anything at or above the modulus.
fn parse_field<F: PrimeField<BigInt = BigInt<N>>, const N: usize>(
    at: &str,
    v: &Value,
    modulus: &'static str,
) -> Result<F> {
    let s = v.as_str().ok_or_else(|| SnarkjsError::NotANumber {
        at: at.into(),
        found: v.to_string(),
    })?;
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SnarkjsError::NotANumber {
            at: at.into(),
            found: s.into(),
        });
    }
    let too_big = || SnarkjsError::NotBelowModulus {
        at: at.into(),
        value: s.into(),
        modulus,
    };
    // A 384-bit number has at most 116 digits; refuse longer strings before parsing them.
    if s.trim_start_matches('0').len() > 116 {
        return Err(too_big());
    }
    let big = BigInt::<N>::from_str(s).map_err(|()| too_big())?;
    F::from_bigint(big).ok_or_else(too_big)
}

fn fq(at: &str, v: &Value) -> Result<Fq> {
    parse_field::<Fq, 6>(at, v, "BLS12-381 base field (q)")
}

fn array<'a>(what: &'static str, at: &str, v: &'a Value, len: usize) -> Result<&'a [Value]> {
    match v.as_array() {
        Some(a) if a.len() == len => Ok(a),
        Some(a) => Err(SnarkjsError::Shape {
            what,
            detail: format!("{at} has {} elements, expected {len}", a.len()),
        }),
        None => Err(SnarkjsError::Shape {
            what,
            detail: format!("{at} is not an array"),
        }),
    }
}

/// A G1 point, checked on the curve and in the subgroup.
fn parse_g1(what: &'static str, at: &str, v: &Value) -> Result<G1Affine> {
    let a = array(what, at, v, 3)?;
    let x = fq(&format!("{at}[0]"), &a[0])?;
    let y = fq(&format!("{at}[1]"), &a[1])?;
    let z = fq(&format!("{at}[2]"), &a[2])?;
    if z.is_zero() {
        if x.is_zero() && y == Fq::from(1u64) {
            return Ok(G1Affine::zero());
        }
        return Err(SnarkjsError::NotOnCurve { at: at.into() });
    }
    if z != Fq::from(1u64) {
        return Err(SnarkjsError::Shape {
            what,
            detail: format!("{at}: expected affine coordinates (z = \"1\")"),
        });
    }
    let p = G1Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(SnarkjsError::NotOnCurve { at: at.into() });
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(SnarkjsError::NotInSubgroup { at: at.into() });
    }
    Ok(p)
}

fn fq2(what: &'static str, at: &str, v: &Value) -> Result<Fq2> {
    let a = array(what, at, v, 2)?;
    Ok(Fq2::new(
        fq(&format!("{at}[0]"), &a[0])?,
        fq(&format!("{at}[1]"), &a[1])?,
    ))
}

/// A G2 point, checked on the curve and in the subgroup.
fn parse_g2(what: &'static str, at: &str, v: &Value) -> Result<G2Affine> {
    let a = array(what, at, v, 3)?;
    let x = fq2(what, &format!("{at}[0]"), &a[0])?;
    let y = fq2(what, &format!("{at}[1]"), &a[1])?;
    let z = fq2(what, &format!("{at}[2]"), &a[2])?;
    if z.is_zero() {
        if x.is_zero() && y == Fq2::from(1u64) {
            return Ok(G2Affine::zero());
        }
        return Err(SnarkjsError::NotOnCurve { at: at.into() });
    }
    if z != Fq2::from(1u64) {
        return Err(SnarkjsError::Shape {
            what,
            detail: format!("{at}: expected affine coordinates (z = [\"1\", \"0\"])"),
        });
    }
    let p = G2Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(SnarkjsError::NotOnCurve { at: at.into() });
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(SnarkjsError::NotInSubgroup { at: at.into() });
    }
    Ok(p)
}

/// Reads `verification_key.json`: every point validated, `IC` of `nPublic + 1` points, no
/// identity among α, β, γ, δ, and δ ≠ γ.
pub fn vk_from_json(v: &Value) -> Result<VerifyingKey<Bls12_381>> {
    const WHAT: &str = "verification key";
    check_header(WHAT, v)?;
    let n_public = field(WHAT, v, "nPublic")?;
    let n_public = n_public
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| SnarkjsError::Shape {
            what: WHAT,
            detail: format!("nPublic is {n_public}, expected a non-negative integer"),
        })?;
    let alpha_g1 = parse_g1(WHAT, "vk_alpha_1", field(WHAT, v, "vk_alpha_1")?)?;
    let beta_g2 = parse_g2(WHAT, "vk_beta_2", field(WHAT, v, "vk_beta_2")?)?;
    let gamma_g2 = parse_g2(WHAT, "vk_gamma_2", field(WHAT, v, "vk_gamma_2")?)?;
    let delta_g2 = parse_g2(WHAT, "vk_delta_2", field(WHAT, v, "vk_delta_2")?)?;
    let ic = field(WHAT, v, "IC")?
        .as_array()
        .ok_or_else(|| SnarkjsError::Shape {
            what: WHAT,
            detail: "IC is not an array".into(),
        })?;
    if Some(ic.len()) != n_public.checked_add(1) {
        return Err(SnarkjsError::MalformedKey(format!(
            "IC holds {} points, nPublic = {n_public} needs {}",
            ic.len(),
            n_public.saturating_add(1)
        )));
    }
    let gamma_abc_g1 = ic
        .iter()
        .enumerate()
        .map(|(i, p)| parse_g1(WHAT, &format!("IC[{i}]"), p))
        .collect::<Result<Vec<_>>>()?;
    // An identity IC point leaves its public input unbound: any value verifies (a key from
    // a powers of tau with no contribution can have them).
    if let Some(i) = gamma_abc_g1.iter().position(|p| p.is_zero()) {
        return Err(SnarkjsError::MalformedKey(format!(
            "IC[{i}] is the point at infinity, so the proof would not depend on that input"
        )));
    }
    for (name, identity) in [
        ("vk_alpha_1", alpha_g1.is_zero()),
        ("vk_beta_2", beta_g2.is_zero()),
        ("vk_gamma_2", gamma_g2.is_zero()),
        ("vk_delta_2", delta_g2.is_zero()),
    ] {
        if identity {
            return Err(SnarkjsError::MalformedKey(format!(
                "{name} is the point at infinity"
            )));
        }
    }
    if delta_g2 == gamma_g2 {
        return Err(SnarkjsError::MalformedKey(
            "vk_delta_2 equals vk_gamma_2: the zkey had no phase-2 contribution, so anyone can \
             forge proofs for it (run `snarkjs zkey contribute`)"
                .into(),
        ));
    }
    Ok(VerifyingKey {
        alpha_g1,
        beta_g2,
        gamma_g2,
        delta_g2,
        gamma_abc_g1,
    })
}

/// Reads `proof.json`: each point on the curve and in its subgroup.
pub fn proof_from_json(v: &Value) -> Result<Proof> {
    const WHAT: &str = "proof";
    check_header(WHAT, v)?;
    Ok(Proof {
        a: parse_g1(WHAT, "pi_a", field(WHAT, v, "pi_a")?)?,
        b: parse_g2(WHAT, "pi_b", field(WHAT, v, "pi_b")?)?,
        c: parse_g1(WHAT, "pi_c", field(WHAT, v, "pi_c")?)?,
    })
}

/// Reads `public.json`: an array of decimal strings, each below r.
pub fn public_from_json(v: &Value) -> Result<Vec<Fr>> {
    let a = v.as_array().ok_or_else(|| SnarkjsError::Shape {
        what: "public inputs",
        detail: "not a JSON array".into(),
    })?;
    a.iter()
        .enumerate()
        .map(|(i, x)| {
            parse_field::<Fr, 4>(
                &format!("public input {i}"),
                x,
                "BLS12-381 scalar field (r)",
            )
        })
        .collect()
}

/// Verifies a snarkjs proof with its key and public inputs (all three as parsed JSON).
pub fn verify_json(vk: &Value, proof: &Value, public: &Value) -> Result<()> {
    let vk = vk_from_json(vk)?;
    let proof = proof_from_json(proof)?;
    let inputs = public_from_json(public)?;
    verify(&vk, &proof, &inputs)
}

/// The Groth16 check of a validated key, proof and inputs.
pub fn verify(vk: &VerifyingKey<Bls12_381>, proof: &Proof, inputs: &[Fr]) -> Result<()> {
    let expected = vk.gamma_abc_g1.len().saturating_sub(1);
    if inputs.len() != expected {
        return Err(SnarkjsError::PublicInputCount {
            expected,
            found: inputs.len(),
        });
    }
    let pvk = ark_groth16::prepare_verifying_key(vk);
    match ark_groth16::Groth16::<Bls12_381>::verify_proof(&pvk, proof, inputs) {
        Ok(true) => Ok(()),
        _ => Err(SnarkjsError::InvalidProof),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::CurveGroup;
    use ark_ff::{Field, UniformRand};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    /// A key and proof that verify: a random key with IC chosen so that the equation holds
    /// for one known input (Groth16's equation is linear in A given the rest).
    fn valid() -> (VerifyingKey<Bls12_381>, Proof, Vec<Fr>) {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let g1 = G1Affine::generator();
        let g2 = G2Affine::generator();
        let [a, b, g, d, c, ic0, ic1, x] = [(); 8].map(|()| Fr::rand(&mut rng));
        let vk = VerifyingKey {
            alpha_g1: (g1 * a).into_affine(),
            beta_g2: (g2 * b).into_affine(),
            gamma_g2: (g2 * g).into_affine(),
            delta_g2: (g2 * d).into_affine(),
            gamma_abc_g1: vec![(g1 * ic0).into_affine(), (g1 * ic1).into_affine()],
        };
        // e(A, B) = e(α, β) e(vk_x, γ) e(C, δ) with B = g2 and A = α β + vk_x γ + C δ in Fr.
        let c_pt = (g1 * c).into_affine();
        let a_scalar = a * b + (ic0 + ic1 * x) * g + c * d;
        let proof = Proof {
            a: (g1 * a_scalar).into_affine(),
            b: g2,
            c: c_pt,
        };
        (vk, proof, vec![x])
    }

    fn jsons() -> (Value, Value, Value) {
        let (vk, proof, x) = valid();
        (vk_to_json(&vk), proof_to_json(&proof), public_to_json(&x))
    }

    #[test]
    fn round_trip_and_verify() {
        let (vk, proof, x) = valid();
        let (vj, pj, xj) = jsons();
        assert_eq!(vk_from_json(&vj).unwrap(), vk);
        assert_eq!(proof_from_json(&pj).unwrap(), proof);
        assert_eq!(public_from_json(&xj).unwrap(), x);
        verify_json(&vj, &pj, &xj).unwrap();
    }

    #[test]
    fn changed_input_or_proof_is_invalid() {
        let (vj, mut pj, xj) = jsons();
        let mut x2 = xj.clone();
        let v = public_from_json(&xj).unwrap()[0] + Fr::ONE;
        x2[0] = dec(&v);
        assert_eq!(verify_json(&vj, &pj, &x2), Err(SnarkjsError::InvalidProof));
        pj["pi_c"] = g1_json(&G1Affine::generator());
        assert_eq!(verify_json(&vj, &pj, &xj), Err(SnarkjsError::InvalidProof));
    }

    #[test]
    fn wrong_curve_protocol_and_missing_fields() {
        let (mut vj, pj, xj) = jsons();
        vj["curve"] = json!("bn128");
        assert!(matches!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::WrongCurve { .. })
        ));
        vj["curve"] = json!(CURVE);
        vj["protocol"] = json!("plonk");
        assert!(matches!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::WrongProtocol { .. })
        ));
        for f in [
            "protocol",
            "curve",
            "nPublic",
            "vk_alpha_1",
            "vk_delta_2",
            "IC",
        ] {
            let (mut vj, pj, xj) = jsons();
            vj.as_object_mut().unwrap().remove(f);
            assert_eq!(
                verify_json(&vj, &pj, &xj),
                Err(SnarkjsError::MissingField {
                    what: "verification key",
                    field: f.into()
                })
            );
        }
        for f in ["pi_a", "pi_b", "pi_c", "curve"] {
            let (vj, mut pj, xj) = jsons();
            pj.as_object_mut().unwrap().remove(f);
            assert!(matches!(
                verify_json(&vj, &pj, &xj),
                Err(SnarkjsError::MissingField { what: "proof", .. })
            ));
        }
        assert!(matches!(
            parse_json("proof", "{\"pi_a\": "),
            Err(SnarkjsError::Json { .. })
        ));
    }

    #[test]
    fn wrong_lengths() {
        let (mut vj, pj, xj) = jsons();
        vj["nPublic"] = json!(2);
        assert!(matches!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::MalformedKey(_))
        ));
        let (vj, pj, _) = jsons();
        assert_eq!(
            verify_json(&vj, &pj, &json!([])),
            Err(SnarkjsError::PublicInputCount {
                expected: 1,
                found: 0
            })
        );
        let (vj, mut pj, xj) = jsons();
        pj["pi_a"].as_array_mut().unwrap().pop();
        assert!(matches!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::Shape { .. })
        ));
        let (vj, mut pj, xj) = jsons();
        pj["pi_b"][0].as_array_mut().unwrap().push(json!("0"));
        assert!(matches!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::Shape { .. })
        ));
        let (vj, pj, _) = jsons();
        assert!(matches!(
            verify_json(&vj, &pj, &json!({"0": "1"})),
            Err(SnarkjsError::Shape { .. })
        ));
    }

    #[test]
    fn numbers_must_be_plain_decimals_below_the_modulus() {
        let r = Fr::MODULUS.to_string();
        let q = Fq::MODULUS.to_string();
        let (vj, pj, _) = jsons();
        assert!(matches!(
            verify_json(&vj, &pj, &json!([r])),
            Err(SnarkjsError::NotBelowModulus { .. })
        ));
        for bad in [json!("0x1"), json!("-1"), json!("+1"), json!(""), json!(1)] {
            assert!(matches!(
                verify_json(&vj, &pj, &json!([bad])),
                Err(SnarkjsError::NotANumber { .. })
            ));
        }
        assert!(matches!(
            verify_json(&vj, &pj, &json!(["9".repeat(5000)])),
            Err(SnarkjsError::NotBelowModulus { .. })
        ));
        let (vj, mut pj, xj) = jsons();
        pj["pi_a"][0] = json!(q);
        assert!(matches!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::NotBelowModulus { .. })
        ));
    }

    #[test]
    fn off_curve_and_off_subgroup_points() {
        let (vj, mut pj, xj) = jsons();
        let y: Fq = pj["pi_a"][1].as_str().unwrap().parse().unwrap();
        pj["pi_a"][1] = dec(&(y + Fq::ONE));
        assert_eq!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::NotOnCurve { at: "pi_a".into() })
        );
        // Swapped c0/c1 (the Solidity calldata order) puts B off the curve.
        let (vj, mut pj, xj) = jsons();
        let x = pj["pi_b"][0].clone();
        pj["pi_b"][0] = json!([x[1], x[0]]);
        assert_eq!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::NotOnCurve { at: "pi_b".into() })
        );
        // A point on y^2 = x^3 + 4 outside the prime-order subgroup.
        let off = off_subgroup_g1();
        let (vj, mut pj, xj) = jsons();
        pj["pi_c"] = g1_json(&off);
        assert_eq!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::NotInSubgroup { at: "pi_c".into() })
        );
        let (mut vj, pj, xj) = jsons();
        vj["IC"][1] = g1_json(&off);
        assert_eq!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::NotInSubgroup { at: "IC[1]".into() })
        );
        let off2 = off_subgroup_g2();
        let (vj, mut pj, xj) = jsons();
        pj["pi_b"] = g2_json(&off2);
        assert_eq!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::NotInSubgroup { at: "pi_b".into() })
        );
    }

    #[test]
    fn degenerate_keys() {
        let (mut vj, pj, xj) = jsons();
        vj["vk_delta_2"] = vj["vk_gamma_2"].clone();
        assert!(matches!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::MalformedKey(m)) if m.contains("phase-2")
        ));
        let (mut vj, pj, xj) = jsons();
        vj["IC"][1] = json!(["0", "1", "0"]);
        assert!(matches!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::MalformedKey(m)) if m.contains("IC[1]")
        ));
        let (mut vj, pj, xj) = jsons();
        vj["vk_alpha_1"] = json!(["0", "1", "0"]);
        assert!(matches!(
            verify_json(&vj, &pj, &xj),
            Err(SnarkjsError::MalformedKey(m)) if m.contains("infinity")
        ));
    }

    fn off_subgroup_g1() -> G1Affine {
        let mut x = Fq::ONE;
        loop {
            if let Some(p) = G1Affine::get_point_from_x_unchecked(x, false) {
                if !p.is_in_correct_subgroup_assuming_on_curve() {
                    return p;
                }
            }
            x += Fq::ONE;
        }
    }

    fn off_subgroup_g2() -> G2Affine {
        let mut x = Fq2::ONE;
        loop {
            if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
                if !p.is_in_correct_subgroup_assuming_on_curve() {
                    return p;
                }
            }
            x += Fq2::ONE;
        }
    }
}
