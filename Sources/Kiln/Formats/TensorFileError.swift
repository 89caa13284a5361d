/// Why a tensor file could not be read or written.
public struct TensorFileError: Error, CustomStringConvertible, Equatable {
    /// The file concerned.
    public let path: String
    /// What is wrong, with a byte offset where one applies.
    public let reason: String

    /// The error for the file at `path`, with what is wrong.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason.oneLine
    }

    public var description: String { "\(path.oneLine): \(reason)" }
}
