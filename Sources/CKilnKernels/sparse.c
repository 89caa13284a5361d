// Top-k selection and the column-skipping matrix–vector product of sparse inference.
#include "CKilnSparse.h"
#include "CKilnKernels.h"
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
    for (ptrdiff_t i = 1; i < n; i++) {
        low = keys[i] < low ? keys[i] : low;
        high = keys[i] > high ? keys[i] : high;
    }
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

ptrdiff_t kiln_top_k_indices_f32(const float *scores, ptrdiff_t n, ptrdiff_t k, int32_t *chosen, int32_t *keys) {
    if (k <= 0) return 0;
    ptrdiff_t count = 0;
    KILN_FOR_TOP_K(scores, n, k, keys, chosen[count] = (int32_t)p; count += kept);
    return count;
}

#if defined(__x86_64__)
/// Blocks of 64 outputs held in eight registers while every chosen column passes; the rest portably.
KILN_AVX2 static ptrdiff_t sparse_gemv_avx2(const float *wt, ptrdiff_t out, const int32_t *chosen, ptrdiff_t count,
                                            const float *x, float *y) {
    ptrdiff_t o = 0;
    for (; o + 64 <= out; o += 64) {
        __m256 acc[8];
        for (int r = 0; r < 8; r++) acc[r] = _mm256_loadu_ps(y + o + 8 * r);
        for (ptrdiff_t j = 0; j < count; j++) {
            const __m256 xi = _mm256_set1_ps(x[chosen[j]]);
            const float *column = wt + (ptrdiff_t)chosen[j] * out + o;
            for (int r = 0; r < 8; r++) acc[r] = _mm256_fmadd_ps(xi, _mm256_loadu_ps(column + 8 * r), acc[r]);
        }
        for (int r = 0; r < 8; r++) _mm256_storeu_ps(y + o + 8 * r, acc[r]);
    }
    for (; o + 8 <= out; o += 8) {
        __m256 acc = _mm256_loadu_ps(y + o);
        for (ptrdiff_t j = 0; j < count; j++) {
            acc = _mm256_fmadd_ps(_mm256_set1_ps(x[chosen[j]]), _mm256_loadu_ps(wt + (ptrdiff_t)chosen[j] * out + o), acc);
        }
        _mm256_storeu_ps(y + o, acc);
    }
    return o;
}
#endif

void kiln_sparse_gemv_f32(const float *wt, ptrdiff_t out, const int32_t *chosen, ptrdiff_t count, const float *x,
                          const float *bias, float *y) {
    if (bias) memcpy(y, bias, (size_t)out * sizeof(float));
    else memset(y, 0, (size_t)out * sizeof(float));
    ptrdiff_t done = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) done = sparse_gemv_avx2(wt, out, chosen, count, x, y);
#endif
    // The portable path, and the outputs past the SIMD blocks.
    if (done < out) {
        for (ptrdiff_t j = 0; j < count; j++) {
            const float xi = x[chosen[j]];
            const float *column = wt + (ptrdiff_t)chosen[j] * out;
            for (ptrdiff_t o = done; o < out; o++) y[o] += xi * column[o];
        }
    }
}
