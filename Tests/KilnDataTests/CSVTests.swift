@testable import KilnData
import Testing

@Suite struct CSVTests {
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

    @Test func quotedFieldsKeepCommas() {
        #expect(CSVTable.fields("1,\"a,b\",\"say \"\"hi\"\"\"") == ["1", "a,b", "say \"hi\""])
    }

    @Test func badInputNamesFileLineAndColumn() {
        let wrong = #expect(throws: DataError.self) { try CSVTable(text: "a,b\n1,2\n", labelColumn: "label", path: "d.csv") }
        #expect(wrong?.description == "d.csv: no column 'label'; columns are a, b")
        let nan = #expect(throws: DataError.self) { try CSVTable(text: "a,b\n1,2\nx,3\n", labelColumn: "b", path: "d.csv") }
        #expect(nan?.description == "d.csv: line 3, column 'a': 'x' is not a number")
        let ragged = #expect(throws: DataError.self) { try CSVTable(text: "a,b\n1,2,3\n", labelColumn: "b", path: "d.csv") }
        #expect(ragged?.reason == "line 2: 3 fields, header has 2")
        let empty = #expect(throws: DataError.self) { try CSVTable(text: "a,b\n", labelColumn: "b", path: "d.csv") }
        #expect(empty?.reason == "no data rows after the header")
    }
}
