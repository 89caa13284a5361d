import Kiln

/// Fashion-MNIST from Debian's `dataset-fashion-mnist` (IDX files, gzip-compressed).
public enum FashionMNIST {
    /// Where Debian installs the dataset.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// Pixel mean and standard deviation after scaling to [0, 1].
    public static let mean: Float = 0.2860, standardDeviation: Float = 0.3530
    /// The ten class names, by label.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The training (60,000) or test (10,000) split: images `[N, 1, 28, 28]`, standardized
    /// as `(x / 255 − mean) / std`, and int64 labels `[N]`.
    public static func load(train: Bool, directory: String = defaultDirectory) throws(DataError) -> TensorDataset {
        let prefix = directory + "/" + (train ? "train" : "t10k")
        var images = try IDX.read(prefix + "-images-idx3-ubyte.gz", as: .float32)
        let labels = try IDX.read(prefix + "-labels-idx1-ubyte.gz")
        guard images.rank == 3, labels.rank == 1, images.shape[0] == labels.shape[0] else {
            throw DataError(path: prefix + "-images-idx3-ubyte.gz",
                            reason: "images \(images.shape) do not match labels \(labels.shape)")
        }
        // Standardized in place: the training images alone are 188 MB.
        images.withUnsafeMutableFloats { pixels in
            for i in pixels.indices { pixels[i] = (pixels[i] / 255 - mean) / standardDeviation }
        }
        return TensorDataset(inputs: images.reshaped([images.shape[0], 1, 28, 28]), targets: labels)
    }
}
