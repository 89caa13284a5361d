import Foundation
@testable import KilnData
import KilnTestSupport
import Testing

/// The CSV reader (``CSVRows``) and how ``TabularEncoding`` reads the columns it returns.
@Suite struct CSVTests {
    /// The reason `body` refuses its input, which must be one line naming `d.csv`, or nil when it reads.
    func reason(_ body: () throws(DataError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            #expect(error.description == "d.csv: \(error.reason)" && !error.reason.contains("\n"))
            return error.reason
        }
    }

    /// The reason `text` is refused as rows, or nil when it reads.
    func reason(_ text: String) -> String? {
        reason { () throws(DataError) in _ = try CSVRows(text: text, path: "d.csv") }
    }

    /// The reason `text`'s column `y` is refused as class labels, or nil when they read.
    func labelReason(_ text: String) -> String? {
        reason { () throws(DataError) in _ = try TabularEncoding.classNames(CSVRows(text: text, path: "d.csv"), labelColumn: "y") }
    }

    /// The encoding of every row of `text` with label `y`.
    func encoding(_ text: String, categorical: CategoricalColumns = .onehot, missing: MissingValues = .median) throws(DataError) -> TabularEncoding {
        let rows = try CSVRows(text: text, path: "d.csv")
        return try TabularEncoding.fit(rows, trainingRows: Array(rows.rows.indices), labelColumn: "y", regression: false,
                                       classNames: TabularEncoding.classNames(rows, labelColumn: "y"),
                                       categorical: categorical, missing: missing)
    }

    @Test func readsFeaturesAndCategoryLabels() throws {
        let text = "sepal,petal,species\n1.5,2,setosa\n3,-4e-1,virginica\n\"5\",6,setosa\n"
        let table = try CSVRows(text: text, path: "iris.csv")
        #expect(table.header == ["sepal", "petal", "species"] && table.lines == [2, 3, 4])
        #expect(table.rows == [["1.5", "2", "setosa"], ["3", "-4e-1", "virginica"], ["5", "6", "setosa"]])
        let classes = try TabularEncoding.classNames(table, labelColumn: "species")
        #expect(classes == ["setosa", "virginica"])
        #expect(try TabularEncoding.classIds(table, labelColumn: "species", classNames: classes) == [0, 1, 0])
        let encoding = try TabularEncoding.fit(table, trainingRows: [0, 1, 2], labelColumn: "species", regression: false, classNames: classes)
        #expect(encoding.featureNames == ["sepal", "petal"])
        // Standardized with the population moments: sepal mean 19/6, petal mean 2.5333….
        let sepal = [1.5, 3, 5.0], mean = 19.0 / 6
        let scale = (sepal.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        let features = try encoding.features(table)
        #expect(features.shape == [3, 2])
        for (r, v) in sepal.enumerated() { expectClose(Double(features.scalars[2 * r]), (v - mean) / scale, relative: 1e-6, "sepal row \(r)") }
    }

    @Test func integerLabelsAndLabelColumnInTheMiddle() throws {
        let table = try CSVRows(text: "a,y,b\r\n1,7,2\r\n3,2,4\r\n", path: "t.csv")
        #expect(table.rows == [["1", "7", "2"], ["3", "2", "4"]])
        let classes = try TabularEncoding.classNames(table, labelColumn: "y")
        #expect(classes == (0...7).map(String.init))
        #expect(try TabularEncoding.classIds(table, labelColumn: "y", classNames: classes) == [7, 2])
        let encoding = try TabularEncoding.fit(table, trainingRows: [0, 1], labelColumn: "y", regression: false, classNames: classes)
        #expect(encoding.featureNames == ["a", "b"] && encoding.columns.map(\.mean) == [2, 3])
    }

    @Test func byteOrderMarkCRLFAndEmptyLinesAreAccepted() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("a,y\r\n\r\n1,0\r\n2,1.0e0\r\n\n".utf8)
        let table = try CSVRows(data: data, path: "b.csv")
        #expect(table.header == ["a", "y"] && table.rows == [["1", "0"], ["2", "1.0e0"]] && table.lines == [3, 4])
        #expect(try TabularEncoding.classIds(table, labelColumn: "y", classNames: TabularEncoding.classNames(table, labelColumn: "y")) == [0, 1])
    }

    @Test func quotedFieldsKeepCommasQuotesAndLineBreaks() throws {
        var records: [[String]] = []
        var lines: [Int] = []
        try CSVRows.records("1,\"a,b\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\n3", path: "q") { fields, line throws(DataError) in
            records.append(fields)
            lines.append(line)
        }
        #expect(records == [["1", "a,b", "say \"hi\""], ["two\nlines", "x"], ["3"]] && lines == [1, 2, 4])
    }

    @Test func badInputNamesFileLineAndColumn() throws {
        let wrong = #expect(throws: DataError.self) { try CSVRows(text: "a,b\n1,2\n", path: "d.csv").column("label") }
        #expect(wrong?.description == "d.csv: no column 'label'; columns are a, b")
        #expect(reason { () throws(DataError) in _ = try encoding("a,y\n1,2\nx,3\n", categorical: .error) }
                == "line 3 column 'a': 'x' is text; set data.categorical: onehot to encode the column")
        #expect(reason("a,b\n1,2,3\n") == "3 fields at line 2, header has 2")
        #expect(reason("a,b\n") == "no data rows after the header")
        #expect(reason("") == "empty file, no header row")
        #expect(reason("\n\r\n") == "empty file, no header row")
        #expect(reason("a,y\n\"1,0\n") == "unterminated quoted field from line 2 column 1")
        #expect(reason("a,y\n\"1\"x,0\n") == "unexpected 'x' after a closing quote at line 2 column 1")
    }

    @Test func valuesBeyondFloat32AreStandardizedInDouble() throws {
        // 1e39 overflows Float32 but not Double: it is standardized first, to ±1 here.
        let wide = try encoding("a,b,y\n1,2,0\n3,1e39,1\n")
        let rows = try CSVRows(text: "a,b,y\n1,2,0\n3,1e39,1\n", path: "d.csv")
        #expect(try wide.features(rows).scalars == [-1, -1, 1, 1])
        let far = try CSVRows(text: "a,b,y\n1,-4e38,0\n", path: "d.csv")
        #expect(reason { () throws(DataError) in _ = try TabularEncoding(columns: [.init(name: "b", mean: 0, scale: 1, median: 0)],
                                                                         labelColumn: "y", classNames: ["0", "1"], missing: .error).features(far) }
                == "line 2 column 'b': '-4e38' lies so far from the training values (mean 0.0, scale 1.0) that it overflows Float32 once standardized")
    }

    @Test func nanIsMissingAndInfinityIsRefused() throws {
        for literal in ["nan", "NaN"] {
            #expect(reason { () throws(DataError) in _ = try encoding("a,y\n\(literal),0\n2,1\n", missing: .error).features(CSVRows(text: "a,y\n\(literal),0\n", path: "d.csv")) }
                    == "line 2 column 'a': missing value '\(literal)'; set data.missing: median to impute the training median")
        }
        for literal in ["inf", "-Infinity"] {
            #expect(reason { () throws(DataError) in _ = try encoding("a,y\n\(literal),0\n") } == "line 2 column 'a': '\(literal)' is not a finite number")
        }
    }

    @Test func zeroFeatureColumnsAreRefused() {
        #expect(reason { () throws(DataError) in _ = try encoding("y\n1\n2\n") } == "no feature columns besides the label 'y'")
    }

    @Test func duplicateColumnNamesAreRefused() {
        #expect(reason("a,y,y\n1,0,1\n") == "column name 'y' appears twice at line 1 (columns 2 and 3)")
        #expect(reason("a,b,a,y\n1,2,3,0\n") == "column name 'a' appears twice at line 1 (columns 1 and 3)")
    }

    @Test func absurdLabelsAreRefused() throws {
        let range = "is not a class number (a whole number from 0 to 99999); for numeric targets set task: regression"
        #expect(labelReason("a,y\n1,0\n2,1e18\n") == "line 3 column 'y': label '1e18' \(range)")
        #expect(labelReason("a,y\n1,100000\n") == "line 2 column 'y': label '100000' \(range)")
        #expect(labelReason("a,y\n1,-1\n") == "line 2 column 'y': label '-1' \(range)")
        #expect(labelReason("a,y\n1,2.5\n") == "line 2 column 'y': label '2.5' \(range)")
        #expect(labelReason("a,y\n1,99999999999999999999999\n") == "line 2 column 'y': label '99999999999999999999999' \(range)")
        #expect(labelReason("a,y\n1,nan\n") == "line 2 column 'y': missing label 'nan'")
        #expect(labelReason("a,y\n1, \n") == "line 2 column 'y': missing label ''")
        // Numbers among names are names too.
        #expect(try TabularEncoding.classNames(CSVRows(text: "a,y\n1,3\n2,cat\n", path: "d.csv"), labelColumn: "y") == ["3", "cat"])
    }

    @Test func invalidUTF8NamesTheByte() {
        let error = #expect(throws: DataError.self) { try CSVRows(data: Data("a,y\n1,".utf8) + Data([0xC3, 0x28]), path: "u.csv") }
        #expect(error?.description == "u.csv: not valid UTF-8 text at byte 6")
    }
}
