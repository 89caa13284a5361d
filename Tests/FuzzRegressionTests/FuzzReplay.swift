import Foundation
import Kiln
import KilnData
import KilnLab
import KilnOptimizers
import KilnTrain

/// The reading of one input by each fuzz target, through the same public API and with the same
/// choices as `Fuzz/Sources/<target>/main.swift`, without the sanitizer build. Returns the error
/// the reader threw, or nil when the input was read.
enum FuzzReplay {
    /// The fuzz targets, named as `scripts/fuzz/run.sh` names them.
    static let targets = ["safetensors", "npy", "npz", "idx", "gzip", "csv", "settings", "runlog", "schedule", "tokenizer"]

    static func read(_ data: Data, target: String) -> (any Error)? {
        do {
            switch target {
            case "safetensors": _ = try Safetensors.decode(data, path: "input.safetensors")
            case "npy": _ = try NPY.decode(data, path: "input.npy")
            case "npz": _ = try NPZ.decode(data, path: "input.npz")
            case "idx": _ = try IDX.decode(data, as: data.count % 2 == 0 ? .float32 : .int64, path: "input.idx")
            case "gzip": _ = try Gzip.inflate(data, raw: data.count % 2 == 1, path: "input.gz")
            case "csv": try readCSV(data)
            case "settings": try readSettings(data)
            case "runlog": _ = LossCurveSeries(log: try RunLog(jsonLines: data, file: "input.jsonl"), warmupSteps: 0)
            case "schedule":
                let schedule = try ScheduleSpec.parse(String(decoding: data, as: UTF8.self))
                _ = schedule.values(count: 64)
                for step in [1_000, 1_000_000, RunLog.maximumStep] { _ = schedule(step) }
            case "tokenizer": try readTokenizer(data)
            default: fatalError("no fuzz target '\(target)'")
            }
            return nil
        } catch {
            return error
        }
    }

    /// A CSV file as a training run reads it (`RunData.tabular`), with the task and the text and
    /// missing-value settings alternating with the input's length, as in the fuzz target.
    private static func readCSV(_ bytes: Data) throws {
        var settings = TrainSettings()
        settings.task = bytes.count % 2 == 1 ? .regression : .classification
        settings.seed = bytes.count
        settings.data = .init(path: "input.csv", labelColumn: "label", testFraction: 0.25,
                              categorical: bytes.count % 4 < 2 ? .onehot : .error, missing: bytes.count % 3 == 0 ? .error : .median)
        _ = try RunData.tabular(CSVRows(data: bytes, path: "input.csv"), settings: settings)
    }

    /// Settings as `kiln train --config` reads them: UTF-8 text, decoded, then range-checked.
    private static func readSettings(_ data: Data) throws {
        guard let text = String(data: data, encoding: .utf8) else {
            throw Refused(description: "input.yaml: cannot be read as UTF-8 text")
        }
        let settings = try TrainSettings.decode(text: text, path: "input.yaml")
        if let problem = settings.problem() { throw Refused(description: "input.yaml: \(problem)") }
    }

    /// A tokenizer file, then the fuzz target's checks: the input's own bytes round-trip through
    /// the tokenizer, and its file reads back the same tokenizer.
    private static func readTokenizer(_ data: Data) throws {
        let tokenizer = try BytePairTokenizer(file: data, path: "input.bpe")
        guard tokenizer.decode(tokenizer.encode(Array(data))) == Array(data) else {
            throw Refused(description: "input.bpe: encoding does not round-trip")
        }
        guard try BytePairTokenizer(file: tokenizer.fileContents, path: "copy.bpe") == tokenizer else {
            throw Refused(description: "input.bpe: its own file does not read back the same")
        }
    }

    /// A refusal that the command line, not the reader, would report.
    struct Refused: Error, CustomStringConvertible {
        let description: String
    }
}
