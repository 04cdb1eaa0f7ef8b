#!/usr/bin/env bash
# One package from issuance through metering and settlement to a verified revenue proof,
# with veil commands only (see the README's "Ledger" section). Small sizes: trees of depth 4,
# metering-4, revenue-8. Usage: examples/ledger-walk.sh [DIR]   (VEIL=path/to/veil to pick
# the binary; default: veil on PATH). Exits non-zero on the first step that fails, or if a
# step that must be refused is accepted.
set -euo pipefail
VEIL=${VEIL:-veil}
DIR=${1:-$(mktemp -d)}
mkdir -p "$DIR"
cd "$DIR"
refused() { # the command must fail
  if "$@" 2>refusal.txt; then echo "accepted, but must be refused: $*" >&2; exit 1; fi
  echo "refused as expected: $(cat refusal.txt)"
}
field() { grep -o "\"$1\": *\"[0-9a-f]*\"" "$2" | head -1 | cut -d'"' -f4; }

T0=1767225600                 # 2026-01-01T00:00:00Z
MONTH=2678400                 # the solution's waterfall period: 31 days
rm -f ./*.db ./*.db-wal ./*.db-shm

# Keys: the issuer's, the meter's and the settlement witness's (ML-DSA-87); dev circuit keys.
for k in issuer meter witness; do "$VEIL" keygen --out "$k" >/dev/null; done
"$VEIL" setup --circuit renewal-4 --out-dir keys >/dev/null
"$VEIL" setup --circuit revenue-8 --out-dir keys >/dev/null

# 1. Issuance: the wallet asks for a token; the issuer signs it and puts it in its tree.
"$VEIL" ledger issuer init --db issuer.db --depth 4 --tier-depth 4
"$VEIL" ledger issuer add-package --db issuer.db --package weather-api
"$VEIL" ledger wallet request --db wallet.db --prime-id alice@prime --package weather-api --out request.json
"$VEIL" ledger issuer issue --db issuer.db --request request.json --key issuer.key \
  --now "$T0" --expires-at $((T0 + MONTH)) --out token.json
"$VEIL" ledger wallet accept --db wallet.db --token token.json --issuer-pub issuer.pub
"$VEIL" ledger issuer publish-root --db issuer.db --key issuer.key --now "$T0" --out root-1.json
TOKEN=$(field token_id token.json)
CUSTOMER=$(field blinded_customer_id request.json)
"$VEIL" ledger issuer path --db issuer.db --token-id "$TOKEN" --out path.json

# Ownership: the wallet's witness satisfies the ownership circuit.
"$VEIL" ledger wallet ownership-witness --db wallet.db --package weather-api --path path.json \
  --challenge verifier-nonce-1 --now $((T0 + 60)) --out ownership.json
"$VEIL" check --circuit ownership-4 --witness ownership.json

# Renewal: proven by the wallet, accepted once by the issuer, refused the second time.
"$VEIL" ledger wallet renewal-witness --db wallet.db --package weather-api --path path.json \
  --now $((T0 + MONTH - 86400)) --new-expires-at $((T0 + 2 * MONTH)) --out renewal.json
"$VEIL" prove --circuit renewal-4 --pk keys/renewal-4.pk --witness renewal.json --out renewal-proof.json
"$VEIL" ledger issuer renew --db issuer.db --proof renewal-proof.json --vk keys/renewal-4.vk
refused "$VEIL" ledger issuer renew --db issuer.db --proof renewal-proof.json --vk keys/renewal-4.vk
"$VEIL" ledger issuer publish-root --db issuer.db --key issuer.key --now $((T0 + 120)) --out root-2.json
# A proof against the root of epoch 1 is now stale.
refused "$VEIL" ledger issuer renew --db issuer.db --proof renewal-proof.json --vk keys/renewal-4.vk

# 2. Metering: readings of one hour, aggregated into a metering witness and a signed billing
# event; the readings are deleted.
"$VEIL" ledger meter add-package --db meter.db --package weather-api --capacity 4
for m in 1 2 3; do
  "$VEIL" ledger meter record --db meter.db --package weather-api --customer "$CUSTOMER" \
    --timestamp $((T0 + 60 * m)) --units $((10 * m))
done
"$VEIL" ledger meter aggregate --db meter.db --package weather-api --key meter.key \
  --now $((T0 + 3600)) --out-dir metering
"$VEIL" check --circuit metering-4 --witness metering/metering-"$T0"-*[0-9a-f].json
refused "$VEIL" ledger meter record --db meter.db --package weather-api --customer "$CUSTOMER" \
  --timestamp $((T0 + 300)) --units 5

# 3. Settlement: the solution's waterfall (operator tranche, then 70/30 publisher/reseller).
OPERATOR=6f70657261746f72000000000000000000000000000000000000000000000000
PUBLISHER=7075626c69736865720000000000000000000000000000000000000000000000
RESELLER=726573656c6c6572000000000000000000000000000000000000000000000000
cat > rules.json <<JSON
{ "tranches": [ { "recipient": "$OPERATOR", "cap_micros": 500000 } ],
  "shares": [ { "recipient": "$PUBLISHER", "bps": 7000 }, { "recipient": "$RESELLER", "bps": 3000 } ],
  "remainder_to": 0 }
JSON
"$VEIL" ledger settle add-solution --db settle.db --solution weather-suite --period-origin "$T0" --period-secs "$MONTH" --rules rules.json
"$VEIL" ledger settle add-package --db settle.db --package weather-api --publisher "$PUBLISHER" --solution weather-suite
"$VEIL" ledger settle tx --db settle.db --settlement-id s-1 --package weather-api --customer "$CUSTOMER" \
  --gross 1200000 --timestamp $((T0 + 3600))
"$VEIL" ledger settle tx --db settle.db --settlement-id s-2 --package weather-api --customer "$CUSTOMER" \
  --gross 800001 --timestamp $((T0 + 7200))
"$VEIL" ledger settle tx --db settle.db --settlement-id s-3 --package weather-api --customer "$CUSTOMER" \
  --gross 300000 --timestamp $((T0 + MONTH + 10))
refused "$VEIL" ledger settle tx --db settle.db --settlement-id s-1 --package weather-api \
  --customer "$CUSTOMER" --gross 1 --timestamp $((T0 + 3600))
"$VEIL" ledger settle balances --db settle.db
"$VEIL" ledger settle waterfall-witness --db settle.db --solution weather-suite --period-start "$T0" \
  --capacity 8 --out waterfall.json
"$VEIL" check --circuit waterfall-8 --witness waterfall.json

# 4. The revenue proof of January: proven, signed by the witness key, verified end to end.
"$VEIL" ledger revenue-proof --db settle.db --publisher "$PUBLISHER" --period "$T0..$((T0 + MONTH))" \
  --key witness.key --pk keys/revenue-8.pk --out revenue.json
"$VEIL" verify --vk keys/revenue-8.vk --proof revenue.json --witness-pub witness.pub
refused "$VEIL" verify --vk keys/revenue-8.vk --proof revenue.json --witness-pub meter.pub
echo "ledger walk done in $DIR"
