// Softmax kernels: the three-pass and two-pass algorithms over segments of a row, log-softmax,
// the fused backward passes and the fused cross-entropy gradient.
//
// A row may be split into segments handled by different threads: phase one gives each segment a
// statistic, the statistics merge into the row's, and phase two writes each segment.
#ifndef CKILNSOFTMAX_H
#define CKILNSOFTMAX_H

#include <stddef.h>

/// How a softmax walks its row.
typedef enum {
    KILN_SOFTMAX_RELOAD = 0,    ///< max; e^x stored to the output while summing; the output scaled in place
    KILN_SOFTMAX_RECOMPUTE,     ///< max; sum of e^x; e^x recomputed and scaled
    KILN_SOFTMAX_TWO_PASS,      ///< sum of (mantissa, exponent) pairs without a max; recomputed and scaled
} kiln_softmax_algorithm;

/// Σ e^{scale·x} over a segment as `sum · base^offset`: base e^{scale} with `offset` the segment's
/// maximum for the three-pass algorithms, base 2 with an integer `offset` for the two-pass one.
typedef struct {
    float offset;
    float sum;
} kiln_softmax_stats;

/// Phase one over n floats of x (scale > 0). RELOAD also writes e^{scale·(x − offset)} to y.
kiln_softmax_stats kiln_softmax_stats_f32(kiln_softmax_algorithm algorithm, const float *x, float *y,
                                          ptrdiff_t n, float scale);

/// The RECOMPUTE statistic (maximum and Σ e^{scale·(x − max)}) with the full-precision exp: the
/// log-sum-exp of the loss kernels (cross-entropy, log-softmax), whose numbers training depends on.
/// Softmax outputs use a shorter exp polynomial (a few ulp) for speed.
kiln_softmax_stats kiln_log_sum_exp_stats_f32(const float *x, ptrdiff_t n, float scale);

/// The statistic of a whole row from those of its `count` segments.
kiln_softmax_stats kiln_softmax_merge(kiln_softmax_algorithm algorithm, const kiln_softmax_stats *parts,
                                      ptrdiff_t count, float scale);

/// Phase two: y = e^{scale·x} / total over a segment whose phase-one statistic is `part`. With
/// `stream` (for outputs far larger than the cache), RECOMPUTE and TWO_PASS write past the cache.
void kiln_softmax_normalize_f32(kiln_softmax_algorithm algorithm, const float *x, float *y, ptrdiff_t n,
                                float scale, kiln_softmax_stats part, kiln_softmax_stats total, int stream);

/// Both phases over `rows` contiguous rows of n floats, each row whole, the next row prefetched
/// while one is computed. RELOAD keeps e^x in `scratch` (2n floats, cache-resident; NULL stores
/// it to y) and writes each row from there while computing the next. `stream` as in
/// kiln_softmax_normalize_f32.
void kiln_softmax_rows_f32(kiln_softmax_algorithm algorithm, const float *x, float *y, ptrdiff_t rows, ptrdiff_t n,
                           float scale, float *scratch, int stream);

/// y = (scale·x − shift) − log_sum: log-softmax from a row's log-sum-exp split as shift + log_sum
/// (shift = scale·max keeps the elements near the maximum exact, however large the logits).
void kiln_log_softmax_write_f32(const float *x, float *y, ptrdiff_t n, float scale, float shift, float log_sum);

/// Σ a·b over n floats.
float kiln_dot_f32(const float *a, const float *b, ptrdiff_t n);

/// Softmax backward: dx = scale·y·(dy − dot), where dot = Σ dy·y over the row.
void kiln_softmax_backward_f32(const float *y, const float *dy, float *dx, ptrdiff_t n, float dot, float scale);

/// Log-softmax backward: dx = scale·(dy − e^y·total), where total = Σ dy over the row.
void kiln_log_softmax_backward_f32(const float *y, const float *dy, float *dx, ptrdiff_t n, float total,
                                   float scale);

/// Cross-entropy backward from logits: dx = alpha·e^{(x − shift) − log_sum} − w·(beta + delta·t), where
/// w = 1 when `weights` is NULL and t = 0 when `targets` is NULL. `stream` as in
/// kiln_softmax_normalize_f32 (used when neither weights nor targets are given).
void kiln_cross_entropy_backward_f32(const float *x, float *dx, ptrdiff_t n, float shift, float log_sum, float alpha,
                                     const float *weights, float beta, const float *targets, float delta,
                                     int stream);

#endif
