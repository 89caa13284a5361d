import Kiln

/// How a convolution layer pads its input: PyTorch's `padding=` of `Conv1d`, `Conv2d` and
/// `ConvTranspose2d`, one type for all three.
///
/// `padding: 1` and `padding: [1, 2]` are literals for ``explicit(_:)``.
public enum Padding: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// No padding (`padding="valid"`).
    case valid
    /// Output of the input's size (`padding="same"`, stride 1 only): `dilation·(kernel − 1)` zeros per
    /// axis, and when that total is odd the extra zero goes after the input, as in PyTorch. For
    /// ``ConvTranspose2d`` (where PyTorch has no string padding) it is the adjoint of `Conv2d`'s:
    /// the output is cropped by the same amounts, so it too has the input's size.
    case same
    /// This many zeros before and after the input: one amount for every spatial axis (`padding=1`)
    /// or one per axis, height first (`padding=(1, 2)`). A transposed convolution crops its output instead.
    case explicit([Int])

    /// ``explicit(_:)`` with one amount for every spatial axis.
    public init(integerLiteral value: Int) { self = .explicit([value]) }
    /// ``explicit(_:)`` with one amount per spatial axis, height first, or one for all.
    public init(arrayLiteral amounts: Int...) { self = .explicit(amounts) }

    /// The (before, after) amounts along each spatial axis for `kernel` and `dilation` (one entry per axis);
    /// stops, naming `layer`, on settings PyTorch rejects too.
    func amounts(kernel: [Int], dilation: [Int], stride: [Int], layer: String) -> [(before: Int, after: Int)] {
        switch self {
        case .valid:
            return kernel.map { _ in (0, 0) }
        case .same:
            precondition(stride.allSatisfy { $0 == 1 }, "\(layer): padding .same needs stride 1, got \(stride)")
            return zip(kernel, dilation).map { k, d in
                let total = d * (k - 1)
                return (total / 2, total - total / 2)
            }
        case .explicit(let p):
            precondition(p.count == 1 || p.count == kernel.count,
                         "\(layer): padding \(p) needs \(kernel.count == 1 ? "one amount" : "1 or \(kernel.count) amounts, one per spatial axis")")
            precondition(p.allSatisfy { $0 >= 0 }, "\(layer): padding \(p) must not be negative")
            let perAxis = p.count == 1 ? Array(repeating: p[0], count: kernel.count) : p
            return perAxis.map { ($0, $0) }
        }
    }
}

/// A 2-D convolution over `[N, C, H, W]` images, PyTorch's `Conv2d`: `weight` `[out, in/groups, kH, kW]`
/// and `bias` `[out]`, both starting uniform in `±1/√(in/groups·kH·kW)`.
public final class Conv2d: Module {
    @Parameter public var weight: Tensor
    /// The bias, or nil for a layer built with `bias: false`.
    public let bias: Parameter?
    public let stride: (Int, Int)
    public let padding: Padding
    public let dilation: (Int, Int)
    public let groups: Int
    /// The zeros (before, after) the input along height and width.
    let amounts: [(before: Int, after: Int)]

    /// A convolution from `inChannels` to `outChannels` with PyTorch's defaults; both channel counts must be
    /// multiples of `groups`, and the parameters are drawn from `generator`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .valid, dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                generator: RandomGenerator = Random.default) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: \(inChannels) input and \(outChannels) output channels do not split into \(groups) groups")
        amounts = padding.amounts(kernel: [kernelSize.0, kernelSize.1], dilation: [dilation.0, dilation.1],
                                  stride: [stride.0, stride.1], layer: "Conv2d")
        let shape = [outChannels, inChannels / groups, kernelSize.0, kernelSize.1]
        weight = Init.layerWeight(shape, generator: generator)
        self.bias = bias ? Parameter(wrappedValue: Init.layerBias(outChannels, fanIn: Fans(shape).fanIn, generator: generator)) : nil
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        super.init()
    }

    /// A square kernel with equal stride and dilation along both axes.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Padding = .valid, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                            generator: RandomGenerator = Random.default) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride), padding: padding,
                  dilation: (dilation, dilation), groups: groups, bias: bias, generator: generator)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "Conv2d: expects input [N, C, H, W], got \(x.shape)")
        return convolve(x, weight: weight, bias: bias?.value, stride: stride, amounts: amounts, dilation: dilation, groups: groups)
    }

    public override var extraDescription: String {
        ConvolutionText.describe(in: weight.shape[1] * groups, out: weight.shape[0], kernel: Array(weight.shape[2...]),
                                 stride: [stride.0, stride.1], padding: padding, dilation: [dilation.0, dilation.1],
                                 groups: groups, bias: bias != nil)
    }
}

/// A 1-D convolution over `[N, C, L]` sequences, PyTorch's `Conv1d`: `weight` `[out, in/groups, k]` and
/// `bias` `[out]`. Runs as a 2-D convolution over a height of one.
public final class Conv1d: Module {
    @Parameter public var weight: Tensor
    /// The bias, or nil for a layer built with `bias: false`.
    public let bias: Parameter?
    public let stride: Int
    public let padding: Padding
    public let dilation: Int
    public let groups: Int
    /// The zeros (before, after) the input along its length.
    let amounts: (before: Int, after: Int)

    /// `padding` `.explicit([p])` (or the literal `p`) pads the length by `p` on both sides.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .valid,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: RandomGenerator = Random.default) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv1d: \(inChannels) input and \(outChannels) output channels do not split into \(groups) groups")
        amounts = padding.amounts(kernel: [kernelSize], dilation: [dilation], stride: [stride], layer: "Conv1d")[0]
        let shape = [outChannels, inChannels / groups, kernelSize]
        weight = Init.layerWeight(shape, generator: generator)
        self.bias = bias ? Parameter(wrappedValue: Init.layerBias(outChannels, fanIn: Fans(shape).fanIn, generator: generator)) : nil
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 3, "Conv1d: expects input [N, C, L], got \(x.shape)")
        return convolve(x.unsqueezed(2), weight: weight.unsqueezed(2), bias: bias?.value, stride: (1, stride),
                        amounts: [(0, 0), amounts], dilation: (1, dilation), groups: groups).squeezed(2)
    }

    public override var extraDescription: String {
        ConvolutionText.describe(in: weight.shape[1] * groups, out: weight.shape[0], kernel: [weight.shape[2]], stride: [stride],
                                 padding: padding, dilation: [dilation], groups: groups, bias: bias != nil)
    }
}

/// conv2d with symmetric padding, or with the input first padded after when `.same` needs an odd total.
private func convolve(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int), amounts: [(before: Int, after: Int)],
                      dilation: (Int, Int), groups: Int) -> Tensor {
    let input = amounts.allSatisfy({ $0.before == $0.after })
        ? x : x.padded(amounts.map { (0, $0.after - $0.before) })
    return conv2d(input, weight: weight, bias: bias, stride: stride, padding: (amounts[0].before, amounts[1].before),
                  dilation: dilation, groups: groups)
}

/// A 2-D transposed convolution, PyTorch's `ConvTranspose2d` (the gradient of `Conv2d` with respect to
/// its input): `weight` `[in, out/groups, kH, kW]` and `bias` `[out]`, both starting uniform in
/// `±1/√(out/groups·kH·kW)` as PyTorch's fan computation gives for this layout.
public final class ConvTranspose2d: Module {
    @Parameter public var weight: Tensor
    /// The bias, or nil for a layer built with `bias: false`.
    public let bias: Parameter?
    public let stride: (Int, Int)
    public let padding: Padding
    public let outputPadding: (Int, Int)
    public let dilation: (Int, Int)
    public let groups: Int
    /// The rows and columns cropped (before, after) the output along height and width.
    let amounts: [(before: Int, after: Int)]

    /// A transposed convolution from `inChannels` to `outChannels` with PyTorch's defaults; `outputPadding`
    /// adds to the output's height and width, both channel counts must be multiples of `groups`, and the
    /// parameters are drawn from `generator`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .valid, outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                groups: Int = 1, bias: Bool = true, generator: RandomGenerator = Random.default) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "ConvTranspose2d: \(inChannels) input and \(outChannels) output channels do not split into \(groups) groups")
        amounts = padding.amounts(kernel: [kernelSize.0, kernelSize.1], dilation: [dilation.0, dilation.1],
                                  stride: [stride.0, stride.1], layer: "ConvTranspose2d")
        let shape = [inChannels, outChannels / groups, kernelSize.0, kernelSize.1]
        weight = Init.layerWeight(shape, generator: generator)
        self.bias = bias ? Parameter(wrappedValue: Init.layerBias(outChannels, fanIn: Fans(shape).fanIn, generator: generator)) : nil
        (self.stride, self.padding, self.outputPadding, self.dilation, self.groups) = (stride, padding, outputPadding, dilation, groups)
        super.init()
    }

    /// A square kernel with equal settings along both axes.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Padding = .valid,
                            outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                            generator: RandomGenerator = Random.default) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: padding, outputPadding: (outputPadding, outputPadding), dilation: (dilation, dilation),
                  groups: groups, bias: bias, generator: generator)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "ConvTranspose2d: expects input [N, C, H, W], got \(x.shape)")
        let y = convTranspose2d(x, weight: weight, bias: bias?.value, stride: stride, padding: (amounts[0].before, amounts[1].before),
                                outputPadding: outputPadding, dilation: dilation, groups: groups)
        // `.same` with an odd total: the adjoint of the zero padded after the input is the row or column cropped after the output.
        let (extraH, extraW) = (amounts[0].after - amounts[0].before, amounts[1].after - amounts[1].before)
        if extraH == 0 && extraW == 0 { return y }
        return y.slice(axis: 2, 0..<(y.shape[2] - extraH)).slice(axis: 3, 0..<(y.shape[3] - extraW))
    }

    public override var extraDescription: String {
        ConvolutionText.describe(in: weight.shape[0], out: weight.shape[1] * groups, kernel: Array(weight.shape[2...]),
                                 stride: [stride.0, stride.1], padding: padding, dilation: [dilation.0, dilation.1],
                                 outputPadding: [outputPadding.0, outputPadding.1], groups: groups, bias: bias != nil)
    }
}

/// PyTorch's `extra_repr` of its convolutions: sizes, kernel and stride always; padding, dilation, output
/// padding, groups and bias only where they differ from the defaults. Kiln's default ``Padding/valid``
/// prints as no padding, like PyTorch's default `padding=0`.
enum ConvolutionText {
    static func describe(in inChannels: Int, out outChannels: Int, kernel: [Int], stride: [Int], padding: Padding,
                         dilation: [Int], outputPadding: [Int]? = nil, groups: Int, bias: Bool) -> String {
        var text = "\(inChannels), \(outChannels), kernel_size=\(PythonText.tuple(kernel)), stride=\(PythonText.tuple(stride))"
        switch padding {
        case .valid: break
        case .same: text += ", padding=same"
        case .explicit(let p):
            let perAxis = p.count == 1 ? Array(repeating: p[0], count: kernel.count) : p
            if perAxis.contains(where: { $0 != 0 }) { text += ", padding=\(PythonText.tuple(perAxis))" }
        }
        if dilation.contains(where: { $0 != 1 }) { text += ", dilation=\(PythonText.tuple(dilation))" }
        if let outputPadding, outputPadding.contains(where: { $0 != 0 }) { text += ", output_padding=\(PythonText.tuple(outputPadding))" }
        if groups != 1 { text += ", groups=\(groups)" }
        if !bias { text += ", bias=False" }
        return text
    }
}
