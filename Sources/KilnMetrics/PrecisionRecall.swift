import Kiln

/// How per-class scores are combined into one number, as scikit-learn's `average` argument.
///
/// Only the classes that occur among the labels or the predictions take part, as in
/// scikit-learn when `labels` is not given. A class whose score divides by zero (never
/// predicted, or never present) scores 0, scikit-learn's default `zero_division`.
public enum Averaging: String, Sendable, CaseIterable {
    /// Counts pooled over all classes before dividing; equals accuracy for single-label data.
    case micro
    /// The unweighted mean of the per-class scores.
    case macro
    /// The mean of the per-class scores weighted by each class's support.
    case weighted
}

extension ConfusionMatrix {
    /// Per-class precision `tp / (tp + fp)`, 0 for a class never predicted.
    public var precisionPerClass: [Double] {
        zip(truePositives, predictedCounts).map { ratio($0, $1) }
    }

    /// Per-class recall `tp / (tp + fn)`, 0 for a class absent from the labels.
    public var recallPerClass: [Double] {
        zip(truePositives, support).map { ratio($0, $1) }
    }

    /// Per-class F1 `2·tp / (2·tp + fp + fn)`, 0 when the class is neither present nor predicted.
    public var f1PerClass: [Double] {
        zip(truePositives, zip(support, predictedCounts)).map { ratio(2 * $0, $1.0 + $1.1) }
    }

    /// Precision averaged over classes; NaN before any sample.
    public func precision(average: Averaging) -> Double {
        averaged(precisionPerClass, average, microDenominator: predictedCounts)
    }

    /// Recall averaged over classes; NaN before any sample.
    public func recall(average: Averaging) -> Double {
        averaged(recallPerClass, average, microDenominator: support)
    }

    /// F1 averaged over classes; NaN before any sample.
    public func f1(average: Averaging) -> Double {
        averaged(f1PerClass, average, microDenominator: support)
    }

    /// The fraction of samples on the diagonal; NaN before any sample.
    public var accuracy: Double {
        let n = total
        return n == 0 || unscoredSamples > 0 ? .nan : Double(truePositives.reduce(0, +)) / Double(n)
    }

    private func averaged(_ perClass: [Double], _ average: Averaging, microDenominator: [Int]) -> Double {
        let present = occurringClasses
        if present.isEmpty || unscoredSamples > 0 { return .nan }
        switch average {
        case .micro:
            // For single-label data pooled fp and fn are both the off-diagonal count, so micro
            // precision, recall and F1 all equal tp / N.
            return ratio(truePositives.reduce(0, +), microDenominator.reduce(0, +))
        case .macro:
            return present.reduce(0.0) { $0 + perClass[$1] } / Double(present.count)
        case .weighted:
            let s = support
            let weight = present.reduce(0) { $0 + s[$1] }
            return ratio(present.reduce(0.0) { $0 + perClass[$1] * Double(s[$1]) }, Double(weight))
        }
    }
}

/// `a / b`, or 0 when `b` is 0.
func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

/// `a / b`, or 0 when `b` is 0.
func ratio(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }

/// A per-class score of a ``ConfusionMatrix``: what ``AveragedClassScore`` averages.
public protocol ClassScore: Sendable {
    /// The metric's name in logs, before the averaging (`precision`).
    static var name: String { get }
    /// The type name users write, for error messages (`Precision`).
    static var typeName: String { get }
    /// The score of `matrix` averaged over classes as `average` says.
    static func value(of matrix: ConfusionMatrix, average: Averaging) -> Double
}

/// A ``ClassScore`` streamed over batches and averaged over classes; use it as ``Precision``,
/// ``Recall`` or ``F1Score``.
public struct AveragedClassScore<Score: ClassScore>: Metric {
    /// The counts the value is read from.
    public private(set) var matrix: ConfusionMatrix
    /// How per-class scores are combined.
    public let average: Averaging

    /// An F1 score over `classes` classes, per-class scores combined by `average`.
    public init(classes: Int, average: Averaging = .macro) {
        matrix = ConfusionMatrix(classes: classes)
        self.average = average
    }

    public var name: String { "\(Score.name)_\(average.rawValue)" }
    public mutating func update(_ outputs: Tensor, targets: Tensor) { matrix.add(outputs, targets, metric: Score.typeName) }
    public func compute() -> Double { Score.value(of: matrix, average: average) }
    public mutating func reset() { matrix.reset() }
}

/// Precision `tp / (tp + fp)`.
public enum ClassPrecision: ClassScore {
    public static let name = "precision", typeName = "Precision"
    public static func value(of matrix: ConfusionMatrix, average: Averaging) -> Double { matrix.precision(average: average) }
}

/// Recall `tp / (tp + fn)`.
public enum ClassRecall: ClassScore {
    public static let name = "recall", typeName = "Recall"
    public static func value(of matrix: ConfusionMatrix, average: Averaging) -> Double { matrix.recall(average: average) }
}

/// F1, the harmonic mean of precision and recall.
public enum ClassF1: ClassScore {
    public static let name = "f1", typeName = "F1Score"
    public static func value(of matrix: ConfusionMatrix, average: Averaging) -> Double { matrix.f1(average: average) }
}

/// Precision averaged over classes.
public typealias Precision = AveragedClassScore<ClassPrecision>
/// Recall averaged over classes.
public typealias Recall = AveragedClassScore<ClassRecall>
/// The F1 score averaged over classes.
public typealias F1Score = AveragedClassScore<ClassF1>
