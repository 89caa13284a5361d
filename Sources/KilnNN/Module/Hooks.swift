import Kiln

/// A registered forward hook or pre-hook; ``remove()`` unregisters it.
public struct HookHandle {
    let module: Module
    let key: Int

    /// Stops the hook from being called.
    public func remove() {
        module.forwardHooks[key] = nil
        module.forwardPreHooks[key] = nil
    }
}

nonisolated(unsafe) private var nextHookKey = 0

extension Module {
    /// Calls `hook(module, inputs, output)` after every forward pass of this module, with every input
    /// it was called with (one for most layers), as PyTorch's `register_forward_hook`.
    @discardableResult
    public func addForwardHook(_ hook: @escaping (Module, [Tensor], Tensor) -> Void) -> HookHandle {
        addForwardHook(replacingOutput: { module, inputs, output in
            hook(module, inputs, output)
            return nil
        })
    }

    /// Calls `hook(module, inputs, output)` after every forward pass of this module; when it returns a
    /// tensor, the call returns that instead of the module's output, as a PyTorch forward hook that
    /// returns a value. Hooks run in the order they were added, each on the last one's output.
    @discardableResult
    public func addForwardHook(replacingOutput hook: @escaping (Module, [Tensor], Tensor) -> Tensor?) -> HookHandle {
        nextHookKey += 1
        forwardHooks[nextHookKey] = hook
        return HookHandle(module: self, key: nextHookKey)
    }

    /// Calls `hook(module, inputs)` before every forward pass of this module; when it returns tensors
    /// (as many as it was given), the module computes on them instead, as PyTorch's
    /// `register_forward_pre_hook`. Pre-hooks run in the order they were added, each on the last one's inputs.
    @discardableResult
    public func addForwardPreHook(_ hook: @escaping (Module, [Tensor]) -> [Tensor]?) -> HookHandle {
        nextHookKey += 1
        forwardPreHooks[nextHookKey] = hook
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
        capturing(paths, "capturingOutputs", during: body) { _, output in output }
    }

    /// Runs `body` and returns the first input of every call of the named sub-modules during it
    /// (what a linear layer multiplies by its weight).
    /// - Precondition: every path names a sub-module.
    public func capturingInputs(of paths: [String], during body: () -> Void) -> [String: [Tensor]] {
        capturing(paths, "capturingInputs", during: body) { inputs, _ in inputs[0] }
    }

    private func capturing(_ paths: [String], _ op: String, during body: () -> Void,
                           keep: @escaping ([Tensor], Tensor) -> Tensor) -> [String: [Tensor]] {
        var captured: [String: [Tensor]] = [:]
        let handles = paths.map { path -> HookHandle in
            guard let m = module(at: path) else {
                preconditionFailure("\(op): no sub-module '\(path)' in \(type(of: self))")
            }
            return m.addForwardHook { _, inputs, output in captured[path, default: []].append(keep(inputs, output)) }
        }
        defer { handles.forEach { $0.remove() } }
        body()
        return captured
    }
}
