import Foundation

/// One line of a run's metrics log: what was measured, when.
public struct LogRecord: Equatable {
    /// What the record describes: "step", "epoch", "skipped", …
    public var kind: String
    /// The global optimizer step the record belongs to.
    public var step: Int
    /// The epoch (1-based) the record belongs to.
    public var epoch: Int
    /// Named figures: loss, lr, accuracy, seconds, …
    public var values: [String: Double]

    /// A record of `kind` (`step`, `epoch`, `skipped`, …) at `step` in `epoch`, holding `values`.
    public init(kind: String, step: Int, epoch: Int, values: [String: Double]) {
        self.kind = kind
        self.step = step
        self.epoch = epoch
        self.values = values
    }

    /// Whether the record was written before a run reached `progress`: epoch records by their
    /// epoch, the others by their step. A resumed run keeps these and recomputes the rest.
    public func precedes(_ progress: TrainingProgress) -> Bool {
        kind == "epoch" ? epoch <= progress.epoch : step < progress.step
    }
}

/// A JSON Lines metrics log: one object per record, `{"kind":…,"step":…,"epoch":…,"loss":…}`.
///
/// The log is only ever appended to. Each line goes to the file in one `write`, so a killed run
/// leaves at most a torn last line, which ``read(_:)`` skips and ``resume(_:at:)`` cuts off.
/// ``sync()`` (called before each checkpoint) makes the lines so far durable.
public final class MetricsLog {
    public let path: String
    private let descriptor: Int32

    /// Opens the log at `path`: a new empty log, or the existing one for appending when `append`.
    public init(path: String, append: Bool = false) throws(LogError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw LogError(path: path, reason: "cannot create its folder: \(POSIXFailure.describe(error))")
            }
        }
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | (append ? 0 : O_TRUNC), 0o644)
        guard descriptor >= 0 else { throw LogError(path: path, reason: "cannot be opened for writing: \(POSIXFailure.lastError())") }
    }

    deinit { close(descriptor) }

    /// Appends one record; a failed or short write (a full disk) is an error.
    public func write(_ record: LogRecord) throws(LogError) {
        let line = Array((Self.encode(record) + "\n").utf8)
        let written = line.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress!, $0.count) }
        guard written == line.count else {
            let reason = written < 0 ? POSIXFailure.lastError() : "only \(written) of \(line.count) bytes written"
            throw LogError(path: path, reason: "cannot append a record: \(reason)")
        }
    }

    /// Makes every record written so far durable.
    public func sync() throws(LogError) {
        guard fsync(descriptor) == 0 else { throw LogError(path: path, reason: "cannot be synced to disk: \(POSIXFailure.lastError())") }
    }

    /// The JSON text of a record (keys sorted; integers without a fraction; non-finite values left out).
    public static func encode(_ record: LogRecord) -> String {
        var object: [String: Any] = ["kind": record.kind, "step": record.step, "epoch": record.epoch]
        for (k, v) in record.values where v.isFinite { object[k] = v }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])   // strings and finite numbers only
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads every record of a log. Blank lines are skipped, and so is a last line cut short
    /// by a killed write; any other line that is not a JSON object is an error.
    public static func read(_ path: String) throws(LogError) -> [LogRecord] {
        try lines(path).map(\.record)
    }

    /// Opens the log of a run resumed at `progress`: keeps the records written before it
    /// (``LogRecord/precedes(_:)``), cuts the file after the last of them (dropping the records a
    /// killed run wrote after its checkpoint, and a torn last line), and appends from there.
    public static func resume(_ path: String, at progress: TrainingProgress) throws(LogError) -> (log: MetricsLog, records: [LogRecord]) {
        let kept = try lines(path).prefix { $0.terminated && $0.record.precedes(progress) }
        guard truncate(path, off_t(kept.last?.end ?? 0)) == 0 else {
            throw LogError(path: path, reason: "cannot cut off the records after the checkpoint: \(POSIXFailure.lastError())")
        }
        return (try MetricsLog(path: path, append: true), kept.map(\.record))
    }

    /// The records of a log with the byte offset just past each, and whether its line ends in a newline.
    private static func lines(_ path: String) throws(LogError) -> [(record: LogRecord, end: Int, terminated: Bool)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LogError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        var result: [(record: LogRecord, end: Int, terminated: Bool)] = []
        var start = data.startIndex, number = 0
        while start < data.endIndex {
            number += 1
            let newline = data[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline.map { $0 + 1 } ?? data.endIndex
            defer { start = end }
            let line = data[start..<(newline ?? data.endIndex)]
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) { continue }
            guard let record = decode(line) else {
                if newline == nil { break }   // torn by a killed write
                throw LogError(path: path, line: number, reason: "is not a JSON object")
            }
            result.append((record, end - data.startIndex, newline != nil))
        }
        return result
    }

    private static func decode(_ line: Data) -> LogRecord? {
        guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else { return nil }
        var values: [String: Double] = [:]
        for (k, v) in object where !["kind", "step", "epoch"].contains(k) {
            if let number = v as? NSNumber { values[k] = number.doubleValue }
        }
        return LogRecord(kind: object["kind"] as? String ?? "step", step: (object["step"] as? NSNumber)?.intValue ?? 0,
                         epoch: (object["epoch"] as? NSNumber)?.intValue ?? 0, values: values)
    }
}

/// The error of a run's metrics log.
public typealias LogError = InputError
