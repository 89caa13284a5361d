#!/bin/sh
# Length extrapolation of each attention normalizer on the char-LM: the anchor's model and run
# (1,000 steps, context 128) with rotary positions (learned ones have no vector past the context),
# once per normalizer, then `kiln lm eval` at 1×, 2× and 4× the training context.
#
# Usage: scripts/lm/normalizer_extrapolation.sh [SEED=0] [STEPS=1000] [POSITIONS=rotary]
# Runs go to $WORK (default runs/normalizers)/NORMALIZER-POSITIONS-SEED; a trained run is not trained
# again. Prints one JSON line per normalizer. Needs a release build of kiln.
set -eu
seed=${1:-0}; steps=${2:-1000}; positions=${3:-rotary}
work=${WORK:-runs/normalizers}
kiln=${KILN:-.build/release/kiln}
mkdir -p "$work"
for normalizer in softmax sigmoid softplus_reweighted relu; do
    run="$work/$normalizer-$positions-$seed"
    # The training figures (one JSON line) are written when the run ends: a run without them is redone.
    [ -s "$run.train.json" ] || { rm -rf "$run"; "$kiln" lm train --normalizer "$normalizer" --positions "$positions" \
        --steps "$steps" --seed "$seed" --out "$work" --name "$normalizer-$positions-$seed" --json | tail -1 > "$run.train.json"; }
    printf '{"normalizer":"%s","positions":"%s","seed":%s,"eval":' "$normalizer" "$positions" "$seed"
    "$kiln" lm eval "$run/checkpoint.safetensors" --context-multiple 1,2,4 --json | tr -d '\n'
    echo "}"
done
