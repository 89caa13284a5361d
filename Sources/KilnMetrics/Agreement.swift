import Foundation
import Kiln

extension ConfusionMatrix {
    /// Cohen's kappa: agreement between labels and predictions beyond what their class
    /// frequencies give by chance, `(pₒ − pₑ) / (1 − pₑ)`.
    ///
    /// Computed as scikit-learn's `cohen_kappa_score`; NaN when chance agreement is already
    /// perfect (a single class everywhere) or before any sample.
    public var cohenKappa: Double {
        let n = Double(total)
        if n == 0 || unscoredSamples > 0 { return .nan }
        let observed = Double(truePositives.reduce(0, +))
        let chance = zip(support, predictedCounts).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / n
        let disagreementByChance = n - chance
        return disagreementByChance == 0 ? .nan : 1 - (n - observed) / disagreementByChance
    }

    /// The Matthews correlation coefficient, multiclass form (Gorodkin's R_K) as in scikit-learn's
    /// `matthews_corrcoef`; 0 when labels or predictions hold a single class, NaN before any sample.
    public var matthewsCorrelation: Double {
        let n = Double(total)
        if n == 0 || unscoredSamples > 0 { return .nan }
        let t = support.map(Double.init), p = predictedCounts.map(Double.init)
        let correct = Double(truePositives.reduce(0, +))
        let dot = { (a: [Double], b: [Double]) in zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 } }
        let covariance = correct * n - dot(t, p)
        let predictedVariance = n * n - dot(p, p), trueVariance = n * n - dot(t, t)
        if predictedVariance * trueVariance == 0 { return 0 }
        return covariance / (predictedVariance * trueVariance).squareRoot()
    }
}

/// Cohen's kappa between predicted classes and labels.
public struct CohenKappa: Metric {
    /// The counts the value is read from.
    public private(set) var matrix: ConfusionMatrix

    /// Cohen's kappa over `classes` classes.
    public init(classes: Int) { matrix = ConfusionMatrix(classes: classes) }

    public var name: String { "cohen_kappa" }
    public mutating func update(_ outputs: Tensor, targets: Tensor) { matrix.add(outputs, targets, metric: "CohenKappa") }
    public func compute() -> Double { matrix.cohenKappa }
    public mutating func reset() { matrix.reset() }
}

/// The Matthews correlation coefficient between predicted classes and labels.
public struct MatthewsCorrelation: Metric {
    /// The counts the value is read from.
    public private(set) var matrix: ConfusionMatrix

    /// The Matthews correlation over `classes` classes.
    public init(classes: Int) { matrix = ConfusionMatrix(classes: classes) }

    public var name: String { "matthews_correlation" }
    public mutating func update(_ outputs: Tensor, targets: Tensor) { matrix.add(outputs, targets, metric: "MatthewsCorrelation") }
    public func compute() -> Double { matrix.matthewsCorrelation }
    public mutating func reset() { matrix.reset() }
}
