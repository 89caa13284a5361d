import Foundation
import KilnOptimizers

extension LogRecord {
    /// Whether the record was written before a run reached `progress`: epoch records by their
    /// epoch, the others by their step. A resumed run keeps these and recomputes the rest.
    public func precedes(_ progress: TrainingProgress) -> Bool {
        kind == "epoch" ? epoch <= progress.epoch : step < progress.step
    }
}

/// A JSON Lines metrics log: one object per record, `{"kind":…,"step":…,"epoch":…,"loss":…}`.
///
/// The log is only ever appended to. Each line goes to the file in one `write`, so a killed run
/// leaves at most a torn last line, which ``RunLog`` (the log's reader) skips and ``resume(_:at:)`` cuts off.
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

    /// Opens the log of a run resumed at `progress`: keeps the records written before it
    /// (``LogRecord/precedes(_:)``), cuts the file after the last of them (dropping the records a
    /// killed run wrote after its checkpoint, and a torn last line), and appends from there.
    public static func resume(_ path: String, at progress: TrainingProgress) throws(LogError) -> (log: MetricsLog, records: [LogRecord]) {
        let kept = try kept(path, at: progress)
        guard truncate(path, off_t(kept.last?.end ?? 0)) == 0 else {
            throw LogError(path: path, reason: "cannot cut off the records after the checkpoint: \(POSIXFailure.lastError())")
        }
        return (try MetricsLog(path: path, append: true), kept.map(\.record))
    }

    /// The records of the log at `path` that ``resume(_:at:)`` keeps, read without changing the
    /// file (for the processes of a data-parallel run that do not write the log).
    public static func records(_ path: String, at progress: TrainingProgress) throws(LogError) -> [LogRecord] {
        try kept(path, at: progress).map(\.record)
    }

    /// The complete lines of the log at `path` before `progress`.
    private static func kept(_ path: String, at progress: TrainingProgress) throws(LogError) -> ArraySlice<RunLog.Line> {
        try RunLog.lines(of: RunLog.contents(of: path), file: path).prefix { $0.isTerminated && $0.record.precedes(progress) }
    }
}

/// The error of a run's metrics log.
public typealias LogError = InputError
