import KilnNN

/// The built-in models a run can train by name.
public enum ModelChoice: String, NamedChoice {
    /// ``ReferenceModels/mlp(features:classes:activation:)``: two hidden layers, for any input shape.
    case mlp
    /// ``ReferenceModels/cnn(channels:side:classes:activation:)``: for square images `[channels, side, side]`.
    case cnn

    public static let setting = "model"

    /// The model for examples of `inputShape` (without the batch dimension) and `classes` classes:
    /// the reference model, or the architecture the settings describe. A flat input counts as an
    /// image of 1 × n × 1 for the CNN (``DataFit`` refuses that pairing first).
    public func make(inputShape: [Int], classes: Int, settings: TrainSettings) throws(RunError) -> Module {
        switch self {
        case .mlp:
            let features = inputShape.reduce(1, *)
            if let mlp = settings.mlp { return mlp.make(features: features, classes: classes, activation: settings.activation) }
            return ReferenceModels.mlp(features: features, classes: classes, activation: settings.activation)
        case .cnn:
            let image = inputShape.count == 3 ? inputShape : [1, inputShape.reduce(1, *), 1]
            if let cnn = settings.cnn {
                return try cnn.make(imageChannels: image[0], side: image[1], classes: classes, activation: settings.activation)
            }
            return ReferenceModels.cnn(channels: image[0], side: image[1], classes: classes, activation: settings.activation)
        }
    }
}
