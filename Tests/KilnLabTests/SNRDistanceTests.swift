import KilnLab
import KilnTestSupport
import Testing

@Suite struct SNRDistanceTests {
    let x = Tensor([1, 2, 3, 4, 2, 0, 5, 1] as [Float], shape: [2, 4])
    let noise = Tensor([1, -1, 1, -1, 0.5, 0.5, -0.5, 1.5] as [Float], shape: [2, 4])

    @Test func isNoiseVarianceOverSignalVariance() {
        // Row 0: var(noise) = 1, var(x) = 1.25. Row 1: noise mean 0.5, var = (0 + 0 + 1 + 1)/4 = 0.5;
        // x mean 2, var = (0 + 4 + 9 + 1)/4 = 3.5.
        expectClose(snrDistance(x, x + noise).scalars, [0.8, 0.5 / 3.5])
    }

    @Test func invariancesOfThePaper() {
        let d = snrDistance(x, x + noise).scalars
        expectClose(snrDistance(x * 3, (x + noise) * 3).scalars, d)
        expectClose(snrDistance(x + 7, x + noise - 2).scalars, d)
        // y − x constant: no noise.
        expectClose(snrDistance(x, x + 2.5).scalars, [0, 0])
    }

    @Test func gradients() {
        let y = x + noise
        checkGradients([x, y], eps: 1e-3) { snrDistance($0[0], $0[1]) }
    }
}
