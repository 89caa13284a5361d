import Foundation
import Yams

/// Everything a training run can be told, from command-line options or a settings file
/// (YAML or JSON, same keys: `model`, `epochs`, `batch_size`, `lr`, …, and a `data` section).
public struct TrainSettings: Codable, Equatable {
    public var model = "cnn"
    public var epochs = 14
    public var batchSize = 128
    public var lr = 2e-3
    public var weightDecay = 0.01
    /// Label smoothing of the training loss (PyTorch's `label_smoothing`); evaluation uses plain cross-entropy.
    public var labelSmoothing = 0.1
    public var optimizer = "adamw"
    /// A schedule spec or one of `cosine`, `constant`, `wsd`, `linear`, `onecycle` (sized to the run).
    public var schedule = "cosine"
    public var activation = "relu"
    /// Training-time augmentation of image data: `none`, `flip` (random horizontal flips) or
    /// `flip+crop` (also random crops of the image padded by 2).
    public var augment = "flip"
    /// Whether evaluation averages each test image's outputs with its mirror's (image data only).
    public var testTimeFlip = true
    public var seed = 0
    public var threads: Int?
    public var out = "runs"
    public var name: String?
    /// Where examples come from: Fashion-MNIST by default, or a CSV file.
    public var data: DataSettings?

    /// A CSV data source: numeric feature columns and a label column, split into train and test.
    public struct DataSettings: Codable, Equatable {
        public var path: String
        public var labelColumn: String
        /// The fraction of rows (taken from the end) held out for testing.
        public var testFraction = 0.2
        /// A separate test file, instead of `testFraction`.
        public var testPath: String?

        public init(path: String, labelColumn: String, testFraction: Double = 0.2, testPath: String? = nil) {
            self.path = path
            self.labelColumn = labelColumn
            self.testFraction = testFraction
            self.testPath = testPath
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            path = try c.decode(String.self, forKey: .path)
            labelColumn = try c.decode(String.self, forKey: .labelColumn)
            testFraction = try c.decodeIfPresent(Double.self, forKey: .testFraction) ?? 0.2
            testPath = try c.decodeIfPresent(String.self, forKey: .testPath)
        }

        enum CodingKeys: String, CodingKey {
            case path, labelColumn = "label_column", testFraction = "test_fraction", testPath = "test_path"
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, epochs, batchSize = "batch_size", lr, weightDecay = "weight_decay", labelSmoothing = "label_smoothing", optimizer, schedule,
             activation, augment, testTimeFlip = "test_time_flip", seed, threads, out, name, data
    }

    public init() {}

    /// Missing keys keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainSettings()
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? d.model
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        lr = try c.decodeIfPresent(Double.self, forKey: .lr) ?? d.lr
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? d.weightDecay
        labelSmoothing = try c.decodeIfPresent(Double.self, forKey: .labelSmoothing) ?? d.labelSmoothing
        optimizer = try c.decodeIfPresent(String.self, forKey: .optimizer) ?? d.optimizer
        schedule = try c.decodeIfPresent(String.self, forKey: .schedule) ?? d.schedule
        activation = try c.decodeIfPresent(String.self, forKey: .activation) ?? d.activation
        augment = try c.decodeIfPresent(String.self, forKey: .augment) ?? d.augment
        testTimeFlip = try c.decodeIfPresent(Bool.self, forKey: .testTimeFlip) ?? d.testTimeFlip
        seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? d.seed
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
        out = try c.decodeIfPresent(String.self, forKey: .out) ?? d.out
        name = try c.decodeIfPresent(String.self, forKey: .name)
        data = try c.decodeIfPresent(DataSettings.self, forKey: .data)
    }

    public static let models = ["mlp", "cnn"]
    public static let optimizers = ["adamw", "adam", "sgd", "lion", "rmsprop", "adagrad"]
    public static let augmentations = ["none", "flip", "flip+crop"]
    public static let activations = ["relu", "gelu", "silu", "tanh", "leaky_relu", "mish"]

    /// Settings read from a YAML or JSON file (JSON is YAML); unknown keys are errors.
    public static func load(_ path: String) throws(SettingsError) -> TrainSettings {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SettingsError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read as UTF-8 text" : "no such file")
        }
        guard let object = try? Yams.load(yaml: text) else { throw SettingsError(path: path, reason: "not valid YAML or JSON") }
        guard let dict = object as? [String: Any] else { throw SettingsError(path: path, reason: "the top level must be a mapping of settings") }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = dict.keys.sorted().first(where: { !known.contains($0) }) {
            throw SettingsError(path: path, reason: "unknown setting '\(unknown)'; known: \(known.sorted().joined(separator: ", "))")
        }
        do {
            return try YAMLDecoder().decode(TrainSettings.self, from: text)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw SettingsError(path: path, reason: "setting '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch let DecodingError.keyNotFound(key, context) {
            let place = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw SettingsError(path: path, reason: "setting '\(place)' is required")
        } catch {
            throw SettingsError(path: path, reason: "cannot be decoded: \(error)")
        }
    }

    /// One clear line for the first bad value, or nil.
    public func problem() -> String? {
        if !Self.models.contains(model) { return "model '\(model)' is not one of \(Self.models.joined(separator: ", "))" }
        if !Self.optimizers.contains(optimizer) { return "optimizer '\(optimizer)' is not one of \(Self.optimizers.joined(separator: ", "))" }
        if !Self.activations.contains(activation) { return "activation '\(activation)' is not one of \(Self.activations.joined(separator: ", "))" }
        if !Self.augmentations.contains(augment) { return "augment '\(augment)' is not one of \(Self.augmentations.joined(separator: ", "))" }
        if epochs < 1 { return "epochs must be at least 1, got \(epochs)" }
        if batchSize < 1 { return "batch size must be at least 1, got \(batchSize)" }
        if !(lr > 0) || !lr.isFinite { return "learning rate must be positive, got \(lr)" }
        if !(labelSmoothing >= 0 && labelSmoothing < 1) { return "label smoothing must be in [0, 1), got \(labelSmoothing)" }
        if weightDecay < 0 { return "weight decay must be non-negative, got \(weightDecay)" }
        if let threads, threads < 1 { return "threads must be at least 1, got \(threads)" }
        if seed < 0 { return "seed must be non-negative, got \(seed)" }
        if let data, !(data.testFraction > 0 && data.testFraction < 1) && data.testPath == nil {
            return "data.test_fraction must be between 0 and 1, got \(data.testFraction)"
        }
        return nil
    }
}

/// A settings file that cannot be used: names the file and the problem.
public struct SettingsError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
