import Kiln

// Shared pieces of the softmax-based losses in this folder.
//
// `logProbabilities` is x − logsumexp(x) from Kiln's `logSumExp`, two passes more than a fused
// log-softmax; it is meant to be switched to the fused op once that exists.

/// The log-softmax of `logits` over the last axis.
func logProbabilities(_ logits: Tensor) -> Tensor {
    logits - logits.logSumExp(axis: -1, keepingDims: true)
}

/// `values[..., labels[...]]`: one entry of the last axis per row, chosen by the int64 `labels`,
/// which have the shape of `values` without its last axis.
///
/// Picks from the flattened values with `indexSelect`; `gather(axis: -1)` with a size-1 index axis
/// would be the natural op, but its backward currently scatters every row's gradient into the first row.
func pickingLabels(_ values: Tensor, _ labels: Tensor, op: String) -> Tensor {
    precondition(values.rank >= 1 && labels.dtype == .int64 && labels.shape == Array(values.shape.dropLast()),
                 "\(op): labels must be int64 of shape \(Array(values.shape.dropLast())) for logits \(values.shape), got \(labels.dtype) \(labels.shape)")
    let classes = values.shape[values.rank - 1]
    let positions = labels.integers.enumerated().map { row, label in
        precondition(label >= 0 && label < classes, "\(op): label \(label) out of range for \(classes) classes")
        return row * classes + label
    }
    return values.reshaped([-1]).indexSelect(axis: 0, indices: Tensor(positions)).reshaped(labels.shape)
}

/// log(1 + eˣ) computed as max(x, 0) + log(1 + e^−|x|), which neither overflows nor loses small values.
func softplus(_ x: Tensor) -> Tensor {
    maximum(x, Tensor(0)) + (-x.abs()).exp().log1p()
}
