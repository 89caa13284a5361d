import Kiln

/// The SNR distance of Yuan et al. 2019 ("Signal-to-Noise Ratio: A Robust Distance Metric for Deep
/// Metric Learning"): d(x, y) = var(y − x) / var(x), the inverse signal-to-noise ratio when `y` is
/// read as the signal `x` plus noise y − x.
///
/// Variances are taken over the last axis (the feature dimension), so `[N, D]` features give `[N]`
/// distances (leading axes broadcast). It is not symmetric: d(x, y) ≠ d(y, x) unless var(x) = var(y).
/// It is invariant to adding a constant to either feature vector and to scaling both together, and
/// is 0 exactly when y − x is constant. Differentiable in both arguments.
public func snrDistance(_ anchor: Tensor, _ other: Tensor) -> Tensor {
    precondition(anchor.dtype == .float32 && anchor.rank >= 1 && anchor.shape.last! >= 1,
                 "snrDistance: anchor must be a float tensor with a feature axis, got \(anchor.dtype) \(anchor.shape)")
    let axis = -1
    return (other - anchor).variance(axis: axis, correction: 0) / anchor.variance(axis: axis, correction: 0)
}
