import KilnMetrics
import Testing

@Suite struct RegressionTests {
    @Test(arguments: ["reg1", "reg3"])
    func errorsAndR2MatchScikitLearn(_ set: String) {
        let p = MetricFixtures["\(set)_prediction"], t = MetricFixtures["\(set)_target"]
        expectNear(streamed(MeanSquaredError(), p, t), MetricFixtures.value("\(set)_mse"), 1e-6, "mse")
        expectNear(streamed(MeanAbsoluteError(), p, t), MetricFixtures.value("\(set)_mae"), 1e-6, "mae")
        expectNear(streamed(R2Score(), p, t), MetricFixtures.value("\(set)_r2"), 1e-6, "r2")
    }

    @Test(arguments: ["reg1", "reg3", "rankties"])
    func rankCorrelationsMatchSciPy(_ set: String) {
        let p = MetricFixtures["\(set)_prediction"], t = MetricFixtures["\(set)_target"]
        expectNear(streamed(SpearmanCorrelation(), p, t), MetricFixtures.value("\(set)_spearman"), 1e-6, "spearman")
        expectNear(streamed(KendallTau(), p, t), MetricFixtures.value("\(set)_kendall"), 1e-6, "kendall")
    }

    @Test func closedForms() {
        let t = Tensor([1, 2, 3, 4] as [Float], shape: [4, 1])
        var mse = MeanSquaredError(), mae = MeanAbsoluteError(), r2 = R2Score()
        let p = Tensor([2, 2, 3, 2] as [Float])
        mse.update(p, targets: t.reshaped([4]))
        mae.update(p, targets: t.reshaped([4]))
        r2.update(p.reshaped([4, 1]), targets: t)
        #expect(mse.compute() == 5.0 / 4 && mae.compute() == 3.0 / 4)
        // SS_res = 5, SS_tot = 5 → R² = 0.
        #expect(r2.compute() == 0)
        var perfect = R2Score(), constant = R2Score()
        perfect.update(t, targets: t)
        constant.update(Tensor([1, 1, 2] as [Float]), targets: Tensor([1, 1, 1] as [Float]))
        #expect(perfect.compute() == 1 && constant.compute() == 0)
    }

    @Test func monotoneAndReversedOrders() {
        let x = Tensor([0.5, 2, 3, 10, 11] as [Float]), y = Tensor([1, 4, 9, 16, 25] as [Float])
        let reversed = Tensor([5, 4, 3, 2, 1] as [Float])
        var s = SpearmanCorrelation(), k = KendallTau(), sr = SpearmanCorrelation(), kr = KendallTau()
        s.update(x, targets: y); k.update(x, targets: y)
        sr.update(x, targets: reversed); kr.update(x, targets: reversed)
        #expect(s.compute() == 1 && k.compute() == 1 && sr.compute() == -1 && kr.compute() == -1)
        // Kendall tau-b with one tie in x: pairs 6, concordant 5, x-ties 1 → 5 / √(5 · 6).
        var tied = KendallTau()
        tied.update(Tensor([1, 1, 2, 3] as [Float]), targets: Tensor([1, 2, 3, 4] as [Float]))
        expectNear(tied.compute(), 5 / (5.0 * 6).squareRoot(), 1e-12)
        var constant = KendallTau()
        constant.update(Tensor([1, 1, 1] as [Float]), targets: Tensor([1, 2, 3] as [Float]))
        #expect(constant.compute().isNaN)
    }
}
