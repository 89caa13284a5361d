import Foundation

/// Text read from files: UTF-8, checked, with a leading byte-order mark dropped.
enum UTF8Text {
    /// The text of `data`, or an error naming the byte offset of the first invalid sequence.
    static func decode(_ data: Data, path: String) throws(DataError) -> String {
        guard let text = validString(data) else {
            throw DataError(path: path, reason: "not valid UTF-8 text at byte \(firstInvalidByte(data))")
        }
        return text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text
    }

    /// The string of `bytes` when they are valid UTF-8, else nil (`String(validating:)` without
    /// its macOS 15 requirement).
    static func validString<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String? {
        firstInvalidByte(bytes) == bytes.count ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// The offset of the first byte that does not start a valid UTF-8 sequence (the count when all are valid).
    static func firstInvalidByte<Bytes: Collection<UInt8>>(_ data: Bytes) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar): offset += scalar.count
            case .error, .emptyInput: return offset
            }
        }
    }
}
