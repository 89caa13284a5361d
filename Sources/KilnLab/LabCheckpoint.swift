import Foundation
import Kiln
import KilnTrain

/// A checkpoint the lab tools study: a character language model from `kiln lm train` or a classifier
/// from `kiln train`, with data to observe it on and the figure it is judged by.
public enum LabCheckpoint {
    /// A character language model, judged by its validation loss.
    case languageModel(CharacterLanguageModel, NextTokenWindows)
    /// A model from `kiln train`, judged by its test accuracy.
    case classifier(TrainingRun)

    /// The checkpoint at `path`, its kind read from the settings it stores, with its data loaded.
    public init(path: String) throws {
        let checkpoint = try Checkpoint.read(path)
        let settings = checkpoint.settings.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        if settings?["language_model"] != nil {
            let lm = try CharacterLanguageModel(checkpoint: path)
            let windows = try lm.windows()
            guard windows.validationWindowCount > 0 else {
                throw RunError("\(path): the corpus \(lm.settings.corpus) holds no validation window of \(lm.settings.context) tokens")
            }
            self = .languageModel(lm, windows)
        } else {
            self = .classifier(try TrainingRun.restore(checkpoint: path))
        }
    }

    /// The network, in evaluation mode.
    public var model: Module {
        switch self {
        case .languageModel(let lm, _): lm.model
        case .classifier(let run): run.model
        }
    }

    /// The name of ``evaluate(limit:)``'s figure.
    public var figureName: String {
        switch self {
        case .languageModel: "validation loss"
        case .classifier: "test accuracy"
        }
    }

    /// Whether a higher figure is better (accuracy) or worse (loss).
    public var higherIsBetter: Bool {
        if case .classifier = self { return true }
        return false
    }

    /// Inputs for observing or calibrating the model, from the training split: `count` windows of a
    /// language model (drawn from `seed`), or the first `count` training examples, in batches of at most 64.
    /// - Precondition: `count ≥ 1`.
    public func trainingInputs(count: Int, seed: UInt64 = 0) -> [Tensor] {
        precondition(count >= 1, "LabCheckpoint.trainingInputs: count \(count) must be positive")
        switch self {
        case .languageModel(_, let windows):
            let generator = RandomGenerator(seed: seed)
            return stride(from: 0, to: count, by: 64).map { windows.trainingBatch(size: min(64, count - $0), generator: generator).inputs }
        case .classifier(let run):
            let inputs = run.data.train.inputs
            let end = min(count, inputs.shape[0])
            return stride(from: 0, to: end, by: 64).map { inputs[$0..<min($0 + 64, end)] }
        }
    }

    /// Inputs from the held-out split: the first `count` validation windows of a language model, or
    /// the first `count` test examples, in batches of at most 64.
    /// - Precondition: `count ≥ 1`.
    public func heldOutInputs(count: Int) -> [Tensor] {
        precondition(count >= 1, "LabCheckpoint.heldOutInputs: count \(count) must be positive")
        switch self {
        case .languageModel(_, let windows):
            let end = min(count, windows.validationWindowCount)
            return stride(from: 0, to: end, by: 64).map { windows.validationBatch(windows: $0..<min($0 + 64, end)).inputs }
        case .classifier(let run):
            let inputs = run.data.test.inputs
            let end = min(count, inputs.shape[0])
            return stride(from: 0, to: end, by: 64).map { inputs[$0..<min($0 + 64, end)] }
        }
    }

    /// The model's figure as it is now (with any hooks it carries): the mean next-token loss over the
    /// first `limit` validation windows (all when nil), or the test accuracy.
    public func evaluate(limit: Int? = nil) -> Double {
        switch self {
        case .languageModel(let lm, let windows):
            let end = min(limit ?? windows.validationWindowCount, windows.validationWindowCount)
            var total = 0.0
            withoutGradient {
                for start in stride(from: 0, to: end, by: 64) {
                    let batch = windows.validationBatch(windows: start..<min(start + 64, end))
                    let loss = CharacterLanguageModel.nextTokenLoss(lm.model(batch.inputs), batch.targets)
                    total += Double(loss.item) * Double(batch.inputs.shape[0])
                }
            }
            return total / Double(max(end, 1))
        case .classifier(let run):
            return run.evaluate()["accuracy"] ?? .nan
        }
    }
}
