/// What is wrong with something read from outside the program — a tensor file, a dataset, a
/// settings file, a run log: the file, the line where one applies, and the reason, written as
/// one line (`path:line: reason`) for people to read.
///
/// Every reader of Kiln throws this one type; ``TensorFileError``, `DataError`, `SettingsError`,
/// `RunLogError` and `LogError` are its names in the modules that read those files.
public struct InputError: Error, CustomStringConvertible, Equatable {
    /// The file concerned.
    public let path: String
    /// The 1-based line at fault, when the problem is one line of a text file.
    public let line: Int?
    /// What is wrong, with a byte offset where one applies.
    public let reason: String

    /// The error for the input at `path` (and its `line`, if the problem is one line), with what is wrong.
    public init(path: String, line: Int? = nil, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason.oneLine
    }

    public var description: String { path.oneLine + (line.map { ":\($0)" } ?? "") + ": " + reason }
}

/// The error of a safetensors or npy file.
public typealias TensorFileError = InputError
