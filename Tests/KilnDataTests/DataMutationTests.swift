import Foundation
import KilnData
import KilnTestSupport
import Testing

/// Damaged data files only ever decode or throw one line: no trap, no hang, no runaway allocation.
@Suite struct DataMutationTests {
    let fixtures = Bundle.module.resourcePath! + "/Fixtures/"

    func contents(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: fixtures + name)) }

    /// Runs `decode` on damaged copies of `data`, checking that every error is one line naming the file.
    func mutate(_ data: Data, count: Int, seed: UInt64, prefixLimit: Int = 4096, _ decode: (Data) throws(DataError) -> Void) {
        Mutations.forEach(of: data, count: count, seed: seed, prefixLimit: prefixLimit) { damaged in
            do throws(DataError) {
                try decode(damaged)
            } catch {
                #expect(error.description.hasPrefix("m") && !error.description.contains("\n"))
            }
        }
    }

    @Test func damagedNPZDecodeOrThrow() throws {
        mutate(try contents("numpy_arrays.npz"), count: 1500, seed: 1) { data throws(DataError) in _ = try NPZ.decode(data, path: "m") }
        mutate(try contents("numpy_compressed.npz"), count: 1500, seed: 2) { data throws(DataError) in _ = try NPZ.decode(data, path: "m") }
    }

    @Test func damagedIDXDecodeOrThrow() throws {
        let raw = Data([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5])
        mutate(raw, count: 1500, seed: 3) { data throws(DataError) in _ = try IDX.decode(data, path: "m") }
        mutate(try contents("sample-idx2-ubyte.gz"), count: 1500, seed: 4) { data throws(DataError) in _ = try IDX.decode(data, path: "m") }
    }

    @Test func damagedGzipInflatesOrThrows() throws {
        // Each copy may inflate to a megabyte: fewer of them keep the test fast.
        mutate(try contents("zeros.gz"), count: 100, seed: 5, prefixLimit: 100) { data throws(DataError) in
            _ = try Gzip.inflate(data, maximumSize: 2_000_000, path: "m")
        }
    }

    @Test func damagedCSVParsesOrThrows() {
        let text = "\u{FEFF}a,\"b, quoted\",label\r\n1.5,-2e3,cat\r\n0x1p3,4,dog\r\n\"7\",8e-1,cat\r\n"
        mutate(Data(text.utf8), count: 3000, seed: 6) { data throws(DataError) in
            let rows = try CSVRows(data: data, path: "m")
            let classes = try TabularEncoding.classNames(rows, labelColumn: "label")
            _ = try TabularEncoding.fit(rows, trainingRows: Array(rows.rows.indices), labelColumn: "label", regression: false,
                                        classNames: classes).features(rows)
        }
    }
}
