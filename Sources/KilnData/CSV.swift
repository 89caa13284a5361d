import Foundation
import Kiln

/// A CSV file with a header row, read as numeric features and one label column.
///
/// Every column but the label must hold finite Float32 numbers: `nan`, `inf` and values that
/// overflow Float32 are errors (missing values are not supported). Labels are either all class
/// numbers (whole numbers from 0 below ``maximumClassCount``) or all category names, mapped to
/// indices in sorted order. Column names must be distinct; a UTF-8 byte-order mark, CRLF line
/// ends, quoted fields (which may span lines) and empty lines are accepted.
public struct CSVTable {
    /// Feature columns, `[rows, features]`.
    public let features: Tensor
    /// Label per row: an `int64` class index.
    public let labels: Tensor
    /// The feature column names, in order.
    public let featureNames: [String]
    /// The category names whose indices the labels hold (empty when labels were integers).
    public let classNames: [String]

    /// The most classes a label column may define.
    public static let maximumClassCount = 100_000

    /// Reads `path`, taking `labelColumn` (a header name) as the label.
    public init(path: String, labelColumn: String) throws(DataError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        try self.init(data: data, labelColumn: labelColumn, path: path)
    }

    /// Parses a CSV file image (UTF-8); `path` names it in errors.
    public init(data: Data, labelColumn: String, path: String) throws(DataError) {
        try self.init(text: UTF8Text.decode(data, path: path), labelColumn: labelColumn, path: path)
    }

    /// Parses CSV text; `path` names it in errors.
    public init(text: String, labelColumn: String, path: String) throws(DataError) {
        func fail(_ reason: String) -> DataError { DataError(path: path, reason: reason) }
        var header: [String] = []
        var labelIndex = 0
        var values: [Float] = []
        var rawLabels: [(text: String, line: Int)] = []
        try Self.records(text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text,
                         path: path) { (row, line) throws(DataError) in
            guard !header.isEmpty else {
                header = row
                labelIndex = try Self.labelIndex(header, labelColumn: labelColumn, path: path)
                return
            }
            guard row.count == header.count else { throw fail("\(row.count) fields at line \(line), header has \(header.count)") }
            for (c, field) in row.enumerated() {
                if c == labelIndex {
                    rawLabels.append((field.trimmingCharacters(in: .whitespaces), line))
                } else {
                    values.append(try Self.feature(field, at: "line \(line) column \(c + 1) ('\(header[c].snippet())')", path: path))
                }
            }
        }
        guard !header.isEmpty else { throw fail("empty file, no header row") }
        guard !rawLabels.isEmpty else { throw fail("no data rows after the header") }
        featureNames = header.enumerated().filter { $0.offset != labelIndex }.map(\.element)
        features = Tensor(values, shape: [rawLabels.count, featureNames.count])
        (labels, classNames) = try Self.labels(rawLabels, column: "column \(labelIndex + 1) ('\(labelColumn.snippet())')", path: path)
    }

    /// The label column's index, once the header's names are checked to be distinct and to
    /// leave at least one feature column.
    static func labelIndex(_ header: [String], labelColumn: String, path: String) throws(DataError) -> Int {
        var firstColumn: [String: Int] = [:]
        for (c, name) in header.enumerated() {
            if let earlier = firstColumn[name] {
                throw DataError(path: path, reason: "column name '\(name.snippet())' appears twice at line 1 (columns \(earlier + 1) and \(c + 1))")
            }
            firstColumn[name] = c
        }
        guard let index = firstColumn[labelColumn] else {
            throw DataError(path: path, reason: "no column '\(labelColumn.snippet())'; columns are \(header.map { $0.snippet() }.joined(separator: ", "))")
        }
        guard header.count > 1 else { throw DataError(path: path, reason: "no feature columns besides the label '\(labelColumn.snippet())'") }
        return index
    }

    /// A feature value: a finite Float32.
    private static func feature(_ field: String, at place: @autoclosure () -> String, path: String) throws(DataError) -> Float {
        let text = field.trimmingCharacters(in: .whitespaces)
        guard let value = Float(wholeText: text) else { throw DataError(path: path, reason: "'\(field.snippet())' is not a number at \(place())") }
        guard value.isFinite else {
            let literal = value.isNaN || text.lowercased().contains("inf")
            throw DataError(path: path, reason: literal
                ? "'\(text.snippet())' is not a finite number at \(place()) (missing values are not supported)"
                : "'\(text.snippet())' overflows Float32 at \(place())")
        }
        return value
    }

    /// Class indices for `raw` labels: all class numbers, or all names (indices in sorted order).
    private static func labels(_ raw: [(text: String, line: Int)], column: String, path: String) throws(DataError) -> (Tensor, [String]) {
        func fail(_ reason: String, _ label: (text: String, line: Int)) -> DataError {
            DataError(path: path, reason: "\(reason) at line \(label.line) \(column)")
        }
        if let empty = raw.first(where: \.text.isEmpty) { throw fail("empty label", empty) }
        let numeric = Double(wholeText: raw[0].text) != nil
        if let other = raw.first(where: { (Double(wholeText: $0.text) != nil) != numeric }) {
            throw fail("label '\(other.text.snippet())' is a \(numeric ? "name" : "number") while line \(raw[0].line) holds "
                       + "\(numeric ? "the number" : "the name") '\(raw[0].text.snippet())'; labels must be all class numbers or all names", other)
        }
        guard numeric else {
            let names = Array(Set(raw.map(\.text))).sorted()
            guard names.count <= maximumClassCount else {
                throw DataError(path: path, reason: "\(names.count) distinct labels in \(column), more than \(maximumClassCount) classes")
            }
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            return (Tensor(raw.map { index[$0.text] ?? 0 }), names)
        }
        var classes: [Int] = []
        classes.reserveCapacity(raw.count)
        for label in raw {
            guard let value = Double(wholeText: label.text), value.rounded() == value, value >= 0, value < Double(maximumClassCount) else {
                throw fail("label '\(label.text.snippet())' is not a class number (a whole number from 0 to \(maximumClassCount - 1))", label)
            }
            classes.append(Int(value))
        }
        return (Tensor(classes), [])
    }

    /// Calls `body` with the fields of each record of `text` and the line it starts on.
    ///
    /// Commas separate fields; a field that starts with a double quote runs to the next lone
    /// quote (`""` inside is a quote, and commas and line ends are kept); LF or CRLF ends a
    /// record; empty lines are skipped.
    static func records(_ text: String, path: String,
                        _ body: (_ fields: [String], _ line: Int) throws(DataError) -> Void) throws(DataError) {
        enum State { case fieldStart, unquoted, quoted, closedQuote }
        var fields: [String] = []
        var current = ""
        var state = State.fieldStart
        var line = 1, recordLine = 1, quoteLine = 1
        func endRecord() throws(DataError) {
            fields.append(current)
            if fields != [""] { try body(fields, recordLine) }
            fields = []
            current = ""
            state = .fieldStart
        }
        for scalar in text.unicodeScalars {
            if scalar == "\n" { line += 1 }
            switch (state, scalar) {
            case (.quoted, "\""): state = .closedQuote
            case (.quoted, _): current.unicodeScalars.append(scalar)
            case (.closedQuote, "\""): current.append("\""); state = .quoted
            case (.fieldStart, "\""): state = .quoted; quoteLine = line
            case (_, "\r"): break
            case (_, ","): fields.append(current); current = ""; state = .fieldStart
            case (_, "\n"): try endRecord(); recordLine = line
            case (.closedQuote, _):
                throw DataError(path: path, reason: "unexpected '\(scalar)' after a closing quote at line \(line) column \(fields.count + 1)")
            case (.fieldStart, _), (.unquoted, _): current.unicodeScalars.append(scalar); state = .unquoted
            }
        }
        guard state != .quoted else {
            throw DataError(path: path, reason: "unterminated quoted field from line \(quoteLine) column \(fields.count + 1)")
        }
        try endRecord()
    }
}
