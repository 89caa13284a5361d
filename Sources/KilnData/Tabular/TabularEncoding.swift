import Foundation
import Kiln

/// How the columns of a CSV file become a model's inputs and targets, learned from the training
/// rows only and stored with a model so that evaluation and prediction encode new rows the same way.
///
/// Numeric feature columns are standardized with the training rows' mean and standard deviation
/// (population; a constant column keeps scale 1). Text columns are one-hot encoded over the
/// categories of the training rows, or refused (``CategoricalColumns``). Missing values take the
/// training median or are refused (``MissingValues``). Class labels are whole numbers (class ids)
/// or names (ids in sorted order); regression targets are standardized like features.
public struct TabularEncoding: Codable, Equatable, Sendable {
    /// One feature column: numeric (`mean`, `scale`, `median` set) or text (`categories` set).
    public struct Column: Codable, Equatable, Sendable {
        /// The header name.
        public var name: String
        /// The training rows' mean (numeric columns).
        public var mean: Double?
        /// The training rows' population standard deviation, or 1 for a constant column (numeric columns).
        public var scale: Double?
        /// The training rows' median, which a missing value takes (numeric columns).
        public var median: Double?
        /// The training rows' categories, sorted; one input each.
        public var categories: [String]?

        /// The number of model inputs the column becomes.
        public var width: Int { categories?.count ?? 1 }
    }

    /// The feature columns in file order (the label column left out).
    public var columns: [Column]
    /// The header name of the labels or targets.
    public var labelColumn: String
    /// The class names by id; empty for regression.
    public var classNames: [String]
    /// The training targets' mean (regression only).
    public var targetMean: Double?
    /// The training targets' population standard deviation, or 1 when constant (regression only).
    public var targetScale: Double?
    /// What a missing value does when new rows are encoded.
    public var missing: MissingValues

    /// Whether the targets are values (regression) rather than classes.
    public var isRegression: Bool { targetMean != nil }
    /// The number of model inputs per row.
    public var featureCount: Int { columns.reduce(0) { $0 + $1.width } }
    /// The model inputs' names: a numeric column's name, or `column=category` per category.
    public var featureNames: [String] {
        columns.flatMap { c in c.categories.map { $0.map { "\(c.name)=\($0)" } } ?? [c.name] }
    }

    /// The most classes a label column may define.
    public static let maximumClassCount = 100_000

    /// What makes an encoding read from outside (a checkpoint) unusable, on one line; nil when
    /// it is sound: at least one column, each numeric (finite mean and median, positive finite
    /// scale) or text (at least one category), at least two class names for classification and a
    /// finite positive target scale for regression.
    public var problem: String? {
        if columns.isEmpty { return "the tabular encoding has no feature columns" }
        for c in columns {
            if let categories = c.categories {
                if categories.isEmpty || c.mean != nil { return "the tabular encoding's column '\(c.name.snippet())' is malformed" }
            } else if !(c.mean?.isFinite == true && c.median?.isFinite == true && c.scale.map { $0 > 0 && $0.isFinite } == true) {
                return "the tabular encoding's column '\(c.name.snippet())' is malformed"
            }
        }
        if featureCount > 1 << 24 { return "the tabular encoding has \(featureCount) inputs, more than \(1 << 24)" }
        if targetMean != nil || targetScale != nil {
            if !(targetMean?.isFinite == true && targetScale.map { $0 > 0 && $0.isFinite } == true) || !classNames.isEmpty {
                return "the tabular encoding's regression target is malformed"
            }
        } else if classNames.count < 2 || classNames.count > Self.maximumClassCount {
            return "the tabular encoding has \(classNames.count) classes; a classifier needs 2 to \(Self.maximumClassCount)"
        }
        return nil
    }

    // MARK: Learning

    /// The class names of `table`'s label column (every row): `0…largest` when all labels are
    /// whole numbers from 0, otherwise the distinct labels sorted. Numbers that are not all whole
    /// are an error pointing to regression.
    public static func classNames(_ table: CSVRows, labelColumn: String) throws(DataError) -> [String] {
        let c = try table.column(labelColumn)
        var numbers: [Double] = [], texts = Set<String>()
        for (r, row) in table.rows.enumerated() {
            let text = row[c]
            if CSVRows.isMissing(text) { throw table.failure("missing label '\(text)'", row: r, column: labelColumn) }
            if let v = Double(wholeText: text), v.isFinite { numbers.append(v) }
            texts.insert(text)
        }
        if numbers.count == table.rows.count {
            if let r = numbers.firstIndex(where: { $0.rounded() != $0 || $0 < 0 || $0 >= Double(maximumClassCount) }) {
                throw table.failure("label '\(table.rows[r][c].snippet())' is not a class number (a whole number from 0 to "
                                    + "\(maximumClassCount - 1)); for numeric targets set task: regression", row: r, column: labelColumn)
            }
            return (0...Int(numbers.max()!)).map(String.init)
        }
        guard texts.count <= maximumClassCount else {
            throw DataError(path: table.path, reason: "\(texts.count) distinct labels in column '\(labelColumn.snippet())', more than \(maximumClassCount) classes")
        }
        return texts.sorted()
    }

    /// The class id of a label: its name's index, where a whole number also matches its plain spelling (`1.0` is `1`).
    static func classIndex(_ text: String, in index: [String: Int]) -> Int? {
        if let i = index[text] { return i }
        if let v = Double(wholeText: text), v.rounded() == v, abs(v) < 1e15 { return index[String(Int(v))] }
        return nil
    }

    /// The class ids of every row of `table` among `classNames`.
    public static func classIds(_ table: CSVRows, labelColumn: String, classNames: [String]) throws(DataError) -> [Int] {
        try TabularEncoding(columns: [], labelColumn: labelColumn, classNames: classNames, missing: .error)
            .targets(table).integers
    }

    /// The encoding learned from `table`'s `trainingRows`: column kinds from every row, statistics
    /// and categories from the training rows; targets are classes (`classNames`) or, when
    /// `regression`, values.
    public static func fit(_ table: CSVRows, trainingRows: [Int], labelColumn: String, regression: Bool, classNames: [String] = [],
                           categorical: CategoricalColumns = .onehot, missing: MissingValues = .median) throws(DataError) -> TabularEncoding {
        let label = try table.column(labelColumn)
        guard table.header.count > 1 else {
            throw DataError(path: table.path, reason: "no feature columns besides the label '\(labelColumn.snippet())'")
        }
        var columns: [Column] = []
        for (c, name) in table.header.enumerated() where c != label {
            var firstText: Int?
            for (r, row) in table.rows.enumerated() where !CSVRows.isMissing(row[c]) {
                if let v = Double(wholeText: row[c]) {
                    if !v.isFinite { throw table.failure("'\(row[c].snippet())' is not a finite number", row: r, column: name) }
                } else if firstText == nil {
                    firstText = r
                }
            }
            let present = trainingRows.filter { !CSVRows.isMissing(table.rows[$0][c]) }
            if let r = firstText {
                if categorical == .error {
                    throw table.failure("'\(table.rows[r][c].snippet())' is text; set data.categorical: onehot to encode the column",
                                        row: r, column: name)
                }
                columns.append(Column(name: name, categories: Set(present.map { table.rows[$0][c] }).sorted()))
            } else {
                guard !present.isEmpty else {
                    throw DataError(path: table.path, reason: "column '\(name.snippet())' has no values in the training rows")
                }
                let values = present.map { Double(wholeText: table.rows[$0][c])! }
                let (mean, scale) = moments(values)
                columns.append(Column(name: name, mean: mean, scale: scale, median: median(values)))
            }
        }
        var encoding = TabularEncoding(columns: columns, labelColumn: labelColumn, classNames: regression ? [] : classNames, missing: missing)
        if regression {
            var values: [Double] = []
            for r in trainingRows {
                guard let v = Double(wholeText: table.rows[r][label]), v.isFinite else {
                    throw table.failure("target '\(table.rows[r][label].snippet())' is not a number (task: regression)", row: r, column: labelColumn)
                }
                values.append(v)
            }
            (encoding.targetMean, encoding.targetScale) = moments(values)
        }
        return encoding
    }

    /// The mean and population standard deviation of `values` (1 when they are all equal).
    static func moments(_ values: [Double]) -> (Double, Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        let scale = variance.squareRoot()
        return (mean, scale > 1e-12 * max(abs(mean), 1) ? scale : 1)
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    // MARK: Encoding

    /// The model inputs `[rows, featureCount]` of `rows` of `table` (all by default), whose
    /// header must hold every feature column (the label column may be absent).
    public func features(_ table: CSVRows, rows: [Int]? = nil) throws(DataError) -> Tensor {
        let rows = rows ?? Array(table.rows.indices)
        var places: [Int] = []
        for column in columns {
            guard let c = table.header.firstIndex(of: column.name) else {
                throw DataError(path: table.path, reason: "no column '\(column.name.snippet())', which the model was trained on")
            }
            places.append(c)
        }
        var values = [Float](repeating: 0, count: rows.count * featureCount)
        for (i, r) in rows.enumerated() {
            var offset = i * featureCount
            for (column, c) in zip(columns, places) {
                let field = table.rows[r][c]
                let isMissing = CSVRows.isMissing(field)
                if isMissing && missing == .error {
                    throw table.failure("missing value '\(field)'; set data.missing: median to impute the training median", row: r, column: column.name)
                }
                if let categories = column.categories {
                    if !isMissing, let k = categories.firstIndex(of: field) { values[offset + k] = 1 }
                } else if let mean = column.mean, let scale = column.scale, let median = column.median {
                    var v = median
                    if !isMissing {
                        guard let parsed = Double(wholeText: field), parsed.isFinite else {
                            throw table.failure("'\(field.snippet())' is not a number (a numeric column in training)", row: r, column: column.name)
                        }
                        v = parsed
                    }
                    let standardized = Float((v - mean) / scale)
                    guard standardized.isFinite else {
                        throw table.failure("'\(field.snippet())' lies so far from the training values (mean \(mean), scale \(scale)) "
                                            + "that it overflows Float32 once standardized", row: r, column: column.name)
                    }
                    values[offset] = standardized
                }
                offset += column.width
            }
        }
        return Tensor(values, shape: [rows.count, featureCount])
    }

    /// The targets of `rows` of `table` (all by default): `int64` class ids, or standardized
    /// `float32` values for regression. A label outside the training classes is an error.
    public func targets(_ table: CSVRows, rows: [Int]? = nil) throws(DataError) -> Tensor {
        let rows = rows ?? Array(table.rows.indices)
        let c = try table.column(labelColumn)
        if let mean = targetMean, let scale = targetScale {
            var values: [Float] = []
            for r in rows {
                guard let v = Double(table.rows[r][c]), v.isFinite else {
                    throw table.failure("target '\(table.rows[r][c].snippet())' is not a number (task: regression)", row: r, column: labelColumn)
                }
                values.append(Float((v - mean) / scale))
            }
            return Tensor(values, shape: [rows.count])
        }
        let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        var ids: [Int] = []
        for r in rows {
            guard let id = Self.classIndex(table.rows[r][c], in: index) else {
                throw table.failure("label '\(table.rows[r][c].snippet())' is none of the \(classNames.count) training classes", row: r, column: labelColumn)
            }
            ids.append(id)
        }
        return Tensor(ids)
    }

    /// Standardized regression outputs back in the targets' units.
    public func targetValues(_ standardized: Tensor) -> [Double] {
        let mean = targetMean ?? 0, scale = targetScale ?? 1
        return standardized.contiguous().scalars.map { Double($0) * scale + mean }
    }
}

extension CSVRows {
    /// An error at data row `row` (an index into ``rows``): `line L column 'c': reason`.
    func failure(_ reason: String, row: Int, column: String?) -> DataError {
        DataError(path: path, reason: "line \(lines[row])" + (column.map { " column '\($0.snippet())'" } ?? "") + ": \(reason)")
    }
}
