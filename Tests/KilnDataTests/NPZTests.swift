import Foundation
import KilnData
import Testing

@Suite struct NPZTests {
    let fixtures = Bundle.module.resourcePath! + "/Fixtures/"
    let expected = (0..<12).map { Float($0) / 8 - 0.5 }

    /// A zip archive of stored (uncompressed) members, as a minimal writer lays it out: local
    /// headers with data, the central directory, the end record. With `zip64`, the directory's
    /// sizes and offsets and the end record's fields defer to zip64 extra fields and records.
    func zip(_ members: [(name: String, data: Data)], zip64: Bool = false) -> Data {
        var archive = Data(), directory = Data()
        for (name, data) in members {
            let extra = zip64 ? u16(1) + u16(24) + u64(data.count) + u64(data.count) + u64(archive.count) : Data()
            let sizes: [Data] = [u32(crc32(data)), u32(data.count), u32(data.count), u16(name.utf8.count), u16(0)]
            let directorySizes: [Data] = zip64 ? [u32(crc32(data)), u32(0xFFFF_FFFF), u32(0xFFFF_FFFF), u16(name.utf8.count), u16(extra.count)]
                                               : sizes
            let versions: [Data] = [u32(0x0201_4B50), u16(45), u16(20), u16(0), u16(0), u32(0)]
            let tail: [Data] = [u16(0), u16(0), u16(0), u32(0), u32(zip64 ? 0xFFFF_FFFF : archive.count), Data(name.utf8), extra]
            directory += versions.reduce(Data(), +) + directorySizes.reduce(Data(), +) + tail.reduce(Data(), +)
            let local: [Data] = [u32(0x0403_4B50), u16(20), u16(0), u16(0), u32(0)]
            archive += local.reduce(Data(), +) + sizes.reduce(Data(), +) + Data(name.utf8) + data
        }
        var records = Data()
        if zip64 {
            let record: [Data] = [u32(0x0606_4B50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(members.count), u64(members.count),
                                  u64(directory.count), u64(archive.count)]
            let locator: [Data] = [u32(0x0706_4B50), u32(0), u64(archive.count + directory.count), u32(1)]
            records = record.reduce(Data(), +) + locator.reduce(Data(), +)
        }
        let endFields: [Data] = [u32(0x0605_4B50), u16(0), u16(0), u16(zip64 ? 0xFFFF : members.count), u16(zip64 ? 0xFFFF : members.count),
                                 u32(zip64 ? 0xFFFF_FFFF : directory.count), u32(zip64 ? 0xFFFF_FFFF : archive.count), u16(0)]
        return archive + directory + records + endFields.reduce(Data(), +)
    }

    func u16(_ v: Int) -> Data { withUnsafeBytes(of: UInt16(v).littleEndian) { Data($0) } }
    func u32(_ v: Int) -> Data { withUnsafeBytes(of: UInt32(v).littleEndian) { Data($0) } }
    func u64(_ v: Int) -> Data { withUnsafeBytes(of: UInt64(v).littleEndian) { Data($0) } }
    func crc32(_ data: Data) -> Int {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return Int(~crc)
    }

    /// `data` with the little-endian `value` written at `offset`.
    func patched(_ data: Data, at offset: Int, _ value: Data) -> Data {
        var copy = data
        copy.replaceSubrange(offset..<(offset + value.count), with: value)
        return copy
    }

    let member = NPY.encode(Tensor([1, 2, 3] as [Float]))
    /// The archive of one member `a.npy`; its central directory entry starts at `directory`.
    var single: Data { zip([("a.npy", member)]) }
    var directory: Int { 30 + 5 + member.count }

    func reason(_ data: Data) -> String? {
        do {
            _ = try NPZ.decode(data, path: "a.npz")
            return nil
        } catch {
            #expect(error.description.hasPrefix("a.npz") && !error.description.contains("\n"))
            return error.reason
        }
    }

    @Test func readsStoredAndCompressedArchivesFromNumPy() throws {
        let stored = try NPZ.read(fixtures + "numpy_arrays.npz")
        #expect(Set(stored.keys) == ["weights", "labels"])
        #expect(stored["weights"]!.shape == [3, 4] && stored["weights"]!.scalars == expected)
        #expect(stored["labels"]!.integers == [4, 5])
        let compressed = try NPZ.read(fixtures + "numpy_compressed.npz")
        #expect(compressed["weights"]!.scalars == expected)
    }

    @Test func handMadeArchiveDecodes() throws {
        let arrays = try NPZ.decode(zip([("a.npy", member), ("b", NPY.encode(Tensor([7])))]), path: "a.npz")
        #expect(arrays["a"]?.scalars == [1, 2, 3] && arrays["b"]?.integers == [7])
    }

    @Test func zip64RecordsAreRead() throws {
        let arrays = try NPZ.decode(zip([("a.npy", member), ("b.npy", member)], zip64: true), path: "a.npz")
        #expect(arrays["a"]?.scalars == [1, 2, 3] && arrays["b"]?.scalars == [1, 2, 3])
    }

    @Test func zip64RecordPastTheFileIsRefused() {
        let data = zip([("a.npy", member)], zip64: true)
        let locator = data.count - 22 - 20
        #expect(reason(patched(data, at: locator + 8, u64(1 << 40))) == "bad zip64 end record at byte 1099511627776")
        #expect(reason(patched(data, at: locator + 8, Data(repeating: 0xFF, count: 8)))?.hasPrefix("zip64 end record offset 18446744073709551615") == true)
    }

    @Test func zip64ExtraFieldMustHoldTheSizes() {
        let data = zip([("a.npy", member)], zip64: true)
        let extraSize = 30 + 5 + member.count + 46 + 5 + 2
        #expect(reason(patched(data, at: extraSize, u16(8)))?.hasPrefix("member 'a.npy': zip64 extra field at byte") == true)
    }

    @Test func truncatedArchiveIsAnError() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "numpy_compressed.npz"))
        #expect(reason(data.prefix(data.count / 2))?.hasPrefix("not a zip archive") == true)
    }

    @Test func entryWhoseDataRunsPastTheFileIsRefused() {
        let sizes = u32(0x7FFF_FFF0) + u32(0x7FFF_FFF0)
        #expect(reason(patched(single, at: directory + 20, sizes))
            == "member 'a.npy': 2147483632 bytes of data at byte 35 run past the central directory (truncated?)")
    }

    @Test func localHeaderPastTheFileIsRefused() {
        #expect(reason(patched(single, at: directory + 42, u32(0xFFFF_FF00))) == "member 'a.npy': bad local header at byte 4294967040")
    }

    @Test func centralDirectoryPastTheFileIsRefused() {
        let end = single.count - 22
        #expect(reason(patched(single, at: end + 16, u32(0xFFFF_FF00)))?
            .hasPrefix("central directory at byte 4294967040") == true)
        #expect(reason(patched(single, at: end + 8, u16(0xFFFE) + u16(0xFFFE)))
            == "end record at byte \(end) claims 65534 members; the central directory holds at most 1")
    }

    @Test func duplicateNamesAreRefused() {
        #expect(reason(zip([("a.npy", member), ("a.npy", member)]))?.hasPrefix("member 'a.npy' appears twice") == true)
        #expect(reason(zip([("a.npy", member), ("a", member)])) == "member 'a': array 'a' appears twice")
    }

    @Test func emptyOrInvalidNamesAreRefused() {
        #expect(reason(zip([("", member)])) == "member name at byte \(30 + member.count + 46) is empty or not UTF-8")
    }

    @Test func corruptDataFailsTheChecksum() {
        var data = single
        data[data.startIndex + 30 + 5 + member.count - 1] ^= 1
        #expect(reason(data) == "member 'a.npy': CRC-32 mismatch (data corrupt)")
    }

    /// The offset of the first central directory entry of a zip image without a comment.
    func directoryOffset(_ data: Data) -> Int {
        data.suffix(6).prefix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    @Test func declaredSizeBeyondDeflatesRatioIsRefused() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "numpy_compressed.npz"))
        let text = reason(patched(data, at: directoryOffset(data) + 24, u32(0xFFFF_FFF0)))
        #expect(text?.contains("declares 4294967280 bytes inflated from") == true)
    }

    @Test func inflatingPastTheDeclaredSizeIsRefused() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "numpy_compressed.npz"))
        let error = #expect(throws: DataError.self) { try NPZ.decode(patched(data, at: directoryOffset(data) + 24, u32(10)), path: "a.npz") }
        #expect(error?.description.hasPrefix("a.npz[weights.npy]: inflates to more than 10 bytes") == true)
    }

    @Test func badMemberArrayNamesTheMember() {
        let error = #expect(throws: DataError.self) { try NPZ.decode(zip([("x.npy", Data("not npy".utf8))]), path: "a.npz") }
        #expect(error?.description == "a.npz[x.npy]: not an .npy file (bad magic at byte 0)")
    }
}
