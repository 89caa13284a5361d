import Foundation

extension TrainSettings {
    /// The settings a checkpoint stores, as strings: everything that shapes the run's numbers
    /// (not `threads`, `out` or `name`, which say how and where it runs).
    public var stored: [String: String] {
        var s = ["model": model, "epochs": "\(epochs)", "batch_size": "\(batchSize)", "lr": "\(lr)",
                 "weight_decay": "\(weightDecay)", "label_smoothing": "\(labelSmoothing)", "optimizer": optimizer, "schedule": schedule,
                 "activation": activation, "augment": augment, "test_time_flip": "\(testTimeFlip)", "seed": "\(seed)"]
        if let data {
            s["data.path"] = data.path
            s["data.label_column"] = data.labelColumn
            s["data.test_fraction"] = "\(data.testFraction)"
            if let testPath = data.testPath { s["data.test_path"] = testPath }
        }
        return s
    }

    /// The settings stored in the checkpoint at `path` (``stored``).
    public init(stored s: [String: String], checkpoint path: String) throws(RunError) {
        func fail(_ key: String) -> RunError { RunError("\(path): stored setting '\(key)' is missing or malformed") }
        func text(_ key: String) throws(RunError) -> String {
            guard let v = s[key] else { throw fail(key) }
            return v
        }
        func parsed<T>(_ key: String, _ parse: (String) -> T?) throws(RunError) -> T {
            guard let v = parse(try text(key)) else { throw fail(key) }
            return v
        }
        self.init()
        model = try text("model")
        epochs = try parsed("epochs") { Int($0) }
        batchSize = try parsed("batch_size") { Int($0) }
        lr = try parsed("lr") { Double($0) }
        weightDecay = try parsed("weight_decay") { Double($0) }
        labelSmoothing = try parsed("label_smoothing") { Double($0) }
        optimizer = try text("optimizer")
        schedule = try text("schedule")
        activation = try text("activation")
        augment = try text("augment")
        testTimeFlip = try parsed("test_time_flip") { Bool($0) }
        seed = try parsed("seed") { Int($0) }
        if s["data.path"] != nil {
            data = try DataSettings(path: text("data.path"), labelColumn: text("data.label_column"),
                                    testFraction: parsed("data.test_fraction") { Double($0) }, testPath: s["data.test_path"])
        }
        if let problem = problem() { throw RunError("\(path): stored settings are invalid: \(problem)") }
    }

    /// The settings to continue the run of `checkpoint` (read from `path`) with: its stored
    /// settings after `changes` (the options given with the resume), which may alter only
    /// ``changeableOnResume``. A run that has already done its epochs is an error saying so.
    public static func resuming(_ checkpoint: Checkpoint, at path: String,
                                changes: (inout TrainSettings) -> Void = { _ in }) throws(RunError) -> TrainSettings {
        let original = try TrainSettings(stored: checkpoint.settings, checkpoint: path)
        var settings = original
        changes(&settings)
        if let conflict = settings.resumeConflict(with: original) { throw RunError(conflict) }
        let done = checkpoint.progress
        if done.epoch >= settings.epochs {
            throw RunError("the run of \(path) already finished its \(done.epoch) epochs (\(done.step) steps); "
                           + "to train it further, resume with --epochs larger than \(done.epoch)")
        }
        return settings
    }

    /// The stored settings a resumed run may change: more epochs (a schedule sized to the run
    /// then stretches over the new total).
    public static let changeableOnResume: Set<String> = ["epochs"]

    /// The first setting that differs from the run's `original` settings and may not change on
    /// resume, as one line naming the option; nil when there is none.
    public func resumeConflict(with original: TrainSettings) -> String? {
        let mine = stored, theirs = original.stored
        guard let key = Set(mine.keys).union(theirs.keys).subtracting(Self.changeableOnResume).sorted()
            .first(where: { mine[$0] != theirs[$0] }) else { return nil }
        return "--\(key.replacingOccurrences(of: "_", with: "-")) \(mine[key] ?? "(none)") conflicts with the run's stored "
            + "\(key) \(theirs[key] ?? "(none)"); a resumed run keeps its settings except --epochs (and --threads, "
            + "--checkpoint-every, --on-nonfinite)"
    }
}
