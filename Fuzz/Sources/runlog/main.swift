import CFuzzerDriver
import Foundation
import KilnLab
import KilnOptimizers

// libFuzzer target `runlog`. One input: a JSON Lines run log, read as `kiln predict-loss` reads
// one and turned into the series it fits.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    if let log = try? RunLog(jsonLines: data(start, count), file: "input.jsonl") {
        _ = LossCurveSeries(log: log, warmupSteps: 0)
    }
    return 0
})
