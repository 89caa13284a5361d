import Kiln

/// Expected calibration error (Guo et al., "On Calibration of Modern Neural Networks", 2017):
/// how far a classifier's confidence is from its accuracy.
///
/// Each sample's confidence is its largest class probability. Samples fall into `bins`
/// equal-width bins over `(0, 1]`, bin `b` holding confidences in `(b/B, (b+1)/B]`, and
///
///     ECE = Σ_b |acc(b) − conf(b)| · n_b / N
///
/// where `acc(b)` and `conf(b)` are the accuracy and mean confidence of the `n_b` samples in
/// the bin. ``reliabilityDiagram`` gives the per-bin numbers for plotting. A sample whose
/// confidence is not a number (NaN scores, or infinite logits) fits no bin: once one has been
/// seen the error is NaN.
public struct ExpectedCalibrationError: Metric {
    /// The number of equal-width confidence bins.
    public let bins: Int
    /// Whether outputs are logits or probabilities.
    public let scores: ScoreKind
    private var counts: [Int]
    private var correct: [Int]
    private var confidenceSums: [Double]
    /// Samples without a finite confidence, so far.
    public private(set) var unscored = 0

    /// An expected calibration error over `bins` equal-width confidence bins, from logits or probabilities.
    public init(bins: Int = 15, scores: ScoreKind = .logits) {
        precondition(bins >= 1, "ExpectedCalibrationError: needs at least one bin, got \(bins)")
        self.bins = bins
        self.scores = scores
        counts = [Int](repeating: 0, count: bins)
        correct = counts
        confidenceSums = [Double](repeating: 0, count: bins)
    }

    public var name: String { "expected_calibration_error" }

    /// Adds float scores `[N, C]` and int64 labels `[N]`.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        let kind = scores, b = bins
        var missing = 0
        ClassificationInput.withScores("ExpectedCalibrationError", outputs, targets) { s, y, c in
            let probabilities = UnsafeMutablePointer<Double>.allocate(capacity: c)
            defer { probabilities.deallocate() }
            counts.withUnsafeMutableBufferPointer { n in
                correct.withUnsafeMutableBufferPointer { hits in
                    confidenceSums.withUnsafeMutableBufferPointer { sums in
                        for i in 0..<y.count {
                            let row = s.baseAddress! + i * c
                            let predicted = ClassificationInput.argmax(row, c)
                            ClassificationInput.probabilities(row, c, kind, into: probabilities)
                            let confidence = probabilities[predicted]
                            guard confidence.isFinite else { missing += 1; continue }
                            let bin = min(max(Int((confidence * Double(b)).rounded(.up)) - 1, 0), b - 1)
                            n[bin] += 1
                            sums[bin] += confidence
                            if predicted == y[i] { hits[bin] += 1 }
                        }
                    }
                }
            }
        }
        unscored += missing
    }

    public func compute() -> Double {
        let n = counts.reduce(0, +)
        if n == 0 || unscored > 0 { return .nan }
        var gap = 0.0
        for b in 0..<bins { gap += abs(Double(correct[b]) - confidenceSums[b]) }
        return gap / Double(n)
    }

    public mutating func reset() { self = ExpectedCalibrationError(bins: bins, scores: scores) }

    /// Mean confidence, accuracy and sample count of every bin, for a reliability diagram.
    public var reliabilityDiagram: ReliabilityDiagram {
        ReliabilityDiagram(bins: (0..<bins).map { b in
            let n = counts[b]
            return ReliabilityDiagram.Bin(lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins),
                                          confidence: n == 0 ? 0 : confidenceSums[b] / Double(n),
                                          accuracy: n == 0 ? 0 : Double(correct[b]) / Double(n), count: n)
        })
    }
}

/// Per-bin calibration numbers: plotting accuracy against confidence shows where a classifier is
/// over- (below the diagonal) or under-confident.
public struct ReliabilityDiagram: Sendable {
    /// One confidence bin `(lower, upper]`.
    public struct Bin: Sendable {
        public let lower: Double
        public let upper: Double
        /// The mean confidence of the bin's samples (0 for an empty bin).
        public let confidence: Double
        /// The fraction of the bin's samples predicted correctly (0 for an empty bin).
        public let accuracy: Double
        /// The number of samples in the bin.
        public let count: Int
    }

    /// The bins from lowest to highest confidence.
    public let bins: [Bin]
}
