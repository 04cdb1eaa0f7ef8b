#!/usr/bin/env bash
# A production ceremony for CIRCUIT on a snarkjs powers of tau, side by side with snarkjs in
# one run (issue 11 §6), every step under /usr/bin/time -v (wall clock, user CPU, peak RSS):
#
#   params/scripts/bench-production-vs-snarkjs.sh CIRCUIT RAW.ptau DIR [PARTICIPANTS]
#
# RAW.ptau is a snarkjs bls12381 powers of tau that has NOT been prepared for phase 2 (the
# output of `snarkjs powersoftau contribute` or a truncated public transcript).
#   veil:    ptau import, ceremony init, PARTICIPANTS contributions through the participant and
#            coordinator scripts (each verified on acceptance), beacon, finalize, a full
#            verify of the transcript from the ptau, then a proof and its verification with
#            the production key (--require-ceremony-key);
#   snarkjs: powersoftau prepare phase2, groth16 setup, PARTICIPANTS zkey contribute, zkey
#            beacon, zkey verify (r1cs, prepared ptau, final zkey), on the same R1CS
#            (`veil export r1cs`).
# VEIL (default target/release/veil) and SNARKJS (default the npm copy the interop tests
# install) name the tools. Prints one table row per step; the files stay in DIR.
set -euo pipefail
CIRCUIT=$1
RAW=$(realpath "$2")
DIR=$3
N=${4:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VEIL=${VEIL:-$ROOT/target/release/veil}
SNARKJS=${SNARKJS:-node $ROOT/target/tmp/veil-npm/snarkjs/node_modules/snarkjs/build/cli.cjs}
export VEIL
POWER=${POWER:-13}   # the power to import: at least the circuit's (tier-20: 13)
mkdir -p "$DIR"
cd "$DIR"
rm -rf ceremony keys-prod ./*.ph2 ./*.zkey
measure() { # name command...
  local name=$1
  shift
  local log=${name// /_}
  /usr/bin/time -v "$@" >"$log.out" 2>"$log.time" || { echo "FAILED: $name (see $DIR/$log.out, $log.time)" >&2; tail -5 "$log.time" >&2; exit 1; }
  local wall user rss
  wall=$(grep "Elapsed (wall clock)" "$log.time" | awk '{print $NF}')
  user=$(grep "User time" "$log.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log.time" | awk '{print $NF}')
  printf '| %-40s | %9s | %9s s | %6d MiB |\n' "$name" "$wall" "$user" $((rss / 1024))
}
echo "circuit $CIRCUIT, power $POWER, $N participants; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| step | wall | user CPU | peak RSS |"
echo "|---|---:|---:|---:|"
# veil
measure "veil ceremony ptau import" "$VEIL" ceremony ptau import --in "$RAW" --power "$POWER" --out pot.vptau
measure "veil ceremony init" "$ROOT/params/scripts/coordinator.sh" init "$CIRCUIT" pot.vptau ceremony
for i in $(seq "$N"); do
  measure "veil participant $i: contribute" "$ROOT/params/scripts/participant.sh" ceremony "p$i" "entropy of p$i"
  measure "veil coordinator: verify and accept $i" "$ROOT/params/scripts/coordinator.sh" accept ceremony "p$i"
done
measure "veil beacon (2^10) and finalize" "$ROOT/params/scripts/coordinator.sh" finish ceremony \
  00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 10 keys-prod
measure "veil ceremony verify (whole transcript)" "$ROOT/params/scripts/coordinator.sh" verify "$CIRCUIT" pot.vptau ceremony/final.ph2
"$VEIL" sample --circuit "$CIRCUIT" --out w.json >/dev/null
measure "veil prove (production key)" "$VEIL" prove --circuit "$CIRCUIT" --pk "keys-prod/$CIRCUIT.pk" --witness w.json --out proof.json
measure "veil verify --require-ceremony-key" "$VEIL" verify --vk "keys-prod/$CIRCUIT.vk" --proof proof.json --require-ceremony-key
# snarkjs
"$VEIL" export r1cs --circuit "$CIRCUIT" --out c.r1cs >/dev/null
measure "snarkjs powersoftau prepare phase2" $SNARKJS powersoftau prepare phase2 "$RAW" prepared.ptau
measure "snarkjs groth16 setup" $SNARKJS groth16 setup c.r1cs prepared.ptau z0.zkey
for i in $(seq "$N"); do
  measure "snarkjs zkey contribute $i" $SNARKJS zkey contribute "z$((i - 1)).zkey" "z$i.zkey" "--name=p$i" "-e=entropy of p$i"
done
measure "snarkjs zkey beacon (2^10)" $SNARKJS zkey beacon "z$N.zkey" final.zkey \
  00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 10
measure "snarkjs zkey verify (whole transcript)" $SNARKJS zkey verify c.r1cs prepared.ptau final.zkey
