//! Known-answer tests for ML-DSA-87 (FIPS 204) from an independent source, so that veil's
//! signatures are checked against the standard and not only against themselves.
//!
//! `data/mldsa87_wycheproof.json` comes from C2SP Wycheproof (its `_source` field names the
//! files and commits):
//! - keyGen: `mldsa_87_sign_seed_test.json`, first group: privateSeed (2a…2a) -> publicKey;
//! - sigVer: `mldsa_87_verify_test.json`, first group (the same key), tcId 3 "non-empty
//!   context": a valid pure-mode signature of "Hello world" with context "Context";
//! - sigGen: that signature is also what the deterministic ML-DSA.Sign gives for this seed,
//!   message and context.

use ml_dsa::{Keypair, MlDsa87, SigningKey};
use veil_verifier::attest::{sha3_256, AttestError, PublicKey, Signature, PUBLIC_KEY_SIZE};

struct Kat {
    seed: [u8; 32],
    pk: Vec<u8>,
    msg: Vec<u8>,
    ctx: String,
    sig: Vec<u8>,
}

fn kat() -> Kat {
    let path = format!(
        "{}/tests/data/mldsa87_wycheproof.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let hexfield = |v: &serde_json::Value, k: &str| hex::decode(v[k].as_str().unwrap()).unwrap();
    let t = &v["tests"][0];
    assert_eq!(t["result"], "valid");
    Kat {
        seed: hexfield(&v, "seed").try_into().unwrap(),
        pk: hexfield(&v, "pk"),
        msg: hexfield(t, "msg"),
        ctx: String::from_utf8(hexfield(t, "ctx")).unwrap(),
        sig: hexfield(t, "sig"),
    }
}

#[test]
fn keygen_from_seed_gives_the_published_public_key() {
    let k = kat();
    assert_eq!(k.pk.len(), PUBLIC_KEY_SIZE);
    let sk = SigningKey::<MlDsa87>::from_seed(&k.seed.into());
    assert_eq!(sk.verifying_key().encode().as_slice(), k.pk.as_slice());
    let pk = PublicKey::from_bytes(&k.pk).unwrap();
    assert_eq!(pk.to_bytes(), k.pk.as_slice());
    assert_eq!(pk.key_id(), sha3_256(&k.pk));
}

#[test]
fn published_signature_with_context_verifies() {
    let k = kat();
    assert_eq!(k.ctx, "Context");
    let pk = PublicKey::from_bytes(&k.pk).unwrap();
    let sig = Signature::from_bytes(&k.sig).unwrap();
    pk.verify("KAT", &k.ctx, &k.msg, &sig).unwrap();

    // The same signature under another context, over another message, or altered: refused.
    for ctx in ["", "context", "Context "] {
        assert!(matches!(
            pk.verify("KAT", ctx, &k.msg, &sig),
            Err(AttestError::BadSignature { .. })
        ));
    }
    assert!(pk.verify("KAT", &k.ctx, b"Hello world!", &sig).is_err());
    for i in [0, 100, 4000] {
        let mut b = k.sig.clone();
        b[i] ^= 1;
        if let Ok(s) = Signature::from_bytes(&b) {
            assert!(pk.verify("KAT", &k.ctx, &k.msg, &s).is_err(), "byte {i}");
        }
    }
    let mut other = k.pk.clone();
    other[40] ^= 1;
    let other = PublicKey::from_bytes(&other).unwrap();
    assert!(other.verify("KAT", &k.ctx, &k.msg, &sig).is_err());
    // Cut short.
    assert!(matches!(
        Signature::from_bytes(&k.sig[..k.sig.len() - 1]),
        Err(AttestError::WrongLength { .. })
    ));
}

#[test]
fn deterministic_signing_reproduces_the_published_signature() {
    let k = kat();
    let sk = SigningKey::<MlDsa87>::from_seed(&k.seed.into());
    let sig = sk
        .expanded_key()
        .sign_deterministic(&k.msg, k.ctx.as_bytes())
        .unwrap();
    assert_eq!(sig.encode().as_slice(), k.sig.as_slice());
}
