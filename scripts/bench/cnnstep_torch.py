"""PyTorch side of `kiln bench cnn-step`: one training step of the cnn anchor's model at batch 128
(forward with the loss, backward, AdamW; medians over 20 steps after 3 warm-ups), then forward +
backward of each non-conv stage at the step's shapes (median of 7 samples, as the Kiln part times).

Usage: python scripts/bench/cnnstep_torch.py [--threads 2]
"""
import statistics
import time

from torch_threads import seconds_per_call, torch_with_threads

torch = torch_with_threads()
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(0)
BATCH = 128


def anchor_model():
    import torch.nn as nn
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))


model = anchor_model()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
phases = [[], [], [], []]
for step in range(23):
    images, labels = torch.randn(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))
    t0 = time.perf_counter()
    loss = F.cross_entropy(model(images), labels)
    t1 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    t2 = time.perf_counter()
    opt.step()
    t3 = time.perf_counter()
    if step >= 3:
        for i, t in enumerate((t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
            phases[i].append(t)
f, b, u, s = (statistics.median(p) * 1e3 for p in phases)
print(f"torch cnn step b128: forward {f:.2f} ms, backward {b:.2f} ms, adamw {u:.2f} ms, step {s:.2f} ms")

total = 0.0
for name, shape in (("block1", (BATCH, 32, 28, 28)), ("block2", (BATCH, 64, 14, 14))):
    x = torch.randn(shape, requires_grad=True)
    w, b = torch.ones(shape[1], requires_grad=True), torch.zeros(shape[1], requires_grad=True)
    cot = torch.randn(shape[0], shape[1], shape[2] // 2, shape[3] // 2)

    def both():
        x.grad = w.grad = b.grad = None
        y = F.max_pool2d(F.relu(F.batch_norm(x, None, None, w, b, training=True)), 2)
        (y * cot).sum().backward()

    t = seconds_per_call(both)
    total += t
    print(f"torch bn+relu+maxpool {name} {shape}: forward+backward {t * 1e3:.2f} ms")

features = torch.randn(BATCH, 3136, requires_grad=True)
labels = torch.randint(0, 10, (BATCH,))
w1, b1 = (0.02 * torch.randn(128, 3136)).requires_grad_(), torch.zeros(128, requires_grad=True)
w2, b2 = (0.1 * torch.randn(10, 128)).requires_grad_(), torch.zeros(10, requires_grad=True)


def head():
    for t in (features, w1, b1, w2, b2):
        t.grad = None
    hidden = F.dropout(F.relu(F.linear(features, w1, b1)), 0.25, training=True)
    F.cross_entropy(F.linear(hidden, w2, b2), labels).backward()


t = seconds_per_call(head)
total += t
print(f"torch head linear3136+relu+dropout+linear+ce: forward+backward {t * 1e3:.2f} ms")
print(f"torch non-conv total forward+backward {total * 1e3:.2f} ms")
