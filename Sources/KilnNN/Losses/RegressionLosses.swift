import Kiln

// Regression losses on the difference d = input − target, with PyTorch's definitions.
// Input and target must have the same shape (PyTorch would broadcast with a warning; here a
// mismatch stops with both shapes, since it is almost always a bug).

private func difference(_ input: Tensor, _ target: Tensor, op: String) -> Tensor {
    precondition(input.shape == target.shape, "\(op): input \(input.shape) and target \(target.shape) differ in shape")
    return input - target
}

/// d², as PyTorch's `mse_loss`.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
    let d = difference(input, target, op: "mseLoss")
    return reduction.apply(to: d * d)
}

/// |d|, as PyTorch's `l1_loss` (gradient 0 where d = 0).
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
    reduction.apply(to: difference(input, target, op: "l1Loss").abs())
}

/// ½d² where |d| ≤ δ and δ·(|d| − ½δ) beyond, as PyTorch's `huber_loss`.
///
/// Computed as q·(|d| − ½q) with q = min(|d|, δ), whose gradient is clamp(d, −δ, δ).
public func huberLoss(_ input: Tensor, _ target: Tensor, delta: Float = 1, reduction: LossReduction = .mean) -> Tensor {
    precondition(delta > 0, "huberLoss: delta must be positive, got \(delta)")
    return reduction.apply(to: huberTerms(difference(input, target, op: "huberLoss"), delta))
}

/// ½d²/β where |d| < β and |d| − ½β beyond, as PyTorch's `smooth_l1_loss`: the Huber loss divided
/// by β, and the L1 loss when β = 0.
public func smoothL1Loss(_ input: Tensor, _ target: Tensor, beta: Float = 1, reduction: LossReduction = .mean) -> Tensor {
    precondition(beta >= 0, "smoothL1Loss: beta must not be negative, got \(beta)")
    let d = difference(input, target, op: "smoothL1Loss")
    return reduction.apply(to: beta == 0 ? d.abs() : huberTerms(d, beta) / beta)
}

private func huberTerms(_ d: Tensor, _ delta: Float) -> Tensor {
    let a = d.abs()
    let q = a.clamped(max: delta)
    return q * (a - 0.5 * q)
}

/// Mean squared error as a callable value (PyTorch's `MSELoss`).
public struct MSELoss {
    public var reduction: LossReduction
    /// The loss with `reduction` (PyTorch's default `.mean`).
    public init(reduction: LossReduction = .mean) { self.reduction = reduction }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor { mseLoss(input, target, reduction: reduction) }
}

/// Absolute error as a callable value (PyTorch's `L1Loss`).
public struct L1Loss {
    public var reduction: LossReduction
    /// The loss with `reduction` (PyTorch's default `.mean`).
    public init(reduction: LossReduction = .mean) { self.reduction = reduction }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor { l1Loss(input, target, reduction: reduction) }
}

/// The Huber loss as a callable value (PyTorch's `HuberLoss`).
public struct HuberLoss {
    public var delta: Float
    public var reduction: LossReduction
    /// The loss that is quadratic within `delta` of the target and linear beyond, with PyTorch's defaults.
    public init(delta: Float = 1, reduction: LossReduction = .mean) {
        self.delta = delta
        self.reduction = reduction
    }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        huberLoss(input, target, delta: delta, reduction: reduction)
    }
}

/// The smooth L1 loss as a callable value (PyTorch's `SmoothL1Loss`).
public struct SmoothL1Loss {
    public var beta: Float
    public var reduction: LossReduction
    /// The loss that is quadratic within `beta` of the target and linear beyond, with PyTorch's defaults.
    public init(beta: Float = 1, reduction: LossReduction = .mean) {
        self.beta = beta
        self.reduction = reduction
    }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        smoothL1Loss(input, target, beta: beta, reduction: reduction)
    }
}
