// Fused pointwise activations: one pass forward, one pass backward (the derivative is
// computed from the input on the fly, so no intermediate tensor is written).
#ifndef CKILNACTIVATIONS_H
#define CKILNACTIVATIONS_H

#include <stddef.h>

/// Pointwise activations and the parameters each reads from `kiln_activation_params`.
typedef enum {
    KILN_ACT_RELU = 0,     ///< max(x, 0)
    KILN_ACT_LEAKY_RELU,   ///< x > 0 ? x : a·x
    KILN_ACT_HARDTANH,     ///< min(max(x, a), b)
    KILN_ACT_ELU,          ///< x > 0 ? b·x : a·(e^{c·x} - 1)   (ELU, SELU, CELU)
    KILN_ACT_GELU_ERF,     ///< x·Φ(x) = x/2·(1 + erf(x/√2))
    KILN_ACT_GELU_TANH,    ///< x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    KILN_ACT_SILU,         ///< x·σ(a·x)
    KILN_ACT_MISH,         ///< x·tanh(softplus(x))
    KILN_ACT_SOFTPLUS,     ///< a·x > b ? x : log(1 + e^{a·x}) / a
    KILN_ACT_SOFTSIGN,     ///< x / (1 + |x|)
    KILN_ACT_HARDSIGMOID,  ///< min(max(x + 3, 0), 6) / 6
    KILN_ACT_HARDSWISH,    ///< x·min(max(x + 3, 0), 6) / 6
    KILN_ACT_SQUARED_RELU, ///< max(x, 0)²
    KILN_ACT_TANHSHRINK    ///< x - tanh x
} kiln_activation;

/// Up to three scalar parameters; their meaning depends on the activation (see above).
typedef struct { float a, b, c; } kiln_activation_params;

/// y[i] = f(x[i]) for i < n (contiguous).
void kiln_activation_forward_f32(kiln_activation op, kiln_activation_params p,
                                 const float *x, float *y, ptrdiff_t n);

/// dx[i] = g[i]·f'(x[i]) for i < n (contiguous). At kinks the derivative is PyTorch's choice.
void kiln_activation_backward_f32(kiln_activation op, kiln_activation_params p,
                                  const float *x, const float *g, float *dx, ptrdiff_t n);

#endif
