import Foundation
import KilnOptimizers
import KilnTestSupport
import Testing

@Suite struct ReduceOnPlateauTests {
    @Test(arguments: ScheduleFixtures.plateaus().indices)
    func matchesPyTorch(_ index: Int) throws {
        let reference = ScheduleFixtures.plateaus()[index]
        let s = reference.settings
        var plateau = ReduceOnPlateau(
            initial: 0.1, mode: try #require(ReduceOnPlateau.Mode(rawValue: s.mode)), factor: s.factor,
            patience: s.patience, threshold: s.threshold,
            thresholdMode: try #require(ReduceOnPlateau.ThresholdMode(rawValue: s.threshold_mode)),
            cooldown: s.cooldown, floor: s.min_lr, epsilon: s.eps)
        for (evaluation, (metric, expected)) in zip(reference.metrics, reference.values).enumerated() {
            expectClose(plateau.step(metric: metric), expected, relative: 1e-12, "case \(index) evaluation \(evaluation)")
        }
    }

    @Test func reducesAfterMoreThanPatienceBadEvaluationsThenCoolsDown() {
        var plateau = ReduceOnPlateau(initial: 1, factor: 0.5, patience: 2, cooldown: 1)
        // 1 sets the best; three evaluations without improvement exceed a patience of 2.
        #expect([1, 1, 1].map { plateau.step(metric: $0) } == [1, 1, 1])
        #expect(plateau.step(metric: 1) == 0.5)
        // The cooldown evaluation is not counted; three more bad ones are needed again.
        #expect([1, 1, 1].map { plateau.step(metric: $0) } == [0.5, 0.5, 0.5])
        #expect(plateau.step(metric: 1) == 0.25)
        // An improvement by more than the relative threshold resets the count.
        #expect(plateau.step(metric: 0.5) == 0.25 && plateau.badEvaluations == 0 && plateau.best == 0.5)
    }

    @Test func nanNeverImprovesAndTheFloorHolds() {
        var plateau = ReduceOnPlateau(initial: 1, factor: 0.1, patience: 0, floor: 0.05)
        #expect(plateau.step(metric: .nan) == 0.1)
        #expect(plateau.best == nil)
        #expect(plateau.step(metric: .nan) == 0.05)
        #expect(plateau.step(metric: .nan) == 0.05)
    }

    @Test func stateRoundTripsThroughCodable() throws {
        var plateau = ReduceOnPlateau(initial: 1, mode: .max, factor: 0.5, patience: 1, thresholdMode: .absolute)
        for metric in [0.1, 0.2, 0.15, 0.12] { plateau.step(metric: metric) }
        let data = try JSONEncoder().encode(plateau)
        var restored = try JSONDecoder().decode(ReduceOnPlateau.self, from: data)
        #expect(restored == plateau)
        #expect(restored.step(metric: 0.1) == plateau.step(metric: 0.1))
    }
}
