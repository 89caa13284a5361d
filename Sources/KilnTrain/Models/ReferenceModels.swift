import KilnNN

/// The models `kiln train` builds by name; their layers, order and parameter names match the
/// PyTorch anchors (`nn.Sequential` indices), so weights move between the two as safetensors.
public enum ReferenceModels {
    /// The activation module for a name (`relu`, `gelu`, `silu`, `tanh`, `leaky_relu`, `mish`).
    public static func activation(_ name: String) -> Module {
        switch name {
        case "gelu": GELU()
        case "silu": SiLU()
        case "tanh": Tanh()
        case "leaky_relu": LeakyReLU()
        case "mish": Mish()
        default: ReLU()
        }
    }

    /// Flatten → Linear(features → 512) → act → Linear(512 → 256) → act → Linear(256 → classes).
    public static func mlp(features: Int, classes: Int, activation: String = "gelu") -> Sequential {
        Sequential {
            Flatten()
            Linear(features, 512); Self.activation(activation)
            Linear(512, 256); Self.activation(activation)
            Linear(256, classes)
        }
    }

    /// Two conv + batch-norm + pool blocks, a hidden dense layer with dropout, and the classifier,
    /// for square images of `side` pixels (the anchor CNN for 1 × 28 × 28).
    public static func cnn(channels: Int = 1, side: Int = 28, classes: Int = 10, activation: String = "relu") -> Sequential {
        let pooled = side / 4
        return Sequential {
            Conv2d(channels, 32, kernelSize: 3, padding: 1); BatchNorm2d(32); Self.activation(activation); MaxPool2d(2)
            Conv2d(32, 64, kernelSize: 3, padding: 1); BatchNorm2d(64); Self.activation(activation); MaxPool2d(2)
            Flatten()
            Linear(64 * pooled * pooled, 128); Self.activation(activation); Dropout(0.25)
            Linear(128, classes)
        }
    }
}
