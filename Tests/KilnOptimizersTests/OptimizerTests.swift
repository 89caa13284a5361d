import Kiln
import KilnNN
import KilnOptimizers
import Testing

/// Every optimizer against `torch.optim` step for step on the fixture quadratics.
@Suite struct OptimizerTests {
    static func make(_ name: String, for model: Quadratic) -> any Optimizer {
        switch name {
        case "sgd": SGD(learningRate: 0.1)
        case "sgd_momentum": SGD(learningRate: 0.05, momentum: 0.9)
        case "sgd_dampening_decay": SGD(learningRate: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01)
        case "sgd_nesterov": SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        case "sgd_maximize": SGD(learningRate: 0.002, momentum: 0.5, maximize: true)
        case "adam": Adam(learningRate: 0.01)
        case "adam_decay_amsgrad": Adam(learningRate: 0.01, betas: (0.8, 0.99), weightDecay: 0.1, amsgrad: true)
        case "adamw": AdamW(learningRate: 0.01, weightDecay: 0.1)
        case "adamw_amsgrad": AdamW(learningRate: 0.01, epsilon: 1e-6, weightDecay: 0.1, amsgrad: true)
        case "adamw_maximize": AdamW(learningRate: 0.001, betas: (0.3, 0.9), maximize: true)
        case "adamw_groups":
            AdamW(groups: [ParameterGroup([("W", model.$W), ("T", model.$T)]),
                           ParameterGroup([("b", model.$b)], learningRateScale: 0.5, weightDecay: 0)],
                  learningRate: 0.01, weightDecay: 0.1)
        case "lion": Lion(learningRate: 0.001)
        case "lion_decay": Lion(learningRate: 0.003, betas: (0.95, 0.98), weightDecay: 0.5)
        case "rmsprop": RMSprop(learningRate: 0.01)
        case "rmsprop_centered": RMSprop(learningRate: 0.003, epsilon: 1e-4, centered: true)
        case "rmsprop_centered_momentum":
            RMSprop(learningRate: 0.001, alpha: 0.95, epsilon: 1e-4, weightDecay: 0.01, momentum: 0.9, centered: true)
        case "adagrad": Adagrad(learningRate: 0.1)
        case "adagrad_decay_initial":
            Adagrad(learningRate: 0.1, learningRateDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1, epsilon: 1e-8)
        case "adafactor": Adafactor(learningRate: 0.01)
        case "adafactor_decay":
            Adafactor(learningRate: 0.01, epsilon: (1e-20, 1e-2), clippingThreshold: 2, weightDecay: 0.1)
        case "adamax": Adamax(learningRate: 0.01)
        case "adamax_decay": Adamax(learningRate: 0.01, betas: (0.8, 0.99), epsilon: 1e-6, weightDecay: 0.1)
        case "adamax_maximize": Adamax(learningRate: 0.001, maximize: true)
        case "nadam": NAdam(learningRate: 0.01)
        case "nadam_decay": NAdam(learningRate: 0.01, betas: (0.8, 0.99), weightDecay: 0.1, momentumDecay: 0.01)
        case "nadam_decoupled": NAdam(learningRate: 0.01, weightDecay: 0.1, decoupledWeightDecay: true)
        case "nadam_maximize": NAdam(learningRate: 0.001, epsilon: 1e-6, maximize: true)
        case "radam": RAdam(learningRate: 0.01)
        case "radam_decay": RAdam(learningRate: 0.01, betas: (0.8, 0.99), weightDecay: 0.1)
        case "radam_decoupled": RAdam(learningRate: 0.01, weightDecay: 0.1, decoupledWeightDecay: true)
        case "radam_maximize": RAdam(learningRate: 0.001, epsilon: 1e-6, maximize: true)
        case "orthograd_sgd": OrthoGrad(SGD(learningRate: 0.01, momentum: 0.5))
        case "orthograd_adamw": OrthoGrad(AdamW(learningRate: 0.002, weightDecay: 0.1))
        default: fatalError("no optimizer case \(name)")
        }
    }

    static let cases = [
        "sgd", "sgd_momentum", "sgd_dampening_decay", "sgd_nesterov", "sgd_maximize",
        "adam", "adam_decay_amsgrad", "adamw", "adamw_amsgrad", "adamw_maximize", "adamw_groups",
        "lion", "lion_decay", "rmsprop", "rmsprop_centered", "rmsprop_centered_momentum",
        "adagrad", "adagrad_decay_initial", "adafactor", "adafactor_decay",
        "adamax", "adamax_decay", "adamax_maximize", "nadam", "nadam_decay", "nadam_decoupled", "nadam_maximize",
        "radam", "radam_decay", "radam_decoupled", "radam_maximize", "orthograd_sgd", "orthograd_adamw",
    ]

    @Test(arguments: cases)
    func followsPyTorch(_ name: String) {
        let model = Quadratic()
        let optimizer = Self.make(name, for: model)
        // ⊥Grad's projection accumulates its dot products in Double, the reference in float32:
        // 200 steps of that rounding drift by up to 2e-5.
        let relative: Float = name.hasPrefix("orthograd") ? 5e-5 : 1e-5
        for step in 1...200 {
            optimizer.update(model, along: model.gradients())
            guard [1, 10, 50, 200].contains(step) else { continue }
            for (path, p) in model.namedParameters() {
                expectMatches(p.value, OptimizerFixtures.optimizers["\(name).\(step).\(path)"]!, relative: relative,
                              "\(name) step \(step) \(path)")
            }
        }
    }
}
