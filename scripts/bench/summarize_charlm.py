"""Table of compare_charlm.sh's results: per seed, each side's median tokens/s over steps 20..N
(as the anchor times them), validation loss after N steps and peak RSS, then the medians over
seeds with their spread, the Kiln/PyTorch ratios and the load averages seen.

Usage: python scripts/bench/summarize_charlm.py OUT_DIR
"""
import json
import os
import statistics
import sys

out = sys.argv[1]
RATE = "median_tokens_per_s_steps_20_to_N"


def lines(name):
    with open(os.path.join(out, name)) as f:
        return {r["seed"]: r for r in (json.loads(line) for line in f if line.strip())}


kiln, torch = lines("kiln-charlm.jsonl"), lines("torch-charlm.jsonl")
seeds = sorted(set(kiln) & set(torch))
loads = [r["load"] for r in list(kiln.values()) + list(torch.values())]
print(f"{len(seeds)} seeds; load average min {min(loads):.2f}, median {statistics.median(loads):.2f}, max {max(loads):.2f}")
print("| seed | Kiln tokens/s | PyTorch tokens/s | ratio | Kiln val loss | PyTorch val loss | Kiln peak RSS MiB | PyTorch peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|")
for s in seeds:
    k, t = kiln[s], torch[s]
    print(f"| {s} | {k[RATE]:,.0f} | {t[RATE]:,.0f} | {k[RATE] / t[RATE]:.2f} | {k['val_loss_final']:.4f} "
          f"| {t['val_loss_final']:.4f} | {k['peak_rss_mib']:.0f} | {t['peak_rss_mib']:.0f} |")


def spread(rows, key, fmt):
    values = [rows[s][key] for s in seeds]
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


whole = lambda v: f"{v:,.0f}"
loss = lambda v: f"{v:.4f}"
ratios = [kiln[s][RATE] / torch[s][RATE] for s in seeds]
print(f"| median (min–max) | {spread(kiln, RATE, whole)} | {spread(torch, RATE, whole)} | "
      f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) | {spread(kiln, 'val_loss_final', loss)} "
      f"| {spread(torch, 'val_loss_final', loss)} | {spread(kiln, 'peak_rss_mib', whole)} | {spread(torch, 'peak_rss_mib', whole)} |")
