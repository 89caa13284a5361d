import KilnLab
import KilnTestSupport
import Testing

@Suite struct SparseInferenceTests {
    /// A random `[out, in]` weight whose columns all have norm 2.
    private static func equalColumnNorms(out: Int, in inputs: Int, seed: UInt64) -> Tensor {
        let w = Tensor.normal([out, inputs], generator: RandomGenerator(seed: seed))
        return w / (w * w).sum(axes: [0], keepingDims: true).sqrt() * 2
    }

    /// A top-k mask keeps exactly k inputs of every token, and masking again changes nothing.
    @Test func topKMasksKeepExactlyKAndAreIdempotent() {
        let weight = Tensor.normal([6, 40], generator: RandomGenerator(seed: 1))
        let x = Tensor.normal([5, 3, 40], generator: RandomGenerator(seed: 2))
        for method in [SparsityMethod.magnitude, .wina] {
            let sparsifier = InputSparsifier(method: method, sparsity: 0.7, weight: weight)
            let mask = sparsifier.mask(x)
            #expect(sparsifier.keep == 12)
            #expect(mask.sum(axes: [2]).scalars == [Float](repeating: 12, count: 15), "\(method)")
            #expect(sparsifier.mask(x * mask).scalars == mask.scalars, "\(method)")
        }
    }

    /// Equal scores: the earlier positions are kept.
    @Test func tiesKeepTheEarlierPositions() {
        let sparsifier = InputSparsifier(method: .magnitude, sparsity: 0.5, weight: Tensor(zeros: [1, 4]))
        #expect(sparsifier.mask(Tensor([1, -1, 1, 1] as [Float], shape: [1, 4])).scalars == [1, 1, 0, 0])
    }

    /// WINA weighs |xᵢ| by ‖W[:,i]‖₂: with every column norm equal it chooses what TEAL's magnitude rule chooses.
    @Test func winaEqualsMagnitudeWhenColumnNormsAreEqual() {
        let weight = Self.equalColumnNorms(out: 9, in: 32, seed: 3)
        let x = Tensor.normal([20, 32], generator: RandomGenerator(seed: 4))
        let wina = InputSparsifier(method: .wina, sparsity: 0.5, weight: weight).mask(x)
        let magnitude = InputSparsifier(method: .magnitude, sparsity: 0.5, weight: weight).mask(x)
        #expect(wina.scalars == magnitude.scalars)
    }

    /// With orthogonal columns, ‖Wx − W(m⊙x)‖² = Σ_dropped ‖W[:,i]‖²xᵢ², so WINA's mask is the best
    /// k-subset: checked against every subset of 3 out of 8 inputs, on several tokens.
    @Test func winaMinimizesTheOutputErrorWithOrthogonalColumns() {
        let scales = Tensor([0.3, 2, 1, 0.5, 3, 0.8, 1.5, 0.1] as [Float])
        let weight = Init.orthogonal([10, 8], generator: RandomGenerator(seed: 5)) * scales
        let tokens = (10..<16).map { Tensor.normal([1, 8], generator: RandomGenerator(seed: UInt64($0))) }
        for (token, errors) in Self.winaAndBestSubsetErrors(weight: weight, keep: 3, tokens: tokens).enumerated() {
            #expect(errors.wina <= errors.best * (1 + 1e-5) + 1e-6, "token \(token): WINA \(errors.wina), best subset \(errors.best)")
        }
    }

    /// The output error `‖Wx − W(m⊙x)‖²` of WINA's mask of each token, and the least over all subsets of
    /// `keep` inputs (brute force: for small widths).
    static func winaAndBestSubsetErrors(weight: Tensor, keep k: Int, tokens: [Tensor]) -> [(wina: Float, best: Float)] {
        let d = weight.shape[1]
        let sparsifier = InputSparsifier(method: .wina, sparsity: 1 - Double(k) / Double(d), weight: weight)
        precondition(sparsifier.keep == k)
        func error(_ x: Tensor, _ mask: Tensor) -> Float {
            let difference = linear(x, weight: weight) - linear(x * mask, weight: weight)
            return (difference * difference).sum().item
        }
        return tokens.map { x in
            var best = Float.infinity
            for subset in 0..<(1 << d) where subset.nonzeroBitCount == k {
                let mask = Tensor((0..<d).map { subset >> $0 & 1 == 1 ? Float(1) : 0 }, shape: [1, d])
                best = min(best, error(x, mask))
            }
            return (error(x, sparsifier.mask(x)), best)
        }
    }

    /// CHESS's per-channel thresholds, calibrated on data with very different channel scales, drop the
    /// target fraction of that data within one percentage point, in every channel alike.
    @Test func chessHitsItsTargetSparsityOnCalibrationData() {
        let scales = Tensor((0..<16).map { Float(1 + $0 * $0) })
        let calibration = Tensor.normal([3000, 16], generator: RandomGenerator(seed: 6)) * scales
        for target in [0.3, 0.5, 0.8] {
            let sparsifier = InputSparsifier(method: .chess, sparsity: target, weight: Tensor(zeros: [4, 16]), calibration: calibration)
            let kept = sparsifier.mask(calibration).mean(axes: [0]).scalars
            #expect(abs(1 - Double(kept.reduce(0, +)) / 16 - target) <= 0.01)
            #expect(kept.allSatisfy { abs(1 - Double($0) - target) <= 0.01 }, "\(target)")
        }
    }

    /// Statistical top-k keeps about k of d Gaussian inputs per token, whatever their mean and scale.
    @Test func statisticalTopKKeepsAboutKOfGaussianInputs() {
        let x = Tensor.normal([50, 2048], mean: 3, std: 5, generator: RandomGenerator(seed: 7))
        let sparsifier = InputSparsifier(method: .statistical, sparsity: 0.9, weight: Tensor(zeros: [1, 2048]))
        let kept = Double(sparsifier.mask(x).mean().item)
        #expect(abs(kept - 0.1) <= 0.01)
    }

    /// The column-skipping kernel gives the dense layer's output on the masked input, for every
    /// method, with and without bias, for widths inside and past the 64-wide SIMD blocks, input widths
    /// with and without a partial group of eight, no sparsity, and tied scores at the k-th place.
    @Test func sparseLinearEqualsTheDenseLayerOnMaskedInputs() {
        for inputs in [48, 45] {
            let calibration = Tensor.normal([100, inputs], generator: RandomGenerator(seed: 8))
            let tied = Tensor((0..<inputs).map { Float($0 % 3) - 1 }, shape: [1, inputs])
            for (outputs, bias) in [(70, true), (133, false), (5, true)] {
                let layer = Linear(inputs, outputs, bias: bias, generator: RandomGenerator(seed: 9))
                for method in SparsityMethod.allCases {
                    for sparsity in [0.6, 0] {
                        let sparsifier = InputSparsifier(method: method, sparsity: sparsity, weight: layer.weight, calibration: calibration)
                        let sparse = SparseLinear(layer, sparsifier: sparsifier)
                        for x in (0..<4).map({ calibration[$0..<($0 + 1)] }) + [tied] {
                            expectClose(sparse(x).scalars, layer(x * sparsifier.mask(x)).scalars, relative: 1e-5, absolute: 1e-5)
                        }
                    }
                }
            }
        }
    }

    /// Pre-hooks put the masks before the chosen layers only while `applied` runs; the measured
    /// sparsity of a top-k method is its target.
    @Test func sparseInferenceMasksTheChosenLayersWhileApplied() {
        let model = Sequential { Linear(6, 20, generator: RandomGenerator(seed: 10)); ReLU(); Linear(20, 3, generator: RandomGenerator(seed: 11)) }
        #expect(SparseInference.defaultLayers(of: model) == ["2"])
        let x = Tensor.normal([7, 6], generator: RandomGenerator(seed: 12))
        let dense = model(x)
        let inference = SparseInference(model: model, layers: ["2"], method: .magnitude, sparsity: 0.75)
        let hidden = relu(model.layers[0](x))
        let expected = model.layers[2](hidden * inference.sparsifiers[0].sparsifier.mask(hidden))
        #expect(inference.applied(to: model) { model(x) }.scalars == expected.scalars)
        #expect(model(x).scalars == dense.scalars)
        #expect(inference.measuredSparsity(of: model, on: [x]) == 0.75)
    }
}
