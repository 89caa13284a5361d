import KilnOptimizers
/// The two areas under a learning-rate curve that drive the loss in the scaling law with
/// learning-rate annealing (Tissue et al. 2024), for every step of a run.
///
/// With `η_i` the learning rate at step `i` (0-based), at step `s`:
/// - forward area `S1(s) = Σ_{i≤s} η_i`;
/// - annealing area `S2(s) = Σ_{i≤s} m_i`, with the annealing momentum
///   `m_i = λ · m_{i−1} + (η_{i−1} − η_i)` and `m_0 = 0`, so a falling rate adds to `S2` with a
///   delay set by the decay factor `λ` (≈ 0.999).
///
/// The paper counts warm-up steps at the rate reached after the warm-up (its §3.4);
/// `warmupSteps` does the same: steps before it use `η_warmupSteps`.
public struct AnnealingAreas: Sendable, Equatable {
    /// `S1` at every step.
    public let forward: [Double]
    /// `S2` at every step.
    public let annealing: [Double]

    /// The areas of the per-step `learningRates`, with momentum decay factor `decay` (λ).
    public init(learningRates: [Double], decay: Double = 0.999, warmupSteps: Int = 0) {
        precondition(decay >= 0 && decay < 1, "AnnealingAreas: decay \(decay) is outside [0, 1)")
        precondition(warmupSteps >= 0, "AnnealingAreas: warmupSteps \(warmupSteps) is negative")
        var forward = [Double](repeating: 0, count: learningRates.count)
        var annealing = forward
        let afterWarmup = warmupSteps < learningRates.count ? learningRates[warmupSteps] : 0
        var s1 = 0.0, s2 = 0.0, momentum = 0.0
        var previous = 0.0
        for (i, rate) in learningRates.enumerated() {
            let eta = i < warmupSteps ? afterWarmup : rate
            if i > 0 { momentum = decay * momentum + (previous - eta) }
            s1 += eta
            s2 += momentum
            forward[i] = s1
            annealing[i] = s2
            previous = eta
        }
        self.forward = forward
        self.annealing = annealing
    }
}
