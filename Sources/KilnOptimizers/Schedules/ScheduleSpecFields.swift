/// The `key=value` fields of one schedule spec, read one by one with range checks.
struct ScheduleSpecFields {
    /// The largest whole number a field may hold: far beyond any run, and small enough that sums
    /// of a few fields cannot overflow `Int`.
    static let largestInteger = 1_000_000_000_000_000

    let spec: String
    /// The family named by the spec.
    let family: String
    private var values: [String: String] = [:]
    private var used: Set<String> = []

    /// Splits `body` (the part after `family:`) into fields; a leading bare value is `peak`.
    init(spec: String, family: String, body: Substring) throws(ScheduleSpecError) {
        self.spec = spec
        self.family = family
        let parts = body.split(separator: ",", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() where !(parts.count == 1 && part.isEmpty) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key: String, value: String
            if pair.count == 2, !pair[0].isEmpty {
                key = pair[0].trimmingSpaces
                value = pair[1].trimmingSpaces
            } else if pair.count == 1, index == 0, !part.isEmpty {
                key = "peak"
                value = part.trimmingSpaces
            } else {
                throw ScheduleSpecError(spec: spec, problem: .malformedField(String(part)))
            }
            guard values[key] == nil else { throw ScheduleSpecError(spec: spec, problem: .duplicateField(key)) }
            values[key] = value
        }
    }

    private func fail(_ problem: ScheduleSpecError.Problem) -> ScheduleSpecError {
        ScheduleSpecError(spec: spec, problem: problem)
    }

    /// Whether `key` was given; marks `key` as one of the family's fields.
    mutating func has(_ key: String) -> Bool {
        used.insert(key)
        return values[key] != nil
    }

    /// The text of `key`, or `fallback` when absent; throws when absent without a fallback.
    mutating func text(_ key: String, default fallback: String? = nil) throws(ScheduleSpecError) -> String {
        used.insert(key)
        if let value = values[key] { return value }
        if let fallback { return fallback }
        throw fail(.missingField(key))
    }

    /// A finite number satisfying `valid` (described by `requirement`).
    mutating func number(_ key: String, default fallback: Double? = nil, requirement: String = "finite",
                         _ valid: (Double) -> Bool = { _ in true }) throws(ScheduleSpecError) -> Double {
        used.insert(key)
        guard let text = values[key] else {
            if let fallback { return fallback }
            throw fail(.missingField(key))
        }
        guard let value = Double(wholeText: text), value.isFinite else {
            throw fail(.badValue(field: key, text: text, expected: "a finite number"))
        }
        guard valid(value) else { throw fail(.outOfRange(field: key, requirement: requirement)) }
        return value
    }

    /// A whole number (written like `4690` or `1e4`) of at most ``largestInteger`` satisfying `valid`.
    mutating func integer(_ key: String, default fallback: Int? = nil, requirement: String = "a whole number",
                          _ valid: (Int) -> Bool = { _ in true }) throws(ScheduleSpecError) -> Int {
        used.insert(key)
        guard let text = values[key] else {
            if let fallback { return fallback }
            throw fail(.missingField(key))
        }
        let value = try wholeNumber(key, text, listedIn: text)
        guard valid(value) else { throw fail(.outOfRange(field: key, requirement: requirement)) }
        return value
    }

    /// Whole numbers separated by `/`, such as `30/60/90`.
    mutating func integerList(_ key: String) throws(ScheduleSpecError) -> [Int] {
        let text = try self.text(key)
        let expected = "non-negative whole numbers separated by '/'"
        var list: [Int] = []
        for item in text.split(separator: "/", omittingEmptySubsequences: false) {
            let value = try wholeNumber(key, String(item), listedIn: text, expected: expected)
            guard value >= 0 else { throw fail(.badValue(field: key, text: text, expected: expected)) }
            list.append(value)
        }
        return list
    }

    /// The case of `Choice` whose raw value is `key`'s text, `fallback` when absent.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice) throws(ScheduleSpecError) -> Choice
    where Choice.RawValue == String {
        let text = try self.text(key, default: fallback.rawValue)
        guard let value = Choice(rawValue: text) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail(.badValue(field: key, text: text, expected: "one of \(names)"))
        }
        return value
    }

    /// Throws for the first field that no read asked for.
    func rejectUnused() throws(ScheduleSpecError) {
        if let extra = values.keys.sorted().first(where: { !used.contains($0) }) {
            throw fail(.unknownField(extra, family: family, known: used.sorted()))
        }
    }

    /// An error for `field` out of range, for checks that involve several fields.
    func outOfRange(_ field: String, _ requirement: String) -> ScheduleSpecError {
        fail(.outOfRange(field: field, requirement: requirement))
    }

    /// `text` as a whole number of `key` (whose whole text is `whole`), bounded by ``largestInteger``.
    private func wholeNumber(_ key: String, _ text: String, listedIn whole: String,
                             expected: String = "a whole number") throws(ScheduleSpecError) -> Int {
        let limit = Self.largestInteger
        guard let value = Int(text).map(Double.init) ?? Double(wholeText: text), value.isFinite, value.rounded() == value else {
            throw fail(.badValue(field: key, text: whole, expected: expected))
        }
        guard abs(value) <= Double(limit) else { throw fail(.outOfRange(field: key, requirement: "at most \(limit) in size")) }
        return Int(value)
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
