import Kiln

/// The fraction of samples whose predicted class equals the label.
///
/// Outputs are float scores `[N, C]` (the first largest score is the prediction) or int64
/// predicted classes `[N]`; targets are int64 labels `[N]`. Once a row of scores holding a NaN
/// has been seen, the accuracy is NaN.
public struct Accuracy: Metric {
    /// Samples predicted correctly so far.
    public private(set) var correct = 0
    /// Samples seen so far.
    public private(set) var total = 0
    /// Samples whose scores held a NaN, so far.
    public private(set) var unscored = 0

    /// An accuracy with no samples seen.
    public init() {}

    public var name: String { "accuracy" }

    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        let (predicted, labels) = ClassificationInput.predictions("Accuracy", outputs, targets, classes: nil)
        predicted.withUnsafeBufferPointer { p in
            labels.withUnsafeBufferPointer { y in
                var hits = 0, missing = 0
                for i in 0..<y.count {
                    if p[i] == y[i] { hits += 1 } else if p[i] == ClassificationInput.unscored { missing += 1 }
                }
                correct += hits
                unscored += missing
            }
        }
        total += labels.count
    }

    public func compute() -> Double { total == 0 || unscored > 0 ? .nan : Double(correct) / Double(total) }

    public mutating func reset() { correct = 0; total = 0; unscored = 0 }
}

/// The fraction of samples whose label is among the `k` highest-scoring classes.
///
/// Ties are broken as scikit-learn's `top_k_accuracy_score` does: among equal scores the higher
/// class index ranks first. Once a row of scores holding a NaN has been seen, the value is NaN.
public struct TopKAccuracy: Metric {
    /// How many of the best classes count as a hit.
    public let k: Int
    /// Samples whose label was among the top `k` so far.
    public private(set) var correct = 0
    /// Samples seen so far.
    public private(set) var total = 0
    /// Samples whose scores held a NaN, so far.
    public private(set) var unscored = 0

    /// The fraction of samples whose label is among the `k` highest scores.
    public init(k: Int) {
        precondition(k >= 1, "TopKAccuracy: k must be at least 1, got \(k)")
        self.k = k
    }

    public var name: String { "top_\(k)_accuracy" }

    /// Adds float scores `[N, C]` and int64 labels `[N]`.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        let k = self.k
        let (hits, missing) = ClassificationInput.withScores("TopKAccuracy", outputs, targets) { s, y, c in
            var hits = 0, missing = 0
            for i in 0..<y.count {
                let row = s.baseAddress! + i * c
                if ClassificationInput.predictedClass(row, c) == nil { missing += 1; continue }
                let label = y[i], score = row[label]
                var ahead = 0
                for j in 0..<c where row[j] > score || (row[j] == score && j > label) { ahead += 1 }
                if ahead < k { hits += 1 }
            }
            return (hits, missing)
        }
        correct += hits
        unscored += missing
        total += targets.shape[0]
    }

    public func compute() -> Double { total == 0 || unscored > 0 ? .nan : Double(correct) / Double(total) }

    public mutating func reset() { correct = 0; total = 0; unscored = 0 }
}
