/// A schedule spec from the command line or a config that cannot be built, naming the field at fault.
public struct ScheduleSpecError: Error, Equatable, CustomStringConvertible {
    /// What is wrong with the spec.
    public enum Problem: Equatable, Sendable {
        /// The spec is empty or has no family name.
        case empty
        /// The spec is longer than ``ScheduleSpec/maxLength`` bytes.
        case tooLong(bytes: Int, limit: Int)
        /// The family name is not one of ``ScheduleSpec/families``.
        case unknownFamily(String)
        /// A required field is absent.
        case missingField(String)
        /// A field this family does not take, with the fields it does.
        case unknownField(String, family: String, known: [String])
        /// A field given twice.
        case duplicateField(String)
        /// A comma-separated part that is not `key=value`.
        case malformedField(String)
        /// A field whose value does not parse.
        case badValue(field: String, text: String, expected: String)
        /// A field whose value parses but is out of range.
        case outOfRange(field: String, requirement: String)
        /// A file named by a field cannot be used.
        case unusableFile(field: String, reason: String)
    }

    /// The spec as given.
    public let spec: String
    /// What is wrong.
    public let problem: Problem

    /// The error `problem` in `spec`.
    public init(spec: String, problem: Problem) {
        self.spec = spec
        self.problem = problem
    }

    /// The field at fault, when there is one.
    public var field: String? {
        switch problem {
        case .empty, .tooLong, .unknownFamily: return nil
        case .missingField(let f), .unknownField(let f, _, _), .duplicateField(let f), .malformedField(let f): return f
        case .badValue(let f, _, _), .outOfRange(let f, _), .unusableFile(let f, _): return f
        }
    }

    public var description: String {
        let detail: String
        switch problem {
        case .empty:
            detail = "expected family:key=value,... (families: \(ScheduleSpec.families.joined(separator: ", ")))"
        case let .tooLong(bytes, limit): detail = "\(bytes) bytes, more than the \(limit) a spec may have"
        case .unknownFamily(let name):
            detail = "unknown family '\(name)' (families: \(ScheduleSpec.families.joined(separator: ", ")))"
        case .missingField(let f): detail = "field '\(f)' is required"
        case let .unknownField(f, family, known):
            detail = "field '\(f)' is not used by \(family) (its fields: \(known.joined(separator: ", ")))"
        case .duplicateField(let f): detail = "field '\(f)' is given twice"
        case .malformedField(let part): detail = "'\(part)' is not key=value"
        case .badValue(let f, let text, let expected): detail = "field '\(f)' = '\(text)' is not \(expected)"
        case .outOfRange(let f, let requirement): detail = "field '\(f)' must be \(requirement)"
        case .unusableFile(let f, let reason): detail = "field '\(f)': \(reason)"
        }
        return "schedule '\(spec)': \(detail)".unicodeScalars.map(\.escapedIfControl).joined()
    }
}

extension Unicode.Scalar {
    /// The scalar, or its escape (`\u{A}`) when it is a control character that would break the line.
    fileprivate var escapedIfControl: String {
        properties.generalCategory == .control ? escaped(asASCII: true) : String(self)
    }
}
