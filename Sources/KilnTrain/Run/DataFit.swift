import KilnData

/// Checks, before training, that a run's settings can fit its data: one clear error each for a
/// model that cannot take the inputs, data without features, test labels the training set never
/// shows, more classes than a classifier can hold, and a batch larger than the training set.
public enum DataFit {
    /// The most classes a run's classifier may have (labels `0..<maximumClasses`).
    public static let maximumClasses = 100_000

    /// Checks `data` against `settings`; a model given in Swift (`builtInModel` false) is taken to fit the inputs.
    public static func check(_ settings: TrainSettings, data: RunData, builtInModel: Bool = true) throws(RunError) {
        try check(settings, inputShape: data.inputShape, classes: data.classes, train: data.train, test: data.test, source: data.source,
                  builtInModel: builtInModel)
    }

    /// - Parameters:
    ///   - inputShape: one example's shape without the batch dimension (`[features]` for tabular data).
    ///   - source: the data's name for messages (a path, or "Fashion-MNIST").
    public static func check(_ settings: TrainSettings, inputShape: [Int], classes: Int, train: TensorDataset, test: TensorDataset,
                             source: String, builtInModel: Bool = true) throws(RunError) {
        if classes > maximumClasses {
            throw RunError("\(source): labels up to \(classes - 1) ask for \(classes) classes; at most \(maximumClasses) are supported")
        }
        if inputShape.contains(0) || inputShape.isEmpty { throw RunError("\(source): the examples have no features") }
        if builtInModel && settings.model == .cnn && inputShape.count != 3 {
            throw RunError("the cnn model needs images [channels, height, width], but \(source) holds \(inputShape.reduce(1, *)) "
                           + "tabular features per example; use --model mlp")
        }
        if train.count == 0 { throw RunError("\(source): no training examples") }
        if settings.batchSize > train.count {
            throw RunError("batch size \(settings.batchSize) is larger than the \(train.count) training examples of \(source)")
        }
        guard test.targets.dtype == .int64 && train.targets.dtype == .int64 else { return }
        let unseen = Set(test.targets.integers).subtracting(train.targets.integers).sorted()
        if !unseen.isEmpty {
            let shown = unseen.prefix(5).map(String.init).joined(separator: ", ") + (unseen.count > 5 ? ", …" : "")
            throw RunError("\(source): test labels \(shown) never occur in the training examples")
        }
    }
}
