import Foundation
import Kiln
import KilnTestSupport
import Testing

/// Damaged tensor files only ever decode or throw one line: no trap, no hang.
@Suite struct TensorFileMutationTests {
    let fixtures = Bundle.module.resourcePath! + "/Fixtures/"

    func contents(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: fixtures + name)) }

    /// Checks that a thrown error is one line naming the file.
    func expectOneLine(_ error: TensorFileError) {
        #expect(error.description.hasPrefix("m: ") && !error.description.contains("\n"))
    }

    @Test func damagedSafetensorsDecodeOrThrow() throws {
        var decoded = 0
        Mutations.forEach(of: try contents("torch.safetensors"), count: 3000, seed: 1) { data in
            do throws(TensorFileError) { _ = try Safetensors.decode(data, path: "m"); decoded += 1 } catch { expectOneLine(error) }
        }
        #expect(decoded < 3386)   // most damage is detected
    }

    @Test func damagedNPYDecodeOrThrow() throws {
        for (seed, name) in ["numpy_f32.npy", "numpy_f64_fortran.npy", "numpy_bool.npy", "numpy_f32_v3.npy"].enumerated() {
            Mutations.forEach(of: try contents(name), count: 1000, seed: UInt64(seed)) { data in
                do throws(TensorFileError) { _ = try NPY.decode(data, path: "m") } catch { expectOneLine(error) }
            }
        }
    }
}
