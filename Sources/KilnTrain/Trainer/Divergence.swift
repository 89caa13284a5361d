/// What a ``Trainer`` does with a step whose loss or gradient norm is NaN or infinite.
public enum NonFiniteAction: String, CaseIterable, Sendable {
    /// End training with a ``DivergenceError`` before the step updates anything (the default).
    case stop
    /// Leave the weights and optimizer state untouched, count the step and go on, as a loss
    /// scaler does with an overflowing step.
    case skip
}

/// The quantity of a step found NaN or infinite.
public enum NonFiniteQuantity: String, Sendable {
    case loss
    case gradientNorm = "gradient norm"
}

/// Training stopped at the first step whose loss or global gradient norm was not finite.
public struct DivergenceError: Error, Equatable, CustomStringConvertible {
    /// The global step (0-based) that diverged.
    public let step: Int
    /// The epoch (1-based) under way.
    public let epoch: Int
    public let quantity: NonFiniteQuantity
    public let value: Double

    public var description: String {
        let shown = value.isNaN ? "NaN" : value > 0 ? "+infinity" : "-infinity"
        return "training diverged at step \(step) (epoch \(epoch)): the \(quantity.rawValue) is \(shown); "
            + "no update was made and the last checkpoint is kept (lower the learning rate, or skip such steps)"
    }
}
