// Per-channel kernels of batch normalization (and the layer and group norms built on it), for a
// tensor viewed as [outer, channels, inner]: channel c holds `outer` contiguous runs of `inner` elements.
#ifndef CKILNNORM_H
#define CKILNNORM_H

#include <stddef.h>

/// Mean and population variance of each channel in [c_begin, c_end): two passes with double accumulation
/// across runs, the second also summing the deviations, which measure the first mean's rounding: the mean is
/// corrected by it and the variance freed of it.
void kiln_channel_moments_f32(const float *x, ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,
                              ptrdiff_t c_begin, ptrdiff_t c_end, float *mean, float *variance);

/// out = a[c]·u + b[c]·v + d[c] over channels [c_begin, c_end); `v` and `b` may be NULL (out = a[c]·u + d[c]).
void kiln_channel_affine_f32(const float *u, const float *a, const float *v, const float *b, const float *d,
                             ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,
                             ptrdiff_t c_begin, ptrdiff_t c_end, float *out);

/// Per channel in [c_begin, c_end): sum_g[c] = Σ g and sum_gx[c] = Σ g·(x − center[c]).
void kiln_channel_grad_sums_f32(const float *g, const float *x, const float *center,
                                ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,
                                ptrdiff_t c_begin, ptrdiff_t c_end, float *sum_g, float *sum_gx);

/// Layer normalization of rows [r_begin, r_end) of x [rows, n], each row at x + r·n: mean[r] and
/// rstd[r] = 1/sqrt(variance + eps) (the moments as kiln_channel_moments_f32 takes them), and
/// y = (x − mean)·rstd·w + b per element; `w` and `b` may be NULL (ones and zeros).
void kiln_layer_norm_rows_f32(const float *x, const float *w, const float *b, ptrdiff_t n, float eps,
                              ptrdiff_t r_begin, ptrdiff_t r_end, float *y, float *mean, float *rstd);

/// The backward pass of kiln_layer_norm_rows_f32 over rows [r_begin, r_end), with x̂ = (x − mean)·rstd and
/// h = g·w: dx = rstd·(h − mean(h) − x̂·mean(h·x̂)) when `dx` is not NULL, and the column sums
/// dw_sum += Σ_r g·x̂ and db_sum += Σ_r g (added to what they hold). `w` may be NULL (ones).
void kiln_layer_norm_backward_rows_f32(const float *g, const float *x, const float *w, const float *mean,
                                       const float *rstd, ptrdiff_t n, ptrdiff_t r_begin, ptrdiff_t r_end,
                                       float *dx, float *dw_sum, float *db_sum);

#endif
