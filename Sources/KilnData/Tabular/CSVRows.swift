import Foundation
import Kiln

/// A CSV file's header and fields as text, before any column is interpreted: Kiln's one CSV
/// reader, the input of ``TabularEncoding``, which decides what each column means.
///
/// A header row of distinct names, then data rows with as many fields. Commas separate fields;
/// a field that starts with a double quote runs to the next lone quote (`""` inside is a quote,
/// and commas and line breaks are kept). LF or CRLF ends a row, empty lines are skipped, and a
/// UTF-8 byte-order mark is accepted.
public struct CSVRows {
    /// The file, for messages.
    public let path: String
    /// The column names, in order.
    public let header: [String]
    /// The fields of each data row, as many as the header's, whitespace around them removed.
    public let rows: [[String]]
    /// The line each data row starts on, for messages.
    public let lines: [Int]

    /// Reads the CSV file at `path`.
    public init(path: String) throws(DataError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        try self.init(data: data, path: path)
    }

    /// Parses the bytes of a CSV file, which must be UTF-8; `path` names it in errors.
    public init(data: Data, path: String) throws(DataError) {
        try self.init(text: UTF8Text.decode(data, path: path), path: path)
    }

    /// Parses CSV text; `path` names it in errors.
    public init(text: String, path: String) throws(DataError) {
        var header: [String] = [], rows: [[String]] = [], lines: [Int] = []
        var seen: [String: Int] = [:]
        try Self.records(text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text,
                         path: path) { (row, line) throws(DataError) in
            guard !header.isEmpty else {
                for (c, name) in row.enumerated() {
                    if let earlier = seen[name] {
                        throw DataError(path: path, reason: "column name '\(name.snippet())' appears twice at line 1 (columns \(earlier + 1) and \(c + 1))")
                    }
                    seen[name] = c
                }
                header = row
                return
            }
            guard row.count == header.count else {
                throw DataError(path: path, reason: "\(row.count) fields at line \(line), header has \(header.count)")
            }
            rows.append(row.map { $0.trimmingCharacters(in: .whitespaces) })
            lines.append(line)
        }
        guard !header.isEmpty else { throw DataError(path: path, reason: "empty file, no header row") }
        guard !rows.isEmpty else { throw DataError(path: path, reason: "no data rows after the header") }
        self.path = path
        self.header = header
        self.rows = rows
        self.lines = lines
    }

    /// The index of the column called `name`; an absent name is an error listing the columns.
    public func column(_ name: String) throws(DataError) -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw DataError(path: path, reason: "no column '\(name.snippet())'; columns are \(header.map { $0.snippet() }.joined(separator: ", "))")
        }
        return index
    }

    /// Whether `field` stands for a missing value: empty, `NA`, `N/A`, `NaN` or `null` (any case).
    public static func isMissing(_ field: String) -> Bool {
        field.isEmpty || ["na", "n/a", "nan", "null"].contains(field.lowercased())
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
