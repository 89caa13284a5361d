import Foundation
import Kiln

/// NumPy's `.npz` archives: a zip file of `.npy` members, stored or deflated.
public enum NPZ {
    /// The arrays of an `.npz` file by name (member names without `.npy`).
    public static func read(_ path: String) throws(DataError) -> [String: Tensor] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        return try decode(data, path: path)
    }

    /// Parses an `.npz` image by walking its central directory.
    public static func decode(_ data: Data, path: String) throws(DataError) -> [String: Tensor] {
        let bytes = [UInt8](data)
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        guard bytes.count >= 22,
              let end = stride(from: bytes.count - 22, through: max(0, bytes.count - 65_557), by: -1)
                .first(where: { u32($0) == 0x0605_4B50 }) else {
            throw DataError(path: path, reason: "not a zip archive (no end of central directory; truncated?)")
        }
        let entries = u16(end + 10)
        var cursor = u32(end + 16)
        var arrays: [String: Tensor] = [:]
        for _ in 0..<entries {
            guard cursor + 46 <= bytes.count, u32(cursor) == 0x0201_4B50 else {
                throw DataError(path: path, reason: "corrupt central directory at byte \(cursor)")
            }
            let method = u16(cursor + 10), compressedSize = u32(cursor + 20), size = u32(cursor + 24)
            let nameLength = u16(cursor + 28), extraLength = u16(cursor + 30), commentLength = u16(cursor + 32)
            let local = u32(cursor + 42)
            let name = String(decoding: bytes[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self)
            cursor += 46 + nameLength + extraLength + commentLength
            guard local + 30 <= bytes.count, u32(local) == 0x0403_4B50 else {
                throw DataError(path: path, reason: "member '\(name)': bad local header at byte \(local)")
            }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            guard start + compressedSize <= bytes.count else {
                throw DataError(path: path, reason: "member '\(name)': data at byte \(start) runs past the end (truncated)")
            }
            let stored = Data(bytes[start..<(start + compressedSize)])
            let member: Data
            switch method {
            case 0: member = stored
            case 8: member = try Gzip.inflate(stored, raw: true, path: "\(path)[\(name)]")
            default: throw DataError(path: path, reason: "member '\(name)': unsupported compression method \(method)")
            }
            guard member.count == size else {
                throw DataError(path: path, reason: "member '\(name)': \(member.count) bytes, directory says \(size)")
            }
            do {
                arrays[name.hasSuffix(".npy") ? String(name.dropLast(4)) : name] = try NPY.decode(member, path: "\(path)[\(name)]")
            } catch {
                throw DataError(path: error.path, reason: error.reason)
            }
        }
        return arrays
    }
}
