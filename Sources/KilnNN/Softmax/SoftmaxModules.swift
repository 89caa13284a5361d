import Kiln

/// Softmax along `axis` as a module (PyTorch's `nn.Softmax`), with an optional temperature.
public final class Softmax: Module {
    public let axis: Int
    public let temperature: Float
    /// `nil` picks ``SoftmaxAlgorithm/fastest(rows:length:)`` for each input's shape.
    public let algorithm: SoftmaxAlgorithm?

    /// Softmax along `axis` of the input divided by `temperature`; a nil `algorithm` picks the fastest for each shape.
    public init(axis: Int = -1, temperature: Float = 1, algorithm: SoftmaxAlgorithm? = nil) {
        self.axis = axis
        self.temperature = temperature
        self.algorithm = algorithm
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input.softmax(axis: axis, temperature: temperature, algorithm: algorithm)
    }

    /// PyTorch's text, plus the temperature when it is not 1.
    public override var extraDescription: String { SoftmaxText.describe(axis: axis, temperature: temperature) }
}

/// Log-softmax along `axis` as a module (PyTorch's `nn.LogSoftmax`), with an optional temperature.
public final class LogSoftmax: Module {
    public let axis: Int
    public let temperature: Float

    /// Log-softmax along `axis` of the input divided by `temperature`.
    public init(axis: Int = -1, temperature: Float = 1) {
        self.axis = axis
        self.temperature = temperature
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { input.logSoftmax(axis: axis, temperature: temperature) }

    /// PyTorch's text, plus the temperature when it is not 1.
    public override var extraDescription: String { SoftmaxText.describe(axis: axis, temperature: temperature) }
}

/// StableMax along `axis` as a module; see ``stablemax(_:axis:)``.
public final class StableMax: Module {
    public let axis: Int

    /// StableMax along `axis`, the last by default.
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { stablemax(input, axis: axis) }
}

/// Sparsemax along `axis` as a module; see ``sparsemax(_:axis:)``.
public final class Sparsemax: Module {
    public let axis: Int

    /// Sparsemax along `axis`, the last by default.
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { sparsemax(input, axis: axis) }
}

/// `dim=-1`, then `temperature=…` when it is not 1 (a Kiln addition PyTorch's modules lack).
enum SoftmaxText {
    static func describe(axis: Int, temperature: Float) -> String {
        "dim=\(axis)" + (temperature == 1 ? "" : ", temperature=\(PythonText.float(temperature))")
    }
}
