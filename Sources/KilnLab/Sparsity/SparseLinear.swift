import CKilnKernels
import Kiln
import KilnNN

/// A linear layer for sparse decoding: one token at a time, it chooses the inputs to keep by an
/// ``InputSparsifier``'s rule and reads only their weight columns, in one kernel call
/// (``kiln_sparse_linear_f32``, the weight stored input-major so that each kept input is one contiguous
/// row), so the work falls with the sparsity. Choosing the inputs is part of every call, as in decoding.
///
/// ```swift
/// let sparse = SparseLinear(layer, sparsifier: InputSparsifier(method: .wina, sparsity: 0.5, weight: layer.weight))
/// let y = sparse(x)   // x: [in] or [1, in]; equals layer(x * sparsifier.mask(x))
/// ```
public final class SparseLinear {
    /// The rule choosing the kept inputs.
    public let sparsifier: InputSparsifier
    private let outputs: Int
    private let rule: kiln_keep_rule
    private let standardScore: Float
    /// `Wᵀ` `[in, out]`, the bias, the rule's per-input values (WINA's column norms or CHESS's thresholds)
    /// and the kernel's scratch, allocated once so that a call allocates only its output.
    private let transposedWeight: UnsafeMutablePointer<Float>
    private let bias: UnsafeMutablePointer<Float>?
    private let channel: UnsafeMutablePointer<Float>?
    private let scratch: UnsafeMutablePointer<Int32>

    /// The sparse form of `layer`, keeping the inputs `sparsifier` chooses.
    /// - Precondition: the sparsifier is for the layer's input width.
    public init(_ layer: Linear, sparsifier: InputSparsifier) {
        precondition(layer.weight.shape[1] == sparsifier.width,
                     "SparseLinear: weight \(layer.weight.shape) does not take the sparsifier's \(sparsifier.width) inputs")
        self.sparsifier = sparsifier
        outputs = layer.weight.shape[0]
        switch sparsifier.method {
        case .magnitude, .wina, .winaOrthogonal: rule = KILN_KEEP_TOP_K
        case .chess: rule = KILN_KEEP_ABOVE_CHANNEL_THRESHOLD
        case .statistical: rule = KILN_KEEP_ABOVE_STATISTIC
        }
        standardScore = sparsifier.standardScore
        transposedWeight = Self.copy(layer.weight.transposed().contiguous().scalars)
        bias = layer.bias.map { Self.copy($0.value.scalars) }
        channel = (sparsifier.columnNorms ?? sparsifier.thresholds).map(Self.copy)
        let width = sparsifier.width
        scratch = .allocate(capacity: 2 * width + width / 32 + 2)
    }

    deinit {
        transposedWeight.deallocate()
        bias?.deallocate()
        channel?.deallocate()
        scratch.deallocate()
    }

    private static func copy(_ values: [Float]) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: values.count)
        pointer.initialize(from: values, count: values.count)
        return pointer
    }

    /// The layer's output for one token `x` (`[in]` or `[1, in]`), in the same shape with `out` last.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let width = sparsifier.width
        precondition(x.count == width && x.shape.last == width, "SparseLinear: takes one token of \(width) inputs, got \(x.shape)")
        var shape = x.shape
        shape[shape.count - 1] = outputs
        return x.withUnsafeFloats { input in
            Tensor(shape: shape, of: Float.self) { y in
                _ = kiln_sparse_linear_f32(transposedWeight, width, outputs, bias, input.baseAddress, rule, channel, sparsifier.keep,
                                           standardScore, y.baseAddress, scratch)
            }
        }
    }
}
