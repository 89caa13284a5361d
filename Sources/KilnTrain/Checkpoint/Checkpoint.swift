import Foundation
import Kiln

/// Where a run stands: optimizer steps taken, the epoch under way and the batches done in it.
public struct TrainingProgress: Equatable, Sendable {
    /// Optimizer steps taken so far.
    public var step = 0
    /// Completed epochs (0-based index of the epoch under way).
    public var epoch = 0
    /// Batches done in the epoch under way.
    public var batchInEpoch = 0

    /// A position in training: `step` optimizer steps, `epoch` completed epochs, `batchInEpoch` batches into the next.
    public init(step: Int = 0, epoch: Int = 0, batchInEpoch: Int = 0) {
        self.step = step
        self.epoch = epoch
        self.batchInEpoch = batchInEpoch
    }
}

/// Everything needed to continue a run exactly: model, optimizer state, random-number states,
/// progress and the running loss sums. It is taken between optimizer steps, so under gradient
/// accumulation no gradient is pending (``Trainer/checkpoint(settings:)``).
///
/// Stored as one safetensors file: tensors `model.<name>`, `optimizer.<name>` and
/// `best_model.<name>`, the rest in the string metadata. Written to a temporary file and renamed, so a run killed while writing
/// leaves the previous checkpoint intact; a checkpoint holding a NaN or infinite value is never
/// written.
public struct Checkpoint {
    public var model: [String: Tensor]
    public var optimizer: [String: Tensor]
    public var progress: TrainingProgress
    /// The loss sums behind the log records not yet written.
    public var losses: RunningLosses
    /// The state of the generator that draws the training data (``Trainer/dataGenerator``): for a
    /// data loader, its state when the epoch under way began (its order is redrawn from it); for
    /// batches drawn step by step, its state after the last step.
    public var dataRandomState: RandomState
    /// The default generator's state (dropout and other model randomness).
    public var modelRandomState: RandomState
    /// The run's settings as one text, stored as the metadata entry `settings` (a ``TrainingRun``
    /// writes its ``StoredSettings`` as JSON), for evaluation and resuming.
    public var settings: String?
    /// The weights of the epoch (1-based) with the lowest validation loss so far, when early
    /// stopping keeps them to end the run with (``TrainSettings/restoreBestWeights``).
    public var best: (epoch: Int, model: [String: Tensor])?
    /// The entries `setting.<key>` (without the prefix) of checkpoints written when each setting
    /// was its own metadata entry; read, never written.
    public var legacySettings: [String: String] = [:]

    /// A checkpoint of the model's and optimizer's tensors, the position in training, the running
    /// losses, both generators' states and the run's settings (JSON).
    public init(model: [String: Tensor], optimizer: [String: Tensor], progress: TrainingProgress, losses: RunningLosses = RunningLosses(),
                dataRandomState: RandomState, modelRandomState: RandomState, settings: String? = nil) {
        self.model = model
        self.optimizer = optimizer
        self.progress = progress
        self.losses = losses
        self.dataRandomState = dataRandomState
        self.modelRandomState = modelRandomState
        self.settings = settings
    }

    /// The name (`model.<name>`, `optimizer.<name>` or `best_model.<name>`) of the first tensor, in name order, that holds a NaN or infinite value.
    public var firstNonFiniteTensor: String? {
        let named = model.map { ("model." + $0.key, $0.value) } + optimizer.map { ("optimizer." + $0.key, $0.value) }
            + (best?.model ?? [:]).map { ("best_model." + $0.key, $0.value) }
        return named.sorted { $0.0 < $1.0 }.first { !$0.1.isAllFinite }?.0
    }

    /// Writes the checkpoint atomically; refuses, leaving any earlier file as it was, when a tensor is not finite.
    public func write(to path: String) throws(TensorFileError) {
        if let name = firstNonFiniteTensor {
            throw TensorFileError(path: path, reason: "checkpoint not written at step \(progress.step): '\(name)' holds NaN or infinite values")
        }
        var tensors: [String: Tensor] = [:]
        for (k, v) in model { tensors["model." + k] = v }
        for (k, v) in optimizer { tensors["optimizer." + k] = v }
        for (k, v) in best?.model ?? [:] { tensors["best_model." + k] = v }
        var metadata: [String: String] = [:]
        if let settings { metadata["settings"] = settings }
        metadata["format"] = "kiln-checkpoint-1"
        metadata["step"] = String(progress.step)
        metadata["epoch"] = String(progress.epoch)
        metadata["batch_in_epoch"] = String(progress.batchInEpoch)
        if let best { metadata["best_epoch"] = String(best.epoch) }
        metadata["data_rng"] = "\(dataRandomState.seed):\(dataRandomState.counter)"
        metadata["model_rng"] = "\(modelRandomState.seed):\(modelRandomState.counter)"
        metadata.merge(losses.metadata) { $1 }
        try Safetensors.write(tensors, metadata: metadata, to: path)
    }

    /// Reads a checkpoint written by ``write(to:)``.
    public static func read(_ path: String) throws(TensorFileError) -> Checkpoint {
        let contents = try Safetensors.read(path)
        let meta = contents.metadata
        func fail(_ reason: String) -> TensorFileError { TensorFileError(path: path, reason: reason) }
        guard meta["format"] == "kiln-checkpoint-1" else { throw fail("not a Kiln checkpoint (no format marker in the metadata)") }
        func integer(_ key: String) throws(TensorFileError) -> Int {
            guard let text = meta[key], let v = Int(text), v >= 0 else { throw fail("metadata '\(key)' is missing or not a count") }
            return v
        }
        func state(_ key: String) throws(TensorFileError) -> RandomState {
            let parts = (meta[key] ?? "").split(separator: ":").compactMap { UInt64($0) }
            guard parts.count == 2 else { throw fail("metadata '\(key)' is missing or malformed") }
            return RandomState(seed: parts[0], counter: parts[1])
        }
        var model: [String: Tensor] = [:], optimizer: [String: Tensor] = [:], bestModel: [String: Tensor] = [:]
        for (k, v) in contents.tensors {
            if k.hasPrefix("model.") { model[String(k.dropFirst(6))] = v }
            else if k.hasPrefix("optimizer.") { optimizer[String(k.dropFirst(10))] = v }
            else if k.hasPrefix("best_model.") { bestModel[String(k.dropFirst(11))] = v }
        }
        var checkpoint = try Checkpoint(model: model, optimizer: optimizer,
                              progress: TrainingProgress(step: integer("step"), epoch: integer("epoch"), batchInEpoch: integer("batch_in_epoch")),
                              losses: RunningLosses(metadata: meta, path: path),
                              dataRandomState: state("data_rng"), modelRandomState: state("model_rng"), settings: meta["settings"])
        if meta["best_epoch"] != nil { checkpoint.best = (try integer("best_epoch"), bestModel) }
        checkpoint.legacySettings = meta.filter { $0.key.hasPrefix("setting.") }
            .reduce(into: [String: String]()) { $0[String($1.key.dropFirst(8))] = $1.value }
        return checkpoint
    }
}

extension Tensor {
    /// Whether every element is a finite number (always true for integer and Boolean tensors).
    var isAllFinite: Bool {
        guard dtype == .float32 else { return true }
        return withUnsafeFloats { values in values.allSatisfy(\.isFinite) }
    }
}
