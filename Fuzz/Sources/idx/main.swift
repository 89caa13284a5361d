import CFuzzerDriver
import Foundation
import KilnData

// libFuzzer target `idx`. One input: the bytes of an IDX file, raw or gzip-compressed, decoded as
// Fashion-MNIST's images (float32) or labels (int64) are; the input's length picks which.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    _ = try? IDX.decode(data(start, count), as: count % 2 == 0 ? .float32 : .int64, path: "input.idx")
    return 0
})
