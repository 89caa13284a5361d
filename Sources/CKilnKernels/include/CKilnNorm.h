// Per-channel kernels of batch normalization (and the layer and group norms built on it), for a
// tensor viewed as [outer, channels, inner]: channel c holds `outer` contiguous runs of `inner` elements.
#ifndef CKILNNORM_H
#define CKILNNORM_H

#include <stddef.h>
#include <stdint.h>

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

/// Batch normalization's affine map, ReLU and 2×2 max pooling (stride 2, floor mode) of planes [p_begin, p_end)
/// of x [planes, height, width], plane p in channel p % channels: y = max over each window of
/// relu(scale[c]·x + shift[c]) (the first maximum on ties, a NaN counting as the maximum), code = the
/// window's row-major position (0…3) of that maximum, or 4 when it is not positive (no gradient flows), and
/// picked = the input x at that position. y, code and picked are [planes, height / 2, width / 2].
void kiln_affine_relu_max_pool2x2_f32(const float *x, const float *scale, const float *shift, ptrdiff_t channels,
                                      ptrdiff_t height, ptrdiff_t width, ptrdiff_t p_begin, ptrdiff_t p_end,
                                      float *y, uint8_t *code, float *picked);

/// Per channel in [c_begin, c_end), with g the gradient that reaches the normalized input through the
/// pooling of kiln_affine_relu_max_pool2x2_f32 (gy at each window's coded position, zero elsewhere):
/// sum_g[c] = Σ g and sum_gx[c] = Σ g·(x − center[c]), from the pooled gy, code and picked
/// [outer, channels, out_plane].
void kiln_relu_max_pool2x2_grad_sums_f32(const float *gy, const uint8_t *code, const float *picked, const float *center,
                                         ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t out_plane,
                                         ptrdiff_t c_begin, ptrdiff_t c_end, float *sum_g, float *sum_gx);

/// dx = k[c]·g + b[c]·x + d[c] over planes [p_begin, p_end), g as in kiln_relu_max_pool2x2_grad_sums_f32.
void kiln_affine_relu_max_pool2x2_backward_f32(const float *gy, const uint8_t *code, const float *x, const float *k,
                                               const float *b, const float *d, ptrdiff_t channels, ptrdiff_t height,
                                               ptrdiff_t width, ptrdiff_t p_begin, ptrdiff_t p_end, float *dx);

#endif
