import Kiln

/// The checks every regression metric makes on its inputs.
enum RegressionInput {
    /// Checks float32 predictions against float32 targets of the same shape `[N]` or `[N, D]`
    /// (`[N, 1]` against `[N]` is accepted too) and returns `D`.
    static func outputs(_ metric: String, _ predictions: Tensor, _ targets: Tensor) -> Int {
        let p = predictions.shape, t = targets.shape
        let sameShape = p == t && (p.count == 1 || p.count == 2)
        let column = (p.count == 2 && p[1] == 1 && t == [p[0]]) || (t.count == 2 && t[1] == 1 && p == [t[0]])
        precondition(predictions.dtype == .float32 && targets.dtype == .float32 && (sameShape || column),
                     "\(metric): predictions of \(ClassificationInput.describe(predictions)) and targets of "
                     + "\(ClassificationInput.describe(targets)) do not fit; expected float32 tensors of one shape [N] or [N, D]")
        return sameShape && p.count == 2 ? p[1] : 1
    }

    /// Calls `body` with the predictions and targets as buffers of `N · D` floats after checking them.
    static func withValues<R>(_ metric: String, _ predictions: Tensor, _ targets: Tensor,
                              _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, _ outputs: Int) -> R) -> R {
        let d = outputs(metric, predictions, targets)
        return predictions.withUnsafeFloats { p in targets.withUnsafeFloats { t in body(p, t, d) } }
    }
}

/// The mean squared error over every predicted value (scikit-learn's `mean_squared_error`,
/// averaged uniformly over outputs).
public struct MeanSquaredError: Metric {
    /// The summed squared error so far.
    public private(set) var sum = 0.0
    /// Values seen so far.
    public private(set) var total = 0

    /// A mean squared error with no values seen.
    public init() {}

    public var name: String { "mse" }

    /// Adds float predictions and targets of one shape `[N]` or `[N, D]`.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        var running = sum
        RegressionInput.withValues("MeanSquaredError", outputs, targets) { p, t, _ in
            for i in 0..<p.count {
                let e = Double(p[i]) - Double(t[i])
                running += e * e
            }
        }
        sum = running
        total += outputs.count
    }

    public func compute() -> Double { total == 0 ? .nan : sum / Double(total) }

    public mutating func reset() { sum = 0; total = 0 }
}

/// The mean absolute error over every predicted value (scikit-learn's `mean_absolute_error`).
public struct MeanAbsoluteError: Metric {
    /// The summed absolute error so far.
    public private(set) var sum = 0.0
    /// Values seen so far.
    public private(set) var total = 0

    /// A mean absolute error with no values seen.
    public init() {}

    public var name: String { "mae" }

    /// Adds float predictions and targets of one shape `[N]` or `[N, D]`.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        var running = sum
        RegressionInput.withValues("MeanAbsoluteError", outputs, targets) { p, t, _ in
            for i in 0..<p.count { running += abs(Double(p[i]) - Double(t[i])) }
        }
        sum = running
        total += outputs.count
    }

    public func compute() -> Double { total == 0 ? .nan : sum / Double(total) }

    public mutating func reset() { sum = 0; total = 0 }
}

/// The coefficient of determination `R² = 1 − SS_res / SS_tot`, as scikit-learn's `r2_score`.
///
/// With several outputs `[N, D]` the per-output scores are averaged uniformly. An output whose
/// targets are constant scores 1 when predicted exactly and 0 otherwise (scikit-learn's
/// `force_finite`). The target variance is accumulated with Welford's update, so large target
/// offsets do not cancel.
public struct R2Score: Metric {
    private var outputs = 0
    private var count = 0
    private var means: [Double] = []
    private var squaredDeviations: [Double] = []
    private var squaredResiduals: [Double] = []

    /// An R² with no values seen.
    public init() {}

    public var name: String { "r2" }

    /// Adds float predictions and targets of one shape `[N]` or `[N, D]`.
    public mutating func update(_ predictions: Tensor, targets: Tensor) {
        RegressionInput.withValues("R2Score", predictions, targets) { p, t, d in
            if outputs == 0 {
                outputs = d
                means = [Double](repeating: 0, count: d)
                squaredDeviations = means
                squaredResiduals = means
            }
            precondition(d == outputs, "R2Score: predictions of shape \(predictions.shape) have \(d) outputs, "
                         + "earlier batches had \(outputs)")
            let rows = p.count / d
            var n = count
            means.withUnsafeMutableBufferPointer { mean in
                squaredDeviations.withUnsafeMutableBufferPointer { m2 in
                    squaredResiduals.withUnsafeMutableBufferPointer { ss in
                        for i in 0..<rows {
                            n += 1
                            for j in 0..<d {
                                let y = Double(t[i * d + j]), residual = Double(p[i * d + j]) - y
                                let delta = y - mean[j]
                                mean[j] += delta / Double(n)
                                m2[j] += delta * (y - mean[j])
                                ss[j] += residual * residual
                            }
                        }
                    }
                }
            }
            count = n
        }
    }

    /// R² of each output.
    public func perOutput() -> [Double] {
        zip(squaredResiduals, squaredDeviations).map { residual, deviation in
            deviation == 0 ? (residual == 0 ? 1 : 0) : 1 - residual / deviation
        }
    }

    public func compute() -> Double {
        if count == 0 { return .nan }
        let scores = perOutput()
        return scores.reduce(0, +) / Double(scores.count)
    }

    public mutating func reset() { self = R2Score() }
}
