#!/bin/sh
# Runs every fuzz target in turn for SECONDS each (default 600), one process at a time, and
# prints a table of seconds and executions per target.
#   fuzz/run-all.sh [SECONDS] [TARGET...]
# Build first: (cd fuzz && cargo fuzz build --sanitizer none --codegen-units 16)
# New corpus entries go to fuzz/corpus/<target>/ (git-ignored), crashes to fuzz/artifacts/.
set -u
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-"envelope groth16_vk groth16_pk plonky2_vk plonky2_pk attestation signed_root trusted_keys witness aggregate aggregate_key snarkjs ptau ceremony iden3 receipt"}
bin=$here/target/x86_64-unknown-linux-gnu/release
logs=$here/logs
mkdir -p "$logs"
printf '| target | seconds | executions | execs/s | corpus | result |\n|---|---|---|---|---|---|\n'
for t in $targets; do
    mkdir -p "$here/corpus/$t" "$here/artifacts/$t"
    extra=""
    case $t in
        # One decode of a real 45 MB key takes over a minute in the fuzz build on a loaded
        # 2-core machine: a per-input timeout of 60 s would report the seed itself as a hang.
        plonky2_pk) extra="-max_len=46000000 -rss_limit_mb=6144 -malloc_limit_mb=6144 -timeout=900" ;;
        iden3) extra="-max_len=2000000" ;;
    esac
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$bin/$t" "$here/corpus/$t" "$here/seeds/$t" -max_total_time="$secs" -timeout=60 \
        -print_final_stats=1 -artifact_prefix="$here/artifacts/$t/" $extra \
        > "$logs/$t.log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -1)
    [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$logs/$t.log" | tail -1)
    [ -n "$runs" ] || runs=0
    n=$(ls "$here/corpus/$t" | wc -l)
    if [ $rc -eq 0 ]; then result="no crash"; else result="CRASH (rc $rc, see logs/$t.log)"; fi
    printf '| %s | %s | %s | %s | %s | %s |\n' "$t" "$took" "$runs" "$((runs / (took > 0 ? took : 1)))" "$n" "$result"
done
