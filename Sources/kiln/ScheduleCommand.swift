import ArgumentParser
import Foundation
import Kiln
import KilnOptimizers
import KilnTrain

/// `kiln schedule plot`: any schedule spec to SVG and CSV.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Work with learning-rate schedules.", subcommands: [Plot.self])

    struct Plot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plot a schedule to SVG and write its values as CSV.",
            discussion: "Spec examples: constant:1e-3, cosine:peak=1e-3,floor=1e-5,steps=4690,warmup=200, wsd:peak=1e-3,steps=10000,decay=0.2")

        @Argument(help: "The schedule spec, family:key=value,...")
        var spec: String

        @Option(help: "Number of steps to evaluate.")
        var steps: Int

        @Option(help: "SVG file to write.")
        var svg: String = "schedule.svg"

        @Option(help: "CSV file to write (step,value); none if omitted.")
        var csv: String?

        func validate() throws {
            guard (1...RunLog.maximumStep).contains(steps) else {
                throw CommandError("--steps must be from 1 to \(RunLog.maximumStep), got \(steps)")
            }
        }

        func run() throws {
            let schedule = try ScheduleSpec.parse(spec)
            let values = schedule.values(count: steps)
            if let step = values.firstIndex(where: { !$0.isFinite }) {
                throw CommandError("\(spec): the value at step \(step) is \(values[step]), not a finite number")
            }
            let series = SVGPlot.Series(spec, values.enumerated().map { (Double($0.offset), $0.element) })
            try writeText(SVGPlot.lineChart([series], title: "Schedule", xLabel: "step", yLabel: "value"), to: svg)
            if let csv { try writeText(CSVText.columns(["step": (0..<steps).map(Double.init), "value": values], order: ["step", "value"]), to: csv) }
            print("wrote \(svg)\(csv.map { " and \($0)" } ?? ""): \(steps) steps, first \(values[0]), last \(values[steps - 1])")
        }
    }
}

/// Writes text atomically (temporary file, then rename).
func writeText(_ text: String, to path: String) throws {
    try AtomicFile.write(Data(text.utf8), to: path)
}

/// CSV text from named numeric columns of equal length.
enum CSVText {
    static func columns(_ columns: [String: [Double]], order: [String]) -> String {
        let rows = columns[order[0]]!.count
        var text = order.joined(separator: ",") + "\n"
        for r in 0..<rows { text += order.map { format(columns[$0]![r]) }.joined(separator: ",") + "\n" }
        return text
    }

    /// Whole numbers without a fraction (step counts), others in full precision.
    static func format(_ v: Double) -> String {
        v.rounded() == v && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
    }
}
