"""The preamble the `*_torch.py` benchmarks share: `--threads N` (default 2) applied to every
thread pool PyTorch may use, set before torch is imported."""
import argparse
import os


def torch_with_threads():
    """Parses --threads, limits OpenMP, MKL and OpenBLAS to it, and returns the torch module."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    threads = parser.parse_args().threads
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    import torch

    torch.set_num_threads(threads)
    return torch
