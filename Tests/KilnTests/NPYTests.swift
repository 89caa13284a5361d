import Foundation
import Kiln
import Testing

/// Hostile `.npy` files, each refused with a line that names the problem, and the versions
/// and byte orders NumPy writes.
@Suite struct NPYTests {
    let fixtures = Bundle.module.resourcePath! + "/Fixtures/"
    let expected = (0..<12).map { Float($0) / 8 - 0.5 }

    /// A version 1.0 file image with header `dict` and `data`.
    func file(_ dict: String, data: [UInt8] = [], version: [UInt8] = [1, 0]) -> Data {
        let header = Array((dict + "\n").utf8)
        return Data([0x93] + Array("NUMPY".utf8) + version + [UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + data)
    }

    func reason(_ data: Data) -> String? {
        do {
            _ = try NPY.decode(data, path: "h.npy")
            return nil
        } catch {
            #expect(error.description == "h.npy: \(error.reason)" && !error.reason.contains("\n"))
            return error.reason
        }
    }

    @Test func readsVersionsTwoAndThreeAndBigEndianData() throws {
        for name in ["numpy_f32_v2.npy", "numpy_f32_v3.npy", "numpy_f32_big_endian.npy"] {
            let t = try NPY.read(fixtures + name)
            #expect(t.shape == [3, 4] && t.scalars == expected, "\(name)")
        }
    }

    @Test func handMadeHeaderDecodes() throws {
        let t = try NPY.decode(file("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", data: [1, 0, 0xFF, 0xFF]), path: "h")
        #expect(t.integers == [1, -1])
    }

    @Test func unknownVersionIsRefused() {
        #expect(reason(file("{}", version: [4, 0])) == "unsupported .npy version 4.0 at byte 6")
    }

    @Test func headerLongerThanTheFileIsTruncated() {
        var data = file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")
        data[8] = 0xFF
        #expect(reason(data)?.hasPrefix("truncated: header of 255 bytes at byte 10") == true)
    }

    @Test func negativeDimensionIsRefused() {
        #expect(reason(file("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }"))
            == "malformed header: negative dimension -1 at byte 61")
    }

    @Test func overflowingShapeIsRefused() {
        #expect(reason(file("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"))
            == "shape [4611686018427387904, 4] at byte 10: element count overflows a 64-bit integer")
        #expect(reason(file("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }"))?
            .contains("byte count overflows a 64-bit integer") == true)
        #expect(reason(file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"))?
            .contains("dimension 99999999999999999999 is out of range") == true)
    }

    @Test func dataMustBeExactlyTheShapesSize() {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        #expect(reason(file(header, data: [0, 0, 0, 0]))?.hasPrefix("truncated: 4 data bytes") == true)
        #expect(reason(file(header, data: Array(repeating: 0, count: 12)))?.hasPrefix("4 trailing bytes after the data") == true)
    }

    @Test func unknownOrMalformedDescrIsRefused() {
        #expect(reason(file("{'descr': '<c8', 'fortran_order': False, 'shape': (), }"))?.contains("unsupported descr '<c8'") == true)
        #expect(reason(file("{'descr': '|f4', 'fortran_order': False, 'shape': (), }"))?.contains("unsupported descr '|f4'") == true)
        #expect(reason(file("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (), }"))?.contains("expected a quoted string") == true)
    }

    @Test func fortranOrderIsTrueOrFalseOnly() {
        #expect(reason(file("{'descr': '<f4', 'fortran_order': 1, 'shape': (), }"))?.contains("expected True or False") == true)
    }

    @Test func malformedDictTextIsRefused() {
        #expect(reason(file("{'descr': '<f4', 'shape': (), }")) == "malformed header: header lacks 'fortran_order' at byte 10")
        #expect(reason(file("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (), }"))?.contains("key 'descr' appears twice") == true)
        #expect(reason(file("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}"))?.contains("unknown key 'x'") == true)
        #expect(reason(file("{'descr': '<f4', 'fortran_order': False, 'shape': (1 2), }"))?.contains("expected ')'") == true)
        #expect(reason(file("{'descr': '<f4, 'fortran_order': False, 'shape': (), }")) != nil)
        #expect(reason(file("{'descr': '<f4', 'fortran_order': False, 'shape': ()} trailing"))?.contains("unexpected text after '}'") == true)
    }

    @Test func highestRankRoundTrips() throws {
        let t = Tensor(repeating: 1, shape: Array(repeating: 1, count: 64))
        let image = NPY.encode(t)
        #expect(image[6] == 1)
        let back = try NPY.decode(image, path: "r")
        #expect(back.shape == t.shape)
    }

    @Test func headerBeyond64KiBIsWrittenAsVersionTwo() {
        // 30,000 dimensions of 1 need a 90 KB header: the writer switches versions instead of trapping.
        let image = NPY.encode(Tensor(repeating: 1, shape: Array(repeating: 1, count: 30_000)))
        #expect(image[6] == 2 && (image.count - 4) % 64 == 0)
        #expect(reason(image)?.hasPrefix("malformed header: more than 64 dimensions at byte") == true)
    }
}
