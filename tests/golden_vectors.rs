//! Golden vectors made with the code before the statements were declared once (issue 8):
//! for every circuit at a small size and both backends, the public-input encoding of a sample
//! statement (hex), and verifying keys with proofs. The encodings must stay byte-for-byte what
//! they were, and the keys and proofs must keep verifying.
//!
//! Regenerate (only when a circuit's version changes on purpose), only the circuits named:
//! `VEIL_WRITE_VECTORS=metering-4,isolation-4 cargo test --release --test golden_vectors -- --ignored write`
//! (`VEIL_WRITE_VECTORS=1` rewrites every circuit's). The encodings of the others are
//! recomputed into `encodings.json` and must come out byte-identical; their keys and proofs
//! are left as they are.
//!
//! Circuit version 2 (issue 10): metering-4, isolation-4 (blinded readings commitments) and
//! renewal-4 (fresh token id) were regenerated; the other four are the version 1 vectors.
//! receipt-4 and flow-budget-4 (issue 16) were added with their first version.
//!
//! A change of the Plonky2 configuration (`veil_verifier::plonky2::circuit_config`, e.g. the
//! tuned configuration of issue 12 §3) changes every Plonky2 key and proof, not the statements
//! or their encodings: regenerate the Plonky2 vectors, and only they, with
//! `VEIL_WRITE_VECTORS=1 VEIL_WRITE_BACKEND=plonky2 cargo test --release --test golden_vectors -- --ignored write`
//! (`VEIL_WRITE_BACKEND` limits the rewrite to one backend's keys and proofs), and copy
//! `tests/vectors/plonky2/tier-4.vk` to `fuzz/seeds/plonky2_vk/tier-4.vk`.

use std::path::PathBuf;
use veil::circuits::{sample, Circuit, NativeHasher};
use veil::circuits::{FlowBudget, Receipt};
use veil::circuits::{Isolation, Metering, Ownership, Renewal, Revenue, Tier, Waterfall};
use veil::verifier::encoding::{bls12_381, goldilocks};
use veil::verifier::format::ProofEnvelope;
use veil::verifier::{AnyVerifyingKey, Backend, Statement};

/// Plonky2 proofs are ~125 KB each: keep only these (the others' encodings are kept).
const PLONKY2_PROOFS: [&str; 3] = ["tier-4", "metering-4", "waterfall-4"];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn encodings_hex(statement: &Statement) -> serde_json::Value {
    use plonky2::field::types::PrimeField64;
    let refused = |e: veil::verifier::VerifyError| serde_json::json!({ "refused": e.to_string() });
    let bls = match bls12_381::public_inputs(statement) {
        Ok(v) => serde_json::json!(v
            .iter()
            .map(|f| bls12_381::fr_to_digest(f).to_hex())
            .collect::<Vec<_>>()),
        Err(e) => refused(e),
    };
    let gl = match goldilocks::public_inputs(statement) {
        Ok(v) => serde_json::json!(v
            .iter()
            .map(|f| format!("{:016x}", f.to_canonical_u64()))
            .collect::<Vec<_>>()),
        Err(e) => refused(e),
    };
    serde_json::json!({ "bls12_381": bls, "goldilocks": gl })
}

#[derive(Clone, Copy)]
enum Make {
    Ownership,
    Tier,
    Renewal,
    Metering,
    Isolation,
    Revenue,
    Waterfall,
    Receipt,
    FlowBudget,
}

fn sample_statement<H: NativeHasher>(m: Make) -> Statement {
    match m {
        Make::Ownership => Ownership::statement(&sample::ownership_witness::<H>(4, 1).unwrap()),
        Make::Tier => Tier::statement(&sample::tier_witness::<H>(4, 1).unwrap()),
        Make::Renewal => Renewal::statement(&sample::renewal_witness::<H>(4, 1).unwrap()),
        Make::Metering => Metering::statement(&sample::metering_witness::<H>(4, 1).unwrap()),
        Make::Isolation => Isolation::statement(&sample::isolation_witness::<H>(4, 1).unwrap()),
        Make::Revenue => Revenue::statement(&sample::revenue_witness::<H>(4, 1).unwrap()),
        Make::Waterfall => Waterfall::statement(&sample::waterfall_witness::<H>(4, 1).unwrap()),
        Make::Receipt => Receipt::statement(&sample::receipt_witness::<H>(4, 1).unwrap()),
        Make::FlowBudget => FlowBudget::statement(&sample::flow_budget_witness::<H>(4, 1).unwrap()),
    }
}

const ALL: [(Make, &str); 9] = [
    (Make::Ownership, "ownership-4"),
    (Make::Tier, "tier-4"),
    (Make::Renewal, "renewal-4"),
    (Make::Metering, "metering-4"),
    (Make::Isolation, "isolation-4"),
    (Make::Revenue, "revenue-4"),
    (Make::Waterfall, "waterfall-4"),
    (Make::Receipt, "receipt-4"),
    (Make::FlowBudget, "flow-budget-4"),
];

fn backend_statement(m: Make, backend: Backend) -> Statement {
    match backend {
        Backend::Groth16 => sample_statement::<veil::circuits::PoseidonBls12>(m),
        Backend::Plonky2 => sample_statement::<veil::circuits::PoseidonGoldilocks>(m),
    }
}

/// Whether `VEIL_WRITE_VECTORS` asks for this circuit's keys and proofs.
fn selected(id: &str) -> bool {
    match std::env::var("VEIL_WRITE_VECTORS") {
        Ok(v) if v == "1" => true,
        Ok(v) => v.split(',').any(|x| x.trim() == id),
        Err(_) => false,
    }
}

fn write_one<C: Circuit + Clone>(c: C, w: C::Witness, backend: Backend) {
    let id = c.id().to_string();
    if !selected(&id) {
        return;
    }
    if std::env::var("VEIL_WRITE_BACKEND").is_ok_and(|b| b != backend.name()) {
        return;
    }
    let d = dir().join(backend.name());
    std::fs::create_dir_all(&d).unwrap();
    let (vk, env) = match backend {
        Backend::Groth16 => {
            let (pk, vk) = veil::params::dev_keys(&c, "golden").unwrap();
            let env = veil::prover::Prover::new(c, pk).unwrap().prove(&w).unwrap();
            (vk.to_bytes(), env)
        }
        Backend::Plonky2 => {
            let (pk, vk) = veil::prover::plonky2::setup(&c).unwrap();
            if !PLONKY2_PROOFS.contains(&id.as_str()) {
                std::fs::write(d.join(format!("{id}.vk")), vk.to_bytes()).unwrap();
                return;
            }
            let env = veil::prover::plonky2::Prover::new(c, pk)
                .unwrap()
                .prove(&w)
                .unwrap();
            (vk.to_bytes(), env)
        }
    };
    std::fs::write(d.join(format!("{id}.vk")), vk).unwrap();
    std::fs::write(d.join(format!("{id}.proof.json")), env.to_json()).unwrap();
}

fn write_proofs<H: NativeHasher>(backend: Backend) {
    write_one(
        Ownership::new(4).unwrap(),
        sample::ownership_witness::<H>(4, 1).unwrap(),
        backend,
    );
    write_one(
        Tier::new(4).unwrap(),
        sample::tier_witness::<H>(4, 1).unwrap(),
        backend,
    );
    write_one(
        Renewal::new(4).unwrap(),
        sample::renewal_witness::<H>(4, 1).unwrap(),
        backend,
    );
    write_one(
        Metering::new(4).unwrap(),
        sample::metering_witness::<H>(4, 1).unwrap(),
        backend,
    );
    write_one(
        Isolation::new(4).unwrap(),
        sample::isolation_witness::<H>(4, 1).unwrap(),
        backend,
    );
    write_one(
        Revenue::new(4).unwrap(),
        sample::revenue_witness::<H>(4, 1).unwrap(),
        backend,
    );
    write_one(
        Waterfall::new(4).unwrap(),
        sample::waterfall_witness::<H>(4, 1).unwrap(),
        backend,
    );
    write_one(
        Receipt::new(4).unwrap(),
        sample::receipt_witness::<H>(4, 1).unwrap(),
        backend,
    );
    write_one(
        FlowBudget::new(4).unwrap(),
        sample::flow_budget_witness::<H>(4, 1).unwrap(),
        backend,
    );
}

#[test]
#[ignore]
fn write() {
    if std::env::var("VEIL_WRITE_VECTORS").is_err() {
        eprintln!("set VEIL_WRITE_VECTORS=1 to rewrite tests/vectors");
        return;
    }
    let mut enc = serde_json::Map::new();
    for backend in Backend::ALL {
        let mut per = serde_json::Map::new();
        for (m, id) in ALL {
            let s = backend_statement(m, backend);
            let mut v = encodings_hex(&s);
            v["statement"] = serde_json::to_value(&s).unwrap();
            per.insert(id.to_string(), v);
        }
        enc.insert(backend.name().to_string(), per.into());
    }
    std::fs::create_dir_all(dir()).unwrap();
    std::fs::write(
        dir().join("encodings.json"),
        serde_json::to_string_pretty(&enc).unwrap() + "\n",
    )
    .unwrap();
    write_proofs::<veil::circuits::PoseidonBls12>(Backend::Groth16);
    write_proofs::<veil::circuits::PoseidonGoldilocks>(Backend::Plonky2);
}

fn encodings() -> serde_json::Value {
    let text = std::fs::read_to_string(dir().join("encodings.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The statements read back from JSON encode to exactly the recorded field elements, on
/// both backends, and the sample statements are still what they were.
#[test]
fn encodings_are_unchanged() {
    let enc = encodings();
    for backend in Backend::ALL {
        for (m, id) in ALL {
            let rec = &enc[backend.name()][id];
            let kind = id.parse::<veil::verifier::CircuitId>().unwrap().kind;
            let s = Statement::from_json(kind, &rec["statement"]).unwrap();
            assert_eq!(s, backend_statement(m, backend), "{backend} {id}: sample");
            assert_eq!(serde_json::to_value(&s).unwrap(), rec["statement"]);
            let now = encodings_hex(&s);
            assert_eq!(
                now["bls12_381"], rec["bls12_381"],
                "{backend} {id}: bls12-381"
            );
            assert_eq!(
                now["goldilocks"], rec["goldilocks"],
                "{backend} {id}: goldilocks"
            );
        }
    }
}

/// Keys and proofs made before the change still verify (and refuse a changed statement).
#[test]
fn recorded_proofs_verify() {
    let mut seen = 0;
    for backend in Backend::ALL {
        for (_, id) in ALL {
            let d = dir().join(backend.name());
            let vk = std::fs::read(d.join(format!("{id}.vk"))).unwrap();
            let vk = AnyVerifyingKey::from_bytes(&vk).unwrap();
            let Ok(text) = std::fs::read_to_string(d.join(format!("{id}.proof.json"))) else {
                continue;
            };
            let env = ProofEnvelope::from_json(&text).unwrap();
            vk.verify(&env)
                .unwrap_or_else(|e| panic!("{backend} {id}: {e}"));
            let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
            let first = json["statement"]
                .as_object()
                .and_then(|o| o.keys().next().cloned())
                .unwrap();
            let bumped = match &json["statement"][&first] {
                serde_json::Value::String(h) => {
                    let mut b = h.clone().into_bytes();
                    b[63] = if b[63] == b'0' { b'2' } else { b'0' };
                    serde_json::Value::String(String::from_utf8(b).unwrap())
                }
                other => serde_json::json!(other.as_u64().unwrap() + 1),
            };
            json["statement"][&first] = bumped;
            if let Ok(altered) = ProofEnvelope::from_json(&json.to_string()) {
                assert!(vk.verify(&altered).is_err(), "{backend} {id}: altered");
            }
            seen += 1;
        }
    }
    assert_eq!(seen, ALL.len() + PLONKY2_PROOFS.len());
}

fn same_key<C: Circuit>(c: C, backend: Backend) {
    let id = c.id().to_string();
    let now = match backend {
        Backend::Groth16 => veil::params::dev_keys(&c, "golden").unwrap().1.to_bytes(),
        Backend::Plonky2 => veil::prover::plonky2::setup(&c).unwrap().1.to_bytes(),
    };
    let recorded = std::fs::read(dir().join(backend.name()).join(format!("{id}.vk"))).unwrap();
    assert!(now == recorded, "{backend} {id}: the verifying key changed");
}

/// The circuits compile to the very constraint systems they did (the keys are deterministic:
/// Groth16 dev keys from a fixed seed, Plonky2 circuit data), so the order in which `define`
/// allocates the public inputs is the order recorded with the encodings.
#[test]
fn keys_are_unchanged() {
    for backend in Backend::ALL {
        same_key(Ownership::new(4).unwrap(), backend);
        same_key(Tier::new(4).unwrap(), backend);
        same_key(Renewal::new(4).unwrap(), backend);
        same_key(Metering::new(4).unwrap(), backend);
        same_key(Isolation::new(4).unwrap(), backend);
        same_key(Revenue::new(4).unwrap(), backend);
        same_key(Waterfall::new(4).unwrap(), backend);
        same_key(Receipt::new(4).unwrap(), backend);
        same_key(FlowBudget::new(4).unwrap(), backend);
    }
}
