// Pooling kernels over planes of images in NCHW layout: max pooling with argmax indices and
// window means (average and adaptive average pooling), forward and backward.
#ifndef CKILNPOOL_H
#define CKILNPOOL_H

#include <stddef.h>
#include <stdint.h>

/// Geometry of a max pooling window sliding over one image plane.
typedef struct {
    int height, width, out_h, out_w;
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    int pad_h, pad_w;                   // implicit -inf border; at most half the kernel
    int dilation_h, dilation_w;
} kiln_pool_geometry;

/// Max pooling of `planes` consecutive planes: y[o] is the window maximum (NaN wins) and
/// indices[o] its position within the plane (row * width + column), as PyTorch's `max_pool2d`.
void kiln_max_pool2d_f32(const float *x, const kiln_pool_geometry *g, ptrdiff_t planes, float *y, int64_t *indices);

/// Backward of max pooling: dx (the `planes` input planes) is set to zero, then dy[o] is added at indices[o].
void kiln_max_pool2d_backward_f32(const float *dy, const int64_t *indices, const kiln_pool_geometry *g,
                                  ptrdiff_t planes, float *dx);

/// Rectangular windows over one plane: output row r covers input rows [row_begin[r], row_end[r]) and
/// column c columns [col_begin[c], col_end[c]); its value is the window sum times row_scale[r] * col_scale[c].
typedef struct {
    int height, width, out_h, out_w;
    const int *row_begin, *row_end, *col_begin, *col_end;
    const float *row_scale, *col_scale;
} kiln_window_geometry;

/// Scaled window sums (average pooling) of `planes` consecutive planes.
void kiln_window_mean_f32(const float *x, const kiln_window_geometry *g, ptrdiff_t planes, float *y);

/// Backward of ``kiln_window_mean_f32``: dx is set to zero, then each dy[o] times its scale is added over its window.
void kiln_window_mean_backward_f32(const float *dy, const kiln_window_geometry *g, ptrdiff_t planes, float *dx);

#endif
