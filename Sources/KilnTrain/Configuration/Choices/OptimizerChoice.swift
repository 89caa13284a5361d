import KilnOptimizers

/// The optimizers a run can use by name, each built from a learning rate and a weight decay.
public enum OptimizerChoice: String, NamedChoice {
    /// Adam with decoupled weight decay.
    case adamw
    /// Adam with the weight decay added to the gradient (L2).
    case adam
    /// SGD with momentum 0.9.
    case sgd
    case lion, rmsprop, adagrad, adamax, nadam, radam, adafactor

    public static let setting = "optimizer"

    /// The optimizer with its other hyper-parameters at their defaults (PyTorch's).
    public func make(learningRate: Double, weightDecay: Double) -> any Optimizer {
        switch self {
        case .adamw: AdamW(learningRate: learningRate, weightDecay: weightDecay)
        case .adam: Adam(learningRate: learningRate, weightDecay: weightDecay)
        case .sgd: SGD(learningRate: learningRate, momentum: 0.9, weightDecay: weightDecay)
        case .lion: Lion(learningRate: learningRate, weightDecay: weightDecay)
        case .rmsprop: RMSprop(learningRate: learningRate, weightDecay: weightDecay)
        case .adagrad: Adagrad(learningRate: learningRate, weightDecay: weightDecay)
        case .adamax: Adamax(learningRate: learningRate, weightDecay: weightDecay)
        case .nadam: NAdam(learningRate: learningRate, weightDecay: weightDecay)
        case .radam: RAdam(learningRate: learningRate, weightDecay: weightDecay)
        case .adafactor: Adafactor(learningRate: learningRate, weightDecay: weightDecay)
        }
    }
}
