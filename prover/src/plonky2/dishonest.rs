//! Playing a dishonest prover on Plonky2 (for tests): generate the witness with chosen
//! values in place of what the generators (Plonky2's and veil's `MulDivGenerator`) would
//! compute, and check every gate constraint of the result.
//!
//! [`Checker::run`] is Plonky2's `generate_partial_witness` with one change: a value a
//! generator produces for a cheated target (or anything copy-connected to it) is replaced
//! by the cheat before it is stored, so every generator that runs later computes from the
//! cheating value (the cheater's honest-looking completion). Cheats are also set before
//! the first generator runs, so a target no generator computes (a secret input, a test
//! gadget's hint) can be cheated too. Then, instead of proving, each row's gate is
//! evaluated on the full witness: the verdict names the first row, gate and constraint that
//! do not vanish, or the copy constraint two generated values break. This is deterministic
//! and fast; [`Checker::prove_and_verify`] runs the real prover on the same witness, to hold
//! the gate check to the proof system.
//!
//! To find a target: the handles a gadget returns, [`Run::generated`] (every generator's
//! outputs, by generator id, in the order they ran) and the builder's row count read before
//! and after a gadget (`api.builder.num_gates()`). Nothing here is used by the prover.

use super::api::Plonky2Api;
use plonky2::field::extension::FieldExtension;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness};
use plonky2::plonk::circuit_data::CircuitData;
use plonky2::plonk::config::{GenericConfig, Hasher};
use plonky2::plonk::vars::EvaluationVars;
use plonky2::util::timing::TimingTree;
use veil_circuits::error::CircuitError;
use veil_verifier::plonky2::{catch_quiet, circuit_config, C, D, F};

type Ext = <F as plonky2::field::extension::Extendable<D>>::Extension;

/// The values a dishonest prover substitutes, by target.
#[derive(Clone, Debug, Default)]
pub struct Cheats {
    values: Vec<(Target, F)>,
}

impl Cheats {
    pub fn new() -> Self {
        Self::default()
    }

    /// `target` (and everything copy-connected to it) takes `value`.
    pub fn set(mut self, target: Target, value: F) -> Self {
        self.values.push((target, value));
        self
    }

    /// A canonical u64 below the Goldilocks modulus.
    pub fn set_u64(self, target: Target, value: u64) -> Self {
        self.set(target, F::from_noncanonical_u64(value))
    }
}

/// What the constraint system says of a witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Satisfied,
    /// A gate constraint that does not vanish.
    Gate {
        row: usize,
        gate: String,
        constraint: usize,
    },
    /// Two values for one copy-connected set of wires.
    Copy(String),
    /// The witness could not be completed (a generator never ran, a value missing).
    Incomplete(String),
}

/// A copy constraint broken during witness generation: `target`'s copy-connected set held
/// `had` when `by` (a generator's id, or "input" / "cheat") set it to `value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyConflict {
    pub target: Target,
    pub had: Option<F>,
    pub value: F,
    pub by: String,
}

/// The outputs of one generator run.
#[derive(Clone, Debug)]
pub struct Generated {
    pub generator: String,
    /// As the generator computed them (before any cheat replaced one).
    pub values: Vec<(Target, F)>,
}

/// A circuit definition built once; [`Checker::run`] then checks any number of (dishonest)
/// witnesses of the same definition.
pub struct Checker {
    pub data: CircuitData<F, C, D>,
    gates: usize,
}

/// One witness generation with cheats.
pub struct Run<'a, T> {
    pub handles: T,
    /// The first failure (or `Satisfied`).
    pub verdict: Verdict,
    /// Every gate constraint that does not vanish, as (row, gate, constraint): a well-aimed
    /// cheat breaks exactly the one it is about.
    pub failures: Vec<(usize, String, usize)>,
    pub generated: Vec<Generated>,
    /// The copy-connected sets (by representative) holding an input: a public input or a
    /// value the definition assigned.
    pub input_reps: std::collections::HashSet<usize>,
    /// When the verdict is `Copy`: the values that disagreed.
    pub conflict: Option<CopyConflict>,
    witness: Option<PartitionWitness<'a, F>>,
}

impl<T> Run<'_, T> {
    pub fn satisfied(&self) -> bool {
        self.verdict == Verdict::Satisfied
    }

    /// The value of a target in the generated witness.
    pub fn value(&self, t: Target) -> Option<F> {
        self.witness.as_ref().and_then(|w| w.try_get_target(t))
    }

    /// The outputs of the generators with this id, in the order they ran.
    pub fn generated_by<'s>(&'s self, id: &'s str) -> impl Iterator<Item = &'s Generated> + 's {
        self.generated.iter().filter(move |g| g.generator == id)
    }
}

fn be(e: impl ToString) -> CircuitError {
    CircuitError::Backend(e.to_string())
}

impl Checker {
    /// Builds `define` with veil's circuit configuration (the values it passes are not used
    /// by the circuit data).
    pub fn new<T>(
        define: impl FnOnce(&mut Plonky2Api) -> Result<T, CircuitError>,
    ) -> Result<Self, CircuitError> {
        Self::new_with(define).map(|(checker, _)| checker)
    }

    /// [`Checker::new`], keeping what `define` returned (labels, handles).
    pub fn new_with<T>(
        define: impl FnOnce(&mut Plonky2Api) -> Result<T, CircuitError>,
    ) -> Result<(Self, T), CircuitError> {
        let mut api = Plonky2Api::new(circuit_config());
        let handles = define(&mut api)?;
        let gates = api.builder.num_gates();
        let data = catch_quiet(|| api.builder.build::<C>())
            .ok_or_else(|| be("building the Plonky2 circuit failed"))?;
        if !data.common.luts.is_empty() {
            return Err(be("lookup tables are not supported by the gate check"));
        }
        Ok((Checker { data, gates }, handles))
    }

    /// Defines the circuit again with its values, generates the witness with the cheats
    /// and checks every gate (see the module docs).
    pub fn run<T>(
        &self,
        cheats: &Cheats,
        define: impl FnOnce(&mut Plonky2Api) -> Result<T, CircuitError>,
    ) -> Result<Run<'_, T>, CircuitError> {
        let mut api = Plonky2Api::new(circuit_config());
        let handles = define(&mut api)?;
        if api.builder.num_gates() != self.gates {
            return Err(be("the definition made other gates than the compiled one"));
        }
        let input_reps = api
            .assignments
            .iter()
            .map(|(t, _)| *t)
            .chain(self.data.prover_only.public_inputs.iter().copied())
            .map(|t| self.rep(t))
            .collect();
        let mut conflict = None;
        let (witness, generated, verdict) = self.generate(cheats, &api.assignments, &mut conflict);
        let (verdict, failures) = match (&witness, verdict) {
            (Some(w), None) => self.check_gates(w),
            (_, Some(v)) => (v, Vec::new()),
            (None, None) => (Verdict::Incomplete("no witness".into()), Vec::new()),
        };
        Ok(Run {
            handles,
            verdict,
            failures,
            input_reps,
            generated,
            conflict,
            witness,
        })
    }

    /// Whether `t` is copy-connected to an input of the run (the statement or a secret).
    pub fn is_input<T>(&self, run: &Run<'_, T>, t: Target) -> bool {
        run.input_reps.contains(&self.rep(t))
    }

    fn rep(&self, t: Target) -> usize {
        let common = &self.data.common;
        self.data.prover_only.representative_map[t.index(common.config.num_wires, common.degree())]
    }

    /// Plonky2's `generate_partial_witness`, with the cheats substituted.
    #[allow(clippy::type_complexity)]
    fn generate(
        &self,
        cheats: &Cheats,
        inputs: &[(Target, F)],
        conflict: &mut Option<CopyConflict>,
    ) -> (
        Option<PartitionWitness<'_, F>>,
        Vec<Generated>,
        Option<Verdict>,
    ) {
        let prover = &self.data.prover_only;
        let common = &self.data.common;
        // By representative: the last cheat of a copy-connected set wins.
        let cheat_reps: std::collections::HashMap<usize, F> = cheats
            .values
            .iter()
            .map(|(t, v)| (self.rep(*t), *v))
            .collect();
        let cheat_of = |t: Target| cheat_reps.get(&self.rep(t)).copied();
        let mut witness = PartitionWitness::new(
            common.config.num_wires,
            common.degree(),
            &prover.representative_map,
        );
        let mut generated = Vec::new();
        let copy = |e: anyhow::Error| Some(Verdict::Copy(e.to_string()));
        let record = |w: &PartitionWitness<'_, F>, t: Target, value: F, by: &str| CopyConflict {
            target: t,
            had: w.try_get_target(t),
            value,
            by: by.to_string(),
        };
        for (t, _) in &cheats.values {
            if witness.try_get_target(*t).is_none() {
                let v = cheat_of(*t).unwrap_or_default();
                if let Err(e) = witness.set_target_returning_rep(*t, v) {
                    *conflict = Some(record(&witness, *t, v, "cheat"));
                    return (None, generated, copy(e));
                }
            }
        }
        for (t, v) in inputs {
            let v = cheat_of(*t).unwrap_or(*v);
            if let Err(e) = witness.set_target_returning_rep(*t, v) {
                *conflict = Some(record(&witness, *t, v, "input"));
                return (None, generated, copy(e));
            }
        }
        let generators = &prover.generators;
        let mut pending: Vec<usize> = (0..generators.len()).collect();
        let mut expired = vec![false; generators.len()];
        let mut remaining = generators.len();
        let mut buffer = plonky2::iop::generator::GeneratedValues::empty();
        while !pending.is_empty() {
            let mut next = Vec::new();
            for &g in &pending {
                if expired[g] {
                    continue;
                }
                if generators[g].0.run(&witness, &mut buffer) {
                    expired[g] = true;
                    remaining -= 1;
                }
                let values: Vec<(Target, F)> = buffer.target_values.drain(..).collect();
                for (t, v) in &values {
                    let v = cheat_of(*t).unwrap_or(*v);
                    match witness.set_target_returning_rep(*t, v) {
                        Ok(Some(rep)) => {
                            if let Some(watchers) = prover.generator_indices_by_watches.get(&rep) {
                                next.extend(watchers.iter().filter(|w| !expired[**w]));
                            }
                        }
                        Ok(None) => {}
                        Err(e) => {
                            *conflict = Some(record(&witness, *t, v, &generators[g].0.id()));
                            return (None, generated, copy(e));
                        }
                    }
                }
                if !values.is_empty() {
                    generated.push(Generated {
                        generator: generators[g].0.id(),
                        values,
                    });
                }
            }
            pending = next;
        }
        if remaining != 0 {
            let v = Verdict::Incomplete(format!("{remaining} generators did not run"));
            return (Some(witness), generated, Some(v));
        }
        (Some(witness), generated, None)
    }

    /// Evaluates each row's gate on the full witness: the first failure and all of them.
    #[allow(clippy::type_complexity)]
    fn check_gates(
        &self,
        witness: &PartitionWitness<'_, F>,
    ) -> (Verdict, Vec<(usize, String, usize)>) {
        let prover = &self.data.prover_only;
        let common = &self.data.common;
        let mut public = Vec::with_capacity(prover.public_inputs.len());
        for t in &prover.public_inputs {
            match witness.try_get_target(*t) {
                Some(v) => public.push(v),
                None => {
                    let v = Verdict::Incomplete(format!("public input {t:?} unset"));
                    return (v, Vec::new());
                }
            }
        }
        let pi_hash: HashOut<F> =
            <<C as GenericConfig<D>>::InnerHasher as Hasher<F>>::hash_no_pad(&public);
        let num_wires = common.config.num_wires;
        let constants: Vec<Vec<F>> = prover.constants_sigmas_commitment.polynomials
            [..common.num_constants]
            .iter()
            .map(|p| p.clone().fft().values)
            .collect();
        let num_selectors = common.selectors_info.num_selectors();
        let prefix = num_selectors + common.num_lookup_selectors;
        let mut failures = Vec::new();
        for row in 0..common.degree() {
            let local_constants: Vec<Ext> = constants
                .iter()
                .map(|c| <Ext as FieldExtension<D>>::from_basefield(c[row]))
                .collect();
            // As `full_witness` lays them out: an unset wire is zero.
            let local_wires: Vec<Ext> = (0..num_wires)
                .map(|c| {
                    let v = witness.try_get_target(Target::wire(row, c));
                    <Ext as FieldExtension<D>>::from_basefield(v.unwrap_or(F::ZERO))
                })
                .collect();
            for selector in constants.iter().take(num_selectors) {
                let index = selector[row].to_canonical_u64() as usize;
                let Some(gate) = common.gates.get(index) else {
                    continue;
                };
                let vars = EvaluationVars {
                    local_constants: &local_constants[prefix..],
                    local_wires: &local_wires,
                    public_inputs_hash: &pi_hash,
                };
                for (constraint, c) in gate.0.eval_unfiltered(vars).iter().enumerate() {
                    if *c != Ext::ZERO {
                        failures.push((row, gate.0.id(), constraint));
                    }
                }
            }
        }
        let verdict = match failures.first() {
            None => Verdict::Satisfied,
            Some((row, gate, constraint)) => Verdict::Gate {
                row: *row,
                gate: gate.clone(),
                constraint: *constraint,
            },
        };
        (verdict, failures)
    }

    /// Proves the run's witness with Plonky2's prover and verifies the proof: true when a
    /// valid proof came out.
    pub fn prove_and_verify<T>(&self, run: &Run<'_, T>) -> bool {
        let Some(w) = run.witness.clone() else {
            return false;
        };
        let proof = catch_quiet(|| {
            plonky2::plonk::prover::prove_with_partition_witness(
                &self.data.prover_only,
                &self.data.common,
                w,
                &mut TimingTree::default(),
            )
        });
        match proof {
            Some(Ok(p)) => self.data.verify(p).is_ok(),
            _ => false,
        }
    }
}
