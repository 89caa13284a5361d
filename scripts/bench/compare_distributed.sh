#!/usr/bin/env bash
# Data-parallel scaling on one machine: `kiln train` (by default the MLP anchor's model on
# Fashion-MNIST) as one process and as two processes of mpirun, one thread each, the same batch per
# process (two processes step through a global batch twice as large), the one going first
# alternating between rounds; the 1-minute load average is recorded before every run. Samples/s is
# the 60,000 training images over the median epoch time of epochs 2..N (evaluation is not timed);
# efficiency is the two-process samples/s over twice the one-process samples/s. Figures from a busy
# machine are not final.
# Usage: scripts/bench/compare_distributed.sh OUT_DIR [MODEL=mlp] [EPOCHS=3] [ROUNDS=3] [BATCH=128]
#        (Kiln built with `swift build -c release` where Open MPI is installed)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?output folder}; model=${2:-mlp}; epochs=${3:-3}; rounds=${4:-3}; batch=${5:-128}
kiln="$root/.build/release/kiln"
mpirun=(mpirun --oversubscribe --bind-to core)
[ "$(id -u)" = 0 ] && mpirun+=(--allow-run-as-root)
mkdir -p "$out"
: > "$out/runs.jsonl"

run() {  # PROCESSES ROUND
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local train=(train --model "$model" --epochs "$epochs" --batch-size "$batch" --threads 1 --out "$out/runs" --name "p$1-r$2" --json)
  if [ "$1" = 1 ]; then "$kiln" "${train[@]}"; else "${mpirun[@]}" -np "$1" "$kiln" "${train[@]}" --distributed; fi 2>/dev/null \
    | tail -1 | sed "s/^{/{\"processes\":$1,\"round\":$2,\"load\":$load,/" >> "$out/runs.jsonl"
}

for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then run 1 "$round"; run 2 "$round"; else run 2 "$round"; run 1 "$round"; fi
done
python3 "$root/scripts/bench/summarize_distributed.py" "$out/runs.jsonl"
