import Foundation
import KilnData

/// A JSON object key given by its name.
struct JSONKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { nil }
}

/// Settings as JSON, with the keys of a settings file; a missing key keeps its default, and a
/// name that is none of a choice's is an error naming the valid ones.
extension TrainSettings: Codable {
    /// Decodes a JSON object with the keys of a settings file; a missing key keeps its default (for a
    /// regression `task` the default loss is MSE), and an unknown choice name is an error listing the valid ones.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func value<T: Decodable>(_ key: Key, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        func choice<C: NamedChoice>(_ key: Key, _ fallback: C) throws -> C {
            guard let name = try c.decodeIfPresent(String.self, forKey: key) else { return fallback }
            do {
                return try C(named: name)
            } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: error.description)
            }
        }
        self.init()
        task = try choice(.task, task)
        loss = task == .regression ? .mse : loss
        model = try choice(.model, model)
        mlp = try c.decodeIfPresent(MLPArchitecture.self, forKey: .mlp)
        cnn = try c.decodeIfPresent(CNNArchitecture.self, forKey: .cnn)
        epochs = try value(.epochs, epochs)
        batchSize = try value(.batchSize, batchSize)
        lr = try value(.lr, lr)
        weightDecay = try value(.weightDecay, weightDecay)
        loss = try choice(.loss, loss)
        labelSmoothing = try c.decodeIfPresent(Double.self, forKey: .labelSmoothing)
        sampleWeighting = try choice(.sampleWeighting, sampleWeighting)
        optimizer = try choice(.optimizer, optimizer)
        orthogonalGradients = try value(.orthogonalGradients, orthogonalGradients)
        schedule = try value(.schedule, schedule)
        weightDecaySchedule = try c.decodeIfPresent(ScheduleChoice.self, forKey: .weightDecaySchedule)
        labelSmoothingSchedule = try c.decodeIfPresent(ScheduleChoice.self, forKey: .labelSmoothingSchedule)
        logEvery = try value(.logEvery, logEvery)
        maxGradNorm = try c.decodeIfPresent(Double.self, forKey: .maxGradNorm)
        gradientAccumulation = try value(.gradientAccumulation, gradientAccumulation)
        parameterGroups = try value(.parameterGroups, parameterGroups)
        activation = try choice(.activation, activation)
        augment = try choice(.augment, augment)
        testTimeFlip = try value(.testTimeFlip, testTimeFlip)
        seed = try value(.seed, seed)
        earlyStoppingPatience = try c.decodeIfPresent(Int.self, forKey: .earlyStoppingPatience)
        restoreBestWeights = try value(.restoreBestWeights, restoreBestWeights)
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
        out = try value(.out, out)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        data = try c.decodeIfPresent(DataSettings.self, forKey: .data)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try encode(into: &container, place: true)
    }

    /// Writes every setting into `c`; `threads`, `out` and `name` only when `place`.
    func encode(into c: inout KeyedEncodingContainer<JSONKey>, place: Bool) throws {
        func put<T: Encodable>(_ key: Key, _ value: T?) throws { try c.encodeIfPresent(value, forKey: JSONKey(key.rawValue)) }
        if task != .classification { try put(.task, task) }
        try put(.model, model)
        try put(.mlp, mlp)
        try put(.cnn, cnn)
        try put(.epochs, epochs)
        try put(.batchSize, batchSize)
        try put(.lr, lr)
        try put(.weightDecay, weightDecay)
        try put(.loss, loss)
        try put(.labelSmoothing, labelSmoothing)
        if sampleWeighting != .none { try put(.sampleWeighting, sampleWeighting) }
        try put(.optimizer, optimizer)
        try put(.orthogonalGradients, orthogonalGradients)
        try put(.schedule, schedule)
        try put(.weightDecaySchedule, weightDecaySchedule)
        try put(.labelSmoothingSchedule, labelSmoothingSchedule)
        try put(.logEvery, logEvery)
        try put(.maxGradNorm, maxGradNorm)
        if gradientAccumulation != 1 { try put(.gradientAccumulation, gradientAccumulation) }
        if !parameterGroups.isEmpty { try put(.parameterGroups, parameterGroups) }
        try put(.activation, activation)
        try put(.augment, augment)
        try put(.testTimeFlip, testTimeFlip)
        try put(.seed, seed)
        try put(.earlyStoppingPatience, earlyStoppingPatience)
        try put(.restoreBestWeights, restoreBestWeights)
        try put(.data, data)
        if place {
            try put(.threads, threads)
            try put(.out, out)
            try put(.name, name)
        }
    }
}

extension TrainSettings.DataSettings: Codable {
    /// Decodes a `data` section: `path` and `label_column` required, the other keys optional with their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        self.init(path: try c.decode(String.self, forKey: .path), labelColumn: try c.decode(String.self, forKey: .labelColumn),
                  testFraction: try c.decodeIfPresent(Double.self, forKey: .testFraction) ?? 0.2,
                  testPath: try c.decodeIfPresent(String.self, forKey: .testPath),
                  validationFraction: try c.decodeIfPresent(Double.self, forKey: .validationFraction) ?? 0,
                  categorical: try c.decodeIfPresent(CategoricalColumns.self, forKey: .categorical) ?? .onehot,
                  missing: try c.decodeIfPresent(MissingValues.self, forKey: .missing) ?? .median)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(path, forKey: .path)
        try c.encode(labelColumn, forKey: .labelColumn)
        try c.encode(testFraction, forKey: .testFraction)
        try c.encodeIfPresent(testPath, forKey: .testPath)
        if validationFraction != 0 { try c.encode(validationFraction, forKey: .validationFraction) }
        if categorical != .onehot { try c.encode(categorical, forKey: .categorical) }
        if missing != .median { try c.encode(missing, forKey: .missing) }
    }
}
