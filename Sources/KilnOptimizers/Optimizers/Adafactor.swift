import CKilnKernels
import Foundation
import KilnNN

/// Adafactor (Shazeer & Stern 2018) as `torch.optim.Adafactor` (PyTorch 2.5+) defines it:
/// second moments factored into row and column averages for parameters of rank ≥ 2, no first
/// moment, and the relative step `α = max(ε₂, RMS(θ)) · min(η, 1/√t)`:
///
///     β̂₂ ← 1 − t^τ                                   (τ = beta2Decay)
///     θ ← θ(1 − ηλ)
///     rank ≥ 2: R ← β̂₂R + (1 − β̂₂)·mean_c(g²),  C ← β̂₂C + (1 − β̂₂)·mean_r(g²)
///               V ← RC / max(mean(R), ε₁)
///     else:     V ← β̂₂V + (1 − β̂₂)g²
///     U ← g / √max(V, ε₁²),   θ ← θ − α·U / max(1, RMS(U)/d)
///
/// Leading dimensions beyond the last two are batch dimensions, each matrix factored on its own.
public final class Adafactor: ParameterwiseOptimizer {
    /// The exponent τ ≤ 0 of the second-moment decay β̂₂ = 1 − t^τ.
    public var beta2Decay: Double
    /// (ε₁, ε₂): the variance floor (nil: the float32 machine epsilon) and the relative-step floor.
    public var epsilon: (Double?, Double)
    /// The clipping threshold d of the update's root mean square.
    public var clippingThreshold: Double
    /// Whether to maximize the objective instead of minimizing it.
    public var maximize: Bool

    /// Adafactor with PyTorch's defaults: the second-moment decay `1 − t^beta2Decay`, the
    /// regularizing constants `epsilon` (ε₁, nil for the dtype's epsilon; ε₂), the update's RMS
    /// clipped at `clippingThreshold`, and decoupled `weightDecay`.
    public init(groups: [ParameterGroup] = [], learningRate: Double = 1e-2, beta2Decay: Double = -0.8,
                epsilon: (Double?, Double) = (nil, 1e-3), clippingThreshold: Double = 1,
                weightDecay: Double = 0, maximize: Bool = false) {
        precondition(beta2Decay <= 0, "Adafactor: beta2Decay \(beta2Decay) must be ≤ 0")
        precondition(clippingThreshold >= 1, "Adafactor: clipping threshold \(clippingThreshold) must be ≥ 1")
        self.beta2Decay = beta2Decay
        self.epsilon = epsilon
        self.clippingThreshold = clippingThreshold
        self.maximize = maximize
        super.init(groups: groups, learningRate: learningRate, weightDecay: weightDecay)
    }

    public override func stateLayout(forParameterShape shape: [Int]) -> [String: StateBufferLayout] {
        guard shape.count >= 2 else { return ["variance": StateBufferLayout(shape: shape)] }
        var rows = shape, cols = shape
        rows[rows.count - 1] = 1
        cols[cols.count - 2] = 1
        return ["row_var": StateBufferLayout(shape: rows), "col_var": StateBufferLayout(shape: cols)]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, state: ParameterState,
                                learningRate: Double, weightDecay: Double) {
        let t = Double(state.step), lr = learningRate
        let weight = Float(pow(t, beta2Decay))
        let eps1 = epsilon.0 ?? Double(Float.ulpOfOne)
        let floor = Float(eps1 * eps1)
        let shape = gradient.shape
        let factored = shape.count >= 2
        let cols = shape.last ?? 1, rows = factored ? shape[shape.count - 2] : 1
        let matrices = factored ? gradient.count / (rows * cols) : 1
        withRawValues(of: parameter, gradient: gradient) { theta, grad, count in
            let rms = Double(Float(kiln_sum_squares_f32(theta, count).squareRoot())) / Double(count).squareRoot()
            let alpha = max(epsilon.1, rms) * min(lr, 1 / t.squareRoot())
            if weightDecay != 0 {
                let keep = Float(1 - lr * weightDecay)
                for i in 0..<count { theta[i] *= keep }
            }
            // Per matrix: the row factor, the column factor and the divisor of their product.
            // A vector is one row whose factor is 1 and whose column factor is its variance.
            var factors: [(row: UnsafePointer<Float>, col: UnsafePointer<Float>, divisor: Float)] = []
            let unit = UnsafeMutablePointer<Float>.allocate(capacity: 1)
            defer { unit.deallocate() }
            unit.pointee = 1
            if factored {
                let rowVar = state["row_var"], colVar = state["col_var"]
                let rowSquares = UnsafeMutablePointer<Float>.allocate(capacity: rows)
                let colSquares = UnsafeMutablePointer<Float>.allocate(capacity: cols)
                defer { rowSquares.deallocate(); colSquares.deallocate() }
                for b in 0..<matrices {
                    let row = rowVar + b * rows, col = colVar + b * cols
                    kiln_square_sums_rows_cols_f32(grad + b * rows * cols, rows, cols, rowSquares, colSquares)
                    for r in 0..<rows { row[r] = lerp(row[r], meanSquare(rowSquares[r], over: cols), weight) }
                    for c in 0..<cols { col[c] = lerp(col[c], meanSquare(colSquares[c], over: rows), weight) }
                    var rowSum: Float = 0
                    for r in 0..<rows { rowSum += row[r] }
                    factors.append((UnsafePointer(row), UnsafePointer(col), max(rowSum / Float(rows), Float(eps1))))
                }
            } else {
                let variance = state["variance"]
                for i in 0..<count { variance[i] = lerp(variance[i], grad[i] * grad[i], weight) }
                factors.append((UnsafePointer(unit), UnsafePointer(variance), 1))
            }
            var squares = 0.0
            for (b, f) in factors.enumerated() {
                squares += kiln_adafactor_update_sumsq_f32(grad + b * rows * cols, f.row, f.col, rows, cols, f.divisor, floor)
            }
            let updateRMS = Double(Float(squares.squareRoot())) / (Double(count).squareRoot() * clippingThreshold)
            let step = Float((maximize ? alpha : -alpha) / max(1, updateRMS))
            for (b, f) in factors.enumerated() {
                let offset = b * rows * cols
                kiln_adafactor_apply_f32(theta + offset, grad + offset, f.row, f.col, rows, cols, f.divisor, floor, step)
            }
        }
    }
}

/// The mean of `n` squares from their sum, rounded as PyTorch's `norm(dim)².div(n)` rounds it.
private func meanSquare(_ sumOfSquares: Float, over n: Int) -> Float {
    let norm = sumOfSquares.squareRoot()
    return norm * norm / Float(n)
}

/// `torch.lerp`: a + w(b − a) for w < 0.5, else b − (b − a)(1 − w).
func lerp(_ a: Float, _ b: Float, _ w: Float) -> Float {
    w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)
}
