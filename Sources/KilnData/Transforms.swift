import Foundation
import Kiln

/// A change applied to each batch as it is loaded (augmentation, normalization).
public protocol BatchTransform {
    /// The transformed batch; randomness comes from `generator` only.
    func apply(_ batch: Batch, generator: RandomGenerator) -> Batch
}

/// `(x − mean[c]) / std[c]` per channel (dimension 1), or for all values with one channel given.
public struct Normalize: BatchTransform {
    public let mean: [Float], std: [Float]

    /// Normalization by one positive `std` per `mean`: one pair per channel, or a single pair for all values.
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && !mean.isEmpty && std.allSatisfy { $0 > 0 },
                     "Normalize: need as many positive deviations as means, got \(mean) and \(std)")
        self.mean = mean
        self.std = std
    }

    public func apply(_ batch: Batch, generator: RandomGenerator) -> Batch {
        let x = batch.inputs
        let shape = mean.count == 1 ? [1] : [1, mean.count] + Array(repeating: 1, count: max(x.rank - 2, 0))
        let m = Tensor(mean, shape: shape), s = Tensor(std, shape: shape)
        var normalized = batch
        normalized.inputs = (x - m) / s
        return normalized
    }
}

/// Mirrors each image (`[N, C, H, W]`) left to right with probability `probability`.
public struct RandomHorizontalFlip: BatchTransform {
    public let probability: Float

    /// Flips with probability `probability`, 0.5 by default.
    public init(probability: Float = 0.5) { self.probability = probability }

    public func apply(_ batch: Batch, generator: RandomGenerator) -> Batch {
        var x = batch.inputs.contiguous()
        precondition(x.rank == 4, "RandomHorizontalFlip: expects [N, C, H, W], got \(x.shape)")
        let flips = Tensor.bernoulli([x.shape[0]], probability: probability, generator: generator).booleans
        let (c, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        x.withUnsafeMutableFloats { p in
            for (n, flip) in flips.enumerated() where flip {
                for row in 0..<(c * h) {
                    let base = (n * c * h + row) * w
                    for j in 0..<(w / 2) { p.swapAt(base + j, base + w - 1 - j) }
                }
            }
        }
        var flipped = batch
        flipped.inputs = x
        return flipped
    }
}

/// Pads each image by `padding` zeros on every side, then crops a random `H × W` window.
public struct RandomCrop: BatchTransform {
    public let padding: Int

    /// Crops after padding by `padding` (non-negative) zeros on every side.
    public init(padding: Int) {
        precondition(padding >= 0, "RandomCrop: padding must be non-negative, got \(padding)")
        self.padding = padding
    }

    public func apply(_ batch: Batch, generator: RandomGenerator) -> Batch {
        let x = batch.inputs.contiguous()
        precondition(x.rank == 4, "RandomCrop: expects [N, C, H, W], got \(x.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let offsets = Tensor.randint([n, 2], low: 0, high: 2 * padding + 1, generator: generator).integers
        var out = Tensor(zeros: x.shape)
        x.withUnsafeFloats { src in
            out.withUnsafeMutableFloats { dst in
                for i in 0..<n {
                    let dy = offsets[2 * i] - padding, dx = offsets[2 * i + 1] - padding
                    for ch in 0..<c {
                        let plane = (i * c + ch) * h * w
                        for y in 0..<h where y + dy >= 0 && y + dy < h {
                            for xx in 0..<w where xx + dx >= 0 && xx + dx < w {
                                dst[plane + y * w + xx] = src[plane + (y + dy) * w + xx + dx]
                            }
                        }
                    }
                }
            }
        }
        var cropped = batch
        cropped.inputs = out
        return cropped
    }
}

/// Mixup (Zhang et al. 2018): each batch is blended with a shuffled copy of itself by
/// λ ~ Beta(α, α); class-index targets become the blended one-hot probabilities.
public struct Mixup: BatchTransform {
    public let alpha: Double
    public let classes: Int

    /// Mixup with λ ~ Beta(`alpha`, `alpha`) (`alpha` > 0) over `classes` classes (at least 2).
    public init(alpha: Double, classes: Int) {
        precondition(alpha > 0 && classes > 1, "Mixup: needs alpha > 0 and at least 2 classes")
        self.alpha = alpha
        self.classes = classes
    }

    public func apply(_ batch: Batch, generator: RandomGenerator) -> Batch {
        precondition(batch.allInputs.count == 1 && batch.mask == nil, "Mixup: blends batches of one input without a mask")
        let n = batch.inputs.shape[0]
        let lambda = Float(BetaSampler.sample(alpha, alpha, generator: generator))
        let order = Tensor.randomPermutation(n, generator: generator)
        let targets = batch.targets.dtype == .int64 ? batch.targets.oneHot(classes: classes) : batch.targets
        let inputs = lambda * batch.inputs + (1 - lambda) * batch.inputs.indexSelect(axis: 0, indices: order)
        let mixed = lambda * targets + (1 - lambda) * targets.indexSelect(axis: 0, indices: order)
        return Batch(inputs: inputs, targets: mixed)
    }
}

/// Draws from Beta(a, b) as X / (X + Y) with gamma variates (Marsaglia and Tsang's method).
enum BetaSampler {
    static func sample(_ a: Double, _ b: Double, generator: RandomGenerator) -> Double {
        let x = gamma(a, generator), y = gamma(b, generator)
        return x / (x + y)
    }

    static func uniform(_ g: RandomGenerator) -> Double { (Double(g.next() >> 11) + 0.5) * 0x1p-53 }

    static func normal(_ g: RandomGenerator) -> Double {
        sqrt(-2 * log(uniform(g))) * cos(2 * .pi * uniform(g))
    }

    static func gamma(_ shape: Double, _ g: RandomGenerator) -> Double {
        if shape < 1 { return gamma(shape + 1, g) * pow(uniform(g), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / sqrt(9 * d)
        while true {
            var x: Double, v: Double
            repeat { x = normal(g); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = uniform(g)
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }
}
