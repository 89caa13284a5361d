// Batch normalization's per-channel affine map, ReLU and 2×2 max pooling in one pass, and the
// backward pass that reads only the pooled gradient, a one-byte code and the input value picked
// per window, and the input once to write its gradient.
//
// A window's code is the row-major position (0…3) of its maximum after ReLU, the first on ties as
// max pooling takes it, or 4 when that maximum is not positive: then ReLU's derivative (0 at 0)
// stops the gradient of every position in the window.
#include "CKilnKernels.h"
#include "vecmath8.h"
#include <math.h>
#include <string.h>

enum { NO_GRADIENT = 4 };

static inline float relu_value(float v) { return v > 0 ? v : (v == v ? 0.0f : v); }

/// One window from its four inputs in row-major order; a NaN counts as the maximum.
static inline float window_max(const float x[4], float s, float t, uint8_t *code, float *picked) {
    float best = relu_value(s * x[0] + t);
    int at = 0;
    for (int i = 1; i < 4; i++) {
        const float r = relu_value(s * x[i] + t);
        if (r > best || isnan(r)) { best = r; at = i; }
    }
    *code = best > 0 ? (uint8_t)at : (uint8_t)NO_GRADIENT;
    *picked = x[at];
    return best;
}

static void pool_rows_scalar(const float *r0, const float *r1, float s, float t, int out_w, float *y, uint8_t *code,
                             float *picked) {
    for (int ow = 0; ow < out_w; ow++) {
        const int i = 2 * ow;
        const float x[4] = { r0[i], r0[i + 1], r1[i], r1[i + 1] };
        y[ow] = window_max(x, s, t, code + ow, picked + ow);
    }
}

/// Σ g and Σ g·(picked − m) over windows [0, n) whose code lets the gradient through.
static void window_grad_sums(const float *g, const uint8_t *q, const float *picked, float m, ptrdiff_t n,
                             float *sum_g, float *sum_gx) {
    float a0 = 0, a1 = 0;
    for (ptrdiff_t o = 0; o < n; o++) {
        if (q[o] == NO_GRADIENT) continue;
        a0 += g[o];
        a1 += g[o] * (picked[o] - m);
    }
    *sum_g = a0;
    *sum_gx = a1;
}

/// One plane's dx: b·x + d everywhere, plus k·g at each window's coded position.
static void plane_backward(const float *g, const uint8_t *q, const float *x, float k, float b, float d,
                           ptrdiff_t height, ptrdiff_t width, float *dx) {
    const ptrdiff_t out_w = width / 2;
    kiln_channel_affine_f32(x, &b, NULL, NULL, &d, 1, 1, height * width, 0, 1, dx);
    for (ptrdiff_t oh = 0; oh < height / 2; oh++) {
        float *corner = dx + 2 * oh * width;
        for (ptrdiff_t ow = 0, o = oh * out_w; ow < out_w; ow++, o++) {
            if (q[o] != NO_GRADIENT) corner[2 * ow + (q[o] >> 1) * width + (q[o] & 1)] += k * g[o];
        }
    }
}

#if defined(__x86_64__)
/// A mask of the first `count` lanes (none when `count` ≤ 0).
KILN_AVX2 static __m256i first_lanes(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

KILN_AVX2 static __m256 load_first(const float *p, int count) {
    return count >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, first_lanes(count));
}

KILN_AVX2 static void store_first(float *p, int count, __m256 v) {
    if (count >= 8) _mm256_storeu_ps(p, v); else _mm256_maskstore_ps(p, first_lanes(count), v);
}

/// The codes of windows [0, n) (n ≤ 8) widened to 32-bit lanes, NO_GRADIENT past n.
KILN_AVX2 static __m256i load_codes(const uint8_t *q, int n) {
    uint8_t tail[8] = { NO_GRADIENT, NO_GRADIENT, NO_GRADIENT, NO_GRADIENT, NO_GRADIENT, NO_GRADIENT, NO_GRADIENT, NO_GRADIENT };
    if (n < 8) memcpy(tail, q, (size_t)n);
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(n < 8 ? tail : q)));
}

KILN_AVX2 static __m256 relu8(__m256 v) { return _mm256_max_ps(_mm256_setzero_ps(), v); }

/// Whether `b` replaces `a` as the maximum: greater, or NaN.
KILN_AVX2 static __m256 replaces8(__m256 b, __m256 a) {
    return _mm256_or_ps(_mm256_cmp_ps(b, a, _CMP_GT_OQ), _mm256_cmp_ps(b, b, _CMP_UNORD_Q));
}

/// Puts windows back in order after the in-lane even/odd shuffles (64-bit blocks 0, 2, 1, 3).
KILN_AVX2 static __m256 window_order8(__m256 v) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0xD8));
}

/// Eight windows at a time from two input rows, the last block masked.
KILN_AVX2 static void pool_rows_avx2(const float *r0, const float *r1, float s, float t, int out_w, float *y, uint8_t *code,
                                     float *picked) {
    const __m256 vs = _mm256_set1_ps(s), vt = _mm256_set1_ps(t), zero = _mm256_setzero_ps();
    for (int ow = 0; ow < out_w; ow += 8) {
        const int i = 2 * ow, n = out_w - ow < 8 ? out_w - ow : 8;
        const __m256 x0 = load_first(r0 + i, 2 * n), x1 = load_first(r0 + i + 8, 2 * n - 8);
        const __m256 x2 = load_first(r1 + i, 2 * n), x3 = load_first(r1 + i + 8, 2 * n - 8);
        const __m256 a0 = relu8(_mm256_fmadd_ps(x0, vs, vt)), a1 = relu8(_mm256_fmadd_ps(x1, vs, vt));
        const __m256 b0 = relu8(_mm256_fmadd_ps(x2, vs, vt)), b1 = relu8(_mm256_fmadd_ps(x3, vs, vt));
        const __m256 top_left = _mm256_shuffle_ps(a0, a1, 0x88), top_right = _mm256_shuffle_ps(a0, a1, 0xDD);
        const __m256 low_left = _mm256_shuffle_ps(b0, b1, 0x88), low_right = _mm256_shuffle_ps(b0, b1, 0xDD);
        const __m256 top_col = replaces8(top_right, top_left), low_col = replaces8(low_right, low_left);
        const __m256 top = _mm256_blendv_ps(top_left, top_right, top_col);
        const __m256 low = _mm256_blendv_ps(low_left, low_right, low_col);
        const __m256 row = replaces8(low, top);
        const __m256 best = window_order8(_mm256_blendv_ps(top, low, row));
        store_first(y + ow, n, best);
        const __m256 top_x = _mm256_blendv_ps(_mm256_shuffle_ps(x0, x1, 0x88), _mm256_shuffle_ps(x0, x1, 0xDD), top_col);
        const __m256 low_x = _mm256_blendv_ps(_mm256_shuffle_ps(x2, x3, 0x88), _mm256_shuffle_ps(x2, x3, 0xDD), low_col);
        store_first(picked + ow, n, window_order8(_mm256_blendv_ps(top_x, low_x, row)));
        const int cols = _mm256_movemask_ps(window_order8(_mm256_blendv_ps(top_col, low_col, row)));
        const int rows = _mm256_movemask_ps(window_order8(row));
        const int positive = _mm256_movemask_ps(_mm256_cmp_ps(best, zero, _CMP_GT_OQ));
        for (int j = 0; j < n; j++) {
            const uint8_t at = (uint8_t)(((cols >> j) & 1) | (((rows >> j) & 1) << 1));
            code[ow + j] = (positive >> j) & 1 ? at : (uint8_t)NO_GRADIENT;
        }
    }
}

KILN_AVX2 static void window_grad_sums_avx2(const float *g, const uint8_t *q, const float *picked, float m, ptrdiff_t n,
                                            float *sum_g, float *sum_gx) {
    const __m256 vm = _mm256_set1_ps(m);
    const __m256i none = _mm256_set1_epi32(NO_GRADIENT);
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    for (ptrdiff_t o = 0; o < n; o += 8) {
        const int count = n - o < 8 ? (int)(n - o) : 8;
        const __m256 through = _mm256_castsi256_ps(_mm256_cmpgt_epi32(none, load_codes(q + o, count)));
        const __m256 vg = _mm256_and_ps(load_first(g + o, count), through);
        a0 = _mm256_add_ps(a0, vg);
        a1 = _mm256_fmadd_ps(vg, _mm256_sub_ps(load_first(picked + o, count), vm), a1);
    }
    *sum_g = hsum8(a0);
    *sum_gx = hsum8(a1);
}

/// The gradient that reaches the input positions of windows [0, n) (n ≤ 8) as two input rows of 16
/// columns: rows[0] and rows[1] the top row's columns 0–7 and 8–15, rows[2] and rows[3] the lower row's.
KILN_AVX2 static void expand_windows(const float *g, const uint8_t *q, int n, __m256 rows[4]) {
    const __m256i vq = load_codes(q, n);
    const __m256 vg = load_first(g, n);
    __m256 at[4];
    for (int j = 0; j < 4; j++) at[j] = _mm256_and_ps(vg, _mm256_castsi256_ps(_mm256_cmpeq_epi32(vq, _mm256_set1_epi32(j))));
    for (int r = 0; r < 2; r++) {
        const __m256 lo = _mm256_unpacklo_ps(at[2 * r], at[2 * r + 1]), hi = _mm256_unpackhi_ps(at[2 * r], at[2 * r + 1]);
        rows[2 * r] = _mm256_permute2f128_ps(lo, hi, 0x20);
        rows[2 * r + 1] = _mm256_permute2f128_ps(lo, hi, 0x31);
    }
}

KILN_AVX2 static void plane_backward_avx2(const float *g, const uint8_t *q, const float *x, float k, float b, float d,
                                          ptrdiff_t height, ptrdiff_t width, float *dx) {
    const int out_w = (int)(width / 2);
    const __m256 vk = _mm256_set1_ps(k), vb = _mm256_set1_ps(b), vd = _mm256_set1_ps(d);
    for (ptrdiff_t oh = 0; oh < height / 2; oh++) {
        for (int ow = 0; ow < out_w; ow += 8) {
            const int n = out_w - ow < 8 ? out_w - ow : 8;
            __m256 rows[4];
            expand_windows(g + oh * out_w + ow, q + oh * out_w + ow, n, rows);
            for (int r = 0; r < 4; r++) {
                const ptrdiff_t at = (2 * oh + r / 2) * width + 2 * ow + 8 * (r % 2);
                const int count = 2 * n - 8 * (r % 2);
                const __m256 base = _mm256_fmadd_ps(vb, load_first(x + at, count), vd);
                store_first(dx + at, count, _mm256_fmadd_ps(vk, rows[r], base));
            }
        }
        if (width % 2) {
            for (int r = 0; r < 2; r++) dx[(2 * oh + r) * width + width - 1] = b * x[(2 * oh + r) * width + width - 1] + d;
        }
    }
    if (height % 2) {
        const ptrdiff_t last = (height - 1) * width;
        for (ptrdiff_t i = 0; i < width; i++) dx[last + i] = b * x[last + i] + d;
    }
}
#endif

void kiln_affine_relu_max_pool2x2_f32(const float *x, const float *scale, const float *shift, ptrdiff_t channels,
                                      ptrdiff_t height, ptrdiff_t width, ptrdiff_t p_begin, ptrdiff_t p_end,
                                      float *y, uint8_t *code, float *picked) {
    const int out_h = (int)(height / 2), out_w = (int)(width / 2);
    const ptrdiff_t in_plane = height * width, out_plane = (ptrdiff_t)out_h * out_w;
    for (ptrdiff_t p = p_begin; p < p_end; p++) {
        const ptrdiff_t c = p % channels;
        const float s = scale[c], t = shift[c];
        for (int oh = 0; oh < out_h; oh++) {
            const float *r0 = x + p * in_plane + (ptrdiff_t)2 * oh * width, *r1 = r0 + width;
            const ptrdiff_t at = p * out_plane + (ptrdiff_t)oh * out_w;
#if defined(__x86_64__)
            if (kiln_has_avx2_fma()) { pool_rows_avx2(r0, r1, s, t, out_w, y + at, code + at, picked + at); continue; }
#endif
            pool_rows_scalar(r0, r1, s, t, out_w, y + at, code + at, picked + at);
        }
    }
}

void kiln_relu_max_pool2x2_grad_sums_f32(const float *gy, const uint8_t *code, const float *picked, const float *center,
                                         ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t out_plane,
                                         ptrdiff_t c_begin, ptrdiff_t c_end, float *sum_g, float *sum_gx) {
    for (ptrdiff_t c = c_begin; c < c_end; c++) {
        double s0 = 0, s1 = 0;
        for (ptrdiff_t n = 0; n < outer; n++) {
            const ptrdiff_t at = (n * channels + c) * out_plane;
            float a0, a1;
#if defined(__x86_64__)
            if (kiln_has_avx2_fma()) {
                window_grad_sums_avx2(gy + at, code + at, picked + at, center[c], out_plane, &a0, &a1);
            } else
#endif
            window_grad_sums(gy + at, code + at, picked + at, center[c], out_plane, &a0, &a1);
            s0 += a0;
            s1 += a1;
        }
        sum_g[c] = (float)s0;
        sum_gx[c] = (float)s1;
    }
}

void kiln_affine_relu_max_pool2x2_backward_f32(const float *gy, const uint8_t *code, const float *x, const float *k,
                                               const float *b, const float *d, ptrdiff_t channels, ptrdiff_t height,
                                               ptrdiff_t width, ptrdiff_t p_begin, ptrdiff_t p_end, float *dx) {
    const ptrdiff_t in_plane = height * width, out_plane = (height / 2) * (width / 2);
    for (ptrdiff_t p = p_begin; p < p_end; p++) {
        const ptrdiff_t c = p % channels;
#if defined(__x86_64__)
        if (kiln_has_avx2_fma()) {
            plane_backward_avx2(gy + p * out_plane, code + p * out_plane, x + p * in_plane, k[c], b[c], d[c], height, width,
                                dx + p * in_plane);
            continue;
        }
#endif
        plane_backward(gy + p * out_plane, code + p * out_plane, x + p * in_plane, k[c], b[c], d[c], height, width, dx + p * in_plane);
    }
}
