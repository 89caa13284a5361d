import Foundation
import Kiln
import KilnData
import KilnMetrics
import KilnNN
import KilnOptimizers

/// One training run as `kiln train` does it: the model, data, optimizer, schedule and loss its
/// ``TrainSettings`` choose (or a ``Module`` and data given in Swift), trained with progress,
/// a metrics log and checkpoints in its ``RunFolder``, then evaluated on the test set and
/// reported in `report.html`.
///
/// ```swift
/// let run = try TrainingRun(model: MyNet(), train: train, test: test, settings: settings)
/// let summary = try run.run()
/// // later, in another program:
/// let restored = try TrainingRun.restore(checkpoint: path, into: MyNet(), train: train, test: test)
/// print(restored.evaluate()["accuracy"]!)
/// ```
///
/// The checkpoint stores the settings as one metadata entry (``StoredSettings``), so a run can be
/// resumed (``resume(out:name:changes:)``) and its checkpoint evaluated (``restore(checkpoint:)``)
/// without being told them again.
///
/// A run works in its own ``ExecutionScope``: the settings' thread count and a generator seeded
/// with the settings' seed, never process-wide state, so runs on different threads or tasks of
/// one process each give the results they give alone.
public final class TrainingRun {
    public let settings: TrainSettings
    /// The folder holding the checkpoint, log and report.
    public let folder: RunFolder
    public let model: Module
    public let data: RunData
    /// Whether the model and data were given in Swift rather than built from the settings.
    public let isCustomModel: Bool
    /// Steps between checkpoints (0: only after each epoch).
    public var checkpointEvery = 200
    /// What a step whose loss or gradient norm is not finite does.
    public var onNonFinite = NonFiniteAction.stop
    /// Whether training shows its progress and notes on standard error.
    public var showsProgress = true
    /// The processes that train this run together, each on its shard of every batch of
    /// ``TrainSettings/batchSize`` examples (nil: this process alone; see ``DataParallel``). Only
    /// rank 0 writes the run folder and shows progress; every process returns the same summary.
    /// Every process makes the run with the same settings.
    public var dataParallel: DataParallel?
    /// The thread count (the settings', else the caller's when the run was made) and the seeded
    /// generator (weights of built-in models, dropout) that the run's work uses.
    public let scope: ExecutionScope

    enum Start {
        case new
        case resuming(Checkpoint, removedTemporaryFiles: [String])
        case restored(checkpoint: String)
    }

    let start: Start

    init(settings: TrainSettings, folder: RunFolder, model: Module, data: RunData, isCustomModel: Bool, start: Start,
         scope: ExecutionScope) {
        self.settings = settings
        self.scope = scope
        self.folder = folder
        self.model = model
        self.data = data
        self.isCustomModel = isCustomModel
        self.start = start
    }

    // MARK: Starting

    /// A new run of the built-in model and data `settings` name (``TrainSettings/model``,
    /// ``TrainSettings/data``), in the folder `out/name` (by default named for the model and the
    /// time), which must not exist yet.
    ///
    /// Loads the data and draws the model's weights in the run's ``scope``.
    public convenience init(settings: TrainSettings) throws {
        try Self.prepare(settings)
        let folder = try RunFolder(out: settings.out, name: settings.name ?? "\(settings.model)-\(Self.timestamp())")
        try folder.checkAbsent()
        let scope = Self.runScope(settings)
        let (data, model) = try scope.run {
            let data = try RunData.load(settings)
            try DataFit.check(settings, data: data)
            return (data, try settings.model.make(inputShape: data.inputShape, classes: data.classes, settings: settings))
        }
        self.init(settings: settings, folder: folder, model: model, data: data, isCustomModel: false, start: .new, scope: scope)
    }

    /// A new run of `model` on `data`, with the optimizer, schedule, loss and the rest of
    /// `settings` (its `model`, `activation` and `data` are not used), in the folder `out/name`
    /// (by default `run-` and the time), which must not exist yet.
    ///
    /// The model's outputs are the logits `[N, data.classes]` of the loss. Its dropout draws from
    /// the run's seeded generator unless given a generator of its own.
    public convenience init(model: Module, data: RunData, settings: TrainSettings) throws {
        try Self.prepare(settings)
        let folder = try RunFolder(out: settings.out, name: settings.name ?? "run-\(Self.timestamp())")
        try folder.checkAbsent()
        try DataFit.check(settings, data: data, builtInModel: false)
        self.init(settings: settings, folder: folder, model: model, data: data, isCustomModel: true, start: .new,
                  scope: Self.runScope(settings))
    }

    /// A new run of `model` on training and test examples given as tensors (``RunData/init(train:test:classNames:source:)``).
    public convenience init(model: Module, train: TensorDataset, test: TensorDataset, settings: TrainSettings,
                            classNames: [String]? = nil) throws {
        try self.init(model: model, data: RunData(train: train, test: test, classNames: classNames), settings: settings)
    }

    /// The run of a built-in model in `out/name`, to be continued from its checkpoint with the
    /// settings it stores after `changes` (only more epochs, the thread count, the checkpoint
    /// interval and the non-finite action may change). Clears the temporary files of a write
    /// killed half-way.
    public static func resume(out: String, name: String, changes: (inout TrainSettings) -> Void = { _ in }) throws -> TrainingRun {
        try resume(out: out, name: name, custom: nil, changes: changes)
    }

    /// The run of `model` (a fresh instance of the run's model) in `out/name`, continued on the
    /// same training and test examples, as ``resume(out:name:changes:)`` continues a built-in one.
    public static func resume(out: String, name: String, model: Module, train: TensorDataset, test: TensorDataset,
                              classNames: [String]? = nil, changes: (inout TrainSettings) -> Void = { _ in }) throws -> TrainingRun {
        try resume(out: out, name: name, custom: (model, RunData(train: train, test: test, classNames: classNames)), changes: changes)
    }

    private static func resume(out: String, name: String, custom: (model: Module, data: RunData)?,
                               changes: (inout TrainSettings) -> Void) throws -> TrainingRun {
        let folder = try RunFolder(out: out, name: name)
        try folder.checkResumable()
        let removed = folder.removeTemporaryFiles()
        let checkpoint = try Checkpoint.read(folder.checkpoint)
        var settings = try TrainSettings.resuming(checkpoint, at: folder.checkpoint, customModel: custom != nil) { changes(&$0) }
        let tabular = try StoredSettings(checkpoint: checkpoint, at: folder.checkpoint).tabular
        settings.out = out
        settings.name = name
        try prepare(settings)
        let scope = runScope(settings)
        let (model, data): (Module, RunData) = try scope.run {
            if let custom {
                try DataFit.check(settings, data: custom.data, builtInModel: false)
                return custom
            }
            let data = try RunData.load(settings, encoding: tabular)
            try DataFit.check(settings, data: data)
            return (try settings.model.make(inputShape: data.inputShape, classes: data.classes, settings: settings), data)
        }
        try load(checkpoint, into: model, from: folder.checkpoint, source: data.source)
        return TrainingRun(settings: settings, folder: folder, model: model, data: data, isCustomModel: custom != nil,
                           start: .resuming(checkpoint, removedTemporaryFiles: removed), scope: scope)
    }

    // MARK: Restoring

    /// The built-in model of the checkpoint at `path`, rebuilt from its stored settings with its
    /// weights, and its data, for ``evaluate(testTimeFlip:)`` and ``predict(limit:)``; they run on
    /// the caller's thread count (``Threads/count``), not the stored one.
    public static func restore(checkpoint path: String) throws -> TrainingRun {
        let (checkpoint, stored) = try readForEvaluation(path)
        if stored.customModel {
            throw RunError("\(path) holds a model defined in Swift code; restore it in that code with "
                           + "TrainingRun.restore(checkpoint:into:train:test:)")
        }
        let settings = stored.settings
        let scope = restoringScope(settings)
        let (data, model) = try scope.run {
            let data = try RunData.load(settings, encoding: stored.tabular)
            try DataFit.check(settings, data: data)
            return (data, try settings.model.make(inputShape: data.inputShape, classes: data.classes, settings: settings))
        }
        try load(checkpoint, into: model, from: path, source: data.source)
        model.eval()
        return TrainingRun(settings: settings, folder: RunFolder(holding: path), model: model, data: data, isCustomModel: false,
                           start: .restored(checkpoint: path), scope: scope)
    }

    /// `model` (a fresh instance of the checkpoint's model) with the weights of the checkpoint at
    /// `path`, and the settings it stores, for evaluation on the data given (the same as in training,
    /// so that the classes agree).
    public static func restore(checkpoint path: String, into model: Module, train: TensorDataset, test: TensorDataset,
                               classNames: [String]? = nil) throws -> TrainingRun {
        let (checkpoint, stored) = try readForEvaluation(path)
        let data = try RunData(train: train, test: test, classNames: classNames)
        try load(checkpoint, into: model, from: path, source: data.source)
        model.eval()
        return TrainingRun(settings: stored.settings, folder: RunFolder(holding: path), model: model, data: data, isCustomModel: true,
                           start: .restored(checkpoint: path), scope: restoringScope(stored.settings))
    }

    // MARK: Evaluating

    /// The model's mean loss and metrics on the test set (`loss`, `accuracy`, `f1_macro`,
    /// `expected_calibration_error`; for regression `loss` on the standardized targets and `mae`,
    /// `rmse`, `r2` in the targets' units), in evaluation mode; for image data each test image's
    /// outputs averaged with its mirror's when `testTimeFlip` (by default the settings').
    public func evaluate(testTimeFlip: Bool? = nil) -> [String: Double] {
        evaluate(data.test, testTimeFlip: testTimeFlip ?? settings.testTimeFlip)
    }

    /// The model's mean loss and metrics on `examples`, as ``evaluate(testTimeFlip:)`` computes them.
    func evaluate(_ examples: TensorDataset, testTimeFlip: Bool = false) -> [String: Double] {
        scope.run {
            let trainer = Trainer(model: model, optimizer: SGD(learningRate: 0), loss: settings.loss.make())
            trainer.metrics = Self.metrics(for: data)
            if testTimeFlip, data.holdsImages { trainer.predictor = Trainer.averagingMirroredImages(model) }
            return trainer.evaluate(DataLoader(examples, batchSize: 1000))
        }
    }

    /// The model's outputs (logits) for the first `limit` test examples (all by default), without gradients.
    public func predict(limit: Int? = nil) -> Tensor {
        let count = min(max(limit ?? data.test.count, 0), data.test.count)
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        return scope.run { withoutGradient { model(data.test.inputs[0..<count]) } }
    }

    /// The metrics every run reports on its test set.
    static func metrics(for data: RunData) -> [any Metric] {
        if let encoding = data.encoding, encoding.isRegression {
            return RegressionFigure.allCases.map { RegressionInTargetUnits($0, encoding: encoding) }
        }
        return [Accuracy(), F1Score(classes: data.classes, average: .macro), ExpectedCalibrationError()]
    }

    // MARK: Helpers

    /// Checks `settings`.
    private static func prepare(_ settings: TrainSettings) throws {
        if let problem = settings.problem() { throw RunError(problem) }
        if settings.schedule.sized == nil { _ = try settings.schedule.make(peak: settings.lr, steps: 1) }
    }

    /// The scope of a run of `settings`: their thread count (else the caller's) and a fresh
    /// generator seeded with their seed.
    private static func runScope(_ settings: TrainSettings) -> ExecutionScope {
        ExecutionScope(threads: settings.threads ?? Threads.count, generator: RandomGenerator(seed: UInt64(settings.seed)))
    }

    /// The scope of a run restored for evaluation: the caller's thread count, a generator seeded as in training.
    static func restoringScope(_ settings: TrainSettings) -> ExecutionScope {
        ExecutionScope(threads: Threads.count, generator: RandomGenerator(seed: UInt64(settings.seed)))
    }

    /// The checkpoint at `path` and its settings; a checkpoint holding NaN or infinite values is
    /// refused (its outputs would be meaningless).
    static func readForEvaluation(_ path: String) throws -> (Checkpoint, StoredSettings) {
        let checkpoint = try Checkpoint.read(path)
        if let name = checkpoint.firstNonFiniteTensor { throw RunError("\(path): checkpoint has non-finite weights in '\(name)'") }
        return (checkpoint, try StoredSettings(checkpoint: checkpoint, at: path))
    }

    /// Loads the checkpoint's weights into `model`; a mismatch is one line naming both.
    static func load(_ checkpoint: Checkpoint, into model: Module, from path: String, source: String) throws {
        do {
            try model.load(stateDict: checkpoint.model)
        } catch {
            throw RunError("\(path) does not fit the model built for \(source): \(error)")
        }
    }

    /// `yyyyMMdd-HHmmss` in UTC, for run names.
    static func timestamp() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }

    /// Writes `line` to standard error when the run shows its progress.
    func note(_ line: String) {
        if showsProgress && dataParallel?.isLead ?? true { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    var restoredCheckpoint: String? {
        if case .restored(let path) = start { return path }
        return nil
    }

    var resumedCheckpoint: (Checkpoint, removedTemporaryFiles: [String])? {
        if case .resuming(let checkpoint, let removed) = start { return (checkpoint, removed) }
        return nil
    }
}
