import Kiln

/// 2-D max pooling, PyTorch's `MaxPool2d`; `stride` defaults to the kernel size, and `ceilMode` keeps a
/// last partial window as PyTorch's `ceil_mode=True`.
public final class MaxPool2d: Module {
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let dilation: (Int, Int)
    public let ceilMode: Bool

    /// Max pooling over `kernelSize` windows (height, width); a nil `stride` means the kernel size.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                ceilMode: Bool = false) {
        (self.kernelSize, self.stride, self.padding, self.dilation) = (kernelSize, stride ?? kernelSize, padding, dilation)
        self.ceilMode = ceilMode
        super.init()
    }

    /// A square window with equal settings along both axes.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: (stride ?? kernelSize, stride ?? kernelSize),
                  padding: (padding, padding), dilation: (dilation, dilation), ceilMode: ceilMode)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }

    /// PyTorch's text, each size one number when equal along both axes (as when given as an int).
    public override var extraDescription: String {
        "kernel_size=\(PythonText.size([kernelSize.0, kernelSize.1])), stride=\(PythonText.size([stride.0, stride.1])), "
            + "padding=\(PythonText.size([padding.0, padding.1])), dilation=\(PythonText.size([dilation.0, dilation.1])), "
            + "ceil_mode=\(PythonText.bool(ceilMode))"
    }
}

/// 2-D average pooling, PyTorch's `AvgPool2d`; `stride` defaults to the kernel size, and `ceilMode` keeps a
/// last partial window as PyTorch's `ceil_mode=True`.
public final class AvgPool2d: Module {
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    /// Whether padded zeros count in each window's divisor.
    public let countIncludePad: Bool
    public let ceilMode: Bool

    /// Average pooling over `kernelSize` windows (height, width); a nil `stride` means the kernel size.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), countIncludePad: Bool = true,
                ceilMode: Bool = false) {
        (self.kernelSize, self.stride, self.padding, self.countIncludePad) = (kernelSize, stride ?? kernelSize, padding, countIncludePad)
        self.ceilMode = ceilMode
        super.init()
    }

    /// A square window with equal settings along both axes.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true,
                            ceilMode: Bool = false) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: (stride ?? kernelSize, stride ?? kernelSize),
                  padding: (padding, padding), countIncludePad: countIncludePad, ceilMode: ceilMode)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad, ceilMode: ceilMode)
    }

    /// PyTorch's text, each size one number when equal along both axes (as when given as an int).
    public override var extraDescription: String {
        "kernel_size=\(PythonText.size([kernelSize.0, kernelSize.1])), stride=\(PythonText.size([stride.0, stride.1])), "
            + "padding=\(PythonText.size([padding.0, padding.1]))"
    }
}

/// Average pooling to a fixed output size whatever the input size, PyTorch's `AdaptiveAvgPool2d`.
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: (Int, Int)

    /// Pooling to `outputSize` (height, width).
    public init(outputSize: (Int, Int)) {
        self.outputSize = outputSize
        super.init()
    }

    /// A square output.
    public convenience init(_ outputSize: Int) { self.init(outputSize: (outputSize, outputSize)) }

    public override func forward(_ x: Tensor) -> Tensor { adaptiveAvgPool2d(x, outputSize: outputSize) }

    public override var extraDescription: String { "output_size=\(PythonText.size([outputSize.0, outputSize.1]))" }
}
