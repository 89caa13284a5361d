#!/usr/bin/env bash
# Every anchor workload (../shared/anchors) and its Kiln twin, side by side in one sitting: the
# same model, data, optimizer, schedule and thread count; Kiln and PyTorch take turns, the one going
# first alternating between rounds; the 1-minute load average is recorded before every run, so a
# figure from a busy machine shows as one. Ends with one Markdown table (OUT_DIR/table.md) of
# medians, spreads and Kiln/PyTorch ratios, the table the README's performance section quotes.
#
# Usage: scripts/bench/compare_anchors.sh PYTHON OUT_DIR [WORKLOADS="mlp cnn ops"] [SEEDS="0 1 2"]
#   WORKLOADS  any of: mlp (mlp.py), cnn (cnn.py), charlm (charlm.py), ops (ops.py's softmax and
#              step parts against `kiln bench softmax` and `kiln bench step`), latency (batch-1
#              inference of the MLP and CNN against scripts/bench/latency_torch.py)
#   Environment: THREADS (2), MLP_EPOCHS (5), CNN_EPOCHS (5), LM_STEPS (1000), OPS_ROUNDS (5)
#   PYTHON has torch and numpy; Kiln built with `swift build -c release`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${1:?python with torch}; out=${2:?output folder}
workloads=${3:-mlp cnn ops}; seeds=${4:-0 1 2}
threads=${THREADS:-2}; mlp_epochs=${MLP_EPOCHS:-5}; cnn_epochs=${CNN_EPOCHS:-5}
lm_steps=${LM_STEPS:-1000}; ops_rounds=${OPS_ROUNDS:-5}
kiln="$root/.build/release/kiln"
anchors="$root/../shared/anchors"
[[ -x "$kiln" ]] || { echo "compare_anchors: build Kiln first: swift build -c release --product kiln" >&2; exit 1; }
[[ -e "$out/runs" ]] && { echo "compare_anchors: $out/runs exists; choose a new OUT_DIR" >&2; exit 1; }
mkdir -p "$out"

. "$root/scripts/bench/recorded_run.sh"

# Runs `kiln_NAME VALUE` and `torch_NAME VALUE`, PyTorch first when `first` is torch.
in_turn() {
  local name=$1 value=$2 first=$3
  if [[ $first == torch ]]; then "torch_$name" "$value"; "kiln_$name" "$value"
  else "kiln_$name" "$value"; "torch_$name" "$value"; fi
}

kiln_mlp() {
  recorded_run seed "$1" "$out/kiln-mlp.jsonl" "$kiln" train --model mlp --activation gelu --schedule constant \
    --lr 1e-3 --label-smoothing 0 --augment none --test-time-flip false --epochs "$mlp_epochs" --seed "$1" \
    --threads "$threads" --checkpoint-every 0 --out "$out/runs" --name "mlp-$1" --json
}
torch_mlp() {
  (cd "$anchors" && recorded_run seed "$1" "$out/torch-mlp.jsonl" "$python" mlp.py --threads "$threads" \
    --epochs "$mlp_epochs" --seed "$1" --json)
}
kiln_cnn() {
  recorded_run seed "$1" "$out/kiln-cnn.jsonl" "$kiln" train --model cnn --lr 1e-3 --label-smoothing 0 \
    --augment none --test-time-flip false --epochs "$cnn_epochs" --seed "$1" --threads "$threads" \
    --checkpoint-every 0 --out "$out/runs" --name "cnn-$1" --json
}
torch_cnn() {
  (cd "$anchors" && recorded_run seed "$1" "$out/torch-cnn.jsonl" "$python" cnn.py --threads "$threads" \
    --epochs "$cnn_epochs" --seed "$1" --json)
}
kiln_charlm() {
  recorded_run seed "$1" "$out/kiln-charlm.jsonl" "$kiln" lm train --steps "$lm_steps" --seed "$1" \
    --threads "$threads" --out "$out/runs" --name "lm-$1" --json
}
torch_charlm() {
  (cd "$anchors" && recorded_run seed "$1" "$out/torch-charlm.jsonl" "$python" charlm.py --threads "$threads" \
    --steps "$lm_steps" --seed "$1" --json)
}
# `step` first in each process, as ops.py does: its first figure is a fresh process's.
kiln_ops() {
  recorded_run round "$1" "$out/kiln-ops.jsonl" "$kiln" bench --threads "$threads" --json step softmax
}
torch_ops() {
  (cd "$anchors" && recorded_run round "$1" "$out/torch-ops.jsonl" "$python" ops.py --threads "$threads" \
    --parts step,softmax --json)
}
kiln_latency() {
  recorded_run round "$1" "$out/kiln-latency.jsonl" "$kiln" bench --threads "$threads" --json latency
}
torch_latency() {
  recorded_run round "$1" "$out/torch-latency.jsonl" "$python" "$root/scripts/bench/latency_torch.py" --anchors "$anchors" \
    --threads "$threads" --json
}

for workload in $workloads; do
  case $workload in
    mlp|cnn|charlm) values=$seeds ;;
    ops|latency) values=$(seq 1 "$ops_rounds") ;;
    *) echo "compare_anchors: unknown workload '$workload' (mlp, cnn, charlm, ops, latency)" >&2; exit 1 ;;
  esac
  for f in kiln torch; do : > "$out/$f-$workload.jsonl"; done
  turn=0
  for value in $values; do
    turn=$((turn + 1))
    if (( turn % 2 )); then in_turn "$workload" "$value" torch; else in_turn "$workload" "$value" kiln; fi
  done
done
"$python" "$root/scripts/bench/summarize_anchors.py" "$out" | tee "$out/table.md"
