/// A setting whose value is one of a fixed list of names: the enum's cases are the list, and each
/// case builds its object itself, so a name is valid exactly when something can be made from it.
public protocol NamedChoice: RawRepresentable, CaseIterable, Codable, Sendable, CustomStringConvertible
where RawValue == String {
    /// The setting's key in a settings file (`optimizer`), for errors.
    static var setting: String { get }
}

extension NamedChoice {
    /// The valid names, in declaration order.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The choice called `name`; an unknown name is an error listing the valid ones.
    public init(named name: String) throws(ChoiceError) {
        guard let choice = Self(rawValue: name) else { throw ChoiceError(setting: Self.setting, value: name, valid: Self.names) }
        self = choice
    }

    public var description: String { rawValue }
}

/// A name that is none of a setting's choices: one line naming the setting, the value and the valid names.
public struct ChoiceError: Error, Equatable, CustomStringConvertible {
    /// The setting's key (`optimizer`).
    public let setting: String
    /// The name given.
    public let value: String
    /// What the name may be.
    public let valid: [String]
    /// What else the value may be, beyond the names (a schedule spec).
    public var otherwise: String?

    /// The error of `value` given for `setting`, which takes one of `valid` (or `otherwise`).
    public init(setting: String, value: String, valid: [String], otherwise: String? = nil) {
        self.setting = setting
        self.value = value
        self.valid = valid
        self.otherwise = otherwise
    }

    /// What the value must be: `one of a, b, c` (and what else it may be).
    public var expected: String { "one of \(valid.joined(separator: ", "))" + (otherwise.map { ", or \($0)" } ?? "") }

    public var description: String { "\(setting) \(SettingsError.quoted(value)) is not \(expected)" }
}
