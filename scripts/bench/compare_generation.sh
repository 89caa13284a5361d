#!/usr/bin/env bash
# Batch-1 generation with the key/value cache, Kiln (`kiln bench generation`) beside PyTorch
# (generation_torch.py): the same model, prompt length and number of new tokens, greedy and top-40.
# ROUNDS rounds, each running both once, the one going first alternating between rounds; the
# 1-minute load average is recorded before every run. Figures from a busy machine are not final.
# Usage: scripts/bench/compare_generation.sh PYTHON OUT_DIR [ROUNDS=5] [TOKENS=256] [THREADS=2]
#        (PYTHON has torch; Kiln built with `swift build -c release`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${1:?python with torch}; out=${2:?output folder}
rounds=${3:-5}; tokens=${4:-256}; threads=${5:-2}
kiln="$root/.build/release/kiln"
mkdir -p "$out"
: > "$out/kiln.jsonl"; : > "$out/torch.jsonl"

. "$root/scripts/bench/recorded_run.sh"

run_kiln() {
  recorded_run round "$1" "$out/kiln.jsonl" "$kiln" bench generation --tokens "$tokens" --threads "$threads" --json
}

run_torch() {
  (cd "$root/scripts/bench" && recorded_run round "$1" "$out/torch.jsonl" "$python" generation_torch.py \
    --tokens "$tokens" --threads "$threads")
}

for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then run_kiln "$round"; run_torch "$round"; else run_torch "$round"; run_kiln "$round"; fi
done
"$python" "$root/scripts/bench/summarize_generation.py" "$out"
