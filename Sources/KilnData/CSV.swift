import Foundation
import Kiln

/// A CSV file with a header row, read as numeric features and one label column.
///
/// Every column but the label must hold numbers. Labels that are all integers stay as they are;
/// any other labels are treated as category names and mapped to indices in sorted order.
public struct CSVTable {
    /// Feature columns, `[rows, features]`.
    public let features: Tensor
    /// Label per row: an `int64` class index.
    public let labels: Tensor
    /// The feature column names, in order.
    public let featureNames: [String]
    /// The category names whose indices the labels hold (empty when labels were integers).
    public let classNames: [String]

    /// Reads `path`, taking `labelColumn` (a header name) as the label.
    public init(path: String, labelColumn: String) throws(DataError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw DataError(path: path, reason: "not UTF-8 text") }
        try self.init(text: text, labelColumn: labelColumn, path: path)
    }

    /// Parses CSV text; `path` names it in errors.
    public init(text: String, labelColumn: String, path: String) throws(DataError) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else { throw DataError(path: path, reason: "empty file, no header row") }
        let header = Self.fields(headerLine)
        guard let labelIndex = header.firstIndex(of: labelColumn) else {
            throw DataError(path: path, reason: "no column '\(labelColumn)'; columns are \(header.joined(separator: ", "))")
        }
        var values: [Float] = []
        var rawLabels: [String] = []
        for (n, line) in lines.dropFirst().enumerated() {
            let row = Self.fields(line)
            let lineNumber = n + 2
            guard row.count == header.count else {
                throw DataError(path: path, reason: "line \(lineNumber): \(row.count) fields, header has \(header.count)")
            }
            for (c, field) in row.enumerated() {
                if c == labelIndex { rawLabels.append(field); continue }
                guard let v = Float(field.trimmingCharacters(in: .whitespaces)) else {
                    throw DataError(path: path, reason: "line \(lineNumber), column '\(header[c])': '\(field)' is not a number")
                }
                values.append(v)
            }
        }
        guard !rawLabels.isEmpty else { throw DataError(path: path, reason: "no data rows after the header") }
        featureNames = header.enumerated().filter { $0.offset != labelIndex }.map(\.element)
        features = Tensor(values, shape: [rawLabels.count, featureNames.count])
        let trimmed = rawLabels.map { $0.trimmingCharacters(in: .whitespaces) }
        if trimmed.allSatisfy({ Int($0) != nil }) {
            classNames = []
            labels = Tensor(trimmed.map { Int($0)! })
        } else {
            classNames = Array(Set(trimmed)).sorted()
            let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
            labels = Tensor(trimmed.map { index[$0]! })
        }
    }

    /// The fields of one line: commas separate, double quotes group, `""` inside quotes is a quote.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var previousWasClosingQuote = false
        for ch in line where ch != "\r" {
            if quoted {
                if ch == "\"" { quoted = false; previousWasClosingQuote = true } else { current.append(ch) }
                continue
            }
            switch ch {
            case "\"":
                if previousWasClosingQuote { current.append("\"") }
                quoted = true
            case ",":
                fields.append(current)
                current = ""
            default:
                current.append(ch)
            }
            previousWasClosingQuote = false
        }
        fields.append(current)
        return fields
    }
}
