import ArgumentParser
import Foundation
import KilnData
import KilnLab
import KilnTrain

/// `kiln lab nas`: sample architectures, score them without training, train them briefly, and rank-correlate.
struct LabNASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nas",
        abstract: "Score sampled architectures without training and compare with their trained performance.",
        discussion: """
        The image space samples MLPs and CNNs on Fashion-MNIST (depth, width, activation, normalization) \
        and compares with test accuracy; the rnn space samples recurrent character models (cell, layers, \
        hidden and embedding size) and the transformer space GPTs (depth, width, heads, MLP ratio) on the \
        fortunes corpus, compared with minus the validation loss. Every proxy that applies is computed on \
        one batch at initialization, each candidate is trained briefly, and Kendall's τ and Spearman's ρ \
        between each proxy (and their rank combination) and the trained performance are printed.
        """)

    @OptionGroup var dataset: FashionMNISTOptions
    @Option(help: "Search space: \(names(ArchitectureSpace.self)).", transform: choice) var space: ArchitectureSpace = .image
    @Option(help: "Architectures sampled.") var count: Int = 40
    @Option(help: "Image families sampled, comma-separated: \(names(ArchitectureFamily.self)).", transform: choiceList)
    var families: [ArchitectureFamily] = [.mlp, .cnn]
    @Option(help: "Proxies, comma-separated: \(names(ArchitectureProxy.self)) (default: those that apply to the space).",
            transform: choiceList)
    var proxies: [ArchitectureProxy]?
    @Option(help: "Proxies whose ranks are averaged into the combined score (empty: none; default: synflow,jacob_cov,snip for images, synflow,snip,hidden_cov for language models).",
            transform: choiceList)
    var combine: [ArchitectureProxy]?
    @Option(help: "Examples in the batch the proxies score (default 128 images, 640 windows).") var probeBatch: Int?
    @Option(help: "Training steps per candidate (default 150 images, 200 language models).") var steps: Int?
    @Option(help: "Examples per training batch (default 128 images, 32 windows).") var batchSize: Int?
    @Option(help: "AdamW's peak learning rate, cosine annealing to zero (default 1e-3 images, 3e-3 language models).") var lr: Double?
    @Option(help: "Test examples each image candidate is evaluated on.") var testExamples: Int = 10_000
    @Option(help: "Folder of text files the language models learn (default: the fortunes).") var corpus: String = TextCorpus.fortunesDirectory
    @Option(help: "Characters per window of the language models.") var context: Int = 32
    @Option(help: "Validation windows each language model is evaluated on.") var validationWindows: Int = 512
    @Option(help: "Seed of the sampling, weights and batches.") var seed: UInt64 = 0
    @Option(help: "Threads for kernels and BLAS.") var threads: Int = 2
    @Option(help: "SVG file: trained performance against each proxy's rank.") var svg: String = "nas-proxies.svg"
    @Option(help: "CSV file: every candidate's scores and trained performance.") var csv: String = "nas-candidates.csv"

    func run() throws {
        let start = Date()
        let result = space == .image ? try searchImages() : try searchLanguageModels()
        try writeText(result.svg, to: svg)
        try writeText(result.csv, to: csv)
        print(result.table)
        print(String(format: "%d architectures in %.0f s; plot in %@, candidates in %@", result.candidates.count,
                     Date().timeIntervalSince(start), svg, csv))
    }

    /// The scoring and training options both searches take, where given.
    private func overrideTraining<Settings: ProxySearchSettings>(of settings: inout Settings) {
        settings.combined = combine ?? settings.combined
        settings.probeBatch = probeBatch ?? settings.probeBatch
        settings.steps = steps ?? settings.steps
        settings.batchSize = batchSize ?? settings.batchSize
        settings.learningRate = lr ?? settings.learningRate
    }

    private func searchImages() throws -> ArchitectureSearchResult {
        var settings = ArchitectureSearchSettings()
        (settings.count, settings.families, settings.testExamples, settings.seed, settings.threads) = (count, families, testExamples, seed, threads)
        settings.proxies = proxies ?? settings.proxies
        overrideTraining(of: &settings)
        if let problem = settings.problem() { throw CommandError(problem) }
        let (train, test) = try dataset.load()
        return try ArchitectureSearch(settings: settings, train: train, test: test).run { line in print(line) }
    }

    private func searchLanguageModels() throws -> ArchitectureSearchResult {
        var settings = LanguageModelSearchSettings()
        (settings.space, settings.count, settings.context, settings.validationWindows) = (space, count, context, validationWindows)
        (settings.seed, settings.threads) = (seed, threads)
        settings.proxies = proxies ?? space.proxies
        overrideTraining(of: &settings)
        if let problem = settings.problem() { throw CommandError(problem) }
        let text = try TextCorpus(directory: corpus).text
        return try LanguageModelArchitectureSearch(settings: settings, text: text, source: corpus).run { line in print(line) }
    }
}

/// The settings of a proxy search that `kiln lab nas` overrides the same way for every space.
protocol ProxySearchSettings {
    var combined: [ArchitectureProxy] { get set }
    var probeBatch: Int { get set }
    var steps: Int { get set }
    var batchSize: Int { get set }
    var learningRate: Double { get set }
}

extension ArchitectureSearchSettings: ProxySearchSettings {}
extension LanguageModelSearchSettings: ProxySearchSettings {}

/// Comma-separated names of a choice; an unknown one is an error listing the valid ones.
func choiceList<C: NamedChoice>(_ text: String) throws -> [C] {
    try text.split(separator: ",", omittingEmptySubsequences: true).map { try C(named: String($0)) }
}
