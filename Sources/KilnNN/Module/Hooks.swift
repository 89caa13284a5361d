import Kiln

/// A registered forward hook; ``remove()`` unregisters it.
public struct HookHandle {
    let module: Module
    let key: Int

    /// Stops the hook from being called.
    public func remove() { module.forwardHooks[key] = nil }
}

nonisolated(unsafe) private var nextHookKey = 0

extension Module {
    /// Calls `hook(module, inputs, output)` after every forward pass of this module, with every input
    /// it was called with (one for most layers), as PyTorch's `register_forward_hook`.
    @discardableResult
    public func addForwardHook(_ hook: @escaping (Module, [Tensor], Tensor) -> Void) -> HookHandle {
        nextHookKey += 1
        forwardHooks[nextHookKey] = hook
        return HookHandle(module: self, key: nextHookKey)
    }

    /// The sub-module at a dotted path (`"layers.1"`), or nil.
    public func module(at path: String) -> Module? {
        namedModules().first { $0.name == path }?.module
    }

    /// Runs `body` and returns the outputs the named sub-modules produced during it.
    ///
    /// The lab tools use this to read any layer's activations.
    /// - Precondition: every path names a sub-module.
    public func capturingOutputs(of paths: [String], during body: () -> Void) -> [String: [Tensor]] {
        var captured: [String: [Tensor]] = [:]
        let handles = paths.map { path -> HookHandle in
            guard let m = module(at: path) else {
                preconditionFailure("capturingOutputs: no sub-module '\(path)' in \(type(of: self))")
            }
            return m.addForwardHook { _, _, output in captured[path, default: []].append(output) }
        }
        defer { handles.forEach { $0.remove() } }
        body()
        return captured
    }
}
