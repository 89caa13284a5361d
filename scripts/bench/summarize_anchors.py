"""Table of compare_anchors.sh's results: median epoch seconds, final test accuracy and peak RSS
per seed for Kiln and PyTorch, with the Kiln/PyTorch time ratio.

Usage: python scripts/bench/summarize_anchors.py OUT_DIR
"""
import json
import os
import statistics
import sys

out = sys.argv[1]
print("| workload | seed | Kiln s/epoch | PyTorch s/epoch | ratio | Kiln acc | PyTorch acc | Kiln RSS MiB | PyTorch RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|")
for workload in ("mlp", "cnn"):
    ratios = []
    for seed in range(3):
        try:
            k = json.load(open(os.path.join(out, f"kiln-{workload}-{seed}.json")))
            t = json.load(open(os.path.join(out, f"torch-{workload}-{seed}.json")))
        except (OSError, ValueError):
            continue
        ks, ts = k["median_epoch_seconds_2_to_N"], t["median_epoch_seconds_2_to_N"]
        ratios.append(ks / ts)
        print(f"| {workload} | {seed} | {ks:.2f} | {ts:.2f} | {ks / ts:.2f} | {k['test_accuracy']:.4f} | "
              f"{t['test_accuracy'][-1]:.4f} | {k['peak_rss_mib']:.0f} | {t['peak_rss_mib']:.0f} |")
    if ratios:
        print(f"| {workload} | median | | | {statistics.median(ratios):.2f} | | | | |")
