import Kiln

/// Statistics of one layer's activations over a set of inputs: how many entries are active, which
/// channels never are, the values far above the layer's typical magnitude, and a histogram.
///
/// - The activation ratio is 1 − sparsity: the fraction of entries with `|a| > threshold`, the
///   quantity whose scaling the Sparsing Law paper (Luo et al. 2024) studies. With the default
///   threshold 0 it counts the exact non-zeros of ReLU-family outputs; for smooth activations (GELU,
///   SiLU) pass the magnitude below which an entry counts as off.
/// - A dead channel (neuron) is one whose entries are at or below the threshold on every input.
/// - Massive activations (Sun et al. 2024, whose training dynamics "Hidden Dynamics of Massive
///   Activations" follows) are single values orders of magnitude above the rest: the ``largest``
///   entries are listed with their positions, and those at least ``massiveRatio`` times the median
///   magnitude of the active entries count as massive.
///
/// ```swift
/// let inputs = model.capturingInputs(of: ["2"]) { _ = model(batch) }["2"]!
/// let stats = ActivationStatistics(name: "2", activations: Tensor.concatenate(inputs, axis: 0))
/// print(stats.activationRatio, stats.deadChannelFraction)
/// ```
public struct ActivationStatistics: Sendable {
    /// One large activation and where it sits.
    public struct Extreme: Sendable, Equatable {
        /// The activation.
        public let value: Float
        /// Its index in the observed tensor (the last entry is the channel).
        public let position: [Int]
        /// `|value|` over the layer's median active magnitude.
        public let ratioToMedian: Double
    }

    /// Equal-width bins of the activations between their smallest and largest value.
    public struct Histogram: Sendable, Equatable {
        /// The left edge of the first bin.
        public let lower: Float
        /// The right edge of the last bin.
        public let upper: Float
        /// The number of activations in each bin.
        public let counts: [Int]

        /// The centre of bin `i`.
        public func center(_ i: Int) -> Double {
            Double(lower) + (Double(i) + 0.5) * Double(upper - lower) / Double(counts.count)
        }
    }

    /// Sun et al.'s criterion for a massive activation: a thousand times the median magnitude.
    public static let massiveRatio = 1000.0

    /// The layer the activations came from.
    public let name: String
    /// The shape of the observed tensor, `[..., channels]`.
    public let shape: [Int]
    /// The magnitude at or below which an entry counts as inactive.
    public let threshold: Float
    /// The fraction of entries with `|a| > threshold` (1 − sparsity).
    public let activationRatio: Double
    /// The fraction of channels inactive on every input.
    public let deadChannelFraction: Double
    /// The median of `|a|` over the active entries (all of them for a smooth activation at threshold 0;
    /// the non-zero ones of a ReLU, whose median over all entries would be 0).
    public let medianMagnitude: Double
    /// The largest entries by magnitude, largest first.
    public let largest: [Extreme]
    /// The distribution of the activations.
    public let histogram: Histogram

    /// The statistics of `activations` `[..., channels]` (every axis but the last indexes inputs),
    /// with `threshold` deciding what is active, listing the `largestCount` largest entries and
    /// binning the values into `bins` bins.
    /// - Precondition: `activations` is a float tensor with at least one entry; `threshold ≥ 0`, `bins ≥ 1`.
    public init(name: String, activations: Tensor, threshold: Float = 0, largestCount: Int = 5, bins: Int = 40) {
        precondition(activations.dtype == .float32 && activations.count > 0 && activations.rank >= 1,
                     "ActivationStatistics: needs a non-empty float tensor, got \(activations.dtype) \(activations.shape)")
        precondition(threshold >= 0 && bins >= 1, "ActivationStatistics: threshold \(threshold) must be ≥ 0 and bins \(bins) ≥ 1")
        let values = activations.scalars
        let channels = activations.shape[activations.rank - 1]
        var everActive = [Bool](repeating: false, count: channels)
        var active = 0
        for (i, v) in values.enumerated() where abs(v) > threshold {
            active += 1
            everActive[i % channels] = true
        }
        let activeMagnitudes = values.compactMap { abs($0) > threshold ? abs($0) : nil }.sorted()
        let median = activeMagnitudes.isEmpty ? 0 : Double(sortedQuantile(activeMagnitudes, 0.5))
        let order = Self.largestIndices(values, count: largestCount)
        self.name = name
        shape = activations.shape
        self.threshold = threshold
        activationRatio = Double(active) / Double(values.count)
        deadChannelFraction = Double(everActive.filter { !$0 }.count) / Double(channels)
        medianMagnitude = median
        largest = order.map { i in
            Extreme(value: values[i], position: Self.position(of: i, in: activations.shape),
                    ratioToMedian: median > 0 ? Double(abs(values[i])) / median : .infinity)
        }
        histogram = Self.histogram(values, bins: bins)
    }

    /// The largest entries that are massive: at least ``massiveRatio`` times the median magnitude.
    public var massive: [Extreme] { largest.filter { $0.ratioToMedian >= Self.massiveRatio } }

    /// The largest magnitude over the median magnitude.
    public var peakRatio: Double { largest.first?.ratioToMedian ?? 0 }

    /// The indices of the `count` entries of largest magnitude, largest first, in one pass.
    private static func largestIndices(_ values: [Float], count: Int) -> [Int] {
        var kept: [Int] = []
        guard count > 0 else { return kept }
        for i in values.indices where kept.count < count || abs(values[i]) > abs(values[kept[kept.count - 1]]) {
            if kept.count == count { kept.removeLast() }
            let slot = kept.firstIndex { abs(values[$0]) < abs(values[i]) } ?? kept.count
            kept.insert(i, at: slot)
        }
        return kept
    }

    private static func position(of flat: Int, in shape: [Int]) -> [Int] {
        var rest = flat
        return shape.reversed().map { size -> Int in
            defer { rest /= size }
            return rest % size
        }.reversed()
    }

    private static func histogram(_ values: [Float], bins: Int) -> Histogram {
        let lower = values.min()!, upper = values.max()!
        var counts = [Int](repeating: 0, count: bins)
        let width = (upper - lower) / Float(bins)
        for v in values {
            counts[width > 0 ? min(bins - 1, Int((v - lower) / width)) : 0] += 1
        }
        return Histogram(lower: lower, upper: upper, counts: counts)
    }
}

/// The `q`-quantile of ascending `sorted` values, interpolating linearly between neighbours as NumPy's default.
func sortedQuantile(_ sorted: [Float], _ q: Double) -> Float {
    precondition(!sorted.isEmpty && (0...1).contains(q), "sortedQuantile: needs values and q in [0, 1], got \(sorted.count) values, q \(q)")
    let position = q * Double(sorted.count - 1)
    let low = Int(position), high = min(low + 1, sorted.count - 1)
    return sorted[low] + Float(position - Double(low)) * (sorted[high] - sorted[low])
}
