import Kiln

/// The area under the ROC curve, one class against the rest, as scikit-learn's
/// `roc_auc_score(multi_class="ovr")`.
///
/// Scores are kept for the whole epoch and ranked exactly when the value is read; tied scores
/// share their average rank. For each class `c` the positives are the samples labelled `c`
/// and the score is the probability of `c`. A class that is absent from the labels (or is every
/// label) has no curve: ``perClass()`` reports NaN for it and the averages leave it out, where
/// scikit-learn refuses the input. Scores that give a NaN probability make every area NaN.
public struct AUROC: Metric {
    /// How per-class areas are combined: `.macro` (unweighted), `.weighted` (by class
    /// prevalence), or `.micro` (one curve over every class-sample pair).
    public let average: Averaging
    /// Whether outputs are logits or probabilities.
    public let scores: ScoreKind
    private var probabilities: [Float] = []
    private var labels: [Int] = []
    private var classes = 0

    /// One-vs-rest ROC AUC combined by `average`, from logits or probabilities.
    public init(average: Averaging = .macro, scores: ScoreKind = .logits) {
        self.average = average
        self.scores = scores
    }

    public var name: String { "auroc_\(average.rawValue)" }

    /// Adds float scores `[N, C]` and int64 labels `[N]`.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        let kind = scores
        let expected = classes == 0 ? nil : classes
        ClassificationInput.withScores("AUROC", outputs, targets, classes: expected) { s, y, c in
            classes = c
            let start = probabilities.count
            probabilities.append(contentsOf: repeatElement(0, count: y.count * c))
            let row = UnsafeMutablePointer<Double>.allocate(capacity: c)
            defer { row.deallocate() }
            probabilities.withUnsafeMutableBufferPointer { p in
                for i in 0..<y.count {
                    ClassificationInput.probabilities(s.baseAddress! + i * c, c, kind, into: row)
                    for j in 0..<c { p[start + i * c + j] = Float(row[j]) }
                }
            }
            labels.append(contentsOf: y)
        }
    }

    /// The area for each class, NaN for a class without positives or without negatives.
    public func perClass() -> [Double] {
        let n = labels.count, c = classes
        if probabilities.contains(where: \.isNaN) { return [Double](repeating: .nan, count: c) }
        var column = [Float](repeating: 0, count: n)
        var positive = [Bool](repeating: false, count: n)
        return (0..<c).map { k in
            probabilities.withUnsafeBufferPointer { p in
                labels.withUnsafeBufferPointer { y in
                    column.withUnsafeMutableBufferPointer { col in
                        positive.withUnsafeMutableBufferPointer { pos in
                            for i in 0..<n {
                                col[i] = p[i * c + k]
                                pos[i] = y[i] == k
                            }
                            return Ranks.areaUnderROC(UnsafeBufferPointer(col), positive: UnsafeBufferPointer(pos))
                        }
                    }
                }
            }
        }
    }

    public func compute() -> Double {
        if labels.isEmpty || probabilities.contains(where: \.isNaN) { return .nan }
        switch average {
        case .micro:
            let c = classes
            let positive = [Bool](unsafeUninitializedCapacity: labels.count * c) { out, initialized in
                labels.withUnsafeBufferPointer { y in
                    for i in 0..<y.count {
                        for k in 0..<c { out[i * c + k] = y[i] == k }
                    }
                }
                initialized = labels.count * c
            }
            return probabilities.withUnsafeBufferPointer { p in
                positive.withUnsafeBufferPointer { Ranks.areaUnderROC(p, positive: $0) }
            }
        case .macro, .weighted:
            let areas = perClass()
            var support = [Int](repeating: 0, count: classes)
            support.withUnsafeMutableBufferPointer { count in
                labels.withUnsafeBufferPointer { y in
                    for i in 0..<y.count { count[y[i]] += 1 }
                }
            }
            var sum = 0.0, weight = 0.0
            for (k, area) in areas.enumerated() where !area.isNaN {
                let w = average == .macro ? 1 : Double(support[k])
                sum += area * w
                weight += w
            }
            return weight == 0 ? .nan : sum / weight
        }
    }

    public mutating func reset() {
        probabilities = []
        labels = []
        classes = 0
    }
}
