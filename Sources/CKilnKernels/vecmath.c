// Vectorized exp, log, tanh, sigmoid and erf over float arrays.
//
// The AVX2/FMA versions evaluate polynomials after a range reduction and stay within a few
// ulp of the correctly rounded result; NaN passes through and infinities give the limits.
// Tails shorter than eight floats go through masked loads, so every element gets the same
// arithmetic whatever the split of an array. The portable path calls libm.
#include "CKilnKernels.h"
#include <math.h>

#include "vecmath8.h"

#if defined(__x86_64__)
// Loops over n floats: full vectors, then one masked vector for the tail.
#define VECTOR_LOOP(NAME, F)                                                              \
    KILN_AVX2 static void NAME(const float *x, float *y, ptrdiff_t n) {                   \
        ptrdiff_t i = 0;                                                                  \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i)));     \
        if (i < n) {                                                                      \
            __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);                     \
            __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - i)), lane);     \
            _mm256_maskstore_ps(y + i, mask, F(_mm256_maskload_ps(x + i, mask)));         \
        }                                                                                 \
    }

VECTOR_LOOP(exp_avx2, exp8)
VECTOR_LOOP(log_avx2, log8)
VECTOR_LOOP(tanh_avx2, tanh8)
VECTOR_LOOP(sigmoid_avx2, sigmoid8)
VECTOR_LOOP(erf_avx2, erf8)
#define DISPATCH(NAME) if (kiln_has_avx2_fma()) { NAME(x, y, n); return; }
#else
#define DISPATCH(NAME)
#endif

static inline float sigmoid1(float x) {
    float e = expf(-fabsf(x));
    return (x < 0 ? e : 1.0f) / (1.0f + e);
}

void kiln_exp_f32(const float *x, float *y, ptrdiff_t n) {
    DISPATCH(exp_avx2)
    for (ptrdiff_t i = 0; i < n; i++) y[i] = expf(x[i]);
}

void kiln_log_f32(const float *x, float *y, ptrdiff_t n) {
    DISPATCH(log_avx2)
    for (ptrdiff_t i = 0; i < n; i++) y[i] = logf(x[i]);
}

void kiln_tanh_f32(const float *x, float *y, ptrdiff_t n) {
    DISPATCH(tanh_avx2)
    for (ptrdiff_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

void kiln_sigmoid_f32(const float *x, float *y, ptrdiff_t n) {
    DISPATCH(sigmoid_avx2)
    for (ptrdiff_t i = 0; i < n; i++) y[i] = sigmoid1(x[i]);
}

void kiln_erf_f32(const float *x, float *y, ptrdiff_t n) {
    DISPATCH(erf_avx2)
    for (ptrdiff_t i = 0; i < n; i++) y[i] = erff(x[i]);
}
