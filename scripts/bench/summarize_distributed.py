"""Prints the table of compare_distributed.sh: samples/s per run and the scaling efficiency.

Usage: python3 summarize_distributed.py RUNS.jsonl
"""
import json
import statistics
import sys

TRAINING_IMAGES = 60_000


def samples_per_second(run):
    seconds = run.get("median_epoch_seconds_2_to_N") or run["epoch_seconds"][-1]
    return TRAINING_IMAGES / seconds


runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print("| round | processes | load before | s/epoch | samples/s | test accuracy |")
print("|---|---|---|---|---|---|")
for run in runs:
    rate = samples_per_second(run)
    print(f"| {run['round']} | {run['processes']} | {run['load']:.2f} | {TRAINING_IMAGES / rate:.2f} | {rate:,.0f} "
          f"| {run.get('test_accuracy', float('nan')):.4f} |")
medians = {n: statistics.median(samples_per_second(r) for r in runs if r["processes"] == n) for n in sorted({r["processes"] for r in runs})}
for n, rate in medians.items():
    print(f"median samples/s with {n} process{'es' if n > 1 else ''}: {rate:,.0f}")
if 1 in medians:
    for n, rate in medians.items():
        if n > 1:
            print(f"speed-up {rate / medians[1]:.2f}x, efficiency {rate / (n * medians[1]):.2f} ({n} processes, 1 thread each)")
