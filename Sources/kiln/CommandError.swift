import Foundation

/// A bad command-line value or file: printed as one line, exit status 1.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// The one line a person reads for `error`: the first line of its message, and for
    /// Foundation's file errors the file and what went wrong in words, never the raw error dump.
    static func line(for error: Error, message: String) -> String {
        if let cocoa = error as? CocoaError, cocoa.isFileError {
            let file = cocoa.filePath ?? cocoa.url?.path
            return (file.map { "\($0): " } ?? "") + reason(for: cocoa)
        }
        if let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String {
            return detail.split(separator: "\n").first.map(String.init) ?? detail
        }
        if let posix = error as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return message.split(separator: "\n").first.map(String.init) ?? "\(error)"
    }

    /// What a Foundation file error means.
    private static func reason(for error: CocoaError) -> String {
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the volume is read-only"
        case .fileWriteFileExists: return "already exists"
        case .fileReadInapplicableStringEncoding, .fileReadUnknownStringEncoding: return "cannot be read as text"
        case .fileReadTooLarge: return "is too large to read"
        default:
            if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
               let code = Int32(exactly: underlying.code) {
                return String(cString: strerror(code))
            }
            return error.code.rawValue < CocoaError.Code.fileWriteUnknown.rawValue ? "cannot be read (file error \(error.code.rawValue))"
                                                                                  : "cannot be written (file error \(error.code.rawValue))"
        }
    }
}
