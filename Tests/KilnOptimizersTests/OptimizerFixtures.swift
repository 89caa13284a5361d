import Foundation
import Kiln
import KilnNN
import KilnTestSupport
import Testing

/// Reference tensors written by `scripts/fixtures/make_optimizers.py` (PyTorch) as JSON:
/// `{"name": {"shape": [..], "data": [..]}, ...}`.
enum OptimizerFixtures {
    static let optimizers = load("optimizers")

    static func load(_ file: String) -> [String: Tensor] { FixtureFile.load(file, from: .module) }
}

/// Three parameters of ranks 2, 1 and 3, each with the fixed quadratic gradient g = A x − c of the fixtures.
final class Quadratic: Module {
    @Parameter var W: Tensor
    @Parameter var b: Tensor
    @Parameter var T: Tensor

    static let names = ["W", "b", "T"]

    override init() {
        let f = OptimizerFixtures.optimizers
        W = f["init.W"]!
        b = f["init.b"]!
        T = f["init.T"]!
        super.init()
    }

    /// The gradient of every parameter, computed in Double and rounded to Float as the fixture script does.
    func gradients() -> Gradients {
        var grads = Gradients()
        for (name, p) in namedParameters() {
            let a = OptimizerFixtures.optimizers["A.\(name)"]!.scalars.map(Double.init)
            let c = OptimizerFixtures.optimizers["c.\(name)"]!.scalars.map(Double.init)
            let x = p.value.scalars.map(Double.init)
            let n = x.count
            let g = (0..<n).map { i in Float((0..<n).reduce(0.0) { $0 + a[i * n + $1] * x[$1] } - c[i]) }
            grads[name] = Tensor(g, shape: p.value.shape)
        }
        return grads
    }
}

/// Expects every element of `actual` to match `expected`: |a − e| ≤ absolute + relative·|e|.
func expectMatches(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-5, absolute: Float = 1e-6, _ label: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual.scalars, expected.scalars).enumerated() where !(abs(a - e) <= absolute + relative * abs(e)) {
        Issue.record("\(label): element \(i) is \(a), PyTorch \(e)", sourceLocation: sourceLocation)
        return
    }
}
