import Foundation
import KilnData
import Testing

@Suite struct GzipTests {
    let fixtures = Bundle.module.resourcePath! + "/Fixtures/"
    /// 1,000,000 zero bytes, gzip-compressed to about 1 KB (scripts/fixtures/make_hostile.py).
    var zeros: Data { get throws { try Data(contentsOf: URL(fileURLWithPath: fixtures + "zeros.gz")) } }

    @Test func inflatesWithinTheLimit() throws {
        let data = try Gzip.inflate(zeros, maximumSize: 1_000_000, path: "z.gz")
        #expect(data.count == 1_000_000 && data.allSatisfy { $0 == 0 })
    }

    @Test func outputBeyondTheLimitIsRefused() throws {
        let error = #expect(throws: DataError.self) { try Gzip.inflate(zeros, maximumSize: 999_999, path: "z.gz") }
        #expect(error?.reason.hasPrefix("inflates to more than 999999 bytes") == true)
    }

    @Test func truncatedStreamIsRefused() throws {
        let error = #expect(throws: DataError.self) { try Gzip.inflate(zeros.prefix(500), path: "z.gz") }
        #expect(error?.reason == "truncated compressed stream (ends at byte 500 of 500 compressed bytes)")
    }

    @Test func corruptStreamAndChecksumAreRefused() throws {
        var corrupt = try zeros
        corrupt[corrupt.count - 6] ^= 0xFF   // the CRC-32 in the trailer
        let error = #expect(throws: DataError.self) { try Gzip.inflate(corrupt, path: "z.gz") }
        #expect(error?.reason.hasPrefix("corrupt compressed stream") == true)
        let header = #expect(throws: DataError.self) { try Gzip.inflate(Data([0x1F, 0x8B, 0x09, 0, 0, 0]), path: "z.gz") }
        #expect(header?.reason.hasPrefix("corrupt compressed stream") == true)
    }

    @Test func trailingGarbageIsRefused() throws {
        let error = #expect(throws: DataError.self) { try Gzip.inflate(try zeros + Data([1, 2, 3]), path: "z.gz") }
        #expect(error?.reason == "3 trailing bytes after the compressed stream at byte 1003 of 1006 compressed bytes")
    }
}
