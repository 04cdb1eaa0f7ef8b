#!/usr/bin/env bash
# Phase 2 side by side with snarkjs: per-circuit init, one contribution and a full verify of
# CIRCUIT, veil on a veil powers of tau, snarkjs on a prepared .ptau of the same power (the
# circuit exported with `veil export r1cs`), each under /usr/bin/time -v. Usage:
#   params/scripts/bench-phase2-vs-snarkjs.sh CIRCUIT VEIL.vptau PREPARED.ptau DIR
set -euo pipefail
CIRCUIT=$1
VPTAU=$(realpath "$2")
SPTAU=$(realpath "$3")
DIR=${4:-$(mktemp -d)}
VEIL=${VEIL:-veil}
SNARKJS=${SNARKJS:-snarkjs}
mkdir -p "$DIR"
cd "$DIR"
measure() { # name command...
  local name=$1
  shift
  /usr/bin/time -v "$@" >"${name// /_}.out" 2>"${name// /_}.time"
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "${name// /_}.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "${name// /_}.time" | awk '{print $NF}')
  printf '%-28s %10s  %8d MiB\n' "$name" "$wall" $((rss / 1024))
}
measure "veil ceremony init" "$VEIL" ceremony init --circuit "$CIRCUIT" --ptau "$VPTAU" --out c0.ph2
measure "veil ceremony contribute" "$VEIL" ceremony contribute --in c0.ph2 --out c1.ph2 --name a
measure "veil ceremony verify" "$VEIL" ceremony verify --circuit "$CIRCUIT" --ptau "$VPTAU" --transcript c1.ph2
"$VEIL" export r1cs --circuit "$CIRCUIT" --out c.r1cs >/dev/null
measure "snarkjs groth16 setup" $SNARKJS groth16 setup c.r1cs "$SPTAU" z0.zkey
measure "snarkjs zkey contribute" $SNARKJS zkey contribute z0.zkey z1.zkey --name=a -e=bench
measure "snarkjs zkey verify" $SNARKJS zkey verify c.r1cs "$SPTAU" z1.zkey
