// Convolution lowering: image patches to matrix columns (im2col) and back (col2im).
#ifndef CKILNCONV_H
#define CKILNCONV_H

#include <stddef.h>

/// Geometry of a 2-D convolution over a batch of images in NCHW layout.
typedef struct {
    int channels, height, width;        // of one input image (channels of one group)
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    int pad_h, pad_w;
    int dilation_h, dilation_w;
    int out_h, out_w;
    int batch;                          // images in this call
    ptrdiff_t image_stride;             // elements between consecutive images of x
} kiln_conv_geometry;

/// Fills rows [row_begin, row_end) of col, a [channels·kernel_h·kernel_w, batch·out_h·out_w] matrix,
/// with the patches of x; out-of-image taps are 0.
void kiln_im2col_f32(const float *x, const kiln_conv_geometry *g, float *col, int row_begin, int row_end);

/// Adds the rows [row_begin, row_end) of col back into dx at the taps they were read from
/// (the adjoint of im2col). Row ranges that share channels must not run concurrently:
/// callers split by whole channels (multiples of kernel_h·kernel_w rows).
void kiln_col2im_f32(const float *col, const kiln_conv_geometry *g, float *dx, int row_begin, int row_end);

#endif
