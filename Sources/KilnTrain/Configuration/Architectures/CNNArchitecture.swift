import KilnNN

/// A convolutional network described in settings (the `cnn` section): one block per entry of
/// `channels` — a convolution, optional batch normalization, the run's activation, and a 2 × 2
/// pooling — or, with `residual`, a ResNet-style basic block (two convolutions and a shortcut,
/// projected by a 1 × 1 convolution where the channel count changes); then a hidden dense layer
/// with dropout and the classifier.
///
/// ```yaml
/// model: cnn
/// cnn: {channels: [32, 64, 128], kernel: 3, pool: max, norm: batch, residual: true, dense: 128, dropout: 0.25}
/// ```
public struct CNNArchitecture: Codable, Equatable, Sendable {
    /// The output channels of each block, in order.
    public var channels = [32, 64]
    /// The side of the square kernels (odd, so that `same` padding keeps the image size).
    public var kernel = 3
    /// The pooling after each block.
    public var pool = PoolingChoice.max
    /// `none` or `batch` normalization after each convolution.
    public var norm = NormalizationChoice.batch
    /// Whether each block is a residual basic block.
    public var residual = false
    /// The width of the hidden dense layer before the classifier (0: none).
    public var dense = 128
    /// The dropout probability after the hidden dense layer.
    public var dropout = 0.25

    /// The default architecture, like the reference CNN: blocks of 32 and 64 channels, max
    /// pooling, batch normalization, a dense layer of 128 with dropout 0.25.
    public init() {}

    /// The pooling of a block, by name.
    public enum PoolingChoice: String, NamedChoice {
        case max, avg, none
        public static let setting = "pool"
    }

    /// The keys of a `cnn` section.
    enum Key: String, CaseIterable, CodingKey {
        case channels, kernel, pool, norm, residual, dense, dropout
    }

    /// The most blocks, channels per block and dense width a settings file may ask for.
    public static let maximumBlocks = 32, maximumChannels = 4096, maximumDense = 1 << 16

    /// One line for the first value out of range, or nil.
    public func problem() -> String? {
        if channels.isEmpty || channels.count > Self.maximumBlocks { return "cnn.channels must list 1 to \(Self.maximumBlocks) blocks, got \(channels.count)" }
        if let bad = channels.first(where: { !(1...Self.maximumChannels).contains($0) }) {
            return "cnn.channels must be from 1 to \(Self.maximumChannels), got \(bad)"
        }
        if !(1...15).contains(kernel) || kernel % 2 == 0 { return "cnn.kernel must be odd, from 1 to 15, got \(kernel)" }
        if norm == .layer || norm == .rms { return "cnn.norm must be none or batch, got \(norm.rawValue)" }
        if !(0...Self.maximumDense).contains(dense) { return "cnn.dense must be from 0 to \(Self.maximumDense), got \(dense)" }
        if !(dropout >= 0 && dropout < 1) { return "cnn.dropout must be in [0, 1), got \(dropout)" }
        return nil
    }

    /// The image side after the blocks' pooling, or an error when pooling would shrink an image
    /// of `side` pixels below one pixel.
    public func pooledSide(_ side: Int) throws(RunError) -> Int {
        guard pool != .none else { return side }
        var s = side
        for _ in channels {
            s /= 2
            if s < 1 { throw RunError("cnn: \(channels.count) pooled blocks shrink a \(side)-pixel image below one pixel; use fewer channels entries or pool: none") }
        }
        return s
    }

    /// The model for square images `[channels, side, side]` and `classes` outputs.
    public func make(imageChannels: Int, side: Int, classes: Int, activation: ActivationChoice) throws(RunError) -> Sequential {
        let pooled = try pooledSide(side)
        var layers: [Module] = []
        var width = imageChannels
        for next in channels {
            layers.append(residual ? basicBlock(width, next, activation) : plainBlock(width, next, activation))
            switch pool {
            case .max: layers.append(MaxPool2d(2))
            case .avg: layers.append(AvgPool2d(2))
            case .none: break
            }
            width = next
        }
        layers.append(Flatten())
        var features = width * pooled * pooled
        if dense > 0 {
            layers.append(Linear(features, dense))
            layers.append(activation.make())
            if dropout > 0 { layers.append(Dropout(Float(dropout))) }
            features = dense
        }
        layers.append(Linear(features, classes))
        return Sequential(layers)
    }

    private func convolution(_ input: Int, _ output: Int) -> [Module] {
        var layers: [Module] = [Conv2d(input, output, kernelSize: kernel, padding: .same)]
        if norm == .batch { layers.append(BatchNorm2d(output)) }
        return layers
    }

    private func plainBlock(_ input: Int, _ output: Int, _ activation: ActivationChoice) -> Module {
        Sequential(convolution(input, output) + [activation.make()])
    }

    /// conv → norm → act → conv → norm, plus the shortcut, then act (He et al.'s basic block).
    private func basicBlock(_ input: Int, _ output: Int, _ activation: ActivationChoice) -> Module {
        let body = Sequential(convolution(input, output) + [activation.make()] + convolution(output, output))
        let shortcut: Module? = input == output ? nil : Sequential([Conv2d(input, output, kernelSize: 1)] + (norm == .batch ? [BatchNorm2d(output)] : []))
        return Sequential([Residual(body, shortcut: shortcut), activation.make()])
    }
}
