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

load() { "$python" -c 'import os; print(os.getloadavg()[0])'; }

run_kiln() {
  local l; l=$(load)
  "$kiln" lm train --steps "$steps" --seed "$1" --threads "$threads" \
    --out "$out/runs" --name "lm-$1" --json 2>/dev/null | tail -1 \
    | sed "s/^{/{\"seed\":$1,\"load\":$l,/" >> "$out/kiln.jsonl"
}

run_torch() {
  local l; l=$(load)
  (cd "$anchors" && "$python" charlm.py --threads "$threads" --steps "$steps" --seed "$1" --json 2>/dev/null) \
    | tail -1 | sed "s/^{/{\"seed\": $1, \"load\": $l, /" >> "$out/torch.jsonl"
}

round=0
for seed in $seeds; do
  round=$((round + 1))
  if (( round % 2 )); then run_torch "$seed"; run_kiln "$seed"; else run_kiln "$seed"; run_torch "$seed"; fi
done
"$python" "$root/scripts/bench/summarize_charlm.py" "$out"
