import Kiln

/// The step count and state buffers an optimizer keeps for one parameter.
///
/// Buffers live in memory the state owns, so kernels write them in place without
/// copy-on-write checks.
public final class ParameterState {
    /// How many updates this parameter has received.
    public internal(set) var step = 0
    var buffers: [String: StateBuffer] = [:]

    init() {}

    /// The buffer `name`, which the optimizer declared in its state layout.
    public subscript(name: String) -> UnsafeMutablePointer<Float> {
        guard let buffer = buffers[name] else { preconditionFailure("ParameterState: no buffer '\(name)'") }
        return buffer.pointer
    }
}

/// The shape and starting value of one state buffer.
public struct StateBufferLayout: Equatable {
    public var shape: [Int]
    public var initialValue: Float

    /// A buffer of `shape` filled with `initialValue`.
    public init(shape: [Int], initialValue: Float = 0) {
        self.shape = shape
        self.initialValue = initialValue
    }
}

/// A float array of a fixed shape, allocated and freed by its owner.
final class StateBuffer {
    let shape: [Int]
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(shape: [Int], repeating value: Float) {
        self.shape = shape
        count = shape.reduce(1, *)
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: count)
    }

    convenience init(copying tensor: Tensor) {
        self.init(shape: tensor.shape, repeating: 0)
        if count > 0 { tensor.withUnsafeFloats { pointer.update(from: $0.baseAddress!, count: count) } }
    }

    deinit { pointer.deallocate() }

    /// A copy of the values as a tensor.
    var tensor: Tensor { Tensor(Array(UnsafeBufferPointer(start: pointer, count: count)), shape: shape) }
}
