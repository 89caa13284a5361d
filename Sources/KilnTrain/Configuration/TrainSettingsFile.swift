import Foundation
import KilnData
import Yams
import Kiln

extension TrainSettings {
    /// Settings read from the YAML or JSON file at `path` (see ``decode(text:path:)``).
    public static func load(_ path: String) throws(SettingsError) -> TrainSettings {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw SettingsError(path: path, reason: "no such file") }
        guard !isFolder.boolValue else { throw SettingsError(path: path, reason: "is a folder, not a settings file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SettingsError(path: path, reason: "cannot be opened") }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: SettingsTextLimits.maximumBytes + 1) ?? Data() else {
            throw SettingsError(path: path, reason: "cannot be read")
        }
        guard data.count <= SettingsTextLimits.maximumBytes else { throw SettingsError(path: path, reason: SettingsTextLimits.tooLarge) }
        guard let text = String(data: data, encoding: .utf8) else { throw SettingsError(path: path, reason: "cannot be read as UTF-8 text") }
        return try decode(text: text, path: path)
    }

    /// Settings read from the text of a YAML or JSON file; `path` names it in errors.
    ///
    /// Missing keys keep their defaults. Unknown keys, keys given twice, values of the wrong type,
    /// names that are none of a choice's (``NamedChoice``) and a `data` section without `path` or
    /// `label_column` are errors; so is a text larger than 1 MiB or nested deeper than 64 levels,
    /// refused before the YAML parser sees it. The values' ranges are checked by ``problem()``,
    /// after command-line options have overridden them.
    public static func decode(text: String, path: String) throws(SettingsError) -> TrainSettings {
        if let violation = SettingsTextLimits.violation(in: text) { throw SettingsError(path: path, reason: violation) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw SettingsError(path: path, reason: "not valid YAML or JSON: \(Self.summary(of: error))")
        } catch {
            throw SettingsError(path: path, reason: "not valid YAML or JSON")
        }
        guard let root, case .mapping = root else { throw SettingsError(path: path, reason: "the top level must be a mapping of settings") }
        var settings = TrainSettings()
        let entries = try SettingsValue(node: root, key: "", file: path).entries(Key.self)
        for (key, value) in entries {
            switch key {
            case .task:
                settings.task = try value.choice()
                // A regression run's loss is mse unless the file names another.
                if settings.task == .regression && !entries.contains(where: { $0.0 == .loss }) { settings.loss = .mse }
            case .model: settings.model = try value.choice()
            case .mlp: settings.mlp = try MLPArchitecture(value)
            case .cnn: settings.cnn = try CNNArchitecture(value)
            case .epochs: settings.epochs = try value.integer()
            case .batchSize: settings.batchSize = try value.integer()
            case .lr: settings.lr = try value.number()
            case .weightDecay: settings.weightDecay = try value.number()
            case .loss: settings.loss = try value.choice()
            case .labelSmoothing: settings.labelSmoothing = try value.number()
            case .sampleWeighting: settings.sampleWeighting = try value.choice()
            case .optimizer: settings.optimizer = try value.choice()
            case .orthogonalGradients: settings.orthogonalGradients = try value.bool()
            case .schedule: settings.schedule = try value.schedule()
            case .weightDecaySchedule: settings.weightDecaySchedule = try value.schedule()
            case .labelSmoothingSchedule: settings.labelSmoothingSchedule = try value.schedule()
            case .logEvery: settings.logEvery = try value.integer()
            case .maxGradNorm: settings.maxGradNorm = try value.optional { v throws(SettingsError) in try v.number() }
            case .gradientAccumulation: settings.gradientAccumulation = try value.integer()
            case .parameterGroups: settings.parameterGroups = try value.list(of: "groups") { entry throws(SettingsError) in try ParameterGroupSettings(entry) }
            case .activation: settings.activation = try value.choice()
            case .augment: settings.augment = try value.choice()
            case .testTimeFlip: settings.testTimeFlip = try value.bool()
            case .seed: settings.seed = try value.integer()
            case .earlyStoppingPatience: settings.earlyStoppingPatience = try value.optional { v throws(SettingsError) in try v.integer() }
            case .restoreBestWeights: settings.restoreBestWeights = try value.bool()
            case .threads: settings.threads = try value.optional { v throws(SettingsError) in try v.integer() }
            case .out: settings.out = try value.string()
            case .name: settings.name = try value.optional { v throws(SettingsError) in try v.string() }
            case .data: settings.data = try DataSettings(value)
            }
        }
        return settings
    }

    /// The problem and place of a YAML error, on one line.
    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        case .reader(let problem, let offset, _, _):
            return offset.map { "\(problem) at byte \($0)" } ?? problem
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? ""
        }
    }
}

extension TrainSettings.DataSettings {
    /// The `data` section of a settings file: a mapping with at least `path` and `label_column`.
    init(_ value: SettingsValue) throws(SettingsError) {
        if value.isNull {
            throw value.failure("is empty; give its path and label_column, or leave data out for Fashion-MNIST")
        }
        var path: String?, labelColumn: String?
        var testFraction = 0.2, testPath: String?, validationFraction = 0.0
        var categorical = CategoricalColumns.onehot, missing = MissingValues.median
        for (key, field) in try value.entries(Key.self) {
            switch key {
            case .validationFraction: validationFraction = try field.number()
            case .categorical: categorical = try field.choice()
            case .missing: missing = try field.choice()
            case .path: path = try field.string()
            case .labelColumn: labelColumn = try field.string()
            case .testFraction: testFraction = try field.number()
            case .testPath: testPath = try field.optional { v throws(SettingsError) in try v.string() }
            }
        }
        guard let path else { throw SettingsError(path: value.file, reason: "setting 'data.path' is required") }
        guard let labelColumn else { throw SettingsError(path: value.file, reason: "setting 'data.label_column' is required") }
        self.init(path: path, labelColumn: labelColumn, testFraction: testFraction, testPath: testPath,
                  validationFraction: validationFraction, categorical: categorical, missing: missing)
    }
}

/// The error of a settings file.
public typealias SettingsError = InputError

extension InputError {
    /// `text` as an error quotes it, on one line: in single quotes, cut after 40 characters,
    /// with line breaks and other control characters escaped.
    static func quoted(_ text: String) -> String { "'\(text.snippet(40))'" }
}

extension MLPArchitecture {
    /// The `mlp` section of a settings file; a key left out keeps its default.
    init(_ value: SettingsValue) throws(SettingsError) {
        self.init()
        for (key, field) in try value.entries(Key.self) {
            switch key {
            case .hidden: hidden = try field.integers()
            case .norm: norm = try field.choice()
            case .dropout: dropout = try field.number()
            case .residual: residual = try field.bool()
            }
        }
    }
}

extension ParameterGroupSettings {
    /// An entry of the `parameter_groups` list; `names` is a pattern or a list of them.
    init(_ value: SettingsValue) throws(SettingsError) {
        self.init()
        for (key, field) in try value.entries(CodingKeys.self) {
            switch key {
            case .names: names = try field.strings()
            case .maxRank: maxRank = try field.integer()
            case .weightDecay: weightDecay = try field.number()
            case .lrScale: lrScale = try field.number()
            }
        }
    }
}

extension CNNArchitecture {
    /// The `cnn` section of a settings file; a key left out keeps its default.
    init(_ value: SettingsValue) throws(SettingsError) {
        self.init()
        for (key, field) in try value.entries(Key.self) {
            switch key {
            case .channels: channels = try field.integers()
            case .kernel: kernel = try field.integer()
            case .pool: pool = try field.choice()
            case .norm: norm = try field.choice()
            case .residual: residual = try field.bool()
            case .dense: dense = try field.integer()
            case .dropout: dropout = try field.number()
            }
        }
    }
}
