import KilnOptimizers
/// Levenberg–Marquardt for small nonlinear least-squares problems, in `Double`, with an optional
/// Huber loss handled by reweighting the residuals at each iteration.
///
/// The damping is Marquardt's: `(JᵀWJ + μ · diag(JᵀWJ)) δ = −JᵀW r`, which makes steps
/// independent of the scale of each parameter.
struct LevenbergMarquardt {
    /// Residuals and their Jacobian at some parameters.
    struct Evaluation {
        /// One residual per point.
        var residuals: [Double]
        /// Row-major `residuals.count × parameterCount` Jacobian.
        var jacobian: [Double]
    }

    /// The result of a minimisation.
    struct Result {
        var parameters: [Double]
        var cost: Double
        var iterations: Int
    }

    var maxIterations = 500
    /// Residuals larger than this in magnitude count linearly (Huber); `nil` is plain least squares.
    var huberDelta: Double?

    /// Minimises the summed loss of the residuals from `initial`; `evaluate` returns `nil` where
    /// the model is undefined, and such trial points are rejected.
    func minimize(from initial: [Double], evaluate: ([Double]) -> Evaluation?) -> Result {
        let n = initial.count
        var parameters = initial
        guard var current = evaluate(parameters) else { return Result(parameters: initial, cost: .infinity, iterations: 0) }
        var cost = self.cost(current.residuals)
        var damping = 1e-3
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            let (normal, gradient) = normalEquations(current, parameterCount: n)
            var accepted: (parameters: [Double], evaluation: Evaluation, cost: Double)?
            while accepted == nil && damping < 1e16 {
                var damped = normal
                let largest = (0..<n).map { normal[$0 * n + $0] }.max() ?? 0
                for j in 0..<n { damped[j * n + j] += damping * max(normal[j * n + j], 1e-12 * largest) }
                guard let step = solveLinear(damped, gradient.map { -$0 }, size: n) else {
                    damping *= 10
                    continue
                }
                let trial = zip(parameters, step).map { $0 + $1 }
                if let evaluation = evaluate(trial), case let trialCost = self.cost(evaluation.residuals), trialCost < cost {
                    accepted = (trial, evaluation, trialCost)
                } else {
                    damping *= 10
                }
            }
            guard let (next, evaluation, nextCost) = accepted else { break }
            let relativeDecrease = (cost - nextCost) / max(cost, .leastNormalMagnitude)
            let largestMove = zip(next, parameters).map { abs($0 - $1) / max(abs($1), 1e-12) }.max() ?? 0
            parameters = next
            current = evaluation
            cost = nextCost
            damping = max(damping / 10, 1e-12)
            if relativeDecrease < 1e-15 || largestMove < 1e-13 { break }
        }
        return Result(parameters: parameters, cost: cost, iterations: iteration)
    }

    /// The summed loss: `r²/2` each, or Huber's `δ|r| − δ²/2` beyond `δ`.
    func cost(_ residuals: [Double]) -> Double {
        guard let delta = huberDelta else { return residuals.reduce(0) { $0 + $1 * $1 / 2 } }
        return residuals.reduce(0) { sum, r in
            sum + (abs(r) <= delta ? r * r / 2 : delta * abs(r) - delta * delta / 2)
        }
    }

    /// `JᵀWJ` (row-major `n × n`) and `JᵀW r`, with Huber weights `min(1, δ/|r|)`.
    private func normalEquations(_ e: Evaluation, parameterCount n: Int) -> ([Double], [Double]) {
        var normal = [Double](repeating: 0, count: n * n)
        var gradient = [Double](repeating: 0, count: n)
        e.jacobian.withUnsafeBufferPointer { jacobian in
            for (i, r) in e.residuals.enumerated() {
                let weight = huberDelta.map { abs(r) <= $0 ? 1 : $0 / abs(r) } ?? 1
                let row = jacobian.baseAddress! + i * n
                for a in 0..<n {
                    gradient[a] += weight * row[a] * r
                    for b in 0...a { normal[a * n + b] += weight * row[a] * row[b] }
                }
            }
        }
        for a in 0..<n { for b in 0..<a { normal[b * n + a] = normal[a * n + b] } }
        return (normal, gradient)
    }
}

/// Solves the `size × size` system `matrix · x = rhs` (row-major) by Gaussian elimination with
/// partial pivoting; `nil` when the matrix is singular to working precision.
func solveLinear(_ matrix: [Double], _ rhs: [Double], size n: Int) -> [Double]? {
    var a = matrix, b = rhs
    let scale = a.map(abs).max() ?? 0
    guard scale > 0 else { return nil }
    for column in 0..<n {
        let pivot = (column..<n).max { abs(a[$0 * n + column]) < abs(a[$1 * n + column]) }!
        guard abs(a[pivot * n + column]) > 1e-14 * scale else { return nil }
        if pivot != column {
            for k in 0..<n { a.swapAt(pivot * n + k, column * n + k) }
            b.swapAt(pivot, column)
        }
        for row in (column + 1)..<n {
            let factor = a[row * n + column] / a[column * n + column]
            if factor == 0 { continue }
            for k in column..<n { a[row * n + k] -= factor * a[column * n + k] }
            b[row] -= factor * b[column]
        }
    }
    var x = [Double](repeating: 0, count: n)
    for row in stride(from: n - 1, through: 0, by: -1) {
        var sum = b[row]
        for k in (row + 1)..<n { sum -= a[row * n + k] * x[k] }
        x[row] = sum / a[row * n + row]
    }
    return x
}
