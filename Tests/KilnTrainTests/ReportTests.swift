import Foundation
@testable import KilnTrain
import Testing

@Suite struct ReportTests {
    @Test func tickValuesAreRoundAndSpanTheRange() {
        #expect(AxisTicks.linear(0, 1) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(AxisTicks.linear(3, 97) == [20, 40, 60, 80])
        #expect(AxisTicks.linear(5, 5) == [5])
        // Log axis from 0.3 to 3: ticks at 0.5, 1 and 2.
        #expect(AxisTicks.logarithmic(log10(0.3), log10(3)).map { (pow(10, $0) * 1000).rounded() / 1000 } == [0.5, 1, 2])
    }

    @Test func tickLabelsAreDistinctAndExact() {
        #expect(AxisTicks.labels([0.001, 0.0015, 0.002], resolution: 0.0005) == ["0.001", "0.0015", "0.002"])
        #expect(AxisTicks.labels([0, 0.25, 0.5, 0.75, 1], resolution: 0.25) == ["0", "0.25", "0.5", "0.75", "1"])
        #expect(AxisTicks.labels([2e5, 4e5, 6e5], resolution: 2e5) == ["2e5", "4e5", "6e5"])
        #expect(AxisTicks.labels([1.5e-7, 2e-7]) == ["1.5e-7", "2e-7"])
        #expect(AxisTicks.labels([0.6000000000000001], resolution: 0.2) == ["0.6"])
        #expect(AxisTicks.labels([5, 10], resolution: 5) == ["5", "10"])
        #expect(AxisTicks.labels([2000, 4000, 6000], resolution: 2000) == ["2000", "4000", "6000"])
        #expect(AxisTicks.labels([0.5, 1, 2]) == ["0.5", "1", "2"])
        #expect(AxisTicks.labels([-0.1, 2.7e-17, 0.1], resolution: 0.1) == ["-0.1", "0", "0.1"], "a tick at zero drifted by rounding")
        // Epoch axes: whole numbers only, however short the run.
        #expect(AxisTicks.linear(1, 3, integer: true) == [1, 2, 3])
        #expect(AxisTicks.linear(0, 12, integer: true) == [0, 5, 10])
        #expect(AxisTicks.linear(0, 12) == [0, 2.5, 5, 7.5, 10])
    }

    @Test func legendAvoidsTheDataOrMovesBelowThePlot() {
        let plot = LegendPlacement.Box(x: 0, y: 0, width: 100, height: 100)
        // A line through the top-right corner sends the legend to the top left.
        let rising = LegendPlacement(plot: plot, lines: [[(0, 100), (100, 0)]])
        #expect(rising.corner(width: 30, height: 20) == .init(x: 8, y: 8, width: 30, height: 20))
        // Lines across both diagonals leave no corner free.
        let crossed = LegendPlacement(plot: plot, lines: [[(0, 100), (100, 0)], [(0, 0), (100, 100)]])
        #expect(crossed.corner(width: 30, height: 20) == nil)
        let svg = SVGPlot.lineChart([.init("up", [(0, 0), (1, 1)]), .init("down", [(0, 1), (1, 0)])],
                                    title: "", xLabel: "", yLabel: "", width: 200, height: 100)
        #expect(svg.contains("height=\"136\""), "two legend rows below a 100-pixel chart")
        #expect(LegendPlacement.Box(x: 0, y: 0, width: 10, height: 10).intersects((-5, 5), (15, 5)))
        #expect(!LegendPlacement.Box(x: 0, y: 0, width: 10, height: 10).intersects((-5, 15), (15, 12)))
    }

    @Test func lineChartPlacesPointsInsideThePlot() {
        let svg = SVGPlot.lineChart([.init("a", [(0, 1), (10, 3)])], title: "T <1>", xLabel: "x", yLabel: "y", width: 200, height: 100)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("T &lt;1&gt;"))
        // x from 0 to 10 maps to left 64 … 200 − 16 = 184; y range 1…3 padded by 5%.
        #expect(svg.contains("<polyline class=\"series\" points=\"64.0,"))
        #expect(svg.contains(" 184.0,"))
        #expect(SVGPlot.lineChart([], title: "e", xLabel: "", yLabel: "").contains("no data"))
        // A constant series keeps its value readable on the axis.
        #expect(SVGPlot.lineChart([.init("c", [(0, 0.001), (5, 0.001)])], title: "", xLabel: "", yLabel: "").contains(">0.001<"))
    }

    @Test func extremeValuesDrawWithoutTicksInsteadOfTrapping() {
        #expect(AxisTicks.linear(-1e308, 1e308).isEmpty)
        #expect(AxisTicks.logarithmic(-.infinity, 3).isEmpty)
        let wide = SVGPlot.Series("w", [(0, -1e308), (1, 1e308)])
        #expect(SVGPlot.lineChart([wide], title: "", xLabel: "", yLabel: "").hasSuffix("</svg>"))
        #expect(SVGPlot.lineChart([.init("l", [(0, 1e-300), (1, 1e300)])], title: "", xLabel: "", yLabel: "", logY: true)
            .hasSuffix("</svg>"))
    }

    @Test func reportHoldsSummaryAndFiguresFromTheLog() {
        var report = HTMLReport(title: "run")
        report.summary = [("test accuracy", "0.93")]
        report.addTrainingCurves([
            LogRecord(kind: "step", step: 1, epoch: 1, values: ["loss": 2, "lr": 1e-3]),
            LogRecord(kind: "step", step: 2, epoch: 1, values: ["loss": 1, "lr": 5e-4]),
            LogRecord(kind: "epoch", step: 2, epoch: 1, values: ["test_loss": 1.2, "test_accuracy": 0.8]),
        ])
        let html = report.render()
        #expect(report.figures.map(\.caption) == ["Loss", "Accuracy", "Learning rate"])
        #expect(html.contains("<th>test accuracy</th><td>0.93</td>"))
        #expect(html.components(separatedBy: "<svg").count == 4)
        #expect(html.contains("train loss (per step)<") && !html.contains("label smoothing"))
        #expect(!html.contains("validation loss"))
        var validated = HTMLReport(title: "run")
        validated.addTrainingCurves([
            LogRecord(kind: "step", step: 1, epoch: 1, values: ["loss": 2, "lr": 1e-3]),
            LogRecord(kind: "epoch", step: 1, epoch: 1, values: ["test_loss": 1.2, "val_loss": 1.1, "val_accuracy": 0.7, "test_accuracy": 0.8]),
        ])
        let curves = validated.render()
        #expect(curves.contains("validation loss (per epoch)<") && curves.contains("validation accuracy<") && curves.contains("test accuracy<"))
        var smoothed = HTMLReport(title: "run")
        smoothed.addTrainingCurves([LogRecord(kind: "step", step: 1, epoch: 1, values: ["loss": 2])], labelSmoothing: 0.1)
        #expect(smoothed.render().contains("train loss (per step, label smoothing 0.1)"))
    }

    @Test func logRoundTripsAndRejectsBadLines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-log-\(getpid()).jsonl").path
        let log = try MetricsLog(path: path)
        let record = LogRecord(kind: "step", step: 3, epoch: 1, values: ["loss": 0.5, "lr": 0.001])
        try log.write(record)
        #expect(MetricsLog.encode(record) == #"{"epoch":1,"kind":"step","loss":0.5,"lr":0.001,"step":3}"#)
        #expect(try RunLog(contentsOf: path).records == [record])
        try "{\"step\": 1}\nnot json\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: LogError.self) { try RunLog(contentsOf: path).records }
        #expect(error?.line == 2)
    }

    @Test func progressLineShowsCountsRateAndFigures() {
        let line = ProgressDisplay.line(label: "epoch 1/2", completed: 50, total: 100, elapsed: 10, samples: 6400,
                                        figures: [("loss", 0.25)], width: 10)
        #expect(line == "epoch 1/2 [█████·····] 50/100 0:10<0:10 640 samples/s loss 0.2500")
        #expect(ProgressDisplay.duration(3725) == "1:02:05")
    }
}
