import Foundation

/// Writes files so that a crash at any moment leaves either the old file or the new one.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `path`, flushes it, then renames it into place.
    public static func write(_ data: Data, to path: String) throws(TensorFileError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw TensorFileError(path: path, reason: "cannot create \(temporary.lastPathComponent): \(String(cString: strerror(errno)))") }
            let written = data.withUnsafeBytes { raw -> Bool in
                var offset = 0
                while offset < raw.count {
                    let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { return false }
                    offset += n
                }
                return true
            }
            let synced = fsync(fd) == 0
            close(fd)
            guard written && synced else {
                unlink(temporary.path)
                throw TensorFileError(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
            }
            guard rename(temporary.path, path) == 0 else {
                unlink(temporary.path)
                throw TensorFileError(path: path, reason: "cannot rename into place: \(String(cString: strerror(errno)))")
            }
        } catch let error as TensorFileError {
            throw error
        } catch {
            throw TensorFileError(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// The contents of the file at `path`, or an error naming it.
    public static func read(_ path: String) throws(TensorFileError) -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw TensorFileError(path: path, reason: "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw TensorFileError(path: path, reason: "cannot be read") }
        return data
    }
}
