import Kiln

/// Why data from outside could not be read: names the file and the place.
public struct DataError: Error, CustomStringConvertible, Equatable {
    /// The file concerned.
    public let path: String
    /// What is wrong, with a byte offset, line or column where one applies.
    public let reason: String

    /// An error about the file at `path`; line breaks and control characters in `reason` are escaped.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason.oneLine
    }

    public var description: String { "\(path.oneLine): \(reason)" }
}
