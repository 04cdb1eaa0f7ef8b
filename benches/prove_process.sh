#!/bin/bash
# Whole-process times, side by side in one run: `veil setup|prove|verify` of a circuit against
# snarkjs 0.7.6's `groth16 setup|prove|verify` on the same constraint system and witness
# (`veil export r1cs|wtns`), plus veil's own "proved in" time, and peak memory (max RSS).
#
#   benches/prove_process.sh [CIRCUIT] [RUNS]        # default tier-20, 5 runs; medians printed
#
# Needs target/release/veil (cargo build --release -p veil-cli), node and snarkjs 0.7.6 (the
# interop tests install it into target/tmp/veil-npm/snarkjs; this script does the same), and
# a prepared BLS12-381 .ptau of power 13 (VEIL_PTAU=FILE to use one made before; else made here
# with snarkjs on first use, ~30 min on 2 cores, cached in target/tmp/veil-npm/).
# veil is timed on both MSM engines (--msm-engine blst, the default, and ark).
set -euo pipefail
CIRCUIT=${1:-tier-20}
RUNS=${2:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VEIL=$ROOT/target/release/veil
NPM=$ROOT/target/tmp/veil-npm
SNARKJS="node $NPM/snarkjs/node_modules/snarkjs/build/cli.cjs"
POT=${VEIL_PTAU:-$NPM/pot13-bls12381-final.ptau}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

if [ ! -f "$NPM/snarkjs/node_modules/snarkjs/build/cli.cjs" ]; then
  mkdir -p "$NPM/snarkjs" && npm install --prefix "$NPM/snarkjs" snarkjs@0.7.6 >/dev/null
fi
if [ ! -f "$POT" ]; then
  $SNARKJS powersoftau new bls12381 13 "$NPM/pot13-raw.ptau"
  $SNARKJS powersoftau contribute "$NPM/pot13-raw.ptau" "$NPM/pot13-contributed.ptau" --name=bench -e="veil bench"
  $SNARKJS powersoftau prepare phase2 "$NPM/pot13-contributed.ptau" "$POT.tmp" && mv "$POT.tmp" "$POT"
fi

# Seconds of wall time of one run of "$@" (output discarded).
wall() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }  # max RSS in KiB

$VEIL setup --circuit "$CIRCUIT" --out-dir keys >/dev/null 2>&1
$VEIL sample --circuit "$CIRCUIT" --out w.json >/dev/null 2>&1
$VEIL export r1cs --circuit "$CIRCUIT" --out c.r1cs >/dev/null 2>&1
$VEIL export wtns --circuit "$CIRCUIT" --witness w.json --out c.wtns >/dev/null 2>&1
$SNARKJS groth16 setup c.r1cs "$POT" c.zkey >/dev/null 2>&1
$SNARKJS zkey export verificationkey c.zkey vk.json >/dev/null 2>&1
$SNARKJS groth16 prove c.zkey c.wtns p.json pub.json >/dev/null 2>&1
$VEIL prove --circuit "$CIRCUIT" --pk keys/$CIRCUIT.pk --witness w.json --out proof.json >/dev/null 2>&1

declare -A T
for i in $(seq "$RUNS"); do   # interleaved, so that load from other processes hits both alike
  T[veil_prove]+="$(wall $VEIL prove --circuit "$CIRCUIT" --pk keys/$CIRCUIT.pk --witness w.json --out proof.json) "
  T[veil_prove_ark]+="$(wall $VEIL prove --msm-engine ark --circuit "$CIRCUIT" --pk keys/$CIRCUIT.pk --witness w.json --out proof.json) "
  T[veil_proved_in]+="$($VEIL --json prove --circuit "$CIRCUIT" --pk keys/$CIRCUIT.pk --witness w.json --out proof.json | sed -n 's/.*"prove_ms": \([0-9.]*\).*/\1/p' | awk '{print $1/1000}') "
  T[snarkjs_prove]+="$(wall $SNARKJS groth16 prove c.zkey c.wtns p.json pub.json) "
  T[veil_verify]+="$(wall $VEIL verify --vk keys/$CIRCUIT.vk --proof proof.json) "
  T[snarkjs_verify]+="$(wall $SNARKJS groth16 verify vk.json pub.json p.json) "
  T[veil_setup]+="$(wall $VEIL setup --circuit "$CIRCUIT" --out-dir keys2) "
  T[snarkjs_setup]+="$(wall $SNARKJS groth16 setup c.r1cs "$POT" c2.zkey) "
done
echo "circuit $CIRCUIT, $RUNS runs, medians (s); $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for k in veil_prove veil_prove_ark veil_proved_in snarkjs_prove veil_verify snarkjs_verify veil_setup snarkjs_setup; do
  printf '%-16s %s\n' "$k" "$(echo ${T[$k]} | tr ' ' '\n' | median)"
done
med() { echo ${T[$1]} | tr ' ' '\n' | median; }
echo "veil prove whole process / its proved-in: $(echo "$(med veil_prove) / $(med veil_proved_in)" | bc -l | cut -c1-5)x;" \
  "snarkjs prove / veil prove (whole processes): $(echo "$(med snarkjs_prove) / $(med veil_prove)" | bc -l | cut -c1-5)x"
echo "max RSS (KiB): veil prove $(rss $VEIL prove --circuit "$CIRCUIT" --pk keys/$CIRCUIT.pk --witness w.json --out proof.json)," \
  "snarkjs prove $(rss $SNARKJS groth16 prove c.zkey c.wtns p.json pub.json)"
ls -l keys/$CIRCUIT.pk c.zkey | awk '{print "size", $9, $5}'
