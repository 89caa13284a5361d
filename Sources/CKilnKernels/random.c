// Philox4x32-10 blocks and the Box-Muller transform, each with an AVX2 path and a portable path that
// give the same bits: the vector code repeats the scalar operations one for one, without FMA.
#include "CKilnKernels.h"
#include <math.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

void kiln_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
    uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += PHILOX_W0; k1 += PHILOX_W1; }
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0, p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1; c3 = (uint32_t)p0; c0 = n0; c2 = n2;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

static void philox_blocks_portable(uint64_t seed, uint64_t first, uint32_t *out, ptrdiff_t blocks) {
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    for (ptrdiff_t b = 0; b < blocks; b++) {
        uint64_t index = first + (uint64_t)b;
        const uint32_t counter[4] = {(uint32_t)index, (uint32_t)(index >> 32), 0, 0};
        kiln_philox4x32_10(counter, key, out + 4 * b);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define KILN_AVX2 __attribute__((target("avx2,fma")))

// Lane-wise 32x32 -> 64-bit product of x and m, split into high and low words.
KILN_AVX2 static inline void mulhilo8(__m256i x, __m256i m, __m256i *hi, __m256i *lo) {
    __m256i even = _mm256_mul_epu32(x, m);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// Eight blocks at a time, one per lane, then transposed so each block's four words are contiguous.
KILN_AVX2 static void philox_blocks_avx2(uint64_t seed, uint64_t first, uint32_t *out, ptrdiff_t blocks) {
    const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M0), m1 = _mm256_set1_epi32((int)PHILOX_M1);
    ptrdiff_t b = 0;
    for (; b + 8 <= blocks; b += 8) {
        uint32_t lo[8], hi[8];
        for (int j = 0; j < 8; j++) {
            uint64_t index = first + (uint64_t)(b + j);
            lo[j] = (uint32_t)index; hi[j] = (uint32_t)(index >> 32);
        }
        __m256i c0 = _mm256_loadu_si256((const __m256i *)lo), c1 = _mm256_loadu_si256((const __m256i *)hi);
        __m256i c2 = _mm256_setzero_si256(), c3 = _mm256_setzero_si256();
        uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
        for (int round = 0; round < 10; round++) {
            if (round > 0) { k0 += PHILOX_W0; k1 += PHILOX_W1; }
            __m256i hi0, lo0, hi1, lo1;
            mulhilo8(c0, m0, &hi0, &lo0);
            mulhilo8(c2, m1, &hi1, &lo1);
            __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32((int)k0));
            __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32((int)k1));
            c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
        }
        __m256i t0 = _mm256_unpacklo_epi32(c0, c1), t1 = _mm256_unpacklo_epi32(c2, c3);
        __m256i t2 = _mm256_unpackhi_epi32(c0, c1), t3 = _mm256_unpackhi_epi32(c2, c3);
        __m256i u0 = _mm256_unpacklo_epi64(t0, t1), u1 = _mm256_unpackhi_epi64(t0, t1);
        __m256i u2 = _mm256_unpacklo_epi64(t2, t3), u3 = _mm256_unpackhi_epi64(t2, t3);
        __m256i *o = (__m256i *)(out + 4 * b);
        _mm256_storeu_si256(o + 0, _mm256_permute2x128_si256(u0, u1, 0x20));
        _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(u2, u3, 0x20));
        _mm256_storeu_si256(o + 2, _mm256_permute2x128_si256(u0, u1, 0x31));
        _mm256_storeu_si256(o + 3, _mm256_permute2x128_si256(u2, u3, 0x31));
    }
    philox_blocks_portable(seed, first + (uint64_t)b, out + 4 * b, blocks - b);
}
#endif

void kiln_philox_blocks(uint64_t seed, uint64_t first, uint32_t *out, ptrdiff_t blocks) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) { philox_blocks_avx2(seed, first, out, blocks); return; }
#endif
    philox_blocks_portable(seed, first, out, blocks);
}

// Natural log of x in (0, 1]: x = m·2^e with m in [√½, √2], log m = 2·atanh((m−1)/(m+1)) as an odd series.
static inline float log_unit(float x) {
    uint32_t bits;
    memcpy(&bits, &x, 4);
    float e = (float)((int32_t)((bits >> 23) & 0xFF) - 127);
    uint32_t mbits = (bits & 0x7FFFFF) | 0x3F800000;
    float m;
    memcpy(&m, &mbits, 4);
    if (m > 1.41421356f) { m = m * 0.5f; e = e + 1.0f; }
    float t = (m - 1.0f) / (m + 1.0f), t2 = t * t;
    float p = 1.0f / 9.0f;
    p = p * t2 + 1.0f / 7.0f;
    p = p * t2 + 1.0f / 5.0f;
    p = p * t2 + 1.0f / 3.0f;
    p = p * t2 + 1.0f;
    return e * 0.693147181f + 2.0f * t * p;
}

// Sine and cosine of 2π·turns for turns in [0, 1]: reduce to a quarter turn, then Taylor polynomials.
static inline void sincos_turns(float turns, float *s, float *c) {
    float q = rintf(turns * 4.0f);
    float a = (turns - q * 0.25f) * 6.28318531f, a2 = a * a;
    float ps = 1.0f / 362880.0f;
    ps = ps * a2 - 1.0f / 5040.0f;
    ps = ps * a2 + 1.0f / 120.0f;
    ps = ps * a2 - 1.0f / 6.0f;
    ps = ps * a2 + 1.0f;
    float pc = -1.0f / 3628800.0f;
    pc = pc * a2 + 1.0f / 40320.0f;
    pc = pc * a2 - 1.0f / 720.0f;
    pc = pc * a2 + 1.0f / 24.0f;
    pc = pc * a2 - 0.5f;
    pc = pc * a2 + 1.0f;
    float sa = a * ps, ca = pc;
    switch ((int)q & 3) {
    case 0: *s = sa; *c = ca; break;
    case 1: *s = ca; *c = -sa; break;
    case 2: *s = -sa; *c = -ca; break;
    default: *s = -ca; *c = sa; break;
    }
}

static void normal_portable(const uint32_t *words, float *out, ptrdiff_t n, float mean, float std) {
    for (ptrdiff_t i = 0; i < n; i += 2) {
        float u = ((float)(words[i] >> 9) + 0.5f) * 0x1p-23f;
        float turns = (float)(words[i + 1] >> 8) * 0x1p-24f;
        float r = sqrtf(-2.0f * log_unit(u)), s, c;
        sincos_turns(turns, &s, &c);
        out[i] = mean + std * (r * c);
        if (i + 1 < n) out[i + 1] = mean + std * (r * s);
    }
}

#if defined(__x86_64__)
KILN_AVX2 static __m256 log_unit8(__m256 x) {
    __m256i bits = _mm256_castps_si256(x);
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xFF)),
                                                   _mm256_set1_epi32(127)));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x7FFFFF)),
                                                   _mm256_set1_epi32(0x3F800000)));
    __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356f), _CMP_GT_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
    e = _mm256_blendv_ps(e, _mm256_add_ps(e, _mm256_set1_ps(1.0f)), big);
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 t = _mm256_div_ps(_mm256_sub_ps(m, one), _mm256_add_ps(m, one)), t2 = _mm256_mul_ps(t, t);
    __m256 p = _mm256_set1_ps(1.0f / 9.0f);
    p = _mm256_add_ps(_mm256_mul_ps(p, t2), _mm256_set1_ps(1.0f / 7.0f));
    p = _mm256_add_ps(_mm256_mul_ps(p, t2), _mm256_set1_ps(1.0f / 5.0f));
    p = _mm256_add_ps(_mm256_mul_ps(p, t2), _mm256_set1_ps(1.0f / 3.0f));
    p = _mm256_add_ps(_mm256_mul_ps(p, t2), one);
    return _mm256_add_ps(_mm256_mul_ps(e, _mm256_set1_ps(0.693147181f)),
                         _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(2.0f), t), p));
}

KILN_AVX2 static void sincos_turns8(__m256 turns, __m256 *s, __m256 *c) {
    __m256 q = _mm256_round_ps(_mm256_mul_ps(turns, _mm256_set1_ps(4.0f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 a = _mm256_mul_ps(_mm256_sub_ps(turns, _mm256_mul_ps(q, _mm256_set1_ps(0.25f))), _mm256_set1_ps(6.28318531f));
    __m256 a2 = _mm256_mul_ps(a, a);
    __m256 ps = _mm256_set1_ps(1.0f / 362880.0f);
    ps = _mm256_sub_ps(_mm256_mul_ps(ps, a2), _mm256_set1_ps(1.0f / 5040.0f));
    ps = _mm256_add_ps(_mm256_mul_ps(ps, a2), _mm256_set1_ps(1.0f / 120.0f));
    ps = _mm256_sub_ps(_mm256_mul_ps(ps, a2), _mm256_set1_ps(1.0f / 6.0f));
    ps = _mm256_add_ps(_mm256_mul_ps(ps, a2), _mm256_set1_ps(1.0f));
    __m256 pc = _mm256_set1_ps(-1.0f / 3628800.0f);
    pc = _mm256_add_ps(_mm256_mul_ps(pc, a2), _mm256_set1_ps(1.0f / 40320.0f));
    pc = _mm256_sub_ps(_mm256_mul_ps(pc, a2), _mm256_set1_ps(1.0f / 720.0f));
    pc = _mm256_add_ps(_mm256_mul_ps(pc, a2), _mm256_set1_ps(1.0f / 24.0f));
    pc = _mm256_sub_ps(_mm256_mul_ps(pc, a2), _mm256_set1_ps(0.5f));
    pc = _mm256_add_ps(_mm256_mul_ps(pc, a2), _mm256_set1_ps(1.0f));
    __m256 sa = _mm256_mul_ps(a, ps), ca = pc;
    __m256i qi = _mm256_and_si256(_mm256_cvtps_epi32(q), _mm256_set1_epi32(3));
    __m256 swap = _mm256_castsi256_ps(_mm256_slli_epi32(qi, 31));                            // quadrants 1, 3
    __m256 sinNeg = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_srli_epi32(qi, 1), 31));   // quadrants 2, 3
    __m256 cosNeg = _mm256_xor_ps(swap, sinNeg);                                            // quadrants 1, 2
    __m256 sv = _mm256_blendv_ps(sa, ca, swap), cv = _mm256_blendv_ps(ca, sa, swap);
    *s = _mm256_xor_ps(sv, sinNeg);
    *c = _mm256_xor_ps(cv, cosNeg);
}

KILN_AVX2 static void normal_avx2(const uint32_t *words, float *out, ptrdiff_t n, float mean, float std) {
    const __m256 vm = _mm256_set1_ps(mean), vs = _mm256_set1_ps(std);
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        // Split 8 (radius, angle) word pairs into two vectors.
        __m256i w0 = _mm256_loadu_si256((const __m256i *)(words + i)), w1 = _mm256_loadu_si256((const __m256i *)(words + i + 8));
        __m256i order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
        __m256i p0 = _mm256_permutevar8x32_epi32(w0, order), p1 = _mm256_permutevar8x32_epi32(w1, order);
        __m256i radiusWords = _mm256_permute2x128_si256(p0, p1, 0x20), angleWords = _mm256_permute2x128_si256(p0, p1, 0x31);
        __m256 u = _mm256_mul_ps(_mm256_add_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(radiusWords, 9)), _mm256_set1_ps(0.5f)),
                                 _mm256_set1_ps(0x1p-23f));
        __m256 turns = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(angleWords, 8)), _mm256_set1_ps(0x1p-24f));
        __m256 r = _mm256_sqrt_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f), log_unit8(u))), s, c;
        sincos_turns8(turns, &s, &c);
        __m256 zc = _mm256_add_ps(vm, _mm256_mul_ps(vs, _mm256_mul_ps(r, c)));
        __m256 zs = _mm256_add_ps(vm, _mm256_mul_ps(vs, _mm256_mul_ps(r, s)));
        // Interleave back: out[2k] = cos part, out[2k+1] = sin part.
        __m256 lo = _mm256_unpacklo_ps(zc, zs), hi = _mm256_unpackhi_ps(zc, zs);
        _mm256_storeu_ps(out + i, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(out + i + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
    normal_portable(words + i, out + i, n - i, mean, std);
}
#endif

void kiln_normal_f32(const uint32_t *words, float *out, ptrdiff_t n, float mean, float std) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) { normal_avx2(words, out, n, mean, std); return; }
#endif
    normal_portable(words, out, n, mean, std);
}
