import Foundation
import KilnLab
import KilnTestSupport
import Testing

/// log softmax(W·x + b) in Double; W is `[classes, inputs]` row-major.
private func logSoftmax(weight: [Double], bias: [Double], x: [Double]) -> [Double] {
    let z = bias.indices.map { k in bias[k] + x.indices.reduce(0.0) { $0 + weight[k * x.count + $1] * x[$1] } }
    let top = z.max()!
    let logTotal = log(z.reduce(0.0) { $0 + exp($1 - top) }) + top
    return z.map { $0 - logTotal }
}

/// ∂ log p_y / ∂W = (1[k = y] − p_k)·x and ∂ log p_y / ∂b = 1[k = y] − p_k, by hand, in Double.
private func logLikelihoodGradient(weight: [Double], bias: [Double], x: [Double], y: Int) -> [Double] {
    let p = logSoftmax(weight: weight, bias: bias, x: x).map(exp)
    let gb = p.indices.map { k in (k == y ? 1 : 0) - p[k] }
    return gb.indices.flatMap { k in x.map { gb[k] * $0 } } + gb
}

private func doubles(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }

@Suite struct FisherInformationTests {
    let model = SoftmaxRegression(inputs: 3, classes: 4, seed: 1)
    let inputs = testTensor([6, 3], seed: 11, scale: 2)
    let labels = Tensor([0, 1, 2, 3, 1, 2], shape: [6])

    /// The rows of `inputs` and the labels as Double arrays.
    var examples: [(x: [Double], y: Int)] {
        (0..<6).map { n in (doubles(inputs.select(axis: 0, n)), labels.integers[n]) }
    }

    /// The Kiln Fisher as one array: the weight's entries, then the bias's.
    func flattened(_ fisher: DiagonalFisher) -> [Float] { fisher["weight"]!.scalars + fisher["bias"]!.scalars }

    @Test func classLogLikelihoodIsTheLogSoftmaxAtTheLabel() {
        let logits = model(inputs)
        let picked = classLogLikelihood(logits: logits, labels: labels).scalars
        let expected = examples.map { logSoftmax(weight: doubles(model.weight), bias: doubles(model.bias), x: $0.x)[$0.y] }
        expectClose(picked, expected.map(Float.init), relative: 1e-6)
    }

    @Test func empiricalFisherOfLinearSoftmaxMatchesTheClosedForm() {
        let loader = DataLoader(TensorDataset(inputs: inputs, targets: labels), batchSize: 1)
        let fisher = DiagonalFisher.estimate(of: model, loader: loader)
        #expect(fisher.exampleCount == 6)
        #expect(fisher["weight"]!.shape == [4, 3] && fisher["bias"]!.shape == [4])

        var expected = [Double](repeating: 0, count: 16)
        for (x, y) in examples {
            let g = logLikelihoodGradient(weight: doubles(model.weight), bias: doubles(model.bias), x: x, y: y)
            for k in g.indices { expected[k] += g[k] * g[k] / 6 }
        }
        expectClose(flattened(fisher), expected.map(Float.init), relative: 1e-6)
    }

    @Test func miniBatchesUseTheSquaredMeanGradientTimesTheBatchSize() {
        let batches = [0, 3].map { start in
            Batch(inputs: inputs.slice(axis: 0, start..<(start + 3)), targets: labels.slice(axis: 0, start..<(start + 3)))
        }
        let fisher = DiagonalFisher.estimate(of: model, batches: batches)

        var expected = [Double](repeating: 0, count: 16)
        for start in [0, 3] {
            var mean = [Double](repeating: 0, count: 16)
            for (x, y) in examples[start..<(start + 3)] {
                let g = logLikelihoodGradient(weight: doubles(model.weight), bias: doubles(model.bias), x: x, y: y)
                for k in g.indices { mean[k] += g[k] / 3 }
            }
            for k in mean.indices { expected[k] += 3 * mean[k] * mean[k] / 6 }
        }
        expectClose(flattened(fisher), expected.map(Float.init), relative: 1e-6)
    }

    /// With y drawn from p, E[(1[y = k] − p_k)²] = p_k(1 − p_k): the true Fisher is p_k(1 − p_k)·x_i² for
    /// W and p_k(1 − p_k) for b. The estimate must lie within five standard errors of it.
    @Test func sampledFisherEstimatesTheTrueFisher() {
        let n = 3000
        let row = inputs.slice(axis: 0, 0..<1)
        let batches = Array(repeating: Batch(inputs: row, targets: Tensor([0], shape: [1])), count: n)
        let fisher = DiagonalFisher.estimate(of: model, batches: batches, labels: .sampled(RandomGenerator(seed: 5)))

        let x = doubles(row)
        let p = logSoftmax(weight: doubles(model.weight), bias: doubles(model.bias), x: x).map(exp)
        let scales = p.indices.flatMap { _ in x.map { $0 * $0 } } + p.map { _ in 1.0 }
        let classOf = p.indices.flatMap { k in x.map { _ in k } } + Array(p.indices)
        let estimate = flattened(fisher)
        for j in estimate.indices {
            let pk = p[classOf[j]]
            let mean = pk * (1 - pk)
            let fourthMoment = pk * pow(1 - pk, 4) + (1 - pk) * pow(pk, 4)
            let standardError = (fourthMoment - mean * mean).squareRoot() / Double(n).squareRoot()
            #expect(abs(Double(estimate[j]) - mean * scales[j]) <= 5 * standardError * scales[j],
                    "element \(j): \(estimate[j]) vs true Fisher \(mean * scales[j])")
        }
    }

    @Test func frozenParametersHaveNoFisher() {
        let frozen = SoftmaxRegression(inputs: 3, classes: 4, seed: 2)
        frozen.$bias.isFrozen = true
        let fisher = DiagonalFisher.estimate(of: frozen, batches: [Batch(inputs: inputs, targets: labels)])
        #expect(fisher["bias"] == nil && fisher["weight"] != nil)
    }
}
