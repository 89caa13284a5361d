import Yams

/// One value of a settings file, named by its dotted key (`epochs`, `data.path`), read as the
/// type its setting needs; every failure names the file and the key.
struct SettingsValue {
    /// The parsed value.
    let node: Node
    /// The dotted key naming the value.
    let key: String
    /// The settings file, for errors.
    let file: String

    /// The error `setting 'key' reason`.
    func failure(_ reason: String) -> SettingsError {
        SettingsError(path: file, reason: "setting \(SettingsError.quoted(key)) \(reason)")
    }

    /// Whether the value is YAML's null: empty, `~` or `null`.
    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The text of a value that must be a string.
    func string() throws(SettingsError) -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw failure("must be a string, got \(shown)") }
        return scalar.string
    }

    /// The value of an integer setting, written in decimal.
    func integer() throws(SettingsError) -> Int {
        let text = try plainText(expected: "an integer")
        if let value = Int(text) { return value }
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        if !digits.isEmpty && digits.allSatisfy({ $0.isASCII && $0.isWholeNumber }) {
            throw failure("is out of range: \(shown)")
        }
        throw failure("must be an integer, got \(shown)")
    }

    /// The value of a numeric setting. YAML's `.nan` and `.inf` and a too large `1e999` read as
    /// what they are, for the setting's own check to reject.
    func number() throws(SettingsError) -> Double {
        let text = try plainText(expected: "a number")
        switch text.lowercased() {
        case ".nan": return .nan
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        default:
            guard let value = Double(text) else { throw failure("must be a number, got \(shown)") }
            return value
        }
    }

    /// The value of a `true`/`false` setting (YAML's `yes`/`no` and `on`/`off` too).
    func bool() throws(SettingsError) -> Bool {
        let text = try plainText(expected: "true or false")
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw failure("must be true or false, got \(shown)")
        }
    }

    /// The value of a setting that names one of `C`'s choices.
    func choice<C: NamedChoice>() throws(SettingsError) -> C {
        let name = try string()
        do {
            return try C(named: name)
        } catch {
            throw failure("must be \(error.expected), got \(shown)")
        }
    }

    /// The value of the `schedule` setting: a named schedule or a spec.
    func schedule() throws(SettingsError) -> ScheduleChoice {
        let text = try string()
        do {
            return try ScheduleChoice(text)
        } catch {
            throw failure("must be \(error.expected), got \(shown)")
        }
    }

    /// The value of a setting that lists integers (`[256, 128]`); at most 1,024 of them.
    func integers() throws(SettingsError) -> [Int] {
        try list(of: "integers") { item throws(SettingsError) in try item.integer() }
    }

    /// The value of a setting that lists strings, or one string standing for a list of it; at most 1,024 of them.
    func strings() throws(SettingsError) -> [String] {
        if case .scalar = node, !isNull { return [try string()] }
        return try list(of: "strings") { item throws(SettingsError) in try item.string() }
    }

    /// Each item of a list of `what`, read by `read` (named `key[i]` in errors); at most 1,024 of them.
    func list<T>(of what: String, _ read: (SettingsValue) throws(SettingsError) -> T) throws(SettingsError) -> [T] {
        guard case .sequence(let items) = node else { throw failure("must be a list of \(what), got \(shown)") }
        guard items.count <= 1024 else { throw failure("lists \(items.count) values, more than 1024") }
        var values: [T] = []
        for (i, item) in items.enumerated() { values.append(try read(SettingsValue(node: item, key: "\(key)[\(i)]", file: file))) }
        return values
    }

    /// `read(self)`, or nil when the value is null.
    func optional<T>(_ read: (SettingsValue) throws(SettingsError) -> T) throws(SettingsError) -> T? {
        isNull ? nil : try read(self)
    }

    /// The entries of a mapping whose keys are the raw values of `Key`; a key that is not one,
    /// or appears twice, is an error.
    func entries<Key: RawRepresentable & CaseIterable>(_: Key.Type) throws(SettingsError) -> [(key: Key, value: SettingsValue)]
    where Key.RawValue == String {
        guard case .mapping(let mapping) = node else { throw failure("must be a mapping of settings, got \(shown)") }
        var entries: [(key: Key, value: SettingsValue)] = []
        var seen = Set<String>()
        for (keyNode, valueNode) in mapping {
            let name = SettingsValue(node: keyNode, key: key, file: file)
            guard case .scalar(let scalar) = keyNode else {
                throw SettingsError(path: file, reason: "keys must be names, got \(name.shown)\(key.isEmpty ? "" : " in \(SettingsError.quoted(key))")")
            }
            let dotted = key.isEmpty ? scalar.string : "\(key).\(scalar.string)"
            guard let known = Key(rawValue: scalar.string) else {
                let names = Key.allCases.map(\.rawValue).sorted().joined(separator: ", ")
                throw SettingsError(path: file, reason: "unknown setting \(SettingsError.quoted(dotted)); known: \(names)")
            }
            guard seen.insert(scalar.string).inserted else {
                let line = scalar.mark.map { " (again at line \($0.line))" } ?? ""
                throw SettingsError(path: file, reason: "setting \(SettingsError.quoted(dotted)) appears twice\(line)")
            }
            entries.append((known, SettingsValue(node: valueNode, key: dotted, file: file)))
        }
        return entries
    }

    /// The plain (unquoted) text of a scalar that must be `expected`.
    private func plainText(expected: String) throws(SettingsError) -> String {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any, !isNull else {
            throw failure("must be \(expected), got \(shown)")
        }
        return scalar.string
    }

    /// The value as an error shows it: quoted text, or its kind.
    var shown: String {
        switch node {
        case .scalar(let scalar) where isNull: return "null (\(scalar.string.isEmpty ? "no value" : scalar.string))"
        case .scalar(let scalar): return SettingsError.quoted(scalar.string)
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}
