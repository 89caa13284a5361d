// Per-channel statistics and affine maps for batch, layer and group normalization.
#include "CKilnKernels.h"
#include "vecmath8.h"

/// Two sums over one run: Σ g and Σ g·(x − m), or Σ (x − m) and Σ (x − m)².
typedef struct { float s0, s1; } pair_sums;

#if defined(__x86_64__)

KILN_AVX2 static float sum_avx2(const float *x, ptrdiff_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
        a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
    float s = hsum8(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += x[i];
    return s;
}

KILN_AVX2 static pair_sums deviation_sums_avx2(const float *x, float m, ptrdiff_t n) {
    const __m256 vm = _mm256_set1_ps(m);
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), q0 = _mm256_setzero_ps(), q1 = _mm256_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), vm), d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vm);
        a0 = _mm256_add_ps(a0, d0);
        a1 = _mm256_add_ps(a1, d1);
        q0 = _mm256_fmadd_ps(d0, d0, q0);
        q1 = _mm256_fmadd_ps(d1, d1, q1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), vm);
        a0 = _mm256_add_ps(a0, d);
        q0 = _mm256_fmadd_ps(d, d, q0);
    }
    pair_sums s = { hsum8(_mm256_add_ps(a0, a1)), hsum8(_mm256_add_ps(q0, q1)) };
    for (; i < n; i++) { const float d = x[i] - m; s.s0 += d; s.s1 += d * d; }
    return s;
}

KILN_AVX2 static pair_sums grad_sums_avx2(const float *g, const float *x, float m, ptrdiff_t n) {
    const __m256 vm = _mm256_set1_ps(m);
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 vg = _mm256_loadu_ps(g + i);
        a0 = _mm256_add_ps(a0, vg);
        a1 = _mm256_fmadd_ps(vg, _mm256_sub_ps(_mm256_loadu_ps(x + i), vm), a1);
    }
    pair_sums s = { hsum8(a0), hsum8(a1) };
    for (; i < n; i++) { s.s0 += g[i]; s.s1 += g[i] * (x[i] - m); }
    return s;
}

KILN_AVX2 static void affine_avx2(const float *u, float a, const float *v, float b, float d, float *out, ptrdiff_t n) {
    const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b), vd = _mm256_set1_ps(d);
    ptrdiff_t i = 0;
    if (v) {
        for (; i + 8 <= n; i += 8) {
            __m256 r = _mm256_fmadd_ps(va, _mm256_loadu_ps(u + i), vd);
            _mm256_storeu_ps(out + i, _mm256_fmadd_ps(vb, _mm256_loadu_ps(v + i), r));
        }
        for (; i < n; i++) out[i] = a * u[i] + b * v[i] + d;
    } else {
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(u + i), vd));
        for (; i < n; i++) out[i] = a * u[i] + d;
    }
}
#endif

static float sum_portable(const float *x, ptrdiff_t n) {
    float s = 0;
    for (ptrdiff_t i = 0; i < n; i++) s += x[i];
    return s;
}

static pair_sums deviation_sums_portable(const float *x, float m, ptrdiff_t n) {
    pair_sums s = { 0, 0 };
    for (ptrdiff_t i = 0; i < n; i++) { const float d = x[i] - m; s.s0 += d; s.s1 += d * d; }
    return s;
}

static pair_sums grad_sums_portable(const float *g, const float *x, float m, ptrdiff_t n) {
    pair_sums s = { 0, 0 };
    for (ptrdiff_t i = 0; i < n; i++) { s.s0 += g[i]; s.s1 += g[i] * (x[i] - m); }
    return s;
}

static void affine_portable(const float *u, float a, const float *v, float b, float d, float *out, ptrdiff_t n) {
    if (v) {
        for (ptrdiff_t i = 0; i < n; i++) out[i] = a * u[i] + b * v[i] + d;
    } else {
        for (ptrdiff_t i = 0; i < n; i++) out[i] = a * u[i] + d;
    }
}

void kiln_channel_moments_f32(const float *x, ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,
                              ptrdiff_t c_begin, ptrdiff_t c_end, float *mean, float *variance) {
    const double count = (double)outer * (double)inner;
    for (ptrdiff_t c = c_begin; c < c_end; c++) {
        double total = 0;
        for (ptrdiff_t o = 0; o < outer; o++) {
            const float *run = x + (o * channels + c) * inner;
#if defined(__x86_64__)
            total += kiln_has_avx2_fma() ? sum_avx2(run, inner) : sum_portable(run, inner);
#else
            total += sum_portable(run, inner);
#endif
        }
        const float m = (float)(total / count);
        // The deviations' own sum measures the rounding e of m: the mean is corrected by it, and the count·e²
        // it adds to the squares is taken out.
        double deviations = 0, squares = 0;
        for (ptrdiff_t o = 0; o < outer; o++) {
            const float *run = x + (o * channels + c) * inner;
#if defined(__x86_64__)
            pair_sums s = kiln_has_avx2_fma() ? deviation_sums_avx2(run, m, inner) : deviation_sums_portable(run, m, inner);
#else
            pair_sums s = deviation_sums_portable(run, m, inner);
#endif
            deviations += s.s0;
            squares += s.s1;
        }
        const double v = (squares - deviations * deviations / count) / count;
        mean[c] = (float)(m + deviations / count);
        variance[c] = (float)(v < 0 ? 0 : v);
    }
}

void kiln_channel_affine_f32(const float *u, const float *a, const float *v, const float *b, const float *d,
                             ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,
                             ptrdiff_t c_begin, ptrdiff_t c_end, float *out) {
    for (ptrdiff_t o = 0; o < outer; o++) {
        for (ptrdiff_t c = c_begin; c < c_end; c++) {
            const ptrdiff_t at = (o * channels + c) * inner;
            const float bc = b ? b[c] : 0;
            const float *vc = v ? v + at : NULL;
#if defined(__x86_64__)
            if (kiln_has_avx2_fma()) { affine_avx2(u + at, a[c], vc, bc, d[c], out + at, inner); continue; }
#endif
            affine_portable(u + at, a[c], vc, bc, d[c], out + at, inner);
        }
    }
}

void kiln_channel_grad_sums_f32(const float *g, const float *x, const float *center,
                                ptrdiff_t outer, ptrdiff_t channels, ptrdiff_t inner,
                                ptrdiff_t c_begin, ptrdiff_t c_end, float *sum_g, float *sum_gx) {
    for (ptrdiff_t c = c_begin; c < c_end; c++) {
        double s0 = 0, s1 = 0;
        for (ptrdiff_t o = 0; o < outer; o++) {
            const ptrdiff_t at = (o * channels + c) * inner;
#if defined(__x86_64__)
            pair_sums s = kiln_has_avx2_fma() ? grad_sums_avx2(g + at, x + at, center[c], inner)
                                              : grad_sums_portable(g + at, x + at, center[c], inner);
#else
            pair_sums s = grad_sums_portable(g + at, x + at, center[c], inner);
#endif
            s0 += s.s0;
            s1 += s.s1;
        }
        sum_g[c] = (float)s0;
        sum_gx[c] = (float)s1;
    }
}
