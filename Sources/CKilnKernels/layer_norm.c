// Layer normalization over the last dimension, one row at a time: forward and backward each read a
// row while it sits in L1 (statistics, then the output or the input gradient).
#include "CKilnKernels.h"
#include "vecmath8.h"
#include <math.h>

#if defined(__x86_64__)

KILN_AVX2 static void normalize_row_avx2(const float *x, const float *w, const float *b, float m, float s,
                                         ptrdiff_t n, float *y) {
    const __m256 vm = _mm256_set1_ps(m), vs = _mm256_set1_ps(s), one = _mm256_set1_ps(1), zero = _mm256_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm), vs);
        __m256 vw = w ? _mm256_loadu_ps(w + i) : one, vb = b ? _mm256_loadu_ps(b + i) : zero;
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(xhat, vw, vb));
    }
    for (; i < n; i++) y[i] = (x[i] - m) * s * (w ? w[i] : 1) + (b ? b[i] : 0);
}

// Σ h and Σ h·x̂ of one row, adding g·x̂ and g to the column sums.
KILN_AVX2 static void backward_sums_avx2(const float *g, const float *x, const float *w, float m, float s,
                                         ptrdiff_t n, float *dw_sum, float *db_sum, float *sum_h, float *sum_hx) {
    const __m256 vm = _mm256_set1_ps(m), vs = _mm256_set1_ps(s), one = _mm256_set1_ps(1);
    __m256 ah = _mm256_setzero_ps(), ahx = _mm256_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 vg = _mm256_loadu_ps(g + i), xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm), vs);
        __m256 h = _mm256_mul_ps(vg, w ? _mm256_loadu_ps(w + i) : one);
        ah = _mm256_add_ps(ah, h);
        ahx = _mm256_fmadd_ps(h, xhat, ahx);
        _mm256_storeu_ps(dw_sum + i, _mm256_fmadd_ps(vg, xhat, _mm256_loadu_ps(dw_sum + i)));
        _mm256_storeu_ps(db_sum + i, _mm256_add_ps(vg, _mm256_loadu_ps(db_sum + i)));
    }
    float sh = hsum8(ah), shx = hsum8(ahx);
    for (; i < n; i++) {
        const float xhat = (x[i] - m) * s, h = g[i] * (w ? w[i] : 1);
        sh += h;
        shx += h * xhat;
        dw_sum[i] += g[i] * xhat;
        db_sum[i] += g[i];
    }
    *sum_h = sh;
    *sum_hx = shx;
}

KILN_AVX2 static void input_gradient_avx2(const float *g, const float *x, const float *w, float m, float s,
                                          float mean_h, float mean_hx, ptrdiff_t n, float *dx) {
    const __m256 vm = _mm256_set1_ps(m), vs = _mm256_set1_ps(s), one = _mm256_set1_ps(1);
    const __m256 vmh = _mm256_set1_ps(mean_h), vmhx = _mm256_set1_ps(mean_hx);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm), vs);
        __m256 h = _mm256_mul_ps(_mm256_loadu_ps(g + i), w ? _mm256_loadu_ps(w + i) : one);
        __m256 centered = _mm256_fnmadd_ps(xhat, vmhx, _mm256_sub_ps(h, vmh));
        _mm256_storeu_ps(dx + i, _mm256_mul_ps(vs, centered));
    }
    for (; i < n; i++) {
        const float xhat = (x[i] - m) * s, h = g[i] * (w ? w[i] : 1);
        dx[i] = s * (h - mean_h - xhat * mean_hx);
    }
}
#endif

static void normalize_row_portable(const float *x, const float *w, const float *b, float m, float s,
                                   ptrdiff_t n, float *y) {
    for (ptrdiff_t i = 0; i < n; i++) y[i] = (x[i] - m) * s * (w ? w[i] : 1) + (b ? b[i] : 0);
}

static void backward_sums_portable(const float *g, const float *x, const float *w, float m, float s,
                                   ptrdiff_t n, float *dw_sum, float *db_sum, float *sum_h, float *sum_hx) {
    float sh = 0, shx = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        const float xhat = (x[i] - m) * s, h = g[i] * (w ? w[i] : 1);
        sh += h;
        shx += h * xhat;
        dw_sum[i] += g[i] * xhat;
        db_sum[i] += g[i];
    }
    *sum_h = sh;
    *sum_hx = shx;
}

static void input_gradient_portable(const float *g, const float *x, const float *w, float m, float s,
                                    float mean_h, float mean_hx, ptrdiff_t n, float *dx) {
    for (ptrdiff_t i = 0; i < n; i++) {
        const float xhat = (x[i] - m) * s, h = g[i] * (w ? w[i] : 1);
        dx[i] = s * (h - mean_h - xhat * mean_hx);
    }
}

void kiln_layer_norm_rows_f32(const float *x, const float *w, const float *b, ptrdiff_t n, float eps,
                              ptrdiff_t r_begin, ptrdiff_t r_end, float *y, float *mean, float *rstd) {
    for (ptrdiff_t r = r_begin; r < r_end; r++) {
        float m, variance;
        kiln_channel_moments_f32(x + r * n, 1, 1, n, 0, 1, &m, &variance);
        const float s = 1.0f / sqrtf(variance + eps);
        mean[r] = m;
        rstd[r] = s;
#if defined(__x86_64__)
        if (kiln_has_avx2_fma()) { normalize_row_avx2(x + r * n, w, b, m, s, n, y + r * n); continue; }
#endif
        normalize_row_portable(x + r * n, w, b, m, s, n, y + r * n);
    }
}

void kiln_layer_norm_backward_rows_f32(const float *g, const float *x, const float *w, const float *mean,
                                       const float *rstd, ptrdiff_t n, ptrdiff_t r_begin, ptrdiff_t r_end,
                                       float *dx, float *dw_sum, float *db_sum) {
    for (ptrdiff_t r = r_begin; r < r_end; r++) {
        const float *gr = g + r * n, *xr = x + r * n;
        float sum_h, sum_hx;
#if defined(__x86_64__)
        const int avx2 = kiln_has_avx2_fma();
        if (avx2) backward_sums_avx2(gr, xr, w, mean[r], rstd[r], n, dw_sum, db_sum, &sum_h, &sum_hx);
        else backward_sums_portable(gr, xr, w, mean[r], rstd[r], n, dw_sum, db_sum, &sum_h, &sum_hx);
#else
        backward_sums_portable(gr, xr, w, mean[r], rstd[r], n, dw_sum, db_sum, &sum_h, &sum_hx);
#endif
        if (!dx) continue;
        const float mean_h = sum_h / (float)n, mean_hx = sum_hx / (float)n;
#if defined(__x86_64__)
        if (avx2) { input_gradient_avx2(gr, xr, w, mean[r], rstd[r], mean_h, mean_hx, n, dx + r * n); continue; }
#endif
        input_gradient_portable(gr, xr, w, mean[r], rstd[r], mean_h, mean_hx, n, dx + r * n);
    }
}
