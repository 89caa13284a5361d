import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct AttentionNormalizerTests {
    // Grouped heads: 4 query heads on 2 key heads; 3 queries continue a 5-key sequence.
    let query = testTensor([2, 4, 3, 4], seed: 1, scale: 2)
    let key = testTensor([2, 2, 5, 4], seed: 2, scale: 2)
    let value = testTensor([2, 2, 5, 3], seed: 3)

    @Test func namesRoundTripAndUnknownNamesThrow() throws {
        for name in AttentionNormalizer.names { #expect(try AttentionNormalizer(named: name).name == name) }
        #expect(try AttentionNormalizer(named: "sigmoid") == .sigmoid(bias: nil))
        #expect(try AttentionNormalizer(named: "softplus_reweighted") == .softplusReweighted(power: 3))
        #expect(throws: UnknownAttentionNormalizer(name: "sofmax")) { try AttentionNormalizer(named: "sofmax") }
        let message = UnknownAttentionNormalizer(name: "a\nb").description
        #expect(message == "attention normalizer \"a\\nb\" is not one of softmax, sigmoid, softplus_reweighted, relu")
    }

    @Test func softmaxIsScaledDotProductAttention() {
        let expected = scaledDotProductAttention(query: query, key: key, value: value, mask: .causal, scale: 0.7)
        let actual = attention(query: query, key: key, value: value, mask: .causal, normalizer: .softmax, scale: 0.7)
        #expect(actual.scalars == expected.scalars)
    }

    /// Ramapuram et al.: with b = −log n every weight is σ(s − log n) = 1/(1 + n·e^{−s}); at s = 0
    /// that is 1/(n + 1), so a row of n keys sums to n/(n + 1), close to softmax's 1. Under a causal
    /// mask n stays the sequence length and hidden keys weigh 0.
    @Test func sigmoidWithZeroScoresWeighsEveryKeyOneOverNPlusOne() {
        let zeros = Tensor(zeros: [1, 2, 3, 4]), keys = Tensor(zeros: [1, 1, 5, 4])
        let full = attention(query: zeros, key: keys, value: identityValues(5), normalizer: .sigmoid())
        expectClose(full.scalars, [Float](repeating: 1 / 6, count: 30), relative: 1e-6)
        expectClose(full.sum(axis: -1).scalars, [Float](repeating: 5 / 6, count: 6), relative: 1e-6)
        let causal = attention(query: zeros, key: keys, value: identityValues(5), mask: .causal, normalizer: .sigmoid())
        // Query i sees keys j ≤ i + 2.
        expectClose(causal.scalars, causalRows(heads: 2, queries: 3, keys: 5) { _ in 1 / 6 }, relative: 1e-6)
    }

    /// Ramapuram et al.'s sequence-doubling argument for b = −log n: a sequence repeated twice should
    /// give the same output. Each key's pair of copies weighs 2/(1 + 2n·e^{−s}) instead of
    /// 1/(1 + n·e^{−s}), a factor 1 + 1/(1 + 2n·e^{−s}) ≤ 1 + e^{s}/(2n); without the bias the output
    /// grows by half or more.
    @Test func sigmoidWithLogLengthBiasSurvivesSequenceDoubling() {
        let n = 32
        let q = testTensor([1, 1, 2, 4], seed: 14), k = testTensor([1, 1, n, 4], seed: 15)
        let v = testTensor([1, 1, n, 3], seed: 16, shift: 2)
        let (k2, v2) = (Tensor.concatenate([k, k], axis: 2), Tensor.concatenate([v, v], axis: 2))
        let once = attention(query: q, key: k, value: v, normalizer: .sigmoid()).scalars
        let twice = attention(query: q, key: k2, value: v2, normalizer: .sigmoid()).scalars
        let largestScore = q.matmul(k.transposed()).scalars.max()! / 2
        let bound = Foundation.exp(Double(largestScore)) / Double(2 * n)
        for (a, b) in zip(twice, once) { #expect(abs(Double(a) / Double(b) - 1) <= bound, "\(a) vs \(b), bound \(bound)") }
        let unbiasedOnce = attention(query: q, key: k, value: v, normalizer: .sigmoid(bias: 0)).scalars
        let unbiasedTwice = attention(query: q, key: k2, value: v2, normalizer: .sigmoid(bias: 0)).scalars
        for (a, b) in zip(unbiasedTwice, unbiasedOnce) { #expect(Double(a) / Double(b) > 1.5) }
    }

    @Test func sigmoidMatchesItsDefinition() {
        for (bias, causal) in [(nil, false), (0.5, true)] as [(Float?, Bool)] {
            let b = Double(bias ?? -Float(Foundation.log(5.0)))
            let expected = referenceAttention(query: query, key: key, value: value, causal: causal, score: dotScore(scale: 0.5)) { s, visible in
                zip(s, visible).map { $1 ? 1 / (1 + Foundation.exp(-($0 + b))) : 0 }
            }
            let actual = attention(query: query, key: key, value: value, mask: causal ? .causal : .none,
                                   normalizer: .sigmoid(bias: bias), scale: 0.5)
            expectClose(actual.scalars, expected, relative: 1e-5, absolute: 1e-6)
        }
    }

    /// Wortsman et al.: relu(s) / n with n the sequence length.
    @Test func reluMatchesItsDefinition() {
        let expected = referenceAttention(query: query, key: key, value: value, causal: true, score: dotScore(scale: 0.5)) { s, visible in
            zip(s, visible).map { $1 ? Swift.max($0, 0) / 5 : 0 }
        }
        let actual = attention(query: query, key: key, value: value, mask: .causal, normalizer: .relu)
        expectClose(actual.scalars, expected, relative: 1e-5, absolute: 1e-6)
    }

    /// The two stages of Gao & Spratling: softplus(log_d(N)·s) ℓ₁-normalized over the N visible keys,
    /// then each weight to the power p, ℓ₁-normalized again.
    static func softplusReweighted(depth: Int, power: Double) -> ([Double], [Bool]) -> [Double] {
        { s, visible in
            let n = Double(visible.filter { $0 }.count)
            let first = zip(s, visible).map { $1 ? Foundation.log1p(Foundation.exp(Foundation.log(n) / Foundation.log(Double(depth)) * $0)) : 0 }
            let sharpened = first.map { Foundation.pow($0 / first.reduce(0, +), power) }
            return sharpened.map { $0 / sharpened.reduce(0, +) }
        }
    }

    @Test func softplusReweightedMatchesItsDefinition() {
        for (power, causal) in [(3, true), (1, false), (2.5, true)] as [(Float, Bool)] {
            let expected = referenceAttention(query: query, key: key, value: value, causal: causal, score: dotScore(scale: 0.5),
                                              weights: Self.softplusReweighted(depth: 4, power: Double(power)))
            let actual = attention(query: query, key: key, value: value, mask: causal ? .causal : .none,
                                   normalizer: .softplusReweighted(power: power))
            expectClose(actual.scalars, expected, relative: 1e-5, absolute: 1e-6)
        }
    }

    /// Rows sum to 1 after re-weighting; all-zero scores give the uniform 1/N over the visible keys in
    /// both stages; the second stage raises weight ratios to the power p.
    @Test func softplusReweightedRowsAreDistributionsSharpenedByThePower() {
        let (q, k) = (testTensor([1, 2, 3, 4], seed: 5, scale: 2), testTensor([1, 1, 5, 4], seed: 6, scale: 2))
        let rows = attention(query: q, key: k, value: identityValues(5), mask: .causal, normalizer: .softplusReweighted())
        expectClose(rows.sum(axis: -1).scalars, [Float](repeating: 1, count: 6), relative: 1e-6)
        let uniform = attention(query: Tensor(zeros: [1, 2, 3, 4]), key: k, value: identityValues(5), mask: .causal,
                                normalizer: .softplusReweighted())
        expectClose(uniform.scalars, causalRows(heads: 2, queries: 3, keys: 5) { 1 / Float($0 + 3) }, relative: 1e-6)
        let plain = attention(query: q, key: k, value: identityValues(5), normalizer: .softplusReweighted(power: 1)).scalars
        let cubed = rows.scalars, unmasked = attention(query: q, key: k, value: identityValues(5), normalizer: .softplusReweighted()).scalars
        for r in 0..<6 {
            let base = r * 5
            for j in 1..<5 {
                let ratio = Double(unmasked[base + j]) / Double(unmasked[base])
                expectClose(ratio, Foundation.pow(Double(plain[base + j]) / Double(plain[base]), 3), relative: 1e-5, "row \(r) key \(j)")
            }
            #expect(cubed[base + 4] == 0 || r % 3 == 2, "causal rows hide the last keys")
        }
    }

    /// Hidden keys weigh nothing under every normalizer; a query that sees no key gets zeros.
    @Test func masksHideKeysForEveryNormalizer() {
        let (q, k) = (testTensor([2, 2, 3, 4], seed: 7, scale: 2), testTensor([2, 1, 5, 4], seed: 8, scale: 2))
        let values = identityValues(5).expanded(to: [2, 1, 5, 5])
        let padding = Tensor([true, true, false, true, false, false, false, false, false, false], shape: [2, 5])
        for normalizer in [AttentionNormalizer.softmax, .sigmoid(), .softplusReweighted(), .relu] {
            let w = attention(query: q, key: k, value: values, mask: .keyPadding(padding), normalizer: normalizer).scalars
            for (i, weight) in w.enumerated() {
                let (batch, keyIndex) = (i / 30, i % 5)
                if batch == 1 || [2, 4].contains(keyIndex) { #expect(weight == 0, "\(normalizer): element \(i)") }
            }
        }
    }

    @Test func everyNormalizerHasCheckedGradients() {
        let inputs = [testTensor([1, 2, 3, 3], seed: 11, scale: 1.5), testTensor([1, 1, 4, 3], seed: 12, scale: 1.5),
                      testTensor([1, 1, 4, 2], seed: 13)]
        for normalizer in [AttentionNormalizer.softmax, .sigmoid(), .sigmoid(bias: 0.3), .softplusReweighted(), .softplusReweighted(power: 1), .relu] {
            checkGradients(inputs, eps: 1e-3) { x in
                attention(query: x[0], key: x[1], value: x[2], mask: .causal, normalizer: normalizer)
            }
        }
    }
}
