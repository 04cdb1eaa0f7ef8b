#!/bin/bash
# A batch of veil proofs as a Slurm job array: task i proves slice i of N of the witnesses
# in a shared directory.
#
#   sbatch --array=0-3 deploy/slurm/prove-array.sh keys/tier-20.pk witnesses/ proofs/ tier-20
#
# veil reads SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT, so any
# --array=A-B range works (slice = task id - A, of B - A + 1). Each proof is written
# atomically as soon as it is done; resubmitting the array (or `scontrol requeue`) skips
# the proofs that exist and verify.
#SBATCH --job-name=veil-prove
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=01:00:00
#SBATCH --output=veil-prove-%A_%a.log
set -euo pipefail

PK=${1:?usage: prove-array.sh PROVING_KEY WITNESS_DIR OUT_DIR CIRCUIT}
WITNESSES=${2:?witness directory}
OUT=${3:?output directory}
CIRCUIT=${4:?circuit id, e.g. tier-20}

export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-2}
exec veil prove --circuit "$CIRCUIT" --pk "$PK" --batch "$WITNESSES" --out-dir "$OUT"
