import KilnTrain

/// The model a run's settings name, sized to its data.
enum RunModels {
    static func make(_ settings: TrainSettings, data: RunData) -> Module {
        settings.model == "mlp"
            ? ReferenceModels.mlp(features: data.featureCount, classes: data.classes, activation: settings.activation)
            : ReferenceModels.cnn(channels: data.imageShape[0], side: data.imageShape[1], classes: data.classes,
                                  activation: settings.activation)
    }
}

/// The metrics every run reports on its test set.
enum RunMetrics {
    static func make(classes: Int) -> [any Metric] {
        [Accuracy(), F1Score(classes: classes, average: .macro), ExpectedCalibrationError()]
    }
}
