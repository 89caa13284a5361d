/// The element type of a tensor.
///
/// Float32 carries values and gradients; `int64` holds labels and indices; `bool` holds masks.
public enum DType: String, Sendable, CustomStringConvertible {
    case float32, int64, bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .int64: 8
        case .bool: 1
        }
    }

    public var description: String { rawValue }
}

/// A Swift type that can be stored in a tensor.
public protocol TensorElement {
    static var dtype: DType { get }
}

extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Int: TensorElement { public static var dtype: DType { .int64 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }
