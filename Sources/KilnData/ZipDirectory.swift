import Foundation
import Kiln

/// The members a zip file's central directory lists, each checked against the file.
struct ZipDirectory {
    /// One member: where its data lies and how it is stored.
    struct Member {
        var name: String
        var deflated: Bool
        var crc: UInt
        var compressedSize: Int
        var size: Int
        /// The file offset of the member's (possibly compressed) data.
        var dataStart: Int
    }

    /// The compression ratio deflate cannot exceed (258 bytes per 2-bit code, plus slack).
    static let maximumDeflateRatio = 1032

    private(set) var members: [Member] = []

    init(_ data: Data, path: String) throws(DataError) {
        members = try data.withUnsafeBytes { raw in
            Result { () throws(DataError) in try Self.members(of: Reader(bytes: raw, path: path)) }
        }.get()
    }

    /// Little-endian fields at file offsets the caller has checked.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        let path: String

        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }

        /// Whether `length` bytes from `start` lie within `limit` (the file's end unless given).
        func contains(_ start: Int, _ length: Int, before limit: Int? = nil) -> Bool {
            let (end, overflow) = start.addingReportingOverflow(length)
            return start >= 0 && length >= 0 && !overflow && end <= (limit ?? bytes.count)
        }

        func fail(_ reason: String) -> DataError { DataError(path: path, reason: reason) }

        /// A 64-bit size or offset as an `Int`, refused past `Int.max`.
        func int(_ value: UInt64, _ what: String, at offset: Int) throws(DataError) -> Int {
            guard let n = Int(exactly: value) else { throw fail("\(what) \(value) at byte \(offset) is out of range") }
            return n
        }
    }

    private static func members(of r: Reader) throws(DataError) -> [Member] {
        var (count, directoryStart, directorySize, end) = try endRecord(r)
        if count == 0xFFFF || directoryStart == 0xFFFF_FFFF || directorySize == 0xFFFF_FFFF {
            (count, directoryStart, directorySize) = try zip64EndRecord(r, before: end)
        }
        guard r.contains(directoryStart, directorySize, before: end) else {
            throw r.fail("central directory at byte \(directoryStart) (\(directorySize) bytes) runs past the end record at byte \(end) (truncated?)")
        }
        let directoryEnd = directoryStart + directorySize
        guard count <= directorySize / 46 else {
            throw r.fail("end record at byte \(end) claims \(count) members; the central directory holds at most \(directorySize / 46)")
        }
        var members: [Member] = []
        var names: Set<String> = []
        var cursor = directoryStart
        for _ in 0..<count {
            guard r.contains(cursor, 46, before: directoryEnd), r.u32(cursor) == 0x0201_4B50 else {
                throw r.fail("corrupt central directory entry at byte \(cursor)")
            }
            let flags = r.u16(cursor + 8), method = r.u16(cursor + 10), crc = UInt(r.u32(cursor + 16))
            var compressedSize = r.u32(cursor + 20), size = r.u32(cursor + 24), local = r.u32(cursor + 42)
            let nameLength = r.u16(cursor + 28), extraLength = r.u16(cursor + 30), commentLength = r.u16(cursor + 32)
            guard r.contains(cursor + 46, nameLength + extraLength + commentLength, before: directoryEnd) else {
                throw r.fail("central directory entry at byte \(cursor) runs past the directory's end")
            }
            guard nameLength > 0, let name = UTF8Text.validString(r.bytes[(cursor + 46)..<(cursor + 46 + nameLength)]),
                  !name.contains("\0") else {
                throw r.fail("member name at byte \(cursor + 46) is empty or not UTF-8")
            }
            guard names.insert(name).inserted else { throw r.fail("member '\(name.snippet())' appears twice (again at byte \(cursor))") }
            func fail(_ reason: String) -> DataError { r.fail("member '\(name.snippet())': \(reason)") }
            guard flags & 1 == 0 else { throw fail("encrypted members are not supported") }
            guard method == 0 || method == 8 else { throw fail("unsupported compression method \(method)") }
            if size == 0xFFFF_FFFF || compressedSize == 0xFFFF_FFFF || local == 0xFFFF_FFFF {
                var field = try zip64Field(r, extra: cursor + 46 + nameLength, length: extraLength, name: name)
                if size == 0xFFFF_FFFF { size = try field.next("size") }
                if compressedSize == 0xFFFF_FFFF { compressedSize = try field.next("compressed size") }
                if local == 0xFFFF_FFFF { local = try field.next("local header offset") }
            }
            cursor += 46 + nameLength + extraLength + commentLength

            guard r.contains(local, 30, before: directoryStart), r.u32(local) == 0x0403_4B50 else {
                throw fail("bad local header at byte \(local)")
            }
            let localNameLength = r.u16(local + 26)
            guard r.contains(local + 30, localNameLength + r.u16(local + 28), before: directoryStart),
                  r.bytes[(local + 30)..<(local + 30 + localNameLength)].elementsEqual(name.utf8) else {
                throw fail("local header at byte \(local) does not match the central directory")
            }
            let dataStart = local + 30 + localNameLength + r.u16(local + 28)
            guard r.contains(dataStart, compressedSize, before: directoryStart) else {
                throw fail("\(compressedSize) bytes of data at byte \(dataStart) run past the central directory (truncated?)")
            }
            if method == 0, compressedSize != size {
                throw fail("stored with \(compressedSize) bytes but declares \(size)")
            }
            if method == 8, size > Gzip.defaultMaximumSize || size / maximumDeflateRatio > compressedSize {
                throw fail("declares \(size) bytes inflated from \(compressedSize), beyond deflate's ratio or the \(Gzip.defaultMaximumSize)-byte limit")
            }
            members.append(Member(name: name, deflated: method == 8, crc: crc,
                                  compressedSize: compressedSize, size: size, dataStart: dataStart))
        }
        return members
    }

    /// The member count, central directory offset and size from the end-of-central-directory
    /// record, and where that record starts; it lies in the last 22 + 65,535 bytes.
    private static func endRecord(_ r: Reader) throws(DataError) -> (count: Int, start: Int, size: Int, end: Int) {
        let last = r.bytes.count - 22
        guard last >= 0,
              let end = stride(from: last, through: max(0, last - 65_535), by: -1)
                .first(where: { r.u32($0) == 0x0605_4B50 && $0 + 22 + r.u16($0 + 20) == r.bytes.count }) else {
            throw r.fail("not a zip archive (no end of central directory record; truncated?)")
        }
        guard r.u16(end + 4) == 0, r.u16(end + 6) == 0, r.u16(end + 8) == r.u16(end + 10) else {
            throw r.fail("multi-disk zip archives are not supported (end record at byte \(end))")
        }
        return (r.u16(end + 10), r.u32(end + 16), r.u32(end + 12), end)
    }

    /// The member count, central directory offset and size from the zip64 end record, found
    /// through the locator just before the classic end record at `end`.
    private static func zip64EndRecord(_ r: Reader, before end: Int) throws(DataError) -> (count: Int, start: Int, size: Int) {
        let locator = end - 20
        guard r.contains(locator, 20, before: end), r.u32(locator) == 0x0706_4B50 else {
            throw r.fail("zip64 end record locator missing before byte \(end)")
        }
        let record = try r.int(r.u64(locator + 8), "zip64 end record offset", at: locator + 8)
        guard r.contains(record, 56, before: locator), r.u32(record) == 0x0606_4B50 else {
            throw r.fail("bad zip64 end record at byte \(record)")
        }
        guard r.u32(record + 16) == 0, r.u32(record + 20) == 0, r.u64(record + 24) == r.u64(record + 32) else {
            throw r.fail("multi-disk zip archives are not supported (zip64 end record at byte \(record))")
        }
        return (try r.int(r.u64(record + 32), "member count", at: record + 32),
                try r.int(r.u64(record + 48), "central directory offset", at: record + 48),
                try r.int(r.u64(record + 40), "central directory size", at: record + 40))
    }

    /// The 64-bit values of a member's zip64 extra field (id 1), read in order.
    private struct Zip64Field {
        let reader: Reader
        let name: String
        var cursor: Int
        let end: Int

        mutating func next(_ what: String) throws(DataError) -> Int {
            guard reader.contains(cursor, 8, before: end) else {
                throw reader.fail("member '\(name.snippet())': zip64 extra field at byte \(cursor) lacks the \(what)")
            }
            defer { cursor += 8 }
            return try reader.int(reader.u64(cursor), "member '\(name.snippet())': \(what)", at: cursor)
        }
    }

    private static func zip64Field(_ r: Reader, extra: Int, length: Int, name: String) throws(DataError) -> Zip64Field {
        var cursor = extra
        while cursor + 4 <= extra + length {
            let id = r.u16(cursor), size = r.u16(cursor + 2)
            guard cursor + 4 + size <= extra + length else { break }
            if id == 1 { return Zip64Field(reader: r, name: name, cursor: cursor + 4, end: cursor + 4 + size) }
            cursor += 4 + size
        }
        throw r.fail("member '\(name.snippet())': sizes need a zip64 extra field, which is missing at byte \(extra)")
    }
}
