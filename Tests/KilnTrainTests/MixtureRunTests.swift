import Foundation
import KilnTestSupport
@testable import KilnTrain
import Testing

/// Tiny language-model settings with 4 experts of 8 hidden units, top-2, in every block.
private func tinyMixtureSettings(_ name: String, router: ExpertGateChoice = .topk) throws -> LanguageModelSettings {
    var s = try tinyLanguageModelSettings(name)
    var moe = MixtureSettings()
    moe.experts = 4
    moe.router = router
    s.moe = moe
    s.hidden = 8
    return s
}

@Suite struct MixtureRunTests {
    @Test func mixtureRunLearnsLogsRoutingAndRestoresForSampling() throws {
        let run = try tinyLanguageModelRun(try tinyMixtureSettings("moe"), name: "moe")
        let summary = try run.run()
        #expect(run.languageModel.model.mixtureLayers.count == 2)
        #expect(summary.validationCurve.last!.loss < log(29.0) - 0.5)
        let records = summary.records.filter { $0.kind == "moe" }
        #expect(records.count == 6)
        for record in records {
            let shares = (0..<4).map { record.values["layer1_load\($0)"]! }
            #expect(abs(shares.reduce(0, +) - 1) < 1e-9)
            #expect(record.values["max_over_mean"]! >= 1 && record.values["dropped"] == 0)
        }
        let bias = run.languageModel.model.mixtureLayers[0].expertBias.scalars
        #expect(bias.contains { $0 != 0 }, "loss-free balancing moved the bias")
        let report = try String(contentsOfFile: run.folder.report, encoding: .utf8)
        #expect(report.contains("Expert load") && report.contains("Routing over training") && report.contains("mixture of experts"))

        let restored = try CharacterLanguageModel(checkpoint: run.folder.checkpoint)
        #expect(restored.settings.moe == run.settings.moe && restored.settings.hidden == 8)
        #expect(restored.model.mixtureLayers[0].expertBias.scalars == bias)
        let text = try restored.sample(count: 20, prompt: "the ", sampler: CharacterLanguageModel.sampler(seed: 1))
        #expect(text.unicodeScalars.count == 20)
        let contrasted = try restored.sample(count: 10, prompt: "the ", sampler: CharacterLanguageModel.sampler(temperature: 0),
                                             selfContrast: (beta: 0.5, plausibility: 0.1, weakRank: 2))
        #expect(contrasted.unicodeScalars.count == 10)
        #expect(throws: RunError.self) {
            try restored.sample(count: 3, sampler: CharacterLanguageModel.sampler(), selfContrast: (beta: 0.5, plausibility: 0.1, weakRank: 5))
        }
        let evaluated = try restored.evaluate(contextMultiples: [1])
        #expect(abs(evaluated[0].loss - summary.validationLoss!) <= 1e-5 * summary.validationLoss!)
    }

    @Test(arguments: [ExpertGateChoice.topk, .stochastic])
    func resumedMixtureRunEqualsTheUninterruptedOne(router: ExpertGateChoice) throws {
        let whole = try tinyLanguageModelRun(try tinyMixtureSettings("moe-whole-\(router)", router: router), name: "moe-whole-\(router)")
        let summary = try whole.run()
        let first = try tinyLanguageModelRun(try tinyMixtureSettings("moe-split-\(router)", router: router), name: "moe-split-\(router)")
        _ = try first.run(stoppingAfter: 12)
        let resumed = try LanguageModelRun.resume(out: (first.folder.path as NSString).deletingLastPathComponent, name: "run", threads: 1)
        resumed.showsProgress = false
        let finished = try resumed.run()
        let a = try Checkpoint.read(whole.folder.checkpoint), b = try Checkpoint.read(resumed.folder.checkpoint)
        for (name, tensor) in a.model { #expect(tensor.scalars == b.model[name]?.scalars, "\(name) differs") }
        #expect(finished.validationLoss == summary.validationLoss)
    }

    @Test func settingsProblemsAreOneLine() throws {
        var s = try tinyMixtureSettings("moe-bad")
        s.moe!.topK = 5
        #expect(s.problem() == "moe: top_k must be in 1...4 (the experts), got 5")
        s.moe!.topK = 2
        s.moe!.capacityFactor = 0
        #expect(s.problem() == "moe: capacity_factor must be positive, got 0.0")
        s.moe!.capacityFactor = nil
        s.hidden = 0
        #expect(s.problem() == "hidden must be at least 1, got 0")
    }

    @Test func defaultExpertWidthKeepsTheActiveParametersOfTheDenseModel() {
        var s = LanguageModelSettings()
        s.moe = MixtureSettings()
        let c = s.configuration(vocabularySize: 113)
        #expect(c.hiddenDimension == 256)
        let moe = GPT(c, generator: RandomGenerator(seed: 0)).mixtureLayers[0]
        #expect(moe.experts.count == 8 && moe.gate == .topK(2))
        #expect(moe.balancing == .lossFree(rate: 1e-3) && moe.zLossWeight == 1e-3 && moe.capacityFactor == nil)
    }

    @Test func annealedDenseToSparseTemperatureFallsLinearly() {
        var moe = MixtureSettings()
        moe.temperature = 2
        moe.finalTemperature = 0.1
        #expect(moe.temperature(atStep: 0, of: 11) == 2)
        #expect(abs(moe.temperature(atStep: 5, of: 11) - 1.05) < 1e-12)
        #expect(abs(moe.temperature(atStep: 10, of: 11) - 0.1) < 1e-12)
    }
}
