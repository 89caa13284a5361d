import CFuzzerDriver
import Foundation
import KilnTrain

// libFuzzer target `lmsettings`. One input: the text of a language-model checkpoint's `settings`
// metadata entry, read over the defaults and range-checked as `kiln lm sample`, `eval` and resume
// do; bytes that are not UTF-8 are refused first, as the safetensors reader refuses them.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    guard let text = String(data: data(start, count), encoding: .utf8) else { return 0 }
    _ = try? LanguageModelSettings(checkpointMetadata: text, at: "input")
    return 0
})
