import KilnOptimizers

/// Optimizers and schedules by the names `kiln train` accepts.
enum RunOptimizers {
    static func make(_ name: String, learningRate: Double, weightDecay: Double) -> any Optimizer {
        switch name {
        case "adam": Adam(learningRate: learningRate, weightDecay: weightDecay)
        case "sgd": SGD(learningRate: learningRate, momentum: 0.9, weightDecay: weightDecay)
        case "lion": Lion(learningRate: learningRate, weightDecay: weightDecay)
        case "rmsprop": RMSprop(learningRate: learningRate, weightDecay: weightDecay)
        case "adagrad": Adagrad(learningRate: learningRate, weightDecay: weightDecay)
        default: AdamW(learningRate: learningRate, weightDecay: weightDecay)
        }
    }
}

enum RunSchedules {
    /// A named schedule sized to the run (`cosine`: to 0 over all steps, as PyTorch's
    /// `CosineAnnealingLR`), or any spec `family:key=value,...` taken as written.
    static func make(_ name: String, peak: Double, steps: Int) throws -> AnySchedule {
        let spec: String
        switch name {
        case "cosine": spec = "cosine:peak=\(peak),steps=\(steps)"
        case "constant": spec = "constant:peak=\(peak)"
        case "linear": spec = "linear:peak=\(peak),steps=\(steps)"
        case "wsd": spec = "wsd:peak=\(peak),steps=\(steps),decay=0.2"
        case "onecycle": spec = "onecycle:peak=\(peak),steps=\(steps)"
        default: spec = name
        }
        return try ScheduleSpec.parse(spec)
    }
}
