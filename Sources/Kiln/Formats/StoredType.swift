/// An element type as tensor files store it, widened to one of Kiln's dtypes on reading:
/// floats become `float32`, integers `int64`, booleans `bool`.
enum StoredType: CaseIterable {
    case float16, bfloat16, float32, float64
    case int8, int16, int32, int64, uint8, uint16, uint32
    case bool

    /// Bytes per stored element.
    var byteSize: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .float16, .bfloat16, .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64: 8
        }
    }

    /// The tensor of `shape` whose `count` elements lie at the start of `raw`, which must hold
    /// `count × byteSize` bytes; `bigEndian` says the byte order of multi-byte elements.
    func tensor(shape: [Int], count: Int, from raw: UnsafeRawBufferPointer, bigEndian: Bool = false) -> Tensor {
        precondition(raw.count >= count * byteSize, "StoredType.tensor: \(raw.count) bytes for \(count) elements of \(self)")
        func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
            let stored = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
            return bigEndian ? T(bigEndian: stored) : T(littleEndian: stored)
        }
        func fill<T: TensorElement>(_ type: T.Type, _ element: (Int) -> T) -> Tensor {
            Tensor(shape: shape, of: type) { out in
                for i in 0..<count { out[i] = element(i) }
            }
        }
        return switch self {
        case .float16: fill(Float.self) { Float(halfBits: load(UInt16.self, $0)) }
        case .bfloat16: fill(Float.self) { Float(bitPattern: UInt32(load(UInt16.self, $0)) << 16) }
        case .float32: fill(Float.self) { Float(bitPattern: load(UInt32.self, $0)) }
        case .float64: fill(Float.self) { Float(Double(bitPattern: load(UInt64.self, $0))) }
        case .int8: fill(Int.self) { Int(load(Int8.self, $0)) }
        case .int16: fill(Int.self) { Int(load(Int16.self, $0)) }
        case .int32: fill(Int.self) { Int(load(Int32.self, $0)) }
        case .int64: fill(Int.self) { Int(load(Int64.self, $0)) }
        case .uint8: fill(Int.self) { Int(load(UInt8.self, $0)) }
        case .uint16: fill(Int.self) { Int(load(UInt16.self, $0)) }
        case .uint32: fill(Int.self) { Int(load(UInt32.self, $0)) }
        case .bool: fill(Bool.self) { load(UInt8.self, $0) != 0 }
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
