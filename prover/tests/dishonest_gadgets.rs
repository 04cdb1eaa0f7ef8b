//! A dishonest prover against every gadget of the builder API, on both backends.
//!
//! Each test builds a tiny circuit around one gadget, checks that the honest witness
//! satisfies it, then substitutes the values a cheater would choose for the gadget's own
//! witness values (a remainder at or above the divisor with the quotient shifted to keep the
//! product, a non-boolean "bit" that keeps a decomposition summing up, a flipped comparison
//! flag, a wrong inverse, a selection of the other branch, a swapped Merkle direction...) and
//! shows the constraint system refuses. The hooks are `veil_prover::r1cs::dishonest` and
//! `veil_prover::plonky2::dishonest` (see their module docs).
//!
//! `u64_mul_div` also runs against a mutant with the review's weakened bound (remainder below
//! 2^14 instead of below the divisor 10,000): the same cheat is accepted there, so the test
//! is known to be able to fail.

// The builders are passed by reference on purpose: each is run many times.
#![allow(clippy::needless_borrows_for_generic_args, clippy::type_complexity)]

use ark_bls12_381::Fr;
use ark_ff::PrimeField;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::iop::target::Target;
use veil_circuits::api::{Api, HashInput};
use veil_circuits::error::CircuitError;
use veil_circuits::hash::Domain;
use veil_circuits::merkle::{alloc_path, merkle_root, MerkleTree};
use veil_circuits::{NativeHasher, PoseidonBls12, PoseidonGoldilocks};
use veil_prover::plonky2::dishonest as pd;
use veil_prover::plonky2::{Plonky2Api, U64Target};
use veil_prover::r1cs::dishonest as rd;
use veil_prover::R1csApi;
use veil_verifier::Bytes32;

type G = plonky2::field::goldilocks_field::GoldilocksField;
type Res<T> = Result<T, CircuitError>;

// ---------------------------------------------------------------- R1CS helpers

/// Compiles `build`, checks the honest witness satisfies it, returns the checker and run.
fn r1cs_honest<T>(build: &dyn Fn(&mut R1csApi) -> Res<T>) -> (rd::Checker, rd::Run<T>) {
    let checker = rd::Checker::new(build).unwrap();
    let run = checker.run(&rd::Cheats::new(), build).unwrap();
    assert!(
        run.satisfied(),
        "honest witness refused at row {:?}",
        run.unsatisfied
    );
    (checker, run)
}

/// The row refusing the cheat (panics if the cheat is accepted).
fn r1cs_refuses<T>(
    checker: &rd::Checker,
    cheats: &rd::Cheats,
    build: &dyn Fn(&mut R1csApi) -> Res<T>,
    what: &str,
) -> usize {
    let run = checker.run(cheats, build).unwrap();
    run.unsatisfied
        .unwrap_or_else(|| panic!("R1CS accepted the cheat: {what}"))
}

fn idx(v: &FpVar<Fr>) -> usize {
    rd::witness_index(v).expect("a witness variable")
}

fn bidx(b: &Boolean<Fr>) -> usize {
    rd::bool_index(b).expect("a witness boolean")
}

fn fr_u128(f: Fr) -> u128 {
    let l = f.into_bigint().0;
    assert!(l[2] == 0 && l[3] == 0);
    u128::from(l[0]) | (u128::from(l[1]) << 64)
}

fn pow2(n: u32) -> Fr {
    let mut x = Fr::from(1u64);
    for _ in 0..n {
        x += x;
    }
    x
}

/// Cheats putting `value` into the first bit of a decomposition and zero into the others:
/// the bits still sum up to `value`, but bit 0 is not a bit.
fn r1cs_fat_bit(first_bit: usize, bits: usize, value: Fr) -> rd::Cheats {
    let mut c = rd::Cheats::new().set(first_bit, value);
    for i in 1..bits {
        c = c.set_u64(first_bit + i, 0);
    }
    c
}

// ---------------------------------------------------------------- Plonky2 helpers

fn p2_honest<T>(build: &dyn Fn(&mut Plonky2Api) -> Res<T>) -> pd::Checker {
    let checker = pd::Checker::new(build).unwrap();
    let run = checker.run(&pd::Cheats::new(), build).unwrap();
    assert!(run.satisfied(), "honest witness refused: {:?}", run.verdict);
    checker
}

fn p2_refuses<T>(
    checker: &pd::Checker,
    cheats: &pd::Cheats,
    build: &dyn Fn(&mut Plonky2Api) -> Res<T>,
    what: &str,
) -> pd::Verdict {
    let run = checker.run(cheats, build).unwrap();
    assert!(!run.satisfied(), "Plonky2 accepted the cheat: {what}");
    run.verdict
}

/// The limbs (bits) of every base-2 split the run generated, in order, with their values.
fn p2_splits<T>(run: &pd::Run<'_, T>) -> Vec<Vec<(Target, G)>> {
    run.generated_by("BaseSplitGenerator + Base: 2")
        .map(|g| g.values.clone())
        .collect()
}

/// The split whose limbs recompose to `value` (the first one, from `from` on).
fn p2_split_of<T>(run: &pd::Run<'_, T>, value: u64, from: usize) -> Vec<(Target, G)> {
    p2_splits(run)
        .into_iter()
        .skip(from)
        .find(|limbs| {
            limbs.iter().rev().fold(0u128, |acc, (_, b)| {
                acc * 2 + u128::from(b.to_canonical_u64())
            }) == u128::from(value)
        })
        .unwrap_or_else(|| panic!("no split of {value}"))
}

/// Like [`r1cs_fat_bit`], for a `BaseSumGate` row: bit 0 takes `value`, the other bits zero,
/// and the row's sum wire `value` (Plonky2's split generator would write it truncated).
fn p2_fat_bit(limbs: &[(Target, G)], value: G) -> pd::Cheats {
    let mut c = pd::Cheats::new().set(limbs[0].0, value);
    if let Target::Wire(w) = limbs[0].0 {
        c = c.set(Target::wire(w.row, 0), value);
    }
    for (t, _) in &limbs[1..] {
        c = c.set(*t, G::ZERO);
    }
    c
}

fn g(v: u64) -> G {
    G::from_noncanonical_u64(v)
}

// ---------------------------------------------------------------- range checks and bits

#[test]
fn range_check_r1cs() {
    // A 16-bit value, and a u64: cheats put 2^16 (2^64) in, with the top bit set to 2 so the
    // decomposition still sums up, or leave the bits honest (they then do not sum up).
    for (bits, secret_u64) in [(16u32, false), (64, true)] {
        let build = move |api: &mut R1csApi| -> Res<FpVar<Fr>> {
            if secret_u64 {
                api.secret_u64("v", Some(u64::MAX - 3))
            } else {
                api.secret_small("v", Some(40_000), bits)
            }
        };
        let (checker, run) = r1cs_honest(&build);
        let v = idx(&run.handles);
        let over = pow2(bits);
        let top = v + bits as usize;
        let sums_up = rd::Cheats::new()
            .set(v, over)
            .set(top, Fr::from(2u64))
            .set_u64(top - 1, 0);
        let mut c = sums_up;
        for i in 1..bits as usize {
            c = c.set_u64(v + i, 0);
        }
        r1cs_refuses(&checker, &c, &build, "value 2^n with a bit of 2");
        let honest_bits = rd::Cheats::new().set(v, over + Fr::from(5u64));
        r1cs_refuses(
            &checker,
            &honest_bits,
            &build,
            "value 2^n + 5 with its low bits",
        );
        // A bit flipped alone breaks the recomposition.
        let flipped = Fr::from(1u64) - run.witness(v + 3);
        r1cs_refuses(
            &checker,
            &rd::Cheats::new().set(v + 3, flipped),
            &build,
            "flipped bit",
        );
    }
}

#[test]
fn range_check_plonky2() {
    let build = |api: &mut Plonky2Api| -> Res<(Target, U64Target)> {
        let s = api.secret_small("v", Some(40_000), 16)?;
        let u = api.secret_u64("u", Some(u64::MAX - 3))?;
        Ok((s, u))
    };
    let checker = p2_honest(&build);
    let run = checker.run(&pd::Cheats::new(), &build).unwrap();
    let (s, u) = run.handles;
    // The small value: 2^16 with a fat bit, or with its honest (truncated) bits.
    // (A split has the gate's 63 limbs; those past the range are constrained to zero.)
    let limbs = p2_split_of(&run, 40_000, 0);
    let c = p2_fat_bit(&limbs, g(1 << 16)).set(s, g(1 << 16));
    p2_refuses(&checker, &c, &build, "2^16 with a fat bit");
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(s, g((1 << 16) + 5)),
        &build,
        "2^16 + 5",
    );
    // A u64 limb of 2^32.
    let lo = (u64::MAX - 3) & 0xffff_ffff;
    let limbs = p2_split_of(&run, lo, 1);
    let c = p2_fat_bit(&limbs, g(1 << 32)).set(u.lo, g(1 << 32));
    p2_refuses(&checker, &c, &build, "limb 2^32 with a fat bit");
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(u.lo, g(1 << 32)),
        &build,
        "limb 2^32",
    );
    let c = pd::Cheats::new().set(limbs[3].0, g(1 - (limbs[3].1.to_canonical_u64() & 1)));
    p2_refuses(&checker, &c, &build, "a flipped bit");
}

#[test]
fn booleans_r1cs() {
    let build = |api: &mut R1csApi| -> Res<(Boolean<Fr>, Boolean<Fr>, Boolean<Fr>, Boolean<Fr>)> {
        let a = api.secret_bool("a", Some(true))?;
        let b = api.public_bool("b", Some(false))?;
        let and = api.and(&a, &b)?;
        let or = api.or(&a, &b)?;
        // The outputs are used linearly, so a cheated output reaches no other gadget.
        let (x, y) = (api.bool_to_var(&and), api.bool_to_var(&or));
        let s = api.add(&x, &y);
        let one = api.constant(1);
        api.assert_equal(&s, &one)?;
        Ok((a, b, and, or))
    };
    let (checker, run) = r1cs_honest(&build);
    let (a, _, and, or) = &run.handles;
    // A "boolean" of 2 (or -1).
    for v in [Fr::from(2u64), -Fr::from(1u64)] {
        r1cs_refuses(
            &checker,
            &rd::Cheats::new().set(bidx(a), v),
            &build,
            "secret bool 2",
        );
    }
    // and/or outputs that are not the gate's.
    r1cs_refuses(
        &checker,
        &rd::Cheats::new().set_u64(bidx(and), 1),
        &build,
        "1 AND 0 = 1",
    );
    let c = rd::Cheats::new().set_u64(bidx(or), 0).set_u64(bidx(and), 1);
    r1cs_refuses(
        &checker,
        &c,
        &build,
        "1 OR 0 = 0 (and AND = 1 to keep the sum)",
    );
}

#[test]
fn booleans_plonky2() {
    let build = |api: &mut Plonky2Api| -> Res<(Target, Target, Target, Target)> {
        let a = api.secret_bool("a", Some(true))?;
        let b = api.public_bool("b", Some(false))?;
        let and = api.and(&a, &b)?;
        let or = api.or(&a, &b)?;
        let s = api.add(&and.target, &or.target);
        let one = api.constant(1);
        api.assert_equal(&s, &one)?;
        Ok((a.target, b.target, and.target, or.target))
    };
    let checker = p2_honest(&build);
    let (a, b, and, or) = checker.run(&pd::Cheats::new(), &build).unwrap().handles;
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(a, g(2)),
        &build,
        "secret bool 2",
    );
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(b, g(2)),
        &build,
        "public bool 2",
    );
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(and, g(1)),
        &build,
        "1 AND 0 = 1",
    );
    let c = pd::Cheats::new().set(or, g(0)).set(and, g(1));
    p2_refuses(&checker, &c, &build, "1 OR 0 = 0");
}

// ---------------------------------------------------------------- comparisons

/// A well-aimed cheat: refused, and by exactly one constraint (the one it is about).
fn r1cs_refuses_once<T>(
    checker: &rd::Checker,
    cheats: &rd::Cheats,
    build: &dyn Fn(&mut R1csApi) -> Res<T>,
    what: &str,
) {
    let run = checker.run(cheats, build).unwrap();
    assert_eq!(
        run.unsatisfied_rows.len(),
        1,
        "{what}: rows {:?}",
        run.unsatisfied_rows
    );
}

fn p2_refuses_once<T>(
    checker: &pd::Checker,
    cheats: &pd::Cheats,
    build: &dyn Fn(&mut Plonky2Api) -> Res<T>,
    what: &str,
) {
    let run = checker.run(cheats, build).unwrap();
    assert_eq!(
        run.failures.len(),
        1,
        "{what}: {:?} {:?}",
        run.verdict,
        run.failures
    );
}

type R1csCmp = fn(&mut R1csApi, &FpVar<Fr>, &FpVar<Fr>) -> Res<()>;

/// Each comparison, honestly true for (3, 5); the cheat makes the claim false (a := 7, or
/// a := 6 for <=) and puts the wrapped difference into one fat bit so that its
/// decomposition sums up: only that bit's booleanity is left to refuse it.
#[test]
fn comparisons_r1cs() {
    let bits = 8u32;
    let lt: R1csCmp = |api, a, b| {
        let f = api.less_than(a, b, 8)?;
        api.assert_true(&f)
    };
    let alt: R1csCmp = |api, a, b| api.assert_less_than(a, b, 8);
    let ale: R1csCmp = |api, a, b| api.assert_less_or_equal(a, b, 8);
    let u64_lt: R1csCmp = |api, a, b| {
        let f = api.u64_less_than(a, b)?;
        api.assert_true(&f)
    };
    let u64_alt: R1csCmp = |api, a, b| api.u64_assert_less_than(a, b);
    // (gadget, bits split, false a, the split value a cheater needs, is a flag)
    let cases: [(&str, R1csCmp, usize, u64, Fr, bool); 5] = [
        ("less_than", lt, 9, 7, Fr::from(2u64) + pow2(8), true),
        (
            "assert_less_than",
            alt,
            8,
            7,
            Fr::from(5u64) - Fr::from(8u64),
            false,
        ),
        (
            "assert_less_or_equal",
            ale,
            8,
            6,
            Fr::from(5u64) - Fr::from(6u64),
            false,
        ),
        (
            "u64_less_than",
            u64_lt,
            65,
            7,
            Fr::from(2u64) + pow2(64),
            true,
        ),
        (
            "u64_assert_less_than",
            u64_alt,
            64,
            7,
            Fr::from(5u64) - Fr::from(8u64),
            false,
        ),
    ];
    for (name, gadget, n, false_a, wrapped, flag) in cases {
        let wide = n > 9;
        let build = move |api: &mut R1csApi| -> Res<(usize, usize)> {
            let (a, b) = if wide {
                (api.secret_u64("a", Some(3))?, api.secret_u64("b", Some(5))?)
            } else {
                (
                    api.secret_small("a", Some(3), bits)?,
                    api.secret_small("b", Some(5), bits)?,
                )
            };
            let m = api.next_witness_index();
            gadget(api, &a, &b)?;
            Ok((idx(&a), m))
        };
        let (checker, run) = r1cs_honest(&build);
        let (a, m) = run.handles;
        let lie = rd::Cheats::new().set_u64(a, false_a);
        r1cs_refuses(&checker, &lie, &build, name);
        // The flag gadgets: shifted = a - b + 2^k; the cheat keeps the top bit clear (the
        // flag says a < b) and puts a - b into bit 0.
        let k = if flag { n - 1 } else { n };
        let mut c = r1cs_fat_bit(m, k, wrapped).set_u64(a, false_a);
        if flag {
            c = c.set_u64(m + k, 0);
        }
        r1cs_refuses_once(&checker, &c, &build, name);
    }
}

type P2Cmp = fn(&mut Plonky2Api, &Target, &Target) -> Res<()>;

#[test]
fn comparisons_plonky2() {
    let lt: P2Cmp = |api, a, b| {
        let f = api.less_than(a, b, 8)?;
        api.assert_true(&f)
    };
    let alt: P2Cmp = |api, a, b| api.assert_less_than(a, b, 8);
    let ale: P2Cmp = |api, a, b| api.assert_less_or_equal(a, b, 8);
    // (gadget, honest split value, its limbs, false a, the value a cheater needs in bit 0)
    let cases: [(&str, P2Cmp, u64, usize, u64, G); 3] = [
        ("less_than", lt, 254, 8, 7, g(258)),
        ("assert_less_than", alt, 1, 8, 7, g(5) - g(8)),
        ("assert_less_or_equal", ale, 2, 8, 6, g(5) - g(6)),
    ];
    for (name, gadget, split, k, false_a, wrapped) in cases {
        let build = move |api: &mut Plonky2Api| -> Res<Target> {
            let a = api.secret_small("a", Some(3), 8)?;
            let b = api.secret_small("b", Some(5), 8)?;
            gadget(api, &a, &b)?;
            Ok(a)
        };
        let checker = p2_honest(&build);
        let run = checker.run(&pd::Cheats::new(), &build).unwrap();
        let a = run.handles;
        let limbs = p2_split_of(&run, split, 2);
        p2_refuses(
            &checker,
            &pd::Cheats::new().set(a, g(false_a)),
            &build,
            name,
        );
        let mut c = p2_fat_bit(&limbs[..k], wrapped).set(a, g(false_a));
        if limbs.len() > k {
            c = c.set(limbs[k].0, G::ZERO);
        }
        p2_refuses_once(&checker, &c, &build, name);
    }
}

/// The u64 gadgets on R1CS: u64_sub and u64_sum range-check their result to 64 bits; the
/// cheats underflow / overflow and put the result into one fat bit.
#[test]
fn u64_sub_and_sum_r1cs() {
    let build = |api: &mut R1csApi| -> Res<(usize, usize, usize, usize)> {
        let a = api.secret_u64("a", Some(5))?;
        let b = api.secret_u64("b", Some(3))?;
        let m_sub = api.next_witness_index();
        let _ = api.u64_sub(&a, &b)?;
        let x = api.secret_u64("x", Some(u64::MAX - 1))?;
        let y = api.secret_u64("y", Some(1))?;
        let m_sum = api.next_witness_index();
        let _ = api.u64_sum(&[x, y.clone()])?;
        Ok((idx(&b), m_sub, idx(&y), m_sum))
    };
    let (checker, run) = r1cs_honest(&build);
    let (b, m_sub, y, m_sum) = run.handles;
    let c = rd::Cheats::new().set_u64(b, 7);
    r1cs_refuses(&checker, &c, &build, "5 - 7");
    let c = r1cs_fat_bit(m_sub, 64, Fr::from(5u64) - Fr::from(7u64)).set_u64(b, 7);
    r1cs_refuses_once(&checker, &c, &build, "5 - 7 in a fat bit");
    let c = rd::Cheats::new().set_u64(y, 2);
    r1cs_refuses(&checker, &c, &build, "sum 2^64");
    let c = r1cs_fat_bit(m_sum, 64, pow2(64)).set_u64(y, 2);
    r1cs_refuses_once(&checker, &c, &build, "sum 2^64 in a fat bit");
}

/// The u64 gadgets on Plonky2 (32-bit limbs): the cheats take the borrow or carry that
/// would make an underflow, overflow or false comparison pass, and are refused by the
/// 32-bit check of the limb that then does not fit.
#[test]
fn u64_limbs_plonky2() {
    let hi = 1u64 << 32;
    let build = move |api: &mut Plonky2Api| -> Res<(U64Target, U64Target, U64Target)> {
        let a = api.secret_u64("a", Some(hi + 5))?;
        let b = api.secret_u64("b", Some(hi + 3))?;
        api.u64_sub(&a, &b)?;
        api.u64_assert_less_than(&b, &a)?;
        let lt = api.u64_less_than(&b, &a)?;
        api.assert_true(&lt)?;
        let x = api.secret_u64("x", Some(u64::MAX - 1))?;
        let y = api.secret_u64("y", Some(1))?;
        api.u64_sum(&[x, y])?;
        Ok((a, b, y))
    };
    let checker = p2_honest(&build);
    let run = checker.run(&pd::Cheats::new(), &build).unwrap();
    let (_, b, y) = run.handles;
    let low_high = |lo: u64, high: u64| {
        run.generated_by("LowHighGenerator")
            .map(|gv| gv.values.clone())
            .find(|v| v[0].1 == g(lo) && v[1].1 == g(high))
            .unwrap_or_else(|| panic!("no split ({lo}, {high})"))
    };
    // u64_sub(a, b) with b.lo := 7: the borrow c kept at 1, the low limb -2.
    let sub = low_high(2, 1);
    let lie = pd::Cheats::new().set(b.lo, g(7));
    p2_refuses(&checker, &lie, &build, "(2^32 + 5) - (2^32 + 7)");
    let c = lie.clone().set(sub[0].0, g(5) - g(7)).set(sub[1].0, G::ONE);
    let v = p2_refuses(&checker, &c, &build, "u64_sub keeping its borrow");
    println!("u64_sub: {v:?}");
    // u64_sum(x, y) with y.lo := 2 overflows: the carry taken away, the low limb 2^32.
    let sum = low_high(u64::from(u32::MAX), 0);
    let lie = pd::Cheats::new().set(y.lo, g(2));
    p2_refuses(&checker, &lie, &build, "u64::MAX - 1 + 2");
    let c = lie.set(sum[0].0, g(hi)).set(sum[1].0, G::ZERO);
    p2_refuses(&checker, &c, &build, "u64_sum without its carry");
    // u64_assert_less_than / u64_less_than(b, a) with b.lo := 7 (b > a), everything else
    // completed honestly: refused (the lie above is refused by each of them; the circuit
    // holds all four, so this checks they are all bound to the inputs).
    let c = pd::Cheats::new()
        .set(b.lo, g(7))
        .set(sub[0].0, g(5) - g(7))
        .set(sub[1].0, G::ONE);
    p2_refuses(&checker, &c, &build, "b < a with b > a");
}

// ---------------------------------------------------------------- u64_mul_div

const D: u64 = 10_000;

/// The review's mutant: the remainder only range-checked to 14 bits (2^14 = 16384), not
/// bounded by the divisor.
fn weak_mul_div_r1cs(
    api: &mut R1csApi,
    a: &FpVar<Fr>,
    b: &FpVar<Fr>,
    divisor: u64,
) -> Res<FpVar<Fr>> {
    let product = match (a.value(), b.value()) {
        (Ok(a), Ok(b)) => Some(fr_u128(a) * fr_u128(b)),
        _ => None,
    };
    let d = u128::from(divisor);
    let q = api.hint(product.map(|p| Fr::from(p / d)))?;
    let r = api.hint(product.map(|p| Fr::from(p % d)))?;
    api.range_check(&q, 64)?;
    api.range_check(&r, 64 - (divisor - 1).leading_zeros())?;
    a.mul_equals(b, &(&q * Fr::from(divisor) + &r))
        .map_err(|e| CircuitError::Backend(e.to_string()))?;
    Ok(q)
}

fn mul_div_case() -> (u64, u64, u64, u64) {
    // 123457 * 3333 = 411482181: q = 41148, r = 2181 (< 16384 - 10000).
    let (a, b) = (123_457u64, 3_333u64);
    let p = a * b;
    (a, b, p / D, p % D)
}

#[test]
fn mul_div_r1cs_refuses_a_shifted_quotient_and_the_mutant_would_not() {
    let (a, b, q, r) = mul_div_case();
    for weak in [false, true] {
        let build = move |api: &mut R1csApi| -> Res<(usize, FpVar<Fr>)> {
            let x = api.secret_u64("a", Some(a))?;
            let y = api.secret_small("b", Some(b), 14)?;
            let m = api.next_witness_index();
            let out = if weak {
                weak_mul_div_r1cs(api, &x, &y, D)?
            } else {
                api.u64_mul_div(&x, &y, 14, D)?
            };
            // The claimed quotient is public: the statement of the forged split.
            let claimed = api.public_u64("claimed", out.value().ok().map(|v| fr_u128(v) as u64))?;
            api.u64_assert_equal(&out, &claimed)?;
            Ok((m, out))
        };
        let (checker, run) = r1cs_honest(&build);
        let (m, out) = &run.handles;
        // The layout the cheats rely on: the quotient, then the remainder.
        assert_eq!(idx(out), *m);
        assert_eq!(run.witness(*m), Fr::from(q));
        assert_eq!(run.witness(*m + 1), Fr::from(r));
        let forged = rd::Cheats::new().set_u64(*m, q - 1).set_u64(*m + 1, r + D);
        let verdict = checker.run(&forged, &build).unwrap();
        assert_eq!(
            verdict.satisfied(),
            weak,
            "q - 1, r + d: the real gadget refuses, the mutant accepts"
        );
        if !weak {
            // Other cheats: the remainder alone, the quotient alone, q + 1 with r - d.
            for c in [
                rd::Cheats::new().set_u64(*m + 1, r + 1),
                rd::Cheats::new().set_u64(*m, q + 1),
                rd::Cheats::new()
                    .set_u64(*m, q + 1)
                    .set(*m + 1, Fr::from(r) - Fr::from(D)),
            ] {
                r1cs_refuses(&checker, &c, &build, "mul_div cheat");
            }
        }
    }
}

/// The mutant on Plonky2: limbs of q and r with no generator (the cheats give them values),
/// r range-checked to 14 bits instead of r < d.
fn weak_mul_div_plonky2(
    api: &mut Plonky2Api,
    a: U64Target,
    b: Target,
    divisor: u64,
) -> [Target; 3] {
    let bld = &mut api.builder;
    let q = bld.add_virtual_target();
    let r = bld.add_virtual_target();
    bld.range_check(q, 32);
    bld.range_check(r, 14);
    // a * b = q * d + r, for a < 2^32 (the case here): a.hi = 0.
    bld.assert_zero(a.hi);
    let p = bld.mul(a.lo, b);
    let d = bld.constant(G::from_canonical_u64(divisor));
    let qd = bld.mul(q, d);
    let rhs = bld.add(qd, r);
    bld.connect(p, rhs);
    [q, r, bld.zero()]
}

#[test]
fn mul_div_plonky2_refuses_a_shifted_quotient_and_the_mutant_would_not() {
    let (a, b, q, r) = mul_div_case();
    // The real gadget.
    let build = move |api: &mut Plonky2Api| -> Res<U64Target> {
        let x = api.secret_u64("a", Some(a))?;
        let y = api.secret_small("b", Some(b), 14)?;
        let out = api.u64_mul_div(&x, &y, 14, D)?;
        let claimed = api.public_u64("claimed", Some(q - 1))?;
        // The forged statement claims q - 1.
        let _ = claimed;
        Ok(out)
    };
    let checker = p2_honest(&build);
    let run = checker.run(&pd::Cheats::new(), &build).unwrap();
    let gen = run
        .generated_by("VeilMulDivGenerator")
        .next()
        .unwrap()
        .values
        .clone();
    // q_hi, q_lo, r_hi, r_lo.
    assert_eq!(gen[1].1, g(q));
    assert_eq!(gen[3].1, g(r));
    let forged = pd::Cheats::new()
        .set(gen[1].0, g(q - 1))
        .set(gen[3].0, g(r + D));
    let v = p2_refuses(&checker, &forged, &build, "q - 1, r + d");
    println!("real gadget: {v:?}");
    for c in [
        pd::Cheats::new().set(gen[3].0, g(r + 1)),
        pd::Cheats::new().set(gen[1].0, g(q + 1)),
        pd::Cheats::new().set(gen[2].0, g(1)),
    ] {
        p2_refuses(&checker, &c, &build, "mul_div cheat");
    }
    // The mutant accepts the same forgery, and a real proof of it verifies.
    let weak = move |api: &mut Plonky2Api| -> Res<[Target; 3]> {
        let x = api.secret_u64("a", Some(a))?;
        let y = api.secret_small("b", Some(b), 14)?;
        Ok(weak_mul_div_plonky2(api, x, y, D))
    };
    let wchecker = pd::Checker::new(&weak).unwrap();
    let [wq, wr, _] = wchecker.run(&pd::Cheats::new(), &weak).unwrap().handles;
    let honest = wchecker
        .run(&pd::Cheats::new().set(wq, g(q)).set(wr, g(r)), &weak)
        .unwrap();
    assert!(honest.satisfied(), "{:?}", honest.verdict);
    let forged = wchecker
        .run(
            &pd::Cheats::new().set(wq, g(q - 1)).set(wr, g(r + D)),
            &weak,
        )
        .unwrap();
    assert!(forged.satisfied(), "the mutant accepts q - 1, r + d");
    assert!(wchecker.prove_and_verify(&forged));
}

// ---------------------------------------------------------------- equality, inverses, select, mul

#[test]
fn equality_select_and_products_r1cs() {
    let build = |api: &mut R1csApi| -> Res<[usize; 6]> {
        let a = api.secret_small("a", Some(7), 8)?;
        let b = api.secret_small("b", Some(9), 8)?;
        let m_ne = api.next_witness_index();
        api.assert_not_equal(&a, &b)?;
        let ia = api.secret_id("ia", Some(Bytes32([1; 32])))?;
        let ib = api.secret_id("ib", Some(Bytes32([2; 32])))?;
        let m_eq = api.next_witness_index();
        let eq = api.id_is_equal(&ia, &ib)?;
        let not_eq = api.not(&eq);
        api.assert_true(&not_eq)?;
        let m_ine = api.next_witness_index();
        api.id_assert_not_equal(&ia, &ib)?;
        let c = api.secret_bool("c", Some(true))?;
        let s = api.select(&c, &a, &b)?;
        let seven = api.constant(7);
        api.assert_equal(&s, &seven)?;
        let p = api.mul(&a, &b)?;
        let sixty_three = api.constant(63);
        api.assert_equal(&p, &sixty_three)?;
        Ok([m_ne, m_eq, m_ine, idx(&s), idx(&p), bidx(&c)])
    };
    let (checker, run) = r1cs_honest(&build);
    let [m_ne, m_eq, m_ine, s, p, c] = run.handles;
    // enforce_not_equal: the inverse of a - b replaced (a = b needs one that does not exist).
    r1cs_refuses(
        &checker,
        &rd::Cheats::new().set_u64(m_ne, 5),
        &build,
        "wrong inverse",
    );
    // is_eq of the ids: the first limb pair's "not equal" flag cleared and its inverse
    // zeroed (claiming the ids equal).
    let mut hits = 0;
    for k in m_eq..m_ine {
        let cheat = rd::Cheats::new().set(k, Fr::from(1u64) - run.witness(k));
        hits += usize::from(checker.run(&cheat, &build).unwrap().unsatisfied.is_some());
    }
    assert_eq!(
        hits,
        m_ine - m_eq,
        "every flag / inverse of id_is_equal is bound"
    );
    for k in m_ine..m_ine + 2 {
        let cheat = rd::Cheats::new().set(k, run.witness(k) + Fr::from(1u64));
        r1cs_refuses(&checker, &cheat, &build, "id_assert_not_equal flag/inverse");
    }
    // select: the other branch; mul: a wrong product; the condition flipped.
    r1cs_refuses(
        &checker,
        &rd::Cheats::new().set_u64(s, 9),
        &build,
        "select the other branch",
    );
    r1cs_refuses(
        &checker,
        &rd::Cheats::new().set_u64(p, 64),
        &build,
        "7 * 9 = 64",
    );
    r1cs_refuses(
        &checker,
        &rd::Cheats::new().set_u64(c, 0),
        &build,
        "condition flipped",
    );
}

#[test]
fn equality_select_and_products_plonky2() {
    let build = |api: &mut Plonky2Api| -> Res<[Target; 4]> {
        let a = api.secret_small("a", Some(7), 8)?;
        let b = api.secret_small("b", Some(9), 8)?;
        api.assert_not_equal(&a, &b)?;
        let ia = api.secret_id("ia", Some(Bytes32([1; 32])))?;
        let ib = api.secret_id("ib", Some(Bytes32([2; 32])))?;
        let eq = api.id_is_equal(&ia, &ib)?;
        let not_eq = api.not(&eq);
        api.assert_true(&not_eq)?;
        api.id_assert_not_equal(&ia, &ib)?;
        let c = api.secret_bool("c", Some(true))?;
        let s = api.select(&c, &a, &b)?;
        let seven = api.constant(7);
        api.assert_equal(&s, &seven)?;
        let p = api.mul(&a, &b)?;
        let sum = api.add(&p, &a);
        let seventy = api.constant(70);
        api.assert_equal(&sum, &seventy)?;
        Ok([s, p, c.target, sum])
    };
    let checker = p2_honest(&build);
    let run = checker.run(&pd::Cheats::new(), &build).unwrap();
    let [s, p, c, sum] = run.handles;
    // Every equality flag claimed the other way, every inverse replaced.
    let eqs: Vec<Vec<(Target, G)>> = run
        .generated_by("EqualityGenerator")
        .map(|gv| gv.values.clone())
        .collect();
    assert_eq!(eqs.len(), 1 + 8 + 8);
    // assert_not_equal's, and the first and last limb pairs of each id comparison.
    for e in [&eqs[0], &eqs[1], &eqs[8], &eqs[9], &eqs[16]] {
        let (flag, inv) = (e[0], e[1]);
        p2_refuses(
            &checker,
            &pd::Cheats::new().set(flag.0, G::ONE - flag.1),
            &build,
            "flag",
        );
        p2_refuses(
            &checker,
            &pd::Cheats::new().set(inv.0, inv.1 + G::ONE),
            &build,
            "inverse",
        );
    }
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(s, g(9)),
        &build,
        "select the other branch",
    );
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(p, g(64)),
        &build,
        "7 * 9 = 64",
    );
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(sum, g(71)),
        &build,
        "63 + 7 = 71",
    );
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(c, G::ZERO),
        &build,
        "condition flipped",
    );
}

// ---------------------------------------------------------------- hashing, Merkle paths

fn merkle_setup<H: NativeHasher>() -> (MerkleTree<H>, Bytes32, veil_circuits::MerklePath) {
    let leaves: Vec<Bytes32> = (1..=9u64).map(Bytes32::from_u64).collect();
    let tree = MerkleTree::<H>::new(4, leaves.clone()).unwrap();
    let path = tree.path(6).unwrap();
    (tree, leaves[6], path)
}

#[test]
fn poseidon_and_merkle_paths_r1cs() {
    let (tree, leaf, path) = merkle_setup::<PoseidonBls12>();
    let root = tree.root();
    let build = |api: &mut R1csApi| -> Res<(usize, usize, Vec<usize>)> {
        let leaf = api.secret_digest("leaf", Some(leaf))?;
        let root_pub = api.public_digest("root", Some(root))?;
        let vars = alloc_path(api, 2, Some(&path))?;
        let m = api.next_witness_index();
        let computed = merkle_root(api, &leaf, &vars)?;
        let m_end = api.next_witness_index();
        api.digest_assert_equal(&computed, &root_pub)?;
        let bits = vars
            .levels
            .iter()
            .flat_map(|(b0, b1, _)| [bidx(b0), bidx(b1)])
            .collect();
        Ok((m, m_end, bits))
    };
    let (checker, run) = r1cs_honest(&build);
    let (m, m_end, bits) = &run.handles;
    // A swapped direction bit (the selections and hashes recomputed from it).
    for &b in bits {
        let flipped = Fr::from(1u64) - run.witness(b);
        r1cs_refuses(
            &checker,
            &rd::Cheats::new().set(b, flipped),
            &build,
            "swapped direction",
        );
    }
    // Any value inside the path's selections and Poseidon rounds altered.
    for k in [*m, m + 1, m + 7, (m + m_end) / 2, m_end - 1] {
        let cheat = rd::Cheats::new().set(k, run.witness(k) + Fr::from(1u64));
        r1cs_refuses(&checker, &cheat, &build, "an intermediate of the path");
    }
}

#[test]
fn poseidon_and_merkle_paths_plonky2() {
    let (tree, leaf, path) = merkle_setup::<PoseidonGoldilocks>();
    let root = tree.root();
    let build = |api: &mut Plonky2Api| -> Res<Vec<Target>> {
        let leaf = api.secret_digest("leaf", Some(leaf))?;
        let root_pub = api.public_digest("root", Some(root))?;
        let vars = alloc_path(api, 2, Some(&path))?;
        let computed = merkle_root(api, &leaf, &vars)?;
        api.digest_assert_equal(&computed, &root_pub)?;
        Ok(vars
            .levels
            .iter()
            .flat_map(|(b0, b1, _)| [b0.target, b1.target])
            .collect())
    };
    let checker = p2_honest(&build);
    let run = checker.run(&pd::Cheats::new(), &build).unwrap();
    for &b in &run.handles {
        let flipped = G::ONE - run.value(b).unwrap();
        p2_refuses(
            &checker,
            &pd::Cheats::new().set(b, flipped),
            &build,
            "swapped direction",
        );
    }
    // A Poseidon output (the permutation's result wires), and a selection, altered.
    let pos: Vec<_> = run.generated_by("PoseidonGenerator").collect();
    assert!(!pos.is_empty());
    let (t, v) = pos[0].values[pos[0].values.len() - 1];
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(t, v + G::ONE),
        &build,
        "a Poseidon output",
    );
    let arith: Vec<_> = run.generated_by("ArithmeticBaseGenerator").collect();
    let (t, v) = arith[arith.len() / 2].values[0];
    p2_refuses(
        &checker,
        &pd::Cheats::new().set(t, v + G::ONE),
        &build,
        "a selection",
    );
}

/// Hashing every kind of input: an altered S-box value or output is refused.
#[test]
fn hash_inputs_r1cs() {
    let build = |api: &mut R1csApi| -> Res<(usize, usize)> {
        let s = api.secret_small("s", Some(5), 8)?;
        let u = api.secret_u64("u", Some(u64::MAX))?;
        let i = api.secret_id("i", Some(Bytes32([3; 32])))?;
        let d = api.secret_digest("d", Some(Bytes32::from_u64(9)))?;
        let m = api.next_witness_index();
        let h = api.hash(
            Domain::TokenLeaf,
            &[
                HashInput::Small(&s),
                HashInput::U64(&u),
                HashInput::Id(&i),
                HashInput::Digest(&d),
            ],
        )?;
        let m_end = api.next_witness_index();
        let _ = h;
        Ok((m, m_end))
    };
    let (checker, run) = r1cs_honest(&build);
    let (m, m_end) = run.handles;
    assert!(m_end > m + 100, "Poseidon allocates its S-box values");
    for k in (m..m_end).step_by((m_end - m) / 7) {
        let cheat = rd::Cheats::new().set(k, run.witness(k) + Fr::from(1u64));
        r1cs_refuses(&checker, &cheat, &build, "an S-box value");
    }
}
