#!/usr/bin/env bash
# Phase 1 side by side with snarkjs on this machine: new, contribute and verify at 2^POWER,
# each under /usr/bin/time -v (wall seconds and peak RSS). Usage:
#   params/scripts/bench-vs-snarkjs.sh POWER DIR   (VEIL=path/to/veil, SNARKJS="node .../cli.cjs")
set -euo pipefail
POWER=${1:-13}
DIR=${2:-$(mktemp -d)}
VEIL=${VEIL:-veil}
SNARKJS=${SNARKJS:-snarkjs}
mkdir -p "$DIR"
cd "$DIR"
measure() { # name command...
  local name=$1
  shift
  /usr/bin/time -v "$@" >"$name.out" 2>"$name.time"
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$name.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$name.time" | awk '{print $NF}')
  printf '%-28s %10s  %8d MiB\n' "$name" "$wall" $((rss / 1024))
}
measure "veil ptau new" "$VEIL" ceremony ptau new --power "$POWER" --out v0.vptau
measure "veil ptau contribute" "$VEIL" ceremony ptau contribute --name a --in v0.vptau --out v1.vptau
measure "veil ptau verify" "$VEIL" ceremony ptau verify --in v1.vptau
measure "veil ptau export" "$VEIL" ceremony ptau export --in v1.vptau --out v1.ptau
measure "snarkjs powersoftau new" $SNARKJS powersoftau new bls12381 "$POWER" s0.ptau
measure "snarkjs powersoftau contribute" $SNARKJS powersoftau contribute s0.ptau s1.ptau --name=a -e=bench
measure "snarkjs powersoftau verify" $SNARKJS powersoftau verify s1.ptau
measure "snarkjs verify (veil export)" $SNARKJS powersoftau verify v1.ptau
