import KilnMetrics
import Testing

@Suite struct FlipRateTests {
    @Test func matchesReferenceInBothForms() {
        let old = MetricFixtures["flip_old"], new = MetricFixtures["flip_new"], labels = MetricFixtures["flip_labels"]
        let expected = MetricFixtures.value("flip_rate")
        var paired = NegativeFlipRate()
        for start in stride(from: 0, to: 500, by: 128) {
            let r = start..<min(start + 128, 500)
            paired.update(old: old.slice(axis: 0, r), new: new.slice(axis: 0, r), targets: labels.slice(axis: 0, r))
        }
        expectNear(paired.compute(), expected, 1e-7)

        // The old model's classes over the whole set, recorded once, then the new outputs streamed.
        let scores = old.scalars
        let oldClasses = Tensor((0..<500).map { i in (0..<4).max { scores[i * 4 + $0] < scores[i * 4 + $1] }! })
        let rate = NegativeFlipRate(reference: oldClasses)
        expectNear(streamed(rate, new, labels), expected, 1e-7)
    }

    @Test func sameModelNeverFlipsAndFixesAreNotFlips() {
        var rate = NegativeFlipRate()
        let labels = Tensor([0, 1, 2, 0])
        rate.update(old: labels, new: labels, targets: labels)
        #expect(rate.compute() == 0)
        // Sample 0 flips right → wrong; sample 1 wrong → right is not counted; sample 2 stays wrong.
        rate.reset()
        rate.update(old: Tensor([0, 0, 1, 0]), new: Tensor([1, 1, 1, 0]), targets: labels)
        #expect(rate.negativeFlips == 1 && rate.compute() == 0.25)
    }
}
