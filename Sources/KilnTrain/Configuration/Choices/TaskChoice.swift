import KilnData

/// What a run's model predicts from tabular data: a class or a value.
public enum TaskChoice: String, NamedChoice {
    /// Class labels; the model outputs one logit per class.
    case classification
    /// Numeric targets (CSV data only); the model outputs one value, trained on the standardized
    /// targets with loss `mse` or `huber` and reported as MAE, RMSE and R² in the targets' units.
    case regression

    public static let setting = "task"
}

extension CategoricalColumns: NamedChoice {
    public static let setting = "data.categorical"
}

extension MissingValues: NamedChoice {
    public static let setting = "data.missing"
}
