import Foundation
import KilnData
import Testing

@Suite struct NPZTests {
    let fixtures = Bundle.module.resourcePath! + "/Fixtures/"
    let expected = (0..<12).map { Float($0) / 8 - 0.5 }

    @Test func readsStoredAndCompressedArchivesFromNumPy() throws {
        let stored = try NPZ.read(fixtures + "numpy_arrays.npz")
        #expect(Set(stored.keys) == ["weights", "labels"])
        #expect(stored["weights"]!.shape == [3, 4] && stored["weights"]!.scalars == expected)
        #expect(stored["labels"]!.integers == [4, 5])
        let compressed = try NPZ.read(fixtures + "numpy_compressed.npz")
        #expect(compressed["weights"]!.scalars == expected)
    }

    @Test func truncatedArchiveIsAnError() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "numpy_compressed.npz"))
        let error = #expect(throws: DataError.self) { try NPZ.decode(data.prefix(data.count / 2), path: "a.npz") }
        #expect(error?.description.hasPrefix("a.npz") == true)
    }
}
