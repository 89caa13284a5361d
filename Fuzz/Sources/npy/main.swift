import CFuzzerDriver
import Foundation
import Kiln

// libFuzzer target `npy`. One input: the bytes of an npy file, decoded as `kiln inspect` reads
// them.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    _ = try? NPY.decode(data(start, count), path: "input.npy")
    return 0
})
