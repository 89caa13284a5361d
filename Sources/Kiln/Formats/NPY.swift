import Foundation

/// NumPy's `.npy` format: magic `\x93NUMPY`, a version, a Python-dict header giving
/// `descr`, `fortran_order` and `shape`, then the raw data.
public enum NPY {
    /// Reads one array from a `.npy` file.
    public static func read(_ path: String) throws(TensorFileError) -> Tensor {
        try decode(AtomicFile.read(path), path: path)
    }

    /// Writes a tensor as a version 1.0 `.npy` file, atomically.
    public static func write(_ tensor: Tensor, to path: String) throws(TensorFileError) {
        try AtomicFile.write(encode(tensor), to: path)
    }

    /// The file image of `tensor` (little-endian, C order).
    public static func encode(_ tensor: Tensor) -> Data {
        let descr = switch tensor.dtype { case .float32: "<f4"; case .int64: "<i8"; case .bool: "|b1" }
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(\(tensor.shape.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        let t = tensor.contiguousData()
        data.append(Data(bytes: t.storage.base + t.offset * t.dtype.byteSize, count: t.count * t.dtype.byteSize))
        return data
    }

    /// Parses a `.npy` file image; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws(TensorFileError) -> Tensor {
        func fail(_ reason: String) -> TensorFileError { TensorFileError(path: path, reason: reason) }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not an .npy file (bad magic at byte 0)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header length at byte 8") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default: throw fail("unsupported .npy version \(major) at byte 6")
        }
        guard headerStart + headerLength <= bytes.count,
              let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
            throw fail("truncated header at byte \(headerStart)")
        }
        guard let descr = field("descr", in: header).map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }),
              let shapeText = field("shape", in: header) else {
            throw fail("header lacks 'descr' or 'shape'")
        }
        let fortranOrder = field("fortran_order", in: header) == "True"
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let shape = dims.compactMap { Int($0) }
        guard shape.count == dims.count else { throw fail("malformed shape \(shapeText)") }
        let count = shape.reduce(1, *)
        let dataStart = headerStart + headerLength
        let sizes: [String: Int] = ["<f4": 4, "<f8": 8, "<i8": 8, "<i4": 4, "|u1": 1, "|i1": 1, "|b1": 1, "<u1": 1]
        guard let size = sizes[descr] else { throw fail("unsupported dtype '\(descr)'") }
        guard bytes.count - dataStart >= count * size else {
            throw fail("truncated: \(bytes.count - dataStart) data bytes at byte \(dataStart), shape \(shape) of \(descr) needs \(count * size)")
        }
        // Fortran order stores the transpose: read it in reversed shape, then reverse the axes.
        let storedShape = fortranOrder ? Array(shape.reversed()) : shape
        let stored = bytes.withUnsafeBytes { raw in
            func load<T>(_: T.Type, _ i: Int) -> T { raw.loadUnaligned(fromByteOffset: dataStart + i * size, as: T.self) }
            switch descr {
            case "<f4": return Tensor((0..<count).map { Float(bitPattern: UInt32(littleEndian: load(UInt32.self, $0))) }, shape: storedShape)
            case "<f8": return Tensor((0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: load(UInt64.self, $0)))) }, shape: storedShape)
            case "<i8": return Tensor((0..<count).map { Int(Int64(littleEndian: load(Int64.self, $0))) }, shape: storedShape)
            case "<i4": return Tensor((0..<count).map { Int(Int32(littleEndian: load(Int32.self, $0))) }, shape: storedShape)
            case "|i1": return Tensor((0..<count).map { Int(load(Int8.self, $0)) }, shape: storedShape)
            case "|b1": return Tensor((0..<count).map { load(UInt8.self, $0) != 0 }, shape: storedShape)
            default: return Tensor((0..<count).map { Int(load(UInt8.self, $0)) }, shape: storedShape)
            }
        }
        return fortranOrder ? stored.permuted(Array((0..<shape.count).reversed())).contiguousData() : stored
    }

    /// The text of `key`'s value in a Python dict literal (tuples kept whole).
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        rest = rest.prefix { $0 != "," && $0 != "}" }
        return rest.trimmingCharacters(in: .whitespaces)
    }
}
