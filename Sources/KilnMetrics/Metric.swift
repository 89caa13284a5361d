/// A quantity accumulated batch by batch and read once at the end of an epoch.
///
/// Metrics are values: a trainer keeps an array of them and updates each one in place.
///
/// ```swift
/// var metrics: [any Metric] = [Accuracy(), F1Score(classes: 10, average: .macro), LogLoss()]
/// for batch in loader {
///     let logits = model(batch.inputs)
///     for i in metrics.indices { metrics[i].update(logits, targets: batch.labels) }
/// }
/// for metric in metrics { print(metric.name, metric.compute()) }
/// ```
///
/// Every sample is added to running sums in order, so splitting the same data into different
/// batches gives bit-identical results. `compute()` is NaN until a sample has been seen.
public protocol Metric {
    /// A short identifier for logs and reports, such as `accuracy` or `f1_macro`.
    var name: String { get }

    /// Adds one batch of model `outputs` and their `targets`.
    ///
    /// Classification metrics take float scores `[N, C]` (logits or probabilities, see
    /// ``ScoreKind``) and int64 labels `[N]`; regression metrics take float predictions and
    /// targets of the same shape.
    mutating func update(_ outputs: Tensor, targets: Tensor)

    /// The value over every sample added since the last reset.
    func compute() -> Double

    /// Forgets every sample.
    mutating func reset()
}

/// What the float scores given to a probabilistic metric mean.
public enum ScoreKind: Sendable {
    /// Unnormalized log-probabilities; the metric applies a softmax over each row.
    case logits
    /// Probabilities that already sum to one over each row.
    case probabilities
}
