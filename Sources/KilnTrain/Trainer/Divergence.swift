/// What a ``Trainer`` does with a step whose loss or gradient norm is NaN or infinite.
public enum NonFiniteAction: String, CaseIterable, Sendable {
    /// End training with a ``DivergenceError`` before the step updates anything (the default).
    case stop
    /// Leave the weights and optimizer state untouched, count the step and go on, as a loss
    /// scaler does with an overflowing step.
    case skip
}

/// What was found NaN or infinite.
public enum NonFiniteQuantity: Equatable, Sendable {
    /// The step's loss.
    case loss
    /// The global L2 norm of the step's gradients.
    case gradientNorm
    /// A weight or optimizer-state tensor (`model.<name>`, `optimizer.<name>`) of a checkpoint about to be written.
    case tensor(String)
}

/// Training stopped at the first NaN or infinite loss, gradient norm, or checkpoint tensor.
public struct DivergenceError: Error, Equatable, CustomStringConvertible {
    /// The global step (0-based) that diverged.
    public let step: Int
    /// The epoch (1-based) under way.
    public let epoch: Int
    public let quantity: NonFiniteQuantity
    /// The loss or gradient norm found (NaN for a tensor).
    public let value: Double

    /// The error for `quantity` found non-finite (its `value`, when a number) at `step` of `epoch`.
    public init(step: Int, epoch: Int, quantity: NonFiniteQuantity, value: Double = .nan) {
        self.step = step
        self.epoch = epoch
        self.quantity = quantity
        self.value = value
    }

    public var description: String {
        let shown = value.isNaN ? "NaN" : value > 0 ? "+infinity" : "-infinity"
        let what = switch quantity {
        case .loss: "the loss is \(shown), no update was made"
        case .gradientNorm: "the gradient norm is \(shown), no update was made"
        case .tensor(let name): "'\(name)' of the next checkpoint holds NaN or infinite values"
        }
        return "training diverged at step \(step) (epoch \(epoch)): \(what); the last good checkpoint, if any, is kept "
            + "(lower the learning rate, or skip such steps)"
    }

    /// Equal when step, epoch and quantity are, and the values are equal or both NaN.
    public static func == (a: DivergenceError, b: DivergenceError) -> Bool {
        a.step == b.step && a.epoch == b.epoch && a.quantity == b.quantity && (a.value == b.value || a.value.isNaN && b.value.isNaN)
    }
}
