import KilnNN

/// A multilayer perceptron described in settings (the `mlp` section): hidden widths, each
/// hidden layer followed by an optional normalization, the run's activation and optional
/// dropout, with residual connections around the layers that keep their width.
///
/// ```yaml
/// model: mlp
/// activation: gelu
/// mlp: {hidden: [256, 256, 128], norm: layer, dropout: 0.1, residual: true}
/// ```
public struct MLPArchitecture: Codable, Equatable, Sendable {
    /// The widths of the hidden layers, in order.
    public var hidden = [512, 256]
    /// The normalization after each hidden linear layer.
    public var norm = NormalizationChoice.none
    /// The dropout probability after each hidden activation (0: none).
    public var dropout = 0.0
    /// Whether a hidden layer whose width equals its input's adds its input to its output.
    public var residual = false

    /// The default architecture: two hidden layers of 512 and 256 units, like the reference MLP.
    public init() {}

    /// The keys of an `mlp` section.
    enum Key: String, CaseIterable, CodingKey {
        case hidden, norm, dropout, residual
    }

    /// The most hidden layers, and the widest layer, a settings file may ask for.
    public static let maximumLayers = 64, maximumWidth = 1 << 16

    /// One line for the first value out of range, or nil.
    public func problem() -> String? {
        if hidden.isEmpty || hidden.count > Self.maximumLayers { return "mlp.hidden must list 1 to \(Self.maximumLayers) widths, got \(hidden.count)" }
        if let bad = hidden.first(where: { !(1...Self.maximumWidth).contains($0) }) {
            return "mlp.hidden widths must be from 1 to \(Self.maximumWidth), got \(bad)"
        }
        if !(dropout >= 0 && dropout < 1) { return "mlp.dropout must be in [0, 1), got \(dropout)" }
        return nil
    }

    /// The model for `features` inputs per example and `classes` outputs.
    public func make(features: Int, classes: Int, activation: ActivationChoice) -> Sequential {
        var layers: [Module] = [Flatten()]
        var width = features
        for next in hidden {
            var block: [Module] = [Linear(width, next)]
            if let normalization = norm.forFeatures(next) { block.append(normalization) }
            block.append(activation.make())
            if dropout > 0 { block.append(Dropout(Float(dropout))) }
            layers.append(residual && next == width ? Residual(Sequential(block)) : Sequential(block))
            width = next
        }
        layers.append(Linear(width, classes))
        return Sequential(layers)
    }
}
