// Sparse inference: choosing the k largest scores of each row, and a matrix–vector product that
// reads only the columns of the chosen inputs, so skipped activations cost nothing.
#ifndef CKILNSPARSE_H
#define CKILNSPARSE_H

#include <stddef.h>
#include <stdint.h>

/// For each of `rows` rows of `n` scores, writes into `mask` (same layout) 1 for the k largest scores
/// of the row and 0 elsewhere; among equal scores the earlier position wins. 0 ≤ k ≤ n, no score is
/// NaN. `keys` is room for n integers. The k-th largest is found by bisection on the scores' bits,
/// each step a branch-free count, so the time does not depend on the scores' order.
void kiln_top_k_mask_f32(const float *scores, ptrdiff_t rows, ptrdiff_t n, ptrdiff_t k, float *mask, int32_t *keys);

/// The positions of the k largest of n scores (ties: the earlier position), in increasing order,
/// written to `chosen`; returns k. `keys` is room for n integers.
ptrdiff_t kiln_top_k_indices_f32(const float *scores, ptrdiff_t n, ptrdiff_t k, int32_t *chosen, int32_t *keys);

/// y[o] = bias[o] + Σ_j x[chosen[j]] · wt[chosen[j]·out + o] for o < out: the product of a weight
/// stored input-major (`wt` is Wᵀ, [in, out]) with x restricted to the `count` chosen inputs.
/// `bias` may be NULL.
void kiln_sparse_gemv_f32(const float *wt, ptrdiff_t out, const int32_t *chosen, ptrdiff_t count, const float *x,
                          const float *bias, float *y);

#endif
