#!/bin/sh
# Fits the annealing scaling law to a cosine run and predicts a warmup-stable-decay run of the
# same model on the same never-repeating data, then compares with the real WSD run.
#
# Usage: scripts/annealing/predict_wsd_from_cosine.sh [ROWS] [DECAY]   (defaults 600000, 0.99)
# DECAY is the annealing momentum λ: its delay 1/(1 − λ) = 100 steps suits these 8,400-step runs;
# the paper's 0.999 (1,000 steps) was chosen for runs of tens of thousands of steps.
# Needs python3 with NumPy (for the data only) and a release build of kiln.
set -eu
rows=${1:-600000}
decay=${2:-0.99}
work=${WORK:-runs/annealing}
kiln=${KILN:-.build/release/kiln}
mkdir -p "$work"
[ -f "$work/data.csv" ] || python3 "$(dirname "$0")/teacher_student_data.py" "$rows" "$work/data.csv"
cat > "$work/settings.yaml" <<YAML
model: mlp
epochs: 1
batch_size: 64
lr: 1.0e-3
weight_decay: 0
label_smoothing: 0
augment: none
test_time_flip: false
data:
  path: $work/data.csv
  label_column: label
  test_fraction: 0.1
YAML
steps=$(( rows * 9 / 10 / 64 ))
warmup=100
cosine="cosine:peak=1e-3,steps=$steps,warmup=$warmup"
wsd="wsd:peak=1e-3,steps=$steps,warmup=$warmup,decay=0.2"
for run in cosine wsd; do
    [ -f "$work/$run/metrics.jsonl" ] && continue
    spec=$cosine; [ "$run" = wsd ] && spec=$wsd
    "$kiln" train --config "$work/settings.yaml" --schedule "$spec" --out "$work" --name "$run" --json
done
"$kiln" predict-loss --fit "$work/cosine/metrics.jsonl" --schedule "$wsd" --steps "$steps" --warmup "$warmup" \
    --decay "$decay" --compare "$work/wsd/metrics.jsonl" --csv "$work/wsd-predicted.csv" --svg "$work/wsd-predicted.svg"
