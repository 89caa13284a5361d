// Reduction kernels: column sums, max/min with NaN propagation, arg-reductions, and the pointwise maps
// that reductions and their backward rules need.
#ifndef CKILNREDUCE_H
#define CKILNREDUCE_H

#include <stddef.h>
#include <stdint.h>

/// How a reduction combines elements.
typedef enum { KILN_REDUCE_SUM = 0, KILN_REDUCE_MAX, KILN_REDUCE_MIN } kiln_reduce_op;

/// The reduction of n floats with stride s (sum: 0, max: -inf, min: +inf when n is 0). NaN propagates through max and min.
float kiln_reduce_f32(kiln_reduce_op op, const float *x, ptrdiff_t s, ptrdiff_t n);

/// out[j*so] = Σ_r x[r*rs + j*cs] for j < n and r < rows: column sums of a strided matrix, added in
/// blocks of 16 rows whose sums meet in a balanced tree (rounding error grows with log rows).
void kiln_sum_rows_f32(const float *x, ptrdiff_t rs, ptrdiff_t cs, ptrdiff_t rows, ptrdiff_t n, float *out, ptrdiff_t so);

/// acc[i*sa] = acc[i*sa] op x[i*sx] for i < n.
void kiln_reduce_into_f32(kiln_reduce_op op, const float *x, ptrdiff_t sx, float *acc, ptrdiff_t sa, ptrdiff_t n);

/// Position of the first maximum (op MAX) or minimum (op MIN) of n > 0 floats with stride s;
/// a NaN counts as the extremum. Stores the value in *value.
int64_t kiln_arg_reduce_f32(kiln_reduce_op op, const float *x, ptrdiff_t s, ptrdiff_t n, float *value);

/// Where x[i*sx] beats acc[i*sa] (strictly, or is the first NaN), stores it and sets index[i*sa] = position.
void kiln_arg_reduce_into_f32(kiln_reduce_op op, const float *x, ptrdiff_t sx, float *acc, int64_t *index,
                              ptrdiff_t sa, ptrdiff_t n, int64_t position);

/// Pointwise maps of x (stride sx) against a broadcast reduction result r (stride sr).
typedef enum {
    KILN_MAP_SQUARE = 0,  ///< x * x
    KILN_MAP_ABS,         ///< |x|
    KILN_MAP_ABS_POW,     ///< |x|^p
    KILN_MAP_SIGN,        ///< sign(x), 0 at 0
    KILN_MAP_EQUAL,       ///< 1 where x == r or both are NaN, else 0
    KILN_MAP_ABS_EQUAL,   ///< 1 where |x| == r or both are NaN, else 0
    KILN_MAP_EXP_SUB,     ///< exp(x - r)
    KILN_MAP_NORM_GRAD,   ///< d‖x‖_p / dx = x |x|^(p-2) / r^(p-1), 0 where r is 0
} kiln_map_op;

/// out[i] = map(x[i*sx], r[i*sr]) for i < n.
void kiln_map_f32(kiln_map_op op, float p, const float *x, ptrdiff_t sx, const float *r, ptrdiff_t sr,
                  float *out, ptrdiff_t n);

#endif
