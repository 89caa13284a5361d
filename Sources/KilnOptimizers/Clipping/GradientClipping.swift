import CKilnKernels
import KilnNN

/// Scales all gradients together so that their global L2 norm is at most `maxNorm`, as
/// PyTorch's `clip_grad_norm_`: each gradient is multiplied by min(1, maxNorm / (norm + 10⁻⁶)).
///
/// To clip gradients accumulated by `backward()`, collect them with ``KilnNN/Gradients/init(accumulatedIn:)``
/// and pass the result to ``Optimizer/update(_:along:)``.
///
/// - Returns: the global norm before clipping, accumulated in `Double`.
@discardableResult
public func clipGradientNorm(_ gradients: inout Gradients, maxNorm: Double) -> Double {
    precondition(maxNorm >= 0, "clipGradientNorm: maxNorm \(maxNorm) is negative")
    let norm = gradients.globalNorm
    let scale = min(1, Float(maxNorm) / (Float(norm) + 1e-6))  // in float32, as PyTorch computes it
    if scale < 1 {
        for name in gradients.byName.keys {
            gradients.byName[name]!.withUnsafeMutableFloats { g in for i in g.indices { g[i] *= scale } }
        }
    }
    return norm
}

/// Clamps every gradient element into `-maxValue...maxValue`, as PyTorch's `clip_grad_value_`.
public func clipGradientValues(_ gradients: inout Gradients, maxValue: Double) {
    precondition(maxValue >= 0, "clipGradientValues: maxValue \(maxValue) is negative")
    let maxValue = Float(maxValue)
    for name in gradients.byName.keys {
        gradients.byName[name]!.withUnsafeMutableFloats { g in
            for i in g.indices { g[i] = g[i] > maxValue ? maxValue : (g[i] < -maxValue ? -maxValue : g[i]) }
        }
    }
}

extension Gradients {
    /// The L2 norm of all gradients together, accumulated in Double (NaN or infinite when an element is).
    ///
    /// The parameters are summed in name order, so the norm is the same to the last bit in every
    /// process (a dictionary's order changes from one process to the next). A large gradient is
    /// summed in blocks of fixed size across threads, the blocks' sums then added in order, so the
    /// thread count does not change the bits either.
    public var globalNorm: Double {
        var squares = 0.0
        for name in byName.keys.sorted() {
            squares += byName[name]!.withUnsafeFloats(Self.sumOfSquares)
        }
        return squares.squareRoot()
    }

    /// Elements per block of ``globalNorm``'s sums.
    static let normBlock = 1 << 16

    /// Σ g² in Double: blocks of ``normBlock`` elements summed across threads, then added in order.
    private static func sumOfSquares(_ g: UnsafeBufferPointer<Float>) -> Double {
        guard let base = g.baseAddress else { return 0 }
        let blocks = (g.count + normBlock - 1) / normBlock
        guard blocks > 1 else { return kiln_sum_squares_f32(base, g.count) }
        var sums = [Double](repeating: 0, count: blocks)
        sums.withUnsafeMutableBufferPointer { sums in
            parallelChunks(blocks, costPerItem: normBlock) { range in
                for b in range { sums[b] = kiln_sum_squares_f32(base + b * normBlock, min(normBlock, g.count - b * normBlock)) }
            }
        }
        return sums.reduce(0, +)
    }

    /// The gradients `backward()` left on `model`'s trainable parameters, by path; parameters
    /// without one are absent.
    public init(accumulatedIn model: Module) {
        var byName: [String: Tensor] = [:]
        for (name, p) in model.namedParameters() where !p.isFrozen {
            if let g = p.gradient { byName[name] = g }
        }
        self.init(byName)
    }
}
