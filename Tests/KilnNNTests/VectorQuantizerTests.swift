import KilnNN
import KilnOptimizers
import KilnTestSupport
import Testing

@Suite struct VectorQuantizerTests {
    /// The nearest code of every vector is the one a loop over all codes finds.
    @Test func nearestCodeAssignmentEqualsBruteForce() {
        let vq = VectorQuantizer(codes: 13, dimension: 5, generator: RandomGenerator(seed: 1))
        vq.codebook = Tensor.normal([13, 5], generator: RandomGenerator(seed: 2))
        let z = Tensor.normal([4, 6, 5], generator: RandomGenerator(seed: 3))
        let codes = vq.codebook.scalars, vectors = z.scalars
        let expected = (0..<24).map { row in
            (0..<13).min { a, b in
                func distance(_ c: Int) -> Float { (0..<5).reduce(0) { $0 + (vectors[row * 5 + $1] - codes[c * 5 + $1]) * (vectors[row * 5 + $1] - codes[c * 5 + $1]) } }
                return distance(a) < distance(b)
            }!
        }
        let found = vq.nearestCodes(z)
        #expect(found.shape == [4, 6] && found.integers == expected)
        // z + (q − z) is q up to rounding.
        expectClose(vq.quantize(z).quantized.scalars, vq.codebook.indexSelect(axis: 0, indices: found.reshaped([-1])).scalars,
                    relative: 1e-6, absolute: 1e-6)
    }

    /// Straight-through: the gradient reaching the input is the gradient at the quantized output; the
    /// loss is ‖sg(z) − q‖² + β‖z − sg(q)‖², whose gradient for z is 2β(z − q)/n.
    @Test func straightThroughGradientAndCommitmentLoss() {
        let vq = VectorQuantizer(codes: 4, dimension: 3, commitment: 0.25, generator: RandomGenerator(seed: 4))
        let z = Tensor.normal([5, 3], generator: RandomGenerator(seed: 5))
        let g = Tensor.normal([5, 3], generator: RandomGenerator(seed: 6))
        expectClose(gradient(at: z) { (vq($0) * g).sum() }.scalars, g.scalars, relative: 1e-6)
        let q = vq.codebook.indexSelect(axis: 0, indices: vq.nearestCodes(z)).detached()
        expectClose(gradient(at: z) { vq.quantize($0).loss }.scalars, ((z - q) * (2 * 0.25 / 15)).scalars, relative: 1e-5, absolute: 1e-7)
        let loss = vq.quantize(z).loss.item, meanSquare = ((z - q) * (z - q)).mean().item
        expectClose(Double(loss), Double(1.25 * meanSquare), relative: 1e-5)
    }

    /// Eight tight clusters far from a codebook that starts near the origin: trained on the VQ loss,
    /// the codes that win first keep every cluster and the rest never move; moving dead codes onto
    /// inputs every few steps brings every code into use.
    @Test func reinitializationBringsCodebookUsageToAllCodes() {
        let centers = Tensor.normal([8, 2], std: 10, generator: RandomGenerator(seed: 7))
        func batch(_ seed: UInt64) -> Tensor {
            let which = Tensor.randint([64], high: 8, generator: RandomGenerator(seed: seed))
            return centers.indexSelect(axis: 0, indices: which) + Tensor.normal([64, 2], std: 0.05, generator: RandomGenerator(seed: seed + 1000))
        }
        func usage(reinitialize: Bool) -> Double {
            let vq = VectorQuantizer(codes: 8, dimension: 2, generator: RandomGenerator(seed: 8))
            let optimizer = Adam(learningRate: 0.1)
            let restarts = RandomGenerator(seed: 9)
            for step in 0..<200 {
                let z = batch(UInt64(step))
                let (_, gradients) = valueAndGradient(of: vq) { $0.quantize(z).loss }
                optimizer.update(vq, along: gradients)
                if reinitialize && step % 20 == 19 && step < 150 { vq.reinitializeDeadCodes(from: z, generator: restarts) }
            }
            vq.resetUsage()
            for step in 0..<10 { _ = vq(batch(UInt64(5000 + step))) }
            return vq.codebookUsage
        }
        #expect(usage(reinitialize: false) < 1)
        #expect(usage(reinitialize: true) == 1)
    }

    /// VQBridge's property: 32 tight clusters in one region far from a codebook that starts near the
    /// origin. Without restarts, the plain codebook's nearest code wins every cluster and the other
    /// seven never move; through the projector (one ViT block), all eight codes come into use. The
    /// gradient of a batch that chooses one code reaches every code of the raw codebook.
    @Test func bridgeBringsCodebookUsageToAllCodesWithoutRestarts() {
        let centers = Tensor.normal([32, 2], std: 3, generator: RandomGenerator(seed: 7)) + 20
        func batch(_ seed: UInt64) -> Tensor {
            let which = Tensor.randint([64], high: 32, generator: RandomGenerator(seed: seed))
            return centers.indexSelect(axis: 0, indices: which) + Tensor.normal([64, 2], std: 0.05, generator: RandomGenerator(seed: seed + 1000))
        }
        func usage(bridged: Bool) -> Double {
            let generator = RandomGenerator(seed: 8)
            let bridge = bridged ? VQBridge(codes: 8, dimension: 2, width: 32, layers: 1, heads: 2, generator: generator) : nil
            let vq = VectorQuantizer(codes: 8, dimension: 2, bridge: bridge, generator: generator)
            let optimizer = Adam(learningRate: bridged ? 0.01 : 0.1)
            for step in 0..<300 {
                let z = batch(UInt64(step))
                let (_, gradients) = valueAndGradient(of: vq) { $0.quantize(z).loss }
                optimizer.update(vq, along: gradients)
            }
            vq.resetUsage()
            for step in 0..<10 { _ = vq(batch(UInt64(5000 + step))) }
            return vq.codebookUsage
        }
        #expect(usage(bridged: false) == 0.125)
        #expect(usage(bridged: true) == 1)

        let vq = VectorQuantizer(codes: 8, dimension: 2, bridge: VQBridge(codes: 8, dimension: 2, width: 16, layers: 1, heads: 2,
                                                                          generator: RandomGenerator(seed: 1)))
        let one = Tensor([5, 5] as [Float], shape: [1, 2])
        let (_, gradients) = valueAndGradient(of: vq) { $0.quantize(one).loss }
        let rows = gradients["codebook"]!.abs().sum(axes: [1]).scalars
        #expect(rows.allSatisfy { $0 > 0 }, "\(rows)")
    }
}
