import Foundation
import KilnOptimizers
import KilnTestSupport
import Testing

@Suite struct RunLogTests {
    @Test func readsLossesAndInterpolatesLearningRates() throws {
        let text = """
        {"step": 0, "lr": 0.0, "loss": 5.0}
        {"step": 2, "lr": 0.2}

        {"event": "eval", "accuracy": 0.5}
        {"step": 4, "lr": 0.4, "loss": 2.5, "grad_norm": 1.25, "tag": "x"}
        {"step": 5, "lr": 0.3, "loss": null}
        {"kind": "epoch", "step": 4, "epoch": 1, "test_loss": 9.0}
        {"step": 6, "lr": 0.3, "lo
        """
        let log = try RunLog(jsonLines: text, file: "run.jsonl")
        #expect(log.lossObservations == [LossObservation(step: 0, loss: 5), LossObservation(step: 4, loss: 2.5)])
        let rates = log.learningRates
        #expect(rates.count == 6)
        for (rate, expected) in zip(rates, [0, 0.1, 0.2, 0.3, 0.4, 0.3]) {
            expectClose(rate, expected, relative: 1e-15, "learning rate")
        }
        #expect(log.series("grad_norm") == [1.25])
        // Every kind of record is read; only step records make the curves.
        #expect(log.records.map(\.kind) == ["step", "step", "step", "step", "epoch"])
        #expect(log.records.last == LogRecord(kind: "epoch", step: 4, epoch: 1, values: ["test_loss": 9]))
        #expect(log.steps[2] == LogRecord(kind: "step", step: 4, epoch: 0, values: ["lr": 0.4, "loss": 2.5, "grad_norm": 1.25]))
    }

    @Test func linesSayWhereEachRecordEnds() throws {
        let text = "{\"step\": 0, \"lr\": 1}\n\n{\"kind\": \"epoch\", \"step\": 0, \"epoch\": 1}"
        let lines = try RunLog.lines(of: Data(text.utf8), file: "run.jsonl")
        #expect(lines.map(\.end) == [21, text.utf8.count])
        #expect(lines.map(\.isTerminated) == [true, false])
        #expect(try RunLog.lines(of: Data(), file: "run.jsonl").isEmpty)
    }

    @Test func aTornLastLineIsSkippedButNotAnEndedOne() throws {
        let torn = "{\"step\": 0, \"lr\": 1, \"loss\": 2}\n{\"step\": 1, \"lr\": 1, \"loss\": 2"
        #expect(try RunLog(jsonLines: torn, file: "run.jsonl").lossObservations == [LossObservation(step: 0, loss: 2)])
        #expect(throws: RunLogError(path: "run.jsonl", line: 2, reason: "not valid JSON")) {
            try RunLog(jsonLines: torn + "\n", file: "run.jsonl")
        }
    }

    @Test(arguments: [
        ("{\"step\": 0, \"lr\": 1, \"loss\": 2}\n{\"step\": 1, \"lr\": 1, \"lo\n{\"step\": 2, \"lr\": 1, \"loss\": 2}", "run.jsonl:2: not valid JSON"),
        ("{\"step\": 0, \"lr\": 1, \"loss\": NaN}\n", "run.jsonl:1: not valid JSON"),
        ("{\"step\": 0, \"lr\": 1, \"loss\": \"NaN\"}", "run.jsonl:1: 'loss' is not a number"),
        ("{\"step\": 0, \"lr\": 1e999, \"loss\": 2}", "run.jsonl:1: 'lr' is not a number"),
        ("{\"step\": 1e300, \"lr\": 1, \"loss\": 2}", "run.jsonl:1: 'step' 1e+300 is not an integer from 0 to 10000000"),
        ("{\"step\": -1, \"lr\": 1}", "run.jsonl:1: 'step' -1.0 is not an integer from 0 to 10000000"),
        ("{\"step\": 10000001, \"lr\": 1}", "run.jsonl:1: 'step' 10000001.0 is not an integer from 0 to 10000000"),
        ("{\"step\": 5, \"lr\": 1, \"loss\": 2}\n{\"step\": 3, \"lr\": 1, \"loss\": 2}", "run.jsonl:2: 'step' 3 does not come after step 5"),
        ("{\"step\": 5, \"lr\": 1, \"loss\": 2}\n{\"step\": 5, \"lr\": 1, \"loss\": 2}", "run.jsonl:2: 'step' 5 does not come after step 5"),
        ("{\"step\": 0, \"lr\": 1, \"note\": \"" + String(repeating: "x", count: 1 << 16) + "\"}", "run.jsonl:1: line is longer than 65536 bytes"),
        ("", "run.jsonl: has no step records"),
        ("\n\n{\"kind\": \"epoch\", \"step\": 3}\n", "run.jsonl: has no step records"),
        ("[1, 2, 3]", "run.jsonl:1: expected a JSON object"),
        ("\n\n{\"step\": 3, \"loss\": 2.0}", "run.jsonl:3: 'lr' is missing"),
        ("{\"step\": 3, \"lr\": \"fast\", \"loss\": 2.0}", "run.jsonl:1: 'lr' is not a number"),
        ("{\"step\": 3, \"lr\": true, \"loss\": 2.0}", "run.jsonl:1: 'lr' is not a number"),
        ("{\"lr\": 0.1, \"loss\": 2.0}", "run.jsonl:1: 'step' is missing"),
        ("{\"step\": 1.5, \"lr\": 0.1, \"loss\": 2.0}", "run.jsonl:1: 'step' 1.5 is not an integer from 0 to 10000000"),
        ("{\"kind\": \"epoch\", \"step\": \"2\"}", "run.jsonl:1: 'step' (a string) is not an integer from 0 to 10000000"),
        ("{\"step\": 2, \"lr\": 0.1, \"epoch\": 0.5}", "run.jsonl:1: 'epoch' 0.5 is not a non-negative integer"),
    ])
    func malformedLinesNameFileAndLine(text: String, message: String) {
        #expect(throws: RunLogError.self) { try RunLog(jsonLines: text, file: "run.jsonl") }
        do {
            _ = try RunLog(jsonLines: text, file: "run.jsonl")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func unreadableFilesAreOneError() {
        #expect(throws: RunLogError(path: "/nonexistent/run.jsonl", line: nil, reason: "no such file")) {
            try RunLog(contentsOf: "/nonexistent/run.jsonl")
        }
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: RunLogError(path: folder, line: nil, reason: "is a folder, not a log")) {
            try RunLog(contentsOf: folder)
        }
        #expect(throws: RunLogError(path: "bytes", line: nil, reason: "cannot be read as UTF-8 text")) {
            try RunLog(jsonLines: Data([0x7B, 0xFF, 0xFE, 0x7D]), file: "bytes")
        }
    }
}
