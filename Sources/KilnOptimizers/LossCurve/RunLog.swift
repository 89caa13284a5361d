import Foundation

/// A training run's log read from JSON Lines: one JSON object per line, such as
/// `{"step": 120, "lr": 0.001, "loss": 3.21}`.
///
/// Lines whose `"kind"` is other than `"step"` (a trainer's epoch or test summaries) are skipped,
/// and so are blank lines and lines without a `"step"`. A `"step"` is an integer from 0 to
/// ``maximumStep``, larger than the step before it. Lines with a `"loss"` must also carry a
/// numeric `"lr"`; a loss or rate that is given must be finite. Lines without a loss add no
/// observation, but their numeric fields (a learning rate, a gradient norm) are kept.
///
/// A last line without its line break that is not valid JSON is a write cut short by a killed
/// run, and is skipped; anywhere else such a line is an error naming it.
public struct RunLog: Sendable {
    /// The numeric fields logged at one step.
    public struct Record: Sendable, Equatable {
        /// The 0-based training step.
        public let step: Int
        /// Every finite numeric field of the line, `step` included.
        public let fields: [String: Double]
    }

    /// The largest step a log may hold (the learning rates are kept for every step up to it).
    public static let maximumStep = 10_000_000
    /// The longest line read, in bytes.
    public static let maximumLineBytes = 1 << 16
    /// The largest log read, in bytes.
    public static let maximumBytes = 1 << 30

    /// One record per logged step, in step order.
    public let records: [Record]

    /// Parses JSON Lines `text`; `file` names the source in errors.
    public init(jsonLines text: String, file: String) throws(RunLogError) {
        var records: [Record] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let problem = { (message: String) in RunLogError(path: file, line: index + 1, reason: message) }
            guard line.utf8.count <= Self.maximumLineBytes else {
                throw problem("line is longer than \(Self.maximumLineBytes) bytes")
            }
            guard line.contains(where: { !$0.isWhitespace }) else { continue }
            let fields: [String: JSONField]
            do {
                fields = try JSONDecoder().decode([String: JSONField].self, from: Data(line.utf8))
            } catch DecodingError.typeMismatch {
                throw problem("expected a JSON object")
            } catch {
                if index == lines.count - 1 { continue }   // a torn last line, without its line break
                throw problem("not valid JSON")
            }
            // Kiln's metrics logs mark per-step lines `"kind": "step"`; epoch and test summaries are not steps.
            if case .string(let kind)? = fields["kind"], kind != "step" { continue }
            let hasLoss = fields["loss"].map { $0 != .null } ?? false
            for key in ["loss", "lr", "step"] {
                switch fields[key] {
                case .number(let value)?: if !value.isFinite { throw problem("'\(key)' is not finite") }
                case nil: if hasLoss { throw problem("'\(key)' is missing") }
                case .null? where key == "loss": break
                case _?: throw problem("'\(key)' is not a number")
                }
            }
            guard case .number(let stepValue)? = fields["step"] else { continue }
            guard let step = Int(exactly: stepValue), (0...Self.maximumStep).contains(step) else {
                throw problem("'step' \(stepValue) is not an integer from 0 to \(Self.maximumStep)")
            }
            if let previous = records.last, step <= previous.step {
                throw problem("'step' \(step) does not come after step \(previous.step)")
            }
            records.append(Record(step: step, fields: fields.compactMapValues { $0.number.flatMap { $0.isFinite ? $0 : nil } }))
        }
        guard !records.isEmpty else { throw RunLogError(path: file, line: nil, reason: "has no step records") }
        self.records = records
    }

    /// Parses JSON Lines `data`, which must be UTF-8; `file` names the source in errors.
    public init(jsonLines data: Data, file: String) throws(RunLogError) {
        guard let text = String(data: data, encoding: .utf8) else {
            throw RunLogError(path: file, line: nil, reason: "cannot be read as UTF-8 text")
        }
        try self.init(jsonLines: text, file: file)
    }

    /// Reads the JSON Lines file at `path`.
    public init(contentsOf path: String) throws(RunLogError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw RunLogError(path: path, line: nil, reason: "no such file")
        }
        guard !isFolder.boolValue else { throw RunLogError(path: path, line: nil, reason: "is a folder, not a log") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RunLogError(path: path, line: nil, reason: "cannot be opened") }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: Self.maximumBytes + 1) ?? Data() else {
            throw RunLogError(path: path, line: nil, reason: "cannot be read")
        }
        guard data.count <= Self.maximumBytes else {
            throw RunLogError(path: path, line: nil, reason: "is larger than \(Self.maximumBytes >> 30) GiB")
        }
        try self.init(jsonLines: data, file: path)
    }

    /// The logged losses with their steps, in step order.
    public var lossObservations: [LossObservation] {
        records.compactMap { record in
            record.fields["loss"].map { LossObservation(step: record.step, loss: $0) }
        }
    }

    /// The learning rate at every step from 0 to the last step that logs one; steps between two
    /// logged rates are interpolated linearly, steps before the first take the first rate.
    public var learningRates: [Double] {
        let logged = records.compactMap { r in r.fields["lr"].map { (step: r.step, lr: $0) } }
        guard let first = logged.first, let last = logged.last else { return [] }
        var rates = [Double](repeating: first.lr, count: last.step + 1)
        for (a, b) in zip(logged, logged.dropFirst()) {
            for step in a.step..<b.step {
                rates[step] = a.lr + (b.lr - a.lr) * Double(step - a.step) / Double(b.step - a.step)
            }
        }
        rates[last.step] = last.lr
        return rates
    }

    /// The values of field `key` in step order, over the records that log it.
    public func series(_ key: String) -> [Double] {
        records.compactMap { $0.fields[key] }
    }

    /// The value of field `key` at every step from 0 to the last record that logs it: a record
    /// that sums up several steps (Kiln logs the mean of every `logEvery` steps) stands for each
    /// step since the previous such record.
    public func perStep(_ key: String) -> [Double] {
        let logged = records.compactMap { r in r.fields[key].map { (step: r.step, value: $0) } }
        guard let last = logged.last else { return [] }
        var values = [Double](repeating: 0, count: last.step + 1)
        var start = 0
        for (step, value) in logged {
            for s in start...step { values[s] = value }
            start = step + 1
        }
        return values
    }
}

/// A loss logged at a training step.
public struct LossObservation: Sendable, Equatable {
    /// The 0-based training step.
    public let step: Int
    /// The loss at that step.
    public let loss: Double

    /// The loss `loss` observed at `step`.
    public init(step: Int, loss: Double) {
        self.step = step
        self.loss = loss
    }
}

/// The error of a JSON Lines run log.
public typealias RunLogError = InputError

/// One value of a JSON object: a number, a string, null, or anything else.
private enum JSONField: Decodable, Equatable {
    case number(Double)
    case string(String)
    case null
    case other

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if (try? container.decode(Bool.self)) != nil {
            self = .other
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .other
        }
    }

    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}
