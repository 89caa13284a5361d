import Kiln
import KilnNN
import KilnOptimizers
import Testing

/// Saving and restoring optimizer state, the two ways of driving an update, groups and frozen parameters.
@Suite struct OptimizerStateTests {
    static func make(_ name: String, _ groups: [ParameterGroup]) -> any Optimizer {
        switch name {
        case "sgd": SGD(groups: groups, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01)
        case "adamw": AdamW(groups: groups, learningRate: 0.01, weightDecay: 0.1, amsgrad: true)
        case "lion": Lion(groups: groups, learningRate: 0.001, weightDecay: 0.1)
        case "rmsprop": RMSprop(groups: groups, learningRate: 0.001, momentum: 0.9, centered: true)
        case "adagrad": Adagrad(groups: groups, learningRate: 0.1, initialAccumulatorValue: 0.1)
        case "adafactor": Adafactor(groups: groups, learningRate: 0.01)
        case "adamax": Adamax(groups: groups, learningRate: 0.01, weightDecay: 0.1)
        case "nadam": NAdam(groups: groups, learningRate: 0.01, weightDecay: 0.1, decoupledWeightDecay: true)
        case "radam": RAdam(groups: groups, learningRate: 0.01, weightDecay: 0.1)
        default: OrthoGrad(Adam(groups: groups, learningRate: 0.01))
        }
    }

    @Test(arguments: ["sgd", "adamw", "lion", "rmsprop", "adagrad", "adafactor", "adamax", "nadam", "radam", "orthograd"])
    func restoredStateContinuesIdentically(_ name: String) throws {
        let straight = Quadratic()
        let straightOptimizer = Self.make(name, ParameterGroup.groups(of: straight))
        for _ in 0..<20 { straightOptimizer.update(straight, along: straight.gradients()) }

        let first = Quadratic()
        let firstOptimizer = Self.make(name, ParameterGroup.groups(of: first))
        for _ in 0..<10 { firstOptimizer.update(first, along: first.gradients()) }
        let saved = firstOptimizer.stateDict()
        #expect(saved["state.W.step"]?.integers == [10])

        let resumed = Quadratic()
        try resumed.load(stateDict: first.stateDict())
        let resumedOptimizer = Self.make(name, ParameterGroup.groups(of: resumed))
        try resumedOptimizer.load(stateDict: saved)
        for _ in 0..<10 { resumedOptimizer.update(resumed, along: resumed.gradients()) }

        for (path, p) in resumed.namedParameters() {
            #expect(p.value.scalars == straight.stateDict()[path]!.scalars, "\(name): \(path) differs after resuming")
        }
    }

    @Test func loadRejectsBadStateAndKeepsTheOld() throws {
        let model = Quadratic()
        let optimizer = Adam(groups: ParameterGroup.groups(of: model), learningRate: 0.01)
        optimizer.update(model, along: model.gradients())
        let good = optimizer.stateDict()
        #expect(Set(good.keys) == Set(["W", "b", "T"].flatMap { ["state.\($0).step", "state.\($0).exp_avg", "state.\($0).exp_avg_sq"] }))

        func expectError(_ expected: OptimizerStateError, _ edit: (inout [String: Tensor]) -> Void) {
            var dict = good
            edit(&dict)
            #expect(throws: expected) { try optimizer.load(stateDict: dict) }
        }
        expectError(.shapeMismatch(key: "state.W.exp_avg", expected: [3, 4], found: [4, 3])) {
            $0["state.W.exp_avg"] = Tensor(zeros: [4, 3])
        }
        expectError(.unknownParameter(key: "state.V.step")) { $0["state.V.step"] = Tensor([1], shape: []) }
        expectError(.missing(key: "state.b.exp_avg_sq")) { $0["state.b.exp_avg_sq"] = nil }
        expectError(.missing(key: "state.b.step")) { $0["state.b.step"] = nil }
        expectError(.unexpected(key: "state.b.momentum_buffer")) { $0["state.b.momentum_buffer"] = Tensor(zeros: [4]) }
        expectError(.unexpected(key: "param_groups")) { $0["param_groups"] = Tensor(zeros: [1]) }
        expectError(.typeMismatch(key: "state.b.step")) { $0["state.b.step"] = Tensor([Float(1)], shape: []) }
        #expect(optimizer.stateDict().mapValues(\.scalarsOrIntegers) == good.mapValues(\.scalarsOrIntegers))
    }

    @Test func stepUsesAccumulatedGradients() {
        let functional = Quadratic(), accumulated = Quadratic()
        let a = AdamW(learningRate: 0.01), b = AdamW(groups: ParameterGroup.groups(of: accumulated), learningRate: 0.01)
        for _ in 0..<3 {
            // loss = Σ W² + Σ b·T-free terms: the gradient of W is 2W and of b is 1.
            let grads = Gradients(["W": functional.W * 2, "b": Tensor(ones: [4])])
            a.update(functional, along: grads)
            let loss = (accumulated.W * accumulated.W).sum() + accumulated.b.sum()
            loss.backward()
            #expect(Gradients(accumulatedIn: accumulated).byName.keys.sorted() == ["W", "b"])
            b.step()
            accumulated.zeroGradients()
        }
        #expect(accumulated.W.scalars == functional.W.scalars)
        #expect(accumulated.b.scalars == functional.b.scalars)
        #expect(accumulated.T.scalars == OptimizerFixtures.optimizers["init.T"]!.scalars, "T had no gradient")
    }

    @Test func frozenParametersStayPut() {
        let model = Quadratic()
        model.$b.isFrozen = true
        let optimizer = SGD(learningRate: 0.1)
        optimizer.update(model, along: model.gradients())
        #expect(model.b.scalars == OptimizerFixtures.optimizers["init.b"]!.scalars)
        #expect(model.W.scalars != OptimizerFixtures.optimizers["init.W"]!.scalars)
    }

    @Test func vectorsCanBeExcludedFromDecay() {
        let groups = ParameterGroup.groups(of: Quadratic(), decayingVectors: false)
        #expect(groups.map { $0.parameters.map(\.name) } == [["W", "T"], ["b"]])
        #expect(groups.map(\.weightDecay) == [nil, 0])
        // With zero gradients only decay moves a parameter: W shrinks, b does not.
        let model = Quadratic()
        let optimizer = AdamW(groups: ParameterGroup.groups(of: model, decayingVectors: false), learningRate: 0.1, weightDecay: 0.5)
        optimizer.update(model, along: Gradients(["W": Tensor(zeros: [3, 4]), "b": Tensor(zeros: [4])]))
        expectMatches(model.W, OptimizerFixtures.optimizers["init.W"]! * 0.95, "decayed W")
        #expect(model.b.scalars == OptimizerFixtures.optimizers["init.b"]!.scalars)
    }

    @Test func groupLearningRatesFollowTheBaseRate() {
        let model = Quadratic()
        let optimizer = SGD(groups: [ParameterGroup([("W", model.$W)], learningRateScale: 0.5)], learningRate: 0.2)
        optimizer.learningRate = 0.4
        optimizer.update(model, along: Gradients(["W": Tensor(ones: [3, 4])]))
        expectMatches(model.W, OptimizerFixtures.optimizers["init.W"]! - 0.2, "W after one step at 0.4 × 0.5")
    }
}

extension Tensor {
    /// Float or integer values as Doubles, for comparing mixed state dictionaries.
    var scalarsOrIntegers: [Double] { dtype == .int64 ? integers.map(Double.init) : scalars.map(Double.init) }
}
