import CZlib
import Foundation

/// Inflation of gzip and raw-deflate streams through zlib.
enum Gzip {
    /// Whether `data` starts with the gzip magic bytes.
    static func isGzip(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// The decompressed bytes of a gzip stream (`raw` for a bare deflate stream, as inside zip files).
    static func inflate(_ data: Data, raw: Bool = false, path: String) throws(DataError) -> Data {
        var stream = z_stream()
        let windowBits: Int32 = raw ? -15 : 15 + 16
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(path: path, reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: buffer[0..<(chunk - Int(stream.avail_out))])
            } while status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else {
            let where_ = "after \(data.count - Int(stream.avail_in)) of \(data.count) compressed bytes"
            throw DataError(path: path, reason: status == Z_OK || status == Z_BUF_ERROR
                ? "truncated compressed stream (\(where_))" : "corrupt compressed stream (\(where_))")
        }
        return output
    }
}
