// Elementwise binary kernels, accumulation, fills and strided copies.
#include "CKilnKernels.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define KILN_AVX2 __attribute__((target("avx2,fma")))

#define AVX_LOOP(VOP, SCALAR)                                                        \
    ptrdiff_t i = 0;                                                                 \
    if (sa == 1 && sb == 1) {                                                        \
        for (; i + 8 <= n; i += 8) {                                                 \
            __m256 x = _mm256_loadu_ps(a + i), y = _mm256_loadu_ps(b + i);           \
            _mm256_storeu_ps(out + i, VOP(x, y));                                    \
        }                                                                            \
    } else if (sa == 1) {                                                            \
        __m256 y = _mm256_set1_ps(b[0]);                                             \
        for (; i + 8 <= n; i += 8) {                                                 \
            __m256 x = _mm256_loadu_ps(a + i);                                       \
            _mm256_storeu_ps(out + i, VOP(x, y));                                    \
        }                                                                            \
    } else if (sb == 1) {                                                            \
        __m256 x = _mm256_set1_ps(a[0]);                                             \
        for (; i + 8 <= n; i += 8) {                                                 \
            __m256 y = _mm256_loadu_ps(b + i);                                       \
            _mm256_storeu_ps(out + i, VOP(x, y));                                    \
        }                                                                            \
    }                                                                                \
    for (; i < n; i++) { float x = a[i * sa], y = b[i * sb]; out[i] = (SCALAR); }

KILN_AVX2 static void binary_avx2(kiln_binary_op op, const float *a, ptrdiff_t sa,
                                  const float *b, ptrdiff_t sb, float *out, ptrdiff_t n) {
    switch (op) {
    case KILN_ADD: { AVX_LOOP(_mm256_add_ps, x + y) } break;
    case KILN_SUB: { AVX_LOOP(_mm256_sub_ps, x - y) } break;
    case KILN_MUL: { AVX_LOOP(_mm256_mul_ps, x * y) } break;
    case KILN_DIV: { AVX_LOOP(_mm256_div_ps, x / y) } break;
    case KILN_MAX: { AVX_LOOP(_mm256_max_ps, (x != x || x > y) ? x : y) } break;
    case KILN_MIN: { AVX_LOOP(_mm256_min_ps, (x != x || x < y) ? x : y) } break;
    default: break;
    }
}
#endif

static inline float apply(kiln_binary_op op, float x, float y) {
    switch (op) {
    case KILN_ADD: return x + y;
    case KILN_SUB: return x - y;
    case KILN_MUL: return x * y;
    case KILN_DIV: return x / y;
    case KILN_MAX: return (x != x || x > y) ? x : (y != y ? y : (x == y ? x : y));
    case KILN_MIN: return (x != x || x < y) ? x : (y != y ? y : (x == y ? x : y));
    case KILN_POW: return powf(x, y);
    }
    return 0;
}

#define PORTABLE_LOOP(EXPR) for (ptrdiff_t i = 0; i < n; i++) { float x = a[i * sa], y = b[i * sb]; out[i] = (EXPR); }

void kiln_binary_f32(kiln_binary_op op, const float *a, ptrdiff_t sa,
                     const float *b, ptrdiff_t sb, float *out, ptrdiff_t n) {
#if defined(__x86_64__)
    // NaN propagation of max/min: the SIMD max/min return the second operand on NaN,
    // so those two keep the portable path when NaN semantics matter (handled in apply()).
    if (op != KILN_POW && op != KILN_MAX && op != KILN_MIN && kiln_has_avx2_fma()) {
        binary_avx2(op, a, sa, b, sb, out, n);
        return;
    }
#endif
    switch (op) {
    case KILN_ADD: PORTABLE_LOOP(x + y) break;
    case KILN_SUB: PORTABLE_LOOP(x - y) break;
    case KILN_MUL: PORTABLE_LOOP(x * y) break;
    case KILN_DIV: PORTABLE_LOOP(x / y) break;
    default: PORTABLE_LOOP(apply(op, x, y)) break;
    }
}

void kiln_binary_strided_f32(kiln_binary_op op, const float *a, ptrdiff_t sa,
                             const float *b, ptrdiff_t sb, float *out, ptrdiff_t so, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i++) out[i * so] = apply(op, a[i * sa], b[i * sb]);
}

void kiln_copy_strided(const void *src, ptrdiff_t ss, void *dst, ptrdiff_t ds, ptrdiff_t n, int size) {
    if (ss == 1 && ds == 1) { memcpy(dst, src, (size_t)n * (size_t)size); return; }
    if (ss == 0 && ds == 1 && size == 4) {   // one value broadcast along a row: a fill the compiler vectorizes
        const uint32_t v = *(const uint32_t *)src;
        uint32_t *d = dst;
        for (ptrdiff_t i = 0; i < n; i++) d[i] = v;
        return;
    }
    switch (size) {
    case 4: { const uint32_t *s = src; uint32_t *d = dst; for (ptrdiff_t i = 0; i < n; i++) d[i * ds] = s[i * ss]; } break;
    case 8: { const uint64_t *s = src; uint64_t *d = dst; for (ptrdiff_t i = 0; i < n; i++) d[i * ds] = s[i * ss]; } break;
    default: { const uint8_t *s = src; uint8_t *d = dst;
        for (ptrdiff_t i = 0; i < n; i++) memcpy(d + i * ds * size, s + i * ss * size, (size_t)size); } break;
    }
}

#if defined(__x86_64__)
KILN_AVX2 static float sum_avx2(const float *x, ptrdiff_t n) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    ptrdiff_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc[0] = _mm256_add_ps(acc[0], _mm256_loadu_ps(x + i));
        acc[1] = _mm256_add_ps(acc[1], _mm256_loadu_ps(x + i + 8));
        acc[2] = _mm256_add_ps(acc[2], _mm256_loadu_ps(x + i + 16));
        acc[3] = _mm256_add_ps(acc[3], _mm256_loadu_ps(x + i + 24));
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    float total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; i < n; i++) total += x[i];
    return total;
}
#endif

float kiln_sum_f32(const float *x, ptrdiff_t s, ptrdiff_t n) {
    // Blocks of 4096 are summed separately and then added, which keeps the rounding
    // error growth logarithmic-like for long rows.
    if (n > 4096) {
        ptrdiff_t half = (n / 2 + 4095) / 4096 * 4096;
        return kiln_sum_f32(x, s, half) + kiln_sum_f32(x + half * s, s, n - half);
    }
#if defined(__x86_64__)
    if (s == 1 && kiln_has_avx2_fma()) return sum_avx2(x, n);
#endif
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += x[(i + k) * s];
    float total = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < n; i++) total += x[i * s];
    return total;
}

void kiln_accumulate_f32(const float *x, ptrdiff_t sx, float *y, ptrdiff_t sy, ptrdiff_t n) {
    if (sx == 1 && sy == 1) { kiln_binary_f32(KILN_ADD, y, 1, x, 1, y, n); return; }
    for (ptrdiff_t i = 0; i < n; i++) y[i * sy] += x[i * sx];
}

void kiln_fill_f32(float *y, float value, ptrdiff_t n) {
    for (ptrdiff_t i = 0; i < n; i++) y[i] = value;
}
