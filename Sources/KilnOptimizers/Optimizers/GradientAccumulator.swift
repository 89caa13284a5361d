import KilnNN

/// Averages the gradients of several micro-batches into one optimizer step, for an effective
/// batch larger than fits in memory.
///
/// ```swift
/// var accumulator = GradientAccumulator(microBatches: 4)
/// for batch in loader {
///     let (_, grads) = valueAndGradient(of: model) { m in loss(m, batch) }
///     if let mean = accumulator.add(grads, weight: Double(batch.size)) { optimizer.update(model, along: mean) }
/// }
/// ```
///
/// Weighting each micro-batch by what its mean loss averages over (its examples, or its counted
/// tokens) makes the step's gradient that of the mean loss over all of them, as one large batch
/// would give; equal weights (the default) give PyTorch's usual `loss / micro_batches` loop.
public struct GradientAccumulator {
    /// How many micro-batches make one step.
    public let microBatches: Int
    /// How many micro-batches have been added since the last step.
    public private(set) var pending = 0
    private var sums: [String: Tensor] = [:]
    private var totalWeight = 0.0

    /// An accumulator that averages the gradients of `microBatches` micro-batches into one step.
    public init(microBatches: Int) {
        precondition(microBatches >= 1, "GradientAccumulator: microBatches must be at least 1, got \(microBatches)")
        self.microBatches = microBatches
    }

    /// Adds one micro-batch's gradients with a positive `weight`; after every `microBatches`-th call
    /// returns their weighted mean `Σ wᵢ gᵢ / Σ wᵢ` (gradients absent from some micro-batches count
    /// as zero there) and starts over.
    public mutating func add(_ gradients: Gradients, weight: Double = 1) -> Gradients? {
        precondition(weight > 0 && weight.isFinite, "GradientAccumulator: weights must be positive and finite, got \(weight)")
        let w = Float(weight)
        for (name, g) in gradients.byName {
            if var sum = sums.removeValue(forKey: name) {
                precondition(sum.shape == g.shape, "GradientAccumulator: '\(name)' has shape \(g.shape), earlier \(sum.shape)")
                g.withUnsafeFloats { src in
                    sum.withUnsafeMutableFloats { dst in for i in dst.indices { dst[i] += w * src[i] } }
                }
                sums[name] = sum
            } else {
                sums[name] = w == 1 ? Tensor(g.scalars, shape: g.shape) : Tensor(g.scalars.map { w * $0 }, shape: g.shape)
            }
        }
        totalWeight += weight
        pending += 1
        return pending == microBatches ? takeMean() : nil
    }

    /// The weighted mean of the micro-batches added since the last step, when there are fewer than
    /// ``microBatches`` of them (the end of an epoch), or nil when there are none; starts over.
    public mutating func takeMean() -> Gradients? {
        guard pending > 0 else { return nil }
        let scale = Float(1 / totalWeight)
        var mean = Gradients()
        for (name, var sum) in sums {
            sum.withUnsafeMutableFloats { s in for i in s.indices { s[i] *= scale } }
            mean[name] = sum
        }
        sums = [:]
        totalWeight = 0
        pending = 0
        return mean
    }
}
