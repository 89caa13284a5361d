// Top-k selection, and the linear layer of one token that chooses its inputs and reads only their weight columns.
#include "CKilnSparse.h"
#include "CKilnKernels.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define KILN_AVX2 __attribute__((target("avx2,fma")))
#endif

/// A key whose signed order is the float order (NaN excluded): negative floats have their magnitude bits flipped.
static inline int32_t order_key(float f) {
    int32_t i;
    memcpy(&i, &f, sizeof i);
    return i < 0 ? i ^ 0x7FFFFFFF : i;
}

/// The k-th largest (1 ≤ k ≤ n) of n keys, or a value with exactly k keys at or above it: bisection
/// on the key value, each step one branch-free count that vectorizes, so the time does not depend on
/// how the scores are ordered (a quickselect's partition branches mispredict about half the time on
/// such data). Inlined into an AVX2 and a portable variant.
static inline __attribute__((always_inline)) int32_t kth_largest_key_body(const int32_t *keys, ptrdiff_t n, ptrdiff_t k) {
    int32_t low = keys[0], high = keys[0];
    for (ptrdiff_t i = 1; i < n; i++) low = keys[i] < low ? keys[i] : low;   // one reduction a loop: these vectorize
    for (ptrdiff_t i = 1; i < n; i++) high = keys[i] > high ? keys[i] : high;
    // Invariant: at least k keys are ≥ low, fewer than k are > high.
    while (low < high) {
        int32_t middle = (int32_t)(low + ((int64_t)high - low + 1) / 2);
        int32_t count = 0;   // 32-bit lanes: eight keys per AVX2 compare
        for (ptrdiff_t i = 0; i < n; i++) count += keys[i] >= middle;
        if (count == k) return middle;   // exactly k keys ≥ middle: it separates them as well as the k-th would
        if (count > k) low = middle;
        else high = middle - 1;
    }
    return low;
}

#if defined(__x86_64__)
KILN_AVX2 static int32_t kth_largest_key_avx2(const int32_t *keys, ptrdiff_t n, ptrdiff_t k) {
    return kth_largest_key_body(keys, n, k);
}
#endif

static int32_t kth_largest_key(const int32_t *keys, ptrdiff_t n, ptrdiff_t k) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) return kth_largest_key_avx2(keys, n, k);
#endif
    return kth_largest_key_body(keys, n, k);
}

/// Runs `keep` for every position p with `kept` 1 for the k largest scores (those above the k-th largest,
/// then the earliest equal to it) and 0 for the rest, without a branch per position. `keys` holds n keys.
#define KILN_FOR_TOP_K(scores, n, k, keys, keep)                                      \
    do {                                                                              \
        for (ptrdiff_t p = 0; p < (n); p++) keys[p] = order_key((scores)[p]);         \
        int32_t kth = kth_largest_key(keys, n, k);                                    \
        int32_t above = 0;                                                            \
        for (ptrdiff_t p = 0; p < (n); p++) above += keys[p] > kth;                   \
        ptrdiff_t ties = (k) - above;                                                 \
        for (ptrdiff_t p = 0; p < (n); p++) {                                         \
            int tie = keys[p] == kth && ties > 0;                                     \
            ties -= tie;                                                              \
            int kept = (keys[p] > kth) | tie;                                         \
            keep;                                                                     \
        }                                                                             \
    } while (0)

void kiln_top_k_mask_f32(const float *scores, ptrdiff_t rows, ptrdiff_t n, ptrdiff_t k, float *mask, int32_t *keys) {
    if (k <= 0) {
        memset(mask, 0, (size_t)(rows * n) * sizeof(float));
        return;
    }
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *s = scores + r * n;
        float *m = mask + r * n;
        KILN_FOR_TOP_K(s, n, k, keys, m[p] = (float)kept);
    }
}

/// Keys whose signed order is the order of the non-negative scores |x_i|·c_i (|x_i| when c is NULL).
/// Two loops, not a choice per element: vectorized, the choice would become masked loads, slow on some CPUs.
static inline __attribute__((always_inline)) void score_keys_body(const float *x, ptrdiff_t n, const float *c, int32_t *keys) {
    float *scores = (float *)keys;   // then read as their bits
    if (c) {
        for (ptrdiff_t i = 0; i < n; i++) scores[i] = fabsf(x[i]) * c[i];
    } else {
        for (ptrdiff_t i = 0; i < n; i++) scores[i] = fabsf(x[i]);
    }
}

/// The number of keys at or above `t`, in one branch-free pass.
static inline __attribute__((always_inline)) ptrdiff_t count_at_least_body(const int32_t *keys, ptrdiff_t n, int32_t t) {
    int32_t count = 0;
    for (ptrdiff_t i = 0; i < n; i++) count += keys[i] >= t;
    return count;
}

/// Sets the bits of the k largest keys, the k-th being `kth`: those above it, then the earliest equal to it.
static void mask_top_k_with_ties(const int32_t *keys, ptrdiff_t n, ptrdiff_t k, int32_t kth, uint8_t *mask) {
    int32_t above = 0;
    for (ptrdiff_t i = 0; i < n; i++) above += keys[i] > kth;
    ptrdiff_t ties = k - above;
    for (ptrdiff_t i = 0; i < n; i++) {
        int tie = keys[i] == kth && ties > 0;
        ties -= tie;
        mask[i / 8] |= (uint8_t)(((keys[i] > kth) | tie) << (i % 8));
    }
}

/// Spark Transformer's threshold mean(x) + std(x)·z over the n inputs.
/// Eight running sums, so that the sums vectorize and their additions do not wait on each other.
static inline __attribute__((always_inline)) float statistic_threshold_body(const float *x, ptrdiff_t n, float z) {
    float sums[8] = {0}, squares[8] = {0};
    const ptrdiff_t whole = n / 8 * 8;
    for (ptrdiff_t i = 0; i < whole; i += 8) {
        for (int l = 0; l < 8; l++) sums[l] += x[i + l];
    }
    float sum = 0, square = 0;
    for (ptrdiff_t i = whole; i < n; i++) sum += x[i];
    for (int l = 0; l < 8; l++) sum += sums[l];
    const float mean = sum / (float)n;
    for (ptrdiff_t i = 0; i < whole; i += 8) {
        for (int l = 0; l < 8; l++) squares[l] += (x[i + l] - mean) * (x[i + l] - mean);
    }
    for (ptrdiff_t i = whole; i < n; i++) square += (x[i] - mean) * (x[i] - mean);
    for (int l = 0; l < 8; l++) square += squares[l];
    return mean + sqrtf(square / (float)n) * z;
}

/// Whether `rule` keeps every input: k ≥ n for the top-k and the statistical rule.
static int keeps_all(kiln_keep_rule rule, ptrdiff_t n, ptrdiff_t k) {
    return rule != KILN_KEEP_ABOVE_CHANNEL_THRESHOLD && k >= n;
}

/// The bit-mask bytes of the inputs `rule` keeps (bit j of byte b is input 8b + j), portably; `keys` is
/// room for n integers.
static void keep_mask_portable(const float *x, ptrdiff_t n, kiln_keep_rule rule, const float *channel, ptrdiff_t k,
                               float z, int32_t *keys, uint8_t *mask) {
    switch (rule) {
    case KILN_KEEP_TOP_K:
        score_keys_body(x, n, channel, keys);
        mask_top_k_with_ties(keys, n, k, kth_largest_key_body(keys, n, k), mask);
        return;
    case KILN_KEEP_ABOVE_CHANNEL_THRESHOLD:
        for (ptrdiff_t i = 0; i < n; i++) mask[i / 8] |= (uint8_t)((fabsf(x[i]) > channel[i]) << (i % 8));
        return;
    case KILN_KEEP_ABOVE_STATISTIC: {
        const float threshold = statistic_threshold_body(x, n, z);
        for (ptrdiff_t i = 0; i < n; i++) mask[i / 8] |= (uint8_t)((x[i] > threshold) << (i % 8));
        return;
    }
    }
}

/// Adds x[i]·wt[i·out + o] over the chosen inputs i to y[o] for `from` ≤ o < `out`, portably.
static void sparse_columns_portable(const float *wt, ptrdiff_t out, ptrdiff_t from, const int32_t *chosen, ptrdiff_t count,
                                    const float *x, float *y) {
    for (ptrdiff_t j = 0; j < count; j++) {
        const float xi = x[chosen[j]];
        const float *column = wt + (ptrdiff_t)chosen[j] * out;
        for (ptrdiff_t o = from; o < out; o++) y[o] += xi * column[o];
    }
}

/// The positions of the set bits of `mask` (n bits) in increasing order, written to `chosen`; returns how many.
static ptrdiff_t compact_mask(const uint8_t *mask, ptrdiff_t n, int32_t *chosen) {
    ptrdiff_t count = 0;
    for (ptrdiff_t b = 0; b < (n + 7) / 8; b++) {
        for (unsigned bits = mask[b]; bits; bits &= bits - 1) chosen[count++] = (int32_t)(8 * b + __builtin_ctz(bits));
    }
    return count;
}

#if defined(__x86_64__)
/// The mask bits of eight lanes from a comparison's result.
#define KILN_MASK_BYTE(comparison) ((uint8_t)_mm256_movemask_ps(comparison))

/// ``keep_mask_portable`` with the passes vectorized and the masks packed eight lanes at a time; the
/// top-k takes the portable tie-breaking pass only when the k-th score is shared.
KILN_AVX2 static void keep_mask_avx2(const float *x, ptrdiff_t n, kiln_keep_rule rule, const float *channel, ptrdiff_t k,
                                     float z, int32_t *keys, uint8_t *mask) {
    const ptrdiff_t whole = n / 8 * 8;
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    switch (rule) {
    case KILN_KEEP_TOP_K: {
        score_keys_body(x, n, channel, keys);
        const int32_t kth = kth_largest_key_body(keys, n, k);
        if (count_at_least_body(keys, n, kth) != k) {
            mask_top_k_with_ties(keys, n, k, kth, mask);
            return;
        }
        const __m256i below = _mm256_set1_epi32(kth - 1);
        for (ptrdiff_t i = 0; i < whole; i += 8) {
            mask[i / 8] = KILN_MASK_BYTE(_mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_loadu_si256((const __m256i *)(keys + i)), below)));
        }
        for (ptrdiff_t i = whole; i < n; i++) mask[i / 8] |= (uint8_t)((keys[i] >= kth) << (i % 8));
        return;
    }
    case KILN_KEEP_ABOVE_CHANNEL_THRESHOLD:
        for (ptrdiff_t i = 0; i < whole; i += 8) {
            const __m256 size = _mm256_and_ps(_mm256_loadu_ps(x + i), magnitude);
            mask[i / 8] = KILN_MASK_BYTE(_mm256_cmp_ps(size, _mm256_loadu_ps(channel + i), _CMP_GT_OQ));
        }
        for (ptrdiff_t i = whole; i < n; i++) mask[i / 8] |= (uint8_t)((fabsf(x[i]) > channel[i]) << (i % 8));
        return;
    case KILN_KEEP_ABOVE_STATISTIC: {
        const float threshold = statistic_threshold_body(x, n, z);
        const __m256 t = _mm256_set1_ps(threshold);
        for (ptrdiff_t i = 0; i < whole; i += 8) mask[i / 8] = KILN_MASK_BYTE(_mm256_cmp_ps(_mm256_loadu_ps(x + i), t, _CMP_GT_OQ));
        for (ptrdiff_t i = whole; i < n; i++) mask[i / 8] |= (uint8_t)((x[i] > threshold) << (i % 8));
        return;
    }
    }
}

/// The output blocks of 64 held in eight registers while every chosen column passes. The first block
/// also turns the mask into the list of chosen inputs, which its loads from memory leave time for;
/// the later blocks and the outputs past them read that list.
#define KILN_ACCUMULATE_64(column_of, xi)                                                              \
    do {                                                                                               \
        const __m256 xv = _mm256_set1_ps(xi);                                                          \
        const float *column = (column_of);                                                             \
        for (int r = 0; r < 8; r++) acc[r] = _mm256_fmadd_ps(xv, _mm256_loadu_ps(column + 8 * r), acc[r]); \
    } while (0)

KILN_AVX2 static ptrdiff_t sparse_columns_avx2(const float *wt, ptrdiff_t in, ptrdiff_t out, const uint8_t *mask,
                                               const float *x, float *y, int32_t *chosen, ptrdiff_t *done) {
    ptrdiff_t count = -1, o = 0;
    for (; o + 64 <= out; o += 64) {
        __m256 acc[8];
        for (int r = 0; r < 8; r++) acc[r] = _mm256_loadu_ps(y + o + 8 * r);
        if (count < 0) {
            count = 0;
            for (ptrdiff_t w = 0; w < (in + 63) / 64; w++) {
                uint64_t bits;   // eight mask bytes, input 64w + j at bit j (x86 is little-endian)
                memcpy(&bits, mask + 8 * w, sizeof bits);
                for (; bits; bits &= bits - 1) {
                    const ptrdiff_t i = 64 * w + __builtin_ctzll(bits);
                    chosen[count++] = (int32_t)i;
                    KILN_ACCUMULATE_64(wt + i * out + o, x[i]);
                }
            }
        } else {
            for (ptrdiff_t j = 0; j < count; j++) KILN_ACCUMULATE_64(wt + (ptrdiff_t)chosen[j] * out + o, x[chosen[j]]);
        }
        for (int r = 0; r < 8; r++) _mm256_storeu_ps(y + o + 8 * r, acc[r]);
    }
    if (count < 0) count = compact_mask(mask, in, chosen);
    for (; o + 8 <= out; o += 8) {
        __m256 acc = _mm256_loadu_ps(y + o);
        for (ptrdiff_t j = 0; j < count; j++) {
            acc = _mm256_fmadd_ps(_mm256_set1_ps(x[chosen[j]]), _mm256_loadu_ps(wt + (ptrdiff_t)chosen[j] * out + o), acc);
        }
        _mm256_storeu_ps(y + o, acc);
    }
    *done = o;
    return count;
}
#endif

ptrdiff_t kiln_sparse_linear_f32(const float *wt, ptrdiff_t in, ptrdiff_t out, const float *bias, const float *x,
                                 kiln_keep_rule rule, const float *channel, ptrdiff_t k, float z, float *y,
                                 int32_t *scratch) {
    int32_t *keys = scratch, *chosen = scratch + in;
    uint8_t *mask = (uint8_t *)(scratch + 2 * in);
    if (bias) memcpy(y, bias, (size_t)out * sizeof(float));
    else memset(y, 0, (size_t)out * sizeof(float));
    memset(mask, 0, (size_t)((in + 63) / 64 * 8));   // whole 64-bit words, read as such
    const int all = keeps_all(rule, in, k);
    if (all) memset(mask, 0xFF, (size_t)((in + 7) / 8));
    const int none = rule == KILN_KEEP_TOP_K && k <= 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) {
        if (!all && !none) keep_mask_avx2(x, in, rule, channel, k, z, keys, mask);
        if (all && in % 8) mask[in / 8] = (uint8_t)((1u << (in % 8)) - 1);
        ptrdiff_t done = 0;
        ptrdiff_t count = sparse_columns_avx2(wt, in, out, mask, x, y, chosen, &done);
        sparse_columns_portable(wt, out, done, chosen, count, x, y);
        return count;
    }
#endif
    if (!all && !none) keep_mask_portable(x, in, rule, channel, k, z, keys, mask);
    if (all && in % 8) mask[in / 8] = (uint8_t)((1u << (in % 8)) - 1);
    ptrdiff_t count = compact_mask(mask, in, chosen);
    sparse_columns_portable(wt, out, 0, chosen, count, x, y);
    return count;
}
