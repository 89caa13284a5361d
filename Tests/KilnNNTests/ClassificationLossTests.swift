import Foundation
import KilnNN
import KilnTestSupport
import Testing

/// Log-softmax of each row of `logits` `[rows, classes]`, in Double.
private func referenceLogProbabilities(_ logits: Tensor) -> [[Double]] {
    let c = logits.shape[1]
    let values = logits.scalars.map(Double.init)
    return stride(from: 0, to: values.count, by: c).map { start in
        let row = Array(values[start..<(start + c)])
        let top = row.max()!
        let lse = top + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - top) })
        return row.map { $0 - lse }
    }
}

/// Mean cross-entropy, in Double.
private func referenceCrossEntropy(_ logits: Tensor, _ labels: Tensor) -> Double {
    let logp = referenceLogProbabilities(logits)
    return zip(logp, labels.integers).reduce(0) { $0 - $1.0[$1.1] } / Double(logp.count)
}

@Suite struct ClassificationLossTests {
    let fixture = Fixtures.load("losses")
    var logits: Tensor { fixture["cls_logits"]! }
    var labels: Tensor { fixture["cls_labels"]! }

    @Test func zLossIsTheSquaredLogNormalizer() {
        let x = Tensor([0, 0, Float(Foundation.log(3.0)), 0], shape: [2, 2])
        let ln2 = Foundation.log(2.0)
        expectClose(zLoss(logits: x, weight: 1).scalars, [Float(2.5 * ln2 * ln2)])
        expectClose(zLoss(logits: x, weight: 0.5, reduction: .none).scalars, [Float(0.5 * ln2 * ln2), Float(2 * ln2 * ln2)])
        // Not shift invariant: that is its purpose.
        #expect(abs(zLoss(logits: x + 1).item - zLoss(logits: x).item) > 1e-5)
        checkGradients([testTensor([3, 5], seed: 11, scale: 3)]) { zLoss(logits: $0[0], weight: 0.1, reduction: .none) }
    }

    @Test func sphericalZLossMatchesThePaperFormAndIsShiftAndScaleInvariant() {
        let value = sphericalZLoss(logits: logits, labels: labels, a: 2, b: 1.5)
        expectClose(value.scalars, fixture["zsph_value"]!.scalars)
        expectClose(gradient(at: logits) { sphericalZLoss(logits: $0, labels: labels, a: 2, b: 1.5) }.scalars,
                    fixture["zsph_grad"]!.scalars)
        for (alpha, beta) in [(Float(3.7), Float(-2)), (0.05, 40), (250, 0.5)] {
            let moved = sphericalZLoss(logits: alpha * logits + beta, labels: labels, a: 2, b: 1.5)
            expectClose(moved.scalars, value.scalars, relative: 1e-5)
        }
        checkGradients([testTensor([3, 5], seed: 12, scale: 2)]) {
            sphericalZLoss(logits: $0[0], labels: Tensor([1, 0, 4]), a: 1.5, b: 1, reduction: .none)
        }
    }

    @Test func generalizedCrossEntropyRunsFromCrossEntropyToMeanAbsoluteError() {
        expectClose(generalizedCrossEntropy(logits: logits, labels: labels).scalars, fixture["gce_value"]!.scalars)
        expectClose(gradient(at: logits) { generalizedCrossEntropy(logits: $0, labels: labels) }.scalars,
                    fixture["gce_grad"]!.scalars)
        let ce = referenceCrossEntropy(logits, labels)
        let nearZero = Double(generalizedCrossEntropy(logits: logits, labels: labels, q: 1e-4).item)
        #expect(abs(nearZero - ce) <= 1e-3 * ce)
        let logp = referenceLogProbabilities(logits)
        let mae = zip(logp, labels.integers).reduce(0) { $0 + 1 - Foundation.exp($1.0[$1.1]) } / Double(logp.count)
        expectClose(GeneralizedCrossEntropyLoss(q: 1)(logits, labels).scalars, [Float(mae)])
        checkGradients([testTensor([3, 4], seed: 13, scale: 2)]) {
            generalizedCrossEntropy(logits: $0[0], labels: Tensor([3, 0, 2]), q: 0.5, reduction: .none)
        }
    }

    @Test func focalLossMatchesDefinitionAndIsCrossEntropyAtGammaZero() {
        let alpha = fixture["cls_alpha"]!
        expectClose(focalLoss(logits: logits, labels: labels, gamma: 2, alpha: alpha).scalars, fixture["focal_value"]!.scalars)
        expectClose(gradient(at: logits) { FocalLoss(gamma: 2, alpha: alpha)($0, labels) }.scalars, fixture["focal_grad"]!.scalars)
        expectClose(focalLoss(logits: logits, labels: labels, gamma: 0).scalars, [Float(referenceCrossEntropy(logits, labels))])
        // Focusing lowers every row's loss below its cross-entropy.
        let focused = focalLoss(logits: logits, labels: labels, gamma: 2, reduction: .none).scalars
        let plain = focalLoss(logits: logits, labels: labels, gamma: 0, reduction: .none).scalars
        #expect(zip(focused, plain).allSatisfy { $0 < $1 })
        checkGradients([testTensor([3, 4], seed: 14, scale: 2)]) {
            focalLoss(logits: $0[0], labels: Tensor([1, 1, 3]), gamma: 1.5, alpha: Tensor([1, 2, 0.5, 1] as [Float]), reduction: .none)
        }
    }

    @Test func normalizedKnowledgeDistillationMatchesThePaper() {
        let teacher = fixture["cls_teacher"]!
        let nkd = { (s: Tensor) in
            normalizedKnowledgeDistillation(studentLogits: s, teacherLogits: teacher, labels: labels, temperature: 2, gamma: 1.5)
        }
        expectClose(nkd(logits).scalars, fixture["nkd_value"]!.scalars)
        expectClose(gradient(at: logits, of: nkd).scalars, fixture["nkd_grad"]!.scalars)
        checkGradients([testTensor([3, 4], seed: 15, scale: 2)]) {
            normalizedKnowledgeDistillation(studentLogits: $0[0], teacherLogits: testTensor([3, 4], seed: 16, scale: 2),
                                            labels: Tensor([0, 3, 2]), temperature: 1.5, reduction: .none)
        }
    }

    @Test func normalizedKnowledgeDistillationWithAOneHotTeacherIsItsTargetTerm() {
        // The teacher puts all its mass on the label, so the target term −t_y·log s_y is the cross-entropy;
        // with γ = 0 nothing else remains.
        let y = labels.integers
        let oneHot = Tensor((0..<30).map { y[$0 / 5] == $0 % 5 ? Float(60) : 0 }, shape: [6, 5])
        let ce = referenceCrossEntropy(logits, labels)
        expectClose(normalizedKnowledgeDistillation(studentLogits: logits, teacherLogits: oneHot, labels: labels, gamma: 0).scalars,
                    [Float(ce)])
        // Its non-target part is uniform: γ·T²·mean over rows of −mean_{k≠y} log ŝ_k.
        let logp = referenceLogProbabilities(logits)
        var nonTarget = 0.0
        for (row, label) in zip(logp, y) {
            let others = row.enumerated().filter { $0.offset != label }.map(\.element)
            let top = others.max()!
            let lse = top + Foundation.log(others.reduce(0) { $0 + Foundation.exp($1 - top) })
            nonTarget += others.reduce(0) { $0 - ($1 - lse) } / Double(others.count)
        }
        let expected = ce + 1.5 * nonTarget / Double(y.count)
        expectClose(normalizedKnowledgeDistillation(studentLogits: logits, teacherLogits: oneHot, labels: labels).scalars,
                    [Float(expected)])
    }
}
