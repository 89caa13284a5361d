import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data.
public enum Safetensors {
    /// Named tensors and the string metadata of a safetensors file.
    public struct Contents {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]

        public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// Reads a safetensors file.
    public static func read(_ path: String) throws(TensorFileError) -> Contents {
        try decode(AtomicFile.read(path), path: path)
    }

    /// Writes tensors (and metadata) to `path` atomically; names are sorted as PyTorch's writer does.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws(TensorFileError) {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }

    /// The file image of `tensors`.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            let bytes = t.count * t.dtype.byteSize
            header[name] = ["dtype": code(for: t.dtype), "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for name in names {
            let t = tensors[name]!.contiguousData()
            data.append(Data(bytes: t.storage.base + t.offset * t.dtype.byteSize, count: t.count * t.dtype.byteSize))
        }
        return data
    }

    /// Parses a safetensors file image; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws(TensorFileError) -> Contents {
        func fail(_ reason: String) -> TensorFileError { TensorFileError(path: path, reason: reason) }
        guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, no header length") }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("truncated: header of \(headerLength) bytes at byte 8 exceeds the file size \(data.count)")
        }
        let start = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<start)) as? [String: Any] else {
            throw fail("header at byte 8 is not a JSON object")
        }
        var contents = Contents(tensors: [:])
        for (name, value) in header {
            if name == "__metadata__" {
                contents.metadata = value as? [String: String] ?? [:]
                continue
            }
            guard let entry = value as? [String: Any], let code = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("tensor '\(name)': header entry lacks dtype, shape or data_offsets")
            }
            let count = shape.reduce(1, *)
            guard offsets[0] >= 0, offsets[1] >= offsets[0], start + offsets[1] <= data.count else {
                throw fail("tensor '\(name)': data bytes \(offsets[0])..<\(offsets[1]) lie outside the file (truncated?)")
            }
            contents.tensors[name] = try decodeTensor(code, shape: shape, count: count,
                                                      bytes: data[(start + offsets[0])..<(start + offsets[1])]) { fail("tensor '\(name)': \($0)") }
        }
        return contents
    }

    private static func code(for dtype: DType) -> String {
        switch dtype {
        case .float32: "F32"
        case .int64: "I64"
        case .bool: "BOOL"
        }
    }

    /// Converts stored bytes into a tensor, widening other numeric types to Kiln's.
    private static func decodeTensor(_ code: String, shape: [Int], count: Int, bytes: Data,
                                     fail: (String) -> TensorFileError) throws(TensorFileError) -> Tensor {
        let sizes: [String: Int] = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1]
        guard let size = sizes[code] else { throw fail("unsupported dtype \(code)") }
        guard bytes.count == count * size else {
            throw fail("\(bytes.count) data bytes for shape \(shape) of \(code) (expected \(count * size))")
        }
        return bytes.withUnsafeBytes { raw in
            func load<T>(_: T.Type, _ i: Int) -> T { raw.loadUnaligned(fromByteOffset: i * size, as: T.self) }
            switch code {
            case "F32": return Tensor((0..<count).map { Float(bitPattern: UInt32(littleEndian: load(UInt32.self, $0))) }, shape: shape)
            case "F64": return Tensor((0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: load(UInt64.self, $0)))) }, shape: shape)
            case "F16": return Tensor((0..<count).map { Float(halfBits: UInt16(littleEndian: load(UInt16.self, $0))) }, shape: shape)
            case "BF16": return Tensor((0..<count).map { Float(bitPattern: UInt32(UInt16(littleEndian: load(UInt16.self, $0))) << 16) }, shape: shape)
            case "I64": return Tensor((0..<count).map { Int(Int64(littleEndian: load(Int64.self, $0))) }, shape: shape)
            case "I32": return Tensor((0..<count).map { Int(Int32(littleEndian: load(Int32.self, $0))) }, shape: shape)
            case "I16": return Tensor((0..<count).map { Int(Int16(littleEndian: load(Int16.self, $0))) }, shape: shape)
            case "I8": return Tensor((0..<count).map { Int(load(Int8.self, $0)) }, shape: shape)
            case "U8": return Tensor((0..<count).map { Int(load(UInt8.self, $0)) }, shape: shape)
            default: return Tensor((0..<count).map { load(UInt8.self, $0) != 0 }, shape: shape)
            }
        }
    }
}

extension Float {
    /// The value of an IEEE half-precision bit pattern.
    init(halfBits h: UInt16) {
        let sign = UInt32(h >> 15) << 31
        let exponent = Int((h >> 10) & 0x1F), mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1p-24
            self = sign == 0 ? magnitude : -magnitude
        } else if exponent == 31 {
            self = Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        } else {
            self = Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }
}
