import Kiln

/// The negative flip rate between an old and a new model: the fraction of samples the old
/// model classified correctly and the new one gets wrong (Yan et al., "Positive-Congruent
/// Training: Towards Regression-Free Model Updates", CVPR 2021).
///
/// Give both models' outputs batch by batch with ``update(old:new:targets:)``. To use it as a
/// ``Metric`` in a list, record the old model's predicted classes over the evaluation set once
/// and pass them to ``init(reference:)``: each ``update(_:targets:)`` then compares the new
/// outputs with the next stretch of the reference, so the evaluation order must be the same.
public struct NegativeFlipRate: Metric {
    /// Samples the old model got right and the new one gets wrong, so far.
    public private(set) var negativeFlips = 0
    /// Samples seen so far.
    public private(set) var total = 0
    /// Samples whose old or new scores held a NaN, so far (the rate is then NaN).
    public private(set) var unscored = 0
    private let reference: [Int]?
    private var position = 0

    /// A rate fed with both models' outputs through ``update(old:new:targets:)``.
    public init() { reference = nil }

    /// A rate comparing new outputs with the old model's int64 predicted classes `[M]` over the
    /// whole evaluation set, in evaluation order.
    public init(reference: Tensor) {
        precondition(reference.dtype == .int64 && reference.rank == 1,
                     "NegativeFlipRate: reference of \(ClassificationInput.describe(reference)) must be int64 classes [M]")
        self.reference = reference.integers
    }

    public var name: String { "negative_flip_rate" }

    /// Adds the old and new models' outputs for one batch: each float scores `[N, C]` or int64
    /// predicted classes `[N]`, with int64 labels `[N]`.
    public mutating func update(old: Tensor, new: Tensor, targets: Tensor) {
        let (oldPredicted, _) = ClassificationInput.predictions("NegativeFlipRate (old)", old, targets, classes: nil)
        let (newPredicted, labels) = ClassificationInput.predictions("NegativeFlipRate (new)", new, targets, classes: nil)
        count(old: oldPredicted[...], new: newPredicted, labels: labels)
    }

    /// Adds the new model's outputs for the next batch of the evaluation set given to ``init(reference:)``.
    public mutating func update(_ outputs: Tensor, targets: Tensor) {
        guard let reference else {
            preconditionFailure("NegativeFlipRate: no reference predictions; use init(reference:) or update(old:new:targets:)")
        }
        let (predicted, labels) = ClassificationInput.predictions("NegativeFlipRate", outputs, targets, classes: nil)
        precondition(position + labels.count <= reference.count,
                     "NegativeFlipRate: targets of shape \(targets.shape) run past the \(reference.count) reference "
                     + "predictions (\(position) used)")
        count(old: reference[position..<position + labels.count], new: predicted, labels: labels)
        position += labels.count
    }

    private mutating func count(old: ArraySlice<Int>, new: [Int], labels: [Int]) {
        old.withUnsafeBufferPointer { o in
            new.withUnsafeBufferPointer { p in
                labels.withUnsafeBufferPointer { y in
                    var flips = 0, missing = 0
                    for i in 0..<y.count {
                        if o[i] == ClassificationInput.unscored || p[i] == ClassificationInput.unscored { missing += 1 }
                        else if o[i] == y[i] && p[i] != y[i] { flips += 1 }
                    }
                    negativeFlips += flips
                    unscored += missing
                }
            }
        }
        total += labels.count
    }

    public func compute() -> Double { total == 0 || unscored > 0 ? .nan : Double(negativeFlips) / Double(total) }

    /// Forgets every sample and starts again from the beginning of the reference.
    public mutating func reset() {
        negativeFlips = 0
        total = 0
        unscored = 0
        position = 0
    }
}
