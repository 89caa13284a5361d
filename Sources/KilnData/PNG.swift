import CZlib
import Foundation

/// PNG encoding of 8-bit grayscale images (colour type 0), enough to save a figure of images.
///
/// The file is the signature, an `IHDR`, one `IDAT` holding the zlib stream of the scanlines (each
/// row prefixed by filter type 0, none) and an `IEND`; every chunk carries the CRC-32 of its type
/// and data (ISO/IEC 15948).
public enum PNG {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG file of a `width × height` grayscale image, `pixels` given row by row (0 black, 255 white).
    /// - Precondition: `width`, `height` ≥ 1 and `pixels.count == width × height`.
    public static func grayscale(_ pixels: [UInt8], width: Int, height: Int) -> Data {
        precondition(width >= 1 && height >= 1 && pixels.count == width * height && width <= Int(Int32.max) && height <= Int(Int32.max),
                     "PNG.grayscale: \(pixels.count) pixels for a \(width) × \(height) image")
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 0, 0, 0, 0]  // bit depth 8, grayscale, deflate, adaptive filtering, no interlace
        var scanlines = [UInt8]()
        scanlines.reserveCapacity(height * (width + 1))
        for row in 0..<height {
            scanlines.append(0)
            scanlines += pixels[(row * width)..<((row + 1) * width)]
        }
        var file = Data(signature)
        file += chunk("IHDR", header)
        file += chunk("IDAT", compressed(scanlines))
        file += chunk("IEND", [])
        return file
    }

    /// A chunk: its data length, type, data and the CRC-32 of type and data.
    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBufferPointer { crc32_z(0, $0.baseAddress, $0.count) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(UInt32(truncatingIfNeeded: crc))
    }

    /// `bytes` as a zlib stream (RFC 1950) at the best compression.
    private static func compressed(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { i in compress2(o.baseAddress, &size, i.baseAddress, uLong(i.count), Z_BEST_COMPRESSION) }
        }
        precondition(status == Z_OK, "PNG: zlib compress2 failed with status \(status)")
        return Array(out.prefix(Int(size)))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
