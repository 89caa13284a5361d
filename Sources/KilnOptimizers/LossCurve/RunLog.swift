import Foundation

/// A training run's log read from JSON Lines: one JSON object per line, such as
/// `{"step": 120, "lr": 0.001, "loss": 3.21}`. The one reader of run logs: `kiln predict-loss`,
/// the `refined:file=` schedule, and a resumed Kiln run (through ``lines(of:file:)``) all use it.
///
/// A line's `"kind"` says what it records (`"step"` when absent, as in logs of other tools);
/// lines without a `"step"` and blank lines are skipped. A `"step"` is an integer from 0 to
/// ``maximumStep``, and an `"epoch"` a non-negative integer. Step records (kind `"step"`) come in
/// rising step order; those with a `"loss"` must also carry a numeric `"lr"`, and a loss or rate
/// that is given must be finite. Step records without a loss add no observation, but their
/// numeric fields (a learning rate, a gradient norm) are kept.
///
/// A last line without its line break that is not valid JSON is a write cut short by a killed
/// run, and is skipped; anywhere else such a line is an error naming it.
public struct RunLog: Sendable {
    /// One record of a log with where its line ends in the file.
    public struct Line: Sendable, Equatable {
        /// The record the line holds.
        public let record: LogRecord
        /// The byte offset just past the line (past its line break, when it has one).
        public let end: Int
        /// Whether the line ends in a line break (a write that finished).
        public let isTerminated: Bool
    }

    /// The largest step a log may hold (the learning rates are kept for every step up to it).
    public static let maximumStep = 10_000_000
    /// The longest line read, in bytes.
    public static let maximumLineBytes = 1 << 16
    /// The largest log read, in bytes.
    public static let maximumBytes = 1 << 30

    /// Every record of the log, in file order: step records and the others (epoch summaries, …).
    public let records: [LogRecord]

    /// Parses JSON Lines `text`, which must hold at least one step record; `file` names the source in errors.
    public init(jsonLines text: String, file: String) throws(RunLogError) {
        try self.init(jsonLines: Data(text.utf8), file: file)
    }

    /// Parses JSON Lines `data`, which must be UTF-8 and hold at least one step record; `file`
    /// names the source in errors.
    public init(jsonLines data: Data, file: String) throws(RunLogError) {
        records = try Self.lines(of: data, file: file).map(\.record)
        guard records.contains(where: { $0.kind == "step" }) else {
            throw RunLogError(path: file, line: nil, reason: "has no step records")
        }
    }

    /// Reads the JSON Lines file at `path`, which must hold at least one step record.
    public init(contentsOf path: String) throws(RunLogError) {
        try self.init(jsonLines: Self.contents(of: path), file: path)
    }

    /// The bytes of the log file at `path`: an error unless it is a readable file of at most ``maximumBytes``.
    public static func contents(of path: String) throws(RunLogError) -> Data {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw RunLogError(path: path, line: nil, reason: "no such file")
        }
        guard !isFolder.boolValue else { throw RunLogError(path: path, line: nil, reason: "is a folder, not a log") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RunLogError(path: path, line: nil, reason: "cannot be opened") }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maximumBytes + 1) ?? Data() else {
            throw RunLogError(path: path, line: nil, reason: "cannot be read")
        }
        guard data.count <= maximumBytes else {
            throw RunLogError(path: path, line: nil, reason: "is larger than \(maximumBytes >> 30) GiB")
        }
        return data
    }

    /// Every record of JSON Lines `data` (UTF-8) with where its line ends, checked as the type
    /// describes; an empty log is no error here. `file` names the source in errors.
    public static func lines(of data: Data, file: String) throws(RunLogError) -> [Line] {
        guard String(data: data, encoding: .utf8) != nil else {
            throw RunLogError(path: file, line: nil, reason: "cannot be read as UTF-8 text")
        }
        var result: [Line] = []
        var lastStep: Int?
        var start = data.startIndex, number = 0
        while start < data.endIndex {
            number += 1
            let newline = data[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline.map { $0 + 1 } ?? data.endIndex
            defer { start = end }
            let problem = { (message: String) in RunLogError(path: file, line: number, reason: message) }
            let text = data[start..<(newline ?? data.endIndex)]
            guard text.count <= maximumLineBytes else { throw problem("line is longer than \(maximumLineBytes) bytes") }
            guard let record = try record(in: text, isLast: newline == nil, problem: problem) else { continue }
            if record.kind == "step" {
                if let lastStep, record.step <= lastStep {
                    throw problem("'step' \(record.step) does not come after step \(lastStep)")
                }
                lastStep = record.step
            }
            result.append(Line(record: record, end: end - data.startIndex, isTerminated: newline != nil))
        }
        return result
    }

    /// The record of one line, or nil for a line that holds none (blank, without a step, or a
    /// torn last line).
    private static func record(in line: Data, isLast: Bool, problem: (String) -> RunLogError) throws(RunLogError) -> LogRecord? {
        guard line.contains(where: { ![0x20, 0x09, 0x0D, 0x0B, 0x0C].contains($0) }) else { return nil }
        let fields: [String: JSONField]
        do {
            fields = try JSONDecoder().decode([String: JSONField].self, from: line)
        } catch DecodingError.typeMismatch {
            throw problem("expected a JSON object")
        } catch {
            if isLast { return nil }   // a torn last line, without its line break
            throw problem("not valid JSON")
        }
        let kind = fields["kind"]?.string ?? "step"
        if kind == "step" {
            let hasLoss = fields["loss"].map { $0 != .null } ?? false
            for key in ["loss", "lr", "step"] {
                switch fields[key] {
                case .number(let value)?: if !value.isFinite { throw problem("'\(key)' is not finite") }
                case nil: if hasLoss { throw problem("'\(key)' is missing") }
                case .null? where key == "loss": break
                case _?: throw problem("'\(key)' is not a number")
                }
            }
        }
        guard let stepField = fields["step"] else { return nil }
        guard case .number(let stepValue) = stepField, let step = Int(exactly: stepValue), (0...maximumStep).contains(step) else {
            throw problem("'step' \(stepField) is not an integer from 0 to \(maximumStep)")
        }
        var epoch = 0
        if let epochField = fields["epoch"] {
            guard case .number(let value) = epochField, let whole = Int(exactly: value), whole >= 0 else {
                throw problem("'epoch' \(epochField) is not a non-negative integer")
            }
            epoch = whole
        }
        let values = fields.filter { !LogRecord.placeKeys.contains($0.key) }.compactMapValues(\.number)
        return LogRecord(kind: kind, step: step, epoch: epoch, values: values)
    }

    /// The records of kind `step`, in step order.
    public var steps: [LogRecord] { records.filter { $0.kind == "step" } }

    /// The logged losses with their steps, in step order.
    public var lossObservations: [LossObservation] {
        steps.compactMap { record in
            record.values["loss"].map { LossObservation(step: record.step, loss: $0) }
        }
    }

    /// The learning rate at every step from 0 to the last step that logs one; steps between two
    /// logged rates are interpolated linearly, steps before the first take the first rate.
    public var learningRates: [Double] {
        let logged = steps.compactMap { r in r.values["lr"].map { (step: r.step, lr: $0) } }
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

    /// The values of field `key` in step order, over the step records that log it.
    public func series(_ key: String) -> [Double] {
        steps.compactMap { $0.values[key] }
    }

    /// The value of field `key` at every step from 0 to the last step record that logs it: a
    /// record that sums up several steps (Kiln logs the mean of every `logEvery` steps) stands
    /// for each step since the previous such record.
    public func perStep(_ key: String) -> [Double] {
        let logged = steps.compactMap { r in r.values[key].map { (step: r.step, value: $0) } }
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
private enum JSONField: Decodable, Equatable, CustomStringConvertible {
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

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as an error names it: a number as Swift prints it, anything else by its JSON type.
    var description: String {
        switch self {
        case .number(let value): "\(value)"
        case .string: "(a string)"
        case .null: "null"
        case .other: "(not a number)"
        }
    }
}
