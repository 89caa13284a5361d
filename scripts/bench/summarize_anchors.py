"""One Markdown table of compare_anchors.sh's results: for every figure, Kiln's and PyTorch's median
over seeds (or rounds) with the spread (min–max), the Kiln/PyTorch ratio taken pair by pair (its
median and spread), the number of pairs and the load averages recorded before the runs.

Usage: python scripts/bench/summarize_anchors.py OUT_DIR
"""
import json
import os
import statistics
import sys

out = sys.argv[1]


def records(side, workload):
    """The JSON lines of one side's runs, keyed by seed (or round): a list per key, since a
    `kiln bench` run prints one line per figure."""
    path = os.path.join(out, f"{side}-{workload}.jsonl")
    if not os.path.exists(path):
        return {}
    keyed = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                keyed.setdefault(r.get("seed", r.get("round")), []).append(r)
    return keyed


def named(rows, name):
    """The figures of the `kiln bench` row called `name`."""
    return next((r for r in rows if r.get("name") == name), None)


def last(value):
    return value[-1] if isinstance(value, list) else value


def softmax_torch(shape):
    def get(rows):
        for row in rows[0].get("softmax", []):
            if row["impl"] == "torch_out" and row["shape"] == shape:
                return row["gbs_median"]
    return get


def softmax_kiln(shape):
    def get(rows):
        prefix = f"softmax_{shape[0]}x{shape[1]}_"
        for r in rows:
            if r.get("name", "").startswith(prefix) and r.get("default") == 1:
                return r["gb_per_s"]
    return get


def step_torch(batch, key="us_median"):
    def get(rows):
        for row in rows[0].get("mlp_step", []):
            if row["batch"] == batch:
                return row[key]
    return get


def bench(name, key):
    def get(rows):
        r = named(rows, name)
        return r[key] if r else None
    return get


def field(key, pick=lambda v: v):
    return lambda rows: pick(rows[0][key]) if key in rows[0] else None


EPOCH = "median_epoch_seconds_2_to_N"
TOKENS = "median_tokens_per_s_steps_20_to_N"
# (workload, figure, Kiln's value, PyTorch's value, decimals)
FIGURES = [
    ("mlp", "s/epoch (median of epochs 2..N)", field(EPOCH), field(EPOCH), 2),
    ("mlp", "test accuracy", field("test_accuracy", last), field("test_accuracy", last), 4),
    ("mlp", "peak RSS MiB", field("peak_rss_mib"), field("peak_rss_mib"), 0),
    ("cnn", "s/epoch (median of epochs 2..N)", field(EPOCH), field(EPOCH), 2),
    ("cnn", "test accuracy", field("test_accuracy", last), field("test_accuracy", last), 4),
    ("cnn", "peak RSS MiB", field("peak_rss_mib"), field("peak_rss_mib"), 0),
    ("charlm", "tokens/s (median of steps 20..N)", field(TOKENS), field(TOKENS), 0),
    ("charlm", "validation loss", field("val_loss_final"), field("val_loss_final"), 4),
    ("charlm", "peak RSS MiB", field("peak_rss_mib"), field("peak_rss_mib"), 0),
    ("ops", "softmax [4096 × 4096] GB/s (default; torch `_softmax(out=)`)",
     softmax_kiln([4096, 4096]), softmax_torch([4096, 4096]), 1),
    ("ops", "softmax [64 × 1,048,576] GB/s (default; torch `_softmax(out=)`)",
     softmax_kiln([64, 1048576]), softmax_torch([64, 1048576]), 1),
    ("ops", "MLP training step, batch 1, µs (fresh process: median of 300 after 30 warm-up steps)",
     bench("mlp_train_step_b1", "us_median"), step_torch(1), 1),
    ("ops", "MLP training step, batch 32, µs (fresh process: median of 300 after 30 warm-up steps)",
     bench("mlp_train_step_b32", "us_median"), step_torch(32), 1),
    ("latency", "MLP inference, batch 1, µs",
     bench("mlp_inference_b1", "us_median"), field("mlp_batch1_us_median"), 1),
    ("latency", "CNN inference, batch 1, µs",
     bench("cnn_inference_b1", "us_median"), field("cnn_batch1_us_median"), 1),
]


def spread(values, decimals):
    fmt = lambda v: f"{v:,.{decimals}f}"
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


print("| workload | figure | Kiln median (min–max) | PyTorch median (min–max) | Kiln / PyTorch median (min–max) "
      "| pairs | load before runs |")
print("|---|---|---|---|---|---|---|")
for workload, figure, kiln_value, torch_value, decimals in FIGURES:
    kiln, torch = records("kiln", workload), records("torch", workload)
    pairs = []
    for key in sorted(set(kiln) & set(torch)):
        k, t = kiln_value(kiln[key]), torch_value(torch[key])
        if k is not None and t is not None:
            pairs.append((k, t))
    if not pairs:
        continue
    loads = [r["load"] for rows in list(kiln.values()) + list(torch.values()) for r in rows[:1]]
    ks, ts = [k for k, _ in pairs], [t for _, t in pairs]
    ratios = [k / t for k, t in pairs]
    print(f"| {workload} | {figure} | {spread(ks, decimals)} | {spread(ts, decimals)} | {spread(ratios, 2)} "
          f"| {len(pairs)} | {min(loads):.2f}–{max(loads):.2f} |")
