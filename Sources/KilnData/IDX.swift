import Foundation
import Kiln

/// The IDX format of MNIST and Fashion-MNIST, raw or gzip-compressed: two zero bytes, a type
/// code, the number of dimensions, each dimension as a big-endian UInt32, then the data.
public enum IDX {
    /// Reads an IDX file of unsigned bytes as an `int64` tensor (labels) or a `float32` one (pixels, 0…255).
    public static func read(_ path: String, as dtype: DType = .int64) throws(DataError) -> Tensor {
        guard let file = FileManager.default.contents(atPath: path) else {
            throw DataError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        let data = Gzip.isGzip(file) ? try Gzip.inflate(file, path: path) : file
        return try decode(data, as: dtype, path: path)
    }

    /// Parses IDX bytes; `path` names the file in errors.
    public static func decode(_ data: Data, as dtype: DType = .int64, path: String) throws(DataError) -> Tensor {
        let bytes = [UInt8](data.prefix(4 + 4 * 255))   // the header; the data is read in place
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(path: path, reason: "not an IDX file (bad magic at byte 0)")
        }
        guard bytes[2] == 0x08 else {
            throw DataError(path: path, reason: "unsupported IDX type code 0x\(String(bytes[2], radix: 16)) at byte 2 (only unsigned bytes, 0x08)")
        }
        let rank = Int(bytes[3])
        let start = 4 + 4 * rank
        guard bytes.count >= start else { throw DataError(path: path, reason: "truncated header: \(rank) dimensions need \(start) bytes") }
        let shape = (0..<rank).map { d in (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * d + $1]) } }
        let count = shape.reduce(1, *)
        guard data.count - start >= count else {
            throw DataError(path: path, reason: "truncated: shape \(shape) needs \(count) data bytes at byte \(start), found \(data.count - start)")
        }
        func fill<T: TensorElement>(_ type: T.Type, _ convert: (UInt8) -> T) -> Tensor {
            Tensor(shape: shape, of: type) { out in
                data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                    for i in 0..<count { out[i] = convert(raw[start + i]) }
                }
            }
        }
        return dtype == .float32 ? fill(Float.self) { Float($0) } : fill(Int.self) { Int($0) }
    }
}
