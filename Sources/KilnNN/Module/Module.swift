import Kiln

/// The base of every layer and model: a callable with parameters, buffers and sub-modules.
///
/// Subclasses override ``forward(_:)-(Tensor)``. Parameters (`@Parameter`), buffers (`@Buffer`) and
/// sub-modules are found by reflection over stored properties and named by path exactly as PyTorch's
/// `state_dict` names them. A module, parameter or buffer may sit in a property directly, in an
/// optional, or in arrays and dictionaries (nested as deep as needed): an array is PyTorch's
/// `ModuleList` (`layers.0.weight`), a `[String: …]` dictionary its `ModuleDict` (`blocks.key.bias`,
/// keys in sorted order). A tuple or a `lazy var` holding one stops with a message naming the
/// property, because reflection cannot name it; other structs and classes are not searched.
///
/// ```swift
/// final class Net: Module {
///     let hidden = Linear(784, 128)
///     let out = Linear(128, 10)
///     override func forward(_ x: Tensor) -> Tensor { out(relu(hidden(x))) }
/// }
/// ```
///
/// **Several inputs.** A layer that needs more than one tensor (a mask, targets, a second sequence)
/// overrides ``inputArity`` and ``forward(_:)-([Tensor])``, as a PyTorch module declares
/// `forward(self, x, mask=None)`; it is called as `layer(x, mask)` or `layer([x, mask])`, the count
/// is checked against ``inputArity`` first, and forward hooks see every input. A layer whose arity
/// admits one input can still be called as `layer(x)`; one that needs several cannot be placed in a
/// ``Sequential``, which passes one tensor from layer to layer.
///
/// ```swift
/// final class MaskedMean: Module {
///     override var inputArity: ClosedRange<Int> { 2...2 }
///     override func forward(_ inputs: [Tensor]) -> Tensor {
///         let (x, mask) = (inputs[0], inputs[1])
///         return (x * mask).sum(axis: 1) / mask.sum(axis: 1)
///     }
/// }
/// ```
open class Module: CustomStringConvertible {
    /// Whether the module is in training mode (dropout active, batch statistics used).
    public private(set) var isTraining = true

    internal var forwardHooks: [Int: (Module, [Tensor], Tensor) -> Tensor?] = [:]
    internal var forwardPreHooks: [Int: (Module, [Tensor]) -> [Tensor]?] = [:]

    /// A module in training mode with no parameters, buffers or children of its own.
    public init() {}

    /// How many input tensors ``forward(_:)-([Tensor])`` accepts: `1...1` unless a layer says otherwise.
    open var inputArity: ClosedRange<Int> { 1...1 }

    /// The computation on one input; single-input layers override this.
    ///
    /// For a layer whose ``inputArity`` is not `1...1` the default passes `[input]` to ``forward(_:)-([Tensor])``.
    open func forward(_ input: Tensor) -> Tensor {
        guard inputArity != 1...1 else { fatalError("\(type(of: self)) must override forward(_:)") }
        return forward([input])
    }

    /// The computation on several inputs; layers whose ``inputArity`` is not `1...1` override this.
    ///
    /// For a single-input layer the default passes the one input to ``forward(_:)-(Tensor)``.
    open func forward(_ inputs: [Tensor]) -> Tensor {
        guard inputArity == 1...1 else { fatalError("\(type(of: self)) must override forward(_ inputs: [Tensor])") }
        return forward(inputs[0])
    }

    /// Runs any forward pre-hooks, ``forward(_:)-(Tensor)``, then any forward hooks.
    public final func callAsFunction(_ input: Tensor) -> Tensor {
        checkArity(1)
        let input = forwardPreHooks.isEmpty ? input : runPreHooks([input])[0]
        let output = forward(input)
        return forwardHooks.isEmpty ? output : runHooks([input], output)
    }

    /// Runs any forward pre-hooks, ``forward(_:)-([Tensor])`` on `inputs`, then any forward hooks.
    /// - Precondition: ``inputArity`` contains `inputs.count`.
    public final func callAsFunction(_ inputs: [Tensor]) -> Tensor {
        checkArity(inputs.count)
        let inputs = forwardPreHooks.isEmpty ? inputs : runPreHooks(inputs)
        let output = forward(inputs)
        return forwardHooks.isEmpty ? output : runHooks(inputs, output)
    }

    /// Runs ``forward(_:)-([Tensor])`` on two or more inputs: `attention(x, mask)`.
    public final func callAsFunction(_ first: Tensor, _ second: Tensor, _ rest: Tensor...) -> Tensor {
        self([first, second] + rest)
    }

    private func checkArity(_ count: Int) {
        precondition(inputArity.contains(count),
                     "\(type(of: self)): called with \(count) input\(count == 1 ? "" : "s"), but it takes \(inputArity.countDescription)")
    }

    private func runPreHooks(_ inputs: [Tensor]) -> [Tensor] {
        forwardPreHooks.keys.sorted().reduce(inputs) { inputs, key in
            guard let replaced = forwardPreHooks[key]!(self, inputs) else { return inputs }
            precondition(replaced.count == inputs.count,
                         "\(type(of: self)): a forward pre-hook returned \(replaced.count) inputs for \(inputs.count)")
            return replaced
        }
    }

    private func runHooks(_ inputs: [Tensor], _ output: Tensor) -> Tensor {
        forwardHooks.keys.sorted().reduce(output) { output, key in forwardHooks[key]!(self, inputs, output) ?? output }
    }

    // MARK: Description

    /// The module tree as PyTorch's `repr` prints it: the type name, ``extraDescription`` and the children.
    open var description: String { ModuleDescription.describe(self) }

    /// This module's arguments as its PyTorch counterpart's `extra_repr` writes them
    /// (`in_features=784, out_features=512, bias=True`); empty by default. Layers override it.
    open var extraDescription: String { "" }

    // MARK: Discovery

    /// The direct sub-modules with their names (`encoder`, `layers.0`, `blocks.key`), in declaration order.
    open var namedChildren: [(name: String, module: Module)] { ModuleReflection.members(of: self).children }

    /// This module's own parameters (not its children's), in declaration order.
    open var ownParameters: [(name: String, parameter: Parameter)] { ModuleReflection.members(of: self).parameters }

    /// This module's own buffers, in declaration order.
    open var ownBuffers: [(name: String, buffer: Buffer)] { ModuleReflection.members(of: self).buffers }

    /// Every module in the tree with its path ("" for this one), parents before children.
    ///
    /// - Precondition: no module holds one of its ancestors (a `parent` property would loop forever).
    public func namedModules() -> [(name: String, module: Module)] {
        namedModules(below: [])
    }

    private final func namedModules(below ancestors: Set<ObjectIdentifier>) -> [(name: String, module: Module)] {
        var result: [(String, Module)] = [("", self)]
        let lineage = ancestors.union([ObjectIdentifier(self)])
        for (name, child) in namedChildren {
            precondition(!lineage.contains(ObjectIdentifier(child)),
                         "\(type(of: self)): sub-module '\(name)' is itself or one of its ancestors, so the module tree would "
                         + "never end; a module must not hold its parent")
            for (sub, m) in child.namedModules(below: lineage) { result.append((sub.isEmpty ? name : "\(name).\(sub)", m)) }
        }
        return result
    }

    /// Every parameter in the tree, named by path (`layers.0.weight`).
    ///
    /// A parameter reached by several paths (a module held twice, tied weights) is listed once, under
    /// its first path, as PyTorch's `named_parameters()` does; ``stateDict()`` keeps every path.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var seen = Set<ObjectIdentifier>()
        return namedParametersOnEveryPath().filter { seen.insert(ObjectIdentifier($0.parameter)).inserted }
    }

    /// Every parameter in the tree.
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// Every buffer in the tree, named by path; a buffer reached by several paths is listed once.
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        var seen = Set<ObjectIdentifier>()
        return namedBuffersOnEveryPath().filter { seen.insert(ObjectIdentifier($0.buffer)).inserted }
    }

    /// Every parameter under every path that reaches it.
    final func namedParametersOnEveryPath() -> [(name: String, parameter: Parameter)] {
        namedModules().flatMap { path, module in
            module.ownParameters.map { (path.isEmpty ? $0.name : "\(path).\($0.name)", $0.parameter) }
        }
    }

    /// Every buffer under every path that reaches it.
    final func namedBuffersOnEveryPath() -> [(name: String, buffer: Buffer)] {
        namedModules().flatMap { path, module in
            module.ownBuffers.map { (path.isEmpty ? $0.name : "\(path).\($0.name)", $0.buffer) }
        }
    }

    /// The number of parameter elements (trainable and frozen).
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.count } }

    /// The number of trainable parameter elements.
    public var trainableParameterCount: Int {
        parameters().filter { !$0.isFrozen }.reduce(0) { $0 + $1.value.count }
    }

    // MARK: Modes

    /// Sets training mode on this module and all sub-modules.
    public func train(_ on: Bool = true) {
        for (_, m) in namedModules() { m.isTraining = on }
    }

    /// Sets evaluation mode on this module and all sub-modules.
    public func eval() { train(false) }

    /// Freezes every parameter: no gradients, no optimizer updates.
    public func freeze() { for p in parameters() { p.isFrozen = true } }

    /// Makes every parameter trainable again.
    public func unfreeze() { for p in parameters() { p.isFrozen = false } }

    /// Clears every parameter's accumulated gradient.
    public func zeroGradients() { for p in parameters() { p.zeroGradient() } }
}

extension ClosedRange<Int> {
    /// "2" or "1 to 3", for messages about input counts.
    var countDescription: String { lowerBound == upperBound ? "\(lowerBound)" : "\(lowerBound) to \(upperBound)" }
}
