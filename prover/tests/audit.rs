//! `veil audit` and `veil debug` (veil_prover::audit): every circuit's R1CS comes out clean,
//! deliberately under-constrained gadgets are caught with their labels, and the debugger
//! names the constraint (and rule) a witness fails.

use ark_bls12_381::Fr;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::SynthesisError;
use veil_circuits::api::scoped;
use veil_circuits::{
    Api, Circuit, Isolation, Listed, Metering, Ownership, Renewal, Revenue, Tier, Waterfall,
};
use veil_prover::audit::{
    analyse, audit, compile_labelled, debug, synthesize_labelled, AuditReport, VarKind,
};
use veil_prover::{compile, Hasher};

fn assert_clean(report: &AuditReport) {
    assert!(
        report.is_clean(),
        "{}: {} free variables, e.g. {:#?}",
        report.circuit,
        report.free.len(),
        &report.free[..report.free.len().min(5)]
    );
}

fn audit_listed<C: Listed>(size: u32) {
    let circuit = C::with_size(size).unwrap();
    let sys = compile_labelled(&circuit).unwrap();
    // Labels never change the constraint system.
    let plain = compile(&circuit).unwrap();
    assert_eq!(sys.matrices, plain.matrices, "{}", circuit.id());
    assert_eq!(sys.num_witness, plain.num_witness);
    assert_eq!(sys.num_instance, plain.num_instance);
    let report = analyse(&sys);
    assert_clean(&report);
    assert!(report.input_variables > 0 && report.determined_intermediates > 0);
    // Every benign variable is explained by the multiplier pattern.
    for b in &report.benign {
        assert!(b.explanation.as_deref().unwrap().contains("multiplier"));
        assert_eq!(b.kind, VarKind::Intermediate);
    }
}

#[test]
fn every_circuit_audits_clean() {
    audit_listed::<Ownership>(4);
    audit_listed::<Tier>(4);
    audit_listed::<Renewal>(4);
    audit_listed::<Metering>(4);
    audit_listed::<Isolation>(4);
    audit_listed::<Revenue>(4);
    audit_listed::<Waterfall>(4);
    // The smallest sizes too (a single slot, a single tree level).
    audit_listed::<Tier>(2);
    audit_listed::<Revenue>(1);
    audit_listed::<Waterfall>(1);
}

#[test]
fn labels_name_gadgets_rules_and_inputs() {
    let sys = compile_labelled(&Tier::new(4).unwrap()).unwrap();
    let rows: Vec<String> = (0..sys.num_constraints())
        .filter_map(|r| sys.labels.row(r).map(|l| l.to_string()))
        .collect();
    assert!(
        rows.iter().all(|l| l.starts_with("tier-4")),
        "{:?}",
        &rows[..3]
    );
    assert!(rows.iter().any(
        |l| l.contains("merkle.level[1]/hash(MerkleNode)") && l.contains("[rule: membership]")
    ));
    assert!(rows
        .iter()
        .any(|l| l.contains("assert_less_or_equal") && l.contains("[rule: tier minimum]")));
    let kinds: Vec<VarKind> = (0..sys.num_witness)
        .map(|w| sys.labels.witness_kind(w))
        .collect();
    assert!(kinds.contains(&VarKind::Input) && kinds.contains(&VarKind::Intermediate));
    // The first witness input is the secret tier id (the witness variables before it are
    // the range-check bits of the public inputs, intermediate).
    let first = kinds.iter().position(|k| *k == VarKind::Input).unwrap();
    assert!(first > 0);
    let (label, _) = sys.variable(sys.num_instance + first);
    assert!(label.contains("secret_small(tier_id)"), "{label}");
    let (bit, _) = sys.variable(sys.num_instance);
    assert!(bit.contains("public_small(min_tier)"), "{bit}");
}

fn missing() -> Result<Fr, SynthesisError> {
    Err(SynthesisError::AssignmentMissing)
}

/// A square root taken as a hint: h·h = x leaves the sign of h free.
#[test]
fn a_free_hint_is_reported_with_its_label() {
    let sys = synthesize_labelled("toy", |api| {
        let x = api.secret_u64("x", None)?;
        scoped(api, &"sqrt_hint", |api| {
            let h = FpVar::new_witness(api.cs().clone(), missing).unwrap();
            h.square().unwrap().enforce_equal(&x).unwrap();
        });
        // A hint allocated and never used.
        scoped(api, &"unused_hint", |api| {
            let _ = FpVar::new_witness(api.cs().clone(), missing).unwrap();
        });
        Ok(())
    })
    .unwrap();
    let report = analyse(&sys);
    assert_eq!(report.free.len(), 2, "{:#?}", report.free);
    assert!(report.free[0].label.contains("toy/sqrt_hint"));
    assert_eq!(report.free[0].occurrences, 1);
    assert!(report.free[0].rows[0].label.contains("sqrt_hint"));
    assert!(report.free[1].label.contains("toy/unused_hint"));
    assert_eq!(report.free[1].occurrences, 0);
    assert!(report.benign.is_empty());
}

/// q·d + r = a·b with q < 2^64 and r < `r_limit` (a power of two), and r < d only when
/// `bound_by_divisor`: the shape of `u64_mul_div`, with its remainder bound weakened or not.
fn mul_div_toy(r_bits: u32, bound_by_divisor: bool) -> AuditReport {
    const D: u64 = 10_000;
    let sys = synthesize_labelled("toy", |api| {
        let a = api.secret_u64("a", None)?;
        let b = api.secret_small("b", None, 14)?;
        scoped(api, &"mul_div", |api| {
            let cs = api.cs().clone();
            let q = scoped(api, &"quotient", |api| {
                let q = FpVar::new_witness(cs.clone(), missing).unwrap();
                api.inner().range_check(&q, 64).map(|_| q)
            })?;
            let r = scoped(api, &"remainder", |api| {
                let r = FpVar::new_witness(cs.clone(), missing).unwrap();
                api.inner().range_check(&r, r_bits).map(|_| r)
            })?;
            if bound_by_divisor {
                scoped(api, &"remainder_bound", |api| {
                    let d = FpVar::Constant(Fr::from(D));
                    api.inner().assert_less_than(&r, &d, r_bits)
                })?;
            }
            a.mul_equals(&b, &(&q * Fr::from(D) + &r)).unwrap();
            Ok::<(), veil_circuits::CircuitError>(())
        })
    })
    .unwrap();
    analyse(&sys)
}

#[test]
fn a_weakened_remainder_bound_is_caught() {
    // The honest gadget: clean.
    let honest = synthesize_labelled("toy", |api| {
        let a = api.secret_u64("a", None)?;
        let b = api.secret_small("b", None, 14)?;
        api.u64_mul_div(&a, &b, 14, 10_000).map(|_| ())
    })
    .unwrap();
    assert_clean(&analyse(&honest));
    // The same shape written out, with r < d: clean.
    assert_clean(&mul_div_toy(14, true));
    // r bounded by 2^14 only (not by the divisor 10,000): q and r are free, and so are the
    // bits that decompose them; nothing else is.
    let weak = mul_div_toy(14, false);
    assert!(!weak.is_clean());
    let labels: Vec<&str> = weak.free.iter().map(|v| v.label.as_str()).collect();
    assert!(
        labels.iter().all(|l| l.starts_with("toy/mul_div/")),
        "{labels:?}"
    );
    assert!(labels.contains(&"toy/mul_div/quotient"), "{labels:?}");
    assert!(labels.contains(&"toy/mul_div/remainder"), "{labels:?}");
    assert_eq!(weak.free.len(), 2 + 64 + 14, "{labels:?}");
    // A remainder bounded by 2^13 < d would fix them again (q·d + r with r < 2^13 < d).
    assert_clean(&mul_div_toy(13, false));
}

#[test]
fn debug_names_the_failing_constraint_and_its_rule() {
    let circuit = Tier::new(4).unwrap();
    let w = veil_circuits::sample::tier_witness::<Hasher>(4, 1).unwrap();
    let ok = debug(&circuit, &w).unwrap();
    assert!(ok.satisfied && ok.first_failure.is_none());
    assert_eq!(
        ok.gadgets.iter().map(|g| g.constraints).sum::<usize>(),
        ok.constraints
    );
    assert!(ok
        .gadgets
        .iter()
        .any(|g| g.gadget.contains("merkle.level[*]")));
    assert!(ok.rules.contains_key("membership"));

    // A tier below the minimum: the native check refuses it, the debugger finds where.
    let mut bad = w.clone();
    bad.statement.min_tier = bad.tier_id + 1;
    assert!(circuit.check::<Hasher>(&bad).is_err());
    let report = debug(&circuit, &bad).unwrap();
    assert!(!report.satisfied);
    let f = report.first_failure.unwrap();
    assert_eq!(f.rule.as_deref(), Some("tier minimum"), "{f:#?}");
    assert!(f.label.contains("assert_less_or_equal"), "{}", f.label);
    assert!(f
        .variables
        .iter()
        .any(|v| v.label.contains("secret_small(tier_id)") && v.value == bad.tier_id.to_string()));
}

#[test]
fn audit_of_a_listed_circuit_matches_the_library_entry_point() {
    let report = audit(&Ownership::new(4).unwrap()).unwrap();
    assert_clean(&report);
    assert_eq!(report.backend, "groth16");
    assert!(report.scope.contains("the R1CS constraint system"));
}

// ---- Plonky2: `veil audit --backend plonky2` and `veil debug --backend plonky2` ----

mod plonky2_backend {
    use plonky2::iop::target::Target;
    use veil_circuits::api::scoped;
    use veil_circuits::{
        Api, Circuit, FlowBudget, Isolation, Listed, Metering, Ownership, Receipt, Renewal,
        Revenue, Tier, Waterfall,
    };
    use veil_prover::audit::plonky2_audit::{self, Plonky2AuditReport};
    use veil_prover::audit::plonky2_debug;
    use veil_prover::plonky2::Hasher as GoldilocksHasher;

    fn assert_clean(report: &Plonky2AuditReport) {
        assert!(
            report.is_clean(),
            "{} (plonky2): {} undetermined, e.g. {:#?}",
            report.circuit,
            report.free.len(),
            &report.free[..report.free.len().min(5)]
        );
    }

    fn audit_listed<C: Listed>(size: u32) -> Plonky2AuditReport {
        let circuit = C::with_size(size).unwrap();
        let (checker, labels) = plonky2_debug::compile_labelled(&circuit).unwrap();
        // Labels never change the circuit.
        let plain = veil_prover::plonky2::compile(&circuit).unwrap();
        assert_eq!(
            checker.data.verifier_only.circuit_digest,
            plain.data.verifier_only.circuit_digest,
            "{}",
            circuit.id()
        );
        assert_eq!(labels.gates, plain.gates);
        let report = plonky2_audit::analyse(&circuit.id().to_string(), &checker, &labels);
        assert!(report.input_classes > 0 && report.determined_classes > report.input_classes);
        assert_eq!(report.unknown_gate_rows, 0, "{}", circuit.id());
        for b in &report.benign {
            assert!(b.explanation.as_deref().unwrap().contains("is-equal"));
        }
        // Every value left over is named after a gadget of the circuit.
        for f in &report.free {
            assert!(!f.rows.is_empty(), "{f:#?}");
        }
        report
    }

    /// Every listed circuit comes out clean on Plonky2: each used value is determined by the
    /// inputs, by the `u64_mul_div` lemma, or is an is-equal test's inverse hint (benign).
    #[test]
    fn every_circuit_is_clean_on_plonky2() {
        for report in [
            audit_listed::<Ownership>(4),
            audit_listed::<Tier>(4),
            audit_listed::<Renewal>(4),
            audit_listed::<Metering>(4),
            audit_listed::<Isolation>(4),
            audit_listed::<Revenue>(4),
            audit_listed::<Waterfall>(4),
            audit_listed::<FlowBudget>(4),
            audit_listed::<Receipt>(4),
        ] {
            assert_clean(&report);
            println!(
                "{} (plonky2): {} classes, {} benign, {} by lemma",
                report.circuit,
                report.classes,
                report.benign.len(),
                report.by_lemma
            );
        }
    }

    /// A square root taken as a hint: h·h = x leaves the sign of h free.
    #[test]
    fn a_free_hint_is_reported_on_plonky2() {
        let report = plonky2_audit::audit_definition("toy", |api| {
            let x = api.secret_small("x", None, 32)?;
            scoped(api, &"sqrt_hint", |api| {
                let b = &mut api.inner().builder;
                let h: Target = b.add_virtual_target();
                let sq = b.mul(h, h);
                b.connect(sq, x);
            });
            Ok(())
        })
        .unwrap();
        assert_eq!(report.free.len(), 1, "{:#?}", report.free);
        assert!(
            report.free[0].label.contains("toy/sqrt_hint"),
            "{:#?}",
            report.free
        );
        // The same value fixed by an input: clean.
        let report = plonky2_audit::audit_definition("toy", |api| {
            let x = api.secret_small("x", None, 32)?;
            let h = api.secret_small("h", None, 32)?;
            let sq = api.mul(&h, &h)?;
            api.assert_equal(&sq, &x)
        })
        .unwrap();
        assert_clean(&report);
        // An honest mul_div: clean, its quotient by the lemma.
        let report = plonky2_audit::audit_definition("toy", |api| {
            let a = api.secret_u64("a", None)?;
            let b = api.secret_small("b", None, 14)?;
            api.u64_mul_div(&a, &b, 14, 10_000).map(|_| ())
        })
        .unwrap();
        assert_clean(&report);
        assert!(report.by_lemma >= 2);
    }

    /// Plonky2's is-equal test (`e·d = 0`, `n = 1 − e`, `d·m − n = 0`) determines e from d
    /// and leaves only its inverse hint, benign; without either check e is free.
    #[test]
    fn the_is_equal_rule_needs_all_three_checks() {
        fn is_equal_without(skip: Option<&'static str>) -> Plonky2AuditReport {
            plonky2_audit::audit_definition("toy", |api| {
                let x = api.secret_small("x", None, 32)?;
                let y = api.secret_small("y", None, 32)?;
                scoped(api, &"is_equal", |api| {
                    let b = &mut api.inner().builder;
                    let zero = b.zero();
                    let equal = b.add_virtual_bool_target_unsafe();
                    let not_equal = b.not(equal);
                    let inv = b.add_virtual_target();
                    let diff = b.sub(x, y);
                    if skip != Some("e·d = 0") {
                        let not_equal_check = b.mul(equal.target, diff);
                        b.connect(not_equal_check, zero);
                    }
                    if skip != Some("d·m − n = 0") {
                        let normalized = b.mul(diff, inv);
                        let equal_check = b.sub(normalized, not_equal.target);
                        b.connect(equal_check, zero);
                    }
                });
                Ok(())
            })
            .unwrap()
        }
        let report = is_equal_without(None);
        assert_clean(&report);
        assert_eq!(report.benign.len(), 1, "{report:#?}");
        for skip in ["e·d = 0", "d·m − n = 0"] {
            let report = is_equal_without(Some(skip));
            assert!(!report.is_clean(), "without {skip}: {report:#?}");
            assert!(report.free.iter().all(|f| f.label.contains("toy/is_equal")));
        }
    }

    /// x·h = K with K a non-zero constant fixes h = K/x; x·h = 0 and x·h = y do not.
    #[test]
    fn a_product_fixes_a_factor_only_when_it_is_a_non_zero_constant() {
        fn product_with(rhs: &'static str) -> Plonky2AuditReport {
            plonky2_audit::audit_definition("toy", |api| {
                let x = api.secret_small("x", None, 32)?;
                let y = api.secret_small("y", None, 32)?;
                scoped(api, &"inverse_hint", |api| {
                    let b = &mut api.inner().builder;
                    let h: Target = b.add_virtual_target();
                    let p = b.mul(x, h);
                    let target = match rhs {
                        "1" => b.one(),
                        "0" => b.zero(),
                        _ => y,
                    };
                    b.connect(p, target);
                });
                Ok(())
            })
            .unwrap()
        }
        assert_clean(&product_with("1"));
        for rhs in ["0", "y"] {
            let report = product_with(rhs);
            assert_eq!(report.free.len(), 1, "x·h = {rhs}: {report:#?}");
            assert!(report.free[0].label.contains("toy/inverse_hint"));
        }
    }

    #[test]
    fn debug_on_plonky2_counts_gates_and_names_the_failing_rule() {
        let circuit = Tier::new(4).unwrap();
        let w = veil_circuits::sample::tier_witness::<GoldilocksHasher>(4, 1).unwrap();
        let ok = plonky2_debug::debug(&circuit, &w).unwrap();
        assert!(ok.satisfied && ok.first_failure.is_none(), "{ok:#?}");
        assert_eq!(ok.gadgets.iter().map(|g| g.gates).sum::<usize>(), ok.rows);
        assert!(ok
            .gadgets
            .iter()
            .any(|g| g.gadget.contains("merkle.level[*]")));
        assert!(ok.rules.contains_key("membership"));
        assert!(ok.gate_types.contains_key("PoseidonGate"));

        // A tier below the minimum: the native check refuses it, the debugger finds where.
        let mut bad = w.clone();
        bad.statement.min_tier = bad.tier_id + 1;
        assert!(circuit.check::<GoldilocksHasher>(&bad).is_err());
        let report = plonky2_debug::debug(&circuit, &bad).unwrap();
        assert!(!report.satisfied);
        let f = report.first_failure.unwrap();
        assert_eq!(f.rule.as_deref(), Some("tier minimum"), "{f:#?}");
        assert!(f.label.contains("assert_less_or_equal"), "{f:#?}");
    }
}
