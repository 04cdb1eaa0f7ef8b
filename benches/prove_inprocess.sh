#!/bin/bash
# In-process prove times side by side in one run (issue 12 §2): tier-20 proved by veil on the
# blst and ark MSM engines, by plain ark-groth16 on the same constraint system, and by
# snarkjs 0.7.6's `groth16.prove` through its JS API (benches/snarkjs_prove.js) on veil's
# exported R1CS and witness, interleaved round by round; then the MSMs alone at 2^13..2^16.
#
#   benches/prove_inprocess.sh [ROUNDS]     # default 7; medians printed as [side-by-side]
#
# Needs target/release/veil, node, snarkjs 0.7.6 (installed into target/tmp/veil-npm/snarkjs
# as cli/tests/interop.rs does) and a prepared BLS12-381 power-13 .ptau: VEIL_PTAU=FILE, else
# target/tmp/veil-npm/pot13-bls12381-final.ptau (benches/prove_process.sh makes one).
set -euo pipefail
ROUNDS=${1:-7}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VEIL=$ROOT/target/release/veil
NPM=$ROOT/target/tmp/veil-npm
SNARKJS="node $NPM/snarkjs/node_modules/snarkjs/build/cli.cjs"
POT=${VEIL_PTAU:-$NPM/pot13-bls12381-final.ptau}
WORK=$ROOT/target/tmp/prove-inprocess
mkdir -p "$WORK"
if [ ! -f "$NPM/snarkjs/node_modules/snarkjs/build/cli.cjs" ]; then
  mkdir -p "$NPM/snarkjs" && npm install --prefix "$NPM/snarkjs" snarkjs@0.7.6 >/dev/null
fi
[ -f "$POT" ] || { echo "no prepared power-13 ptau at $POT (set VEIL_PTAU)" >&2; exit 1; }
cd "$WORK"
# The witness of seed 1 is what the bench's Rust provers prove (`veil sample`'s default).
$VEIL sample --circuit tier-20 --out w.json >/dev/null
$VEIL export r1cs --circuit tier-20 --out c.r1cs >/dev/null
$VEIL export wtns --circuit tier-20 --witness w.json --out c.wtns >/dev/null
[ -f c.zkey ] || $SNARKJS groth16 setup c.r1cs "$POT" c.zkey >/dev/null
cd "$ROOT"
VEIL_SNARKJS_DIR=$NPM/snarkjs VEIL_SNARKJS_ZKEY=$WORK/c.zkey VEIL_SNARKJS_WTNS=$WORK/c.wtns \
  VEIL_BENCH_ROUNDS=$ROUNDS cargo bench -p veil --bench ark_compare -- side-by-side 2>&1 |
  grep -E '^\[side-by-side\]|^\[sizes\]'
echo "$(nproc) cores; load now: $(cut -d' ' -f1-3 /proc/loadavg)"
