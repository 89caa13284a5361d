import CFuzzerDriver
import Foundation
import KilnData

// libFuzzer target `csv`. One input: the bytes of a CSV file read as a table with the label column
// `label`, as `kiln train` reads the file of a `data:` section.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    _ = try? CSVTable(data: data(start, count), labelColumn: "label", path: "input.csv")
    return 0
})
