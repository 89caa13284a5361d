import Kiln
import KilnData
import KilnNN
import KilnOptimizers

/// What a mixture of experts adds to a language-model run: the objective with the layers' auxiliary
/// losses (or, for stochastic experts, THOR's two passes and consistency loss), the dense-to-sparse
/// temperature before each step, the loss-free bias after it, and a `moe` record of routing
/// statistics in the metrics log every log interval.
///
/// A `moe` record holds, for each layer `i`, `layer<i>_load<e>` (expert `e`'s share of the chosen
/// assignments over the interval), `layer<i>_max_over_mean`, `layer<i>_entropy` (the mean router
/// entropy in nats) and `layer<i>_dropped` (the share capacity dropped); and over all layers
/// `max_over_mean` (the worst), `entropy` and `dropped` (the means), and `temperature` for the
/// dense-to-sparse gates.
struct MixtureTraining {
    let settings: MixtureSettings
    let layers: [MixtureOfExperts]
    let steps: Int

    /// The mixture part of a run of `settings` training `model`, or nil when the model has no mixture.
    init?(settings: LanguageModelSettings, model: GPT) {
        guard let moe = settings.moe else { return nil }
        self.settings = moe
        layers = model.mixtureLayers
        steps = settings.steps
    }

    /// Makes `trainer` minimize the next-token loss plus the mixture's losses.
    func install(on trainer: Trainer) {
        let consistency = Float(settings.consistency)
        let stochastic = settings.router == .stochastic, layers = self.layers
        trainer.objective = { model, batch in
            let logits = model(batch.allInputs)
            var loss: Tensor
            if stochastic {
                let second = model(batch.allInputs), vocabulary = logits.shape[logits.rank - 1]
                loss = consistencyRegularizedLoss(logits.reshaped([-1, vocabulary]), second.reshaped([-1, vocabulary]),
                                                  labels: batch.targets.reshaped([-1]), weight: consistency)
            } else {
                loss = CharacterLanguageModel.nextTokenLoss(logits, batch.targets)
            }
            for auxiliary in layers.compactMap(\.auxiliaryLoss) { loss = loss + auxiliary }
            return loss
        }
    }

    /// Sets the dense-to-sparse temperature of step `step` (0-based).
    func prepare(step: Int) {
        guard settings.finalTemperature != nil else { return }
        let gate = settings.gate(temperature: settings.temperature(atStep: step, of: steps))
        for layer in layers { layer.gate = gate }
    }

    /// Sets the gates of a restored `model` of `settings` to their temperature after `stepsDone` steps.
    static func restoreGates(of model: GPT, settings: LanguageModelSettings, stepsDone: Int) {
        guard let moe = settings.moe, moe.finalTemperature != nil else { return }
        let gate = moe.gate(temperature: moe.temperature(atStep: max(stepsDone - 1, 0), of: settings.steps))
        for layer in model.mixtureLayers { layer.gate = gate }
    }

    /// Updates the loss-free balancing bias of every layer, after an optimizer step.
    func finishStep() {
        for layer in layers { layer.updateExpertBias() }
    }

    /// The `moe` record of the routing since the last one, at step `step` (0-based, as step records count).
    func record(step: Int) -> LogRecord {
        var values: [String: Double] = [:]
        var worst = 0.0, entropy = 0.0, dropped = 0.0
        for (i, layer) in layers.enumerated() {
            let statistics = layer.takeStatistics()
            for (e, share) in statistics.loadFractions.enumerated() { values["layer\(i)_load\(e)"] = share }
            values["layer\(i)_max_over_mean"] = statistics.maxOverMeanLoad
            values["layer\(i)_entropy"] = statistics.meanEntropy
            values["layer\(i)_dropped"] = statistics.droppedFraction
            worst = max(worst, statistics.maxOverMeanLoad)
            entropy += statistics.meanEntropy / Double(layers.count)
            dropped += statistics.droppedFraction / Double(layers.count)
        }
        values["max_over_mean"] = worst
        values["entropy"] = entropy
        values["dropped"] = dropped
        if case .denseToSparse(let t, _) = layers.first?.gate { values["temperature"] = Double(t) }
        if case .activationDenseToSparse(_, let t, _) = layers.first?.gate { values["temperature"] = Double(t) }
        return LogRecord(kind: "moe", step: step, epoch: 1, values: values)
    }
}
