import Kiln

/// PaLM's auxiliary z-loss: `weight · (log Z)²` per row, with log Z the logsumexp of the row's
/// logits over the last axis. It pulls log Z toward 0 so the softmax normalizer stays tame in
/// long low-precision training runs (Chowdhery et al. 2022 use weight 1e-4). Added to the
/// cross-entropy; it is not shift invariant, which is its point.
public func zLoss(logits: Tensor, weight: Float = 1e-4, reduction: LossReduction = .mean) -> Tensor {
    precondition(logits.rank >= 1, "zLoss: logits need a class axis, got shape \(logits.shape)")
    let logZ = logits.logSumExp(axis: -1)
    return reduction.apply(to: weight * (logZ * logZ))
}

/// The Z-loss of de Brébisson & Vincent 2016 ("The Z-loss: a shift and scale invariant
/// classification loss belonging to the Spherical Family"), a spherical-family alternative to
/// the log-softmax.
///
/// Each row o of `logits` (classes on the last axis) is z-normalized with its mean and population
/// standard deviation, z = (o − mean(o)) / std(o), and the loss of the target class c is the
/// paper's softplus form
///
///     L = (1/a) · log(1 + exp(a · (b − z_c)))
///
/// with sharpness `a` > 0 and location `b`, the paper's two hyper-parameters (it tunes them per
/// task; larger `b` pushes the target further above the mean, larger `a` makes the hinge sharper).
/// Because z is unchanged by o → α·o + β for α > 0, so is the loss. A row whose logits are all
/// equal has std 0; a 1e-12 floor on the variance keeps it finite.
public func sphericalZLoss(logits: Tensor, labels: Tensor, a: Float = 1, b: Float = 0,
                           reduction: LossReduction = .mean) -> Tensor {
    precondition(a > 0, "sphericalZLoss: a must be positive, got \(a)")
    let centered = logits - logits.mean(axis: -1, keepingDims: true)
    let variance = (centered * centered).mean(axis: -1, keepingDims: true)
    let z = centered * (variance + 1e-12).rsqrt()
    let target = pickingLabels(z, labels, op: "sphericalZLoss")
    return reduction.apply(to: softplus(a * (b - target)) / a)
}
