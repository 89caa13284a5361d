#!/bin/sh
# The README's data-pruning table: Fashion-MNIST's MLP trained on the 90/70/50/30 % highest-EL2N
# examples beside random subsets of the same size and the full set, 3 seeds, 8 epochs each (the
# same epochs on every subset). Prints the progress lines, then the Markdown table; the plot goes
# to WORK/prune-el2n.svg.
#
# Usage: scripts/lab/prune_fashion.sh [SCORE] [KEEP]   (defaults el2n, hard)
# Needs a release build of kiln (KILN, default .build/release/kiln); WORK defaults to runs/lab-prune.
set -eu
score=${1:-el2n}
keep=${2:-hard}
work=${WORK:-runs/lab-prune}
kiln=${KILN:-.build/release/kiln}
mkdir -p "$work"
"$kiln" lab prune --model mlp --score "$score" --keep "$keep" --fractions 0.3,0.5,0.7,0.9 \
    --seeds 3 --epochs 8 --scoring-runs 2 --scoring-epochs 1 --threads 2 \
    --svg "$work/prune-$score-$keep.svg" | tee "$work/prune-$score-$keep.txt"
