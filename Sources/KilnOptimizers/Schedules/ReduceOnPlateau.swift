/// Lowers a value when a watched metric stops improving, as PyTorch's `ReduceLROnPlateau`.
///
/// Unlike a ``Schedule`` it depends on the run, not on the step: a trainer calls
/// ``step(metric:)`` after each evaluation (usually once an epoch, with the validation loss) and
/// sets the optimizer's rate from the result:
///
/// ```swift
/// var plateau = ReduceOnPlateau(initial: 1e-3, factor: 0.5, patience: 3)
/// for epoch in 0..<epochs {
///     train(epoch)
///     optimizer.learningRate = plateau.step(metric: validationLoss())
/// }
/// ```
///
/// A metric that beats the best so far by more than `threshold` (relatively or absolutely) resets
/// the count of bad evaluations; after more than `patience` bad ones in a row the value becomes
/// `max(value · factor, floor)` (unless that changes it by `epsilon` or less), and the next
/// `cooldown` evaluations are not counted. A NaN metric never improves. The state is `Codable`,
/// to be saved with a checkpoint. Kiln reduces the base rate, so parameter groups keep their
/// ratios; PyTorch reduces each group's rate towards its own `min_lr`.
public struct ReduceOnPlateau: Codable, Equatable, Sendable {
    /// Whether the metric should fall (a loss) or rise (an accuracy).
    public enum Mode: String, Codable, Sendable, CaseIterable {
        case min, max
    }

    /// How `threshold` measures an improvement.
    public enum ThresholdMode: String, Codable, Sendable, CaseIterable {
        /// Better than `best · (1 ∓ threshold)`.
        case relative = "rel"
        /// Better than `best ∓ threshold`.
        case absolute = "abs"
    }

    /// Whether the metric should fall or rise.
    public let mode: Mode
    /// The factor applied to the value at each reduction, in [0, 1).
    public let factor: Double
    /// The bad evaluations tolerated before a reduction.
    public let patience: Int
    /// The least improvement that counts.
    public let threshold: Double
    /// How `threshold` is measured.
    public let thresholdMode: ThresholdMode
    /// The evaluations after a reduction that are not counted.
    public let cooldown: Int
    /// The lowest value a reduction goes to (PyTorch's `min_lr`).
    public let floor: Double
    /// Reductions that change the value by this much or less are skipped.
    public let epsilon: Double

    /// The current value.
    public private(set) var value: Double
    /// The best metric so far; nil before the first evaluation.
    public private(set) var best: Double?
    /// The bad evaluations since the last improvement or reduction.
    public private(set) var badEvaluations = 0
    /// The evaluations left in the current cooldown.
    public private(set) var cooldownLeft = 0

    /// Starts at `initial`; the other parameters are PyTorch's, with its defaults.
    public init(initial: Double, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
                thresholdMode: ThresholdMode = .relative, cooldown: Int = 0, floor: Double = 0, epsilon: Double = 1e-8) {
        precondition(factor >= 0 && factor < 1, "ReduceOnPlateau: factor \(factor) must lie in [0, 1)")
        precondition(patience >= 0 && cooldown >= 0, "ReduceOnPlateau: patience \(patience) and cooldown \(cooldown) must not be negative")
        precondition(threshold >= 0 && floor >= 0 && epsilon >= 0 && initial >= 0,
                     "ReduceOnPlateau: initial \(initial), threshold \(threshold), floor \(floor) and epsilon \(epsilon) must not be negative")
        self.value = initial
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.floor = floor
        self.epsilon = epsilon
    }

    /// Records one evaluation of the metric and returns the value to use from now on.
    @discardableResult
    public mutating func step(metric: Double) -> Double {
        if improves(metric) {
            best = metric
            badEvaluations = 0
        } else {
            badEvaluations += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEvaluations = 0
        }
        if badEvaluations > patience {
            let reduced = Swift.max(value * factor, floor)
            if value - reduced > epsilon { value = reduced }
            cooldownLeft = cooldown
            badEvaluations = 0
        }
        return value
    }

    /// Whether `metric` beats the best so far by more than the threshold.
    private func improves(_ metric: Double) -> Bool {
        let best = best ?? (mode == .min ? .infinity : -.infinity)
        switch (mode, thresholdMode) {
        case (.min, .relative): return metric < best * (1 - threshold)
        case (.min, .absolute): return metric < best - threshold
        case (.max, .relative): return metric > best * (threshold + 1)
        case (.max, .absolute): return metric > best + threshold
        }
    }
}
