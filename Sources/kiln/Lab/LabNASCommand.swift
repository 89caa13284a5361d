import ArgumentParser
import Foundation
import KilnLab
import KilnTrain

/// `kiln lab nas`: sample architectures, score them without training, train them briefly, and rank-correlate.
struct LabNASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nas",
        abstract: "Score sampled architectures without training and compare with their trained accuracy.",
        discussion: """
        Samples MLPs and CNNs on Fashion-MNIST (depth, width, activation, normalization), computes every \
        training-free proxy on one batch at initialization, trains each candidate briefly, and prints \
        Kendall's τ and Spearman's ρ between each proxy (and their rank combination) and the test accuracy.
        """)

    @OptionGroup var dataset: FashionMNISTOptions
    @Option(help: "Architectures sampled.") var count: Int = 40
    @Option(help: "Families sampled, comma-separated: \(names(ArchitectureFamily.self)).", transform: choiceList)
    var families: [ArchitectureFamily] = [.mlp, .cnn]
    @Option(help: "Proxies, comma-separated: \(names(ArchitectureProxy.self)).", transform: choiceList)
    var proxies: [ArchitectureProxy] = ArchitectureProxy.allCases
    @Option(help: "Proxies whose ranks are averaged into the combined score (empty: none).", transform: choiceList)
    var combine: [ArchitectureProxy] = [.synflow, .jacobianCovariance, .snip]
    @Option(help: "Examples in the batch the proxies score.") var probeBatch: Int = 128
    @Option(help: "Training steps per candidate.") var steps: Int = 150
    @Option(help: "Examples per training batch.") var batchSize: Int = 128
    @Option(help: "AdamW's peak learning rate (cosine annealing to zero).") var lr: Double = 1e-3
    @Option(help: "Test examples each candidate is evaluated on.") var testExamples: Int = 10_000
    @Option(help: "Seed of the sampling, weights and batches.") var seed: UInt64 = 0
    @Option(help: "Threads for kernels and BLAS.") var threads: Int = 2
    @Option(help: "SVG file: accuracy against each proxy's rank.") var svg: String = "nas-proxies.svg"
    @Option(help: "CSV file: every candidate's scores and accuracy.") var csv: String = "nas-candidates.csv"

    func run() throws {
        var settings = ArchitectureSearchSettings()
        (settings.count, settings.families, settings.proxies, settings.combined) = (count, families, proxies, combine)
        (settings.probeBatch, settings.steps, settings.batchSize, settings.learningRate) = (probeBatch, steps, batchSize, lr)
        (settings.testExamples, settings.seed, settings.threads) = (testExamples, seed, threads)
        if let problem = settings.problem() { throw CommandError(problem) }
        let (train, test) = try dataset.load()
        let search = try ArchitectureSearch(settings: settings, train: train, test: test)
        let start = Date()
        let result = try search.run { line in print(line) }
        try writeText(result.svg, to: svg)
        try writeText(result.csv, to: csv)
        print(result.table)
        print(String(format: "%d architectures in %.0f s; plot in %@, candidates in %@", result.candidates.count,
                     Date().timeIntervalSince(start), svg, csv))
    }
}

/// Comma-separated names of a choice; an unknown one is an error listing the valid ones.
func choiceList<C: NamedChoice>(_ text: String) throws -> [C] {
    try text.split(separator: ",", omittingEmptySubsequences: true).map { try C(named: String($0)) }
}
