import Kiln
import Testing

/// Deterministic pseudo-random floats in [-1, 1) for test inputs (independent of Kiln's RNG).
public func testValues(_ count: Int, seed: UInt64 = 1) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// A float tensor of `shape` filled with ``testValues(_:seed:)``, scaled by `scale` and shifted by `shift`.
public func testTensor(_ shape: [Int], seed: UInt64 = 1, scale: Float = 1, shift: Float = 0) -> Tensor {
    Tensor(testValues(shape.reduce(1, *), seed: seed).map { $0 * scale + shift }, shape: shape)
}

/// The one shared gradient check: compares the autodiff gradient of `f` with respect to every
/// input against central finite differences.
///
/// The output is reduced to a scalar with a fixed random cotangent, so every element of the
/// Jacobian takes part. Differences are taken in Float32, so `eps` and `tolerance` are loose
/// compared with a Float64 check.
public func checkGradients(_ inputs: [Tensor], eps: Float = 1e-2, tolerance: Float = 1e-2,
                    sourceLocation: SourceLocation = #_sourceLocation,
                    _ f: @escaping ([Tensor]) -> Tensor) {
    let probe = f(inputs)
    let cotangent = testTensor(probe.shape, seed: 99)
    let scalar: ([Tensor]) -> Tensor = { xs in (f(xs) * cotangent).sum() }
    let (_, analytic) = valueAndGradient(at: inputs, of: scalar)
    for (k, input) in inputs.enumerated() {
        #expect(analytic[k].shape == input.shape, "gradient shape of input \(k)", sourceLocation: sourceLocation)
        let base = input.scalars
        let computed = analytic[k].scalars
        for i in base.indices {
            var plus = base, minus = base
            plus[i] += eps
            minus[i] -= eps
            var xsPlus = inputs, xsMinus = inputs
            xsPlus[k] = Tensor(plus, shape: input.shape)
            xsMinus[k] = Tensor(minus, shape: input.shape)
            let numeric = (withoutGradient { scalar(xsPlus) }.item - withoutGradient { scalar(xsMinus) }.item) / (2 * eps)
            let error = abs(numeric - computed[i])
            #expect(error <= tolerance * max(1, abs(numeric)),
                    "input \(k) element \(i): autodiff \(computed[i]) vs finite difference \(numeric)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Expects two float arrays to agree elementwise within `relative` (scaled by magnitude, at least 1) tolerance.
public func expectClose(_ actual: [Float], _ expected: [Float], relative: Float = 1e-5,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(actual.count) values vs \(expected.count) expected", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok = a == e || abs(a - e) <= relative * max(1, abs(e)) || (a.isNaN && e.isNaN)
        #expect(ok, "element \(i): \(a) vs expected \(e)", sourceLocation: sourceLocation)
        if !ok { return }
    }
}

/// Expects one double to equal another within `relative` tolerance (an expected 0 allows 1e-15).
public func expectClose(_ actual: Double, _ expected: Double, relative: Double, _ what: @autoclosure () -> String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) {
    let ok = abs(actual - expected) <= max(relative * abs(expected), 1e-15)
    #expect(ok, "\(what()): \(actual) vs expected \(expected)", sourceLocation: sourceLocation)
}
