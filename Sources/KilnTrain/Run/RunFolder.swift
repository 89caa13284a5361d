import Foundation
import Kiln

/// The folder of one training run, `<out>/<name>/`, holding its checkpoint, metrics log and report.
///
/// A new run never reuses a folder: ``create()`` fails when the folder exists, so an earlier
/// run is left byte for byte as it was. A resumed run checks its folder with
/// ``checkResumable()`` and clears the temporary files of writes killed half-way with
/// ``removeTemporaryFiles()``.
public struct RunFolder: Equatable, Sendable {
    /// The longest run name accepted, in bytes of UTF-8.
    public static let maximumNameLength = 128

    /// The run's name: one path component inside the output folder.
    public let name: String
    /// The run folder.
    public let path: String

    public var checkpoint: String { file("checkpoint.safetensors") }
    public var log: String { file("metrics.jsonl") }
    public var report: String { file("report.html") }

    /// The folder `name` inside `out`, after checking that `name` stays inside it.
    public init(out: String, name: String) throws(RunError) {
        try Self.check(name: name)
        self.name = name
        path = (out as NSString).appendingPathComponent(name)
    }

    /// The folder that holds the checkpoint at `checkpoint`, whatever its name (a run restored for evaluation).
    init(holding checkpoint: String) {
        let folder = (checkpoint as NSString).deletingLastPathComponent
        path = folder.isEmpty ? "." : folder
        name = (path as NSString).lastPathComponent
    }

    /// Accepts a name that is one ordinary path component: not empty, at most
    /// ``maximumNameLength`` bytes, without `/`, `..`, control characters or a leading `.`.
    public static func check(name: String) throws(RunError) {
        let problem: String? =
            name.isEmpty ? "is empty"
            : name.utf8.count > maximumNameLength ? "is longer than \(maximumNameLength) bytes"
            : name.contains("/") ? "contains '/'"
            : name.contains("..") ? "contains '..'"
            : name.hasPrefix(".") ? "starts with '.'"
            : name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) ? "contains a control character"
            : nil
        if let problem { throw RunError("run name '\(name.snippet(40))' \(problem); a name is one folder inside the output folder") }
    }

    /// Whether the folder (or any file of that name) exists.
    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Fails when the folder exists: a new run must not touch an earlier one.
    public func checkAbsent() throws(RunError) {
        if exists { throw RunError("run folder \(path) already exists; pass --resume to continue that run, or choose another --name") }
    }

    /// Creates the folder of a new run; fails, touching nothing, when it exists.
    public func create() throws(RunError) {
        let out = (path as NSString).deletingLastPathComponent
        if let problem = Self.makeFolders(out) { throw RunError("cannot create the output folder \(out): \(problem)") }
        guard mkdir(path, 0o755) == 0 else {
            if errno == EEXIST { try checkAbsent() }
            throw RunError("cannot create the run folder \(path): \(POSIXFailure.lastError())")
        }
    }

    /// Fails unless the folder holds a checkpoint to resume from.
    public func checkResumable() throws(RunError) {
        guard exists else { throw RunError("no run folder \(path) to resume; start the run without --resume") }
        guard FileManager.default.fileExists(atPath: checkpoint) else {
            throw RunError("\(path) holds no checkpoint.safetensors to resume from (the run stopped before its first "
                           + "checkpoint; remove the folder to start it again)")
        }
    }

    /// Removes the files `.<file>.<pid>.tmp` that an interrupted ``AtomicFile`` write leaves;
    /// returns their names.
    @discardableResult
    public func removeTemporaryFiles() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let stale = entries.filter(Self.isTemporaryFile).sorted()
        for entry in stale { unlink(file(entry)) }
        return stale
    }

    /// Whether `entry` is named as AtomicFile names its temporary files: `.<file>.<digits>.tmp`.
    static func isTemporaryFile(_ entry: String) -> Bool {
        guard entry.hasPrefix("."), entry.hasSuffix(".tmp") else { return false }
        let parts = entry.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 2 && !parts.last!.isEmpty && parts.last!.allSatisfy(\.isASCIIDigit) && !parts.dropLast().joined().isEmpty
    }

    /// Creates the folder `path` and any missing parents; the reason when one cannot be made.
    private static func makeFolders(_ path: String) -> String? {
        var folder = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            folder += (folder.isEmpty || folder.hasSuffix("/") ? "" : "/") + component
            if mkdir(folder, 0o755) != 0 && errno != EEXIST { return POSIXFailure.lastError() }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                return "\(folder) is not a folder"
            }
        }
        return nil
    }

    private func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
