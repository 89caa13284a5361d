import KilnNN

/// The shared machinery of optimizers that update each parameter on its own: groups, the step
/// loop, per-parameter state, and saving and loading that state.
///
/// A subclass declares its state buffers in ``stateLayout(forParameterShape:)`` and applies
/// one update in ``update(_:gradient:state:learningRate:weightDecay:)``.
open class ParameterwiseOptimizer: Optimizer {
    public var learningRate: Double
    /// The weight decay of groups that do not set their own.
    public var weightDecay: Double
    public var groups: [ParameterGroup] {
        didSet { Self.checkUniqueNames(groups) }
    }
    private var states: [String: ParameterState] = [:]

    /// The shared part of every subclass's initializer: the groups and the two hyper-parameters
    /// every optimizer has.
    public init(groups: [ParameterGroup], learningRate: Double, weightDecay: Double) {
        precondition(learningRate >= 0, "\(Self.self): learning rate \(learningRate) is negative")
        precondition(weightDecay >= 0, "\(Self.self): weight decay \(weightDecay) is negative")
        Self.checkUniqueNames(groups)
        self.groups = groups
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// The state buffers a parameter of `shape` needs, by name; created on its first update.
    open func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] { [:] }

    /// Applies one update to `parameter`; `state.step` already counts this update.
    open func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                     learningRate: Double, weightDecay: Double) {
        fatalError("\(type(of: self)) must override update(_:gradient:state:learningRate:weightDecay:)")
    }

    /// The state of the parameter named `name`, if it has been updated.
    public func state(of name: String) -> ParameterState? { states[name] }

    public func step(gradients gradient: (_ name: String, _ parameter: Parameter) -> Tensor?) {
        for group in groups {
            let rate = learningRate * group.learningRateScale
            let decay = group.weightDecay ?? weightDecay
            for (name, parameter) in group.parameters where !parameter.isFrozen {
                guard let g = gradient(name, parameter) else { continue }
                precondition(g.shape == parameter.value.shape,
                             "\(type(of: self)): gradient of '\(name)' has shape \(g.shape), the parameter \(parameter.value.shape)")
                precondition(g.dtype == .float32, "\(type(of: self)): gradient of '\(name)' holds \(g.dtype)")
                let state = prepareState(name, shape: g.shape)
                state.step += 1
                if g.count > 0 {
                    update(parameter, gradient: g, state: state, learningRate: rate, weightDecay: decay)
                }
            }
        }
    }

    private func prepareState(_ name: String, shape: [Int]) -> ParameterState {
        let state = states[name] ?? ParameterState()
        states[name] = state
        for (buffer, layout) in stateLayout(forParameterShape: shape) where state.buffers[buffer] == nil {
            state.buffers[buffer] = StateBuffer(shape: layout.shape, repeating: layout.initialValue)
        }
        return state
    }

    // MARK: Saving and loading

    public func stateDict() -> [String: Tensor] {
        var dict: [String: Tensor] = [:]
        for (name, state) in states {
            dict["state.\(name).step"] = Tensor([state.step], shape: [])
            for (buffer, values) in state.buffers { dict["state.\(name).\(buffer)"] = values.tensor }
        }
        return dict
    }

    public func load(stateDict dict: [String: Tensor]) throws(OptimizerStateError) {
        var shapes: [String: [Int]] = [:]
        for group in groups { for (name, p) in group.parameters { shapes[name] = p.value.shape } }
        var loaded: [String: ParameterState] = [:]
        for key in dict.keys.sorted() {
            guard key.hasPrefix("state."), let dot = key.lastIndex(of: "."),
                  dot > key.index(key.startIndex, offsetBy: 6) else { throw .unexpected(key: key) }
            let name = String(key[key.index(key.startIndex, offsetBy: 6)..<dot])
            let field = String(key[key.index(after: dot)...])
            guard let shape = shapes[name] else { throw .unknownParameter(key: key) }
            let tensor = dict[key]!
            let state = loaded[name] ?? ParameterState()
            loaded[name] = state
            if field == "step" {
                guard tensor.dtype == .int64, tensor.count == 1 else { throw .typeMismatch(key: key) }
                state.step = tensor.integers[0]
            } else {
                guard let layout = stateLayout(forParameterShape: shape)[field] else { throw .unexpected(key: key) }
                guard tensor.dtype == .float32 else { throw .typeMismatch(key: key) }
                guard tensor.shape == layout.shape else {
                    throw .shapeMismatch(key: key, expected: layout.shape, found: tensor.shape)
                }
                state.buffers[field] = StateBuffer(copying: tensor)
            }
        }
        for name in loaded.keys.sorted() {
            if dict["state.\(name).step"] == nil { throw .missing(key: "state.\(name).step") }
            for field in stateLayout(forParameterShape: shapes[name]!).keys.sorted() where loaded[name]!.buffers[field] == nil {
                throw .missing(key: "state.\(name).\(field)")
            }
        }
        states = loaded
    }

    private static func checkUniqueNames(_ groups: [ParameterGroup]) {
        var seen = Set<String>()
        for group in groups {
            for (name, _) in group.parameters {
                precondition(seen.insert(name).inserted, "\(Self.self): parameter name '\(name)' appears twice in the groups")
            }
        }
    }
}

/// Runs `body` over `0..<count` in contiguous chunks, across cores when the parameter is large.
func forEachChunk(_ count: Int, _ body: (_ start: Int, _ length: Int) -> Void) {
    parallelChunks(count, costPerItem: 2) { range in body(range.lowerBound, range.count) }
}

/// Calls `body` with the parameter's writable values and the gradient's values, both contiguous.
func withRawValues(of parameter: Parameter, gradient: Tensor,
                   _ body: (_ theta: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, _ count: Int) -> Void) {
    parameter.update { theta in
        gradient.withUnsafeFloats { g in body(theta.baseAddress!, g.baseAddress!, theta.count) }
    }
}
