import Kiln

/// A collection of examples that can be read in batches by index.
public protocol Dataset {
    /// The number of examples.
    var count: Int { get }
    /// The examples at `indices`, stacked: inputs with a leading batch dimension, and their targets.
    func batch(at indices: [Int]) -> (inputs: Tensor, targets: Tensor)
    /// The examples at `indices` as a ``Batch``, as a ``DataLoader`` reads them; a dataset whose
    /// examples have several inputs or a mask implements this, others take the default, which
    /// wraps ``batch(at:)``.
    func examples(at indices: [Int]) -> Batch
}

extension Dataset {
    /// The examples of ``batch(at:)`` as a batch of one input without a mask.
    public func examples(at indices: [Int]) -> Batch {
        let (inputs, targets) = batch(at: indices)
        return Batch(inputs: inputs, targets: targets)
    }
}

/// Examples held in memory as two tensors whose first dimensions match.
public struct TensorDataset: Dataset {
    /// All inputs, `[count, …]`.
    public let inputs: Tensor
    /// All targets, `[count, …]` (class indices or values).
    public let targets: Tensor

    /// A dataset of `inputs` and `targets`, whose first dimensions must match (both are stored contiguous).
    public init(inputs: Tensor, targets: Tensor) {
        precondition(inputs.shape.first == targets.shape.first,
                     "TensorDataset: inputs \(inputs.shape) and targets \(targets.shape) differ in their first dimension")
        self.inputs = inputs.contiguous()
        self.targets = targets.contiguous()
    }

    public var count: Int { inputs.shape.first ?? 0 }

    public func batch(at indices: [Int]) -> (inputs: Tensor, targets: Tensor) {
        let rows = Tensor(indices)
        return (inputs.indexSelect(axis: 0, indices: rows), targets.indexSelect(axis: 0, indices: rows))
    }
}
