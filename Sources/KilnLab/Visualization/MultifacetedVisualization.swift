import Kiln
import KilnNN

/// Multifaceted feature visualization (Nguyen, Yosinski and Clune, 2016) of a classifier's class
/// units: the class's training images are clustered in the activation space of a hidden layer,
/// and activation maximization of the class logit starts from each cluster's mean image, so each
/// facet (a kind of image the class unit fires for) gets its own synthetic image.
///
/// Kiln clusters with spherical k-means directly on the hidden activations (``PrototypeDistance``'s
/// clustering) where the paper reduces them by PCA and t-SNE before k-means; its priors are the
/// L2 and total-variation terms of ``ActivationMaximization`` with clamping to the data's range,
/// where the paper adds centre-biased blurring.
public struct MultifacetedVisualization {
    /// The visualized classes, one row each.
    public let classes: [Int]
    /// `images[i][j]`: facet `j` of `classes[i]`, facets by decreasing cluster size; shape of one input.
    public let images: [[Tensor]]
    /// `starts[i][j]`: the cluster mean the ascent of `images[i][j]` started from.
    public let starts: [[Tensor]]
    /// `logits[i][j]`: the class logit of `images[i][j]`.
    public let logits: [[Float]]
    /// `startLogits[i][j]`: the class logit of `starts[i][j]`.
    public let startLogits: [[Float]]

    /// Facets of each of `classes` for `model` (run in evaluation mode, its parameters left as they
    /// were): up to `examplesPerClass` images of the class from `inputs` (labels `labels`) are
    /// clustered into `facets` groups by their activation at the input of the model's last linear
    /// layer (drawn by `generator`), and `ascent` maximizes the class logit from each group's mean.
    ///
    /// A model without a linear layer, or a class with fewer than `facets` images, is an error.
    public init(model: Module, inputs: Tensor, labels: Tensor, classes: [Int], facets: Int, examplesPerClass: Int = 1_000,
                ascent: ActivationMaximization, generator: RandomGenerator) throws(InputError) {
        precondition(facets >= 1 && examplesPerClass >= 1 && !classes.isEmpty,
                     "MultifacetedVisualization: facets \(facets), examples per class \(examplesPerClass), \(classes.count) classes")
        guard let hidden = model.namedModules().last(where: { $0.module is Linear })?.name else {
            throw InputError(path: "model", reason: "has no linear layer whose input would define the facets")
        }
        let wasTraining = model.isTraining
        let frozen = model.parameters().map(\.isFrozen)
        model.eval()
        model.freeze()
        defer {
            model.train(wasTraining)
            for (p, was) in zip(model.parameters(), frozen) where !was { p.isFrozen = false }
        }
        let known = labels.integers
        var starts: [[Tensor]] = []
        for c in classes {
            let members = Array(known.indices.filter { known[$0] == c }.prefix(examplesPerClass))
            guard members.count >= facets else {
                throw InputError(path: "class \(c)", reason: "has \(members.count) training images, fewer than the \(facets) facets asked for")
            }
            let images = inputs.indexSelect(axis: 0, indices: Tensor(members))
            let activations = withoutGradient {
                model.capturingInputs(of: [hidden]) {
                    for start in stride(from: 0, to: images.shape[0], by: 256) { _ = model(images[start..<min(start + 256, images.shape[0])]) }
                }
            }[hidden]!
            let embeddings = Tensor.concatenate(activations.map { $0.reshaped([$0.shape[0], -1]) }, axis: 0)
            let clusters = PrototypeDistance(embeddings: embeddings, clusters: facets, generator: generator).assignments
            let groups = (0..<facets).map { k in clusters.indices.filter { clusters[$0] == k } }
                .filter { !$0.isEmpty }.sorted { $0.count > $1.count }
            var means = groups.map { images.indexSelect(axis: 0, indices: Tensor($0)).mean(axis: 0) }
            while means.count < facets { means.append(images.mean(axis: 0)) }  // a cluster left empty starts from the class mean
            starts.append(means)
        }
        let batch = Tensor.stack(starts.flatMap { $0 }, axis: 0)
        let targets = Tensor(classes.flatMap { Array(repeating: $0, count: facets) })
        let logitCount = withoutGradient { model(batch[0..<1]) }.shape[1]
        let mask = targets.oneHot(classes: logitCount)
        let result = ascent.maximize(from: batch) { x in (model(x) * mask).sum() }
        func classLogits(_ x: Tensor) -> [[Float]] {
            let all = withoutGradient { (model(x) * mask).sum(axis: 1) }.scalars
            return classes.indices.map { i in Array(all[(i * facets)..<((i + 1) * facets)]) }
        }
        self.classes = classes
        self.starts = starts
        images = classes.indices.map { i in (0..<facets).map { result[i * facets + $0] } }
        logits = classLogits(result)
        startLogits = classLogits(batch)
    }
}
