// Vector-level exp, log, tanh, sigmoid and erf on one AVX2 register of eight floats, shared by
// the array kernels of vecmath.c and the fused activation kernels. Private to CKilnKernels.
#ifndef KILN_VECMATH8_H
#define KILN_VECMATH8_H

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#ifndef KILN_AVX2
#define KILN_AVX2 __attribute__((target("avx2,fma")))
#endif

// The sum of a register's eight lanes.
KILN_AVX2 static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

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

// e^r after the same reduction as exp_reduced8 by a degree-5 polynomial instead of degree 7:
// relative error 1.1e-7 before rounding (fitted by scripts/kernels/fit_kernel_polynomials.py) for
// three FMAs fewer. For throughput-bound kernels (softmax, GELU) where a few ulp are fine.
KILN_AVX2 static inline __m256 exp_reduced_short8(__m256 x, __m256i *n) {
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
    __m256 nf = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 r2 = _mm256_mul_ps(r, r);
    __m256 q01 = _mm256_fmadd_ps(_mm256_set1_ps(1.6667114458e-01f), r, _mm256_set1_ps(4.9999231775e-01f));
    __m256 q23 = _mm256_fmadd_ps(_mm256_set1_ps(8.3125260407e-03f), r, _mm256_set1_ps(4.1890114900e-02f));
    __m256 q = _mm256_fmadd_ps(q23, r2, q01);
    *n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
    return _mm256_fmadd_ps(q, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
}

// exp_normal8 with the degree-5 polynomial of exp_reduced_short8.
KILN_AVX2 static inline __m256 exp_normal_short8(__m256 x) {
    __m256i n;
    __m256 p = exp_reduced_short8(x, &n);
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

// log x: x = m·2^e with m ∈ [√½, √2), log m = f - f²/2 + f³·P(f) with f = m - 1 (Cephes).
KILN_AVX2 static inline __m256 log8(__m256 x) {
    // Subnormals: scale by 2^23 so the exponent field holds the whole exponent.
    __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
    __m256 xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), tiny);
    __m256 eadjust = _mm256_and_ps(tiny, _mm256_set1_ps(23.0f));
    __m256i bits = _mm256_castps_si256(xs);
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(126)));
    e = _mm256_sub_ps(e, eadjust);
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)),
                                                   _mm256_set1_epi32(0x3F000000)));
    // m ∈ [½, 1): below √½ use 2m - 1 and one less in the exponent.
    __m256 low = _mm256_cmp_ps(m, _mm256_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
    __m256 f = _mm256_sub_ps(_mm256_add_ps(m, _mm256_and_ps(low, m)), _mm256_set1_ps(1.0f));
    e = _mm256_sub_ps(e, _mm256_and_ps(low, _mm256_set1_ps(1.0f)));
    __m256 z = _mm256_mul_ps(f, f);
    __m256 p = _mm256_set1_ps(7.0376836292e-2f);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.1514610310e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.1676998740e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.2420140846e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.4249322787e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-1.6668057665e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(2.0000714765e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(-2.4999993993e-1f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(3.3333331174e-1f));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, f), z);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
    y = _mm256_fnmadd_ps(z, _mm256_set1_ps(0.5f), y);
    y = _mm256_add_ps(f, y);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), y);
    // log 0 = -inf, log of a negative = NaN, log inf = inf, log NaN = NaN.
    y = _mm256_blendv_ps(y, _mm256_set1_ps(-INFINITY), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(NAN), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, _mm256_set1_ps(INFINITY), _CMP_NLT_UQ));
}

// P(z) with (tanh x - x)/x³ = P(x²) for |x| < 0.625 (Cephes; within 1.6e-6 relative).
KILN_AVX2 static inline __m256 tanh_cubic8(__m256 z) {
    __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954e-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531e-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036e-1f));
    return _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422e-1f));
}

// tanh x: x + x³·P(x²) for |x| < 0.625 (tanh_cubic8), else 1 - 2/(e^{2|x|} + 1) with the sign of x.
KILN_AVX2 static inline __m256 tanh8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 ax = _mm256_andnot_ps(sign, x);
    __m256 z = _mm256_mul_ps(x, x);
    __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(tanh_cubic8(z), z), x, x);
    // tanh 10 rounds to 1, so clamping there keeps e^{2|x|} finite; NaN passes the min.
    __m256 e = exp_normal8(_mm256_add_ps(_mm256_min_ps(_mm256_set1_ps(10.0f), ax), _mm256_min_ps(_mm256_set1_ps(10.0f), ax)));
    __m256 large = _mm256_sub_ps(_mm256_set1_ps(1.0f),
                                 _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
    large = _mm256_or_ps(large, _mm256_and_ps(sign, x));
    return _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

// σ(x) = 1/(1 + e^{-x}) for x ≥ 0 and e^{x}/(1 + e^{x}) below, so e^{-|x|} never overflows.
KILN_AVX2 static inline __m256 sigmoid8(__m256 x) {
    __m256 e = exp8(_mm256_or_ps(x, _mm256_set1_ps(-0.0f)));
    __m256 numerator = _mm256_blendv_ps(_mm256_set1_ps(1.0f), e, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
    return _mm256_div_ps(numerator, _mm256_add_ps(e, _mm256_set1_ps(1.0f)));
}

// erf x: x·P(x²) for |x| < 0.921875, else 1 - e^{-x²}·Q(|x| - 2.4609375) with |x| clamped to 4
// (where erf rounds to 1). P and Q are near-minimax fits (relative 2e-8, absolute 2.3e-8 on erfc).
// A branch is skipped when no lane needs it.
#define ERF_SPLIT 0.921875f
KILN_AVX2 static inline __m256 erf8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 ax = _mm256_andnot_ps(sign, x);
    __m256 below = _mm256_cmp_ps(ax, _mm256_set1_ps(ERF_SPLIT), _CMP_LT_OQ);
    int lanesBelow = _mm256_movemask_ps(below);
    __m256 small = _mm256_setzero_ps(), large = _mm256_setzero_ps();
    if (lanesBelow != 0) {
        __m256 z = _mm256_mul_ps(x, x);
        __m256 p = _mm256_set1_ps(-5.990889910628544e-4f);
        p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(4.9931888277129355e-3f));
        p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-2.6766623645565035e-2f));
        p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.1281816447481094e-1f));
        p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.761249373029085e-1f));
        p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.1283791495754139f));
        small = _mm256_mul_ps(p, x);
        if (lanesBelow == 0xFF) return small;
    }
    __m256 c = _mm256_min_ps(_mm256_set1_ps(4.0f), ax);
    __m256 u = _mm256_sub_ps(c, _mm256_set1_ps(2.4609375f));
    __m256 u2 = _mm256_mul_ps(u, u), u4 = _mm256_mul_ps(u2, u2);
    __m256 q01 = _mm256_fmadd_ps(_mm256_set1_ps(-0.07626378536224365f), u, _mm256_set1_ps(0.2137499749660492f));
    __m256 q23 = _mm256_fmadd_ps(_mm256_set1_ps(-0.008175123482942581f), u, _mm256_set1_ps(0.026193253695964813f));
    __m256 q45 = _mm256_fmadd_ps(_mm256_set1_ps(-0.002401256002485752f), u, _mm256_set1_ps(0.001891989610157907f));
    __m256 q67 = _mm256_fmadd_ps(_mm256_set1_ps(-0.00046057443250901997f), u, _mm256_set1_ps(-0.0010409657843410969f));
    __m256 q = _mm256_fmadd_ps(_mm256_fmadd_ps(q67, u2, q45), u4, _mm256_fmadd_ps(q23, u2, q01));
    __m256 erfc = _mm256_mul_ps(exp_normal8(_mm256_xor_ps(_mm256_mul_ps(c, c), sign)), q);
    large = _mm256_or_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), erfc), _mm256_and_ps(sign, x));
    return lanesBelow == 0 ? large : _mm256_blendv_ps(large, small, below);
}

#endif
#endif
