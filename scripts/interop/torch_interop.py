"""Weights move between PyTorch and Kiln through safetensors, both ways.

  python scripts/interop/torch_interop.py make-fixture
      Builds the CNN of `kiln train` in PyTorch (anchors/cnn.py's architecture), trains it a few
      steps on random data so the batch-norm statistics are not the defaults, and writes
      Tests/KilnTrainTests/Fixtures/torch_cnn.safetensors (its state_dict) with input.npy and
      logits.npy (eval mode). The Kiln test loads the weights and must give the same logits.

  python scripts/interop/torch_interop.py check-kiln RUN_DIR [--limit 256]
      Loads RUN_DIR/checkpoint.safetensors (written by `kiln train`) into the same PyTorch model
      and compares its logits on the first test images with `kiln predict`'s (RUN_DIR/logits.npy,
      written by `kiln predict RUN_DIR/checkpoint.safetensors --limit N --logits RUN_DIR/logits.npy`).

Needs torch, numpy and safetensors; the tests do not.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "Tests", "KilnTrainTests", "Fixtures")
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "anchors"))


def build_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))


def make_fixture():
    torch.manual_seed(0)
    model = build_cnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(5):
        x = torch.randn(32, 1, 28, 28)
        y = torch.randint(0, 10, (32,))
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()
    x = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        logits = model(x)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(FIXTURES, "torch_cnn.safetensors"))
    np.save(os.path.join(FIXTURES, "torch_cnn_input.npy"), x.numpy())
    np.save(os.path.join(FIXTURES, "torch_cnn_logits.npy"), logits.numpy())
    print(f"wrote {len(state)} tensors and logits {tuple(logits.shape)} to {os.path.normpath(FIXTURES)}")


def check_kiln(run_dir, limit):
    from common import load_fashion_mnist
    tensors = load_file(os.path.join(run_dir, "checkpoint.safetensors"))
    state = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    model = build_cnn()
    model.load_state_dict(state, strict=True)
    model.eval()
    _, _, x_test, _ = load_fashion_mnist()
    x = torch.from_numpy(x_test[:limit].reshape(-1, 1, 28, 28))
    with torch.no_grad():
        logits = model(x).numpy()
    kiln = np.load(os.path.join(run_dir, "logits.npy"))[:limit]
    diff = np.abs(logits - kiln).max()
    agree = (logits.argmax(1) == kiln.argmax(1)).mean()
    print(f"{limit} test images: max |torch − kiln| logit difference {diff:.2e}, predicted classes agree {agree:.4f}")
    return 0 if diff < 1e-3 and agree == 1.0 else 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("make-fixture")
    c = sub.add_parser("check-kiln")
    c.add_argument("run_dir")
    c.add_argument("--limit", type=int, default=256)
    args = p.parse_args()
    if args.command == "make-fixture":
        make_fixture()
        return 0
    return check_kiln(args.run_dir, args.limit)


if __name__ == "__main__":
    sys.exit(main())
