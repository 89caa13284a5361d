// Vectorized e^x on eight floats, shared by the kernels that need exp at register level.
// A private header of CKilnKernels: include it only inside `#if defined(__x86_64__)`.
#ifndef KILN_EXP_AVX2_H
#define KILN_EXP_AVX2_H

#include <immintrin.h>

#ifndef KILN_AVX2
#define KILN_AVX2 __attribute__((target("avx2,fma")))
#endif

// e^x = 2^n·e^r with x = n·ln2 + r, |r| ≤ ln2/2, and e^r by a degree-7 polynomial (Cephes).
// Returns e^r and sets *n (n sits in the low mantissa bits of the rounding sum).
KILN_AVX2 static inline __m256 exp_reduced8(__m256 x, __m256i *n) {
    const __m256 magic = _mm256_set1_ps(12582912.0f); // 1.5·2^23: adding it rounds to an integer
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
    __m256 nf = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(-2.12194440e-4f), r);
    // Estrin's scheme: a shorter dependency chain than Horner's, so more vectors overlap.
    __m256 r2 = _mm256_mul_ps(r, r), r4 = _mm256_mul_ps(r2, r2);
    __m256 p01 = _mm256_fmadd_ps(_mm256_set1_ps(1.6666665459e-1f), r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 p23 = _mm256_fmadd_ps(_mm256_set1_ps(8.3334519073e-3f), r, _mm256_set1_ps(4.1665795894e-2f));
    __m256 p45 = _mm256_fmadd_ps(_mm256_set1_ps(1.9875691500e-4f), r, _mm256_set1_ps(1.3981999507e-3f));
    __m256 p = _mm256_fmadd_ps(p45, r4, _mm256_fmadd_ps(p23, r2, p01));
    *n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
    return _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
}

KILN_AVX2 static inline __m256 pow2i8(__m256i n) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}

// e^x for x ∈ [-87, 88], where 2^n is a normal float.
KILN_AVX2 static inline __m256 exp_normal8(__m256 x) {
    __m256i n;
    __m256 p = exp_reduced8(x, &n);
    return _mm256_mul_ps(p, pow2i8(n));
}

// e^x for every x. 2^n is applied in two halves, so results near overflow and in the
// subnormal range are scaled exactly.
KILN_AVX2 static inline __m256 exp8(__m256 x) {
    // Clamp first (with x as the second operand so NaN survives): beyond these, e^x is inf or 0.
    x = _mm256_min_ps(_mm256_set1_ps(89.0f), x);
    x = _mm256_max_ps(_mm256_set1_ps(-104.0f), x);
    __m256i n;
    __m256 p = exp_reduced8(x, &n);
    // n ∈ [-150, 129], so each half is a normal power of two.
    __m256i n1 = _mm256_srai_epi32(n, 1);
    return _mm256_mul_ps(_mm256_mul_ps(p, pow2i8(n1)), pow2i8(_mm256_sub_epi32(n, n1)));
}

#endif
