import Foundation
import Kiln

/// The mean negative log-likelihood of the labels (cross-entropy), as scikit-learn's `log_loss`.
///
/// The probability of each label is clipped to `[ε, 1 − ε]` with ε the Float32 machine epsilon
/// (scikit-learn clips with the epsilon of the input's type), so a confident mistake costs at most
/// `−log ε ≈ 15.9`. Probabilities are not renormalized, as in scikit-learn.
public struct LogLoss: Metric {
    /// Whether outputs are logits or probabilities.
    public let scores: ScoreKind
    /// The summed loss of every sample so far.
    public private(set) var sum = 0.0
    /// Samples seen so far.
    public private(set) var total = 0

    /// A log loss over outputs that are logits (softmax applied here) or probabilities.
    public init(scores: ScoreKind = .logits) { self.scores = scores }

    public var name: String { "log_loss" }

    /// Adds float scores `[N, C]` and int64 labels `[N]`.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        let kind = scores
        let eps = Double(Float.ulpOfOne)
        let lowest = -log(1 - eps), highest = -log(eps)
        var running = sum
        ClassificationInput.withScores("LogLoss", outputs, targets) { s, y, c in
            for i in 0..<y.count {
                let row = s.baseAddress! + i * c
                let loss: Double
                switch kind {
                case .probabilities:
                    loss = -log(min(max(Double(row[y[i]]), eps), 1 - eps))
                case .logits:
                    let top = Double(row[ClassificationInput.argmax(row, c)])
                    var total = 0.0
                    for j in 0..<c { total += exp(Double(row[j]) - top) }
                    loss = min(max(log(total) - (Double(row[y[i]]) - top), lowest), highest)
                }
                running += loss
            }
        }
        sum = running
        total += targets.shape[0]
    }

    public func compute() -> Double { total == 0 ? .nan : sum / Double(total) }

    public mutating func reset() { sum = 0; total = 0 }
}
