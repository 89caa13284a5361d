import Foundation
import KilnData

/// What a checkpoint says about the run that wrote it, as its one metadata entry `settings`: a
/// JSON object with the run's ``TrainSettings`` (all but `threads`, `out` and `name`, which say
/// how and where it ran, not what it computed), for a run of a model given in Swift code
/// `"custom_model": true`, and for CSV data the encoding learned from its training rows
/// (`"tabular"`, a ``TabularEncoding``: standardization, categories, medians, class names).
public struct StoredSettings: Equatable, Sendable {
    /// The run's settings (`threads`, `out` and `name` at their defaults).
    public var settings: TrainSettings
    /// Whether the model and data came from Swift code, so that only that code can rebuild them
    /// (``TrainingRun/restore(checkpoint:into:train:test:classNames:)``).
    public var customModel: Bool
    /// How the run's CSV columns become inputs and targets, learned from its training rows.
    public var tabular: TabularEncoding?

    /// What a run with `settings` stores, with `threads`, `out` and `name` reset to their defaults;
    /// `customModel` for a model given in Swift code, `tabular` for CSV data.
    public init(_ settings: TrainSettings, customModel: Bool = false, tabular: TabularEncoding? = nil) {
        var kept = settings
        kept.threads = nil
        kept.out = TrainSettings().out
        kept.name = nil
        self.settings = kept
        self.customModel = customModel
        self.tabular = tabular
    }

    /// The metadata entry: one line of JSON with sorted keys.
    public var text: String {
        // Settings that passed `problem()` hold only finite numbers, which always encode.
        guard let text = sortedJSON(self) else { preconditionFailure("StoredSettings: settings hold a non-finite number") }
        return text
    }

    /// The settings stored in `checkpoint`, read from `path`: its `settings` entry, or the
    /// `setting.<key>` entries of checkpoints written before the settings were one entry.
    public init(checkpoint: Checkpoint, at path: String) throws(RunError) {
        if let text = checkpoint.settings {
            do {
                self = try JSONDecoder().decode(StoredSettings.self, from: Data(text.utf8))
            } catch let error as DecodingError {
                throw RunError("\(path): stored settings are malformed: \(Self.summary(of: error))")
            } catch {
                throw RunError("\(path): stored settings are malformed")
            }
        } else if !checkpoint.legacySettings.isEmpty {
            self.init(try TrainSettings(legacy: checkpoint.legacySettings, checkpoint: path))
        } else {
            throw RunError("\(path) stores no run settings: it was not written by a training run")
        }
        // Written when every loss stored cross-entropy's default label smoothing, which others ignored.
        if settings.loss != .crossEntropy && settings.labelSmoothing == TrainSettings.defaultLabelSmoothing { settings.labelSmoothing = nil }
        if let problem = settings.problem() { throw RunError("\(path): stored settings are invalid: \(problem)") }
        if let problem = tabular?.problem { throw RunError("\(path): stored settings are invalid: \(problem)") }
    }

    /// A decoding error on one line: the key and what is wrong.
    private static func summary(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "'\(key.stringValue)' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            let reason = context.debugDescription.split(separator: "\n").first.map(String.init) ?? ""
            return key.isEmpty ? reason : "'\(key)': \(reason)"
        @unknown default: return "\(error)".split(separator: "\n").first.map(String.init) ?? ""
        }
    }
}

extension StoredSettings: Codable {
    /// Decodes one JSON object: the ``TrainSettings`` keys, plus `custom_model` (false when absent) and
    /// `tabular` (optional).
    public init(from decoder: Decoder) throws {
        let settings = try TrainSettings(from: decoder)
        let container = try decoder.container(keyedBy: JSONKey.self)
        self.init(settings, customModel: try container.decodeIfPresent(Bool.self, forKey: JSONKey("custom_model")) ?? false,
                  tabular: try container.decodeIfPresent(TabularEncoding.self, forKey: JSONKey("tabular")))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try settings.encode(into: &container, place: false)
        if customModel { try container.encode(true, forKey: JSONKey("custom_model")) }
        try container.encodeIfPresent(tabular, forKey: JSONKey("tabular"))
    }
}

extension TrainSettings {
    /// The settings to continue the run of `checkpoint` (read from `path`) with: its stored
    /// settings after `changes` (the options given with the resume), which may alter only
    /// ``changeableOnResume`` besides `threads`, `out` and `name`. A run that has already done its
    /// epochs is an error saying so, and so is the run of a model given in Swift unless
    /// `customModel` says the model is given again.
    public static func resuming(_ checkpoint: Checkpoint, at path: String, customModel: Bool = false,
                                changes: (inout TrainSettings) -> Void = { _ in }) throws(RunError) -> TrainSettings {
        let stored = try StoredSettings(checkpoint: checkpoint, at: path)
        if stored.customModel && !customModel {
            throw RunError("\(path) holds a model defined in Swift code; resume it in that code with "
                           + "TrainingRun.resume(out:name:model:train:test:)")
        }
        let original = stored.settings
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
        let mine = fields, theirs = original.fields
        guard let key = Set(mine.keys).union(theirs.keys).subtracting(Self.changeableOnResume).sorted()
            .first(where: { mine[$0] != theirs[$0] }) else { return nil }
        return "--\(key.replacingOccurrences(of: "_", with: "-")) \(mine[key] ?? "(default)") conflicts with the run's stored "
            + "\(key) \(theirs[key] ?? "(default)"); a resumed run keeps its settings except --epochs (and --threads, "
            + "--checkpoint-every, --on-nonfinite)"
    }

    /// The stored settings as text by key (``settingFields(_:)``).
    var fields: [String: String] { settingFields(StoredSettings(self)) }

    /// The settings of a checkpoint written when each setting was its own metadata entry
    /// `setting.<key>` (given here without the prefix).
    init(legacy s: [String: String], checkpoint path: String) throws(RunError) {
        func fail(_ key: String) -> RunError { RunError("\(path): stored setting '\(key)' is missing or malformed") }
        func text(_ key: String) throws(RunError) -> String {
            guard let v = s[key] else { throw fail(key) }
            return v
        }
        func parsed<T>(_ key: String, _ parse: (String) throws -> T?) throws(RunError) -> T {
            guard let v = try? parse(try text(key)) else { throw fail(key) }
            return v
        }
        self.init()
        model = try parsed("model") { try ModelChoice(named: $0) }
        epochs = try parsed("epochs") { Int($0) }
        batchSize = try parsed("batch_size") { Int($0) }
        lr = try parsed("lr") { Double($0) }
        weightDecay = try parsed("weight_decay") { Double($0) }
        labelSmoothing = try parsed("label_smoothing") { Double($0) } as Double
        optimizer = try parsed("optimizer") { try OptimizerChoice(named: $0) }
        schedule = try parsed("schedule") { try ScheduleChoice($0) }
        activation = try parsed("activation") { try ActivationChoice(named: $0) }
        augment = try parsed("augment") { try AugmentationChoice(named: $0) }
        testTimeFlip = try parsed("test_time_flip") { Bool($0) }
        seed = try parsed("seed") { Int($0) }
        if s["data.path"] != nil {
            data = try DataSettings(path: text("data.path"), labelColumn: text("data.label_column"),
                                    testFraction: parsed("data.test_fraction") { Double($0) }, testPath: s["data.test_path"])
        }
    }
}

/// Settings as text by key, read off their JSON encoding so that every setting is compared: a
/// section's keys as `section.key` (`data.path`, `mlp.hidden`), strings as they are, other values as
/// JSON; a setting the encoding leaves out at its default is absent.
func settingFields<T: Encodable>(_ settings: T) -> [String: String] {
    guard let json = sortedJSON(settings),
          let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
    var fields: [String: String] = [:]
    func flatten(_ value: Any, _ key: String) {
        if let section = value as? [String: Any] {
            for (k, v) in section { flatten(v, key + "." + k) }
        } else if let text = value as? String {
            fields[key] = text
        } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
            fields[key] = String(decoding: data, as: UTF8.self)
        }
    }
    for (k, v) in object { flatten(v, k) }
    return fields
}

/// `value` as one line of JSON with sorted keys (the stored settings, and sections compared on
/// resume), or nil when it holds a number JSON cannot write.
func sortedJSON<T: Encodable>(_ value: T) -> String? {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
}
