// Sparse inference: choosing the k largest scores of each row, and a linear layer that chooses a
// token's inputs and reads only their weight columns, so skipped activations cost nothing.
#ifndef CKILNSPARSE_H
#define CKILNSPARSE_H

#include <stddef.h>
#include <stdint.h>

/// For each of `rows` rows of `n` scores, writes into `mask` (same layout) 1 for the k largest scores
/// of the row and 0 elsewhere; among equal scores the earlier position wins. 0 ≤ k ≤ n, no score is
/// NaN. `keys` is room for n integers. The k-th largest is found by bisection on the scores' bits,
/// each step a branch-free count, so the time does not depend on the scores' order.
void kiln_top_k_mask_f32(const float *scores, ptrdiff_t rows, ptrdiff_t n, ptrdiff_t k, float *mask, int32_t *keys);

/// How ``kiln_sparse_linear_f32`` chooses the inputs it keeps.
typedef enum {
    /// The k largest |x_i|·channel[i] (|x_i| when channel is NULL); among equal scores the earlier wins.
    KILN_KEEP_TOP_K,
    /// The inputs with |x_i| > channel[i].
    KILN_KEEP_ABOVE_CHANNEL_THRESHOLD,
    /// The inputs above mean(x) + std(x)·z (all when k ≥ in).
    KILN_KEEP_ABOVE_STATISTIC,
} kiln_keep_rule;

/// One token through a linear layer on its kept inputs: y[o] = bias[o] + Σ_{kept i} x[i]·wt[i·out + o]
/// for o < out, with `wt` = Wᵀ stored input-major ([in, out]) so each kept input reads one contiguous
/// row, the inputs chosen by `rule` (see ``kiln_keep_rule``; `channel`, `k` and `z` are its parameters).
/// Choosing, gathering and the product are one call. `bias` may be NULL; `scratch` is room
/// for 2·in + in/32 + 2 integers. Returns how many inputs were kept.
ptrdiff_t kiln_sparse_linear_f32(const float *wt, ptrdiff_t in, ptrdiff_t out, const float *bias, const float *x,
                                 kiln_keep_rule rule, const float *channel, ptrdiff_t k, float z, float *y,
                                 int32_t *scratch);

#endif
