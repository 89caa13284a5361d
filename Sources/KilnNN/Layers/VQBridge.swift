import Kiln

/// VQBridge (Chang et al. 2025, "Scalable Training for Vector-Quantized Networks with 100% Codebook
/// Utilization"): a projector over the codebook, so that the codes a ``VectorQuantizer`` quantizes
/// with are the output of a map function of the whole codebook, `f(C)`, rather than the free vectors
/// `C` themselves. `f` compresses, processes and recovers: `group` consecutive codes of `C` `[K, D]`
/// are compressed by a linear layer into one token of `width` channels, the `K / group` tokens are
/// processed by non-causal transformer (ViT) blocks that let every code see every other, and a linear
/// layer recovers `group` codes of size `D` from each token.
///
/// Since every projected code depends on all of `C` and on the shared weights of `f`, the gradient of
/// the few codes a batch chooses moves the whole projected codebook, and codes no input chooses are
/// carried along instead of dying: the paper reaches full codebook usage this way. After training,
/// `f(C)` can be computed once and used as a plain codebook.
///
/// ```swift
/// let vq = VectorQuantizer(codes: 512, dimension: 8, bridge: VQBridge(codes: 512, dimension: 8))
/// ```
public final class VQBridge: Module {
    /// Codes compressed into one token.
    public let group: Int
    /// The compression of `group` codes into one token.
    public let compress: Linear
    /// The processing of the tokens, non-causal transformer blocks.
    public let blocks: [TransformerBlock]
    /// The recovery of `group` codes from each token.
    public let recover: Linear

    /// A bridge for `codes` codes of size `dimension`, compressing `group` codes (dividing `codes`) into
    /// a token of `width` channels processed by `layers` blocks of `heads` heads (dividing `width`), with
    /// weights drawn from `generator`.
    public init(codes: Int, dimension: Int, width: Int = 64, layers: Int = 2, heads: Int = 4, group: Int = 1,
                generator: RandomGenerator = Random.default) {
        precondition(codes > 0 && dimension > 0 && group > 0 && codes % group == 0 && layers >= 0,
                     "VQBridge: \(codes) codes of size \(dimension) in groups of \(group) (dividing the codes), \(layers) layers")
        self.group = group
        compress = Linear(group * dimension, width, generator: generator)
        blocks = (0..<layers).map { _ in
            TransformerBlock(attention: MultiHeadAttention(dimension: width, heads: heads, isCausal: false, generator: generator),
                             mlp: FeedForward.gelu.make(dimension: width, hidden: 4 * width, generator: generator))
        }
        recover = Linear(width, group * dimension, generator: generator)
        super.init()
    }

    /// The projected codebook `f(C)` of `codebook` `[K, D]`, `[K, D]`.
    public override func forward(_ codebook: Tensor) -> Tensor {
        let (codes, dimension) = (codebook.shape[0], codebook.shape[1])
        precondition(codebook.rank == 2 && codes % group == 0 && compress.weight.shape[1] == group * dimension,
                     "VQBridge: codebook \(codebook.shape) does not fit groups of \(group) codes of size \(compress.weight.shape[1] / group)")
        var tokens = compress(codebook.reshaped([1, codes / group, group * dimension]))
        for block in blocks { tokens = block(tokens) }
        return recover(tokens).reshaped([codes, dimension])
    }

    public override var extraDescription: String { "group=\(group), width=\(compress.weight.shape[0]), layers=\(blocks.count)" }
}
