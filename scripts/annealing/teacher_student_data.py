"""Writes a synthetic classification set for loss-curve experiments: a never-repeating stream.

Inputs x ~ N(0, I₃₂); a fixed random teacher (two tanh layers of 128, 10 logits scaled by 8)
gives class probabilities, and each label is sampled from them, so the best achievable
cross-entropy is the teacher's mean entropy (printed). One epoch over the rows is one pass
over fresh data, the regime the annealing scaling law describes.

Usage: python3 teacher_student_data.py ROWS OUT.csv [--seed 1]. Needs NumPy.
"""
import argparse

import numpy as np

FEATURES, HIDDEN, CLASSES, LOGIT_SCALE = 32, 128, 10, 8.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    w1 = rng.normal(0, 1.5 / np.sqrt(FEATURES), (FEATURES, HIDDEN))
    w2 = rng.normal(0, 1.5 / np.sqrt(HIDDEN), (HIDDEN, HIDDEN))
    w3 = rng.normal(0, 1 / np.sqrt(HIDDEN), (HIDDEN, CLASSES)) * LOGIT_SCALE
    x = rng.normal(0, 1, (args.rows, FEATURES)).astype(np.float32)
    logits = np.tanh(np.tanh(x @ w1) @ w2) @ w3
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    labels = (p.cumsum(axis=1) > rng.random((args.rows, 1))).argmax(axis=1)
    entropy = -(p * np.log(np.maximum(p, 1e-30))).sum(axis=1).mean()
    header = ",".join([f"x{i}" for i in range(FEATURES)] + ["label"])
    np.savetxt(args.out, np.concatenate([x, labels[:, None]], axis=1), fmt=["%.3f"] * FEATURES + ["%d"],
               delimiter=",", header=header, comments="")
    print(f"{args.rows} rows in {args.out}; teacher entropy (the lowest expected loss) {entropy:.4f}")


if __name__ == "__main__":
    main()
