import CFuzzerDriver
import Foundation
import KilnData

// libFuzzer target `csv`. One input: the bytes of a CSV file read as `kiln train` reads the file
// of a `data:` section with the label column `label`: its rows, its class names, a stratified
// split, the encoding fitted on the training rows, and the features and targets it encodes.
// Half the inputs are read as a regression target, and the text and missing-value settings
// alternate, so that every path of the encoding is reached.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

/// Reads `bytes` the way a training run does; any failure is a thrown one-line error.
func read(_ bytes: Data) throws {
    let table = try CSVRows(data: bytes, path: "input.csv")
    let regression = bytes.count % 2 == 1
    let classNames = regression ? [] : try TabularEncoding.classNames(table, labelColumn: "label")
    let classes = regression ? [Int](repeating: 0, count: table.rows.count)
                             : try TabularEncoding.classIds(table, labelColumn: "label", classNames: classNames)
    let (train, test) = StratifiedSplit.indices(classes: classes, fraction: 0.25, seed: UInt64(bytes.count))
    let encoding = try TabularEncoding.fit(table, trainingRows: train, labelColumn: "label", regression: regression,
                                           classNames: classNames, categorical: bytes.count % 4 < 2 ? .onehot : .error,
                                           missing: bytes.count % 3 == 0 ? .error : .median)
    _ = try encoding.features(table, rows: test)
    _ = try encoding.targets(table, rows: test)
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    try? read(data(start, count))
    return 0
})
