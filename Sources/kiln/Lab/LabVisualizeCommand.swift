import ArgumentParser
import Foundation
import Kiln
import KilnLab
import KilnOptimizers
import KilnTrain

/// `kiln lab visualize CHECKPOINT --out grid.png`: multifaceted activation maximization of an image classifier.
struct LabVisualizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visualize",
        abstract: "Synthesize images that maximize each class logit, several facets per class, as a PNG grid.",
        discussion: """
        Multifaceted feature visualization: each class's training images are clustered (spherical k-means) \
        by their activation at the input of the last linear layer, and gradient ascent (Adam) on the class \
        logit − λ‖x‖² − μ·TV(x) starts from each cluster's mean image, clamped to the training data's range. \
        One row per class, one column per facet, facets by decreasing cluster size.
        """)

    @Argument(help: "A checkpoint written by kiln train on image data.") var checkpoint: String
    @Option(help: "The PNG file to write; an existing file is never replaced.") var out: String
    @Option(help: "Facets (columns) per class.") var facets = 4
    @Option(help: "Ascent steps.") var steps = 150
    @Option(help: "The learning rate of the ascent's Adam.") var learningRate = 0.005
    @Option(help: "λ, the weight of the squared L2 norm of the image.") var l2: Float = 1e-3
    @Option(help: "μ, the weight of the total-variation prior.") var tv: Float = 0.05
    @Option(help: "Training images per class that are clustered.") var examples = 1_000
    @Option(help: "Pixels per image pixel in the PNG.") var scale = 3
    @Option(help: "The seed of the clustering.") var seed = 0
    @Flag(help: "Put each facet's starting image (its cluster's mean) in the columns before the facets.") var showStarts = false
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?

    func validate() throws {
        guard facets >= 1 else { throw CommandError("--facets must be positive, got \(facets)") }
        guard steps >= 0 else { throw CommandError("--steps must be at least 0, got \(steps)") }
        guard learningRate > 0 && learningRate.isFinite else { throw CommandError("--learning-rate must be positive, got \(learningRate)") }
        guard l2 >= 0 && l2.isFinite && tv >= 0 && tv.isFinite else { throw CommandError("--l2 and --tv must be finite and at least 0") }
        guard examples >= 1 else { throw CommandError("--examples must be positive, got \(examples)") }
        guard (1...16).contains(scale) else { throw CommandError("--scale must be in 1...16, got \(scale)") }
        guard seed >= 0 else { throw CommandError("--seed must be at least 0, got \(seed)") }
    }

    func run() throws {
        if let threads { try RunLimits.check(threads: threads) }
        guard !FileManager.default.fileExists(atPath: out) else { throw CommandError("\(out) already exists; choose another --out") }
        try Threads.withCount(threads ?? Threads.count) {
            guard case .classifier(let run) = try LabCheckpoint(path: checkpoint), run.data.holdsImages else {
                throw CommandError("\(checkpoint): visualize needs a classifier of images (kiln train on Fashion-MNIST)")
            }
            let train = run.data.train
            let range = withoutGradient { train.inputs.min().item...train.inputs.max().item }
            let rate = learningRate
            let ascent = ActivationMaximization(steps: steps, l2: l2, totalVariation: tv, range: range,
                                                optimizer: { Adam(groups: $0, learningRate: rate) })
            let facetsFound = try MultifacetedVisualization(model: run.model, inputs: train.inputs, labels: train.targets,
                                                            classes: Array(0..<run.data.classes), facets: facets,
                                                            examplesPerClass: examples, ascent: ascent,
                                                            generator: RandomGenerator(seed: UInt64(seed)))
            for (i, c) in facetsFound.classes.enumerated() {
                let logits = zip(facetsFound.startLogits[i], facetsFound.logits[i]).map { String(format: "%.1f → %.1f", $0, $1) }
                print("\(run.data.classNames[c]): class logit of each facet's start → image: \(logits.joined(separator: ", "))")
            }
            let rows = showStarts ? zip(facetsFound.starts, facetsFound.images).map { $0 + $1 } : facetsFound.images
            try AtomicFile.write(ImageGrid.png(rows, range: range, scale: scale), to: out)
            print("wrote \(out)")
        }
    }
}
