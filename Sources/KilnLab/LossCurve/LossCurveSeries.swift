import KilnOptimizers
/// One run's learning rates at every step and the losses observed at some of its steps, as input
/// to ``LossCurveLaw/fit(to:options:)``.
public struct LossCurveSeries: Sendable {
    /// The learning rate at every step from 0.
    public let learningRates: [Double]
    /// The observed losses, each at a step inside `learningRates`.
    public let observations: [LossObservation]
    /// Warm-up steps counted at the post-warm-up rate, as in ``AnnealingAreas``.
    public let warmupSteps: Int

    /// A run with per-step `learningRates` and the losses it logged.
    public init(learningRates: [Double], observations: [LossObservation], warmupSteps: Int = 0) {
        precondition(observations.allSatisfy { $0.step >= 0 && $0.step < learningRates.count },
                     "LossCurveSeries: an observation lies outside the \(learningRates.count) steps with a learning rate")
        self.learningRates = learningRates
        self.observations = observations
        self.warmupSteps = warmupSteps
    }

    /// A run that followed `schedule`, observed at the steps of `observations`.
    public init(schedule: some Schedule, observations: [LossObservation], warmupSteps: Int = 0) {
        let steps = (observations.map(\.step).max() ?? -1) + 1
        self.init(learningRates: schedule.values(count: steps), observations: observations, warmupSteps: warmupSteps)
    }

    /// The learning rates and losses of a logged run.
    public init(log: RunLog, warmupSteps: Int = 0) {
        self.init(learningRates: log.learningRates, observations: log.lossObservations, warmupSteps: warmupSteps)
    }
}
