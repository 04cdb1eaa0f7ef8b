#!/usr/bin/env bash
# Phase-2 ceremony participant: download the current file, contribute, upload.
#
#   participant.sh CEREMONY_DIR NAME [ENTROPY]
# Needs `veil` on PATH (or $VEIL). Your secret exists only in memory during `contribute`.
set -euo pipefail
VEIL=${VEIL:-veil}
[ $# -ge 2 ] || { echo "usage: participant.sh CEREMONY_DIR NAME [ENTROPY]" >&2; exit 1; }
dir=$1 name=$2 entropy=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$dir/published/current.ph2" "$work/in.ph2"                       # download
"$VEIL" ceremony contribute --in "$work/in.ph2" --out "$work/out.ph2" --name "$name" --entropy "$entropy"
cp "$work/out.ph2" "$dir/uploads/.$name.tmp" && mv "$dir/uploads/.$name.tmp" "$dir/uploads/$name.ph2"   # upload
echo "participant $name: uploaded"
