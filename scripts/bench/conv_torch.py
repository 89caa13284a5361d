"""PyTorch side of `kiln bench conv`: forward and forward+backward of the CNN workload's two
convolutions (anchors/cnn.py) at batch 128, timed the same way (median of 7 samples).

Usage: python scripts/bench/conv_torch.py [--threads 2]
"""
from torch_threads import seconds_per_call, torch_with_threads

torch = torch_with_threads()
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(0)

total = 0.0
for name, shape, out in (("conv1", (128, 1, 28, 28), 32), ("conv2", (128, 32, 14, 14), 64)):
    x = torch.randn(shape, requires_grad=True)
    w = (0.1 * torch.randn(out, shape[1], 3, 3)).requires_grad_()
    b = torch.zeros(out, requires_grad=True)
    cot = torch.randn(shape[0], out, shape[2], shape[3])

    def forward():
        with torch.no_grad():
            F.conv2d(x, w, b, padding=1)

    def both():
        x.grad = w.grad = b.grad = None
        (F.conv2d(x, w, b, padding=1) * cot).sum().backward()

    f, fb = seconds_per_call(forward), seconds_per_call(both)
    total += fb
    print(f"torch {name} {shape} -> {out}: forward {f * 1e3:.2f} ms, forward+backward {fb * 1e3:.2f} ms")
print(f"torch conv total forward+backward {total * 1e3:.2f} ms")
