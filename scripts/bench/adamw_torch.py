"""PyTorch side of `kiln bench adamw`: one AdamW(foreach=True) step over 10M parameters
(median of 15 after 3 warm-up steps), with GB/s counted as 28 bytes per parameter.

Usage: python scripts/bench/adamw_torch.py [--threads 2]
"""
import statistics
import time

from torch_threads import torch_with_threads

torch = torch_with_threads()
n = 10_000_000
w = torch.nn.Parameter(torch.randn(n))
w.grad = torch.randn(n)
opt = torch.optim.AdamW([w], lr=1e-3, weight_decay=0.01, foreach=True)
for _ in range(3):
    opt.step()
times = []
for _ in range(15):
    t0 = time.perf_counter()
    opt.step()
    times.append(time.perf_counter() - t0)
t = statistics.median(times)
print(f"torch adamw_10M foreach: {t * 1e3:.2f} ms, {28 * n / t / 1e9:.2f} GB/s")
