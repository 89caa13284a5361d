import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct SoftmaxAlternativesTests {
    @Test func stablemaxClosedForm() {
        // s(0) = 1, s(1) = 2, s(-1) = 1/2, s(3) = 4: normalized by 7.5.
        let x = Tensor([0, 1, -1, 3] as [Float], shape: [1, 4])
        expectClose(stablemax(x).scalars, [1, 2, 0.5, 4].map { $0 / 7.5 }, relative: 1e-6)
        expectClose(StableMax()(x).scalars, [1, 2, 0.5, 4].map { $0 / 7.5 }, relative: 1e-6)
        expectClose(logStablemax(x).scalars, [1, 2, 0.5, 4].map { Float(Foundation.log($0 / 7.5)) }, relative: 1e-6)
        // StableMax cross-entropy is -log of the label's StableMax probability.
        let loss = stablemaxCrossEntropy(logits: x, labels: Tensor([3]))
        #expect(abs(loss.item - Float(Foundation.log(7.5 / 4))) < 1e-6)
        checkGradients([testTensor([3, 5], seed: 8, scale: 3)]) { stablemax($0[0]) }
        checkGradients([testTensor([3, 5], seed: 6, scale: 3)]) { stablemaxCrossEntropy(logits: $0[0], labels: Tensor([4, 0, 2])) }
    }

    /// Prieto et al.'s softmax collapse: in Float32, once the correct logit leads by more than ~17,
    /// 1 + e^-gap rounds to 1, so softmax cross-entropy is exactly 0 and so is the gradient on the
    /// correct logit, while StableMax still pushes it up.
    @Test func softmaxCollapsesWhereStablemaxDoesNot() {
        let labels = Tensor([0])
        for (gap, collapses) in [(10, false), (20, true), (40, true)] as [(Float, Bool)] {
            let logits = Tensor([gap, 0, 0, 0], shape: [1, 4])
            let (loss, grad) = valueAndGradient(at: logits) { crossEntropy(logits: $0, labels: labels) }
            #expect((loss.item == 0) == collapses, "gap \(gap): loss \(loss.item)")
            #expect((grad.scalars[0] == 0) == collapses, "gap \(gap): gradient \(grad.scalars[0])")
            let stable = gradient(at: logits) { stablemaxCrossEntropy(logits: $0, labels: labels) }
            #expect(stable.scalars[0] < 0, "gap \(gap): StableMax gradient \(stable.scalars[0])")
            // StableMax's loss: -log((gap + 1) / (gap + 4)).
            let stableLoss = stablemaxCrossEntropy(logits: logits, labels: labels).item
            #expect(abs(stableLoss - Float(Foundation.log(Double(gap + 4) / Double(gap + 1)))) < 1e-6)
        }
    }

    @Test func sparsemaxClosedFormAndGradient() {
        // [1, 0.5, -1]: support {1, 0.5}, τ = 0.25.
        expectClose(sparsemax(Tensor([1, 0.5, -1] as [Float])).scalars, [0.75, 0.25, 0], relative: 1e-6)
        // Along axis 0 of a matrix; one column with a single-element support.
        let m = Tensor([1, 3, 0.5, 0, -1, 0] as [Float], shape: [3, 2])
        expectClose(sparsemax(m, axis: 0).scalars, [0.75, 1, 0.25, 0, 0, 0], relative: 1e-6)
        expectClose(Sparsemax(axis: 0)(m).scalars, [0.75, 1, 0.25, 0, 0, 0], relative: 1e-6)
        // Rows sum to 1; the Jacobian on the support is I − 1/k, 0 outside.
        let x = testTensor([4, 6], seed: 12, scale: 1.5)
        let y = sparsemax(x)
        expectClose(y.sum(axis: 1).scalars, [1, 1, 1, 1], relative: 1e-6)
        #expect(y.scalars.allSatisfy { $0 >= 0 })
        checkGradients([x], eps: 1e-3) { sparsemax($0[0]) }
        let g = gradient(at: Tensor([1, 0.5, -1] as [Float])) { (sparsemax($0) * Tensor([1, 0, 0] as [Float])).sum() }
        expectClose(g.scalars, [0.5, -0.5, 0], relative: 1e-6)
    }

    @Test func gumbelSoftmaxIsSeededAndSamplesTheSoftmax() {
        let logits = Tensor([1, 0, -1, 0.5] as [Float], shape: [1, 4])
        let a = gumbelSoftmax(logits, temperature: 0.5, generator: RandomGenerator(seed: 7))
        let b = gumbelSoftmax(logits, temperature: 0.5, generator: RandomGenerator(seed: 7))
        #expect(a.scalars == b.scalars)
        expectClose([a.sum().item], [1], relative: 1e-6)
        // The argmax of logits + Gumbel noise is distributed as softmax(logits).
        let rows = 20_000
        let batch = logits.expanded(to: [rows, 4]).contiguous()
        let hard = gumbelSoftmax(batch, hard: true, generator: RandomGenerator(seed: 3))
        let frequencies = hard.sum(axis: 0).scalars.map { $0 / Float(rows) }
        let expected = logits.softmax().scalars
        for (f, p) in zip(frequencies, expected) { #expect(abs(f - p) < 0.015, "frequency \(f) vs probability \(p)") }
        #expect(hard.scalars.allSatisfy { abs($0) < 1e-6 || abs($0 - 1) < 1e-6 })
    }

    @Test func straightThroughGradientIsTheSoftSamplesGradient() {
        let logits = testTensor([3, 5], seed: 4)
        let weights = testTensor([3, 5], seed: 5)
        let hardGrad = gradient(at: logits) { (gumbelSoftmax($0, temperature: 0.7, hard: true, generator: RandomGenerator(seed: 1)) * weights).sum() }
        let softGrad = gradient(at: logits) { (gumbelSoftmax($0, temperature: 0.7, generator: RandomGenerator(seed: 1)) * weights).sum() }
        expectClose(hardGrad.scalars, softGrad.scalars, relative: 1e-6)
        let module = GumbelSoftmax(temperature: 0.7, hard: true, generator: RandomGenerator(seed: 1))
        let sample = module(logits)
        #expect(sample.scalars.filter { abs($0 - 1) < 1e-6 }.count == 3)
        expectClose(sample.sum(axis: 1).scalars, [1, 1, 1], relative: 1e-6)
    }
}
