import KilnNN

/// Parameters that share a learning-rate scale and a weight decay, like a PyTorch param group.
public struct ParameterGroup {
    /// The parameters with the names their state is saved under (module paths such as `layers.0.weight`).
    public var parameters: [(name: String, parameter: Parameter)]
    /// The group's learning rate is the optimizer's ``Optimizer/learningRate`` times this.
    public var learningRateScale: Double
    /// The group's weight decay; nil means the optimizer's own.
    public var weightDecay: Double?

    /// A group of named parameters with its own learning-rate scale and, optionally, weight decay.
    public init(_ parameters: [(name: String, parameter: Parameter)], learningRateScale: Double = 1,
                weightDecay: Double? = nil) {
        self.parameters = parameters
        self.learningRateScale = learningRateScale
        self.weightDecay = weightDecay
    }

    /// Groups over all of `model`'s parameters.
    ///
    /// With `decayingVectors: false`, parameters of rank 0 or 1 (biases and normalization
    /// scales and shifts) go into a second group with no weight decay, the usual practice
    /// for AdamW on transformers.
    public static func groups(of model: Module, decayingVectors: Bool = true) -> [ParameterGroup] {
        let all = model.namedParameters()
        if decayingVectors { return [ParameterGroup(all)] }
        let vectors = all.filter { $0.parameter.value.rank <= 1 }
        let matrices = all.filter { $0.parameter.value.rank > 1 }
        return [ParameterGroup(matrices), ParameterGroup(vectors, weightDecay: 0)].filter { !$0.parameters.isEmpty }
    }
}
