import CKilnKernels
import Foundation
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

/// Seconds per token of a linear layer at batch size 1, dense against sparse.
public struct DecodeTiming: Sendable, Equatable {
    /// The dense layer's median time per token.
    public let dense: Double
    /// The sparse layer's median time per token, mask choice included.
    public let sparse: Double
    /// How many times faster the sparse layer is.
    public var speedup: Double { dense / sparse }

    /// The median over `rounds` rounds of each layer's mean time over `tokens` (rows of `[N, in]`),
    /// one token per call, the dense `layer` and its `sparse` form alternating round by round.
    /// - Precondition: `tokens` is `[N, in]` with `N ≥ 1`, `rounds ≥ 1`.
    public init(layer: Linear, sparse: SparseLinear, tokens: Tensor, rounds: Int = 5) {
        precondition(tokens.rank == 2 && tokens.shape[0] >= 1 && rounds >= 1,
                     "DecodeTiming: tokens must be [N ≥ 1, in] and rounds ≥ 1, got \(tokens.shape), \(rounds)")
        let rows = (0..<tokens.shape[0]).map { tokens[$0..<($0 + 1)].contiguous() }
        func seconds(_ body: (Tensor) -> Tensor) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for row in rows { _ = body(row) }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(rows.count)
        }
        var dense: [Double] = [], sparseTimes: [Double] = []
        withoutGradient {
            for _ in 0..<rounds {
                dense.append(seconds { layer($0) })
                sparseTimes.append(seconds { sparse($0) })
            }
        }
        self.dense = dense.sorted()[rounds / 2]
        self.sparse = sparseTimes.sorted()[rounds / 2]
    }
}
