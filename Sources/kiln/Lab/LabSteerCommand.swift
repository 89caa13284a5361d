import ArgumentParser
import Foundation
import Kiln
import KilnLab
import KilnTrain

/// `kiln lab steer CHECKPOINT`: activation steering by a mean difference of a layer's outputs.
struct LabSteerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steer",
        abstract: "Add α·v to a layer's output, v the mean activation over one set of inputs minus the mean over another.",
        discussion: """
        For a classifier, v goes from the training images of class --from to those of class --to, and the \
        command reports the fraction of test images of class --from predicted as --to at each α. For a \
        language model, v goes from the text of --away to the text of --toward (mean over every position), \
        and the command prints a sample after --prompt at each α. α = 0 is the plain model.
        """)

    @Argument(help: "A checkpoint written by kiln lm train or kiln train.") var checkpoint: String
    @Option(help: "The dotted path of the module whose output is steered (as in state-dict names: 3, blocks.1.mlp).") var layer: String
    @Option(help: "Comma-separated scales α.") var alpha = "0,1,2,4,8"
    @Option(help: "Classifier: the class steered away from.") var from: Int?
    @Option(help: "Classifier: the class steered toward.") var to: Int?
    @Option(help: "Classifier: training images of each class the vector averages.") var examples = 500
    @Option(help: "Language model: a text file showing what to steer toward.") var toward: String?
    @Option(help: "Language model: a text file showing what to steer away from.") var away: String?
    @Option(help: "Language model: the text the samples continue.") var prompt: String?
    @Option(help: "Language model: tokens per sample.") var tokens = 200
    @Option(help: "Language model: the sampling temperature.") var temperature = 0.8
    @Option(help: "Language model: the seed of every sample (the same for each α).") var seed = 0
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?

    func validate() throws {
        guard examples >= 1 else { throw CommandError("--examples must be positive, got \(examples)") }
        guard tokens >= 0 else { throw CommandError("--tokens must be at least 0, got \(tokens)") }
        guard try !scales().isEmpty else { throw CommandError("--alpha lists no scale") }
    }

    private func scales() throws -> [Float] {
        try numberList(alpha).map { value in
            guard value.isFinite else { throw CommandError("--alpha values must be finite, got \(value)") }
            return Float(value)
        }
    }

    func run() throws {
        if let threads { try RunLimits.check(threads: threads) }
        let scales = try scales()
        try Threads.withCount(threads ?? Threads.count) {
            switch try LabCheckpoint(path: checkpoint) {
            case .classifier(let run): try steerClassifier(run, scales: scales)
            case .languageModel(let lm, _): try steerLanguageModel(lm, scales: scales)
            }
        }
    }

    private func steerClassifier(_ run: TrainingRun, scales: [Float]) throws {
        guard let from, let to else { throw CommandError("a classifier is steered between two classes: pass --from and --to") }
        for (name, value) in [("--from", from), ("--to", to)] where !(0..<run.data.classes).contains(value) {
            throw CommandError("\(name) \(value) is not a class of this model (0 to \(run.data.classes - 1))")
        }
        let study = try ClassSteering(model: run.model, layer: layer, from: from, to: to, scales: scales, train: run.data.train.inputs,
                                      trainLabels: run.data.train.targets, test: run.data.test.inputs,
                                      testLabels: run.data.test.targets, examples: examples)
        let names = run.data.classNames
        print("steering \(layer) from \(names[from]) (\(from)) to \(names[to]) (\(to)); \(study.evaluatedCount) test images of \(names[from])")
        for o in study.outcomes {
            print(String(format: "α %8.3g: predicted as %@ %5.1f%%, still %@ %5.1f%%", o.scale, names[to], 100 * o.predictedAsTarget,
                         names[from], 100 * o.predictedAsSource))
        }
    }

    private func steerLanguageModel(_ lm: CharacterLanguageModel, scales: [Float]) throws {
        guard let toward, let away else { throw CommandError("a language model is steered between two texts: pass --toward and --away") }
        let steering = try SteeringVector(languageModel: lm, layer: layer, toward: String(contentsOfFile: toward, encoding: .utf8),
                                          towardSource: toward, awayFrom: String(contentsOfFile: away, encoding: .utf8), awaySource: away)
        print("steering \(layer) toward \(toward), away from \(away); ‖v‖ = \(steering.vector.norm().item)")
        for scale in scales {
            let sampler = try CharacterLanguageModel.sampler(temperature: temperature, seed: seed)
            let text = try steering.applied(to: lm.model, scale: scale) { try lm.sample(count: tokens, prompt: prompt, sampler: sampler) }
            print("--- α \(scale)")
            print((prompt ?? "") + text)
        }
    }
}
