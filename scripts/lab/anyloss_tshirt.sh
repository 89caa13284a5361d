#!/bin/sh
# Trains Fashion-MNIST "T-shirt/top vs rest" twice at the same budget, once with cross-entropy and
# once with the AnyLoss F1 loss, and prints each run's test F1 of the T-shirt class.
#
# Usage: scripts/lab/anyloss_tshirt.sh [EPOCHS] [TRAIN_ROWS] [LR]   (defaults 3, 20000, 2e-3)
# Needs python3 with NumPy and a build of kiln (KILN, default .build/release/kiln). Runs already in
# WORK (default runs/anyloss-tshirt) are reused: give another WORK for other settings.
set -eu
epochs=${1:-3}
rows=${2:-20000}
lr=${3:-2.0e-3}
work=${WORK:-runs/anyloss-tshirt}
kiln=${KILN:-.build/release/kiln}
here=$(dirname "$0")
mkdir -p "$work"
[ -f "$work/test.csv" ] || python3 "$here/fashion_one_vs_rest.py" /usr/share/datasets/fashion-mnist "$work" 0 "$rows"
cat > "$work/settings.yaml" <<YAML
model: mlp
epochs: $epochs
batch_size: 128
lr: $lr
label_smoothing: 0
augment: none
test_time_flip: false
seed: 1
data:
  path: $work/train.csv
  test_path: $work/test.csv
  label_column: label
YAML
for loss in cross_entropy f1; do
    [ -f "$work/$loss/checkpoint.safetensors" ] || "$kiln" train --config "$work/settings.yaml" --loss "$loss" --out "$work" --name "$loss"
    "$kiln" predict "$work/$loss/checkpoint.safetensors" --logits "$work/$loss/logits.npy" --classes "$work/$loss/classes.npy" > /dev/null
    python3 - "$work/test.csv" "$work/$loss/classes.npy" "$loss" <<'PY'
import sys
import numpy as np
truth = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, usecols=784, dtype=np.int64)
predicted = np.load(sys.argv[2])
tp = int(((predicted == 1) & (truth == 1)).sum())
fp = int(((predicted == 1) & (truth == 0)).sum())
fn = int(((predicted == 0) & (truth == 1)).sum())
print(f"{sys.argv[3]}: test F1 (T-shirt/top) {2 * tp / (2 * tp + fp + fn):.4f}  precision {tp / max(tp + fp, 1):.4f}  recall {tp / max(tp + fn, 1):.4f}")
PY
done
