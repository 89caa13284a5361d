/// Why an optimizer state dictionary could not be loaded.
public enum OptimizerStateError: Error, CustomStringConvertible, Equatable {
    /// A key that is not `state.<parameter>.<buffer>` or `state.<parameter>.step`, or a buffer this optimizer does not keep.
    case unexpected(key: String)
    /// The key names a parameter that is not in the optimizer's groups.
    case unknownParameter(key: String)
    /// A parameter has some state but this entry is missing.
    case missing(key: String)
    /// A state tensor has the wrong shape.
    case shapeMismatch(key: String, expected: [Int], found: [Int])
    /// A state tensor has the wrong element type (steps are one int64 value, buffers float32).
    case typeMismatch(key: String)

    public var description: String {
        switch self {
        case .unexpected(let key): "optimizer state contains '\(key)', which this optimizer does not keep"
        case .unknownParameter(let key): "optimizer state '\(key)' names a parameter the optimizer does not have"
        case .missing(let key): "optimizer state is missing '\(key)'"
        case let .shapeMismatch(key, expected, found):
            "optimizer state '\(key)' has shape \(found), expected \(expected)"
        case .typeMismatch(let key):
            "optimizer state '\(key)' has the wrong type: steps are one int64 value, buffers float32"
        }
    }
}
