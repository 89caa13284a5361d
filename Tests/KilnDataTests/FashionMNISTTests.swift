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
}
