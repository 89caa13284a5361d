#!/bin/sh
# The annealing scaling law on char-LM pre-training (workload 3): fits the law to the anchor's run
# (warm-up, then cosine from 1e-3 to 1e-4) and predicts a warmup-stable-decay run and a constant-rate
# run of the same length, seed and data, with λ fixed in advance at the paper's 0.999.
# The cosine run's own line (in-sample) gives its real final loss, the naive guess for the others.
#
# Usage: scripts/annealing/predict_charlm.sh [SEED=0] [STEPS=1000] [DECAY=0.999]
# Runs go to $WORK (default runs/annealing-lm)/{cosine,wsd,constant}-SEED; a run whose metrics log
# exists is not trained again. Needs a release build of kiln.
set -eu
seed=${1:-0}; steps=${2:-1000}; decay=${3:-0.999}
work=${WORK:-runs/annealing-lm}
kiln=${KILN:-.build/release/kiln}
warmup=100
cosine="cosine:peak=1e-3,floor=1e-4,steps=$steps,warmup=$warmup"
wsd="wsd:peak=1e-3,floor=1e-4,steps=$steps,warmup=$warmup,decay=0.2"
constant="constant:peak=1e-3,warmup=$warmup"
mkdir -p "$work"
train() {  # NAME [SCHEDULE]: the anchor's model, data and optimizer; the schedule replaced if given
    [ -f "$work/$1-$seed/metrics.jsonl" ] && return
    if [ -n "${2:-}" ]; then set -- "$1" --schedule "$2"; fi
    name=$1; shift
    "$kiln" lm train --steps "$steps" --seed "$seed" --out "$work" --name "$name-$seed" "$@" --json
}
train cosine
train wsd "$wsd"
train constant "$constant"
for target in cosine wsd constant; do
    eval spec=\$$target
    echo "== $target, predicted from the cosine run (λ = $decay)"
    "$kiln" predict-loss --fit "$work/cosine-$seed/metrics.jsonl" --schedule "$spec" --steps "$steps" \
        --warmup "$warmup" --decay "$decay" --compare "$work/$target-$seed/metrics.jsonl" \
        --csv "$work/$target-$seed-predicted.csv" --svg "$work/$target-$seed-predicted.svg"
done
