#!/bin/sh
# Writes the fuzz seed corpora with the veil CLI at small sizes.
#   fuzz/make-seeds.sh [VEIL]      (VEIL defaults to target/release/veil)
# Small seeds (a few KB) are committed under fuzz/seeds/<target>/; the big ones (Plonky2
# proofs and proving keys, Groth16 proving keys, phase-2 files, .r1cs/.wtns, aggregates) go
# to fuzz/corpus/<target>/, which git ignores. The verifying keys in fuzz/seeds/*_vk/ are the
# keys the envelope target verifies against (dev setup: deterministic, the same on every run);
# proofs and ML-DSA keys are fresh on each run, and the seeds are written together so that
# the attestation seeds stay signed by the key in seeds/trusted_keys/trusted.json.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
veil=${1:-$here/../target/release/veil}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
S=$here/seeds
C=$here/corpus
for t in envelope groth16_vk groth16_pk plonky2_vk plonky2_pk attestation signed_root \
    trusted_keys witness aggregate aggregate_key snarkjs ptau ceremony iden3 receipt; do
    mkdir -p "$S/$t" "$C/$t"
done
q() { "$@" > /dev/null; }

# Keys, witnesses and proofs of tier-4 on both backends.
q "$veil" setup --circuit tier-4 --out-dir g16
q "$veil" setup --circuit tier-4 --backend plonky2 --out-dir p2
q "$veil" sample --circuit tier-4 --out w.json
q "$veil" sample --circuit tier-4 --backend plonky2 --out wp.json
q "$veil" prove --circuit tier-4 --pk g16/tier-4.pk --witness w.json --out proof-g16.json
q "$veil" prove --circuit tier-4 --pk p2/tier-4.pk --witness wp.json --out proof-p2.json
cp g16/tier-4.vk "$S/groth16_vk/tier-4.vk"
cp p2/tier-4.vk "$S/plonky2_vk/tier-4.vk"
cp proof-g16.json "$S/envelope/groth16.json"
cp proof-p2.json "$C/envelope/plonky2.json"
cp g16/tier-4.pk "$C/groth16_pk/tier-4.v2.pk"
cp p2/tier-4.pk "$C/plonky2_pk/tier-4.v2.pk"
# The same keys in key-file version 1 (no body digest), so the fuzzer reaches the body decoders.
v1() {
    python3 - "$1" "$2" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
n = int.from_bytes(b[14:16], 'little')
head = 16 + n + 4 + 32           # magic, version, kind, backend, id length, id, version, cs digest
out = b[:8] + (1).to_bytes(4, 'little') + b[12:head] + b[head + 32:]
open(sys.argv[2], 'wb').write(out)
PY
}
v1 g16/tier-4.pk "$C/groth16_pk/tier-4.v1.pk"
v1 p2/tier-4.pk "$C/plonky2_pk/tier-4.v1.pk"

# Witnesses of every circuit at small sizes, both backends' hashes; the first byte picks the
# circuit (the order of fuzz_targets/witness.rs).
i=0
for c in ownership-4 tier-4 renewal-4 metering-4 isolation-4 revenue-4 waterfall-4; do
    for b in groth16 plonky2; do
        q "$veil" sample --circuit "$c" --backend "$b" --out s.json
        { printf "\\$(printf %03o $i)"; cat s.json; } > "$S/witness/$c-$b.json"
    done
    i=$((i + 1))
done

# Attestations, trusted keys, signatures, pinned keys, signed roots.
q "$veil" keygen --out auditor
q "$veil" trust --pub auditor.pub --name auditor --trusted-keys trusted.json
cp trusted.json "$S/trusted_keys/trusted.json"
cp auditor.pub "$S/trusted_keys/auditor.pub"
q "$veil" attest --key auditor.key --proof proof-g16.json --signed-at 1700000000 --out att.json
cp att.json "$S/attestation/groth16.json"
q "$veil" sign --key auditor.key --file w.json --out w.sig
cp w.sig "$S/trusted_keys/file.sig"
key_id=$("$veil" verify --vk g16/tier-4.vk --proof proof-g16.json --json | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["key_id"])' 2>/dev/null || echo "00")
printf '{"format":"veil-trusted-verifying-keys","format_version":1,"keys":[{"circuit":"tier-4","key_id":"%s","name":"dev"}]}\n' \
    "$key_id" > "$S/trusted_keys/pinned.json"
tree=$(python3 -c 'print("ab"*32)')
root=$(python3 -c 'import json; print(json.load(open("w.json"))["statement"]["root"])')
printf '{"format":"veil-root","format_version":1,"tree_id":"%s","depth":4,"root":"%s","leaf_count":6,"epoch":7}\n' \
    "$tree" "$root" > root.json
cp root.json "$S/signed_root/root.json"
q "$veil" attest --key auditor.key --root root.json --signed-at 1700000000 --out sroot.json
cp sroot.json "$S/signed_root/signed-root.json"

# snarkjs JSON: first byte 0 = verification key, 1 = proof, 2 = public inputs.
q "$veil" export snarkjs --vk g16/tier-4.vk --proof proof-g16.json --out-dir sj
{ printf '\000'; cat sj/verification_key.json; } > "$S/snarkjs/vk.json"
{ printf '\001'; cat sj/proof.json; } > "$S/snarkjs/proof.json"
{ printf '\002'; cat sj/public.json; } > "$S/snarkjs/public.json"

# The ceremony: a power-2 accumulator (veil file and snarkjs .ptau), and a phase 2 of tier-4.
q "$veil" ceremony ptau new --power 2 --out pot0.vptau
q "$veil" ceremony ptau contribute --in pot0.vptau --out pot1.vptau --name alice --entropy fuzz
cp pot1.vptau "$S/ceremony/power-2.vptau"
q "$veil" ceremony ptau export --in pot1.vptau --out pot1.ptau
cp pot1.ptau "$S/ptau/power-2.ptau"
q "$veil" ceremony ptau new --power 11 --out big0.vptau
q "$veil" ceremony ptau contribute --in big0.vptau --out big1.vptau --name carol --entropy fuzz
q "$veil" ceremony init --circuit tier-4 --ptau big1.vptau --out t.0.ph2
q "$veil" ceremony contribute --in t.0.ph2 --out t.1.ph2 --name bob --entropy fuzz
q "$veil" ceremony beacon --in t.1.ph2 --out t.f.ph2 --hash "$tree" --iterations-exp 1
cp t.f.ph2 "$C/ceremony/tier-4.ph2"
q "$veil" ceremony finalize --transcript t.f.ph2 --out-dir fin
# finalize no longer writes a provenance side file (the origin is in the key header); the
# committed seeds/ceremony/provenance.json keeps KeyProvenance::from_json fuzzed.

# iden3 .r1cs and .wtns of tier-4.
q "$veil" export r1cs --circuit tier-4 --out t.r1cs
q "$veil" export wtns --circuit tier-4 --witness w.json --out t.wtns
cp t.r1cs "$C/iden3/tier-4.r1cs"
cp t.wtns "$C/iden3/tier-4.wtns"

# An aggregate of two Plonky2 tier-4 proofs.
mkdir -p agg
q "$veil" sample --circuit tier-4 --backend plonky2 --seed 2 --out wp2.json
q "$veil" prove --circuit tier-4 --pk p2/tier-4.pk --witness wp2.json --out agg/b.json
cp proof-p2.json agg/a.json
q "$veil" aggregate --vk p2/tier-4.vk --batch agg --out aggregate.json
cp aggregate.json "$C/aggregate/tier-4x2.json"
# The aggregate key `veil aggregate` wrote beside the base key (two proofs: one level).
cp p2/tier-4.aggregate-2.vk "$C/aggregate_key/tier-4.aggregate-2.vk"

# Confidential receipts, one per wrap algorithm, each with two participants and an auditor.
echo '{ "amount_micros": 1200000, "settlement_details": { "rail": "sepa" } }' > fields.json
for alg in x25519 ml-kem-1024; do
    for who in client-456 miner-789 auditor-001; do
        q "$veil" receipt keygen --db "r-$alg.db" --participant "$who" --alg "$alg" --out "$alg-$who"
    done
    q "$veil" receipt encrypt --db "r-$alg.db" --alg "$alg" --fields fields.json --transaction s-1 \
        --participant client-456 --participant miner-789 --auditor auditor-001 \
        --tx-digest 0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 \
        --out "$S/receipt/receipt-$alg.json"
done

du -sh "$S" "$C"
