// Unary elementwise kernels: dispatch by op, strided access and clamping.
#include "CKilnKernels.h"
#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define KILN_AVX2 __attribute__((target("avx2,fma")))

#define AVX_UNARY(NAME, VOP, SCALAR)                                                  \
    KILN_AVX2 static void NAME(const float *x, float *y, ptrdiff_t n) {               \
        ptrdiff_t i = 0;                                                              \
        for (; i + 8 <= n; i += 8) { __m256 v = _mm256_loadu_ps(x + i); _mm256_storeu_ps(y + i, VOP); } \
        for (; i < n; i++) { float v = x[i]; y[i] = (SCALAR); }                       \
    }

AVX_UNARY(sqrt_avx2, _mm256_sqrt_ps(v), sqrtf(v))
AVX_UNARY(rsqrt_avx2, _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_sqrt_ps(v)), 1.0f / sqrtf(v))
AVX_UNARY(abs_avx2, _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v), fabsf(v))
// (0 < x) - (x < 0) as PyTorch computes it: NaN and ±0 give 0.
AVX_UNARY(sign_avx2,
          _mm256_sub_ps(_mm256_and_ps(_mm256_cmp_ps(_mm256_setzero_ps(), v, _CMP_LT_OQ), _mm256_set1_ps(1.0f)),
                        _mm256_and_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ), _mm256_set1_ps(1.0f))),
          (float)(0.0f < v) - (float)(v < 0.0f))

KILN_AVX2 static void clamp_avx2(const float *x, float *y, ptrdiff_t n, float lo, float hi) {
    __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    ptrdiff_t i = 0;
    // x as the second operand of max/min: NaN comes through.
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_min_ps(vhi, _mm256_max_ps(vlo, _mm256_loadu_ps(x + i))));
    for (; i < n; i++) { float v = x[i]; v = v < lo ? lo : v; y[i] = v > hi ? hi : v; }
}
#define DISPATCH(NAME) if (kiln_has_avx2_fma()) { NAME(x, y, n); return; }
#else
#define DISPATCH(NAME)
#endif

#define PORTABLE_LOOP(EXPR) for (ptrdiff_t i = 0; i < n; i++) { float v = x[i]; y[i] = (EXPR); }

void kiln_unary_f32(kiln_unary_op op, const float *x, float *y, ptrdiff_t n) {
    switch (op) {
    case KILN_EXP: kiln_exp_f32(x, y, n); return;
    case KILN_LOG: kiln_log_f32(x, y, n); return;
    case KILN_TANH: kiln_tanh_f32(x, y, n); return;
    case KILN_SIGMOID: kiln_sigmoid_f32(x, y, n); return;
    case KILN_ERF: kiln_erf_f32(x, y, n); return;
    case KILN_EXPM1: PORTABLE_LOOP(expm1f(v)) return;
    case KILN_LOG1P: PORTABLE_LOOP(log1pf(v)) return;
    case KILN_SIN: PORTABLE_LOOP(sinf(v)) return;
    case KILN_COS: PORTABLE_LOOP(cosf(v)) return;
    case KILN_SQRT: DISPATCH(sqrt_avx2) PORTABLE_LOOP(sqrtf(v)) return;
    case KILN_RSQRT: DISPATCH(rsqrt_avx2) PORTABLE_LOOP(1.0f / sqrtf(v)) return;
    case KILN_ABS: DISPATCH(abs_avx2) PORTABLE_LOOP(fabsf(v)) return;
    case KILN_SIGN: DISPATCH(sign_avx2) PORTABLE_LOOP((float)(0.0f < v) - (float)(v < 0.0f)) return;
    }
}

// Strided operands go through a small contiguous buffer so every op keeps its vector kernel.
#define STRIDED_BLOCK 256

void kiln_unary_strided_f32(kiln_unary_op op, const float *x, ptrdiff_t sx, float *y, ptrdiff_t sy, ptrdiff_t n) {
    if (sx == 1 && sy == 1) { kiln_unary_f32(op, x, y, n); return; }
    float in[STRIDED_BLOCK], out[STRIDED_BLOCK];
    for (ptrdiff_t start = 0; start < n; start += STRIDED_BLOCK) {
        ptrdiff_t m = n - start < STRIDED_BLOCK ? n - start : STRIDED_BLOCK;
        for (ptrdiff_t i = 0; i < m; i++) in[i] = x[(start + i) * sx];
        kiln_unary_f32(op, in, out, m);
        for (ptrdiff_t i = 0; i < m; i++) y[(start + i) * sy] = out[i];
    }
}

void kiln_clamp_f32(const float *x, ptrdiff_t sx, float *y, ptrdiff_t sy, ptrdiff_t n, float lo, float hi) {
#if defined(__x86_64__)
    if (sx == 1 && sy == 1 && kiln_has_avx2_fma()) { clamp_avx2(x, y, n, lo, hi); return; }
#endif
    for (ptrdiff_t i = 0; i < n; i++) {
        float v = x[i * sx];
        v = v < lo ? lo : v;
        y[i * sy] = v > hi ? hi : v;
    }
}
