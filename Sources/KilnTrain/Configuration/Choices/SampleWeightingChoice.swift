import KilnNN

/// How a batch's per-sample training losses are weighted: equally, or by a strategy of dynamic
/// loss-based reweighting (``LossReweighting``, Sow et al. 2025) that favours samples by their loss.
public enum SampleWeightingChoice: String, NamedChoice {
    /// Every sample weighs the same: the plain mean.
    case none
    /// ``LossReweighting/linUpper``: the lowest losses weigh least.
    case linUpper = "lin_upper"
    /// ``LossReweighting/quadratic``: mid-range losses weigh most.
    case quadratic
    /// ``LossReweighting/extremes``: the lowest and highest losses weigh most.
    case extremes

    public static let setting = "sample_weighting"

    /// The reweighting strategy, or nil for equal weights.
    public var reweighting: LossReweighting? {
        switch self {
        case .none: nil
        case .linUpper: .linUpper
        case .quadratic: .quadratic
        case .extremes: .extremes
        }
    }
}
