import Kiln
import KilnNN
import KilnOptimizers

/// The proxies read from one gradient of the weights: gradient norm, SNIP and SynFlow.
enum GradientProxies {
    /// The weights (parameters of rank ≥ 2) by path, with their gradient of the batch's mean
    /// cross-entropy over every label (each position's, for a language model).
    static func weightGradients(_ probe: ArchitectureProbe) -> [(weight: Tensor, gradient: Tensor)] {
        probe.model.train()
        let (_, gradients) = valueAndGradient(of: probe.model) { m in
            let logits = m(probe.inputs)
            return crossEntropy(logits: logits.reshaped([-1, logits.shape[logits.rank - 1]]), labels: probe.labels.reshaped([-1]))
        }
        return weights(of: probe.model).compactMap { name, w in gradients[name].map { (w, $0) } }
    }

    /// The trainable parameters of rank ≥ 2, by path, in path order.
    static func weights(of model: Module) -> [(name: String, value: Tensor)] {
        model.namedParameters().filter { !$0.parameter.isFrozen && $0.parameter.value.rank >= 2 }
            .map { ($0.name, $0.parameter.value) }.sorted { $0.name < $1.name }
    }

    static func gradientNorm(_ probe: ArchitectureProbe) -> Double {
        let pairs = weightGradients(probe)
        return withoutGradient { pairs.reduce(0) { $0 + Double($1.gradient.norm().item) } }
    }

    static func snip(_ probe: ArchitectureProbe) -> Double {
        let pairs = weightGradients(probe)
        return withoutGradient { pairs.reduce(0) { $0 + Double(($1.weight * $1.gradient).abs().sum().item) } }
    }

    /// SynFlow: the weights made positive, one all-ones input (of the inputs' type: token id 1 for
    /// a language model) in evaluation mode, restored afterwards.
    static func synflow(_ probe: ArchitectureProbe) -> Double {
        let model = probe.model
        let parameters = model.namedParameters().map(\.parameter)
        let saved = parameters.map(\.value)
        defer {
            for (p, v) in zip(parameters, saved) { p.value = v }
            model.train()
        }
        for p in parameters { p.value = withoutGradient { p.value.abs() } }
        model.eval()
        let ones = Tensor(ones: [1] + probe.inputs.shape.dropFirst()).cast(to: probe.inputs.dtype)
        let (_, gradients) = valueAndGradient(of: model) { m in m(ones).sum() }
        return withoutGradient {
            weights(of: model).reduce(0) { sum, w in sum + (gradients[w.name].map { Double((w.value * $0).sum().item) } ?? 0) }
        }
    }
}

/// What a forward pass costs.
public enum ModelCost {
    /// 2 × the multiply-adds of `model`'s ``Linear`` and ``Conv2d`` layers for one example of
    /// `exampleShape` (measured by running one zero example through the model in evaluation mode).
    public static func flops(of model: Module, exampleShape: [Int]) -> Double {
        var multiplyAdds = 0.0
        let handles = model.namedModules().compactMap { _, module -> HookHandle? in
            if let linear = module as? Linear {
                return linear.addForwardHook { _, _, output in
                    multiplyAdds += Double(linear.weight.count) * Double(output.count / output.shape[output.rank - 1])
                }
            }
            if let conv = module as? Conv2d {
                return conv.addForwardHook { _, _, output in
                    multiplyAdds += Double(conv.weight.count) * Double(output.count / output.shape[1])
                }
            }
            return nil
        }
        defer { handles.forEach { $0.remove() } }
        let wasTraining = model.isTraining
        model.eval()
        _ = withoutGradient { model(Tensor(zeros: [1] + exampleShape)) }
        model.train(wasTraining)
        return 2 * multiplyAdds
    }
}
