import Foundation
import KilnOptimizers
import KilnTestSupport
import Testing

@Suite struct SchedulePropertyTests {
    @Test func cosinePowerWithBaseOneIsCosine() {
        let cosine = CosineAnnealing(peak: 0.1, floor: 1e-3, steps: 500)
        let exact = CosinePowerAnnealing(peak: 0.1, floor: 1e-3, steps: 500, base: 1)
        let above = CosinePowerAnnealing(peak: 0.1, floor: 1e-3, steps: 500, base: 1 + 1e-9)
        let below = CosinePowerAnnealing(peak: 0.1, floor: 1e-3, steps: 500, base: 1 - 1e-9)
        for step in 0...510 {
            let expected = cosine.value(at: step)
            #expect(exact.value(at: step) == expected, "base 1, step \(step)")
            expectClose(above.value(at: step), expected, relative: 1e-8, "base 1 + 1e-9, step \(step)")
            expectClose(below.value(at: step), expected, relative: 1e-8, "base 1 - 1e-9, step \(step)")
        }
    }

    @Test func cosinePowerClosedForm() {
        // At the midpoint the cosine factor is 1/2, so the fraction is (√10 − 1) / 9.
        let schedule = CosinePowerAnnealing(peak: 1, floor: 0.01, steps: 100, base: 10)
        expectClose(schedule.value(at: 0), 1, relative: 1e-15, "start")
        expectClose(schedule.value(at: 50), 0.01 + 0.99 * (10.0.squareRoot() - 1) / 9, relative: 1e-14, "midpoint")
        expectClose(schedule.value(at: 100), 0.01, relative: 1e-15, "end")
        #expect(schedule.value(at: 50) < CosineAnnealing(peak: 1, floor: 0.01, steps: 100).value(at: 50))
    }

    @Test func linearDecayEndsAtExactlyZero() {
        let schedule = LinearDecay(peak: 3e-4, steps: 1000)
        #expect(schedule.value(at: 0) == 3e-4)
        #expect(schedule.value(at: 1000) == 0)
        #expect(schedule.value(at: 5000) == 0)
        expectClose(schedule.value(at: 999), 3e-7, relative: 1e-15, "last step before the end")
        expectClose(schedule.value(at: 250), 2.25e-4, relative: 1e-15, "a quarter in")
    }

    @Test func refinedFromConstantNormsIsLinearDecay() {
        let norms = [Double](repeating: 2.5, count: 200)
        let refined = RefinedSchedule(peak: 1e-3, gradientNorms: norms)
        let linear = LinearDecay(peak: 1e-3, steps: 199)
        for step in 0...220 {
            expectClose(refined.value(at: step), linear.value(at: step), relative: 1e-13, "step \(step)")
        }
    }

    @Test func refinedMedianFilterRemovesIsolatedSpikes() {
        var norms = [Double](repeating: 1, count: 100)
        norms[10] = 50
        norms[61] = 0.01
        let refined = RefinedSchedule(peak: 0.1, gradientNorms: norms, medianWindow: 5)
        let linear = LinearDecay(peak: 0.1, steps: 99)
        for step in 0..<100 {
            expectClose(refined.value(at: step), linear.value(at: step), relative: 1e-13, "step \(step)")
        }
    }

    @Test func refinedHandComputed() {
        // w = g^-2 = [1, 1/4, 1, 1]; w_t · Σ_{s>t} w_s = [9/4, 1/2, 1, 0]; divided by 9/4.
        let refined = RefinedSchedule(peak: 1, gradientNorms: [1, 2, 1, 1])
        let expected = [1, 2.0 / 9, 4.0 / 9, 0]
        for (step, value) in expected.enumerated() {
            expectClose(refined.value(at: step), value, relative: 1e-15, "step \(step)")
        }
    }

    @Test func warmupStableDecayPhases() {
        let schedule = WarmupStableDecay(peak: 1e-3, floor: 1e-5, steps: 10_000, warmup: 500, decayFraction: 0.2, shape: .linear)
        #expect(schedule.decayStart == 8_000)
        #expect(schedule.value(at: 0) == 0)
        expectClose(schedule.value(at: 250), 5e-4, relative: 1e-15, "mid warm-up")
        for step in 500..<8_000 {
            #expect(schedule.value(at: step) == 1e-3, "stable phase, step \(step)")
        }
        expectClose(schedule.value(at: 9_000), (1e-3 + 1e-5) / 2, relative: 1e-14, "linear decay midpoint")
        #expect(schedule.value(at: 10_000) == 1e-5)
        #expect(schedule.value(at: 12_000) == 1e-5)

        let cosine = WarmupStableDecay(peak: 1, steps: 100, decayFraction: 0.5, shape: .cosine)
        expectClose(cosine.value(at: 75), 0.5, relative: 1e-15, "cosine decay midpoint")
        let sqrt = WarmupStableDecay(peak: 1, steps: 100, decayFraction: 0.4, shape: .sqrt)
        expectClose(sqrt.value(at: 70), 0.5, relative: 1e-15, "1-sqrt decay at a quarter")
        #expect(cosine.value(at: 49) == 1)
    }

    @Test func infiniteScheduleHoldsUntilAnnealed() {
        let schedule = InfiniteSchedule(peak: 1e-3, constant: 2e-4, floor: 2e-6, warmup: 100, cooldown: 400, annealSteps: 1_000)
        #expect(schedule.value(at: 0) == 0)
        #expect(schedule.value(at: 100) == 1e-3)
        expectClose(schedule.value(at: 300), 6e-4, relative: 1e-14, "cool-down midpoint")
        #expect(schedule.value(at: 500) == 2e-4)
        #expect(schedule.value(at: 10_000_000) == 2e-4)

        let annealed = schedule.annealing(from: 50_000)
        #expect(annealed.value(at: 49_999) == 2e-4)
        expectClose(annealed.value(at: 50_500), (2e-4 * 2e-6).squareRoot(), relative: 1e-13, "geometric midpoint of the anneal")
        #expect(annealed.value(at: 51_000) == 2e-6)
        #expect(annealed.value(at: 90_000) == 2e-6)
    }

    @Test func warmRestartsRestartAtGrowingPeriods() {
        let schedule = CosineWarmRestarts(peak: 1, floor: 0, period: 20, periodMultiplier: 2)
        for restart in [0, 20, 60, 140, 300] {
            #expect(schedule.value(at: restart) == 1, "restart at \(restart)")
        }
        expectClose(schedule.value(at: 40), 0.5, relative: 1e-15, "middle of the second cycle")
    }

    @Test func oneCycleCanAnnealMomentumUpsideDown() {
        let momentum = OneCycle(initial: 0.95, peak: 0.85, final: 0.95, steps: 101, pctStart: 0.5)
        #expect(momentum.value(at: 0) == 0.95)
        expectClose(momentum.value(at: 49), 0.85 + 0.05 * (1 + cos(Double.pi * 49 / 49.5)), relative: 1e-14, "near the turn")
        expectClose(momentum.value(at: 100), 0.95, relative: 1e-15, "end")
        expectClose(momentum.value(at: 500), 0.95, relative: 1e-15, "past the end")
    }

    @Test func composition() {
        let base = ExponentialDecay(initial: 2, gamma: 0.5)
        let warm = base.withWarmup(steps: 4)
        #expect(warm.values(count: 7) == [0, 0.5, 1, 1.5, 2, 1, 0.5])
        let warmFromQuarter = base.withWarmup(steps: 4, startFactor: 0.25)
        #expect(warmFromQuarter.value(at: 0) == 0.5)
        #expect(warmFromQuarter.value(at: 2) == 1.25)

        let chained = ConstantSchedule(3).followed(by: LinearDecay(peak: 1, steps: 2), at: 2)
        #expect(chained.values(count: 6) == [3, 3, 1, 0.5, 0, 0])
        #expect(chained.scaled(by: 2).values(count: 4) == [6, 6, 2, 1])

        let erased = AnySchedule(AnySchedule(chained))
        #expect(erased.values(count: 6) == chained.values(count: 6))
        #expect(!(erased.base is AnySchedule))
    }

    @Test func polynomialAndStepFamilies() {
        #expect(PolynomialDecay(peak: 1, floor: 0.1, steps: 10, power: 2).value(at: 5) == 0.1 + 0.9 * 0.25)
        #expect(StepDecay(initial: 1, stepSize: 3, gamma: 0.5).values(count: 7) == [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
        #expect(MultiStepDecay(initial: 1, milestones: [4, 2, 4], gamma: 0.5).values(count: 6) == [1, 1, 0.5, 0.5, 0.125, 0.125])
    }
}
