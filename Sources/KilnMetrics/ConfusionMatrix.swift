import Kiln

/// Counts of (true class, predicted class) pairs, accumulated batch by batch.
///
/// Row `t`, column `p` holds how many samples of class `t` were predicted as class `p`, as in
/// scikit-learn's `confusion_matrix`. Precision, recall, F1, Cohen's kappa and Matthews
/// correlation are all read from it. A row of scores holding a NaN has no predicted class: it is
/// counted in ``unscoredSamples`` instead, and every figure read from the matrix is then NaN.
///
/// ```swift
/// var matrix = ConfusionMatrix(classes: 10)
/// matrix.update(logits, targets: labels)
/// matrix[3, 5]                    // samples of class 3 predicted as 5
/// matrix.f1(average: .macro)
/// ```
public struct ConfusionMatrix {
    /// The number of classes `C`.
    public let classes: Int
    /// The `C × C` counts in row-major order: `counts[t * classes + p]`.
    public private(set) var counts: [Int]
    /// Samples whose scores held a NaN, so far (not in ``counts``).
    public private(set) var unscoredSamples = 0

    /// An empty matrix for `classes` classes.
    public init(classes: Int) {
        precondition(classes >= 1, "ConfusionMatrix: needs at least one class, got \(classes)")
        self.classes = classes
        counts = [Int](repeating: 0, count: classes * classes)
    }

    /// Adds float scores `[N, C]` (the first largest score is the prediction) or int64 predicted
    /// classes `[N]`, with int64 labels `[N]`.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        add(outputs, targets, metric: "ConfusionMatrix")
    }

    /// ``update(_:targets:)`` with `metric` naming the caller in error messages.
    mutating func add(_ outputs: Tensor, _ targets: Tensor, metric: String) {
        let (predicted, labels) = ClassificationInput.predictions(metric, outputs, targets, classes: classes)
        let c = classes
        counts.withUnsafeMutableBufferPointer { m in
            predicted.withUnsafeBufferPointer { p in
                labels.withUnsafeBufferPointer { y in
                    for i in 0..<y.count {
                        if p[i] == ClassificationInput.unscored { unscoredSamples += 1 } else { m[y[i] * c + p[i]] += 1 }
                    }
                }
            }
        }
    }

    /// Sets every count to zero.
    public mutating func reset() {
        counts = [Int](repeating: 0, count: classes * classes)
        unscoredSamples = 0
    }

    /// How many samples of class `actual` were predicted as `predicted`.
    public subscript(actual: Int, predicted: Int) -> Int {
        precondition((0..<classes).contains(actual) && (0..<classes).contains(predicted),
                     "ConfusionMatrix: entry (\(actual), \(predicted)) out of range for \(classes) classes")
        return counts[actual * classes + predicted]
    }

    /// The counts as an int64 tensor of shape `[C, C]`, rows indexed by the true class.
    public var tensor: Tensor { Tensor(counts, shape: [classes, classes]) }

    /// The number of samples counted.
    public var total: Int { counts.reduce(0, +) }

    /// Samples of each true class (row sums), the support of each class.
    public var support: [Int] {
        (0..<classes).map { t in (0..<classes).reduce(0) { $0 + counts[t * classes + $1] } }
    }

    /// Samples predicted as each class (column sums).
    public var predictedCounts: [Int] {
        (0..<classes).map { p in (0..<classes).reduce(0) { $0 + counts[$1 * classes + p] } }
    }

    /// Samples predicted correctly (the diagonal), per class.
    public var truePositives: [Int] { (0..<classes).map { counts[$0 * classes + $0] } }

    /// The classes that occur among the labels or the predictions: scikit-learn's default set of
    /// labels for averaging.
    var occurringClasses: [Int] {
        let s = support, p = predictedCounts
        return (0..<classes).filter { s[$0] > 0 || p[$0] > 0 }
    }
}
