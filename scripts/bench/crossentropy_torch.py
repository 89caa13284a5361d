"""PyTorch side of `kiln bench crossentropy`: F.cross_entropy(x, y) forward and backward on
[4096 x 32000] logits that require a gradient (median of 7 after 2 warm-up calls), ms.

Usage: python scripts/bench/crossentropy_torch.py [--threads 2]
"""
import statistics
import time

from torch_threads import torch_with_threads

torch = torch_with_threads()
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(0)
x = torch.randn(4096, 32_000, requires_grad=True)
y = torch.randint(0, 32_000, (4096,))


def step():
    x.grad = None
    F.cross_entropy(x, y).backward()


for _ in range(2):
    step()
times = []
for _ in range(7):
    t0 = time.perf_counter()
    step()
    times.append(time.perf_counter() - t0)
print(f"torch cross_entropy 4096x32000 fwd+bwd: {statistics.median(times) * 1e3:.2f} ms")
