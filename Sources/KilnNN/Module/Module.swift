import Kiln

/// The base of every layer and model: a callable with parameters, buffers and sub-modules.
///
/// Subclasses override ``forward(_:)``. Parameters (`@Parameter`), buffers (`@Buffer`) and
/// sub-modules (stored properties of a `Module` type, arrays or optionals of them) are found
/// by reflection and named by path exactly as PyTorch's `state_dict` names them: a property
/// `layers` holding an array gives `layers.0.weight`.
///
/// ```swift
/// final class Net: Module {
///     let hidden = Linear(784, 128)
///     let out = Linear(128, 10)
///     override func forward(_ x: Tensor) -> Tensor { out(relu(hidden(x))) }
/// }
/// ```
open class Module {
    /// Whether the module is in training mode (dropout active, batch statistics used).
    public private(set) var isTraining = true

    internal var forwardHooks: [Int: (Module, Tensor, Tensor) -> Void] = [:]

    public init() {}

    /// The computation; subclasses override it.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) must override forward(_:)")
    }

    /// Runs ``forward(_:)``, then any forward hooks.
    public final func callAsFunction(_ input: Tensor) -> Tensor {
        let output = forward(input)
        if !forwardHooks.isEmpty {
            for key in forwardHooks.keys.sorted() { forwardHooks[key]!(self, input, output) }
        }
        return output
    }

    // MARK: Discovery

    /// The direct sub-modules with their names.
    open var namedChildren: [(name: String, module: Module)] {
        var children: [(String, Module)] = []
        for (label, value) in Self.storedProperties(of: self) {
            switch value {
            case let module as Module: children.append((label, module))
            case let modules as [Module]:
                for (i, m) in modules.enumerated() { children.append(("\(label).\(i)", m)) }
            default: break
            }
        }
        return children
    }

    /// This module's own parameters (not its children's), in declaration order.
    open var ownParameters: [(name: String, parameter: Parameter)] {
        Self.storedProperties(of: self).compactMap { label, value in (value as? Parameter).map { (label, $0) } }
    }

    /// This module's own buffers, in declaration order.
    open var ownBuffers: [(name: String, buffer: Buffer)] {
        Self.storedProperties(of: self).compactMap { label, value in (value as? Buffer).map { (label, $0) } }
    }

    /// Every module in the tree with its path ("" for this one), parents before children.
    public func namedModules() -> [(name: String, module: Module)] {
        var result: [(String, Module)] = [("", self)]
        for (name, child) in namedChildren {
            for (sub, m) in child.namedModules() { result.append((sub.isEmpty ? name : "\(name).\(sub)", m)) }
        }
        return result
    }

    /// Every parameter in the tree, named by path (`layers.0.weight`).
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        namedModules().flatMap { path, module in
            module.ownParameters.map { (path.isEmpty ? $0.name : "\(path).\($0.name)", $0.parameter) }
        }
    }

    /// Every parameter in the tree.
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// Every buffer in the tree, named by path.
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
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

    // MARK: Reflection

    /// Stored properties of `object`, walking up superclasses, with property-wrapper underscores removed.
    static func storedProperties(of object: Any) -> [(String, Any)] {
        var result: [(String, Any)] = []
        var mirror: Mirror? = Mirror(reflecting: object)
        var chain: [Mirror] = []
        while let m = mirror { chain.append(m); mirror = m.superclassMirror }
        for m in chain.reversed() {
            for child in m.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }
                if case Optional<Any>.some(let unwrapped) = child.value as Any? {
                    result.append((label, Self.unwrapOptional(unwrapped)))
                }
            }
        }
        return result
    }

    private static func unwrapOptional(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value ?? ()
    }
}
