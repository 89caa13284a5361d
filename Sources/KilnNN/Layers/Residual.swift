import Kiln

/// A residual connection, `body(x) + shortcut(x)`, with the input itself as the shortcut unless
/// one is given (a projection where `body` changes the shape, as in ResNet's downsampling blocks).
public final class Residual: Module {
    /// The transformation whose output is added to the shortcut.
    public let body: Module
    /// The path of the input to the sum; nil for the identity.
    public let shortcut: Module?

    /// `body(x) + x`, or `body(x) + shortcut(x)` when a `shortcut` is given.
    public init(_ body: Module, shortcut: Module? = nil) {
        self.body = body
        self.shortcut = shortcut
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        body(x) + (shortcut.map { $0(x) } ?? x)
    }
}
