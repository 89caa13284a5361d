import Foundation
import Kiln
import KilnTestSupport
import Testing

/// Long reductions against float64 references, measured against PyTorch's own float32 error on the
/// same inputs (`scripts/fixtures/make_numerics.py`): sums and means within 2× of it, the variance
/// and standard deviation of data far from zero within 10×.
@Suite struct NumericsTests {
    /// How a case's input is made: a constant, or the test support's `testTensor` values.
    struct Source: Decodable, Sendable {
        let kind: String
        let value: Double?
        let seed: UInt64?
        let scale: Double?
        let shift: Double?
    }

    /// One reduction of one input, with its float64 reference and PyTorch's float32 error.
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let shape: [Int]
        let data: Source
        let op: String
        let axes: [Int]
        let correction: Int
        let checksum: Double
        let expected: [Double]
        let torch_error: Double

        var testDescription: String { name }

        /// The input: the constant, or `testTensor(shape, seed:, scale:, shift:)`.
        var input: Tensor {
            if data.kind == "constant" { return Tensor(repeating: Float(data.value!), shape: shape) }
            return testTensor(shape, seed: data.seed!, scale: Float(data.scale!), shift: Float(data.shift!))
        }

        /// The shift the checksum Σ|x − shift| is taken around.
        var shift: Float { Float(data.kind == "constant" ? data.value! : data.shift!) }

        /// Kiln's result of this case's reduction of `x`.
        func reduce(_ x: Tensor) -> Tensor {
            switch op {
            case "sum": x.sum(axes: axes)
            case "mean": x.mean(axes: axes)
            case "variance": x.variance(axes: axes, correction: correction)
            default: x.standardDeviation(axes: axes, correction: correction)
            }
        }

        /// How many times PyTorch's error Kiln may make: 2 for sums and means, 10 for the spread.
        var allowance: Double { op == "sum" || op == "mean" ? 2 : 10 }
    }

    private struct File: Decodable {
        let cases: [Case]
        let constant_rows_std_gradient: [Double]
    }

    private static let file: File = {
        guard let url = Bundle.module.url(forResource: "numerics", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(File.self, from: data) else {
            fatalError("fixture numerics.json is missing or malformed")
        }
        return file
    }()

    static let cases = file.cases

    /// The largest relative error of `actual` against the float64 `expected`.
    static func relativeError(_ actual: Tensor, _ expected: [Double]) -> Double {
        zip(actual.scalars, expected).map { abs(Double($0) - $1) / abs($1) }.max() ?? 0
    }

    @Test(arguments: cases) func reductionErrorStaysWithinPyTorchs(_ c: Case) {
        let x = c.input
        let checksum = x.scalars.reduce(0.0) { $0 + abs(Double($1) - Double(c.shift)) }
        expectClose(checksum, c.checksum, relative: 1e-11, "checksum of the input")
        let result = c.reduce(x)
        #expect(result.count == c.expected.count)
        let error = Self.relativeError(result, c.expected)
        #expect(error <= c.allowance * c.torch_error, "\(c.name): relative error \(error), PyTorch's \(c.torch_error)")
    }

    @Test func biasGradientOfALargeBatchIsAnAccurateColumnSum() throws {
        let c = try #require(Self.cases.first { $0.name == "eight columns" })
        let upstream = c.input
        let x = Tensor(zeros: [c.shape[0], 2]), weight = testTensor([8, 2], seed: 3)
        let bias = Tensor(zeros: [8])
        let (_, grads) = valueAndGradient(at: [weight, bias]) { p in (linear(x, weight: p[0], bias: p[1]) * upstream).sum() }
        #expect(Self.relativeError(grads[1], c.expected) <= 2 * c.torch_error)
        let broadcastAdjoint = upstream.summed(toShape: [8])
        #expect(Self.relativeError(broadcastAdjoint, c.expected) <= 2 * c.torch_error)
    }

    @Test func batchNormStatisticsOfDataFarFromZeroStayAccurate() throws {
        let c = try #require(Self.cases.first { $0.name == "large mean, population variance of columns" })
        let variance = batchNorm(c.input).variance
        #expect(Self.relativeError(variance, c.expected) <= c.allowance * c.torch_error)
        // As rows of a layer norm: each channel of [1, 16, 4096] is one contiguous run.
        let rows = try #require(Self.cases.first { $0.name == "large mean, variance of rows" })
        let (_, mean, rowVariance) = batchNorm(rows.input.reshaped([1, 16, 4096]))
        #expect(Self.relativeError(rowVariance * (4096 / 4095), rows.expected) <= rows.allowance * rows.torch_error)
        // The mean is right to float32 rounding near 1e5.
        let reference = rows.input.reshaped([16, 4096]).scalars
        for r in 0..<16 {
            let exact = (0..<4096).reduce(0.0) { $0 + Double(reference[r * 4096 + $1]) } / 4096
            #expect(abs(Double(mean.scalars[r]) - exact) <= Double(Float(1e5).ulp))
        }
    }

    @Test func stridedColumnsSumInTheSameOrderAsContiguousOnes() {
        let x = testTensor([3000, 40], seed: 8, shift: 0.25).slice(axis: 1, 0..<40, step: 2)
        let strided = x.sum(axis: 0), contiguous = x.contiguous().sum(axis: 0)
        #expect(strided.scalars == contiguous.scalars)
        let rows = x.scalars
        let reference = (0..<20).map { j in (0..<3000).reduce(0.0) { $0 + Double(rows[$1 * 20 + j]) } }
        #expect(Self.relativeError(strided, reference) <= 1e-6)
    }

    @Test func standardDeviationOfAConstantRowHasGradientZero() {
        let x = Tensor(repeating: 0.1, shape: [2, 5])
        let g = gradient(at: x) { $0.standardDeviation(axes: [1]).sum() }
        expectClose(g.scalars, Self.file.constant_rows_std_gradient.map(Float.init), relative: 0, absolute: 0)
        #expect(x.standardDeviation(axes: [1]).scalars == [0, 0])
        for correction in [0, 1] {
            let all = gradient(at: Tensor(repeating: -3.7, shape: [3, 4])) { $0.standardDeviation(correction: correction) }
            #expect(all.scalars == [Float](repeating: 0, count: 12))
        }
    }

    @Test func varianceAndStandardDeviationGradientsPassTheCheck() {
        let x = testTensor([3, 5], seed: 21, scale: 2)
        checkGradients([x]) { $0[0].variance(axes: [1]) }
        checkGradients([x]) { $0[0].variance(axes: [0], correction: 0) }
        checkGradients([x]) { $0[0].standardDeviation() }
        checkGradients([x]) { $0[0].standardDeviation(axes: [0]) }
    }
}
