import KilnLab
import KilnTestSupport
import Testing

@Suite struct WeightQuantizationTests {
    /// Round to nearest on a grid that covers the values: every value is within half a step of its
    /// reconstruction, for 8 and 4 bits, per tensor and per channel, symmetric and asymmetric.
    @Test func roundTripErrorIsAtMostHalfAStep() {
        let rowScales = Tensor([0.01, 1, 30, 0.5] as [Float]).reshaped([4, 1])
        let weight = Tensor.normal([4, 50], generator: RandomGenerator(seed: 1)) * rowScales + 0.2
        for bits in [8, 4] {
            for perChannel in [true, false] {
                for symmetric in [true, false] {
                    let q = QuantizedWeight(weight, scheme: QuantizationScheme(bits: bits, perChannel: perChannel, symmetric: symmetric))
                    let error = (q.dequantized() - weight).abs().scalars
                    for (i, e) in error.enumerated() {
                        let step = q.scales[perChannel ? i / 50 : 0]
                        #expect(e <= step / 2 * (1 + 1e-5), "bits \(bits) per channel \(perChannel) symmetric \(symmetric): \(e) > \(step / 2)")
                    }
                    #expect(q.codes.allSatisfy { q.scheme.codeRange.contains(Int($0)) })
                }
            }
        }
    }

    /// Closed forms on a small row: symmetric 4-bit steps of max|w|/7, asymmetric ones of (max − min)/15
    /// with zero point round(−min/step).
    @Test func scalesAndZeroPointsFollowTheirDefinitions() {
        let w = Tensor([-1, 0.5, 2, 3.5] as [Float], shape: [1, 4])
        let symmetric = QuantizedWeight(w, scheme: QuantizationScheme(bits: 4))
        #expect(symmetric.scales == [0.5] && symmetric.zeroPoints == [0])
        #expect(symmetric.codes == [-2, 1, 4, 7])
        let asymmetric = QuantizedWeight(w, scheme: QuantizationScheme(bits: 4, symmetric: false))
        #expect(asymmetric.scales == [0.3] && asymmetric.zeroPoints == [3])
        #expect(asymmetric.codes == [0, 5, 10, 15])
    }

    /// One scale per row wins where rows differ in scale: the small row keeps its detail.
    @Test func perChannelScalesBeatOneScaleOnRowsOfDifferentSize() {
        let weight = Tensor.normal([2, 64], generator: RandomGenerator(seed: 2)) * Tensor([0.01, 10] as [Float]).reshaped([2, 1])
        func smallRowError(perChannel: Bool) -> Float {
            let q = QuantizedWeight(weight, scheme: QuantizationScheme(bits: 8, perChannel: perChannel))
            return (q.dequantized() - weight)[0..<1].abs().max().item
        }
        #expect(smallRowError(perChannel: true) < smallRowError(perChannel: false) / 100)
    }

    /// With a few input channels carrying outliers, AWQ's scaled rounding gives a lower output error on
    /// the calibration inputs than round to nearest, at 4 bits; its α = 0 candidate is round to nearest.
    @Test func awqBeatsRoundToNearestWhenInputChannelsCarryOutliers() {
        let channelScales = Tensor((0..<32).map { [3, 11, 20].contains($0) ? Float(25) : 1 })
        let inputs = Tensor.normal([256, 32], generator: RandomGenerator(seed: 3)) * channelScales
        let weight = Tensor.normal([16, 32], generator: RandomGenerator(seed: 4))
        let scheme = QuantizationScheme(bits: 4)
        let awq = ActivationAwareQuantization(weight: weight, inputs: inputs, scheme: scheme)
        let rounded = QuantizedWeight(weight, scheme: scheme).dequantized()
        let difference = linear(inputs, weight: weight) - linear(inputs, weight: rounded)
        expectClose(awq.roundToNearestError, Double((difference * difference).mean().item), relative: 1e-5)
        #expect(awq.alpha > 0)
        #expect(awq.outputError < 0.8 * awq.roundToNearestError)
    }

    /// NUPES's power exponent: the half-step bound holds in the power domain, and exponent 1 is the plain grid.
    @Test func powerQuantizationRoundTripsInThePowerDomain() {
        let weight = Tensor.normal([3, 40], generator: RandomGenerator(seed: 5))
        let q = QuantizedWeight(weight, scheme: QuantizationScheme(bits: 4, power: 0.5))
        func toPower(_ t: Tensor) -> [Float] { t.scalars.map { $0 < 0 ? -(-$0).squareRoot() : $0.squareRoot() } }
        for (i, (a, b)) in zip(toPower(q.dequantized()), toPower(weight)).enumerated() {
            let halfStep: Float = q.scales[i / 40] / 2
            #expect(abs(a - b) <= halfStep * 1.0001 + 1e-6)
        }
        let plain = QuantizedWeight(weight, scheme: QuantizationScheme(bits: 4))
        #expect(QuantizedWeight(weight, scheme: QuantizationScheme(bits: 4, power: 1)).codes == plain.codes)
    }

    /// The int8 kernel computes x·Ŵᵀ + b with Ŵ the per-channel symmetric reconstruction, for output
    /// widths inside and past its 32-wide SIMD blocks, with and without bias.
    @Test func int8LinearEqualsTheDequantizedLayer() {
        for (outputs, bias) in [(70, true), (5, false)] {
            let layer = Linear(24, outputs, bias: bias, generator: RandomGenerator(seed: 6))
            let int8 = Int8Linear(layer)
            let x = Tensor.normal([1, 24], generator: RandomGenerator(seed: 7))
            let expected = linear(x, weight: int8.quantized.dequantized(), bias: layer.bias?.value)
            expectClose(int8(x).scalars, expected.scalars, relative: 1e-5, absolute: 1e-5)
        }
    }
}
