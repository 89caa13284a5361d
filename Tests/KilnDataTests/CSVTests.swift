import Foundation
@testable import KilnData
import Testing

@Suite struct CSVTests {
    /// The reason `text` is refused as a table labelled by `label`, or nil when it parses.
    func reason(_ text: String, label: String = "y") -> String? {
        do {
            _ = try CSVTable(text: text, labelColumn: label, path: "d.csv")
            return nil
        } catch {
            #expect(error.description == "d.csv: \(error.reason)" && !error.reason.contains("\n"))
            return error.reason
        }
    }

    @Test func readsFeaturesAndCategoryLabels() throws {
        let text = "sepal,petal,species\n1.5,2,setosa\n3,-4e-1,virginica\n\"5\",6,setosa\n"
        let table = try CSVTable(text: text, labelColumn: "species", path: "iris.csv")
        #expect(table.featureNames == ["sepal", "petal"])
        #expect(table.features.shape == [3, 2] && table.features.scalars == [1.5, 2, 3, -0.4, 5, 6])
        #expect(table.classNames == ["setosa", "virginica"] && table.labels.integers == [0, 1, 0])
    }

    @Test func integerLabelsAndLabelColumnInTheMiddle() throws {
        let table = try CSVTable(text: "a,y,b\r\n1,7,2\r\n3,2,4\r\n", labelColumn: "y", path: "t.csv")
        #expect(table.labels.integers == [7, 2] && table.classNames.isEmpty && table.features.scalars == [1, 2, 3, 4])
    }

    @Test func byteOrderMarkCRLFAndEmptyLinesAreAccepted() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("a,y\r\n\r\n1,0\r\n2,1.0e0\r\n\n".utf8)
        let table = try CSVTable(data: data, labelColumn: "y", path: "b.csv")
        #expect(table.featureNames == ["a"] && table.features.scalars == [1, 2] && table.labels.integers == [0, 1])
    }

    @Test func quotedFieldsKeepCommasQuotesAndLineBreaks() throws {
        var records: [[String]] = []
        var lines: [Int] = []
        try CSVTable.records("1,\"a,b\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\n3", path: "q") { fields, line throws(DataError) in
            records.append(fields)
            lines.append(line)
        }
        #expect(records == [["1", "a,b", "say \"hi\""], ["two\nlines", "x"], ["3"]] && lines == [1, 2, 4])
    }

    @Test func badInputNamesFileLineAndColumn() {
        let wrong = #expect(throws: DataError.self) { try CSVTable(text: "a,b\n1,2\n", labelColumn: "label", path: "d.csv") }
        #expect(wrong?.description == "d.csv: no column 'label'; columns are a, b")
        #expect(reason("a,b\n1,2\nx,3\n", label: "b") == "'x' is not a number at line 3 column 1 ('a')")
        #expect(reason("a,b\n1,2,3\n", label: "b") == "3 fields at line 2, header has 2")
        #expect(reason("a,b\n", label: "b") == "no data rows after the header")
        #expect(reason("") == "empty file, no header row")
        #expect(reason("\n\r\n") == "empty file, no header row")
        #expect(reason("a,y\n\"1,0\n") == "unterminated quoted field from line 2 column 1")
        #expect(reason("a,y\n\"1\"x,0\n") == "unexpected 'x' after a closing quote at line 2 column 1")
    }

    @Test func valuesThatOverflowFloat32AreRefused() {
        #expect(reason("a,b,y\n1,2,0\n3,1e39,1\n") == "'1e39' overflows Float32 at line 3 column 2 ('b')")
        #expect(reason("a,y\n-4e38,0\n") == "'-4e38' overflows Float32 at line 2 column 1 ('a')")
    }

    @Test func nanAndInfinityAreRefused() {
        for literal in ["nan", "NaN", "inf", "-Infinity"] {
            #expect(reason("a,y\n\(literal),0\n") == "'\(literal)' is not a finite number at line 2 column 1 ('a') (missing values are not supported)")
        }
    }

    @Test func zeroFeatureColumnsAreRefused() {
        #expect(reason("y\n1\n2\n") == "no feature columns besides the label 'y'")
    }

    @Test func duplicateColumnNamesAreRefused() {
        #expect(reason("a,y,y\n1,0,1\n") == "column name 'y' appears twice at line 1 (columns 2 and 3)")
        #expect(reason("a,b,a,y\n1,2,3,0\n") == "column name 'a' appears twice at line 1 (columns 1 and 3)")
    }

    @Test func absurdLabelsAreRefused() {
        let range = "is not a class number (a whole number from 0 to 99999)"
        #expect(reason("a,y\n1,0\n2,1e18\n") == "label '1e18' \(range) at line 3 column 2 ('y')")
        #expect(reason("a,y\n1,100000\n") == "label '100000' \(range) at line 2 column 2 ('y')")
        #expect(reason("a,y\n1,-1\n") == "label '-1' \(range) at line 2 column 2 ('y')")
        #expect(reason("a,y\n1,2.5\n") == "label '2.5' \(range) at line 2 column 2 ('y')")
        #expect(reason("a,y\n1,nan\n") == "label 'nan' \(range) at line 2 column 2 ('y')")
        #expect(reason("a,y\n1,99999999999999999999999\n") == "label '99999999999999999999999' \(range) at line 2 column 2 ('y')")
        #expect(reason("a,y\n1, \n") == "empty label at line 2 column 2 ('y')")
        #expect(reason("a,y\n1,3\n2,cat\n")
            == "label 'cat' is a name while line 2 holds the number '3'; labels must be all class numbers or all names at line 3 column 2 ('y')")
    }

    @Test func invalidUTF8NamesTheByte() {
        let error = #expect(throws: DataError.self) {
            try CSVTable(data: Data("a,y\n1,".utf8) + Data([0xC3, 0x28]), labelColumn: "y", path: "u.csv")
        }
        #expect(error?.description == "u.csv: not valid UTF-8 text at byte 6")
    }
}
