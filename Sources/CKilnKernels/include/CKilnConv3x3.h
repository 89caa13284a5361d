// 3×3, stride-1 convolutions without lowering: Winograd F(2×2, 3×3) and a direct kernel.
#ifndef CKILNCONV3X3_H
#define CKILNCONV3X3_H

#include <stddef.h>

/// One image's 3×3, stride 1, dilation 1, ungrouped convolution in NCHW layout.
/// Padding is 0, 1 or 2 on each axis; out_h = height + 2·pad_h − 2, likewise out_w.
typedef struct {
    int channels, out_channels;
    int height, width;
    int pad_h, pad_w;
    int out_h, out_w;
} kiln_conv3x3_geometry;

/// Floats of one worker's workspace for the Winograd kernels.
size_t kiln_winograd_workspace_floats(const kiln_conv3x3_geometry *g);

/// Floats of the transformed weights u: 16 · channels · out_channels, each rounded up to 8.
size_t kiln_winograd_weight_floats(const kiln_conv3x3_geometry *g);

/// The weights w [out_channels, channels, 3, 3] transformed to u = G w Gᵀ, laid out
/// [16][channels rounded up to 8][out_channels rounded up to 8] with zeros in the padding.
void kiln_winograd_weights_f32(const float *w, const kiln_conv3x3_geometry *g, float *u);

/// y [images, out_channels, out_h, out_w] = x [images, channels, height, width] ⋆ w (+ bias per output
/// channel when bias is not NULL), with w given as u from kiln_winograd_weights_f32.
void kiln_winograd_forward_f32(const float *x, const float *u, const float *bias, const kiln_conv3x3_geometry *g,
                               int images, float *y, float *workspace);

/// Adds the Winograd-domain weight gradient of images [images] to du (laid out as u): the sum over
/// tiles of (Bᵀ x B) ⊙ (A dy Aᵀ) per channel pair.
void kiln_winograd_weight_grad_f32(const float *x, const float *dy, const kiln_conv3x3_geometry *g, int images,
                                   float *du, float *workspace);

/// dw [out_channels, channels, 3, 3] = Gᵀ du G: the weight gradient from its Winograd-domain sum.
void kiln_winograd_fold_weight_grad_f32(const float *du, const kiln_conv3x3_geometry *g, float *dw);

/// Floats of one worker's workspace for the direct kernels.
size_t kiln_direct3x3_workspace_floats(const kiln_conv3x3_geometry *g);

/// The forward pass as kiln_winograd_forward_f32, with w [out_channels, channels, 3, 3] taken as is:
/// each output is the sum over (channel, tap) in order, then the bias, as im2col and sgemm round it.
void kiln_direct3x3_forward_f32(const float *x, const float *w, const float *bias, const kiln_conv3x3_geometry *g,
                                int images, float *y, float *workspace);

/// Floats of the direct weight-gradient accumulator: channels · 9 · out_channels rounded up to 8.
size_t kiln_direct3x3_weight_partial_floats(const kiln_conv3x3_geometry *g);

/// Adds the weight gradient of the images to partial [channels][9][out_channels rounded up to 8], each
/// entry summed over images and positions in order, as sgemm sums the lowered product.
void kiln_direct3x3_weight_grad_f32(const float *x, const float *dy, const kiln_conv3x3_geometry *g, int images,
                                    float *partial, float *workspace);

/// dw [out_channels, channels, 3, 3] += partial, rearranged.
void kiln_direct3x3_fold_weight_grad_f32(const float *partial, const kiln_conv3x3_geometry *g, float *dw);

/// wt [channels, out_channels, 3, 3]: w [out_channels, channels, 3, 3] with the roles of the channels
/// swapped and each 3×3 kernel rotated half a turn, the weight whose convolution of dy is dx.
void kiln_conv3x3_transpose_weights_f32(const float *w, int out_channels, int channels, float *wt);

#endif
