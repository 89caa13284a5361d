#!/usr/bin/env bash
# The char-LM anchor (workload 3) side by side: compare_anchors.sh's `charlm` workload (`kiln lm
# train` and charlm.py, the same model, data rule, schedule and steps, one seed per round, the one
# going first alternating, the load recorded before every run), then the per-seed table of
# summarize_charlm.py. Kiln's run folders stay in OUT_DIR/runs (seed S in lm-S, its metrics.jsonl
# included).
# Usage: scripts/bench/compare_charlm.sh PYTHON OUT_DIR [SEEDS="0 1 2"] [STEPS=1000] [THREADS=2]
#        (PYTHON has torch; Kiln built with `swift build -c release`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${1:?python with torch}; out=${2:?output folder}
LM_STEPS=${4:-1000} THREADS=${5:-2} "$root/scripts/bench/compare_anchors.sh" "$python" "$out" charlm "${3:-0 1 2}" > /dev/null
"$python" "$root/scripts/bench/summarize_charlm.py" "$out"
