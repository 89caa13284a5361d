import Foundation
import KilnData
import KilnTestSupport
import Testing

@Suite struct StratifiedSplitTests {
    @Test func eachClassGivesItsShareAndKeepsATrainingRow() {
        // Classes of 1, 2, 7, 13 and 50 rows, sorted by class.
        let sizes = [1, 2, 7, 13, 50]
        let classes = sizes.enumerated().flatMap { c, n in [Int](repeating: c, count: n) }
        let (kept, held) = StratifiedSplit.indices(classes: classes, fraction: 0.3, seed: 4)
        #expect(Set(kept).isDisjoint(with: held) && (kept + held).sorted() == Array(classes.indices))
        #expect(kept == kept.sorted() && held == held.sorted())
        for (c, n) in sizes.enumerated() {
            let heldCount = held.filter { classes[$0] == c }.count
            #expect(heldCount == min(Int((Double(n) * 0.3).rounded()), n - 1), "class \(c) of \(n) rows holds out \(heldCount)")
        }
    }

    @Test func theSeedDecidesWhichRows() {
        let classes = (0..<200).map { $0 / 100 }
        let a = StratifiedSplit.indices(classes: classes, fraction: 0.2, seed: 1)
        #expect(StratifiedSplit.indices(classes: classes, fraction: 0.2, seed: 1) == a)
        #expect(StratifiedSplit.indices(classes: classes, fraction: 0.2, seed: 2).held != a.held)
        // Drawn from the whole class, not its last rows.
        #expect(a.held.filter { $0 < 100 }.contains { $0 < 80 })
    }
}

@Suite struct TabularEncodingTests {
    let table = try! CSVRows(text: """
        x,color,label
        1,red,b
        2,blue,a
        3,red,b
        NA,green,a
        10,blue,c

        """, path: "t.csv")

    @Test func numericColumnsAreStandardizedWithTheTrainingRowsOnly() throws {
        let encoding = try TabularEncoding.fit(table, trainingRows: [0, 1, 2, 3], labelColumn: "label", regression: false,
                                               classNames: TabularEncoding.classNames(table, labelColumn: "label"))
        #expect(encoding.classNames == ["a", "b", "c"])
        #expect(encoding.featureNames == ["x", "color=blue", "color=green", "color=red"])
        let x = encoding.columns[0]
        // Training values 1, 2, 3 (the NA left out): mean 2, population deviation √(2/3), median 2.
        #expect(x.mean == 2 && x.median == 2)
        expectClose(x.scale!, (2.0 / 3).squareRoot(), relative: 1e-12)
        let features = try encoding.features(table).scalars
        let s = Float((2.0 / 3).squareRoot())
        expectClose(features, [-1 / s, 0, 0, 1,  0, 1, 0, 0,  1 / s, 0, 0, 1,  0, 0, 1, 0,  8 / s, 1, 0, 0], relative: 1e-6)
        #expect(try encoding.targets(table).integers == [1, 0, 1, 0, 2])
    }

    @Test func badValuesAreOneLineNamingTheColumnAndLine() throws {
        func message(_ body: () throws -> Void) -> String? {
            do { try body() } catch { return "\(error)" }
            return nil
        }
        let names = try TabularEncoding.classNames(table, labelColumn: "label")
        #expect(message { _ = try TabularEncoding.fit(self.table, trainingRows: [0, 1], labelColumn: "label", regression: false,
                                                      classNames: names, categorical: .error) }
                == "t.csv: line 2 column 'color': 'red' is text; set data.categorical: onehot to encode the column")
        let strict = try TabularEncoding.fit(table, trainingRows: [0, 1, 2], labelColumn: "label", regression: false, classNames: names,
                                             missing: .error)
        #expect(message { _ = try strict.features(self.table) }
                == "t.csv: line 5 column 'x': missing value 'NA'; set data.missing: median to impute the training median")
        let other = try CSVRows(text: "x,color,label\nlots,red,d\n", path: "new.csv")
        #expect(message { _ = try strict.features(other) } == "new.csv: line 2 column 'x': 'lots' is not a number (a numeric column in training)")
        #expect(message { _ = try strict.targets(other) } == "new.csv: line 2 column 'label': label 'd' is none of the 3 training classes")
        let far = try CSVRows(text: "x,color,label\n1e300,red,a\n", path: "far.csv")
        #expect(message { _ = try strict.features(far) }?.hasPrefix("far.csv: line 2 column 'x': '1e300' lies so far from the training values") == true)
        #expect(message { _ = try strict.features(CSVRows(text: "y\n1\n", path: "new.csv")) }
                == "new.csv: no column 'x', which the model was trained on")
        #expect(message { _ = try TabularEncoding.classNames(CSVRows(text: "x,y\n1,2.5\n", path: "r.csv"), labelColumn: "y") }
                == "r.csv: line 2 column 'y': label '2.5' is not a class number (a whole number from 0 to 99999); "
                + "for numeric targets set task: regression")
    }

    @Test func wholeNumberLabelsAreClassIdsAndTheEncodingRoundTripsThroughJSON() throws {
        let numbers = try CSVRows(text: "x,y\n1,2\n2,0\n3,2.0\n", path: "n.csv")
        let names = try TabularEncoding.classNames(numbers, labelColumn: "y")
        #expect(names == ["0", "1", "2"])
        let encoding = try TabularEncoding.fit(numbers, trainingRows: [0, 1, 2], labelColumn: "y", regression: false, classNames: names)
        #expect(try encoding.targets(numbers).integers == [2, 0, 2])
        let decoded = try JSONDecoder().decode(TabularEncoding.self, from: JSONEncoder().encode(encoding))
        #expect(decoded == encoding)
        let regression = try TabularEncoding.fit(numbers, trainingRows: [0, 1, 2], labelColumn: "y", regression: true)
        #expect(regression.isRegression && regression.targetMean == 4.0 / 3)
        expectClose(regression.targetValues(try regression.targets(numbers)).map { Float($0) }, [2, 0, 2], relative: 1e-6, absolute: 1e-6)
    }
}

@Suite struct TabularEncodingProblemTests {
    @Test func anEncodingReadFromOutsideIsCheckedBeforeUse() throws {
        let table = try CSVRows(text: "x,y\n1,a\n2,b\n", path: "t.csv")
        let good = try TabularEncoding.fit(table, trainingRows: [0, 1], labelColumn: "y", regression: false, classNames: ["a", "b"])
        #expect(good.problem == nil)
        var bad = good
        bad.classNames = ["a"]
        #expect(bad.problem == "the tabular encoding has 1 classes; a classifier needs 2 to 100000")
        bad = good
        bad.columns[0].scale = 0
        #expect(bad.problem == "the tabular encoding's column 'x' is malformed")
        bad = good
        bad.columns = []
        #expect(bad.problem == "the tabular encoding has no feature columns")
        bad = good
        bad.targetScale = 2
        #expect(bad.problem == "the tabular encoding's regression target is malformed")
    }
}
