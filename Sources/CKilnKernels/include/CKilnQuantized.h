// Weight-only int8 inference: a matrix–vector product reading one byte per weight.
#ifndef CKILNQUANTIZED_H
#define CKILNQUANTIZED_H

#include <stddef.h>
#include <stdint.h>

/// y[o] = bias[o] + scale[o] · Σ_i codes[i·out + o] · x[i] for o < out: int8 codes stored input-major
/// ([in, out]) with one scale per output channel (symmetric, zero point 0). `bias` may be NULL.
void kiln_int8_gemv_f32(const int8_t *codes, const float *scale, ptrdiff_t in, ptrdiff_t out, const float *x,
                        const float *bias, float *y);

#endif
