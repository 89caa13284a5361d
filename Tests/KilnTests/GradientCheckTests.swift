@testable import Kiln
import KilnTestSupport
import Testing

/// The shared gradient check passes a correct backward rule and catches one that is 1% off.
@Suite struct GradientCheckTests {
    /// x·tanh(x), recorded with a backward rule that multiplies the true derivative by `gradientScale`.
    static func xTanhX(_ x: Tensor, gradientScale: Float) -> Tensor {
        let t = x.detached().tanh()
        let value = x.detached() * t
        return Autograd.record(value, x) { g in g * (t + x.detached() * (1 - t * t)) * gradientScale }
    }

    static let input = testTensor([3, 4], seed: 5, scale: 2)

    @Test func correctGradientPasses() {
        checkGradients([Self.input]) { Self.xTanhX($0[0], gradientScale: 1) }
    }

    @Test(arguments: [1.01, 0.99] as [Float]) func gradientOnePercentOffIsCaught(_ scale: Float) {
        withKnownIssue("the backward rule is scaled by \(scale)") {
            checkGradients([Self.input]) { Self.xTanhX($0[0], gradientScale: scale) }
        }
    }

    @Test func onePercentOffInOneOfTwoInputsIsCaught() {
        let y = testTensor([3, 4], seed: 6)
        checkGradients([Self.input, y]) { Self.xTanhX($0[0], gradientScale: 1) * $0[1] }
        withKnownIssue("the first input's backward rule is scaled by 1.01") {
            checkGradients([Self.input, y]) { Self.xTanhX($0[0], gradientScale: 1.01) * $0[1] }
        }
    }
}
