import KilnNN

/// The models `kiln train` builds by name; their layers, order and parameter names match the
/// PyTorch anchors (`nn.Sequential` indices), so weights move between the two as safetensors.
public enum ReferenceModels {
    /// Flatten → Linear(features → 512) → act → Linear(512 → 256) → act → Linear(256 → classes).
    public static func mlp(features: Int, classes: Int, activation: ActivationChoice = .gelu) -> Sequential {
        Sequential {
            Flatten()
            Linear(features, 512); activation.make()
            Linear(512, 256); activation.make()
            Linear(256, classes)
        }
    }

    /// Two conv + batch-norm + pool blocks, a hidden dense layer with dropout, and the classifier,
    /// for square images of `side` pixels (the anchor CNN for 1 × 28 × 28).
    public static func cnn(channels: Int = 1, side: Int = 28, classes: Int = 10, activation: ActivationChoice = .relu) -> Sequential {
        let pooled = side / 4
        return Sequential {
            Conv2d(channels, 32, kernelSize: 3, padding: 1); BatchNorm2d(32); activation.make(); MaxPool2d(2)
            Conv2d(32, 64, kernelSize: 3, padding: 1); BatchNorm2d(64); activation.make(); MaxPool2d(2)
            Flatten()
            Linear(64 * pooled * pooled, 128); activation.make(); Dropout(0.25)
            Linear(128, classes)
        }
    }
}
