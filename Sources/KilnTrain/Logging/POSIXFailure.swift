import Foundation

/// Operating-system failures in words for people, instead of raw Foundation error dumps.
enum POSIXFailure {
    /// The C library's text for the current `errno`, such as "No space left on device".
    static func lastError() -> String { String(cString: strerror(errno)) }

    /// The underlying POSIX reason of a Foundation error when it has one, else its description.
    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}
