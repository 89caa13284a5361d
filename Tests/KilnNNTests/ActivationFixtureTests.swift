import KilnNN
import KilnTestSupport
import Testing

/// Activations against PyTorch (float64 references on float32 inputs, made by
/// `scripts/fixtures/make_activations.py`): the values and the gradients of sum(f(x)·g) with
/// respect to the input and every parameter, to 1e-5 relative.
@Suite struct ActivationFixtureTests {
    static let fixtures = Fixtures.load("activations")

    /// Compares `f` on the fixture's inputs `name_x0, name_x1, ...` with `name_y` and `name_d0, ...`,
    /// to 1e-5 relative above `absolute`.
    private func expectMatchesPyTorch(_ name: String, absolute: Float = 1e-7, sourceLocation: SourceLocation = #_sourceLocation,
                                      _ f: @escaping ([Tensor]) -> Tensor) {
        let fx = Self.fixtures
        var inputs: [Tensor] = []
        while let t = fx["\(name)_x\(inputs.count)"] { inputs.append(t) }
        guard let g = fx["\(name)_g"], let y = fx["\(name)_y"], !inputs.isEmpty else {
            Issue.record("fixture \(name) is missing", sourceLocation: sourceLocation)
            return
        }
        let value = withoutGradient { f(inputs) }
        #expect(value.shape == y.shape, sourceLocation: sourceLocation)
        expectClose(value.scalars, y.scalars, relative: 1e-5, absolute: absolute, sourceLocation: sourceLocation)
        let (_, grads) = valueAndGradient(at: inputs) { xs in (f(xs) * g).sum() }
        for (k, grad) in grads.enumerated() {
            expectClose(grad.scalars, fx["\(name)_d\(k)"]!.scalars, relative: 1e-5, absolute: absolute, sourceLocation: sourceLocation)
        }
    }

    /// Like ``expectMatchesPyTorch(_:_:)`` for a layer: fixture inputs 1, 2, ... are loaded into
    /// the parameters `parameters` (in that order) and their gradients read back by name.
    private func expectLayerMatchesPyTorch(_ name: String, _ layer: Module, parameters: [String],
                                           sourceLocation: SourceLocation = #_sourceLocation) {
        let fx = Self.fixtures
        let byName = Dictionary(uniqueKeysWithValues: layer.namedParameters().map { ($0.name, $0.parameter) })
        for (k, p) in parameters.enumerated() { byName[p]!.value = fx["\(name)_x\(k + 1)"]! }
        let x = fx["\(name)_x0"]!.requiringGradient(), g = fx["\(name)_g"]!
        let y = withoutGradient { layer(x) }
        expectClose(y.scalars, fx["\(name)_y"]!.scalars, relative: 1e-5, sourceLocation: sourceLocation)
        let (_, grads) = valueAndGradient(of: layer) { m in (m(x) * g).sum() }
        expectClose(x.grad!.scalars, fx["\(name)_d0"]!.scalars, relative: 1e-5, sourceLocation: sourceLocation)
        for (k, p) in parameters.enumerated() {
            expectClose(grads[p]!.scalars, fx["\(name)_d\(k + 1)"]!.scalars, relative: 1e-5, sourceLocation: sourceLocation)
        }
    }

    @Test func reluFamily() {
        expectMatchesPyTorch("relu") { relu($0[0]) }
        expectMatchesPyTorch("leaky_relu") { LeakyReLU(negativeSlope: 0.2)($0[0]) }
        expectMatchesPyTorch("relu6") { ReLU6()($0[0]) }
        expectMatchesPyTorch("squared_relu") { squaredReLU($0[0]) }
        expectMatchesPyTorch("hardtanh") { HardTanh(min: -2, max: 1)($0[0]) }
        expectLayerMatchesPyTorch("prelu_shared", PReLU(), parameters: ["weight"])
        expectLayerMatchesPyTorch("prelu_channels", PReLU(parameterCount: 6), parameters: ["weight"])
    }

    @Test func smoothActivations() {
        expectMatchesPyTorch("elu") { ELU(alpha: 0.7)($0[0]) }
        expectMatchesPyTorch("selu") { SELU()($0[0]) }
        expectMatchesPyTorch("celu") { CELU(alpha: 1.5)($0[0]) }
        expectMatchesPyTorch("gelu") { GELU()($0[0]) }
        expectMatchesPyTorch("gelu_tanh") { GELU(approximate: .tanh)($0[0]) }
        expectMatchesPyTorch("silu") { SiLU()($0[0]) }
        expectMatchesPyTorch("swish") { Swish(beta: 1.7)($0[0]) }
        expectLayerMatchesPyTorch("swish_learned", Swish(learnable: true), parameters: ["beta"])
        expectMatchesPyTorch("mish") { Mish()($0[0]) }
        expectMatchesPyTorch("softplus") { Softplus()($0[0]) }
        expectMatchesPyTorch("softplus_beta") { Softplus(beta: 2, threshold: 5)($0[0]) }
        expectMatchesPyTorch("softsign") { Softsign()($0[0]) }
        expectMatchesPyTorch("tanh") { Tanh()($0[0]) }
        expectMatchesPyTorch("sigmoid") { Sigmoid()($0[0]) }
    }

    @Test func logSigmoidAndTanhshrink() {
        expectMatchesPyTorch("logsigmoid") { LogSigmoid()($0[0]) }
        expectMatchesPyTorch("tanhshrink") { Tanhshrink()($0[0]) }
        // Near 0, where x − tanh x cancels in float32, against float64 digits down to x = 1e-3.
        expectMatchesPyTorch("tanhshrink_small") { tanhshrink($0[0]) }
    }

    @Test func hardActivations() {
        expectMatchesPyTorch("hardsigmoid") { HardSigmoid()($0[0]) }
        expectMatchesPyTorch("hardswish") { HardSwish()($0[0]) }
    }

    @Test func gatedLinearUnits() {
        // The gate's derivative σ(1 − σ) loses float32 digits where σ nears 1: 1.2e-7 beyond 1e-5 relative.
        expectMatchesPyTorch("glu", absolute: 1.5e-7) { GLU()($0[0]) }
        expectMatchesPyTorch("reglu") { reglu($0[0]) }
        expectMatchesPyTorch("geglu") { geglu($0[0]) }
        expectMatchesPyTorch("swiglu") { swiglu($0[0]) }
    }

    @Test func researchActivations() {
        expectLayerMatchesPyTorch("clipped_relu", ClippedReLU(shape: [5]), parameters: ["threshold"])
        expectLayerMatchesPyTorch("crrelu", CRReLU(), parameters: ["epsilon"])
        expectLayerMatchesPyTorch("polyrelu", PolyReLU(), parameters: ["weight", "bias"])
        expectLayerMatchesPyTorch("polynorm", PolyNorm(), parameters: ["weight", "bias"])
        expectMatchesPyTorch("groupsort3") { GroupSort(groupSize: 3)($0[0]) }
    }

    @Test func diceInTrainingUsesBatchStatisticsAndUpdatesRunningOnes() {
        expectLayerMatchesPyTorch("dice", Dice(features: 5), parameters: ["alpha"])
        let fx = Self.fixtures
        let dice = Dice(features: 5)
        _ = dice(fx["dice_x0"]!)
        expectClose(dice.runningMean.scalars, fx["dice_running_mean"]!.scalars)
        expectClose(dice.runningVariance.scalars, fx["dice_running_var"]!.scalars)
    }

    @Test func evoNorm() {
        expectLayerMatchesPyTorch("evonorm_s0", EvoNormS0(channels: 4, groups: 2), parameters: ["weight", "bias", "v"])
        expectLayerMatchesPyTorch("evonorm_b0", EvoNormB0(channels: 4), parameters: ["weight", "bias", "v"])
        let layer = EvoNormB0(channels: 4)
        _ = layer(Self.fixtures["evonorm_b0_x0"]!)
        expectClose(layer.runningVariance.scalars, Self.fixtures["evonorm_b0_running_var"]!.scalars)
    }
}
