//! Picks the native hasher of a store's backend; every hash goes through veil-circuits.

/// `by_backend!(backend, path::to::f(args))` calls `f::<PoseidonBls12>` or
/// `f::<PoseidonGoldilocks>` by the backend.
macro_rules! by_backend {
    ($b:expr, $($f:ident)::+ ($($a:expr),* $(,)?)) => {
        match $b {
            veil_verifier::Backend::Groth16 => {
                $($f)::+::<veil_circuits::PoseidonBls12>($($a),*)
            }
            veil_verifier::Backend::Plonky2 => {
                $($f)::+::<veil_circuits::PoseidonGoldilocks>($($a),*)
            }
        }
    };
}
pub(crate) use by_backend;
