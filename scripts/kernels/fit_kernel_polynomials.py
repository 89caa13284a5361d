"""Fits two polynomials of the vectorized kernels: the normal tail of GELU (activations.c) and
the short exp of softmax and GELU (exp_reduced_short8 in vecmath8.h).

normal tail: Φ(-u) = e^{-u²/2} · R(u) for u ≥ 0, and R(u) = t · P(t) with t = 1/(1 + 0.3u) is
    smooth on (0, 1]. P has degree 7, fitted over u ∈ [0, 13] (below Φ(-13) ≈ 6e-39 the CDF is
    flushed to zero).
exp: e^r = 1 + r + r² · Q(r) on the reduced range |r| ≤ ln2/2, Q of degree 3.

Both minimize the maximum relative error by iteratively reweighted least squares. Prints the
coefficients, lowest degree first, and the error reached. Needs only NumPy.
"""
import math

import numpy as np

TAIL_SCALE, TAIL_DEGREE, TAIL_UPPER = 0.3, 7, 13.0
EXP_DEGREE = 3


def chebyshev_nodes(low, high, count=4000):
    k = np.arange(count)
    return (low + high) / 2 + (high - low) / 2 * np.cos(np.pi * (k + 0.5) / count)


def minimax_relative(basis, offset, scale, target, rounds=80):
    """Coefficients c minimizing max |(offset + scale·(basis @ c) - target) / target|."""
    weights = np.ones_like(target)
    for _ in range(rounds):
        system = basis * (weights * scale / target)[:, None]
        coefficients = np.linalg.lstsq(system, weights * (target - offset) / target, rcond=None)[0]
        error = (offset + scale * (basis @ coefficients) - target) / target
        weights *= np.sqrt(np.abs(error))
        weights /= weights.max()
    return coefficients, np.max(np.abs(error))


def fit_normal_tail():
    t = chebyshev_nodes(1 / (1 + TAIL_SCALE * TAIL_UPPER), 1.0)
    u = (1 / t - 1) / TAIL_SCALE
    scaled_tail = np.array([0.5 * math.erfc(v / math.sqrt(2)) * math.exp(v * v / 2) for v in u])
    basis = np.vander(t, TAIL_DEGREE + 1, increasing=True)
    return minimax_relative(basis, np.zeros_like(t), t, scaled_tail)


def fit_exp():
    r = chebyshev_nodes(-math.log(2) / 2, math.log(2) / 2)
    basis = np.vander(r, EXP_DEGREE + 1, increasing=True)
    return minimax_relative(basis, 1 + r, r * r, np.exp(r))


if __name__ == "__main__":
    for name, (coefficients, error) in [("normal tail P", fit_normal_tail()), ("exp Q", fit_exp())]:
        print(f"{name}: max relative error {error:.2e}")
        for i, c in enumerate(coefficients):
            print(f"  c{i} = {c:.10e}f")
