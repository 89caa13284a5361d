import Kiln

/// Cross-entropy of the softmax of `logits` against `labels`, fused (PyTorch's `F.cross_entropy`).
///
/// `logits` are `[C]`, `[N, C]` or `[N, C, d₁, …]`. `labels` are class indices (int64, the logits' shape
/// without the class dimension) or class probabilities (float, the logits' shape).
///
/// - `classWeights` (`[C]`) weight each class's term; with `.mean` over class indices the sum is divided
///   by the sum of the weights of the labelled classes, as PyTorch does.
/// - `sampleWeights` (Kiln's extension, the batch shape) multiply each sample's loss. They do not change
///   the `.mean` denominator, so they act as per-sample loss scales: weights of 1 give the plain loss.
/// - `labelSmoothing` ε mixes the target with the uniform distribution: `(1 − ε)·target + ε/C`.
/// - Samples labelled `ignoreIndex` score 0, get no gradient and leave the `.mean` denominator.
///   `.mean` over probability targets divides by the number of samples.
///
/// The forward pass keeps only each row's log-sum-exp; the backward pass recomputes
/// `softmax(x) − target` in one pass.
public func crossEntropy(logits: Tensor, labels: Tensor, classWeights: Tensor? = nil, sampleWeights: Tensor? = nil,
                         labelSmoothing: Float = 0, ignoreIndex: Int = -100,
                         reduction: LossReduction = .mean) -> Tensor {
    let rows = ClassTargets(scores: logits, labels: labels, op: "crossEntropy")
    let losses = rows.scores.softmaxCrossEntropy(labels: rows.labels, classWeights: classWeights,
                                                 labelSmoothing: labelSmoothing, ignoreIndex: ignoreIndex)
    let denominator = rows.areIndices ? rows.labelledWeight(classWeights: classWeights, ignoreIndex: ignoreIndex)
                                      : Float(rows.labels.shape[0])
    return rows.reduce(losses, sampleWeights: sampleWeights, reduction: reduction, meanDenominator: denominator,
                       op: "crossEntropy")
}

/// ``crossEntropy(logits:labels:classWeights:sampleWeights:labelSmoothing:ignoreIndex:reduction:)`` with
/// its options fixed (PyTorch's `nn.CrossEntropyLoss`).
///
/// ```swift
/// let lossFunction = CrossEntropyLoss(labelSmoothing: 0.1)
/// let loss = lossFunction(model(x), labels)
/// ```
public struct CrossEntropyLoss {
    public var classWeights: Tensor?
    public var labelSmoothing: Float
    public var ignoreIndex: Int
    public var reduction: LossReduction

    /// The loss with PyTorch's defaults: no class weights, no label smoothing, `ignoreIndex` −100 and `.mean`.
    public init(classWeights: Tensor? = nil, labelSmoothing: Float = 0, ignoreIndex: Int = -100,
                reduction: LossReduction = .mean) {
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
    }

    /// The loss of `logits` against `labels`, each sample's loss multiplied by `sampleWeights` if given.
    public func callAsFunction(_ logits: Tensor, _ labels: Tensor, sampleWeights: Tensor? = nil) -> Tensor {
        crossEntropy(logits: logits, labels: labels, classWeights: classWeights, sampleWeights: sampleWeights,
                     labelSmoothing: labelSmoothing, ignoreIndex: ignoreIndex, reduction: reduction)
    }
}
