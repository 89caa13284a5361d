import CFuzzerDriver
import Foundation
import KilnData

// libFuzzer target `gzip`. One input: a gzip stream, or a raw deflate stream as inside a zip file;
// the input's length picks which.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    _ = try? Gzip.inflate(data(start, count), raw: count % 2 == 1, path: "input.gz")
    return 0
})
