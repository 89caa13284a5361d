import Kiln
import KilnData
import KilnNN

/// The diagonal of a model's Fisher information: for each trainable parameter element θ,
/// the mean over examples of (∂ log p(y|x) / ∂θ)².
///
/// It measures how sharply the model's predictions depend on each weight, and is what
/// ``ModelMerging/fisherWeighted(_:fishers:weights:fisherFloor:buffers:)`` weights by.
public struct DiagonalFisher {
    /// The Fisher diagonal per parameter path, each with its parameter's shape.
    public var byName: [String: Tensor]
    /// The number of examples it was averaged over.
    public var exampleCount: Int

    /// A Fisher diagonal already computed: one tensor per parameter path, averaged over `exampleCount` examples.
    public init(_ byName: [String: Tensor], exampleCount: Int) {
        self.byName = byName
        self.exampleCount = exampleCount
    }

    public subscript(name: String) -> Tensor? {
        get { byName[name] }
        set { byName[name] = newValue }
    }
}

/// Which labels y the Fisher's log-likelihood log p(y|x) is taken at.
public enum FisherLabels {
    /// The dataset's own targets: the empirical Fisher.
    case empirical
    /// One class per example drawn from the model's predictive distribution, the softmax of its
    /// outputs over the last axis: a one-sample Monte Carlo estimate of the true Fisher.
    case sampled(RandomGenerator)

    /// The labels for a batch whose model outputs are `outputs` and dataset targets `targets`.
    func labels(outputs: Tensor, targets: Tensor) -> Tensor {
        switch self {
        case .empirical: return targets
        case .sampled(let generator):
            precondition(outputs.rank >= 1 && outputs.dtype == .float32,
                         "DiagonalFisher.estimate: sampled labels need float logits [..., classes], got \(outputs.dtype) \(outputs.shape)")
            return withoutGradient {
                let logits = outputs.detached().reshaped([-1, outputs.shape[outputs.rank - 1]])
                return Tensor.categorical(logits: logits, generator: generator).reshaped(Array(outputs.shape.dropLast()))
            }
        }
    }
}

/// log p(y|x) of a classifier for each row: the log-softmax of `logits` `[N, C]` at the int64
/// `labels` `[N]`; the result is `[N]`.
public func classLogLikelihood(logits: Tensor, labels: Tensor) -> Tensor {
    precondition(logits.rank == 2 && labels.dtype == .int64 && labels.shape == [logits.shape[0]],
                 "classLogLikelihood: expects logits [N, C] and int64 labels [N], got \(logits.shape) and \(labels.dtype) \(labels.shape)")
    let logProbabilities = logits - logits.logSumExp(axes: [-1], keepingDims: true)
    return logProbabilities.gather(axis: -1, index: labels.unsqueezed(-1)).squeezed(-1)
}

extension DiagonalFisher {
    /// Estimates the diagonal Fisher of `model` over `batches`, one backward pass per batch.
    ///
    /// For a batch of B examples with gradient ḡ of the mean log-likelihood, the estimate adds
    /// B·ḡ² per parameter element and finally divides by the number of examples. With batches of
    /// one example this is exactly the mean of the per-example squared gradients. With larger
    /// batches it is an approximation: B·ḡ² = (1/B) Σᵢ gᵢ² + (1/B) Σ_{i≠j} gᵢgⱼ, and the cross terms
    /// vanish only on average, when different examples' gradients are independent with mean zero
    /// (so for ``FisherLabels/sampled(_:)``, where E_y[∇ log p(y|x)] = 0, and near a fitted optimum
    /// for empirical labels). It is cheaper by a factor of about B.
    ///
    /// The model is run in whatever mode it is in; call `model.eval()` first to turn dropout off.
    /// Frozen parameters get no entry.
    ///
    /// - Parameters:
    ///   - labels: the targets of the batches (empirical Fisher) or labels sampled from the model.
    ///   - logLikelihood: log p(y|x) per example, `[B]`, from the model's outputs and the labels;
    ///     by default ``classLogLikelihood(logits:labels:)``.
    public static func estimate(of model: Module, batches: some Sequence<Batch>, labels: FisherLabels = .empirical,
                                logLikelihood: (_ outputs: Tensor, _ labels: Tensor) -> Tensor = classLogLikelihood)
        -> DiagonalFisher {
        var sums: [String: Tensor] = [:]
        var examples = 0
        for batch in batches {
            precondition(batch.inputs.rank >= 1, "DiagonalFisher.estimate: inputs need a batch dimension, got \(batch.inputs.shape)")
            let size = batch.inputs.shape[0]
            let (_, gradients) = valueAndGradient(of: model) { m in
                let outputs = m(batch.inputs)
                let perExample = logLikelihood(outputs, labels.labels(outputs: outputs, targets: batch.targets))
                precondition(perExample.shape == [size],
                             "DiagonalFisher.estimate: the log-likelihood must be [\(size)], one value per example, got \(perExample.shape)")
                return perExample.mean()
            }
            withoutGradient {
                for (name, g) in gradients.byName {
                    let term = g * g * Float(size)
                    sums[name] = sums[name].map { $0 + term } ?? term
                }
            }
            examples += size
        }
        precondition(examples > 0, "DiagonalFisher.estimate: the batches hold no examples")
        let scale = 1 / Float(examples)
        return DiagonalFisher(withoutGradient { sums.mapValues { $0 * scale } }, exampleCount: examples)
    }

    /// Estimates the diagonal Fisher of `model` over one epoch of `loader`
    /// (see ``estimate(of:batches:labels:logLikelihood:)``; batch size 1 gives the exact estimate).
    public static func estimate<D: Dataset>(of model: Module, loader: DataLoader<D>, labels: FisherLabels = .empirical,
                                            logLikelihood: (_ outputs: Tensor, _ labels: Tensor) -> Tensor = classLogLikelihood)
        -> DiagonalFisher {
        estimate(of: model, batches: loader.epoch(), labels: labels, logLikelihood: logLikelihood)
    }
}
