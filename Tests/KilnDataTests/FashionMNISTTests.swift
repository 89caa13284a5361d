import Foundation
import KilnData
import Testing

@Suite struct FashionMNISTTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory),
                   "needs Debian's dataset-fashion-mnist, which make test installs"))
    func testSplitHasTheKnownShapeAndBalance() throws {
        let test = try FashionMNIST.load(train: false)
        #expect(test.inputs.shape == [10_000, 1, 28, 28] && test.targets.shape == [10_000])
        // Fashion-MNIST's test split holds exactly 1,000 images per class.
        var counts = [Int](repeating: 0, count: 10)
        for label in test.targets.integers { counts[label] += 1 }
        #expect(counts == Array(repeating: 1_000, count: 10))
        // Standardized with the training statistics, the test pixels have mean near 0 and std near 1.
        let mean = test.inputs.mean().item
        #expect(abs(mean) < 0.02)
        #expect(abs(test.inputs.variance(axes: [], correction: 0).item.squareRoot() - 1) < 0.02)
    }

    @Test func missingDirectoryIsOneClearError() {
        let error = #expect(throws: DataError.self) { try FashionMNIST.load(train: true, directory: "/nonexistent") }
        #expect(error?.description == "/nonexistent/train-images-idx3-ubyte.gz: no such file")
    }

    func reason(images: [Int], labels: [Int]) -> String? {
        do {
            _ = try FashionMNIST.dataset(images: Tensor(zeros: images), imagesPath: "i.gz", labels: Tensor(labels), labelsPath: "l.gz")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func checkedImagesAndLabelsBecomeADataset() throws {
        let set = try FashionMNIST.dataset(images: Tensor(zeros: [2, 28, 28]), imagesPath: "i", labels: Tensor([0, 9]), labelsPath: "l")
        #expect(set.inputs.shape == [2, 1, 28, 28] && set.targets.integers == [0, 9])
        // A black pixel standardizes to −mean / std.
        #expect(abs(set.inputs.scalars[0] - (-0.2860 / 0.3530)) <= 1e-6)
    }

    @Test func imageSizeOtherThan28By28IsRefused() {
        #expect(reason(images: [2, 28, 27], labels: [0, 1]) == "i.gz: images have shape [2, 28, 27], expected [N, 28, 28]")
        #expect(reason(images: [2, 784], labels: [0, 1]) == "i.gz: images have shape [2, 784], expected [N, 28, 28]")
    }

    @Test func labelOutOfRangeIsRefused() {
        #expect(reason(images: [3, 28, 28], labels: [0, 10, 1]) == "l.gz: label 10 at byte 9 is not a class (0 to 9)")
    }

    @Test func imageAndLabelCountsMustMatch() {
        #expect(reason(images: [3, 28, 28], labels: [0, 1]) == "l.gz: 2 labels for 3 images in i.gz")
    }
}
