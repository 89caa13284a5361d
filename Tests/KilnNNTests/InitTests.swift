import Foundation
import KilnNN
import KilnTestSupport
import Testing

/// Sample mean and standard deviation.
private func moments(_ values: [Float]) -> (mean: Double, std: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / n
    let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
    return (mean, variance.squareRoot())
}

/// Expects the sample mean and standard deviation within 5 standard errors of `mean` and `std`
/// (the standard error of a sample standard deviation of a normal or uniform draw is at most std/√n·0.71).
private func expectMoments(_ t: Tensor, mean: Double, std: Double, sourceLocation: SourceLocation = #_sourceLocation) {
    let (m, s) = moments(t.scalars)
    let n = Double(t.count)
    #expect(abs(m - mean) < 5 * std / n.squareRoot(), "mean \(m) vs \(mean)", sourceLocation: sourceLocation)
    #expect(abs(s - std) < 5 * 0.71 * std / n.squareRoot(), "std \(s) vs \(std)", sourceLocation: sourceLocation)
}

@Suite struct InitTests {
    @Test func gainsMatchCalculateGain() {
        #expect(Nonlinearity.linear.gain == 1 && Nonlinearity.convolution.gain == 1 && Nonlinearity.sigmoid.gain == 1)
        #expect(Nonlinearity.tanh.gain == Float(5.0 / 3))
        #expect(Nonlinearity.relu.gain == Float(2).squareRoot())
        #expect(abs(Nonlinearity.leakyReLU().gain - (2 / (1 + 0.0001) as Float).squareRoot()) < 1e-7)
        #expect(abs(Nonlinearity.leakyReLU(slope: Float(5).squareRoot()).gain - (1 / Float(3)).squareRoot()) < 1e-7)
        #expect(Nonlinearity.selu.gain == 0.75)
    }

    @Test func fansFollowPyTorch() {
        #expect(Fans([7, 5]).fanIn == 5 && Fans([7, 5]).fanOut == 7)
        let conv = Fans([16, 8, 3, 3])
        #expect(conv.fanIn == 72 && conv.fanOut == 144)
        #expect(conv[.fanOut] == 144)
    }

    @Test func uniformFamiliesStayInBoundsWithTheRightSpread() {
        let g = RandomGenerator(seed: 11)
        let shape = [200, 100]
        let xavierBound = Float(6.0 / 300).squareRoot() * 2
        let xavier = Init.xavierUniform(shape, gain: 2, generator: g)
        #expect(xavier.scalars.allSatisfy { abs($0) <= xavierBound })
        expectMoments(xavier, mean: 0, std: Double(xavierBound) / 3.0.squareRoot())
        let kaimingBound = Float(2).squareRoot() * Float(3.0 / 200).squareRoot()
        let kaiming = Init.kaimingUniform(shape, mode: .fanOut, nonlinearity: .relu, generator: g)
        #expect(kaiming.scalars.allSatisfy { abs($0) <= kaimingBound })
        expectMoments(kaiming, mean: 0, std: Double(kaimingBound) / 3.0.squareRoot())
        let layer = Init.layerWeight([64, 400], generator: g)
        #expect(layer.scalars.allSatisfy { abs($0) <= 1 / Float(20) })
        expectMoments(layer, mean: 0, std: 1 / 20 / 3.0.squareRoot())
        let uniform = Init.uniform([20_000], low: 2, high: 5, generator: g)
        #expect(uniform.scalars.allSatisfy { $0 >= 2 && $0 < 5 })
        expectMoments(uniform, mean: 3.5, std: 3 / 12.0.squareRoot())
    }

    @Test func normalFamiliesHaveTheRightSpread() {
        let g = RandomGenerator(seed: 12)
        expectMoments(Init.xavierNormal([300, 100], generator: g), mean: 0, std: (2.0 / 400).squareRoot())
        expectMoments(Init.kaimingNormal([100, 50, 2, 2], nonlinearity: .tanh, generator: g),
                      mean: 0, std: 5.0 / 3 / 200.0.squareRoot())
        expectMoments(Init.normal([20_000], mean: -1, std: 0.5, generator: g), mean: -1, std: 0.5)
        // A standard normal cut at ±1: variance 1 − 2φ(1)/(Φ(1) − Φ(−1)).
        let truncated = Init.truncatedNormal([20_000], low: -1, high: 1, generator: g)
        #expect(truncated.scalars.allSatisfy { abs($0) <= 1 })
        let phi = exp(-0.5) / (2 * Double.pi).squareRoot(), mass = erf(1 / 2.0.squareRoot())
        expectMoments(truncated, mean: 0, std: (1 - 2 * phi / mass).squareRoot())
    }

    @Test func orthogonalRowsOrColumnsAreOrthonormal() {
        for shape in [[6, 4], [4, 6], [5, 2, 3]] {
            let q = Init.orthogonal(shape, gain: 1, generator: RandomGenerator(seed: 3)).reshaped([shape[0], -1])
            let small = shape[0] <= q.shape[1] ? q.matmul(q.T) : q.T.matmul(q)
            let n = small.shape[0]
            let identity = (0..<(n * n)).map { Float($0 / n == $0 % n ? 1 : 0) }
            expectClose(small.scalars, identity, relative: 1e-5)
        }
        let scaled = Init.orthogonal([3, 3], gain: 2, generator: RandomGenerator(seed: 3))
        expectClose(scaled.T.matmul(scaled).scalars, [4, 0, 0, 0, 4, 0, 0, 0, 4], relative: 1e-5)
    }

    /// The QR factor with a positive R diagonal is unique: Q·R must reproduce the normal draws, so Qᵀ·A is
    /// upper triangular with a positive diagonal.
    @Test func orthogonalIsTheSignCorrectedQOfTheNormalDraws() {
        let a = Tensor.normal([5, 3], generator: RandomGenerator(seed: 8))
        let q = Init.orthogonal([5, 3], generator: RandomGenerator(seed: 8))
        let r = q.T.matmul(a).scalars
        for i in 0..<3 {
            #expect(r[i * 3 + i] > 0)
            for j in 0..<i { #expect(abs(r[i * 3 + j]) < 1e-5) }
        }
    }

    @Test func layerDefaultsMatchPyTorchFamilies() {
        let g = RandomGenerator(seed: 4)
        let embedding = Embedding(1000, 20, generator: g)
        expectMoments(embedding.weight, mean: 0, std: 1)
        let norm = LayerNorm(8)
        #expect(norm.weight!.value.scalars == [Float](repeating: 1, count: 8) && norm.bias!.value.scalars == [Float](repeating: 0, count: 8))
        let bn = BatchNorm2d(4)
        #expect(bn.weight!.value.scalars == [1, 1, 1, 1] && bn.bias!.value.scalars == [0, 0, 0, 0])
        #expect(bn.runningVariance!.wrappedValue.scalars == [1, 1, 1, 1])
        let linear = Linear(400, 300, generator: g)
        expectMoments(linear.weight, mean: 0, std: 1 / 20 / 3.0.squareRoot())
        #expect(linear.bias!.value.scalars.allSatisfy { abs($0) <= 1 / Float(20) })
    }
}
