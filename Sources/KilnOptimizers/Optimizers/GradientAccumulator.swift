import KilnNN

/// Averages the gradients of several micro-batches into one optimizer step, for an effective
/// batch larger than fits in memory.
///
/// ```swift
/// var accumulator = GradientAccumulator(microBatches: 4)
/// for batch in loader {
///     let (_, grads) = valueAndGradient(of: model) { m in loss(m, batch) }
///     if let mean = accumulator.add(grads) { optimizer.update(model, along: mean) }
/// }
/// ```
public struct GradientAccumulator {
    /// How many micro-batches make one step.
    public let microBatches: Int
    /// How many micro-batches have been added since the last step.
    public private(set) var pending = 0
    private var sums: [String: Tensor] = [:]

    /// An accumulator that averages the gradients of `microBatches` micro-batches into one step.
    public init(microBatches: Int) {
        precondition(microBatches >= 1, "GradientAccumulator: microBatches must be at least 1, got \(microBatches)")
        self.microBatches = microBatches
    }

    /// Adds one micro-batch's gradients; after every `microBatches`-th call returns their mean
    /// (gradients absent from some micro-batches count as zero there) and starts over.
    public mutating func add(_ gradients: Gradients) -> Gradients? {
        for (name, g) in gradients.byName {
            if var sum = sums.removeValue(forKey: name) {
                precondition(sum.shape == g.shape, "GradientAccumulator: '\(name)' has shape \(g.shape), earlier \(sum.shape)")
                g.withUnsafeFloats { src in
                    sum.withUnsafeMutableFloats { dst in for i in dst.indices { dst[i] += src[i] } }
                }
                sums[name] = sum
            } else {
                sums[name] = Tensor(g.scalars, shape: g.shape)
            }
        }
        pending += 1
        guard pending == microBatches else { return nil }
        let scale = 1 / Float(microBatches)
        var mean = Gradients()
        for (name, var sum) in sums {
            sum.withUnsafeMutableFloats { s in for i in s.indices { s[i] *= scale } }
            mean[name] = sum
        }
        sums = [:]
        pending = 0
        return mean
    }
}
