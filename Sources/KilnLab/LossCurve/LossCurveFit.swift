import Foundation
import KilnOptimizers

/// How ``LossCurveLaw/fit(to:options:)`` fits.
public struct LossCurveFitOptions: Sendable {
    /// Which observations of each series enter the fit.
    public enum Points: Sendable, Equatable {
        /// Every observation.
        case all
        /// About this many per series, at log-spaced steps, so early and late training weigh alike.
        case logSpaced(Int)
    }

    /// `λ`, the decay factor of the annealing momentum.
    public var decay: Double
    /// With a value, residuals beyond it count linearly (Huber loss, the paper uses 1e-3);
    /// `nil` fits plain least squares.
    public var huberDelta: Double?
    /// Which observations enter the fit.
    public var points: Points
    /// The most Levenberg–Marquardt iterations per start.
    public var maxIterations: Int

    /// Options for a fit; the defaults are λ = 0.999, least squares on all points.
    public init(decay: Double = 0.999, huberDelta: Double? = nil, points: Points = .all, maxIterations: Int = 500) {
        self.decay = decay
        self.huberDelta = huberDelta
        self.points = points
        self.maxIterations = maxIterations
    }
}

/// A fitted ``LossCurveLaw`` and how well it fits.
public struct LossCurveFit: Sendable {
    /// The fitted law.
    public let law: LossCurveLaw
    /// The number of observations used.
    public let pointCount: Int
    /// Root mean square of `ln(predicted) − ln(observed)` over the points used.
    public let rmsLogError: Double
    /// Levenberg–Marquardt iterations taken from the winning start.
    public let iterations: Int
}

/// Observations that cannot be fitted.
public struct LossCurveFitError: Error, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    /// The error `message`.
    public init(message: String) {
        self.message = message
    }

    public var description: String { "loss-curve fit: \(message)" }
}

extension LossCurveLaw {
    /// Fits `L0`, `A`, `α` and `C` to the observed losses of one or more runs.
    ///
    /// Residuals are `ln(predicted) − ln(observed)`, as in the paper. Starting points come from a
    /// grid over `α` with `L0`, `A`, `C` solved by linear least squares for each; the best few are
    /// refined by Levenberg–Marquardt and the lowest cost wins. Observations whose forward area is
    /// still 0 (a warm-up from 0) are skipped.
    public static func fit(to series: [LossCurveSeries], options: LossCurveFitOptions = .init()) throws(LossCurveFitError) -> LossCurveFit {
        let points = try fitPoints(series, options: options)
        guard points.count >= 4 else {
            throw LossCurveFitError(message: "needs at least 4 observations with a positive learning-rate area, has \(points.count)")
        }
        let solver = LevenbergMarquardt(maxIterations: options.maxIterations, huberDelta: options.huberDelta)
        let evaluate = { (p: [Double]) in residuals(of: p, at: points) }
        var best: LevenbergMarquardt.Result?
        for start in initialGuesses(points).prefix(3) {
            let result = solver.minimize(from: start, evaluate: evaluate)
            if result.cost < best?.cost ?? .infinity { best = result }
        }
        guard let best, best.cost.isFinite, let final = evaluate(best.parameters) else {
            throw LossCurveFitError(message: "no parameters give positive losses at all \(points.count) observations")
        }
        let rms = (final.residuals.reduce(0) { $0 + $1 * $1 } / Double(points.count)).squareRoot()
        return LossCurveFit(law: LossCurveLaw(parameters: best.parameters, decay: options.decay),
                            pointCount: points.count, rmsLogError: rms, iterations: best.iterations)
    }

    /// One observation with its areas.
    struct FitPoint {
        var forward: Double
        var annealing: Double
        var loss: Double
    }

    private static func fitPoints(_ series: [LossCurveSeries], options: LossCurveFitOptions) throws(LossCurveFitError) -> [FitPoint] {
        var points: [FitPoint] = []
        for run in series {
            let areas = AnnealingAreas(learningRates: run.learningRates, decay: options.decay, warmupSteps: run.warmupSteps)
            var usable = run.observations.filter { areas.forward[$0.step] > 0 }.sorted { $0.step < $1.step }
            if let bad = usable.first(where: { !($0.loss > 0 && $0.loss.isFinite) }) {
                throw LossCurveFitError(message: "loss \(bad.loss) at step \(bad.step) is not positive and finite")
            }
            if case .logSpaced(let count) = options.points { usable = logSpaced(usable, count: count) }
            points += usable.map { FitPoint(forward: areas.forward[$0.step], annealing: areas.annealing[$0.step], loss: $0.loss) }
        }
        return points
    }

    /// About `count` observations nearest to log-spaced steps between the first and last.
    private static func logSpaced(_ observations: [LossObservation], count: Int) -> [LossObservation] {
        guard count >= 2, observations.count > count, let first = observations.first, let last = observations.last else {
            return observations
        }
        let low = log(Double(max(first.step, 1))), high = log(Double(max(last.step, 1)))
        var chosen: [Int] = []
        for k in 0..<count {
            let target = exp(low + (high - low) * Double(k) / Double(count - 1))
            var index = observations.partitioningIndex { Double($0.step) >= target }
            if index == observations.count || (index > 0 && target - Double(observations[index - 1].step) < Double(observations[index].step) - target) {
                index -= 1
            }
            if chosen.last != index { chosen.append(index) }
        }
        return chosen.map { observations[$0] }
    }

    /// Log residuals and their Jacobian at parameters `[L0, A, α, C]`; `nil` where a prediction is not positive.
    static func residuals(of p: [Double], at points: [FitPoint]) -> LevenbergMarquardt.Evaluation? {
        var residuals = [Double](repeating: 0, count: points.count)
        var jacobian = [Double](repeating: 0, count: points.count * 4)
        for (i, point) in points.enumerated() {
            let power = pow(point.forward, -p[2])
            let predicted = p[0] + p[1] * power - p[3] * point.annealing
            guard predicted > 0, predicted.isFinite else { return nil }
            residuals[i] = log(predicted) - log(point.loss)
            jacobian[i * 4 + 0] = 1 / predicted
            jacobian[i * 4 + 1] = power / predicted
            jacobian[i * 4 + 2] = -p[1] * power * log(point.forward) / predicted
            jacobian[i * 4 + 3] = -point.annealing / predicted
        }
        return LevenbergMarquardt.Evaluation(residuals: residuals, jacobian: jacobian)
    }

    /// Starting points `[L0, A, α, C]`, best first: for each `α` on a grid, `L0`, `A`, `C` from
    /// linear least squares on the losses.
    private static func initialGuesses(_ points: [FitPoint]) -> [[Double]] {
        var scored: [(sse: Double, parameters: [Double])] = []
        for step in 1...40 {
            let alpha = 0.05 * Double(step)
            let columns: [(FitPoint) -> Double] = [{ _ in 1 }, { pow($0.forward, -alpha) }, { -$0.annealing }]
            let coefficients = linearLeastSquares(points, columns: columns)
                ?? linearLeastSquares(points, columns: Array(columns.prefix(2))).map { $0 + [0] }
            guard let c = coefficients else { continue }
            let parameters = [c[0], c[1], alpha, c[2]]
            let sse = points.reduce(0.0) { sum, point in
                let r = c[0] + c[1] * pow(point.forward, -alpha) - c[2] * point.annealing - point.loss
                return sum + r * r
            }
            if sse.isFinite { scored.append((sse, parameters)) }
        }
        return scored.sorted { $0.sse < $1.sse }.map(\.parameters)
    }

    /// The least-squares coefficients of `loss ≈ Σ c_j · column_j(point)`, columns scaled to unit
    /// norm for conditioning; `nil` when the columns are dependent.
    private static func linearLeastSquares(_ points: [FitPoint], columns: [(FitPoint) -> Double]) -> [Double]? {
        let k = columns.count
        let design = points.map { point in columns.map { $0(point) } }
        let norms = (0..<k).map { j in design.reduce(0) { $0 + $1[j] * $1[j] }.squareRoot() }
        guard norms.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        var normal = [Double](repeating: 0, count: k * k)
        var rhs = [Double](repeating: 0, count: k)
        for (row, point) in zip(design, points) {
            for a in 0..<k {
                rhs[a] += row[a] / norms[a] * point.loss
                for b in 0..<k { normal[a * k + b] += row[a] / norms[a] * row[b] / norms[b] }
            }
        }
        return solveLinear(normal, rhs, size: k).map { scaled in (0..<k).map { scaled[$0] / norms[$0] } }
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false then true.
    fileprivate func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
