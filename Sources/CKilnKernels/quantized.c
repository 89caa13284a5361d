// The int8 weight-only matrix–vector product of quantized decoding: a quarter of float32's weight bytes.
#include "CKilnQuantized.h"
#include "CKilnKernels.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define KILN_AVX2 __attribute__((target("avx2,fma")))

/// Blocks of 32 outputs in four registers while every input passes: eight codes widened to floats per FMA.
KILN_AVX2 static ptrdiff_t int8_gemv_avx2(const int8_t *codes, ptrdiff_t in, ptrdiff_t out, const float *x, float *acc) {
    ptrdiff_t o = 0;
    for (; o + 32 <= out; o += 32) {
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        for (ptrdiff_t i = 0; i < in; i++) {
            const __m256 xi = _mm256_set1_ps(x[i]);
            const __m256i bytes = _mm256_loadu_si256((const __m256i *)(codes + i * out + o));
            const __m128i low = _mm256_castsi256_si128(bytes), high = _mm256_extracti128_si256(bytes, 1);
            a0 = _mm256_fmadd_ps(xi, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(low)), a0);
            a1 = _mm256_fmadd_ps(xi, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(low, 8))), a1);
            a2 = _mm256_fmadd_ps(xi, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(high)), a2);
            a3 = _mm256_fmadd_ps(xi, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(high, 8))), a3);
        }
        _mm256_storeu_ps(acc + o, a0);
        _mm256_storeu_ps(acc + o + 8, a1);
        _mm256_storeu_ps(acc + o + 16, a2);
        _mm256_storeu_ps(acc + o + 24, a3);
    }
    return o;
}
#endif

void kiln_int8_gemv_f32(const int8_t *codes, const float *scale, ptrdiff_t in, ptrdiff_t out, const float *x,
                        const float *bias, float *y) {
    memset(y, 0, (size_t)out * sizeof(float));
    ptrdiff_t done = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) done = int8_gemv_avx2(codes, in, out, x, y);
#endif
    // The portable path, and the outputs past the SIMD blocks.
    for (ptrdiff_t i = 0; i < in; i++) {
        for (ptrdiff_t o = done; o < out; o++) y[o] += x[i] * (float)codes[i * out + o];
    }
    for (ptrdiff_t o = 0; o < out; o++) y[o] = y[o] * scale[o] + (bias ? bias[o] : 0.0f);
}
