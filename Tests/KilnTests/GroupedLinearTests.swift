import Kiln
import KilnTestSupport
import Testing

@Suite struct GroupedLinearTests {
    let sizes = [2, 0, 3]
    let x = testTensor([5, 3], seed: 1)
    let weights = (0..<3).map { testTensor([4, 3], seed: 10 + UInt64($0)) }
    let biases = (0..<3).map { testTensor([4], seed: 20 + UInt64($0)) }

    @Test func eachGroupGoesThroughItsOwnLinearMap() {
        let y = groupedLinear(x, groupSizes: sizes, weights: weights, biases: biases)
        let expected = Tensor.concatenate([linear(x.slice(axis: 0, 0..<2), weight: weights[0], bias: biases[0]),
                                           linear(x.slice(axis: 0, 2..<5), weight: weights[2], bias: biases[2])], axis: 0)
        #expect(y.shape == [5, 4])
        expectClose(y.scalars, expected.scalars, relative: 1e-6)
        let unbiased = groupedLinear(x, groupSizes: sizes, weights: weights)
        expectClose(unbiased.slice(axis: 0, 2..<5).scalars, x.slice(axis: 0, 2..<5).matmul(weights[2].transposed()).scalars, relative: 1e-6)
    }

    @Test func gradientsMatchFiniteDifferences() {
        checkGradients([x] + weights + biases) { xs in
            groupedLinear(xs[0], groupSizes: sizes, weights: Array(xs[1...3]), biases: Array(xs[4...6]))
        }
        checkGradients([x] + weights) { xs in groupedLinear(xs[0], groupSizes: [5, 0, 0], weights: Array(xs[1...3])) }
    }

    @Test func anEmptyGroupGetsAZeroWeightGradient() {
        let (_, grads) = valueAndGradient(at: [x] + weights) { xs in
            groupedLinear(xs[0], groupSizes: sizes, weights: Array(xs[1...3])).sum()
        }
        #expect(grads[2].scalars.allSatisfy { $0 == 0 })
        #expect(grads[1].scalars.contains { $0 != 0 })
    }
}
