// Column sums, reductions beyond plain sums, arg-reductions and pointwise maps for reductions' backward rules.
#include "CKilnKernels.h"
#include <math.h>

static inline float pick(kiln_reduce_op op, float acc, float x) {
    if (x != x) return x;
    if (op == KILN_REDUCE_MAX) return x > acc ? x : acc;
    return x < acc ? x : acc;
}

#if defined(__x86_64__)
#include <immintrin.h>
#define KILN_AVX2 __attribute__((target("avx2,fma")))

// Max or min of a contiguous run; NaNs are tracked in a mask because vmaxps drops them.
KILN_AVX2 static float extremum_avx2(kiln_reduce_op op, const float *x, ptrdiff_t n) {
    int isMax = op == KILN_REDUCE_MAX;
    __m256 a0 = _mm256_set1_ps(isMax ? -INFINITY : INFINITY), a1 = a0;
    __m256 nan = _mm256_setzero_ps();
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 u = _mm256_loadu_ps(x + i), v = _mm256_loadu_ps(x + i + 8);
        nan = _mm256_or_ps(nan, _mm256_or_ps(_mm256_cmp_ps(u, u, _CMP_UNORD_Q), _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
        a0 = isMax ? _mm256_max_ps(a0, u) : _mm256_min_ps(a0, u);
        a1 = isMax ? _mm256_max_ps(a1, v) : _mm256_min_ps(a1, v);
    }
    if (_mm256_movemask_ps(nan)) return NAN;
    float lanes[8];
    _mm256_storeu_ps(lanes, isMax ? _mm256_max_ps(a0, a1) : _mm256_min_ps(a0, a1));
    float acc = lanes[0];
    for (int k = 1; k < 8; k++) acc = pick(op, acc, lanes[k]);
    for (; i < n; i++) acc = pick(op, acc, x[i]);
    return acc;
}

// acc = acc op x elementwise; a NaN in x replaces acc, a NaN in acc stays.
KILN_AVX2 static void extremum_into_avx2(kiln_reduce_op op, const float *x, float *acc, ptrdiff_t n) {
    int isMax = op == KILN_REDUCE_MAX;
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i), a = _mm256_loadu_ps(acc + i);
        __m256 r = isMax ? _mm256_max_ps(v, a) : _mm256_min_ps(v, a);
        _mm256_storeu_ps(acc + i, _mm256_blendv_ps(r, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
    }
    for (; i < n; i++) acc[i] = pick(op, acc[i], x[i]);
}
#endif

// Column sums: rows of up to COLUMN_TILE columns are added in blocks of ROW_BLOCK rows, and the
// blocks' sums are added in a balanced binary tree, so the rounding error grows with ROW_BLOCK +
// log2(rows / ROW_BLOCK) instead of with the number of rows. Each level of the tree holds one tile
// on the stack.
enum { ROW_BLOCK = 16, COLUMN_TILE = 256 };

#if defined(__x86_64__)
KILN_AVX2 static void add_row_avx2(float *acc, const float *x, ptrdiff_t n) {
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(acc + i, _mm256_add_ps(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(x + i)));
    for (; i < n; i++) acc[i] += x[i];
}
#endif

// acc[j] += x[j*s] for j < n.
static void add_row(float *acc, const float *x, ptrdiff_t s, ptrdiff_t n) {
#if defined(__x86_64__)
    if (s == 1 && kiln_has_avx2_fma()) { add_row_avx2(acc, x, n); return; }
#endif
    for (ptrdiff_t j = 0; j < n; j++) acc[j] += x[j * s];
}

// acc[j] = the sum of rows 0..<rows (row stride rs) of one tile of n <= COLUMN_TILE columns.
static void sum_tile_rows(const float *x, ptrdiff_t rs, ptrdiff_t cs, ptrdiff_t rows, ptrdiff_t n, float *acc) {
    if (rows <= ROW_BLOCK) {
        for (ptrdiff_t j = 0; j < n; j++) acc[j] = 0;
        for (ptrdiff_t r = 0; r < rows; r++) add_row(acc, x + r * rs, cs, n);
        return;
    }
    ptrdiff_t half = (rows / ROW_BLOCK + 1) / 2 * ROW_BLOCK;
    float right[COLUMN_TILE];
    sum_tile_rows(x, rs, cs, half, n, acc);
    sum_tile_rows(x + half * rs, rs, cs, rows - half, n, right);
    add_row(acc, right, 1, n);
}

void kiln_sum_rows_f32(const float *x, ptrdiff_t rs, ptrdiff_t cs, ptrdiff_t rows, ptrdiff_t n, float *out, ptrdiff_t so) {
    float tile[COLUMN_TILE];
    for (ptrdiff_t j0 = 0; j0 < n; j0 += COLUMN_TILE) {
        ptrdiff_t m = n - j0 < COLUMN_TILE ? n - j0 : COLUMN_TILE;
        sum_tile_rows(x + j0 * cs, rs, cs, rows, m, tile);
        for (ptrdiff_t j = 0; j < m; j++) out[(j0 + j) * so] = tile[j];
    }
}

float kiln_reduce_f32(kiln_reduce_op op, const float *x, ptrdiff_t s, ptrdiff_t n) {
    if (op == KILN_REDUCE_SUM) return kiln_sum_f32(x, s, n);
#if defined(__x86_64__)
    if (s == 1 && kiln_has_avx2_fma()) return extremum_avx2(op, x, n);
#endif
    float acc = op == KILN_REDUCE_MAX ? -INFINITY : INFINITY;
    for (ptrdiff_t i = 0; i < n; i++) acc = pick(op, acc, x[i * s]);
    return acc;
}

void kiln_reduce_into_f32(kiln_reduce_op op, const float *x, ptrdiff_t sx, float *acc, ptrdiff_t sa, ptrdiff_t n) {
    if (op == KILN_REDUCE_SUM) { kiln_accumulate_f32(x, sx, acc, sa, n); return; }
#if defined(__x86_64__)
    if (sx == 1 && sa == 1 && kiln_has_avx2_fma()) { extremum_into_avx2(op, x, acc, n); return; }
#endif
    for (ptrdiff_t i = 0; i < n; i++) acc[i * sa] = pick(op, acc[i * sa], x[i * sx]);
}

static inline int beats(kiln_reduce_op op, float x, float best) {
    if (best != best) return 0;
    if (x != x) return 1;
    return op == KILN_REDUCE_MAX ? x > best : x < best;
}

int64_t kiln_arg_reduce_f32(kiln_reduce_op op, const float *x, ptrdiff_t s, ptrdiff_t n, float *value) {
    int64_t best = 0;
    float v = x[0];
    for (ptrdiff_t i = 1; i < n; i++) {
        float y = x[i * s];
        if (beats(op, y, v)) { v = y; best = i; }
    }
    *value = v;
    return best;
}

void kiln_arg_reduce_into_f32(kiln_reduce_op op, const float *x, ptrdiff_t sx, float *acc, int64_t *index,
                              ptrdiff_t sa, ptrdiff_t n, int64_t position) {
    for (ptrdiff_t i = 0; i < n; i++) {
        float y = x[i * sx];
        if (beats(op, y, acc[i * sa])) { acc[i * sa] = y; index[i * sa] = position; }
    }
}

static inline float map(kiln_map_op op, float p, float x, float r) {
    switch (op) {
    case KILN_MAP_SQUARE: return x * x;
    case KILN_MAP_ABS: return fabsf(x);
    case KILN_MAP_ABS_POW: return powf(fabsf(x), p);
    case KILN_MAP_SIGN: return (float)((x > 0) - (x < 0));
    case KILN_MAP_EQUAL: return (x == r || (x != x && r != r)) ? 1.0f : 0.0f;
    case KILN_MAP_ABS_EQUAL: return (fabsf(x) == r || (x != x && r != r)) ? 1.0f : 0.0f;
    case KILN_MAP_EXP_SUB: return expf(x - r);
    case KILN_MAP_NORM_GRAD:
        if (r == 0) return 0;
        if (p == 2) return x / r;
        if (p == 1) return (float)((x > 0) - (x < 0));
        if (x == 0) return 0;
        return x * powf(fabsf(x), p - 2) / powf(r, p - 1);
    }
    return 0;
}

void kiln_map_f32(kiln_map_op op, float p, const float *x, ptrdiff_t sx, const float *r, ptrdiff_t sr,
                  float *out, ptrdiff_t n) {
    switch (op) {
    case KILN_MAP_SQUARE: for (ptrdiff_t i = 0; i < n; i++) { float v = x[i * sx]; out[i] = v * v; } break;
    case KILN_MAP_ABS: for (ptrdiff_t i = 0; i < n; i++) out[i] = fabsf(x[i * sx]); break;
    default: for (ptrdiff_t i = 0; i < n; i++) out[i] = map(op, p, x[i * sx], r[i * sr]); break;
    }
}
