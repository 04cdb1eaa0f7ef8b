#!/usr/bin/env bash
# Phase-2 ceremony coordinator. Files in directories stand for the transport:
#   $CEREMONY/published/current.ph2   the file the next participant downloads
#   $CEREMONY/uploads/<name>.ph2      what a participant uploads
#   $CEREMONY/accepted/NN-<name>.ph2  every accepted step, in order
#
#   coordinator.sh init     CIRCUIT PTAU CEREMONY_DIR
#   coordinator.sh accept   CEREMONY_DIR NAME        verify an upload against the current file
#   coordinator.sh finish   CEREMONY_DIR BEACON_HEX ITER_EXP OUT_DIR
#   coordinator.sh verify   CIRCUIT PTAU TRANSCRIPT  (anyone: the whole transcript)
# Needs `veil` on PATH (or $VEIL).
set -euo pipefail
VEIL=${VEIL:-veil}
die() { echo "coordinator: $*" >&2; exit 1; }

cmd=${1:-}; shift || true
case "$cmd" in
  init)
    [ $# -eq 3 ] || die "usage: init CIRCUIT PTAU CEREMONY_DIR"
    circuit=$1 ptau=$2 dir=$3
    mkdir -p "$dir/published" "$dir/uploads" "$dir/accepted"
    echo "$circuit" > "$dir/circuit"
    "$VEIL" ceremony init --circuit "$circuit" --ptau "$ptau" --out "$dir/accepted/00-init.ph2"
    cp "$dir/accepted/00-init.ph2" "$dir/published/current.ph2"
    echo "coordinator: published the initial parameters of $circuit"
    ;;
  accept)
    [ $# -eq 2 ] || die "usage: accept CEREMONY_DIR NAME"
    dir=$1 name=$2
    circuit=$(cat "$dir/circuit")
    upload="$dir/uploads/$name.ph2"
    [ -f "$upload" ] || die "no upload from $name"
    if ! "$VEIL" ceremony verify --circuit "$circuit" --prev "$dir/published/current.ph2" --transcript "$upload"; then
      rm -f "$upload"
      die "REJECTED the contribution of $name"
    fi
    n=$(ls "$dir/accepted" | wc -l)
    cp "$upload" "$dir/accepted/$(printf %02d "$n")-$name.ph2"
    cp "$upload" "$dir/published/current.ph2"
    rm -f "$upload"
    echo "coordinator: accepted the contribution of $name"
    ;;
  finish)
    [ $# -eq 4 ] || die "usage: finish CEREMONY_DIR BEACON_HEX ITER_EXP OUT_DIR"
    dir=$1 beacon=$2 iters=$3 out=$4
    "$VEIL" ceremony beacon --in "$dir/published/current.ph2" --out "$dir/final.ph2" --hash "$beacon" --iterations-exp "$iters"
    "$VEIL" ceremony finalize --transcript "$dir/final.ph2" --out-dir "$out"
    echo "coordinator: final transcript $dir/final.ph2, keys in $out"
    ;;
  verify)
    [ $# -eq 3 ] || die "usage: verify CIRCUIT PTAU TRANSCRIPT"
    "$VEIL" ceremony verify --circuit "$1" --ptau "$2" --transcript "$3"
    ;;
  *) die "usage: coordinator.sh init|accept|finish|verify ..." ;;
esac
