/// Text from files quoted in error messages, which must stay one line each.
extension StringProtocol {
    /// The text with line breaks, control characters and invisible format characters (such as
    /// a right-to-left override) escaped (`\n`, `\u{7}`), so that a message quoting it stays on
    /// one line and reads as written.
    public var oneLine: String {
        func breaksLine(_ scalar: Unicode.Scalar) -> Bool {
            [.control, .lineSeparator, .paragraphSeparator, .format].contains(scalar.properties.generalCategory)
        }
        guard unicodeScalars.contains(where: breaksLine) else { return String(self) }
        return unicodeScalars.map { breaksLine($0) ? $0.escaped(asASCII: true) : String($0) }.joined()
    }

    /// The text as a short quotation from a file for an error message: on one line and cut
    /// after `limit` characters with `…`.
    public func snippet(_ limit: Int = 80) -> String {
        count > limit ? prefix(limit).oneLine + "…" : oneLine
    }
}
