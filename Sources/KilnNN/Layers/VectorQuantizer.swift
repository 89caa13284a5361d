import Kiln

/// Vector quantization (van den Oord et al. 2017, VQ-VAE): each vector `z` `[..., D]` is replaced by
/// its nearest code `q` of a learned codebook `[K, D]`, with the straight-through estimator
/// `z + sg(q − z)` passing the gradient of `q` to `z` unchanged.
///
/// ``quantize(_:)`` also returns the codebook and commitment loss `‖sg(z) − q‖² + β‖z − sg(q)‖²` (means
/// over elements), which trains the codes and keeps the encoder near them. Unused codes are the
/// failure mode "Scalable Training for Vector-Quantized Networks with 100% Codebook Utilization"
/// (2025) measures: ``codebookUsage`` is the fraction of codes chosen since ``resetUsage()``, and
/// ``reinitializeDeadCodes(from:generator:)`` moves every unchosen code onto a random input vector,
/// the dead-code restart of Jukebox and SoundStream. That paper's own remedy is the ``VQBridge``
/// projector: given one, the quantizer picks and returns codes of the projected codebook `f(C)`
/// (``codesInUse``), so the gradient of the chosen codes reaches every code.
///
/// ```swift
/// let vq = VectorQuantizer(codes: 512, dimension: 64)
/// let (quantized, codes, loss) = vq.quantize(encoder(x))
/// ```
public final class VectorQuantizer: Module {
    /// The codes, `[K, D]`.
    @Parameter public var codebook: Tensor
    /// β, the weight of the commitment term.
    public let commitment: Float
    /// How often each code was chosen since ``resetUsage()``.
    public private(set) var usageCounts: [Int]
    /// The projector whose output is the codebook quantized with, or nil to quantize with ``codebook`` itself.
    public let bridge: VQBridge?

    /// `codes` codes of size `dimension`, drawn uniformly in `±1/codes` as in VQ-VAE's reference
    /// code, with commitment weight β = `commitment`, projected by `bridge` when given.
    public init(codes: Int, dimension: Int, commitment: Float = 0.25, bridge: VQBridge? = nil, generator: RandomGenerator = Random.default) {
        precondition(codes > 0 && dimension > 0, "VectorQuantizer: \(codes) codes of size \(dimension) must both be positive")
        codebook = Tensor.uniform([codes, dimension], low: -1 / Float(codes), high: 1 / Float(codes), generator: generator)
        self.commitment = commitment
        usageCounts = [Int](repeating: 0, count: codes)
        self.bridge = bridge
        super.init()
    }

    /// The number of codes K.
    public var codeCount: Int { codebook.shape[0] }

    /// The codes quantized with, `[K, D]`: `f(C)` under a ``bridge``, else the codebook `C`.
    public var codesInUse: Tensor { bridge.map { $0(codebook) } ?? codebook }

    /// The index of the nearest code (squared Euclidean distance, the first on ties) of each vector of
    /// `z` `[..., D]`: int64 `[...]`.
    public func nearestCodes(_ z: Tensor) -> Tensor { nearestCodes(z, among: withoutGradient { codesInUse }) }

    private func nearestCodes(_ z: Tensor, among table: Tensor) -> Tensor {
        let dimension = codebook.shape[1]
        precondition(z.rank >= 1 && z.shape.last == dimension, "VectorQuantizer: input \(z.shape) must end in \(dimension)")
        return withoutGradient {
            let flat = z.reshaped([-1, dimension]), codes = table.detached()
            // ‖z − c‖² = ‖z‖² − 2 z·c + ‖c‖²; ‖z‖² is the same for every code of a row.
            let distances = (codes * codes).sum(axes: [1]) - 2 * flat.matmul(codes.transposed())
            return distances.argmin(axis: 1).reshaped(Array(z.shape.dropLast()))
        }
    }

    /// The quantized vectors (straight-through), the chosen codes and the VQ loss of `z` `[..., D]`;
    /// counts the chosen codes for ``codebookUsage``.
    public func quantize(_ z: Tensor) -> (quantized: Tensor, codes: Tensor, loss: Tensor) {
        let table = codesInUse
        let codes = nearestCodes(z, among: table)
        for code in codes.integers { usageCounts[code] += 1 }
        let q = table.indexSelect(axis: 0, indices: codes.reshaped([-1])).reshaped(z.shape)
        func meanSquare(_ x: Tensor) -> Tensor { (x * x).mean() }
        let codebookLoss = meanSquare(z.detached() - q)
        let commitmentLoss = meanSquare(z - q.detached())
        return (z + (q - z).detached(), codes, codebookLoss + commitment * commitmentLoss)
    }

    /// The quantized vectors of `z`, with the straight-through gradient; see ``quantize(_:)`` for the loss.
    public override func forward(_ z: Tensor) -> Tensor { quantize(z).quantized }

    /// The fraction of codes chosen at least once since ``resetUsage()``.
    public var codebookUsage: Double { Double(usageCounts.filter { $0 > 0 }.count) / Double(codeCount) }

    /// Forgets the usage counts.
    public func resetUsage() { usageCounts = [Int](repeating: 0, count: codeCount) }

    /// Moves every code not chosen since ``resetUsage()`` onto a vector of `z` `[..., D]` drawn from
    /// `generator`, then resets the counts; returns the codes moved.
    @discardableResult
    public func reinitializeDeadCodes(from z: Tensor, generator: RandomGenerator = Random.default) -> [Int] {
        let dimension = codebook.shape[1]
        precondition(z.count > 0 && z.shape.last == dimension, "VectorQuantizer: input \(z.shape) must hold vectors of size \(dimension)")
        let dead = usageCounts.indices.filter { usageCounts[$0] == 0 }
        if !dead.isEmpty {
            let vectors = z.detached().reshaped([-1, dimension])
            let picks = Tensor.randint([dead.count], high: vectors.shape[0], generator: generator)
            var table = codebook.detached()
            for (code, row) in zip(dead, picks.integers) { table.assign(vectors[row..<(row + 1)], axis: 0, code..<(code + 1)) }
            codebook = table
        }
        resetUsage()
        return dead
    }

    public override var extraDescription: String { "codes=\(codeCount), dim=\(codebook.shape[1]), commitment=\(commitment)" }
}
