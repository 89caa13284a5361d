import Foundation
import KilnLab
import KilnOptimizers
import KilnTestSupport
import Testing

/// The law written out step by step, independently of `AnnealingAreas`: S1 and S2 summed in a loop.
private func formula(_ rates: [Double], l0: Double, a: Double, alpha: Double, c: Double, lambda: Double = 0.999) -> [Double] {
    var s1 = 0.0, s2 = 0.0, m = 0.0
    var losses: [Double] = []
    for i in rates.indices {
        if i > 0 { m = lambda * m + rates[i - 1] - rates[i] }
        s1 += rates[i]
        s2 += m
        losses.append(l0 + a * pow(s1, -alpha) - c * s2)
    }
    return losses
}

/// Deterministic multiplicative noise in [1 − amplitude, 1 + amplitude).
private func noisy(_ values: [Double], amplitude: Double, seed: UInt64) -> [Double] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return values.map { value in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return value * (1 + amplitude * (Double(state >> 11) / Double(1 << 52) - 1))
    }
}

private let truth = (l0: 2.4, a: 0.6, alpha: 0.45, c: 0.35)
private let steps = 8_000
private let cosine = CosineAnnealing(peak: 2e-3, floor: 2e-4, steps: steps)
private let wsd = WarmupStableDecay(peak: 2e-3, floor: 2e-5, steps: steps, decayFraction: 0.25, shape: .linear)

/// A synthetic run following `schedule`, observed every `every` steps with small noise.
private func syntheticRun(_ schedule: some Schedule, every: Int = 10, noise: Double = 5e-4, seed: UInt64) -> LossCurveSeries {
    let rates = schedule.values(count: steps)
    let losses = noisy(formula(rates, l0: truth.l0, a: truth.a, alpha: truth.alpha, c: truth.c), amplitude: noise, seed: seed)
    let observations = stride(from: 0, to: steps, by: every).map { LossObservation(step: $0, loss: losses[$0]) }
    return LossCurveSeries(learningRates: rates, observations: observations)
}

private func expectRecovered(_ fit: LossCurveFit, tolerance: Double = 0.01, sourceLocation: SourceLocation = #_sourceLocation) {
    let law = fit.law
    for (name, got, want) in [("L0", law.irreducibleLoss, truth.l0), ("A", law.amplitude, truth.a),
                              ("alpha", law.exponent, truth.alpha), ("C", law.annealingCoefficient, truth.c)] {
        #expect(abs(got - want) <= tolerance * abs(want), "\(name): fitted \(got), true \(want)", sourceLocation: sourceLocation)
    }
}

@Suite struct LossCurveTests {
    @Test func areasHandComputed() {
        // m = [0, 0, 0.5, 0.25, 0.625] with λ = 0.5.
        let areas = AnnealingAreas(learningRates: [1, 1, 0.5, 0.5, 0], decay: 0.5)
        #expect(areas.forward == [1, 2, 2.5, 3, 3])
        #expect(areas.annealing == [0, 0, 0.5, 0.75, 1.375])
        let warm = AnnealingAreas(learningRates: [0, 0.5, 1, 1], decay: 0.5, warmupSteps: 2)
        #expect(warm.forward == [1, 2, 3, 4])
        #expect(warm.annealing == [0, 0, 0, 0])
    }

    @Test func predictionMatchesTheFormula() {
        let law = LossCurveLaw(irreducibleLoss: truth.l0, amplitude: truth.a, exponent: truth.alpha, annealingCoefficient: truth.c)
        let schedule = WarmupStableDecay(peak: 1e-3, steps: 3_000, warmup: 100, decayFraction: 0.3, shape: .sqrt)
        let expected = formula(schedule.values(count: 3_000), l0: truth.l0, a: truth.a, alpha: truth.alpha, c: truth.c)
        let predicted = law.predict(schedule, steps: 3_000)
        #expect(predicted[0] == .infinity)
        for step in 1..<3_000 {
            expectClose(predicted[step], expected[step], relative: 1e-12, "step \(step)")
        }
    }

    @Test func fitRecoversParametersFromCosine() throws {
        let fit = try LossCurveLaw.fit(to: [syntheticRun(cosine, seed: 1)])
        expectRecovered(fit)
        #expect(fit.pointCount == steps / 10)
        #expect(fit.rmsLogError < 5e-4)
        #expect(fit.iterations > 0)
    }

    @Test func fitRecoversParametersFromWSD() throws {
        expectRecovered(try LossCurveLaw.fit(to: [syntheticRun(wsd, seed: 2)]))
    }

    @Test func fitRecoversParametersFromTwoRunsOnLogSpacedPoints() throws {
        let options = LossCurveFitOptions(points: .logSpaced(150))
        let fit = try LossCurveLaw.fit(to: [syntheticRun(cosine, every: 1, seed: 3), syntheticRun(wsd, every: 1, seed: 4)], options: options)
        expectRecovered(fit)
        #expect(fit.pointCount <= 300)
    }

    @Test func huberFitIgnoresOutliers() throws {
        let run = syntheticRun(cosine, seed: 5)
        var observations = run.observations
        for index in stride(from: 37, to: observations.count, by: 97) {
            observations[index] = LossObservation(step: observations[index].step, loss: observations[index].loss * 1.3)
        }
        let spiky = LossCurveSeries(learningRates: run.learningRates, observations: observations)
        expectRecovered(try LossCurveLaw.fit(to: [spiky], options: LossCurveFitOptions(huberDelta: 1e-3)))
    }

    @Test func fitOnCosinePredictsAnotherSchedule() throws {
        let fit = try LossCurveLaw.fit(to: [syntheticRun(cosine, seed: 6)])
        let other = WarmupStableDecay(peak: 1.5e-3, floor: 0, steps: steps, decayFraction: 0.1, shape: .sqrt)
        let expected = formula(other.values(count: steps), l0: truth.l0, a: truth.a, alpha: truth.alpha, c: truth.c)
        let predicted = fit.law.predict(other, steps: steps)
        for step in stride(from: 1, to: steps, by: 7) {
            expectClose(predicted[step], expected[step], relative: 2e-3, "step \(step)")
        }
    }

    @Test func fitFromARunLog() throws {
        let rates = cosine.values(count: steps)
        let losses = formula(rates, l0: truth.l0, a: truth.a, alpha: truth.alpha, c: truth.c)
        let lines = stride(from: 0, to: steps, by: 20).map { step in
            #"{"step": \#(step), "lr": \#(rates[step]), "loss": \#(losses[step])}"#
        }
        let log = try RunLog(jsonLines: lines.joined(separator: "\n"), file: "cosine.jsonl")
        expectRecovered(try LossCurveLaw.fit(to: [LossCurveSeries(log: log)]), tolerance: 2e-3)
    }

    @Test func tooFewOrBadPointsAreErrors() {
        let rates = [Double](repeating: 1e-3, count: 10)
        let three = LossCurveSeries(learningRates: rates, observations: (1...3).map { LossObservation(step: $0, loss: 3) })
        #expect(throws: LossCurveFitError.self) { try LossCurveLaw.fit(to: [three]) }
        let negative = LossCurveSeries(learningRates: rates, observations: (1...6).map { LossObservation(step: $0, loss: $0 == 4 ? -1 : 3) })
        #expect(throws: LossCurveFitError(message: "loss -1.0 at step 4 is not positive and finite")) {
            try LossCurveLaw.fit(to: [negative])
        }
    }
}
