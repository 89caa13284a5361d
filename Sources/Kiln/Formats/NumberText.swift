/// Numbers read from text that comes from outside: files, settings, specs.
///
/// The standard `Double(_:)` and `Float(_:)` hand the text to C's `strtod` as a C string, which
/// ends at the first NUL character: `Double("1\0 2")` is 1, the rest silently dropped. These
/// initializers refuse such text; otherwise they read exactly what the standard ones read.
extension Double {
    /// The number the whole of `text` spells (as `Double(_:)` reads it), or nil.
    public init?(wholeText text: some StringProtocol) {
        guard !text.utf8.contains(0), let value = Double(text) else { return nil }
        self = value
    }
}

extension Float {
    /// The number the whole of `text` spells (as `Float(_:)` reads it), or nil.
    public init?(wholeText text: some StringProtocol) {
        guard !text.utf8.contains(0), let value = Float(text) else { return nil }
        self = value
    }
}
