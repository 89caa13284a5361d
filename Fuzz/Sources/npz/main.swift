import CFuzzerDriver
import Foundation
import KilnData

// libFuzzer target `npz`. One input: the bytes of an npz (zip) file, decoded as `kiln inspect`
// reads them.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    _ = try? NPZ.decode(data(start, count), path: "input.npz")
    return 0
})
