import Foundation
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
        let imagesPath = prefix + "-images-idx3-ubyte.gz", labelsPath = prefix + "-labels-idx1-ubyte.gz"
        return try dataset(images: IDX.read(imagesPath, as: .float32), imagesPath: imagesPath,
                           labels: IDX.read(labelsPath), labelsPath: labelsPath)
    }

    /// The dataset of decoded IDX float32 images `[N, 28, 28]` (0…255) and labels `[N]` (0…9), checked:
    /// another image size, a label out of range, or unequal counts are errors naming the file.
    public static func dataset(images: consuming Tensor, imagesPath: String, labels: Tensor, labelsPath: String) throws(DataError) -> TensorDataset {
        guard images.rank == 3, images.shape[1] == 28, images.shape[2] == 28 else {
            throw DataError(path: imagesPath, reason: "images have shape \(images.shape), expected [N, 28, 28]")
        }
        guard labels.rank == 1 else { throw DataError(path: labelsPath, reason: "labels have shape \(labels.shape), expected [N]") }
        guard images.shape[0] == labels.shape[0] else {
            throw DataError(path: labelsPath, reason: "\(labels.shape[0]) labels for \(images.shape[0]) images in \(imagesPath)")
        }
        let values = labels.integers
        if let bad = values.firstIndex(where: { !classNames.indices.contains($0) }) {
            throw DataError(path: labelsPath, reason: "label \(values[bad]) at byte \(8 + bad) is not a class (0 to \(classNames.count - 1))")
        }
        // Standardized in place (the images are consumed, so not copied): the training images alone are 188 MB.
        images.withUnsafeMutableFloats { pixels in
            for i in pixels.indices { pixels[i] = (pixels[i] / 255 - mean) / standardDeviation }
        }
        return TensorDataset(inputs: images.reshaped([images.shape[0], 1, 28, 28]), targets: labels)
    }
}
