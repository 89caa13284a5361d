import Foundation
import KilnOptimizers

/// The scaling law with learning-rate annealing (Tissue et al. 2024):
/// `L(s) = L0 + A · S1(s)^(−α) − C · S2(s)`, with the areas of ``AnnealingAreas``.
///
/// Fit it to one or two logged runs with ``fit(to:options:)``, then predict the loss curve of any
/// other schedule with ``predict(learningRates:warmupSteps:)``.
public struct LossCurveLaw: Sendable, Equatable {
    /// `L0`, the loss approached as the forward area grows.
    public var irreducibleLoss: Double
    /// `A`, the scale of the power-law term.
    public var amplitude: Double
    /// `α`, the exponent of the forward area.
    public var exponent: Double
    /// `C`, the loss drop per unit of annealing area.
    public var annealingCoefficient: Double
    /// `λ`, the decay factor of the annealing momentum the law was fitted with.
    public var decay: Double

    /// The law with parameters `L0`, `A`, `α`, `C` and momentum decay factor `λ`.
    public init(irreducibleLoss: Double, amplitude: Double, exponent: Double, annealingCoefficient: Double,
                decay: Double = 0.999) {
        self.irreducibleLoss = irreducibleLoss
        self.amplitude = amplitude
        self.exponent = exponent
        self.annealingCoefficient = annealingCoefficient
        self.decay = decay
    }

    /// The law with parameters `[L0, A, α, C]` and decay factor `decay`.
    init(parameters p: [Double], decay: Double) {
        self.init(irreducibleLoss: p[0], amplitude: p[1], exponent: p[2], annealingCoefficient: p[3], decay: decay)
    }

    /// The loss at a step with forward area `S1` (positive) and annealing area `S2`.
    public func loss(forwardArea: Double, annealingArea: Double) -> Double {
        irreducibleLoss + amplitude * pow(forwardArea, -exponent) - annealingCoefficient * annealingArea
    }

    /// The predicted loss at every step of a run with these per-step learning rates
    /// (`+∞` while the forward area is still 0).
    public func predict(learningRates: [Double], warmupSteps: Int = 0) -> [Double] {
        let areas = AnnealingAreas(learningRates: learningRates, decay: decay, warmupSteps: warmupSteps)
        return zip(areas.forward, areas.annealing).map { s1, s2 in
            s1 > 0 ? loss(forwardArea: s1, annealingArea: s2) : .infinity
        }
    }

    /// The predicted loss at steps `0..<steps` of a run following `schedule`.
    public func predict(_ schedule: some Schedule, steps: Int, warmupSteps: Int = 0) -> [Double] {
        predict(learningRates: schedule.values(count: steps), warmupSteps: warmupSteps)
    }
}
