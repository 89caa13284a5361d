import Foundation
import KilnData
import Testing

@Suite struct IDXTests {
    let fixtures = Bundle.module.resourcePath! + "/Fixtures/"
    /// A 2×3 IDX image file: header, then bytes 0…5.
    let sample = Data([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5])

    func reason(_ data: Data) -> String? {
        do {
            _ = try IDX.decode(data, path: "s.idx")
            return nil
        } catch {
            #expect(error.description == "s.idx: \(error.reason)" && !error.reason.contains("\n"))
            return error.reason
        }
    }

    @Test func decodesShapeAndBytes() throws {
        let t = try IDX.decode(sample, path: "s")
        #expect(t.shape == [2, 3] && t.integers == [0, 1, 2, 3, 4, 5])
        #expect(try IDX.decode(sample, as: .float32, path: "s").scalars == [0, 1, 2, 3, 4, 5])
    }

    @Test func decodesGzipCompressedBytes() throws {
        let compressed = try Data(contentsOf: URL(fileURLWithPath: fixtures + "sample-idx2-ubyte.gz"))
        #expect(try IDX.decode(compressed, path: "s").integers == [0, 1, 2, 3, 4, 5])
        #expect(try IDX.read(fixtures + "sample-idx2-ubyte.gz").shape == [2, 3])
        #expect(reason(compressed.prefix(compressed.count - 12))?.hasPrefix("truncated compressed stream") == true)
    }

    @Test func truncatedAndCorruptFilesNameTheProblem() {
        #expect(reason(sample.dropLast(2)) == "truncated: shape [2, 3] needs 6 data bytes at byte 12, found 4")
        #expect(reason(Data([1, 2, 3, 4]))?.contains("magic") == true)
        #expect(reason(Data([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0])) == "unsupported IDX type code 0xd at byte 2 (only unsigned bytes, 0x08)")
        let missing = #expect(throws: DataError.self) { try IDX.read("/nonexistent/x.gz") }
        #expect(missing?.reason == "no such file")
    }

    @Test func dimensionCountIsBounded() {
        #expect(reason(Data([0, 0, 8, 0, 7])) == "0 dimensions at byte 3 (1 to 64 allowed)")
        #expect(reason(Data([0, 0, 8, 65])) == "65 dimensions at byte 3 (1 to 64 allowed)")
        #expect(reason(Data([0, 0, 8, 3, 0, 0, 0, 1])) == "truncated header: 3 dimensions need 16 bytes")
    }

    @Test func dimensionsWhoseProductOverflowsAreRefused() {
        let huge = Data([0, 0, 8, 3] + Array(repeating: 0xFF, count: 12))
        #expect(reason(huge) == "shape [4294967295, 4294967295, 4294967295] at byte 4: element count overflows a 64-bit integer")
    }

    @Test func trailingBytesAreRefused() {
        #expect(reason(sample + Data([9, 9])) == "2 trailing bytes after the data at byte 18")
    }
}
