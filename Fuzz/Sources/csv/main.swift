import CFuzzerDriver
import Foundation
import KilnData
import KilnTrain

// libFuzzer target `csv`. One input: the bytes of a CSV file read as `kiln train` reads the file
// of a `data:` section with the label column `label` (`RunData.tabular`): its rows, class names,
// stratified split, the encoding fitted on the training rows, and the encoded examples. The task
// and the text and missing-value settings alternate with the input's length, so that every
// path of the encoding is reached.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

/// Reads `bytes` the way a training run does; any failure is a thrown one-line error.
func read(_ bytes: Data) throws {
    var settings = TrainSettings()
    settings.task = bytes.count % 2 == 1 ? .regression : .classification
    settings.seed = bytes.count
    settings.data = .init(path: "input.csv", labelColumn: "label", testFraction: 0.25,
                          categorical: bytes.count % 4 < 2 ? .onehot : .error, missing: bytes.count % 3 == 0 ? .error : .median)
    _ = try RunData.tabular(CSVRows(data: bytes, path: "input.csv"), settings: settings)
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    try? read(data(start, count))
    return 0
})
