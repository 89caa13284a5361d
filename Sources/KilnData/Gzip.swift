import CZlib
import Foundation

/// Inflation of gzip and raw-deflate streams through zlib, with a bound on the output size.
///
/// A stream must end exactly where the input ends: truncated or corrupt streams, gzip
/// checksum mismatches (zlib checks the CRC-32 and length of the gzip trailer) and trailing
/// bytes are errors. Concatenated gzip members count as trailing bytes.
public enum Gzip {
    /// The default bound on the inflated size: 4 GiB.
    public static let defaultMaximumSize = 1 << 32

    /// Whether `data` starts with the gzip magic bytes.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// The decompressed bytes of a gzip stream (`raw` for a bare deflate stream, as inside zip
    /// files), at most `maximumSize` of them; `path` names the input in errors.
    public static func inflate(_ data: Data, raw: Bool = false, maximumSize: Int = defaultMaximumSize,
                               path: String) throws(DataError) -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, raw ? -15 : 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(path: path, reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var output = Data()
        var status: Int32 = Z_OK
        var unread = 0
        let tooLarge = data.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> Bool in
            var offered = 0
            repeat {
                if stream.avail_in == 0, offered < input.count, let base = input.baseAddress {
                    let n = min(input.count - offered, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: (base + offered).assumingMemoryBound(to: Bytef.self))
                    stream.avail_in = uInt(n)
                    offered += n
                }
                status = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk - Int(stream.avail_out)
                guard output.count <= maximumSize - produced else { return true }
                output.append(contentsOf: buffer[0..<produced])
            } while status == Z_OK
            unread = input.count - offered + Int(stream.avail_in)
            return false
        }
        let position = "at byte \(data.count - unread) of \(data.count) compressed bytes"
        guard !tooLarge else { throw DataError(path: path, reason: "inflates to more than \(maximumSize) bytes (\(position))") }
        switch status {
        case Z_STREAM_END:
            guard unread == 0 else { throw DataError(path: path, reason: "\(unread) trailing bytes after the compressed stream \(position)") }
            return output
        case Z_BUF_ERROR where unread == 0: throw DataError(path: path, reason: "truncated compressed stream (ends \(position))")
        default: throw DataError(path: path, reason: "corrupt compressed stream \(position)")
        }
    }
}
