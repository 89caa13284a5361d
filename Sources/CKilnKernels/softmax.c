// Softmax over segments of a row and over whole rows: three-pass (reload or recompute) and the
// two-pass algorithm of Dukhan & Ablavatski (2020), and the log-sum-exp of the loss kernels.
//
// The two-pass algorithm never looks for the maximum: each e^x is kept as a pair (m, n) with
// e^x = m·2^n, m ∈ [√½, √2], and the running sum is a pair too, rescaled to the larger exponent.
// Tails shorter than eight floats go through masked loads, so every element gets the same arithmetic.
#include "CKilnKernels.h"
#include <math.h>
#include <stdint.h>

// The lowest exponent a two-pass accumulator starts from (below every element's exponent).
#define EXPONENT_FLOOR (-(1 << 30))
// |scale·x| is clamped here before the pair is formed: e^{±1e6} is far outside float but its
// exponent still fits the rounding trick of the range reduction (|n| < 2^22).
#define PAIR_CLAMP 1e6f
// The pair exponent of e^{±PAIR_CLAMP}: round(1e6 / ln 2).
#define CLAMP_EXPONENT 1442695
// Elements summed in float before the running total (in double) takes the block's sum.
#define SUM_BLOCK 4096

static inline float pair_scalar(float x, float scale, int *n) {
    double v = fmin(fmax((double)x * scale, -PAIR_CLAMP), PAIR_CLAMP);
    double k = nearbyint(v * 1.4426950408889634);
    *n = (int)k;
    return (float)exp(v - k * 0.6931471805599453);
}

// What a RELOAD segment's stored e^{scale·(x − part.offset)} is multiplied by (NaN for a row whose
// every element is -inf, as PyTorch gives).
static float reload_factor(float scale, kiln_softmax_stats part, kiln_softmax_stats total) {
    if (part.sum == 0) return total.sum == 0 ? NAN : 0;
    return (float)(exp((double)scale * ((double)part.offset - total.offset)) / total.sum);
}

// Two-pass phase one, one float at a time. NaN or +inf make the sum NaN (so the whole row is NaN,
// as in PyTorch); -inf contributes nothing.
static kiln_softmax_stats two_pass_stats_scalar(const float *x, ptrdiff_t n, float scale) {
    int k = EXPONENT_FLOOR;
    double s = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        if (x[i] != x[i] || x[i] == INFINITY) {
            kiln_softmax_stats nan = {(float)EXPONENT_FLOOR, NAN};
            return nan;
        }
        if (x[i] == -INFINITY) continue;
        int e;
        float m = pair_scalar(x[i], scale, &e);
        if (e > k) { s = ldexp(s, k - e); k = e; }
        s += ldexp(m, e - k);
    }
    kiln_softmax_stats out = {(float)k, (float)s};
    return out;
}

#include "softmax8.h"

#if defined(__x86_64__)

KILN_AVX2 static inline float hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// The largest element (a NaN is not tracked: it reaches the sum through e^x instead).
KILN_AVX2 static float max_avx2(const float *x, ptrdiff_t n) {
    __m256 a0 = _mm256_set1_ps(-INFINITY), a1 = a0, a2 = a0, a3 = a0;
    ptrdiff_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_max_ps(a0, _mm256_loadu_ps(x + i));
        a1 = _mm256_max_ps(a1, _mm256_loadu_ps(x + i + 8));
        a2 = _mm256_max_ps(a2, _mm256_loadu_ps(x + i + 16));
        a3 = _mm256_max_ps(a3, _mm256_loadu_ps(x + i + 24));
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_max_ps(a0, _mm256_loadu_ps(x + i));
    float m = hmax8(_mm256_max_ps(_mm256_max_ps(a0, a1), _mm256_max_ps(a2, a3)));
    for (; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

// e^x for x ≤ 0 (a little above 0 is fine): 0 below about -87.7, where e^x leaves the normal
// floats; NaN passes through. The exponent is clamped instead of the result masked: 2^n with
// n ≤ -127 is built as +0.
KILN_AVX2 static inline __m256 exp_nonpositive8(__m256 x) {
    __m256i n;
    __m256 p = exp_reduced_short8(_mm256_max_ps(_mm256_set1_ps(-104.0f), x), &n);
    __m256i biased = _mm256_max_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), _mm256_setzero_si256());
    return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(biased, 23)));
}

// Three-pass phase one: the maximum, then Σ e^{scale·(x − max)}, stored to y when `store`. The
// lines at `ahead` (as many floats as the row) are prefetched on the way: the next row, when
// whole rows are walked, so its loads overlap this row's arithmetic.
// With `precise`, e^x is exp_nonpositive_precise8.
KILN_AVX2 static float exp_sum_avx2(const float *x, float *y, ptrdiff_t n, float scale, float m, int store,
                                    int precise, const float *ahead);

KILN_AVX2 static kiln_softmax_stats three_pass_stats_avx2(const float *x, float *y, ptrdiff_t n, float scale,
                                                          int store, int precise, const float *ahead) {
    float m = max_avx2(x, n);
    kiln_softmax_stats s = {m, 0};
    if (m == -INFINITY) {
        if (store) for (ptrdiff_t i = 0; i < n; i++) y[i] = 0;
        return s;
    }
    // Blocks summed in float, blocks added in double: the error stays small on rows of millions.
    double total = 0;
    for (ptrdiff_t b = 0; b < n; b += SUM_BLOCK) {
        ptrdiff_t len = n - b < SUM_BLOCK ? n - b : SUM_BLOCK;
        total += exp_sum_avx2(x + b, y + b, len, scale, m, store, precise, ahead + b);
    }
    s.sum = (float)total;
    return s;
}

// Σ e^{scale·(x − m)} over n floats, stored to y when `store`, with the precise exp when
// `precise` (both constants after inlining, so each caller gets a loop without the tests);
// `ahead` is prefetched. When `out` is not NULL, the previous row's stored exponentials (`done`)
// are written to it scaled by `factor` on the way, so a pipelined reload's writes spread evenly
// over the arithmetic instead of coming in bursts (streaming stores need `out` 32-byte aligned).
KILN_AVX2 __attribute__((always_inline)) static inline float
exp_sum_body(const float *x, float *y, ptrdiff_t n, float scale, float m, const int store, const int precise,
             const float *ahead, const float *done, float *out, float factor, int stream) {
#define EXP_NONPOSITIVE(V) (precise ? exp_nonpositive_precise8(V) : exp_nonpositive8(V))
    const __m256 vs = _mm256_set1_ps(scale), vb = _mm256_set1_ps(-scale * m), vf = _mm256_set1_ps(factor);
    __m256 a0 = _mm256_setzero_ps(), a1 = a0;
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        _mm_prefetch((const char *)(ahead + i), _MM_HINT_T0);
        __m256 e0 = EXP_NONPOSITIVE(_mm256_fmadd_ps(_mm256_loadu_ps(x + i), vs, vb));
        __m256 e1 = EXP_NONPOSITIVE(_mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), vs, vb));
        if (store) {
            _mm256_storeu_ps(y + i, e0);
            _mm256_storeu_ps(y + i + 8, e1);
        }
        if (out) {
            __m256 y0 = _mm256_mul_ps(_mm256_loadu_ps(done + i), vf);
            __m256 y1 = _mm256_mul_ps(_mm256_loadu_ps(done + i + 8), vf);
            if (stream) {
                _mm256_stream_ps(out + i, y0);
                _mm256_stream_ps(out + i + 8, y1);
            } else {
                _mm256_storeu_ps(out + i, y0);
                _mm256_storeu_ps(out + i + 8, y1);
            }
        }
        a0 = _mm256_add_ps(a0, e0);
        a1 = _mm256_add_ps(a1, e1);
    }
    for (; i < n; i += 8) {
        __m256i mask = tail_mask(n - i);
        __m256 e = EXP_NONPOSITIVE(_mm256_fmadd_ps(_mm256_maskload_ps(x + i, mask), vs, vb));
        e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
        if (store) _mm256_maskstore_ps(y + i, mask, e);
        if (out) _mm256_maskstore_ps(out + i, mask, _mm256_mul_ps(_mm256_maskload_ps(done + i, mask), vf));
        a0 = _mm256_add_ps(a0, e);
    }
#undef EXP_NONPOSITIVE
    return hsum8(_mm256_add_ps(a0, a1));
}

KILN_AVX2 static float exp_sum_avx2(const float *x, float *y, ptrdiff_t n, float scale, float m, int store,
                                    int precise, const float *ahead) {
    if (precise) return exp_sum_body(x, y, n, scale, m, 0, 1, ahead, NULL, NULL, 0, 0);
    if (store) return exp_sum_body(x, y, n, scale, m, 1, 0, ahead, NULL, NULL, 0, 0);
    return exp_sum_body(x, y, n, scale, m, 0, 0, ahead, NULL, NULL, 0, 0);
}

// e^{scale·x} = m·2^n: returns m and sets n. `unitScale` (a constant after inlining) skips the
// multiplication for the common scale of 1.
KILN_AVX2 static inline __m256 exp_pair8(__m256 x, __m256 scale, const int unitScale, __m256i *n) {
    if (!unitScale) x = _mm256_mul_ps(x, scale);
    x = _mm256_min_ps(_mm256_set1_ps(PAIR_CLAMP), x);
    x = _mm256_max_ps(_mm256_set1_ps(-PAIR_CLAMP), x);
    return exp_reduced_short8(x, n);
}

// 2^d for integer d ≤ 0; 0 below -126.
KILN_AVX2 static inline __m256 pow2_nonpositive8(__m256i d) {
    return pow2i8(_mm256_max_epi32(d, _mm256_set1_epi32(-127)));
}

KILN_AVX2 static kiln_softmax_stats two_pass_block_avx2(const float *x, ptrdiff_t n, float scale,
                                                        const float *ahead);

// Two-pass phase one; `ahead` is prefetched as in three_pass_stats_avx2.
KILN_AVX2 static kiln_softmax_stats two_pass_stats_avx2(const float *x, ptrdiff_t n, float scale,
                                                        const float *ahead) {
    // Blocks accumulated in float pairs, blocks merged in a double pair (as three_pass_stats_avx2).
    int k = EXPONENT_FLOOR;
    double total = 0;
    for (ptrdiff_t b = 0; b < n; b += SUM_BLOCK) {
        kiln_softmax_stats part = two_pass_block_avx2(x + b, n - b < SUM_BLOCK ? n - b : SUM_BLOCK, scale, ahead + b);
        int e = (int)part.offset;
        if (e > k) { total = ldexp(total, k - e); k = e; }
        total += ldexp(part.sum, e - k);
    }
    kiln_softmax_stats out = {(float)k, (float)total};
    return out;
}

// Pairs are folded four vectors at a time: the group's largest exponent is found first, so the
// running sum is rescaled once per group instead of once per vector.
KILN_AVX2 __attribute__((always_inline)) static inline kiln_softmax_stats
two_pass_block_body(const float *x, ptrdiff_t n, float scale, const int unitScale, const float *ahead) {
    const __m256 vs = _mm256_set1_ps(scale);
    __m256 s = _mm256_setzero_ps();
    __m256i k = _mm256_set1_epi32(EXPONENT_FLOOR);
    ptrdiff_t i = 0;
    for (; i + 32 <= n; i += 32) {
        _mm_prefetch((const char *)(ahead + i), _MM_HINT_T0);
        _mm_prefetch((const char *)(ahead + i + 16), _MM_HINT_T0);
        __m256i n0, n1, n2, n3;
        __m256 m0 = exp_pair8(_mm256_loadu_ps(x + i), vs, unitScale, &n0);
        __m256 m1 = exp_pair8(_mm256_loadu_ps(x + i + 8), vs, unitScale, &n1);
        __m256 m2 = exp_pair8(_mm256_loadu_ps(x + i + 16), vs, unitScale, &n2);
        __m256 m3 = exp_pair8(_mm256_loadu_ps(x + i + 24), vs, unitScale, &n3);
        __m256i kn = _mm256_max_epi32(k, _mm256_max_epi32(_mm256_max_epi32(n0, n1), _mm256_max_epi32(n2, n3)));
        __m256 g = _mm256_mul_ps(m0, pow2_nonpositive8(_mm256_sub_epi32(n0, kn)));
        g = _mm256_fmadd_ps(m1, pow2_nonpositive8(_mm256_sub_epi32(n1, kn)), g);
        g = _mm256_fmadd_ps(m2, pow2_nonpositive8(_mm256_sub_epi32(n2, kn)), g);
        g = _mm256_fmadd_ps(m3, pow2_nonpositive8(_mm256_sub_epi32(n3, kn)), g);
        s = _mm256_fmadd_ps(s, pow2_nonpositive8(_mm256_sub_epi32(k, kn)), g);
        k = kn;
    }
    for (; i < n; i += 8) {
        __m256i mask = tail_mask(n - i), e;
        __m256 m = exp_pair8(_mm256_maskload_ps(x + i, mask), vs, unitScale, &e);
        m = _mm256_and_ps(m, _mm256_castsi256_ps(mask));
        e = _mm256_blendv_epi8(_mm256_set1_epi32(EXPONENT_FLOOR), e, mask);
        __m256i kn = _mm256_max_epi32(k, e);
        s = _mm256_fmadd_ps(s, pow2_nonpositive8(_mm256_sub_epi32(k, kn)),
                            _mm256_mul_ps(m, pow2_nonpositive8(_mm256_sub_epi32(e, kn))));
        k = kn;
    }
    float sums[8];
    int exps[8];
    _mm256_storeu_ps(sums, s);
    _mm256_storeu_si256((__m256i *)exps, k);
    int top = EXPONENT_FLOOR;
    for (int l = 0; l < 8; l++) top = exps[l] > top ? exps[l] : top;
    // The clamp in exp_pair8 hides infinities (NaN reaches the sum by itself): an exponent at the
    // upper clamp may be +inf, and a block whose every element sits at the lower clamp may be all
    // -inf. Either is rare, and the scalar pass tells them apart.
    if (top >= CLAMP_EXPONENT || top <= -CLAMP_EXPONENT + 64) return two_pass_stats_scalar(x, n, scale);
    float total = 0;
    for (int l = 0; l < 8; l++) total += ldexpf(sums[l], exps[l] - top);
    kiln_softmax_stats out = {(float)top, total};
    return out;
}

KILN_AVX2 static kiln_softmax_stats two_pass_block_avx2(const float *x, ptrdiff_t n, float scale,
                                                        const float *ahead) {
    return scale == 1.0f ? two_pass_block_body(x, n, scale, 1, ahead) : two_pass_block_body(x, n, scale, 0, ahead);
}

KILN_AVX2 static void scaled_copy_avx2(const float *x, float *y, ptrdiff_t n, float factor, int stream) {
    const __m256 f = _mm256_set1_ps(factor);
#define SCALED(V) _mm256_mul_ps(V, f)
    WRITE_LOOP(SCALED)
#undef SCALED
}

KILN_AVX2 static void recompute_avx2(const float *x, float *y, ptrdiff_t n, float scale, float shift, float inv,
                                     int stream) {
    const __m256 vs = _mm256_set1_ps(scale), vb = _mm256_set1_ps(shift), vi = _mm256_set1_ps(inv);
#define RECOMPUTED(V) _mm256_mul_ps(exp_nonpositive8(_mm256_fmadd_ps(V, vs, vb)), vi)
    WRITE_LOOP(RECOMPUTED)
#undef RECOMPUTED
}

KILN_AVX2 static inline __m256 two_pass_value8(__m256 x, __m256 vs, const int unitScale, __m256 vi, __m256i vk) {
    __m256i e;
    __m256 m = exp_pair8(x, vs, unitScale, &e);
    return _mm256_mul_ps(_mm256_mul_ps(m, vi), pow2_nonpositive8(_mm256_sub_epi32(e, vk)));
}

KILN_AVX2 __attribute__((always_inline)) static inline void
two_pass_write_body(const float *x, float *y, ptrdiff_t n, float scale, const int unitScale, int k, float inv,
                    int stream) {
    const __m256 vs = _mm256_set1_ps(scale), vi = _mm256_set1_ps(inv);
    const __m256i vk = _mm256_set1_epi32(k);
#define TWO_PASS_VALUE(V) two_pass_value8(V, vs, unitScale, vi, vk)
    WRITE_LOOP(TWO_PASS_VALUE)
#undef TWO_PASS_VALUE
}

KILN_AVX2 static void two_pass_write_avx2(const float *x, float *y, ptrdiff_t n, float scale, int k, float inv,
                                          int stream) {
    if (scale == 1.0f) two_pass_write_body(x, y, n, scale, 1, k, inv, stream);
    else two_pass_write_body(x, y, n, scale, 0, k, inv, stream);
}

// One block of a reload row: e^x stored to e while the previous row's block is written out.
KILN_AVX2 static float exp_sum_flush_avx2(const float *x, float *e, ptrdiff_t n, float scale, float m,
                                          const float *ahead, const float *done, float *out, float factor,
                                          int stream) {
    return exp_sum_body(x, e, n, scale, m, 1, 0, ahead, done, out, factor, stream);
}

// Whole reload rows, software-pipelined: row r's exponentials go to one half of `scratch` (2n
// floats) while row r − 1's, in the other half, are scaled and written out. Only the input is
// read from memory and only the output written; e^x is computed once.
KILN_AVX2 static void reload_rows_avx2(const float *x, float *y, ptrdiff_t rows, ptrdiff_t n, float scale,
                                       float *scratch, int stream) {
    stream = stream && ((uintptr_t)y & 31) == 0 && n % 8 == 0;
    const float *pending = NULL;
    float *pendingOut = NULL, pendingFactor = 0;
    for (ptrdiff_t r = 0; r < rows; r++, x += n, y += n) {
        float *e = scratch + (r & 1) * n;
        const float *next = r + 1 < rows ? x + n : x;
        float m = max_avx2(x, n);
        double total = 0;
        if (m == -INFINITY) {
            for (ptrdiff_t i = 0; i < n; i++) e[i] = 0;
            if (pending) scaled_copy_avx2(pending, pendingOut, n, pendingFactor, stream);
        } else {
            for (ptrdiff_t b = 0; b < n; b += SUM_BLOCK) {
                ptrdiff_t len = n - b < SUM_BLOCK ? n - b : SUM_BLOCK;
                total += exp_sum_flush_avx2(x + b, e + b, len, scale, m, next + b, pending ? pending + b : NULL,
                                            pending ? pendingOut + b : NULL, pendingFactor, stream);
            }
        }
        kiln_softmax_stats stats = {m, (float)total};
        pending = e;
        pendingOut = y;
        pendingFactor = reload_factor(scale, stats, stats);
    }
    if (pending) scaled_copy_avx2(pending, pendingOut, n, pendingFactor, stream);
    if (stream) _mm_sfence();
}
#endif

static float max_portable(const float *x, ptrdiff_t n) {
    float m = -INFINITY;
    for (ptrdiff_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

kiln_softmax_stats kiln_softmax_stats_f32(kiln_softmax_algorithm algorithm, const float *x, float *y,
                                          ptrdiff_t n, float scale) {
    int store = algorithm == KILN_SOFTMAX_RELOAD;
    if (algorithm == KILN_SOFTMAX_TWO_PASS) {
        DISPATCH(return two_pass_stats_avx2(x, n, scale, x))
        return two_pass_stats_scalar(x, n, scale);
    }
    DISPATCH(return three_pass_stats_avx2(x, y, n, scale, store, 0, x))
    kiln_softmax_stats out = {max_portable(x, n), 0};
    float s = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        float e = out.offset == -INFINITY ? 0 : expf(scale * (x[i] - out.offset));
        if (store) y[i] = e;
        s += e;
    }
    out.sum = s;
    return out;
}

kiln_softmax_stats kiln_log_sum_exp_stats_f32(const float *x, ptrdiff_t n, float scale) {
    DISPATCH(return three_pass_stats_avx2(x, NULL, n, scale, 0, 1, x))
    return kiln_softmax_stats_f32(KILN_SOFTMAX_RECOMPUTE, x, NULL, n, scale);
}

kiln_softmax_stats kiln_softmax_merge(kiln_softmax_algorithm algorithm, const kiln_softmax_stats *parts,
                                      ptrdiff_t count, float scale) {
    kiln_softmax_stats total = {algorithm == KILN_SOFTMAX_TWO_PASS ? (float)EXPONENT_FLOOR : -INFINITY, 0};
    for (ptrdiff_t i = 0; i < count; i++) total.offset = parts[i].offset > total.offset ? parts[i].offset : total.offset;
    double s = 0;
    for (ptrdiff_t i = 0; i < count; i++) {
        if (parts[i].sum == 0) continue;
        if (algorithm == KILN_SOFTMAX_TWO_PASS) s += ldexp(parts[i].sum, (int)parts[i].offset - (int)total.offset);
        else s += parts[i].sum * exp((double)scale * ((double)parts[i].offset - total.offset));
    }
    total.sum = (float)s;
    return total;
}

// Two-pass phase two from the row's statistic; a row of only -inf (sum 0) is NaN.
static void two_pass_write(const float *x, float *y, ptrdiff_t n, float scale, kiln_softmax_stats total, int stream) {
    if (total.sum == 0) {
        for (ptrdiff_t i = 0; i < n; i++) y[i] = NAN;
        return;
    }
    int k = (int)total.offset;
    float inv = 1.0f / total.sum;
    DISPATCH(two_pass_write_avx2(x, y, n, scale, k, inv, stream); return)
    for (ptrdiff_t i = 0; i < n; i++) {
        int e;
        float m = pair_scalar(x[i], scale, &e);
        y[i] = ldexpf(m * inv, e - k);
    }
}

void kiln_softmax_normalize_f32(kiln_softmax_algorithm algorithm, const float *x, float *y, ptrdiff_t n,
                                float scale, kiln_softmax_stats part, kiln_softmax_stats total, int stream) {
    float inv = 1.0f / total.sum;
    switch (algorithm) {
    case KILN_SOFTMAX_RELOAD: {
        float factor = reload_factor(scale, part, total);
        DISPATCH(scaled_copy_avx2(y, y, n, factor, 0); return)
        for (ptrdiff_t i = 0; i < n; i++) y[i] *= factor;
        return;
    }
    case KILN_SOFTMAX_RECOMPUTE: {
        DISPATCH(recompute_avx2(x, y, n, scale, -scale * total.offset, inv, stream); return)
        for (ptrdiff_t i = 0; i < n; i++) y[i] = expf(scale * (x[i] - total.offset)) * inv;
        return;
    }
    case KILN_SOFTMAX_TWO_PASS:
        two_pass_write(x, y, n, scale, total, stream);
        return;
    }
}

void kiln_softmax_rows_f32(kiln_softmax_algorithm algorithm, const float *x, float *y, ptrdiff_t rows, ptrdiff_t n,
                           float scale, float *scratch, int stream) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) {
        for (ptrdiff_t r = 0; r < rows; r++, x += n, y += n) {
            const float *next = r + 1 < rows ? x + n : x;
            switch (algorithm) {
            case KILN_SOFTMAX_RELOAD: {
                if (scratch) {
                    reload_rows_avx2(x, y, rows, n, scale, scratch, stream);
                    return;
                }
                kiln_softmax_stats stats = three_pass_stats_avx2(x, y, n, scale, 1, 0, next);
                scaled_copy_avx2(y, y, n, reload_factor(scale, stats, stats), 0);
                break;
            }
            case KILN_SOFTMAX_RECOMPUTE: {
                kiln_softmax_stats stats = three_pass_stats_avx2(x, NULL, n, scale, 0, 0, next);
                recompute_avx2(x, y, n, scale, -scale * stats.offset, 1.0f / stats.sum, stream);
                break;
            }
            case KILN_SOFTMAX_TWO_PASS: {
                two_pass_write(x, y, n, scale, two_pass_stats_avx2(x, n, scale, next), stream);
                break;
            }
            }
        }
        return;
    }
#endif
    (void)scratch;
    for (ptrdiff_t r = 0; r < rows; r++, x += n, y += n) {
        kiln_softmax_stats stats = kiln_softmax_stats_f32(algorithm, x, y, n, scale);
        kiln_softmax_normalize_f32(algorithm, x, y, n, scale, stats, stats, stream);
    }
}
