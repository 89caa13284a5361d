import Kiln

/// A trainable tensor owned by a module: `@Parameter var weight: Tensor`.
///
/// The wrapper is a reference, so optimizers update the module's weights through it
/// (`$weight` is the `Parameter` itself). A trainable parameter's value is an autodiff
/// leaf, so its gradient is collected by ``Module/valueAndGradient(of:_:)``.
@propertyWrapper
public final class Parameter {
    private var storedValue: Tensor

    /// A value computed from other parameters that stands in for this one during a forward pass;
    /// set by weight reparameterizations (``WeightNormalized``, ``SpectralNormalized``).
    var substitute: Tensor?

    /// Whether optimizers leave this parameter alone and no gradient is computed for it.
    public var isFrozen: Bool {
        didSet { storedValue = isFrozen ? storedValue.detached() : storedValue.detached().requiringGradient() }
    }

    /// A trainable parameter starting at `wrappedValue`, a float tensor, detached from its graph.
    public init(wrappedValue: Tensor) {
        precondition(wrappedValue.dtype == .float32, "Parameter: parameters are float tensors, not \(wrappedValue.dtype)")
        storedValue = wrappedValue.detached().requiringGradient()
        isFrozen = false
    }

    /// The current value; assigning keeps it a gradient leaf unless frozen.
    public var wrappedValue: Tensor {
        get { substitute ?? storedValue }
        set { storedValue = isFrozen ? newValue.detached() : newValue.detached().requiringGradient() }
    }

    public var projectedValue: Parameter { self }

    /// The value as a leaf (same thing as `wrappedValue`).
    public var value: Tensor {
        get { substitute ?? storedValue }
        set { wrappedValue = newValue }
    }

    /// The gradient accumulated by the last backward pass, if any.
    public var gradient: Tensor? { storedValue.grad }

    /// Updates the value in place (the storage is copied first only if shared), keeping the leaf.
    public func update(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        storedValue.withUnsafeMutableFloats(body)
    }

    /// Clears the accumulated gradient.
    public func zeroGradient() { storedValue.zeroGradient() }
}

/// A tensor of module state that is saved but not trained, such as BatchNorm's running mean.
@propertyWrapper
public final class Buffer {
    public var wrappedValue: Tensor

    /// A buffer holding `wrappedValue`, detached from its graph.
    public init(wrappedValue: Tensor) { self.wrappedValue = wrappedValue.detached() }

    public var projectedValue: Buffer { self }
}
