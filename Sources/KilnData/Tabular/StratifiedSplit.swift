import Kiln

/// A seeded, shuffled split of row indices that keeps each class's share: from a class of `n`
/// rows, `round(n · fraction)` are held out (at most `n − 1`, so every class stays in the kept
/// part), chosen at random with a generator seeded by `seed`.
///
/// Both parts list rows in file order. For regression, give every row the same class.
public enum StratifiedSplit {
    /// The kept and held-out row indices of rows whose classes are `classes`.
    public static func indices(classes: [Int], fraction: Double, seed: UInt64) -> (kept: [Int], held: [Int]) {
        var members: [Int: [Int]] = [:]
        for (row, c) in classes.enumerated() { members[c, default: []].append(row) }
        var generator = RandomGenerator(seed: seed)
        var held: [Int] = []
        for c in members.keys.sorted() {
            var rows = members[c]!
            for i in stride(from: rows.count - 1, to: 0, by: -1) {
                rows.swapAt(i, Int(generator.next(upperBound: UInt64(i + 1))))
            }
            let count = min(Int((Double(rows.count) * fraction).rounded()), rows.count - 1)
            held += rows.prefix(max(count, 0))
        }
        let heldSet = Set(held)
        return ((0..<classes.count).filter { !heldSet.contains($0) }, held.sorted())
    }
}
