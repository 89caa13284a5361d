/// NumPy broadcasting of shapes.
enum Broadcast {
    /// The shape two operands broadcast to, or a stop naming `op` and both shapes.
    static func shape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        if a == b { return a }
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            guard da == db || da == 1 || db == 1 else {
                preconditionFailure("\(op): shapes \(a) and \(b) do not broadcast")
            }
            out[i] = da == 1 ? db : da
        }
        return out
    }
}
