//! `sum-N`: "these N secret parts add up to the public total, exactly" (a scratch circuit
//! that measures what adding a circuit to the list touches).

use crate::api::Api;
use crate::error::{CircuitError, Rule, Violation};
use crate::hash::NativeHasher;
use crate::Circuit;
use serde::{Deserialize, Serialize};
use veil_verifier::statement::{SumPublic, SumStatement};
use veil_verifier::{CircuitId, CircuitKind, Statement};

/// The secret parts, with the statement they claim.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumWitness {
    pub statement: SumStatement,
    pub parts: Vec<u64>,
}

#[derive(Clone, Copy, Debug)]
pub struct Sum {
    id: CircuitId,
}

impl Sum {
    pub fn new(capacity: u32) -> Result<Self, String> {
        Ok(Sum {
            id: CircuitId::new(CircuitKind::Sum, capacity)?,
        })
    }
}

impl Circuit for Sum {
    type Witness = SumWitness;

    fn id(&self) -> CircuitId {
        self.id
    }

    fn statement(w: &SumWitness) -> Statement {
        Statement::Sum(w.statement.clone())
    }

    fn check<H: NativeHasher>(&self, w: &SumWitness) -> Result<(), Violation> {
        if w.parts.len() != self.id.size as usize {
            return Err(Violation::new(Rule::WellFormed, "one part per slot"));
        }
        let sum = w
            .parts
            .iter()
            .try_fold(0u64, |a, &p| a.checked_add(p))
            .ok_or_else(|| Violation::new(Rule::Overflow, "the parts overflow 64 bits"))?;
        if sum != w.statement.total {
            return Err(Violation::new(Rule::Total, "the parts do not add up to the total"));
        }
        Ok(())
    }

    fn define<A: Api>(&self, api: &mut A, w: Option<&SumWitness>) -> Result<(), CircuitError> {
        let SumPublic { total } = api.public_statement(w.map(|w| &w.statement))?;
        let parts = (0..self.id.size as usize)
            .map(|i| api.secret_u64("part", w.and_then(|w| w.parts.get(i).copied())))
            .collect::<Result<Vec<_>, _>>()?;
        let sum = api.u64_sum(&parts)?;
        api.u64_assert_equal(&sum, &total)
    }
}

impl crate::Listed for Sum {
    const DOC: crate::doc::CircuitDoc = crate::doc::CircuitDoc {
        description: "These secret parts add up to the public total",
        statement: &[crate::doc::field("total", "the total")],
        rules: &[
            crate::doc::rule(Rule::WellFormed, "one part per slot"),
            crate::doc::NO_OVERFLOW,
            crate::doc::rule(Rule::Total, "total is exactly the sum of the parts"),
        ],
        hides: "the parts",
    };
    fn with_size(size: u32) -> Result<Self, String> {
        Sum::new(size)
    }
    fn sample<H: NativeHasher>(size: u32, seed: u64) -> Result<SumWitness, CircuitError> {
        let parts: Vec<u64> = (0..u64::from(size)).map(|i| seed + i).collect();
        let total = parts.iter().sum();
        Ok(SumWitness {
            statement: SumStatement { total },
            parts,
        })
    }
}
