import Kiln
import KilnNN

/// How steering moves a classifier's predictions from one class to another: the steering vector
/// is the mean activation of a layer over training images of class `to` minus its mean over
/// training images of class `from`, and for each scale α the study counts the held-out images of
/// class `from` that the steered model predicts as `to` (and still as `from`). α = 0 is the plain model.
public struct ClassSteering {
    /// The outcome at one scale.
    public struct Outcome {
        /// α.
        public let scale: Float
        /// The fraction of held-out images of class `from` predicted as `to`.
        public let predictedAsTarget: Double
        /// The fraction of held-out images of class `from` still predicted as `from`.
        public let predictedAsSource: Double
    }

    /// The vector added at the layer.
    public let steering: SteeringVector
    /// The held-out images of class `from` the outcomes count.
    public let evaluatedCount: Int
    /// One outcome per scale, in the order given.
    public let outcomes: [Outcome]

    /// The study of steering `model` at `layer` from class `from` to class `to` with each of `scales`:
    /// the vector from up to `examples` training images of each class (`train`, labels `trainLabels`),
    /// the outcomes over the images of class `from` among `test` (labels `testLabels`).
    ///
    /// A class without training or held-out images, and the errors of ``SteeringVector``, are errors.
    public init(model: Module, layer: String, from: Int, to: Int, scales: [Float], train: Tensor, trainLabels: Tensor,
                test: Tensor, testLabels: Tensor, examples: Int = 500) throws(InputError) {
        func images(of label: Int, in inputs: Tensor, _ labels: Tensor, limit: Int) -> [Tensor] {
            let known = labels.integers
            let rows = Array(known.indices.filter { known[$0] == label }.prefix(limit))
            guard !rows.isEmpty else { return [] }
            let chosen = inputs.indexSelect(axis: 0, indices: Tensor(rows))
            return stride(from: 0, to: rows.count, by: 256).map { chosen[$0..<min($0 + 256, rows.count)] }
        }
        steering = try SteeringVector(model: model, layer: layer, toward: images(of: to, in: train, trainLabels, limit: examples),
                                      awayFrom: images(of: from, in: train, trainLabels, limit: examples))
        let heldOut = images(of: from, in: test, testLabels, limit: Int.max)
        guard !heldOut.isEmpty else { throw InputError(path: "class \(from)", reason: "has no held-out image to steer") }
        evaluatedCount = heldOut.map { $0.shape[0] }.reduce(0, +)
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let steering = steering, total = Double(evaluatedCount)
        outcomes = try scales.map { scale throws(InputError) -> Outcome in
            let handle = try steering.install(in: model, scale: scale)
            defer { handle.remove() }
            let predictions = withoutGradient { heldOut.flatMap { model($0).argmax(axis: 1).integers } }
            return Outcome(scale: scale, predictedAsTarget: Double(predictions.filter { $0 == to }.count) / total,
                           predictedAsSource: Double(predictions.filter { $0 == from }.count) / total)
        }
    }
}
