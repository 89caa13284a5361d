import Kiln
import KilnData
import KilnMetrics
import KilnNN

/// The figures a regression run reports, in the targets' units.
enum RegressionFigure: String, CaseIterable {
    case mae, rmse, r2
}

/// A regression metric of outputs and targets standardized by a ``TabularEncoding``, computed
/// after both are mapped back to the targets' units (`value · scale + mean`).
struct RegressionInTargetUnits: Metric {
    let figure: RegressionFigure
    let mean: Float
    let scale: Float
    private var inner: any Metric

    init(_ figure: RegressionFigure, encoding: TabularEncoding) {
        self.figure = figure
        mean = Float(encoding.targetMean ?? 0)
        scale = Float(encoding.targetScale ?? 1)
        switch figure {
        case .mae: inner = MeanAbsoluteError()
        case .rmse: inner = MeanSquaredError()
        case .r2: inner = R2Score()
        }
    }

    var name: String { figure.rawValue }

    mutating func update(_ outputs: Tensor, targets: Tensor) {
        let (m, s) = (mean, scale)
        withoutGradient {
            inner.update(outputs.reshaped([-1]) * s + m, targets: targets.reshaped([-1]) * s + m)
        }
    }

    func compute() -> Double { figure == .rmse ? inner.compute().squareRoot() : inner.compute() }

    mutating func reset() { inner.reset() }
}
