import CFuzzerDriver
import Foundation
import KilnTrain

// libFuzzer target `settings`. One input: the text of a YAML or JSON settings file, read and
// range-checked as `kiln train --config` does; bytes that are not UTF-8 are refused before
// parsing, as there.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    guard let text = String(data: data(start, count), encoding: .utf8) else { return 0 }
    if let settings = try? TrainSettings.decode(text: text, path: "input.yaml") { _ = settings.problem() }
    return 0
})
