/// Triangular masks and parts of matrices: PyTorch's `tril`, `triu` and integer `arange`.
extension Tensor {
    /// Int64 integers from `start` up to, not including, `end`, by `step` (PyTorch's `torch.arange` on integers).
    public static func arange(_ start: Int = 0, _ end: Int, step: Int = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be zero")
        return Tensor(Array(stride(from: start, to: end, by: step)))
    }

    /// A bool `[rows, columns]` tensor, true where `column − row ≤ diagonal` (on and below that diagonal).
    public static func tril(rows: Int, columns: Int, diagonal: Int = 0) -> Tensor {
        let r = Tensor.arange(0, rows).reshaped([rows, 1]), c = Tensor.arange(0, columns).reshaped([1, columns])
        return (c - r) .<= Tensor([diagonal])
    }

    /// A bool `[rows, columns]` tensor, true where `column − row ≥ diagonal` (on and above that diagonal).
    public static func triu(rows: Int, columns: Int, diagonal: Int = 0) -> Tensor {
        let r = Tensor.arange(0, rows).reshaped([rows, 1]), c = Tensor.arange(0, columns).reshaped([1, columns])
        return (c - r) .>= Tensor([diagonal])
    }

    /// The lower triangle of the last two axes: elements with `column − row ≤ diagonal` kept, the rest zero.
    public func tril(diagonal: Int = 0) -> Tensor {
        precondition(rank >= 2, "tril: needs at least two axes, got \(shape)")
        let keep = Tensor.tril(rows: shape[rank - 2], columns: shape[rank - 1], diagonal: diagonal)
        return Tensor.where(keep, self, Tensor(0))
    }

    /// The upper triangle of the last two axes: elements with `column − row ≥ diagonal` kept, the rest zero.
    public func triu(diagonal: Int = 0) -> Tensor {
        precondition(rank >= 2, "triu: needs at least two axes, got \(shape)")
        let keep = Tensor.triu(rows: shape[rank - 2], columns: shape[rank - 1], diagonal: diagonal)
        return Tensor.where(keep, self, Tensor(0))
    }
}
