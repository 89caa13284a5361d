import Foundation
import Kiln

/// The IDX format of MNIST and Fashion-MNIST, raw or gzip-compressed: two zero bytes, a type
/// code, the number of dimensions, each dimension as a big-endian UInt32, then exactly as many
/// data bytes as the dimensions' product.
public enum IDX {
    /// Reads an IDX file of unsigned bytes as an `int64` tensor (labels) or a `float32` one (pixels, 0…255).
    public static func read(_ path: String, as dtype: DType = .int64) throws(DataError) -> Tensor {
        guard let file = FileManager.default.contents(atPath: path) else {
            throw DataError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        return try decode(file, as: dtype, path: path)
    }

    /// Parses IDX bytes, inflating them first when they are gzip-compressed (at most
    /// ``Gzip/defaultMaximumSize`` bytes); `path` names the file in errors.
    public static func decode(_ data: Data, as dtype: DType = .int64, path: String) throws(DataError) -> Tensor {
        let data = Gzip.isGzip(data) ? try Gzip.inflate(data, path: path) : data
        return try data.withUnsafeBytes { bytes in
            Result { () throws(DataError) in try decode(bytes, as: dtype, path: path) }
        }.get()
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, as dtype: DType, path: String) throws(DataError) -> Tensor {
        func fail(_ reason: String) -> DataError { DataError(path: path, reason: reason) }
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else { throw fail("not an IDX file (bad magic at byte 0)") }
        guard bytes[2] == 0x08 else {
            throw fail("unsupported IDX type code 0x\(String(bytes[2], radix: 16)) at byte 2 (only unsigned bytes, 0x08)")
        }
        let rank = Int(bytes[3])
        guard (1...CheckedSize.maximumRank).contains(rank) else {
            throw fail("\(rank) dimensions at byte 3 (1 to \(CheckedSize.maximumRank) allowed)")
        }
        let start = 4 + 4 * rank
        guard bytes.count >= start else { throw fail("truncated header: \(rank) dimensions need \(start) bytes") }
        let shape = (0..<rank).map { d in (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * d + $1]) } }
        let count: Int
        switch CheckedSize.elementCount(shape) {
        case .success(let n): count = n
        case .failure(let problem): throw fail("shape \(shape) at byte 4: \(problem)")
        }
        let found = bytes.count - start
        guard found >= count else { throw fail("truncated: shape \(shape) needs \(count) data bytes at byte \(start), found \(found)") }
        guard found == count else { throw fail("\(found - count) trailing bytes after the data at byte \(start + count)") }
        func fill<T: TensorElement>(_ type: T.Type, _ convert: (UInt8) -> T) -> Tensor {
            Tensor(shape: shape, of: type) { out in
                for i in 0..<count { out[i] = convert(bytes[start + i]) }
            }
        }
        return dtype == .float32 ? fill(Float.self) { Float($0) } : fill(Int.self) { Int($0) }
    }
}
