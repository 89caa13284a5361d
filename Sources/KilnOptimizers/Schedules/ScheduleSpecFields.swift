/// The `key=value` fields of one schedule spec, read one by one with range checks.
struct ScheduleSpecFields {
    let spec: String
    private var values: [String: String] = [:]
    private var used: Set<String> = []

    /// Splits `body` (the part after `family:`) into fields; a leading bare value is `peak`.
    init(spec: String, body: Substring) throws(ScheduleSpecError) {
        self.spec = spec
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

    /// Whether `key` was given.
    func has(_ key: String) -> Bool { values[key] != nil }

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
        guard let value = Double(text), value.isFinite else {
            throw fail(.badValue(field: key, text: text, expected: "a finite number"))
        }
        guard valid(value) else { throw fail(.outOfRange(field: key, requirement: requirement)) }
        return value
    }

    /// A whole number (written like `4690` or `1e4`) satisfying `valid`.
    mutating func integer(_ key: String, default fallback: Int? = nil, requirement: String = "a whole number",
                          _ valid: (Int) -> Bool = { _ in true }) throws(ScheduleSpecError) -> Int {
        used.insert(key)
        guard let text = values[key] else {
            if let fallback { return fallback }
            throw fail(.missingField(key))
        }
        guard let value = Self.wholeNumber(text) else {
            throw fail(.badValue(field: key, text: text, expected: "a whole number"))
        }
        guard valid(value) else { throw fail(.outOfRange(field: key, requirement: requirement)) }
        return value
    }

    /// Whole numbers separated by `/`, such as `30/60/90`.
    mutating func integerList(_ key: String) throws(ScheduleSpecError) -> [Int] {
        let text = try self.text(key)
        var list: [Int] = []
        for item in text.split(separator: "/", omittingEmptySubsequences: false) {
            guard let value = Self.wholeNumber(String(item)), value >= 0 else {
                throw fail(.badValue(field: key, text: text, expected: "non-negative whole numbers separated by '/'"))
            }
            list.append(value)
        }
        return list
    }

    /// Throws for the first field that no read asked for.
    func rejectUnused() throws(ScheduleSpecError) {
        if let extra = values.keys.sorted().first(where: { !used.contains($0) }) {
            throw fail(.unknownField(extra))
        }
    }

    /// An error for `field` out of range, for checks that involve several fields.
    func outOfRange(_ field: String, _ requirement: String) -> ScheduleSpecError {
        fail(.outOfRange(field: field, requirement: requirement))
    }

    private static func wholeNumber(_ text: String) -> Int? {
        if let value = Int(text) { return value }
        guard let value = Double(text), value.isFinite, value.rounded() == value, abs(value) < 1e15 else { return nil }
        return Int(value)
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
