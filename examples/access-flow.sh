#!/usr/bin/env bash
# The access service end to end, with veil's own commands: a creator publishes an encrypted
# file, an issuer signs the approved tier set's root, the service starts on a loopback port,
# and a tier holder proves their tier, gets the content key and decrypts the file.
#
#   examples/access-flow.sh            # uses `veil` and `veil-access` from PATH
#   VEIL=target/release/veil VEIL_ACCESS=target/release/veil-access examples/access-flow.sh
#
# Everything happens in a temporary folder, removed at the end (WORK=DIR keeps it there).
set -euo pipefail

VEIL=${VEIL:-veil}
VEIL_ACCESS=${VEIL_ACCESS:-veil-access}
# Paths with a slash are made absolute: the script works in its own folder.
case "$VEIL" in */*) VEIL=$(cd "$(dirname "$VEIL")" && pwd)/$(basename "$VEIL") ;; esac
case "$VEIL_ACCESS" in */*) VEIL_ACCESS=$(cd "$(dirname "$VEIL_ACCESS")" && pwd)/$(basename "$VEIL_ACCESS") ;; esac
if [ -n "${WORK:-}" ]; then mkdir -p "$WORK"; work=$WORK; else work=$(mktemp -d); fi
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    if [ -z "${WORK:-}" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"

echo "== keys: tier circuit (dev keys, depth 4), service, creator, issuer"
"$VEIL" setup --circuit tier-4 --out-dir keys
"$VEIL" keygen --out ms
"$VEIL" keygen --out creator
"$VEIL" keygen --out issuer
"$VEIL" trust --pub creator.pub --name creator --trusted-keys creators.json
"$VEIL" trust --pub issuer.pub --name issuer --trusted-keys issuers.json

echo "== the tier holder's credential, and the issuer's signed root of the approved set"
"$VEIL" sample --circuit tier-4 --out credential.json
root=$(sed -n 's/.*"root": *"\([0-9a-f]\{64\}\)".*/\1/p' credential.json | head -n 1)
cat > root.json <<JSON
{"format": "veil-root", "format_version": 1,
 "tree_id": "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e",
 "depth": 4, "root": "$root", "leaf_count": 6, "epoch": 1}
JSON
"$VEIL" attest --key issuer.key --root root.json --out signed-root.json

echo "== the creator publishes a file for tier 2 and up"
echo "a short film, for tier 2 and up" > film.txt
"$VEIL" access publish --file film.txt --min-tier 2 --creator-key creator.key --store store --out film.enc

echo "== the service"
cat > access.json <<JSON
{"format": "veil-access-config", "format_version": 1,
 "listen": "127.0.0.1:0",
 "service_key": "ms.key", "verifying_key": "keys/tier-4.vk",
 "trusted_creators": "creators.json", "trusted_issuers": "issuers.json",
 "content_store": "store",
 "epoch_beacon_seed": "beacbeacbeacbeacbeacbeacbeacbeacbeacbeacbeacbeacbeacbeacbeacbeac",
 "epoch_seconds": 3600, "quota": 10, "max_root_age": 86400}
JSON
"$VEIL_ACCESS" describe --config access.json --out service.json
"$VEIL_ACCESS" serve --config access.json > service.log 2>&1 &
server=$!
addr=""
for _ in $(seq 1 200); do
    addr=$(sed -n 's/^veil-access listening on //p' service.log)
    [ -n "$addr" ] && break
    sleep 0.05
done
[ -n "$addr" ] || { echo "the service did not start:"; cat service.log; exit 1; }
url="http://$addr"
echo "service at $url"

request() {
    "$VEIL" access request --service "$url" --service-info service.json --pk keys/tier-4.pk \
        --credential credential.json --signed-root signed-root.json --content film.enc "$@"
}

echo "== request (X25519 wrap), decrypt, compare"
request --out film.out --slot 0
cmp film.txt film.out

echo "== the same slot again in this epoch: refused (403)"
if request --out again.out --slot 0 2> refused.txt; then
    echo "a reused slot was granted"; exit 1
fi
cat refused.txt
grep -q "HTTP 403" refused.txt

echo "== another slot, post-quantum wrap (ML-KEM-1024)"
request --out film-pq.out --slot 1 --wrap ml-kem-1024
cmp film.txt film-pq.out

kill "$server"; wait "$server" 2>/dev/null || true; server=""
echo "== the service wrote only:"
cat service.log
echo "access flow: ok"
