import Foundation

/// One line of a run's metrics log: what was measured, when.
public struct LogRecord: Equatable {
    /// What the record describes: "step", "epoch", "test", …
    public var kind: String
    /// The global optimizer step the record belongs to.
    public var step: Int
    /// The epoch (1-based) the record belongs to.
    public var epoch: Int
    /// Named figures: loss, lr, accuracy, seconds, …
    public var values: [String: Double]

    public init(kind: String, step: Int, epoch: Int, values: [String: Double]) {
        self.kind = kind
        self.step = step
        self.epoch = epoch
        self.values = values
    }
}

/// A JSON Lines metrics log: one object per record, `{"kind":…,"step":…,"epoch":…,"loss":…}`.
///
/// Each line is written and flushed whole, so a killed run leaves a readable log.
public final class MetricsLog {
    public let path: String
    private let handle: FileHandle

    /// Opens the log at `path`, truncating it unless `append` (used when resuming).
    public init(path: String, append: Bool = false) throws {
        self.path = path
        let fm = FileManager.default
        try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let created = append && fm.fileExists(atPath: path) || fm.createFile(atPath: path, contents: nil)
        guard created, let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends one record.
    public func write(_ record: LogRecord) {
        handle.write(Data((Self.encode(record) + "\n").utf8))
    }

    /// The JSON text of a record (keys sorted; integers without a fraction).
    public static func encode(_ record: LogRecord) -> String {
        var object: [String: Any] = ["kind": record.kind, "step": record.step, "epoch": record.epoch]
        for (k, v) in record.values { object[k] = v.isFinite ? v : nil }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads every record of a log; lines that are not JSON objects are skipped only if they are blank.
    public static func read(_ path: String) throws -> [LogRecord] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        var records: [LogRecord] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw LogError(path: path, line: n + 1)
            }
            var values: [String: Double] = [:]
            for (k, v) in object where !["kind", "step", "epoch"].contains(k) {
                if let number = v as? NSNumber { values[k] = number.doubleValue }
            }
            records.append(LogRecord(kind: object["kind"] as? String ?? "step", step: (object["step"] as? NSNumber)?.intValue ?? 0,
                                     epoch: (object["epoch"] as? NSNumber)?.intValue ?? 0, values: values))
        }
        return records
    }
}

/// A metrics log line that is not a JSON object.
public struct LogError: Error, CustomStringConvertible {
    public let path: String
    public let line: Int
    public var description: String { "\(path): line \(line) is not a JSON object" }
}
