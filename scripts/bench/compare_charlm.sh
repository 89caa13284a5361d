#!/usr/bin/env bash
# The char-LM anchor (workload 3) side by side: `kiln lm train` and charlm.py, the same model,
# data rule, schedule and steps, one seed per round, the one going first alternating between
# rounds; the 1-minute load average is recorded before every run. Figures from a busy machine are
# not final. Kiln's run folders stay in OUT_DIR/runs (seed S in lm-S, its metrics.jsonl included).
# Usage: scripts/bench/compare_charlm.sh PYTHON OUT_DIR [SEEDS="0 1 2"] [STEPS=1000] [THREADS=2]
#        (PYTHON has torch; Kiln built with `swift build -c release`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${1:?python with torch}; out=${2:?output folder}
seeds=${3:-0 1 2}; steps=${4:-1000}; threads=${5:-2}
kiln="$root/.build/release/kiln"
anchors="$root/../shared/anchors"
mkdir -p "$out"
: > "$out/kiln.jsonl"; : > "$out/torch.jsonl"

. "$root/scripts/bench/recorded_run.sh"

run_kiln() {
  recorded_run seed "$1" "$out/kiln.jsonl" "$kiln" lm train --steps "$steps" --seed "$1" --threads "$threads" \
    --out "$out/runs" --name "lm-$1" --json
}

run_torch() {
  (cd "$anchors" && recorded_run seed "$1" "$out/torch.jsonl" "$python" charlm.py --threads "$threads" \
    --steps "$steps" --seed "$1" --json)
}

round=0
for seed in $seeds; do
  round=$((round + 1))
  if (( round % 2 )); then run_torch "$seed"; run_kiln "$seed"; else run_kiln "$seed"; run_torch "$seed"; fi
done
"$python" "$root/scripts/bench/summarize_charlm.py" "$out"
