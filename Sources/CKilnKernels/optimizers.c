// Fused optimizer updates and the reductions optimizers need.
//
// Each update is one pass: per element it reads the parameter, the gradient and the state
// buffers once and writes the parameter and the state once. The formulas follow torch.optim's
// single-tensor implementations operation by operation (lerp with its two branches, division
// by the bias correction rather than multiplication by its inverse), so results agree with
// PyTorch to rounding.
#include "CKilnOptim.h"
#include "CKilnKernels.h"
#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define KILN_AVX2 __attribute__((target("avx2,fma")))
#endif

/// torch.lerp: a + w (b - a) for |w| < 0.5, else b - (b - a)(1 - w).
static inline float lerp_f32(float a, float b, float w) {
    return w < 0.5f ? a + w * (b - a) : b - (b - a) * (1.0f - w);
}

static inline float sign_f32(float x) { return (float)((x > 0) - (x < 0)); }

// MARK: SGD

static inline void sgd_one(float *theta, float g, float *buf, kiln_sgd_params p) {
    float t = *theta;
    if (p.maximize) g = -g;
    g = g + p.weight_decay * t;
    if (p.momentum != 0) {
        float b = p.first_step ? g : *buf * p.momentum + (1.0f - p.dampening) * g;
        *buf = b;
        g = p.nesterov ? g + p.momentum * b : b;
    }
    *theta = t - p.lr * g;
}

#if defined(__x86_64__)
KILN_AVX2 static ptrdiff_t sgd_avx2(float *theta, const float *grad, float *buf, ptrdiff_t n, kiln_sgd_params p) {
    const __m256 flip = _mm256_set1_ps(p.maximize ? -0.0f : 0.0f), wd = _mm256_set1_ps(p.weight_decay);
    const __m256 mu = _mm256_set1_ps(p.momentum), keep = _mm256_set1_ps(1.0f - p.dampening);
    const __m256 neg_lr = _mm256_set1_ps(-p.lr);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 t = _mm256_loadu_ps(theta + i);
        __m256 g = _mm256_fmadd_ps(wd, t, _mm256_xor_ps(_mm256_loadu_ps(grad + i), flip));
        if (p.momentum != 0) {
            __m256 b = p.first_step ? g : _mm256_fmadd_ps(_mm256_loadu_ps(buf + i), mu, _mm256_mul_ps(keep, g));
            _mm256_storeu_ps(buf + i, b);
            g = p.nesterov ? _mm256_fmadd_ps(mu, b, g) : b;
        }
        _mm256_storeu_ps(theta + i, _mm256_fmadd_ps(neg_lr, g, t));
    }
    return i;
}
#endif

void kiln_sgd_f32(float *theta, const float *grad, float *momentum_buffer, ptrdiff_t n, kiln_sgd_params p) {
    ptrdiff_t i = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) i = sgd_avx2(theta, grad, momentum_buffer, n, p);
#endif
    for (; i < n; i++) sgd_one(theta + i, grad[i], momentum_buffer ? momentum_buffer + i : NULL, p);
}

// MARK: Adam, AdamW, AMSGrad, Adamax, NAdam, RAdam
//
// These follow torch's rounding exactly: addcmul is fma(value * g, g, v * beta2), addcdiv is
// theta + (value * a) / b, and a scalar over a tensor is the tensor's reciprocal times the scalar.

/// The gradient as the Adam family sees it: negated to maximize, plus the L2 term.
static inline float adam_gradient(float g, float theta, float weight_decay, int maximize) {
    return (maximize ? -g : g) + weight_decay * theta;
}

/// Adam's two moment updates for one element; returns the new first moment and writes both.
static inline float adam_moments(float g, float *m, float *v, float one_minus_beta1, float beta2,
                                 float one_minus_beta2) {
    float mi = lerp_f32(*m, g, one_minus_beta1);
    *v = *v * beta2 + (one_minus_beta2 * g) * g;
    *m = mi;
    return mi;
}

#if defined(__x86_64__)
KILN_AVX2 static inline __m256 adam_gradient8(const float *grad, __m256 theta, float weight_decay, int maximize) {
    __m256 g = _mm256_xor_ps(_mm256_loadu_ps(grad), _mm256_set1_ps(maximize ? -0.0f : 0.0f));
    return _mm256_fmadd_ps(_mm256_set1_ps(weight_decay), theta, g);
}

/// lerp(m, g, w) as torch vectorizes it.
KILN_AVX2 static inline __m256 lerp8(__m256 m, __m256 g, float w) {
    __m256 diff = _mm256_sub_ps(g, m);
    return w < 0.5f ? _mm256_fmadd_ps(_mm256_set1_ps(w), diff, m)
                    : _mm256_fnmadd_ps(diff, _mm256_set1_ps(1.0f - w), g);
}

/// Adam's moment updates for eight elements; stores both and returns the new first moment in
/// *m_out and the new second in *v_out.
KILN_AVX2 static inline void adam_moments8(__m256 g, float *m, float *v, float one_minus_beta1, float beta2,
                                           float one_minus_beta2, __m256 *m_out, __m256 *v_out) {
    __m256 mi = lerp8(_mm256_loadu_ps(m), g, one_minus_beta1);
    __m256 vi = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(one_minus_beta2), g), g,
                                _mm256_mul_ps(_mm256_loadu_ps(v), _mm256_set1_ps(beta2)));
    _mm256_storeu_ps(m, mi);
    _mm256_storeu_ps(v, vi);
    *m_out = mi;
    *v_out = vi;
}
#endif

static inline void adam_one(float *theta, float g, float *m, float *v, float *vmax, kiln_adam_params p) {
    float t = *theta;
    g = adam_gradient(g, t, p.weight_decay, p.maximize);
    t = t * p.decay_factor;
    float mi = adam_moments(g, m, v, p.one_minus_beta1, p.beta2, p.one_minus_beta2);
    float vi = *v;
    if (vmax) {
        vi = fmaxf(*vmax, vi);
        *vmax = vi;
    }
    float denom = sqrtf(vi) / p.bias_correction2_sqrt + p.eps;
    *theta = t + (-p.step_size * mi) / denom;
}

#if defined(__x86_64__)
KILN_AVX2 static ptrdiff_t adam_avx2(float *theta, const float *grad, float *m, float *v, float *vmax,
                                     ptrdiff_t n, kiln_adam_params p) {
    const __m256 decay = _mm256_set1_ps(p.decay_factor);
    const __m256 eps = _mm256_set1_ps(p.eps), bc2 = _mm256_set1_ps(p.bias_correction2_sqrt);
    const __m256 neg_step = _mm256_set1_ps(-p.step_size);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 t = _mm256_loadu_ps(theta + i), mi, vi;
        __m256 g = adam_gradient8(grad + i, t, p.weight_decay, p.maximize);
        t = _mm256_mul_ps(t, decay);
        adam_moments8(g, m + i, v + i, p.one_minus_beta1, p.beta2, p.one_minus_beta2, &mi, &vi);
        if (vmax) {
            vi = _mm256_max_ps(_mm256_loadu_ps(vmax + i), vi);
            _mm256_storeu_ps(vmax + i, vi);
        }
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), bc2), eps);
        _mm256_storeu_ps(theta + i, _mm256_add_ps(t, _mm256_div_ps(_mm256_mul_ps(neg_step, mi), denom)));
    }
    return i;
}
#endif

void kiln_adam_f32(float *theta, const float *grad, float *exp_avg, float *exp_avg_sq,
                   float *max_exp_avg_sq, ptrdiff_t n, kiln_adam_params p) {
    ptrdiff_t i = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) i = adam_avx2(theta, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, n, p);
#endif
    for (; i < n; i++)
        adam_one(theta + i, grad[i], exp_avg + i, exp_avg_sq + i, max_exp_avg_sq ? max_exp_avg_sq + i : NULL, p);
}

static inline void adamax_one(float *theta, float g, float *m, float *u, kiln_adamax_params p) {
    float t = *theta;
    g = adam_gradient(g, t, p.weight_decay, p.maximize);
    float mi = lerp_f32(*m, g, p.one_minus_beta1);
    float ui = fmaxf(*u * p.beta2, fabsf(g) + p.eps);
    *m = mi;
    *u = ui;
    *theta = t + (p.neg_clr * mi) / ui;
}

#if defined(__x86_64__)
KILN_AVX2 static ptrdiff_t adamax_avx2(float *theta, const float *grad, float *m, float *u, ptrdiff_t n,
                                       kiln_adamax_params p) {
    const __m256 b2 = _mm256_set1_ps(p.beta2), eps = _mm256_set1_ps(p.eps), neg_clr = _mm256_set1_ps(p.neg_clr);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 t = _mm256_loadu_ps(theta + i);
        __m256 g = adam_gradient8(grad + i, t, p.weight_decay, p.maximize);
        __m256 mi = lerp8(_mm256_loadu_ps(m + i), g, p.one_minus_beta1);
        __m256 ui = _mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(u + i), b2), _mm256_add_ps(_mm256_andnot_ps(sign, g), eps));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(u + i, ui);
        _mm256_storeu_ps(theta + i, _mm256_add_ps(t, _mm256_div_ps(_mm256_mul_ps(neg_clr, mi), ui)));
    }
    return i;
}
#endif

void kiln_adamax_f32(float *theta, const float *grad, float *exp_avg, float *exp_inf, ptrdiff_t n,
                     kiln_adamax_params p) {
    ptrdiff_t i = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) i = adamax_avx2(theta, grad, exp_avg, exp_inf, n, p);
#endif
    for (; i < n; i++) adamax_one(theta + i, grad[i], exp_avg + i, exp_inf + i, p);
}

static inline void nadam_one(float *theta, float g, float *m, float *v, kiln_nadam_params p) {
    float t = *theta;
    g = adam_gradient(g, t, p.weight_decay, p.maximize);
    t = t * p.decay_factor;
    float mi = adam_moments(g, m, v, p.one_minus_beta1, p.beta2, p.one_minus_beta2);
    float denom = sqrtf(*v / p.bias_correction2) + p.eps;
    t = t + (p.grad_coefficient * g) / denom;
    *theta = t + (p.exp_avg_coefficient * mi) / denom;
}

#if defined(__x86_64__)
KILN_AVX2 static ptrdiff_t nadam_avx2(float *theta, const float *grad, float *m, float *v, ptrdiff_t n,
                                      kiln_nadam_params p) {
    const __m256 decay = _mm256_set1_ps(p.decay_factor), bc2 = _mm256_set1_ps(p.bias_correction2);
    const __m256 eps = _mm256_set1_ps(p.eps);
    const __m256 cg = _mm256_set1_ps(p.grad_coefficient), cm = _mm256_set1_ps(p.exp_avg_coefficient);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 t = _mm256_loadu_ps(theta + i), mi, vi;
        __m256 g = adam_gradient8(grad + i, t, p.weight_decay, p.maximize);
        t = _mm256_mul_ps(t, decay);
        adam_moments8(g, m + i, v + i, p.one_minus_beta1, p.beta2, p.one_minus_beta2, &mi, &vi);
        __m256 denom = _mm256_add_ps(_mm256_sqrt_ps(_mm256_div_ps(vi, bc2)), eps);
        t = _mm256_add_ps(t, _mm256_div_ps(_mm256_mul_ps(cg, g), denom));
        _mm256_storeu_ps(theta + i, _mm256_add_ps(t, _mm256_div_ps(_mm256_mul_ps(cm, mi), denom)));
    }
    return i;
}
#endif

void kiln_nadam_f32(float *theta, const float *grad, float *exp_avg, float *exp_avg_sq, ptrdiff_t n,
                    kiln_nadam_params p) {
    ptrdiff_t i = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) i = nadam_avx2(theta, grad, exp_avg, exp_avg_sq, n, p);
#endif
    for (; i < n; i++) nadam_one(theta + i, grad[i], exp_avg + i, exp_avg_sq + i, p);
}

static inline void radam_one(float *theta, float g, float *m, float *v, kiln_radam_params p) {
    float t = *theta;
    g = adam_gradient(g, t, p.weight_decay, p.maximize);
    t = t * p.decay_factor;
    float mi = adam_moments(g, m, v, p.one_minus_beta1, p.beta2, p.one_minus_beta2);
    float step = (mi / p.bias_correction1) * p.lr;
    if (p.rect != 0) step = (step * ((1.0f / (sqrtf(*v) + p.eps)) * p.bias_correction2_sqrt)) * p.rect;
    *theta = t - step;
}

#if defined(__x86_64__)
KILN_AVX2 static ptrdiff_t radam_avx2(float *theta, const float *grad, float *m, float *v, ptrdiff_t n,
                                      kiln_radam_params p) {
    const __m256 decay = _mm256_set1_ps(p.decay_factor), bc1 = _mm256_set1_ps(p.bias_correction1);
    const __m256 lr = _mm256_set1_ps(p.lr), eps = _mm256_set1_ps(p.eps), one = _mm256_set1_ps(1.0f);
    const __m256 bc2 = _mm256_set1_ps(p.bias_correction2_sqrt), rect = _mm256_set1_ps(p.rect);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 t = _mm256_loadu_ps(theta + i), mi, vi;
        __m256 g = adam_gradient8(grad + i, t, p.weight_decay, p.maximize);
        t = _mm256_mul_ps(t, decay);
        adam_moments8(g, m + i, v + i, p.one_minus_beta1, p.beta2, p.one_minus_beta2, &mi, &vi);
        __m256 step = _mm256_mul_ps(_mm256_div_ps(mi, bc1), lr);
        if (p.rect != 0) {
            __m256 adaptive = _mm256_mul_ps(_mm256_div_ps(one, _mm256_add_ps(_mm256_sqrt_ps(vi), eps)), bc2);
            step = _mm256_mul_ps(_mm256_mul_ps(step, adaptive), rect);
        }
        _mm256_storeu_ps(theta + i, _mm256_sub_ps(t, step));
    }
    return i;
}
#endif

void kiln_radam_f32(float *theta, const float *grad, float *exp_avg, float *exp_avg_sq, ptrdiff_t n,
                    kiln_radam_params p) {
    ptrdiff_t i = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) i = radam_avx2(theta, grad, exp_avg, exp_avg_sq, n, p);
#endif
    for (; i < n; i++) radam_one(theta + i, grad[i], exp_avg + i, exp_avg_sq + i, p);
}

// MARK: Lion

// Compare-based sign and no division: the same loop vectorizes for either target.
static inline __attribute__((always_inline)) void lion_loop(float *theta, const float *grad, float *exp_avg,
                                                            ptrdiff_t n, kiln_lion_params p) {
    const float flip = p.maximize ? -1.0f : 1.0f;
    for (ptrdiff_t i = 0; i < n; i++) {
        float g = flip * grad[i], m = exp_avg[i];
        float c = m * p.beta1 + p.one_minus_beta1 * g;
        theta[i] = theta[i] * p.decay_factor - p.lr * sign_f32(c);
        exp_avg[i] = m * p.beta2 + p.one_minus_beta2 * g;
    }
}

#if defined(__x86_64__)
KILN_AVX2 static void lion_avx2(float *theta, const float *grad, float *exp_avg, ptrdiff_t n, kiln_lion_params p) {
    lion_loop(theta, grad, exp_avg, n, p);
}
#endif

void kiln_lion_f32(float *theta, const float *grad, float *exp_avg, ptrdiff_t n, kiln_lion_params p) {
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) {
        lion_avx2(theta, grad, exp_avg, n, p);
        return;
    }
#endif
    lion_loop(theta, grad, exp_avg, n, p);
}

// MARK: RMSprop

static inline void rmsprop_one(float *theta, float g, float *sq, float *ga, float *buf, kiln_rmsprop_params p) {
    float t = *theta;
    if (p.maximize) g = -g;
    g = g + p.weight_decay * t;
    float s = *sq * p.alpha + p.one_minus_alpha * (g * g);
    *sq = s;
    float avg;
    if (ga) {
        float a = lerp_f32(*ga, g, p.one_minus_alpha);
        *ga = a;
        avg = sqrtf(s - a * a);
    } else {
        avg = sqrtf(s);
    }
    avg = avg + p.eps;
    if (buf) {
        float b = *buf * p.momentum + g / avg;
        *buf = b;
        *theta = t - p.lr * b;
    } else {
        *theta = t - p.lr * (g / avg);
    }
}

#if defined(__x86_64__)
KILN_AVX2 static ptrdiff_t rmsprop_avx2(float *theta, const float *grad, float *sq, float *ga, float *buf,
                                        ptrdiff_t n, kiln_rmsprop_params p) {
    const __m256 flip = _mm256_set1_ps(p.maximize ? -0.0f : 0.0f), wd = _mm256_set1_ps(p.weight_decay);
    const __m256 alpha = _mm256_set1_ps(p.alpha), oma = _mm256_set1_ps(p.one_minus_alpha);
    const int small_weight = p.one_minus_alpha < 0.5f;
    const __m256 one_minus_w = _mm256_set1_ps(1.0f - p.one_minus_alpha);
    const __m256 eps = _mm256_set1_ps(p.eps), mu = _mm256_set1_ps(p.momentum), neg_lr = _mm256_set1_ps(-p.lr);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 t = _mm256_loadu_ps(theta + i);
        __m256 g = _mm256_fmadd_ps(wd, t, _mm256_xor_ps(_mm256_loadu_ps(grad + i), flip));
        __m256 s = _mm256_fmadd_ps(oma, _mm256_mul_ps(g, g), _mm256_mul_ps(_mm256_loadu_ps(sq + i), alpha));
        _mm256_storeu_ps(sq + i, s);
        if (ga) {
            __m256 a = _mm256_loadu_ps(ga + i), diff = _mm256_sub_ps(g, a);
            a = small_weight ? _mm256_fmadd_ps(oma, diff, a) : _mm256_fnmadd_ps(diff, one_minus_w, g);
            _mm256_storeu_ps(ga + i, a);
            s = _mm256_fnmadd_ps(a, a, s);
        }
        __m256 step = _mm256_div_ps(g, _mm256_add_ps(_mm256_sqrt_ps(s), eps));
        if (buf) {
            step = _mm256_fmadd_ps(_mm256_loadu_ps(buf + i), mu, step);
            _mm256_storeu_ps(buf + i, step);
        }
        _mm256_storeu_ps(theta + i, _mm256_fmadd_ps(neg_lr, step, t));
    }
    return i;
}
#endif

void kiln_rmsprop_f32(float *theta, const float *grad, float *square_avg, float *grad_avg,
                      float *momentum_buffer, ptrdiff_t n, kiln_rmsprop_params p) {
    ptrdiff_t i = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) i = rmsprop_avx2(theta, grad, square_avg, grad_avg, momentum_buffer, n, p);
#endif
    for (; i < n; i++)
        rmsprop_one(theta + i, grad[i], square_avg + i, grad_avg ? grad_avg + i : NULL,
                    momentum_buffer ? momentum_buffer + i : NULL, p);
}

// MARK: Adagrad

static inline void adagrad_one(float *theta, float g, float *sum, kiln_adagrad_params p) {
    float t = *theta;
    if (p.maximize) g = -g;
    g = g + p.weight_decay * t;
    float s = *sum + g * g;
    *sum = s;
    *theta = t - p.clr * (g / (sqrtf(s) + p.eps));
}

#if defined(__x86_64__)
KILN_AVX2 static ptrdiff_t adagrad_avx2(float *theta, const float *grad, float *sum, ptrdiff_t n,
                                        kiln_adagrad_params p) {
    const __m256 flip = _mm256_set1_ps(p.maximize ? -0.0f : 0.0f), wd = _mm256_set1_ps(p.weight_decay);
    const __m256 eps = _mm256_set1_ps(p.eps), neg_clr = _mm256_set1_ps(-p.clr);
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 t = _mm256_loadu_ps(theta + i);
        __m256 g = _mm256_fmadd_ps(wd, t, _mm256_xor_ps(_mm256_loadu_ps(grad + i), flip));
        __m256 s = _mm256_fmadd_ps(g, g, _mm256_loadu_ps(sum + i));
        _mm256_storeu_ps(sum + i, s);
        __m256 step = _mm256_div_ps(g, _mm256_add_ps(_mm256_sqrt_ps(s), eps));
        _mm256_storeu_ps(theta + i, _mm256_fmadd_ps(neg_clr, step, t));
    }
    return i;
}
#endif

void kiln_adagrad_f32(float *theta, const float *grad, float *sum, ptrdiff_t n, kiln_adagrad_params p) {
    ptrdiff_t i = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) i = adagrad_avx2(theta, grad, sum, n, p);
#endif
    for (; i < n; i++) adagrad_one(theta + i, grad[i], sum + i, p);
}

// MARK: Adafactor

void kiln_square_sums_rows_cols_f32(const float *g, ptrdiff_t rows, ptrdiff_t cols, float *row_sq, float *col_sq) {
    for (ptrdiff_t c = 0; c < cols; c++) col_sq[c] = 0;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *x = g + r * cols;
        row_sq[r] = (float)kiln_sum_squares_f32(x, cols);
        for (ptrdiff_t c = 0; c < cols; c++) col_sq[c] += x[c] * x[c];
    }
}

static inline float adafactor_scaled(float g, float row, float col, float divisor, float floor) {
    float variance = fmaxf(row * col / divisor, floor);
    return g * (1.0f / sqrtf(variance));
}

double kiln_adafactor_update_sumsq_f32(const float *g, const float *row, const float *col,
                                       ptrdiff_t rows, ptrdiff_t cols, float divisor, float floor) {
    double total = 0;
    for (ptrdiff_t r = 0; r < rows; r++) {
        float partial = 0;
        for (ptrdiff_t c = 0; c < cols; c++) {
            float u = adafactor_scaled(g[r * cols + c], row[r], col[c], divisor, floor);
            partial += u * u;
        }
        total += partial;
    }
    return total;
}

void kiln_adafactor_apply_f32(float *theta, const float *g, const float *row, const float *col,
                              ptrdiff_t rows, ptrdiff_t cols, float divisor, float floor, float step) {
    for (ptrdiff_t r = 0; r < rows; r++)
        for (ptrdiff_t c = 0; c < cols; c++)
            theta[r * cols + c] += step * adafactor_scaled(g[r * cols + c], row[r], col[c], divisor, floor);
}

// MARK: Reductions

#if defined(__x86_64__)
KILN_AVX2 static double dot_avx2(const float *x, const float *y, ptrdiff_t n, ptrdiff_t *done) {
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 xs = _mm256_loadu_ps(x + i), ys = _mm256_loadu_ps(y + i);
        a0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(xs)),
                             _mm256_cvtps_pd(_mm256_castps256_ps128(ys)), a0);
        a1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(xs, 1)),
                             _mm256_cvtps_pd(_mm256_extractf128_ps(ys, 1)), a1);
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(a0, a1));
    *done = i;
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}
#endif

double kiln_dot_accurate_f32(const float *x, const float *y, ptrdiff_t n) {
    double total = 0;
    ptrdiff_t i = 0;
#if defined(__x86_64__)
    if (kiln_has_avx2_fma()) total = dot_avx2(x, y, n, &i);
#endif
    for (; i < n; i++) total += (double)x[i] * (double)y[i];
    return total;
}

double kiln_sum_squares_f32(const float *x, ptrdiff_t n) { return kiln_dot_accurate_f32(x, x, n); }
