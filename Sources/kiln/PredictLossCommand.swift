import ArgumentParser
import Foundation
import KilnLab
import KilnOptimizers
import KilnTrain

/// `kiln predict-loss`: fit the annealing scaling law to logged runs, predict another schedule's curve.
struct PredictLossCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict-loss",
        abstract: "Predict a loss curve from its learning-rate schedule.",
        discussion: """
        Fits L(s) = L0 + A·S1^(−α) − C·S2 (Tissue et al., "Scaling Law with Learning Rate Annealing") \
        to one or two metrics logs (JSON Lines with step, lr and loss), then predicts the loss at every \
        step of --schedule.
        """)

    @Option(name: .customLong("fit"), help: "A run's metrics log (JSON Lines); give one or two.")
    var runs: [String] = []

    @Option(help: "The schedule to predict, as a spec (see `kiln schedule plot --help`).")
    var schedule: String

    @Option(help: "Steps to predict.")
    var steps: Int

    @Option(help: "Warm-up steps (counted at the post-warm-up rate, as in the paper).")
    var warmup: Int = 0

    @Option(help: "λ, the decay factor of the annealing momentum (the paper's 0.999 suits runs of tens of thousands of steps; shorter runs anneal with less delay).")
    var decay: Double = 0.999

    @Option(help: "A metrics log of the predicted schedule's real run: prints how far the prediction is from it.")
    var compare: String?

    @Option(help: "CSV file for the predicted curve (step,lr,loss).")
    var csv: String = "predicted-loss.csv"

    @Option(help: "SVG file for the predicted curve beside the fitted runs.")
    var svg: String?

    func validate() throws {
        guard !runs.isEmpty else { throw CommandError("give at least one --fit RUN.jsonl") }
        guard (1...RunLog.maximumStep).contains(steps) else {
            throw CommandError("--steps must be from 1 to \(RunLog.maximumStep), got \(steps)")
        }
        guard (0..<steps).contains(warmup) else { throw CommandError("--warmup must be from 0 to \(steps - 1) (below --steps), got \(warmup)") }
        guard decay > 0 && decay < 1 else { throw CommandError("--decay must be in (0, 1), got \(decay)") }
    }

    func run() throws {
        let logs = try runs.map { path throws(RunLogError) in try RunLog(contentsOf: path) }
        let fit = try LossCurveLaw.fit(to: logs.map { LossCurveSeries(log: $0, warmupSteps: warmup) },
                                       options: LossCurveFitOptions(decay: decay))
        let target = try ScheduleSpec.parse(schedule)
        let rates = target.values(count: steps)
        let predicted = fit.law.predict(learningRates: rates, warmupSteps: warmup)
        try writeText(CSVText.columns(["step": (0..<steps).map(Double.init), "lr": rates, "loss": predicted],
                                      order: ["step", "lr", "loss"]), to: csv)
        if let svg {
            var series = zip(runs, logs).map { path, log in
                SVGPlot.Series("fitted: \((path as NSString).lastPathComponent)", log.lossObservations.map { (Double($0.step), $0.loss) })
            }
            // The prediction is +∞ until the forward area is positive; the plot shows the finite part.
            series.append(SVGPlot.Series("predicted: \(schedule)",
                                         predicted.enumerated().filter { $0.element.isFinite }.map { (Double($0.offset), $0.element) }))
            try writeText(SVGPlot.lineChart(series, title: "Loss curve prediction", xLabel: "step", yLabel: "loss", logY: true), to: svg)
        }
        let law = fit.law
        print(String(format: "fitted L0 %.4f  A %.4f  alpha %.4f  C %.4f  (rms log error %.4f over %d points)",
                     law.irreducibleLoss, law.amplitude, law.exponent, law.annealingCoefficient, fit.rmsLogError, fit.pointCount))
        print(String(format: "predicted final loss %.4f at step %d; curve in %@", predicted[steps - 1], steps - 1, csv))
        if let compare { try printComparison(with: RunLog(contentsOf: compare), predicted: predicted) }
    }

    /// The prediction beside a real run of the same schedule (see ``LossCurveComparison``).
    private func printComparison(with run: RunLog, predicted: [Double]) throws {
        guard let c = LossCurveComparison(predicted: predicted, observations: run.lossObservations, warmupSteps: warmup) else {
            throw CommandError("\(compare ?? ""): no logged loss within the \(steps) predicted steps")
        }
        print(String(format: "real run: final loss %.4f (steps %d-%d), predicted %.4f, error %+.2f%%; mean |error| over %d records %.2f%%",
                     c.finalLoss, c.finalSteps.lowerBound, c.finalSteps.upperBound, c.predictedFinalLoss,
                     100 * c.finalRelativeError, c.observed.count, 100 * c.meanRelativeError))
    }
}
