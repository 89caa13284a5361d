"""Table of compare_generation.sh's results: per sampler, each side's median tokens/s over the
rounds (each round's figure itself a median of runs), the spread (lowest and highest round), the
Kiln/PyTorch ratio of the medians, and the load averages seen.

Usage: python scripts/bench/summarize_generation.py OUT_DIR
"""
import json
import os
import statistics
import sys

out = sys.argv[1]


def lines(name):
    with open(os.path.join(out, name)) as f:
        return [json.loads(line) for line in f if line.strip()]


kiln, torch = lines("kiln.jsonl"), lines("torch.jsonl")
loads = [r["load"] for r in kiln + torch]
print(f"{len(torch)} rounds; load average min {min(loads):.2f}, median {statistics.median(loads):.2f}, max {max(loads):.2f}")
print("| sampler | Kiln tokens/s (min–max) | PyTorch tokens/s (min–max) | Kiln / PyTorch |")
print("|---|---|---|---|")
for sampler in ("greedy", "top_40"):
    k = [r["tokens_per_s"] for r in kiln if r["name"] == f"generation_{sampler}"]
    t = [r[f"{sampler}_tokens_per_s"] for r in torch]
    if not k or not t:
        continue
    km, tm = statistics.median(k), statistics.median(t)
    print(f"| {sampler} | {km:.0f} ({min(k):.0f}–{max(k):.0f}) | {tm:.0f} ({min(t):.0f}–{max(t):.0f}) | {km / tm:.2f} |")
