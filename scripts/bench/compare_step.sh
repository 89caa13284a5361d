#!/usr/bin/env bash
# Small-batch latency side by side with PyTorch: the MLP training step of ops.py's `step` part
# (batch 1 and 32; each side in a fresh process, the step part first) and batch-1 inference of the
# MLP and CNN anchors, Kiln and PyTorch taking turns for ROUNDS rounds, the load average before each.
# Usage: scripts/bench/compare_step.sh PYTHON OUT_DIR [ROUNDS] [THREADS]   (PYTHON has torch;
# ANCHORS=DIR when the anchors are not in ../shared/anchors)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${1:?python with torch}; out=${2:?output folder}; rounds=${3:-3}; threads=${4:-2}
anchors=${ANCHORS:-"$root/../shared/anchors"}
kiln="$root/.build/release/kiln"
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  echo "round $r load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
  "$kiln" bench --threads "$threads" --json step > "$out/kiln-step-$r.jsonl"
  (cd "$anchors" && "$python" ops.py --threads "$threads" --parts step --json 2>/dev/null | tail -1) > "$out/torch-step-$r.json"
  "$kiln" bench --threads "$threads" --json latency > "$out/kiln-latency-$r.jsonl"
  "$python" "$root/scripts/bench/latency_torch.py" --threads "$threads" --anchors "$anchors" > "$out/torch-latency-$r.txt"
done
cat "$out"/kiln-step-*.jsonl "$out"/kiln-latency-*.jsonl
grep -h . "$out"/torch-latency-*.txt
"$python" -c "import json,sys
for f in sys.argv[1:]:
    print(f, [(r['batch'], r['us_median'], r['us_min']) for r in json.load(open(f))['mlp_step']])" "$out"/torch-step-*.json
