import Kiln
import KilnTestSupport
import Testing

@Suite struct CumsumTests {
    let f = Fixtures.load("indexing")

    @Test func matchesPyTorch() {
        let x = f["x3"]!
        expectClose(x.cumulativeSum(axis: 1).scalars, f["cumsum1"]!.scalars)
        expectClose(x.cumulativeSum(axis: -1).scalars, f["cumsum2"]!.scalars)
    }

    @Test func reverseSumsTheTail() {
        let x = Tensor([1, 2, 3, 4] as [Float])
        #expect(x.cumulativeSum(axis: 0).scalars == [1, 3, 6, 10])
        #expect(x.cumulativeSum(axis: 0, reverse: true).scalars == [10, 9, 7, 4])
    }

    @Test func largeRowsAndColumns() {
        // n·(n+1)/2 is exact in float for these sizes, and each thread split must give it.
        let n = 2000
        let ones = Tensor(ones: [3, n, 700])
        let down = ones.cumulativeSum(axis: 1).scalars
        #expect(down[(n - 1) * 700] == Float(n) && down[2 * n * 700 + (n - 1) * 700 + 699] == Float(n))
        let across = Tensor.arange(0, Float(n)).expanded(to: [300, n]).cumulativeSum(axis: 1).scalars
        #expect(across[n - 1] == Float(n * (n - 1) / 2) && across[300 * n - 1] == Float(n * (n - 1) / 2))
    }

    @Test func gradients() {
        let x = testTensor([3, 4, 2], seed: 1)
        checkGradients([x]) { $0[0].cumulativeSum(axis: 1) }
        checkGradients([x]) { $0[0].cumulativeSum(axis: -1, reverse: true) }
    }
}
