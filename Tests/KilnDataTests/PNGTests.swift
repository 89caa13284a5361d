import Foundation
import KilnData
import KilnTestSupport
import Testing

/// CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) bit by bit.
private func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

private func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 { bytes.reduce(0) { $0 << 8 | UInt32($1) } }

@Suite struct PNGTests {
    @Test func aSmallImageRoundTripsThroughItsChunks() throws {
        let (width, height) = (3, 2)
        let pixels: [UInt8] = [0, 128, 255, 7, 64, 200]
        let file = [UInt8](PNG.grayscale(pixels, width: width, height: height))
        #expect(Array(file.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var chunks: [(type: String, data: [UInt8])] = []
        var at = 8
        while at < file.count {
            let length = Int(bigEndian(file[at..<(at + 4)]))
            let typeAndData = file[(at + 4)..<(at + 8 + length)]
            #expect(bigEndian(file[(at + 8 + length)..<(at + 12 + length)]) == crc32(typeAndData), "CRC of chunk at \(at)")
            chunks.append((String(decoding: typeAndData.prefix(4), as: UTF8.self), Array(typeAndData.dropFirst(4))))
            at += 12 + length
        }
        #expect(at == file.count)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        #expect(chunks[0].data == [0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0])
        #expect(crc32(Array("IEND".utf8)) == 0xAE42_6082, "the CRC every PNG's IEND carries")
        // IDAT is a zlib stream: a 2-byte header, raw deflate, and the Adler-32 of the inflated bytes.
        let zlib = chunks[1].data
        #expect(zlib[0] & 0x0F == 8 && (UInt32(zlib[0]) << 8 | UInt32(zlib[1])) % 31 == 0)
        let inflated = [UInt8](try Gzip.inflate(Data(zlib[2..<(zlib.count - 4)]), raw: true, path: "IDAT"))
        #expect(inflated == [0, 0, 128, 255, 0, 7, 64, 200], "each row starts with filter type 0")
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in inflated { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        #expect(bigEndian(zlib[(zlib.count - 4)...]) == b << 16 | a)
    }
}
