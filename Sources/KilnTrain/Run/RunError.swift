/// A run that cannot start or go on as asked: one line saying what is wrong and what to do.
public struct RunError: Error, Equatable, CustomStringConvertible {
    public let description: String

    /// An error whose message is `description`.
    public init(_ description: String) { self.description = description }
}
