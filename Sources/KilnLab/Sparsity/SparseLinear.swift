import CKilnKernels
import Kiln

/// A linear layer for sparse decoding: one token at a time, it chooses the inputs to keep with an
/// ``InputSparsifier`` and reads only their weight columns (``kiln_sparse_gemv_f32``, the weight
/// stored input-major), so the work falls with the sparsity.
///
/// ```swift
/// let sparse = SparseLinear(layer, sparsifier: InputSparsifier(method: .wina, sparsity: 0.5, weight: layer.weight))
/// let y = sparse(x)   // x: [in] or [1, in]; equals layer(x * sparsifier.mask(x))
/// ```
public final class SparseLinear {
    /// The rule choosing the kept inputs.
    public let sparsifier: InputSparsifier
    /// `Wᵀ`, `[in, out]` row-major.
    private let transposedWeight: [Float]
    private let bias: [Float]?
    private let outputs: Int
    private var chosen: [Int32]
    private var scores: [Float]
    private var keys: [Int32]

    /// The sparse form of `layer`, keeping the inputs `sparsifier` chooses.
    /// - Precondition: the sparsifier is for the layer's input width.
    public init(_ layer: Linear, sparsifier: InputSparsifier) {
        precondition(layer.weight.shape[1] == sparsifier.width,
                     "SparseLinear: weight \(layer.weight.shape) does not take the sparsifier's \(sparsifier.width) inputs")
        self.sparsifier = sparsifier
        transposedWeight = layer.weight.transposed().contiguous().scalars
        bias = layer.bias?.value.scalars
        outputs = layer.weight.shape[0]
        chosen = [Int32](repeating: 0, count: sparsifier.width)
        scores = [Float](repeating: 0, count: sparsifier.width)
        keys = [Int32](repeating: 0, count: sparsifier.width)
    }

    /// The layer's output for one token `x` (`[in]` or `[1, in]`), in the same shape with `out` last.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.count == sparsifier.width && x.shape.last == sparsifier.width,
                     "SparseLinear: takes one token of \(sparsifier.width) inputs, got \(x.shape)")
        var y = Tensor(zeros: Array(x.shape.dropLast()) + [outputs])
        x.withUnsafeFloats { input in
            let count = chosen.withUnsafeMutableBufferPointer { chosen in
                scores.withUnsafeMutableBufferPointer { scores in
                    keys.withUnsafeMutableBufferPointer { keys in
                        sparsifier.choose(input.baseAddress!, into: chosen.baseAddress!, scores: scores.baseAddress!, keys: keys.baseAddress!)
                    }
                }
            }
            y.withUnsafeMutableFloats { output in
                transposedWeight.withUnsafeBufferPointer { wt in
                    chosen.withUnsafeBufferPointer { chosen in
                        if let bias {
                            bias.withUnsafeBufferPointer {
                                kiln_sparse_gemv_f32(wt.baseAddress, outputs, chosen.baseAddress, count, input.baseAddress, $0.baseAddress,
                                                     output.baseAddress)
                            }
                        } else {
                            kiln_sparse_gemv_f32(wt.baseAddress, outputs, chosen.baseAddress, count, input.baseAddress, nil, output.baseAddress)
                        }
                    }
                }
            }
        }
        return y
    }
}
