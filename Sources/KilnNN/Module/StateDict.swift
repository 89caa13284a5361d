import Kiln

/// Why a state dictionary could not be loaded into a module.
public enum StateDictError: Error, CustomStringConvertible, Equatable {
    /// The module has a tensor of this name that the state dictionary lacks.
    case missing(name: String)
    /// The state dictionary has a tensor of this name that the module lacks.
    case unexpected(name: String)
    /// The shapes of the module's tensor and the loaded one differ.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// The loaded tensor is not a float tensor.
    case typeMismatch(name: String, found: DType)

    public var description: String {
        switch self {
        case .missing(let name): "parameter '\(name)' is missing from the loaded weights"
        case .unexpected(let name): "loaded weights contain '\(name)', which the model does not have"
        case let .shapeMismatch(name, expected, found):
            "parameter '\(name)' has shape \(found) in the loaded weights but \(expected) in the model"
        case let .typeMismatch(name, found): "parameter '\(name)' holds \(found) values, expected float32"
        }
    }
}

extension Module {
    /// Every parameter and buffer by path name, as PyTorch's `state_dict()`: one shared by several paths
    /// (tied weights) appears under each.
    public func stateDict() -> [String: Tensor] {
        var dict: [String: Tensor] = [:]
        for (name, p) in namedParametersOnEveryPath() { dict[name] = p.value.detached() }
        for (name, b) in namedBuffersOnEveryPath() { dict[name] = b.wrappedValue }
        return dict
    }

    /// Loads parameters and buffers by path name.
    ///
    /// Everything is checked before anything changes, so a failed load leaves the module as it was.
    /// - Parameter strict: when true, names missing from `dict` or unknown to the module are errors.
    public func load(stateDict dict: [String: Tensor], strict: Bool = true) throws(StateDictError) {
        let parameters = namedParametersOnEveryPath(), buffers = namedBuffersOnEveryPath()
        let shapes = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.parameter.value.shape) }
                                + buffers.map { ($0.name, $0.buffer.wrappedValue.shape) })
        for name in shapes.keys.sorted() {
            guard let t = dict[name] else {
                if strict { throw .missing(name: name) }
                continue
            }
            guard t.dtype == .float32 || !(parameters.contains { $0.name == name }) else {
                throw .typeMismatch(name: name, found: t.dtype)
            }
            guard t.shape == shapes[name]! else { throw .shapeMismatch(name: name, expected: shapes[name]!, found: t.shape) }
        }
        if strict, let extra = dict.keys.sorted().first(where: { shapes[$0] == nil }) { throw .unexpected(name: extra) }
        for (name, p) in parameters { if let t = dict[name] { p.value = t.contiguous() } }
        for (name, b) in buffers { if let t = dict[name] { b.wrappedValue = t.contiguous() } }
    }
}
