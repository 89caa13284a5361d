"""The preamble the `*_torch.py` benchmarks share: `--threads N` (default 2) applied to every
thread pool PyTorch may use, set before torch is imported."""
import argparse
import os


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
