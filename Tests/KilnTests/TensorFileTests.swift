import Foundation
import Kiln
import KilnTestSupport
import Testing

@Suite struct TensorFileTests {
    let fixtures = Bundle.module.resourcePath! + "/Fixtures/"
    /// The values numpy wrote: arange(12).reshape(3, 4) / 8 − 0.5.
    let expected = (0..<12).map { Float($0) / 8 - 0.5 }

    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(getpid())-\(name)").path
    }

    @Test func readsArraysWrittenByNumPy() throws {
        let f32 = try NPY.read(fixtures + "numpy_f32.npy")
        #expect(f32.shape == [3, 4] && f32.scalars == expected)
        let fortran = try NPY.read(fixtures + "numpy_f64_fortran.npy")
        #expect(fortran.shape == [4, 3])
        #expect(fortran[1].scalars == [expected[1], expected[5], expected[9]])
        #expect(try NPY.read(fixtures + "numpy_i64.npy").integers == [3, -1, 7])
        #expect(try NPY.read(fixtures + "numpy_u8.npy").integers == [0, 255, 17, 3])
        #expect(try NPY.read(fixtures + "numpy_bool.npy").booleans == [true, false, true])
    }

    @Test func npyRoundTripsAndMatchesNumPyBytes() throws {
        let t = Tensor(expected, shape: [3, 4])
        let original = try Data(contentsOf: URL(fileURLWithPath: fixtures + "numpy_f32.npy"))
        #expect(NPY.encode(t) == original)
        let path = temporaryPath("a.npy")
        try NPY.write(Tensor([5, 6, 7], shape: [3, 1]), to: path)
        let back = try NPY.read(path)
        #expect(back.shape == [3, 1] && back.integers == [5, 6, 7])
    }

    @Test func readsSafetensorsWrittenByPyTorch() throws {
        let contents = try Safetensors.read(fixtures + "torch.safetensors")
        #expect(contents.metadata == ["format": "pt"])
        #expect(contents.tensors["layers.0.weight"]!.scalars == expected)
        #expect(contents.tensors["layers.0.bias"]!.scalars == [1.5, -2, 0.25])
        #expect(contents.tensors["labels"]!.integers == [1, 2, 3])
        #expect(contents.tensors["half"]!.scalars == [1, -2.5, 65504])
    }

    @Test func safetensorsRoundTrip() throws {
        let path = temporaryPath("b.safetensors")
        let tensors = ["w": Tensor(expected, shape: [3, 4]).transposed(), "n": Tensor([1, 2], shape: [2]),
                       "m": Tensor([true, false])]
        try Safetensors.write(tensors, metadata: ["step": "7"], to: path)
        let back = try Safetensors.read(path)
        #expect(back.metadata["step"] == "7")
        #expect(back.tensors["w"]!.shape == [4, 3] && back.tensors["w"]!.scalars == tensors["w"]!.scalars)
        #expect(back.tensors["n"]!.integers == [1, 2] && back.tensors["m"]!.booleans == [true, false])
    }

    @Test func truncatedAndCorruptFilesNameTheProblem() throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "torch.safetensors"))
        data.removeLast(5)
        let cut = #expect(throws: TensorFileError.self) { try Safetensors.decode(data, path: "x.safetensors") }
        #expect(cut?.description.hasPrefix("x.safetensors: ") == true && cut?.reason.contains("(truncated?)") == true)
        let tiny = #expect(throws: TensorFileError.self) { try Safetensors.decode(Data([1, 2, 3]), path: "y") }
        #expect(tiny?.reason.contains("truncated") == true)
        var npy = try Data(contentsOf: URL(fileURLWithPath: fixtures + "numpy_f32.npy"))
        npy.removeLast(4)
        let short = #expect(throws: TensorFileError.self) { try NPY.decode(npy, path: "z.npy") }
        #expect(short?.reason.contains("truncated") == true)
        let text = #expect(throws: TensorFileError.self) { try NPY.decode(Data("hello world".utf8), path: "z.npy") }
        #expect(text?.reason.contains("magic") == true)
        let missing = #expect(throws: TensorFileError.self) { try NPY.read("/nonexistent/q.npy") }
        #expect(missing?.description == "/nonexistent/q.npy: no such file")
    }

    @Test func atomicWriteReplacesWholeFile() throws {
        let path = temporaryPath("c.bin")
        try AtomicFile.write(Data(repeating: 1, count: 1000), to: path)
        try AtomicFile.write(Data([9]), to: path)
        #expect(try AtomicFile.read(path) == Data([9]))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasSuffix(".tmp") && $0.contains("c.bin") }
        #expect(leftovers.isEmpty)
    }
}
