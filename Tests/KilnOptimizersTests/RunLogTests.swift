import KilnOptimizers
import KilnTestSupport
import Testing

@Suite struct RunLogTests {
    @Test func readsLossesAndInterpolatesLearningRates() throws {
        let text = """
        {"step": 0, "lr": 0.0, "loss": 5.0}
        {"step": 2, "lr": 0.2}

        {"event": "eval", "accuracy": 0.5}
        {"step": 4, "lr": 0.4, "loss": 3.0, "grad_norm": 1.5, "tag": "x"}
        {"step": 4, "lr": 0.4, "loss": 2.5, "grad_norm": 1.25}
        {"step": 5, "lr": 0.3, "loss": null}
        {"kind": "epoch", "step": 4, "epoch": 1, "test_loss": 9.0}
        """
        let log = try RunLog(jsonLines: text, file: "run.jsonl")
        #expect(log.lossObservations == [LossObservation(step: 0, loss: 5), LossObservation(step: 4, loss: 2.5)])
        let rates = log.learningRates
        #expect(rates.count == 6)
        for (rate, expected) in zip(rates, [0, 0.1, 0.2, 0.3, 0.4, 0.3]) {
            expectClose(rate, expected, relative: 1e-15, "learning rate")
        }
        #expect(log.series("grad_norm") == [1.25])
    }

    @Test(arguments: [
        ("{\"step\": 0, \"lr\": 1, \"loss\": 2}\n{\"step\": 1, \"lr\": 1, \"loss\": 2", "run.jsonl:2: not valid JSON"),
        ("[1, 2, 3]", "run.jsonl:1: expected a JSON object"),
        ("\n\n{\"step\": 3, \"loss\": 2.0}", "run.jsonl:3: 'lr' is missing"),
        ("{\"step\": 3, \"lr\": \"fast\", \"loss\": 2.0}", "run.jsonl:1: 'lr' is not a number"),
        ("{\"step\": 3, \"lr\": true, \"loss\": 2.0}", "run.jsonl:1: 'lr' is not a number"),
        ("{\"lr\": 0.1, \"loss\": 2.0}", "run.jsonl:1: 'step' is missing"),
        ("{\"step\": 1.5, \"lr\": 0.1, \"loss\": 2.0}", "run.jsonl:1: 'step' 1.5 is not a non-negative integer"),
    ])
    func malformedLinesNameFileAndLine(text: String, message: String) {
        #expect(throws: RunLogError.self) { try RunLog(jsonLines: text, file: "run.jsonl") }
        do {
            _ = try RunLog(jsonLines: text, file: "run.jsonl")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func missingFileIsOneError() {
        #expect(throws: RunLogError(file: "/nonexistent/run.jsonl", line: nil, message: "cannot be read as UTF-8 text")) {
            try RunLog(contentsOf: "/nonexistent/run.jsonl")
        }
    }
}
