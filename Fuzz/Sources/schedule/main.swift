import CFuzzerDriver
import Foundation
import KilnOptimizers

// libFuzzer target `schedule`. One input: a schedule spec (`family:key=value,...`), parsed and
// evaluated at its first steps and at a few far ones, as `kiln schedule plot` and `kiln train` use
// it.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    let spec = String(decoding: data(start, count), as: UTF8.self)
    if let schedule = try? ScheduleSpec.parse(spec) {
        _ = schedule.values(count: 64)
        for step in [1_000, 1_000_000, RunLog.maximumStep] { _ = schedule(step) }
    }
    return 0
})
