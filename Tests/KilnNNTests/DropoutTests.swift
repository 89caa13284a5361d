import KilnNN
import KilnTestSupport
import Testing

@Suite struct DropoutTests {
    @Test func dropoutZeroesAboutPAndScalesTheRest() {
        let layer = Dropout(0.25, generator: RandomGenerator(seed: 5))
        let n = 40_000
        let y = layer(Tensor(ones: [n])).scalars
        let zeros = y.filter { $0 == 0 }.count
        #expect(y.allSatisfy { $0 == 0 || abs($0 - 4 / 3) < 1e-6 })
        // Binomial count: mean n·p, standard deviation √(n·p·(1 − p)); allow 5 standard errors.
        let sd = (Double(n) * 0.25 * 0.75).squareRoot()
        #expect(abs(Double(zeros) - Double(n) * 0.25) < 5 * sd)
    }

    @Test func dropoutIsReproducibleWithASeedAndIdentityInEval() {
        let x = testTensor([64], seed: 2)
        let a = Dropout(0.5, generator: RandomGenerator(seed: 9))(x), b = Dropout(0.5, generator: RandomGenerator(seed: 9))(x)
        #expect(a.scalars == b.scalars)
        let layer = Dropout(0.5)
        layer.eval()
        #expect(layer(x).scalars == x.scalars)
    }

    @Test func dropoutGradientUsesTheSameMask() {
        let x = testTensor([100], seed: 3)
        let layer = Dropout(0.4, generator: RandomGenerator(seed: 4))
        let leaf = x.requiringGradient()
        let y = layer(leaf)
        y.sum().backward()
        let mask = leaf.grad!
        #expect(mask.scalars.allSatisfy { $0 == 0 || abs($0 - 1 / 0.6) < 1e-6 })
        #expect(y.scalars == (x * mask).scalars)
    }
}
