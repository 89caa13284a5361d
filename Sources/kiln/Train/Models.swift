import KilnTrain

/// The models `kiln train` builds by name.
enum RunModels {
    /// The model named in `settings`, sized to the data.
    static func make(_ settings: TrainSettings, data: RunData) -> Module {
        settings.model == "mlp"
            ? mlp(features: data.featureCount, classes: data.classes, activation: settings.activation)
            : cnn(channels: data.imageShape[0], side: data.imageShape[1], classes: data.classes, activation: settings.activation)
    }

    /// The activation module named by `--activation`.
    static func activation(_ name: String) -> Module {
        switch name {
        case "gelu": GELU()
        case "silu": SiLU()
        case "tanh": Tanh()
        case "leaky_relu": LeakyReLU()
        case "mish": Mish()
        default: ReLU()
        }
    }

    /// Linear(features → 512) → act → Linear(512 → 256) → act → Linear(256 → classes), on flattened inputs.
    static func mlp(features: Int, classes: Int, activation: String) -> Module {
        Sequential {
            Flatten()
            Linear(features, 512); Self.activation(activation)
            Linear(512, 256); Self.activation(activation)
            Linear(256, classes)
        }
    }

    /// Two conv + batch-norm + pool blocks, a hidden dense layer with dropout, and the classifier
    /// (the anchor CNN for 1 × 28 × 28 images).
    static func cnn(channels: Int, side: Int, classes: Int, activation: String) -> Module {
        let pooled = side / 4
        return Sequential {
            Conv2d(channels, 32, kernelSize: 3, padding: 1); BatchNorm2d(32); Self.activation(activation); MaxPool2d(2)
            Conv2d(32, 64, kernelSize: 3, padding: 1); BatchNorm2d(64); Self.activation(activation); MaxPool2d(2)
            Flatten()
            Linear(64 * pooled * pooled, 128); Self.activation(activation); Dropout(0.25)
            Linear(128, classes)
        }
    }
}

/// The metrics every run reports on its test set.
enum RunMetrics {
    static func make(classes: Int) -> [any Metric] {
        [Accuracy(), F1Score(classes: classes, average: .macro), ExpectedCalibrationError()]
    }
}
