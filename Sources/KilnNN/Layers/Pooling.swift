import Kiln

/// 2-D max pooling, PyTorch's `MaxPool2d` (`ceil_mode=False`); `stride` defaults to the kernel size.
public final class MaxPool2d: Module {
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let dilation: (Int, Int)

    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) {
        (self.kernelSize, self.stride, self.padding, self.dilation) = (kernelSize, stride ?? kernelSize, padding, dilation)
        super.init()
    }

    /// A square window with equal settings along both axes.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: (stride ?? kernelSize, stride ?? kernelSize),
                  padding: (padding, padding), dilation: (dilation, dilation))
    }

    public override func forward(_ x: Tensor) -> Tensor {
        maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)
    }
}

/// 2-D average pooling, PyTorch's `AvgPool2d` (`ceil_mode=False`); `stride` defaults to the kernel size.
public final class AvgPool2d: Module {
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    /// Whether padded zeros count in each window's divisor.
    public let countIncludePad: Bool

    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), countIncludePad: Bool = true) {
        (self.kernelSize, self.stride, self.padding, self.countIncludePad) = (kernelSize, stride ?? kernelSize, padding, countIncludePad)
        super.init()
    }

    /// A square window with equal settings along both axes.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: (stride ?? kernelSize, stride ?? kernelSize),
                  padding: (padding, padding), countIncludePad: countIncludePad)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}

/// Average pooling to a fixed output size whatever the input size, PyTorch's `AdaptiveAvgPool2d`.
public final class AdaptiveAvgPool2d: Module {
    public let outputSize: (Int, Int)

    public init(outputSize: (Int, Int)) {
        self.outputSize = outputSize
        super.init()
    }

    /// A square output.
    public convenience init(_ outputSize: Int) { self.init(outputSize: (outputSize, outputSize)) }

    public override func forward(_ x: Tensor) -> Tensor { adaptiveAvgPool2d(x, outputSize: outputSize) }
}
