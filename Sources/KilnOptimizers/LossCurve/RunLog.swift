import Foundation

/// A training run's log read from JSON Lines: one JSON object per line, such as
/// `{"step": 120, "lr": 0.001, "loss": 3.21}`.
///
/// Lines whose `"kind"` is other than `"step"` (a trainer's epoch or test summaries) are skipped.
/// Lines with a `"loss"` must also carry a non-negative integer `"step"` and a numeric `"lr"`.
/// Lines without a loss add no observation, but their numeric fields (a learning rate, a gradient
/// norm) are kept when they carry a step. Blank lines are skipped; when a step appears twice, the
/// later line wins, as after a resumed run.
public struct RunLog: Sendable {
    /// The numeric fields logged at one step.
    public struct Record: Sendable, Equatable {
        /// The 0-based training step.
        public let step: Int
        /// Every numeric field of the line, `step` included.
        public let fields: [String: Double]
    }

    /// One record per logged step, in step order.
    public let records: [Record]

    /// Parses JSON Lines `text`; `file` names the source in errors.
    public init(jsonLines text: String, file: String) throws(RunLogError) {
        var byStep: [Int: Record] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { !$0.isWhitespace }) else { continue }
            let problem = { (message: String) in RunLogError(file: file, line: index + 1, message: message) }
            let fields: [String: JSONField]
            do {
                fields = try JSONDecoder().decode([String: JSONField].self, from: Data(line.utf8))
            } catch DecodingError.typeMismatch {
                throw problem("expected a JSON object")
            } catch {
                throw problem("not valid JSON")
            }
            // Kiln's metrics logs mark per-step lines `"kind": "step"`; epoch and test summaries are not steps.
            if case .string(let kind)? = fields["kind"], kind != "step" { continue }
            let numbers = fields.compactMapValues(\.number)
            let hasLoss = fields["loss"].map { $0 != .null } ?? false
            if hasLoss {
                for key in ["loss", "lr", "step"] where numbers[key] == nil {
                    throw problem(fields[key] == nil ? "'\(key)' is missing" : "'\(key)' is not a number")
                }
            }
            guard let stepValue = numbers["step"] else { continue }
            guard let step = Int(exactly: stepValue), step >= 0 else {
                if hasLoss { throw problem("'step' \(stepValue) is not a non-negative integer") }
                continue
            }
            byStep[step] = Record(step: step, fields: numbers)
        }
        records = byStep.values.sorted { $0.step < $1.step }
    }

    /// Reads the JSON Lines file at `path`.
    public init(contentsOf path: String) throws(RunLogError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RunLogError(file: path, line: nil, message: "cannot be read as UTF-8 text")
        }
        try self.init(jsonLines: text, file: path)
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

/// A run log that cannot be read, naming the file and, where it applies, the 1-based line.
public struct RunLogError: Error, Equatable, CustomStringConvertible {
    /// The file (or source name) being read.
    public let file: String
    /// The 1-based line number, when the problem is on one line.
    public let line: Int?
    /// What is wrong.
    public let message: String

    /// The error `message` about `file`, at 1-based `line` when there is one.
    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}

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
        } else if let value = try? container.decode(Double.self), value.isFinite {
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
