// Fused optimizer updates: each reads a parameter, its gradient and its state once and writes them once.
// Every kernel follows the matching torch.optim formula element by element (see optimizers.c).
#ifndef CKILNOPTIM_H
#define CKILNOPTIM_H

#include <stddef.h>

/// SGD with momentum, dampening, Nesterov and L2 weight decay.
typedef struct {
    float lr, momentum, dampening, weight_decay;
    int nesterov, maximize;
    int first_step;   ///< 1 on a parameter's first step: the momentum buffer becomes the gradient
} kiln_sgd_params;

/// theta, grad and (when momentum != 0) momentum_buffer hold n floats.
void kiln_sgd_f32(float *theta, const float *grad, float *momentum_buffer, ptrdiff_t n, kiln_sgd_params p);

/// Adam and AdamW, with AMSGrad when max_exp_avg_sq is not NULL.
typedef struct {
    float weight_decay;          ///< L2 term added to the gradient (0 for AdamW)
    float decay_factor;          ///< decoupled decay: theta *= 1 - lr * lambda (1 for Adam)
    float one_minus_beta1, beta2, one_minus_beta2, eps;
    float step_size;             ///< lr / (1 - beta1^t)
    float bias_correction2_sqrt; ///< sqrt(1 - beta2^t)
    int maximize;
} kiln_adam_params;

void kiln_adam_f32(float *theta, const float *grad, float *exp_avg, float *exp_avg_sq,
                   float *max_exp_avg_sq, ptrdiff_t n, kiln_adam_params p);

/// Adamax, Adam with the infinity norm: u = max(beta2 u, |g| + eps), theta += (-clr m) / u.
typedef struct {
    float weight_decay, one_minus_beta1, beta2, eps;
    float neg_clr;               ///< -lr / (1 - beta1^t)
    int maximize;
} kiln_adamax_params;

void kiln_adamax_f32(float *theta, const float *grad, float *exp_avg, float *exp_inf, ptrdiff_t n,
                     kiln_adamax_params p);

/// NAdam: Adam with Nesterov momentum, the gradient and the average each weighted by a coefficient.
typedef struct {
    float weight_decay;          ///< L2 term added to the gradient (0 with decoupled decay)
    float decay_factor;          ///< decoupled decay: theta *= 1 - lr * lambda (else 1)
    float one_minus_beta1, beta2, one_minus_beta2, eps;
    float bias_correction2;      ///< 1 - beta2^t
    float grad_coefficient;      ///< -lr (1 - mu_t) / (1 - mu_1 ... mu_t)
    float exp_avg_coefficient;   ///< -lr mu_{t+1} / (1 - mu_1 ... mu_{t+1})
    int maximize;
} kiln_nadam_params;

void kiln_nadam_f32(float *theta, const float *grad, float *exp_avg, float *exp_avg_sq, ptrdiff_t n,
                    kiln_nadam_params p);

/// RAdam: Adam whose adaptive step is rectified by rect, or plain momentum SGD while rect is 0.
typedef struct {
    float weight_decay;          ///< L2 term added to the gradient (0 with decoupled decay)
    float decay_factor;          ///< decoupled decay: theta *= 1 - lr * lambda (else 1)
    float one_minus_beta1, beta2, one_minus_beta2, eps;
    float bias_correction1;      ///< 1 - beta1^t
    float lr;
    float bias_correction2_sqrt; ///< sqrt(1 - beta2^t)
    float rect;                  ///< the variance rectification r_t when rho_t > 5, else 0
    int maximize;
} kiln_radam_params;

void kiln_radam_f32(float *theta, const float *grad, float *exp_avg, float *exp_avg_sq, ptrdiff_t n,
                    kiln_radam_params p);

/// Lion with decoupled weight decay applied before the sign update.
typedef struct {
    float lr, beta1, one_minus_beta1, beta2, one_minus_beta2;
    float decay_factor;          ///< 1 - lr * lambda
    int maximize;
} kiln_lion_params;

void kiln_lion_f32(float *theta, const float *grad, float *exp_avg, ptrdiff_t n, kiln_lion_params p);

/// RMSprop; grad_avg is NULL unless centered, momentum_buffer NULL unless momentum > 0.
typedef struct {
    float lr, alpha, one_minus_alpha, eps, weight_decay, momentum;
    int maximize;
} kiln_rmsprop_params;

void kiln_rmsprop_f32(float *theta, const float *grad, float *square_avg, float *grad_avg,
                      float *momentum_buffer, ptrdiff_t n, kiln_rmsprop_params p);

/// Adagrad; clr is the decayed learning rate lr / (1 + (t - 1) * lr_decay).
typedef struct {
    float clr, eps, weight_decay;
    int maximize;
} kiln_adagrad_params;

void kiln_adagrad_f32(float *theta, const float *grad, float *sum, ptrdiff_t n, kiln_adagrad_params p);

/// For a row-major rows x cols matrix g: row_sq[r] = sum over c of g^2 and col_sq[c] = sum over r of g^2.
void kiln_square_sums_rows_cols_f32(const float *g, ptrdiff_t rows, ptrdiff_t cols, float *row_sq, float *col_sq);

/// Adafactor's scaled gradient u[r,c] = g[r,c] / sqrt(max(row[r] * col[c] / divisor, floor)).
/// Returns the sum of u^2 over the matrix.
double kiln_adafactor_update_sumsq_f32(const float *g, const float *row, const float *col,
                                       ptrdiff_t rows, ptrdiff_t cols, float divisor, float floor);

/// theta[r,c] += step * u[r,c], with u as in kiln_adafactor_update_sumsq_f32.
void kiln_adafactor_apply_f32(float *theta, const float *g, const float *row, const float *col,
                              ptrdiff_t rows, ptrdiff_t cols, float divisor, float floor, float step);

/// The sum of x[i]^2, accumulated in double.
double kiln_sum_squares_f32(const float *x, ptrdiff_t n);

/// The sum of x[i] * y[i], accumulated in double.
double kiln_dot_accurate_f32(const float *x, const float *y, ptrdiff_t n);

#endif
