import ArgumentParser
import Foundation
import KilnLab
import KilnTrain

/// `kiln lab prune`: score Fashion-MNIST's training examples, train on the kept fraction, compare with random subsets.
struct LabPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Prune the training set by a difficulty score and compare with random pruning.",
        discussion: """
        Scores every training example with short trainings (EL2N and GraNd of "Deep Learning on a Data \
        Diet", forgetting events, or the distance to the nearest k-means prototype of "Beyond neural \
        scaling laws"), keeps each fraction of the set from the hard or easy end, trains a fresh model on \
        it and on a random subset of the same size, and prints the test accuracies (mean ± standard \
        deviation over seeds) as a Markdown table.
        """)

    @OptionGroup var dataset: FashionMNISTOptions
    @Option(help: "Model: \(names(ModelChoice.self)).", transform: choice) var model: ModelChoice = .mlp
    @Option(help: "Score: \(names(PruningScore.self)).", transform: choice) var score: PruningScore = .el2n
    @Option(help: "Which examples are kept: \(names(KeptExamples.self)).", transform: choice) var keep: KeptExamples = .hard
    @Option(help: "Fractions of the training set kept, comma-separated, each in (0, 1).", transform: numberList)
    var fractions: [Double] = [0.3, 0.5, 0.7, 0.9]
    @Option(help: "Seeds repeating everything, scoring included.") var seeds: Int = 3
    @Option(help: "The first seed.") var seed: UInt64 = 0
    @Option(help: "Epochs of each final training on the full set.") var epochs: Int = 8
    @Option(help: "Training budget on a pruned set: \(names(PruningBudget.self)) (as many as on the full set).", transform: choice)
    var budget: PruningBudget = .epochs
    @Option(help: "Short trainings the scores are averaged over (the Data Diet's 10).") var scoringRuns: Int = DataPruningSettings().scoringRuns
    @Option(help: "Epochs of each scoring training.") var scoringEpochs: Int = 1
    @Option(help: "Clusters of the prototype score's k-means.") var clusters: Int = 10
    @Option(help: "Examples per batch.") var batchSize: Int = 128
    @Option(help: "AdamW's peak learning rate (cosine annealing to zero).") var lr: Double = 1e-3
    @Option(help: "Threads for kernels and BLAS.") var threads: Int = 2
    @Option(help: "SVG file for test accuracy against the fraction kept.") var svg: String = "prune-accuracy.svg"

    func run() throws {
        var settings = DataPruningSettings()
        settings.model = model
        (settings.score, settings.keep, settings.fractions, settings.budget) = (score, keep, fractions, budget)
        (settings.seeds, settings.seed, settings.epochs) = (seeds, seed, epochs)
        (settings.scoringRuns, settings.scoringEpochs, settings.clusters) = (scoringRuns, scoringEpochs, clusters)
        (settings.batchSize, settings.learningRate, settings.threads) = (batchSize, lr, threads)
        if let problem = settings.problem() { throw CommandError(problem) }
        let (train, test) = try dataset.load()
        let experiment = try DataPruningRun(settings: settings, train: train, test: test)
        let start = Date()
        let result = try experiment.run { line in print(line) }
        try writeText(result.svg, to: svg)
        print(result.table)
        print(String(format: "%d trainings in %.0f s; plot in %@", result.entries.count, Date().timeIntervalSince(start), svg))
    }
}
