import Kiln

/// A lookup table of `count` vectors of size `dimension`: integer ids `[...]` become vectors `[..., dimension]`.
///
/// `weight` `[count, dimension]` starts as standard normal draws, as PyTorch's. With a `paddingIndex`
/// that row starts at zero and never receives a gradient.
public final class Embedding: Module {
    @Parameter public var weight: Tensor
    /// The id whose vector stays fixed (normalized to `0..<count`), or nil.
    public let paddingIndex: Int?

    /// A table of `count` vectors of size `dimension` drawn from `generator`; a negative `paddingIndex`
    /// counts from the end.
    public init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil, generator: RandomGenerator = Random.default) {
        let padding = paddingIndex.map { $0 < 0 ? $0 + count : $0 }
        if let padding { precondition(padding >= 0 && padding < count, "Embedding: padding index \(paddingIndex!) outside 0..<\(count)") }
        var table = Init.normal([count, dimension], generator: generator)
        if let padding { table.assign(Tensor(zeros: [1, dimension]), axis: 0, padding..<(padding + 1)) }
        weight = table
        self.paddingIndex = padding
        super.init()
    }

    /// Looks up `ids`, an int64 tensor of any shape.
    public override func forward(_ ids: Tensor) -> Tensor {
        precondition(ids.dtype == .int64, "Embedding: ids must be int64, got \(ids.dtype) \(ids.shape)")
        let dimension = weight.shape[1]
        let vectors = weight.indexSelect(axis: 0, indices: ids.reshaped([-1])).reshaped(ids.shape + [dimension])
        guard let paddingIndex else { return vectors }
        let isPadding = (ids .== Tensor([paddingIndex], shape: [])).unsqueezed(-1)
        return Tensor.where(isPadding, vectors.detached(), vectors)
    }

    public override var extraDescription: String {
        "\(weight.shape[0]), \(weight.shape[1])" + (paddingIndex.map { ", padding_idx=\($0)" } ?? "")
    }
}
