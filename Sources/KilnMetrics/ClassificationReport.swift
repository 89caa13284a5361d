import Foundation

/// Precision, recall, F1 and support for every class, with their averages: the numbers of
/// scikit-learn's `classification_report`, for logs and reports.
public struct ClassificationReport: CustomStringConvertible {
    /// The scores of one class, or one averaged row.
    public struct Row: Sendable {
        public let name: String
        public let precision: Double
        public let recall: Double
        public let f1: Double
        /// Samples of this class among the labels (all samples for an averaged row).
        public let support: Int
    }

    /// One row per class, in class order.
    public let classes: [Row]
    /// The fraction of samples predicted correctly.
    public let accuracy: Double
    /// The unweighted mean over the classes that occur.
    public let macroAverage: Row
    /// The mean over classes weighted by support.
    public let weightedAverage: Row

    /// The report of `matrix`, naming classes by `classNames` (their indices when empty).
    public init(_ matrix: ConfusionMatrix, classNames: [String] = []) {
        precondition(classNames.isEmpty || classNames.count == matrix.classes,
                     "ClassificationReport: \(classNames.count) class names for \(matrix.classes) classes")
        let names = classNames.isEmpty ? (0..<matrix.classes).map(String.init) : classNames
        let p = matrix.precisionPerClass, r = matrix.recallPerClass, f = matrix.f1PerClass, s = matrix.support
        classes = names.indices.map { Row(name: names[$0], precision: p[$0], recall: r[$0], f1: f[$0], support: s[$0]) }
        accuracy = matrix.accuracy
        let n = matrix.total
        func averageRow(_ name: String, _ average: Averaging) -> Row {
            Row(name: name, precision: matrix.precision(average: average), recall: matrix.recall(average: average),
                f1: matrix.f1(average: average), support: n)
        }
        macroAverage = averageRow("macro avg", .macro)
        weightedAverage = averageRow("weighted avg", .weighted)
    }

    /// A fixed-width table in the layout of scikit-learn's report.
    public var description: String {
        let width = max(12, (classes.map(\.name.count).max() ?? 0))
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        func line(_ row: Row) -> String {
            pad(row.name, width) + [row.precision, row.recall, row.f1].map { pad(String(format: "%.4f", $0), 11) }.joined()
                + pad("\(row.support)", 10)
        }
        var lines = [pad("", width) + ["precision", "recall", "f1-score"].map { pad($0, 11) }.joined() + pad("support", 10), ""]
        lines += classes.map(line)
        lines.append("")
        lines.append(pad("accuracy", width) + pad("", 22) + pad(String(format: "%.4f", accuracy), 11) + pad("\(macroAverage.support)", 10))
        lines += [line(macroAverage), line(weightedAverage)]
        return lines.joined(separator: "\n")
    }
}
