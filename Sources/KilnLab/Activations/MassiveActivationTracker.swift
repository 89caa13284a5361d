import Foundation
import Kiln
import KilnNN
import KilnOptimizers
import KilnTrain

/// How massive activations grow during training ("Hidden Dynamics of Massive Activations"): every
/// ``every`` optimizer steps, the residual stream (``ActivationAnalysis/residualStream(of:)``) is
/// observed on a fixed probe batch, and each point's largest magnitudes with their positions and its
/// median magnitude are written to the trainer's log as an `activations` record.
///
/// A record's keys are `<label>: median` and, for the `i`-th largest entry (1-based),
/// `<label>: top<i>` (its magnitude), `<label>: top<i> token` and `<label>: top<i> channel`, with
/// `<label>` such as `residual before blocks.0`. The probe runs in evaluation mode without gradients,
/// so tracking leaves training unchanged.
///
/// ```swift
/// trainer.callbacks.append(MassiveActivationTracker(every: 100, probe: validationWindow))
/// ```
public final class MassiveActivationTracker: TrainerCallback {
    /// Steps between observations.
    public let every: Int
    /// The input observed, `[batch, tokens]` (or any input whose activations end in `[tokens, channels]`).
    public let probe: Tensor
    /// Entries listed per observed point.
    public let count: Int
    /// The records written so far.
    public private(set) var records: [LogRecord] = []

    /// Observes the model on `probe` every `every` steps, listing the `count` largest entries.
    /// - Precondition: `every ≥ 1`, `count ≥ 1`.
    public init(every: Int, probe: Tensor, count: Int = 3) {
        precondition(every >= 1 && count >= 1, "MassiveActivationTracker: every \(every) and count \(count) must be positive")
        self.every = every
        self.probe = probe
        self.count = count
    }

    public func trainer(_ trainer: Trainer, didFinishStepWithLoss loss: Double) throws {
        let done = trainer.progress.step
        guard done % every == 0 else { return }
        let record = Self.record(of: trainer.model, probe: probe, count: count, step: done - 1)
        records.append(record)
        try trainer.log?.write(record)
    }

    /// The `activations` record of `model` on `probe` at (0-based) `step`.
    public static func record(of model: Module, probe: Tensor, count: Int, step: Int) -> LogRecord {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let points = ActivationAnalysis.residualStream(of: model)
        let captured = withoutGradient { model.capturingInputs(of: points.map(\.path)) { _ = model(probe) } }
        var values: [String: Double] = [:]
        for (path, label) in points {
            guard let activations = captured[path]?.first, activations.rank >= 2 else { continue }
            let statistics = ActivationStatistics(name: label, activations: activations, largestCount: count, bins: 1)
            values["\(label): median"] = statistics.medianMagnitude
            for (i, extreme) in statistics.largest.enumerated() {
                values["\(label): top\(i + 1)"] = Double(abs(extreme.value))
                values["\(label): top\(i + 1) token"] = Double(extreme.position[extreme.position.count - 2])
                values["\(label): top\(i + 1) channel"] = Double(extreme.position[extreme.position.count - 1])
            }
        }
        return LogRecord(kind: "activations", step: step, epoch: 1, values: values)
    }
}

/// The largest residual-stream activation against the median at each observation of a run's
/// ``MassiveActivationTracker`` records, one row per step and observed point.
public struct ActivationGrowth {
    /// One observed point at one step.
    public struct Row: Equatable, Sendable {
        /// Optimizer steps done when it was observed.
        public let steps: Int
        /// The observed point, such as `residual before blocks.0`.
        public let label: String
        /// The largest magnitude.
        public let largest: Double
        /// Its token index and channel.
        public let token: Int, channel: Int
        /// The median magnitude.
        public let median: Double

        /// The largest magnitude over the median.
        public var ratio: Double { largest / median }
    }

    /// The rows, by step, then in the order of the model's modules.
    public let rows: [Row]

    /// The growth table of the `activations` records among `records` (others are ignored).
    public init(records: [LogRecord]) {
        rows = records.filter { $0.kind == "activations" }.sorted { $0.step < $1.step }.flatMap { record in
            record.values.keys.filter { $0.hasSuffix(": median") }.sorted { $0.localizedStandardCompare($1) == .orderedAscending }.compactMap { key -> Row? in
                let label = String(key.dropLast(": median".count))
                guard let top = record.values["\(label): top1"], let median = record.values[key],
                      let token = record.values["\(label): top1 token"].flatMap({ Int(exactly: $0) }),
                      let channel = record.values["\(label): top1 channel"].flatMap({ Int(exactly: $0) }) else { return nil }
                return Row(steps: record.step + 1, label: label, largest: top, token: token, channel: channel, median: median)
            }
        }
    }
}
