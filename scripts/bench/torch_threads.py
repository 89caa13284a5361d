"""The preamble the `*_torch.py` benchmarks share: `--threads N` (default 2) applied to every
thread pool PyTorch may use, set before torch is imported, and the timing they share."""
import argparse
import os
import statistics
import time


def torch_and_arguments(parser):
    """Adds --threads to `parser`, parses the command line, limits OpenMP, MKL and OpenBLAS to
    that many threads, and returns the torch module and the parsed arguments."""
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    return torch, args


def torch_with_threads():
    """Parses --threads, limits OpenMP, MKL and OpenBLAS to it, and returns the torch module."""
    return torch_and_arguments(argparse.ArgumentParser())[0]


def seconds_per_call(fn, samples=7, minimum=0.2):
    """Median seconds per call of fn() over `samples` samples, each repeating the call enough times
    to last at least `minimum` seconds (after two warm-up calls)."""
    t0 = time.perf_counter()
    for _ in range(2):
        fn()
    per = max((time.perf_counter() - t0) / 2, 1e-9)
    reps = max(1, int(minimum / per) + 1)
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        times.append((time.perf_counter() - t0) / reps)
    return statistics.median(times)
