import Foundation
import Kiln

/// Temperature scaling (Guo et al. 2017): one positive scalar T, fitted on held-out logits and
/// labels, that divides the logits so the softmax probabilities are calibrated.
///
/// ```swift
/// let scaling = TemperatureScaling.fit(logits: validationLogits, labels: validationLabels)
/// let calibratedLogits = scaling(testLogits)     // testLogits / scaling.temperature
/// ```
public struct TemperatureScaling: Sendable, Equatable {
    /// The fitted temperature; logits are divided by it.
    public let temperature: Double

    /// A scaling by a known `temperature`, which must be positive.
    public init(temperature: Double) {
        precondition(temperature > 0, "TemperatureScaling: temperature must be positive, got \(temperature)")
        self.temperature = temperature
    }

    /// The logits divided by the temperature.
    public func callAsFunction(_ logits: Tensor) -> Tensor { logits / Float(temperature) }

    /// The temperature minimizing the mean negative log-likelihood of `labels` under softmax(logits / T).
    ///
    /// `logits` is `[N, C]` and `labels` int64 `[N]`. The NLL is convex in β = 1/T (its second derivative
    /// is the mean variance of the logits under the softmax), so a damped Newton iteration on β, in
    /// Double, converges from β = 1 in a handful of steps; each step is halved until it keeps β
    /// positive and does not raise the NLL. Data the logits separate perfectly have no finite optimum;
    /// T then shrinks until `maxIterations` run out.
    public static func fit(logits: Tensor, labels: Tensor, maxIterations: Int = 100) -> TemperatureScaling {
        let problem = CalibrationProblem(logits: logits, labels: labels)
        var beta = 1.0
        var current = problem.evaluate(beta: beta)
        for _ in 0..<maxIterations where current.curvature > 0 {
            var step = -current.slope / current.curvature
            var next = problem.evaluate(beta: beta + step)
            var halvings = 0
            while beta + step <= 0 || !(next.value <= current.value + 1e-12 * Swift.abs(current.value)) {
                step /= 2
                halvings += 1
                if halvings > 60 { return TemperatureScaling(temperature: 1 / beta) }
                next = problem.evaluate(beta: beta + step)
            }
            beta += step
            current = next
            if Swift.abs(step) <= 1e-12 * beta { break }
        }
        return TemperatureScaling(temperature: 1 / beta)
    }

    /// The mean negative log-likelihood of `labels` under softmax(logits / temperature), in Double.
    public static func negativeLogLikelihood(logits: Tensor, labels: Tensor, temperature: Double) -> Double {
        CalibrationProblem(logits: logits, labels: labels).evaluate(beta: 1 / temperature).value
    }
}

/// Held-out logits and labels, and the NLL of β·logits with its first two derivatives in β.
private struct CalibrationProblem {
    let logits: Tensor
    let labels: [Int]
    let rows: Int, classes: Int

    init(logits: Tensor, labels: Tensor) {
        precondition(logits.rank == 2 && logits.dtype == .float32 && labels.dtype == .int64 && labels.shape == [logits.shape[0]],
                     "TemperatureScaling: expects float logits [N, C] and int64 labels [N], got \(logits.dtype) \(logits.shape) and \(labels.dtype) \(labels.shape)")
        self.logits = logits.detached()
        self.labels = labels.integers
        (rows, classes) = (logits.shape[0], logits.shape[1])
        precondition(rows > 0 && classes > 0, "TemperatureScaling: needs at least one row and class, got \(logits.shape)")
        precondition(self.labels.allSatisfy { $0 >= 0 && $0 < logits.shape[1] },
                     "TemperatureScaling: labels must lie in 0..<\(logits.shape[1])")
    }

    /// Mean over rows of logsumexp(β·z) − β·z_y, of E_p[z] − z_y and of Var_p[z], with p = softmax(β·z).
    func evaluate(beta: Double) -> (value: Double, slope: Double, curvature: Double) {
        let (n, c) = (rows, classes)
        var value = 0.0, slope = 0.0, curvature = 0.0
        logits.withUnsafeFloats { z in
            labels.withUnsafeBufferPointer { y in
                for i in 0..<n {
                    let row = z.baseAddress! + i * c
                    var top = -Double.infinity
                    for k in 0..<c { top = Swift.max(top, beta * Double(row[k])) }
                    var total = 0.0, first = 0.0, second = 0.0
                    for k in 0..<c {
                        let zk = Double(row[k])
                        let e = Foundation.exp(beta * zk - top)
                        total += e
                        first += e * zk
                        second += e * zk * zk
                    }
                    let mean = first / total
                    let target = Double(row[y[i]])
                    value += Foundation.log(total) + top - beta * target
                    slope += mean - target
                    curvature += Swift.max(0, second / total - mean * mean)
                }
            }
        }
        let scale = 1 / Double(n)
        return (value * scale, slope * scale, curvature * scale)
    }
}
