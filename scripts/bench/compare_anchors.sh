#!/usr/bin/env bash
# Side by side with the PyTorch anchors (../shared/anchors): the MLP (5 epochs) and the CNN
# (10 epochs), same architecture and hyper-parameters, 2 threads, seeds 0-2, one after another.
# Usage: scripts/bench/compare_anchors.sh PYTHON OUT_DIR   (PYTHON has torch and numpy)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${1:?python with torch}; out=${2:?output folder}
anchors="$root/../shared/anchors"
kiln="$root/.build/release/kiln"
mkdir -p "$out"
for s in 0 1 2; do
  "$kiln" train --model mlp --activation gelu --schedule constant --lr 1e-3 --label-smoothing 0 --augment none \
    --test-time-flip false --epochs 5 --seed $s --threads 2 \
    --checkpoint-every 0 --out "$out/runs" --name mlp-$s --json 2>/dev/null > "$out/kiln-mlp-$s.json"
  (cd "$anchors" && "$python" mlp.py --threads 2 --epochs 5 --seed $s --json 2>/dev/null | tail -1) > "$out/torch-mlp-$s.json"
done
for s in 0 1 2; do
  "$kiln" train --model cnn --lr 1e-3 --label-smoothing 0 --augment none --test-time-flip false --epochs 10 --seed $s --threads 2 \
    --checkpoint-every 0 --out "$out/runs" --name cnn-$s --json 2>/dev/null > "$out/kiln-cnn-$s.json"
  (cd "$anchors" && "$python" cnn.py --threads 2 --epochs 10 --seed $s --json 2>/dev/null | tail -1) > "$out/torch-cnn-$s.json"
done
"$python" "$root/scripts/bench/summarize_anchors.py" "$out"
