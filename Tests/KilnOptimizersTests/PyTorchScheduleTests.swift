import KilnOptimizers
import Testing

@Suite struct PyTorchScheduleTests {
    @Test(arguments: ScheduleFixtures.cases().map(\.spec))
    func matchesPyTorch(spec: String) throws {
        let reference = try #require(ScheduleFixtures.cases().first { $0.spec == spec })
        let schedule = try ScheduleSpec.parse(spec)
        for (step, expected) in reference.values.enumerated() {
            let actual = schedule.value(at: step)
            let ok = abs(actual - expected) <= max(1e-6 * abs(expected), 1e-15)
            #expect(ok, "\(spec) step \(step): \(actual) vs PyTorch \(expected)")
            if !ok { return }
        }
    }

    @Test func setsAnOptimizerWithoutConversion() throws {
        let schedule = try ScheduleSpec.parse("cosine:peak=0.1,steps=300,floor=1e-3")
        let optimizer = AdamW()
        for step in [0, 17, 150, 299, 300] {
            optimizer.learningRate = schedule(step)
            #expect(optimizer.learningRate == schedule.value(at: step))
        }
    }
}
