import CKilnKernels

/// Whether operations on the calling thread record the autodiff graph.
public enum GradMode {
    /// True unless inside ``withoutGradient(_:)`` on this thread.
    @inlinable
    public static var isEnabled: Bool { kiln_grad_disabled_depth() == 0 }
}

/// Runs `body` without recording gradients on the calling thread (PyTorch's `no_grad`).
@inlinable
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
    let depth = kiln_grad_disabled_depth()
    kiln_set_grad_disabled_depth(depth + 1)
    defer { kiln_set_grad_disabled_depth(depth) }
    return try body()
}
