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
/// input element against a finite-difference derivative, and expects them to agree within
/// `tolerance` relative to the finite difference, so a gradient 1% off is caught.
///
/// The output is reduced to a scalar with a fixed random cotangent, so every element of the
/// Jacobian takes part. The derivative is Richardson's extrapolation of central differences with
/// steps `eps` and `eps / 2`, `(4·D(eps/2) − D(eps)) / 3`, whose truncation error is O(eps⁴).
/// Outputs are compared one by one in Double, with the steps actually taken by the rounded inputs,
/// so outputs a perturbation leaves untouched cancel exactly. Float32 rounding of the outputs that
/// do change is allowed on top: 8 units in the last place of each, through the extrapolation.
public func checkGradients(_ inputs: [Tensor], eps: Float = 1e-2, tolerance: Double = 5e-3,
                           sourceLocation: SourceLocation = #_sourceLocation,
                           _ f: @escaping ([Tensor]) -> Tensor) {
    let probe = f(inputs)
    let cotangent = testTensor(probe.shape, seed: 99)
    let weights = cotangent.scalars.map(Double.init)
    let (_, analytic) = valueAndGradient(at: inputs) { xs in (f(xs) * cotangent).sum() }
    for (k, input) in inputs.enumerated() {
        #expect(analytic[k].shape == input.shape, "gradient shape of input \(k)", sourceLocation: sourceLocation)
        let base = input.scalars
        let computed = analytic[k].scalars
        for i in base.indices {
            // The directional difference Σ c·(f(x + h) − f(x − h)) / (realized step), and its rounding allowance.
            func difference(_ h: Float) -> (value: Double, noise: Double) {
                var plus = base, minus = base
                plus[i] += h
                minus[i] -= h
                var xsPlus = inputs, xsMinus = inputs
                xsPlus[k] = Tensor(plus, shape: input.shape)
                xsMinus[k] = Tensor(minus, shape: input.shape)
                let up = withoutGradient { f(xsPlus) }.scalars, down = withoutGradient { f(xsMinus) }.scalars
                let step = Double(plus[i]) - Double(minus[i])
                var change = 0.0, noise = 0.0
                for j in weights.indices where up[j] != down[j] {
                    change += weights[j] * (Double(up[j]) - Double(down[j]))
                    noise += abs(weights[j]) * Double(max(abs(up[j]).ulp, abs(down[j]).ulp))
                }
                return (change / step, 8 * noise / step)
            }
            let coarse = difference(eps), fine = difference(eps / 2)
            let numeric = (4 * fine.value - coarse.value) / 3
            let noise = (4 * fine.noise + coarse.noise) / 3
            let error = abs(numeric - Double(computed[i]))
            let allowed = tolerance * abs(numeric) + noise
            #expect(error <= allowed,
                    "input \(k) element \(i): autodiff \(computed[i]) vs finite difference \(numeric) (allowed \(allowed))",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Expects two float arrays to agree elementwise: `|a − e| ≤ absolute + relative·|e|`, computed in
/// Double; NaN matches NaN and infinities match themselves. `absolute` is a floor far below the
/// values usually compared: raise it for a call whose expected values are small and whose float32
/// rounding (measured) exceeds it.
public func expectClose(_ actual: [Float], _ expected: [Float], relative: Float = 1e-5, absolute: Float = 1e-7,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(actual.count) values vs \(expected.count) expected", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let allowed = Double(absolute) + Double(relative) * abs(Double(e))
        let ok = a == e || abs(Double(a) - Double(e)) <= allowed || (a.isNaN && e.isNaN)
        #expect(ok, "element \(i): \(a) vs expected \(e) (allowed \(allowed))", sourceLocation: sourceLocation)
        if !ok { return }
    }
}

/// Expects one double to equal another: `|a − e| ≤ absolute + relative·|e|`.
public func expectClose(_ actual: Double, _ expected: Double, relative: Double, absolute: Double = 1e-15,
                        _ what: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let ok = abs(actual - expected) <= absolute + relative * abs(expected)
    #expect(ok, "\(what()): \(actual) vs expected \(expected)", sourceLocation: sourceLocation)
}
