import Foundation
import KilnData
import Testing

@Suite struct IDXTests {
    /// A 2×3 IDX image file: header, then bytes 0…5.
    let sample = Data([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5])

    @Test func decodesShapeAndBytes() throws {
        let t = try IDX.decode(sample, path: "s")
        #expect(t.shape == [2, 3] && t.integers == [0, 1, 2, 3, 4, 5])
        #expect(try IDX.decode(sample, as: .float32, path: "s").scalars == [0, 1, 2, 3, 4, 5])
    }

    @Test func truncatedAndCorruptFilesNameTheProblem() {
        let short = #expect(throws: DataError.self) { try IDX.decode(sample.dropLast(2), path: "s.idx") }
        #expect(short?.description == "s.idx: truncated: shape [2, 3] needs 6 data bytes at byte 12, found 4")
        let magic = #expect(throws: DataError.self) { try IDX.decode(Data([1, 2, 3, 4]), path: "m") }
        #expect(magic?.reason.contains("magic") == true)
        let missing = #expect(throws: DataError.self) { try IDX.read("/nonexistent/x.gz") }
        #expect(missing?.reason == "no such file")
    }

    @Test func readsGzipAndReportsTruncatedGzip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-idx-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let raw = dir.appendingPathComponent("s.idx")
        try sample.write(to: raw)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-kf", raw.path]
        try gzip.run()
        gzip.waitUntilExit()
        let t = try IDX.read(raw.path + ".gz")
        #expect(t.integers == [0, 1, 2, 3, 4, 5])
        let compressed = try Data(contentsOf: URL(fileURLWithPath: raw.path + ".gz"))
        let cut = dir.appendingPathComponent("cut.gz")
        try compressed.prefix(compressed.count - 12).write(to: cut)
        let error = #expect(throws: DataError.self) { try IDX.read(cut.path) }
        #expect(error?.reason.contains("truncated") == true)
    }
}
