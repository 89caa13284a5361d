"""PyTorch side of `kiln bench latency`: batch-1 inference of the anchor MLP and CNN (models
from ../shared/anchors), in eval mode under torch.no_grad(), on one random input: each call timed
on its own, the median of 300 calls after 30 warm-up calls, with min, p10 and p90, in µs.

Usage: python scripts/bench/latency_torch.py [--threads 2] [--anchors DIR] [--json]
(--json: one line of JSON at the end, `{NAME_batch1_us_median: ..., ...}` for mlp and cnn)
"""
import argparse
import json
import os
import statistics
import sys
import time

from torch_threads import torch_and_arguments

parser = argparse.ArgumentParser()
parser.add_argument("--json", action="store_true")
parser.add_argument("--anchors", default=os.path.join(os.path.dirname(__file__), "../../../shared/anchors"))
torch, args = torch_and_arguments(parser)
sys.path.insert(0, args.anchors)
from cnn import build_cnn  # noqa: E402
from mlp import build_mlp  # noqa: E402

torch.manual_seed(0)
figures = {}
for name, model, shape in (("mlp", build_mlp(), (1, 784)), ("cnn", build_cnn(), (1, 1, 28, 28))):
    model.eval()
    x = torch.randn(*shape)
    with torch.no_grad():
        for _ in range(30):
            model(x)
        times = []
        for _ in range(300):
            t0 = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t0)
    q = sorted(times)
    figures[f"{name}_batch1_us_median"] = round(statistics.median(times) * 1e6, 1)
    figures[f"{name}_batch1_us_min"] = round(q[0] * 1e6, 1)
    print(f"torch {name}_inference_b1: median {statistics.median(times) * 1e6:.1f} us  "
          f"(min {q[0] * 1e6:.1f}, p10 {q[len(q) // 10] * 1e6:.1f}, p90 {q[9 * len(q) // 10] * 1e6:.1f})")
if args.json:
    print(json.dumps(figures))
