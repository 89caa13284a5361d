import Foundation
import Kiln
import KilnTestSupport
import Testing

/// Distance between `actual` and the float32-rounded reference `expected`, in units of the reference's ulp.
private func ulpError(_ actual: Float, _ expected: Float) -> Float {
    if actual == expected || (actual.isNaN && expected.isNaN) { return 0 }
    return Swift.abs(actual - expected) / max(expected.ulp, Float.leastNonzeroMagnitude)
}

/// The largest ulp error of `f` on fixture `name` (inputs `<name>_x`, float64 references `<name>_y`).
private func worstUlp(_ name: String, _ f: (Tensor) -> Tensor) -> (ulp: Float, at: Float) {
    let fixtures = Fixtures.load("unary")
    let x = fixtures[name + "_x"]!, expected = fixtures[name + "_y"]!.scalars
    let actual = f(x).scalars, inputs = x.scalars
    var worst: (ulp: Float, at: Float) = (0, 0)
    for i in inputs.indices {
        let e = ulpError(actual[i], expected[i])
        if !(e <= worst.ulp) { worst = (e, inputs[i]) }
    }
    return worst
}

@Suite struct UnaryMathTests {
    @Test(arguments: [
        ("exp", 2), ("log", 2), ("tanh", 3), ("sigmoid", 3), ("erf", 3),
        ("sqrt", 0.5), ("rsqrt", 1), ("log1p", 2), ("expm1", 2), ("sin", 2), ("cos", 2),
    ] as [(String, Float)])
    func accuracyAgainstFloat64(name: String, bound: Float) {
        let ops: [String: (Tensor) -> Tensor] = [
            "exp": { $0.exp() }, "log": { $0.log() }, "tanh": { $0.tanh() }, "sigmoid": { $0.sigmoid() },
            "erf": { $0.erf() }, "sqrt": { $0.sqrt() }, "rsqrt": { $0.rsqrt() }, "log1p": { $0.log1p() },
            "expm1": { $0.expm1() }, "sin": { $0.sin() }, "cos": { $0.cos() },
        ]
        let worst = worstUlp(name, ops[name]!)
        #expect(worst.ulp <= bound, "\(name): \(worst.ulp) ulp at x = \(worst.at)")
    }

    @Test func limitsAndSpecialValues() {
        let inf = Float.infinity, nan = Float.nan
        let x = Tensor([nan, inf, -inf, 0, -0.0, 1e4, -1e4, 89, -104])
        let e = x.exp().scalars
        #expect(e[0].isNaN && e[1] == inf && e[2] == 0 && e[3] == 1 && e[4] == 1)
        #expect(e[5] == inf && e[6] == 0 && e[7] == inf && e[8] == 0)
        let t = x.tanh().scalars
        #expect(t[0].isNaN && t[1] == 1 && t[2] == -1 && t[3] == 0 && t[5] == 1 && t[6] == -1)
        let s = x.sigmoid().scalars
        #expect(s[0].isNaN && s[1] == 1 && s[2] == 0 && s[3] == 0.5 && s[5] == 1 && s[6] == 0)
        let r = x.erf().scalars
        #expect(r[0].isNaN && r[1] == 1 && r[2] == -1 && r[3] == 0 && r[4].sign == .minus && r[5] == 1 && r[6] == -1)
        let l = Tensor([nan, inf, -inf, 0, -0.0, -1, 1]).log().scalars
        #expect(l[0].isNaN && l[1] == inf && l[2].isNaN && l[3] == -inf && l[4] == -inf && l[5].isNaN && l[6] == 0)
        #expect(Tensor([-1, 0, 4] as [Float]).sqrt().scalars.map { $0.isNaN ? -1 : $0 } == [-1, 0, 2])
        #expect(Tensor([0, 4] as [Float]).rsqrt().scalars == [inf, 0.5])
        #expect(Tensor([-2, -0.0, 0, 3, nan]).sign().scalars == [-1, 0, 0, 1, 0])
        #expect(Tensor([-2, -0.0, 3] as [Float]).abs().scalars == [2, 0, 3])
    }

    @Test func stridedAndBroadcastViewsMatchContiguous() {
        let base = testTensor([6, 5], seed: 3, scale: 3)
        let view = base.transposed().slice(axis: 1, 1..<6, step: 2)
        #expect(view.erf().scalars == view.contiguous().erf().scalars)
        #expect(view.exp().scalars == view.contiguous().exp().scalars)
        let row = testTensor([1, 5], seed: 4)
        let wide = row.expanded(to: [3, 5])
        #expect(wide.tanh().scalars == Array(repeating: row.tanh().scalars, count: 3).flatMap { $0 })
    }

    @Test func largeInputsGiveTheSameResultOnAnyThreadCount() {
        let x = testTensor([1 << 20], seed: 5, scale: 30)
        let (one, oneErf) = Threads.withCount(1) { (x.exp().scalars, x.erf().scalars) }
        Threads.withCount(2) {
            #expect(x.exp().scalars == one)
            #expect(x.erf().scalars == oneErf)
        }
        let v = x.scalars
        for i in stride(from: 0, to: v.count, by: 4099) {
            #expect(ulpError(one[i], Float(Foundation.exp(Double(v[i])))) <= 2)
        }
    }

    @Test func powerMatchesFloat64WithBroadcasting() {
        let fixtures = Fixtures.load("unary")
        let y = fixtures["pow_base"]!.pow(fixtures["pow_exponent"]!)
        #expect(y.shape == [4, 3])
        expectClose(y.scalars, fixtures["pow_y"]!.scalars, relative: 2e-7)
        let x = Tensor([0.5, 2, 3] as [Float])
        #expect(x.pow(2).scalars == [0.25, 4, 9])
        #expect(x.pow(0.5).scalars == [Float(0.5).squareRoot(), Float(2).squareRoot(), Float(3).squareRoot()])
        #expect(x.pow(-1).scalars == [2, 0.5, 1 / Float(3)])
        #expect(x.pow(0).scalars == [1, 1, 1])
    }

    @Test func gradients() {
        let x = testTensor([2, 3], seed: 11, scale: 2)
        let positive = testTensor([2, 3], seed: 12, shift: 2)
        checkGradients([x]) { $0[0].exp() }
        checkGradients([x]) { $0[0].expm1() }
        checkGradients([positive]) { $0[0].log() }
        checkGradients([positive]) { $0[0].log1p() }
        checkGradients([positive]) { $0[0].sqrt() }
        checkGradients([positive]) { $0[0].rsqrt() }
        checkGradients([Tensor([-1.5, -0.7, 0.4, 1.1, -0.3, 2] as [Float], shape: [2, 3])]) { $0[0].abs() }
        checkGradients([x]) { $0[0].sin() }
        checkGradients([x]) { $0[0].cos() }
        checkGradients([x]) { $0[0].tanh() }
        checkGradients([x]) { $0[0].sigmoid() }
        checkGradients([x]) { $0[0].erf() }
        checkGradients([x.transposed()]) { $0[0].sigmoid() }
        checkGradients([positive]) { $0[0].pow(3) }
        checkGradients([positive]) { $0[0].pow(-1.5) }
        checkGradients([positive]) { $0[0].pow(2) }
        checkGradients([positive]) { $0[0].pow(0.5) }
        checkGradients([positive, testTensor([3], seed: 13)]) { $0[0].pow($0[1]) }
    }

    @Test func gradientClosedFormsAtSpecialPoints() {
        // d/dx sign = 0; d/dx |x| at 0 is 0; pow's base gradient vanishes where the exponent is 0
        // and its exponent gradient vanishes where the base is 0 (PyTorch's conventions).
        #expect(gradient(at: Tensor([-2, 3] as [Float])) { $0.sign().sum() }.scalars == [0, 0])
        #expect(gradient(at: Tensor([-2, 0, 3] as [Float])) { $0.abs().sum() }.scalars == [-1, 0, 1])
        let (_, g) = valueAndGradient(at: [Tensor([0, 0, 2] as [Float]), Tensor([0, 2, -1] as [Float])]) { xs in
            xs[0].pow(xs[1]).sum()
        }
        #expect(g[0].scalars == [0, 0, -0.25])
        expectClose(g[1].scalars, [0, 0, 0.5 * Float(Foundation.log(2.0))])
        #expect(gradient(at: Tensor([0, 2] as [Float])) { $0.pow(0).sum() }.scalars == [0, 0])
        let z = Tensor([0.3, -1.2] as [Float])
        let ge = gradient(at: z) { $0.erf().sum() }.scalars
        expectClose(ge, z.scalars.map { 2 / Float.pi.squareRoot() * Foundation.exp(-$0 * $0) })
    }
}
