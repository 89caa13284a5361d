import KilnNN

/// The normalization layer of a configured model's blocks, by name.
public enum NormalizationChoice: String, NamedChoice {
    case none
    /// ``BatchNorm1d`` after a linear layer, ``BatchNorm2d`` after a convolution.
    case batch
    /// ``LayerNorm`` over the features (MLP only).
    case layer
    /// ``RMSNorm`` over the features (MLP only).
    case rms

    public static let setting = "norm"

    /// The layer normalizing `features` outputs of a linear layer, or nil for `none`.
    func forFeatures(_ features: Int) -> Module? {
        switch self {
        case .none: nil
        case .batch: BatchNorm1d(features)
        case .layer: LayerNorm([features])
        case .rms: RMSNorm([features])
        }
    }
}
