import CZlib
import Foundation
import Kiln

/// NumPy's `.npz` archives: a zip file of `.npy` members, stored or deflated.
///
/// The zip structure is checked before anything is inflated: the end record, the central
/// directory and every local header lie inside the file, each member's data lies before the
/// central directory, sizes agree (stored members) or are within deflate's 1032:1 ratio and
/// ``Gzip/defaultMaximumSize`` (deflated ones), names are non-empty UTF-8 without duplicates,
/// and each member's CRC-32 matches. Zip64 records are read; encryption and multi-disk archives are not.
public enum NPZ {
    /// The arrays of an `.npz` file by name (member names without `.npy`).
    public static func read(_ path: String) throws(DataError) -> [String: Tensor] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        return try decode(data, path: path)
    }

    /// Parses an `.npz` image by walking its central directory; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws(DataError) -> [String: Tensor] {
        var arrays: [String: Tensor] = [:]
        for member in try ZipDirectory(data, path: path).members {
            let key = member.name.hasSuffix(".npy") ? String(member.name.dropLast(4)) : member.name
            guard arrays[key] == nil else {
                throw DataError(path: path, reason: "member '\(member.name.snippet())': array '\(key.snippet())' appears twice")
            }
            let memberPath = "\(path)[\(member.name.snippet())]"
            let stored = data[(data.startIndex + member.dataStart)..<(data.startIndex + member.dataStart + member.compressedSize)]
            let bytes = member.deflated
                ? try Gzip.inflate(Data(stored), raw: true, maximumSize: member.size, path: memberPath)
                : Data(stored)
            guard bytes.count == member.size else {
                throw DataError(path: path, reason: "member '\(member.name.snippet())': \(bytes.count) bytes, directory says \(member.size)")
            }
            let crc = bytes.withUnsafeBytes { crc32_z(0, $0.bindMemory(to: Bytef.self).baseAddress, $0.count) }
            guard crc == member.crc else {
                throw DataError(path: path, reason: "member '\(member.name.snippet())': CRC-32 mismatch (data corrupt)")
            }
            do {
                arrays[key] = try NPY.decode(bytes, path: memberPath)
            } catch {
                throw DataError(path: error.path, reason: error.reason)
            }
        }
        return arrays
    }
}
