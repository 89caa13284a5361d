"""Writes Fashion-MNIST as a binary CSV task, one class against the rest, for `kiln train`.

Usage: fashion_one_vs_rest.py DIRECTORY OUT_FOLDER [CLASS] [TRAIN_ROWS]
Writes OUT_FOLDER/train.csv (the first TRAIN_ROWS training images, default 20000) and
OUT_FOLDER/test.csv (all 10000 test images): 784 pixel columns p0…p783 and a label column that is
1 for CLASS (default 0, T-shirt/top) and 0 for the rest. Needs NumPy.
"""
import gzip
import sys

import numpy as np


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def write(images, labels, positive, path):
    header = ",".join([f"p{i}" for i in range(images.shape[1])] + ["label"])
    rows = np.concatenate([images, (labels == positive).astype(np.uint8)[:, None]], axis=1)
    np.savetxt(path, rows, fmt="%d", delimiter=",", header=header, comments="")


def main():
    directory, out = sys.argv[1], sys.argv[2]
    positive = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    train_rows = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
    for split, prefix, rows in [("train", "train", train_rows), ("test", "t10k", None)]:
        images = read_idx(f"{directory}/{prefix}-images-idx3-ubyte.gz", 16).reshape(-1, 784)
        labels = read_idx(f"{directory}/{prefix}-labels-idx1-ubyte.gz", 8)
        write(images[:rows], labels[:rows], positive, f"{out}/{split}.csv")


if __name__ == "__main__":
    main()
