import Foundation

/// The "infinite" schedule for continual pre-training (Ibrahim et al. 2024, "Simple and Scalable
/// Strategies to Continually Pre-train Large Language Models"; Singh et al. 2025): it needs no
/// total step count, because its final anneal starts whenever the caller decides.
///
/// Phases, in steps:
/// 1. warm-up `[0, warmup)`: linear from 0 to `peak`;
/// 2. cool-down `[warmup, warmup + cooldown)`: half a cosine from `peak` to `constant`;
/// 3. constant: `constant`, for as long as no anneal is set;
/// 4. anneal `[annealStart, annealStart + annealSteps)`: exponential decay
///    `constant · (floor / constant)^u` with `u` going from 0 to 1;
/// 5. `floor` afterwards.
///
/// Training on new data continues in the constant phase; ``annealing(from:)`` returns the same
/// schedule with its anneal fixed, e.g. when a checkpoint is about to be released.
public struct InfiniteSchedule: Schedule {
    /// The value reached at the end of the warm-up.
    public let peak: Double
    /// The value of the long constant phase.
    public let constant: Double
    /// The value at the end of the anneal.
    public let floor: Double
    /// Length of the warm-up in steps.
    public let warmup: Int
    /// Length of the cool-down from `peak` to `constant` in steps.
    public let cooldown: Int
    /// The first step of the final anneal, or `nil` while the run goes on.
    public let annealStart: Int?
    /// Length of the final anneal in steps.
    public let annealSteps: Int

    /// A schedule that warms up to `peak`, cools down to `constant` and stays there until an anneal
    /// to `floor` over `annealSteps` steps starts at `annealStart` (never if `nil`).
    public init(peak: Double, constant: Double, floor: Double, warmup: Int, cooldown: Int,
                annealStart: Int? = nil, annealSteps: Int) {
        precondition(warmup >= 0 && cooldown >= 0 && annealSteps > 0,
                     "InfiniteSchedule: warmup \(warmup), cooldown \(cooldown) must be non-negative and annealSteps \(annealSteps) positive")
        precondition(constant > 0 && floor > 0, "InfiniteSchedule: constant \(constant) and floor \(floor) must be positive for the exponential anneal")
        if let annealStart {
            precondition(annealStart >= warmup + cooldown,
                         "InfiniteSchedule: annealStart \(annealStart) is before the end of the cool-down at \(warmup + cooldown)")
        }
        self.peak = peak
        self.constant = constant
        self.floor = floor
        self.warmup = warmup
        self.cooldown = cooldown
        self.annealStart = annealStart
        self.annealSteps = annealSteps
    }

    /// This schedule with its final anneal starting at `step`.
    public func annealing(from step: Int) -> InfiniteSchedule {
        InfiniteSchedule(peak: peak, constant: constant, floor: floor, warmup: warmup, cooldown: cooldown,
                         annealStart: step, annealSteps: annealSteps)
    }

    public func value(at step: Int) -> Double {
        if step < warmup { return peak * linearRamp(step, steps: warmup, startFactor: 0) }
        if step < warmup + cooldown {
            return constant + (peak - constant) * cosineFall(phaseFraction(step, start: warmup, length: cooldown))
        }
        guard let annealStart, step >= annealStart else { return constant }
        if step >= annealStart + annealSteps { return floor }
        let u = phaseFraction(step, start: annealStart, length: annealSteps)
        return constant * pow(floor / constant, u)
    }
}
