#!/usr/bin/env bash
# Mixture of experts on the char-LM workload (workload 3): three `kiln lm train` runs of the same
# steps, batches and seed, differing only in the feed-forward network of each block:
#   moe-8x2        8 experts of 256 hidden units, top-2 (loss-free balancing, z-loss 0.001, dropless)
#   dense-active   one MLP of 512 hidden units: the parameters a token meets in moe-8x2
#   dense-total    one MLP of 2048 hidden units: all the expert parameters of moe-8x2
# Prints validation loss, median tokens/s, peak resident memory and the MoE's final expert-load
# histogram (its last `moe` record). Speed needs a quiet machine; the 1-minute load average is
# recorded before every run. Run folders stay in OUT_DIR/runs.
# Usage: scripts/bench/compare_moe.sh OUT_DIR [STEPS=1000] [THREADS=2] [SEED=0]
#        (Kiln built with `swift build -c release`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?output folder}; steps=${2:-1000}; threads=${3:-2}; seed=${4:-0}
kiln="$root/.build/release/kiln"
mkdir -p "$out"
: > "$out/results.jsonl"

run() {
  local name=$1; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo null)
  rm -rf "$out/runs/$name"
  "$kiln" lm train --steps "$steps" --seed "$seed" --threads "$threads" --out "$out/runs" --name "$name" --json "$@" 2>/dev/null \
    | tail -1 | sed "s/^{/{\"config\":\"$name\",\"load\":$load,/" >> "$out/results.jsonl"
}

run moe-8x2 --moe --experts 8 --top-k 2 --hidden 256
run dense-active --hidden 512
run dense-total --hidden 2048

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rows = [json.loads(line) for line in open(f"{out}/results.jsonl")]
print(f"{'config':<14}{'params':>10}{'val loss':>10}{'tokens/s':>10}{'peak MiB':>10}{'load':>7}")
for r in rows:
    print(f"{r['config']:<14}{r['params']:>10}{r.get('val_loss_final', float('nan')):>10.4f}"
          f"{r.get('median_tokens_per_s_steps_20_to_N', float('nan')):>10.0f}{r['peak_rss_mib']:>10.1f}{r['load']:>7}")
speed = {r["config"]: r.get("median_tokens_per_s_steps_20_to_N") for r in rows}
if speed.get("moe-8x2") and speed.get("dense-active"):
    print(f"moe-8x2 / dense-active tokens/s: {speed['moe-8x2'] / speed['dense-active']:.2f}")
moe = [json.loads(line) for line in open(f"{out}/runs/moe-8x2/metrics.jsonl") if '"kind":"moe"' in line]
if moe:
    last = moe[-1]
    print(f"expert load of moe-8x2 at step {last['step'] + 1} (share of each layer's assignments over the last log interval):")
    layer = 0
    while f"layer{layer}_load0" in last:
        shares = [last.get(f"layer{layer}_load{e}", 0) for e in range(8)]
        print(f"  layer {layer}: " + " ".join(f"{s:.3f}" for s in shares) + f"   max/mean {last[f'layer{layer}_max_over_mean']:.3f}")
        for e, s in enumerate(shares):
            print(f"    expert {e} {'#' * round(s * 160)}")
        layer += 1
PY
