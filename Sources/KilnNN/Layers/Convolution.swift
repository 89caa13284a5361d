import Kiln

/// How a convolution pads its input.
public enum ConvolutionPadding: Sendable, Equatable, ExpressibleByIntegerLiteral {
    /// No padding.
    case valid
    /// Enough zeros that the output has the input's size (stride 1 only); an odd total puts the
    /// extra zero after the input, as PyTorch's `padding="same"`.
    case same
    /// This many zeros before and after the input along height and width (or length).
    case explicit(Int, Int)

    public init(integerLiteral value: Int) { self = .explicit(value, value) }

    /// The (before, after) padding along each spatial axis for kernels `kernel` with `dilation`.
    func amounts(kernel: (Int, Int), dilation: (Int, Int)) -> [(before: Int, after: Int)] {
        switch self {
        case .valid: return [(0, 0), (0, 0)]
        case .explicit(let h, let w): return [(h, h), (w, w)]
        case .same:
            return [dilation.0 * (kernel.0 - 1), dilation.1 * (kernel.1 - 1)].map { total in (total / 2, total - total / 2) }
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
    public let padding: ConvolutionPadding
    public let dilation: (Int, Int)
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: ConvolutionPadding = .valid, dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                generator: RandomGenerator = Random.default) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: \(inChannels) input and \(outChannels) output channels do not split into \(groups) groups")
        precondition(padding != .same || stride == (1, 1), "Conv2d: padding .same needs stride 1, got \(stride)")
        let shape = [outChannels, inChannels / groups, kernelSize.0, kernelSize.1]
        weight = Init.layerWeight(shape, generator: generator)
        self.bias = bias ? Parameter(wrappedValue: Init.layerBias(outChannels, fanIn: Fans(shape).fanIn, generator: generator)) : nil
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        super.init()
    }

    /// A square kernel with equal stride and dilation along both axes.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: ConvolutionPadding = .valid, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                            generator: RandomGenerator = Random.default) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride), padding: padding,
                  dilation: (dilation, dilation), groups: groups, bias: bias, generator: generator)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "Conv2d: expects input [N, C, H, W], got \(x.shape)")
        return convolve(x, weight: weight, bias: bias?.value, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// A 1-D convolution over `[N, C, L]` sequences, PyTorch's `Conv1d`: `weight` `[out, in/groups, k]` and
/// `bias` `[out]`. Runs as a 2-D convolution over a height of one.
public final class Conv1d: Module {
    @Parameter public var weight: Tensor
    /// The bias, or nil for a layer built with `bias: false`.
    public let bias: Parameter?
    public let stride: Int
    public let padding: ConvolutionPadding
    public let dilation: Int
    public let groups: Int

    /// `padding` `.explicit(p, p)` (or the literal `p`) pads the length by `p` on both sides.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvolutionPadding = .valid,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: RandomGenerator = Random.default) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv1d: \(inChannels) input and \(outChannels) output channels do not split into \(groups) groups")
        precondition(padding != .same || stride == 1, "Conv1d: padding .same needs stride 1, got \(stride)")
        let shape = [outChannels, inChannels / groups, kernelSize]
        weight = Init.layerWeight(shape, generator: generator)
        self.bias = bias ? Parameter(wrappedValue: Init.layerBias(outChannels, fanIn: Fans(shape).fanIn, generator: generator)) : nil
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 3, "Conv1d: expects input [N, C, L], got \(x.shape)")
        let lengthPadding: ConvolutionPadding = switch padding {
        case .explicit(let p, _): .explicit(0, p)
        default: padding
        }
        return convolve(x.unsqueezed(2), weight: weight.unsqueezed(2), bias: bias?.value, stride: (1, stride),
                        padding: lengthPadding, dilation: (1, dilation), groups: groups).squeezed(2)
    }
}

/// conv2d with symmetric padding, or with the input first padded after when `.same` needs an odd total.
private func convolve(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: ConvolutionPadding,
                      dilation: (Int, Int), groups: Int) -> Tensor {
    let amounts = padding.amounts(kernel: (weight.shape[2], weight.shape[3]), dilation: dilation)
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
    public let padding: (Int, Int)
    public let outputPadding: (Int, Int)
    public let dilation: (Int, Int)
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                groups: Int = 1, bias: Bool = true, generator: RandomGenerator = Random.default) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "ConvTranspose2d: \(inChannels) input and \(outChannels) output channels do not split into \(groups) groups")
        let shape = [inChannels, outChannels / groups, kernelSize.0, kernelSize.1]
        weight = Init.layerWeight(shape, generator: generator)
        self.bias = bias ? Parameter(wrappedValue: Init.layerBias(outChannels, fanIn: Fans(shape).fanIn, generator: generator)) : nil
        (self.stride, self.padding, self.outputPadding, self.dilation, self.groups) = (stride, padding, outputPadding, dilation, groups)
        super.init()
    }

    /// A square kernel with equal settings along both axes.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                            generator: RandomGenerator = Random.default) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), outputPadding: (outputPadding, outputPadding), dilation: (dilation, dilation),
                  groups: groups, bias: bias, generator: generator)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "ConvTranspose2d: expects input [N, C, H, W], got \(x.shape)")
        return convTranspose2d(x, weight: weight, bias: bias?.value, stride: stride, padding: padding,
                               outputPadding: outputPadding, dilation: dilation, groups: groups)
    }
}
